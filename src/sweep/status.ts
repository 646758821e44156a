/**
 * What became of each unit of a sweep, derived from files both executors write the same way:
 * the unit's `attempts.jsonl` (one `start` line when a run starts, one `end` line when it ends,
 * written by the local pool or by the Slurm batch script), its `evolve.log` and its `run.json`,
 * plus what the executor says is still queued or running.
 */
import type { RunConfig } from '../experiment/config';
import type { SweepUnit } from './points';
import type { SettingValue } from './spec';
import { trainingImages } from '../experiment/datasets';

/**
 * Exit statuses of a runner that caught a signal and stopped cleanly after its generation
 * (128 + the signal's number, as `npm run evolve` exits): the run was interrupted, not failed.
 */
const GRACEFUL_STOPS: Record<number, string> = { 129: 'HUP', 130: 'INT', 143: 'TERM' };

export type UnitState = 'waiting' | 'queued' | 'running' | 'finished' | 'failed' | 'interrupted' | 'cancelled';
export const UNIT_STATES: readonly UnitState[] = [
  'finished',
  'running',
  'queued',
  'waiting',
  'failed',
  'interrupted',
  'cancelled',
];

export interface AttemptStart {
  event: 'start';
  at: string;
  host: string;
  pid: number;
  executor: 'local' | 'slurm';
  slurmJobId?: number;
  slurmArrayJobId?: number;
  slurmArrayTaskId?: number;
}

export interface AttemptEnd {
  event: 'end';
  at: string;
  /** Null when the process was ended by a signal. */
  exitCode: number | null;
  /** The signal that stopped the run (e.g. TERM from scancel or a time limit), or null. */
  signal: string | null;
}

export interface Attempt {
  start: AttemptStart;
  end?: AttemptEnd;
}

/** One unit's line in sweep.json. */
export interface UnitStatus {
  kind: 'ancestor' | 'point';
  id: string;
  dir: string;
  settings: Record<string, SettingValue>;
  ancestor?: string;
  /** Training work, in images through the network (for the time left). */
  work: number;
  state: UnitState;
  attempts: number;
  host?: string;
  pid?: number;
  slurm?: { jobId?: number; arrayJobId?: number; taskId?: number };
  startedAt?: string;
  endedAt?: string;
  seconds?: number;
  exitCode?: number | null;
  signal?: string | null;
  /** Why it ended, in words. */
  exitReason?: string;
  error?: string;
}

/** What is known about a unit at one moment. */
export interface UnitObservation {
  attempts: Attempt[];
  /** Its run.json says the run reached its last generation. */
  finished: boolean;
  /** Its evolve.log, every attempt. */
  log: string;
  /** What the executor says now. */
  active: 'queued' | 'running' | null;
  /** The array job it was last handed to Slurm in (if no attempt of that job started and it left the queue, it never ran). */
  submittedArrayJob?: number;
}

export const ATTEMPT_HEADER = '=== attempt started';

export function parseAttempts(text: string): Attempt[] {
  const attempts: Attempt[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let event: AttemptStart | AttemptEnd;
    try {
      event = JSON.parse(line);
    } catch {
      continue; // a line torn by a killed writer
    }
    if (event.event === 'start') attempts.push({ start: event });
    else if (event.event === 'end' && attempts.length && !attempts[attempts.length - 1].end)
      attempts[attempts.length - 1].end = event;
  }
  return attempts;
}

/** The last attempt's error from the log: from its last `error:` line on, or its last lines. */
export function errorFromLog(log: string): string {
  const last = log.lastIndexOf(ATTEMPT_HEADER);
  const lines = (last >= 0 ? log.slice(log.indexOf('\n', last) + 1) : log).split('\n').filter((l) => l.trim());
  const at = lines.map((l) => l.startsWith('error:')).lastIndexOf(true);
  const text = (at >= 0 ? lines.slice(at) : lines.slice(-3)).join('\n').trim();
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

/** Images through the network: training epochs × images × networks, plus a third of an image per test image evaluated. */
export function unitWork(kind: 'ancestor' | 'point', config: RunConfig): number {
  const train = config.trainSubset ?? trainingImages(config.dataset) ?? 60_000;
  const test = config.testSubset ?? 10_000;
  if (kind === 'ancestor') return config.ancestorEpochs * train + test / 3;
  return (config.generations - 1) * config.population * (config.epochsPerGeneration * train + test / 3);
}

export function unitStatusBase(unit: SweepUnit): UnitStatus {
  return {
    kind: unit.kind,
    id: unit.id,
    dir: unit.dir,
    settings: unit.settings,
    ...(unit.ancestor ? { ancestor: unit.ancestor } : {}),
    work: unitWork(unit.kind, unit.config),
    state: 'waiting',
    attempts: 0,
  };
}

const seconds = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

/** A unit's state from what is observed; `ancestor` is its ancestor's status (points only). */
export function deriveStatus(base: UnitStatus, obs: UnitObservation, ancestor?: UnitStatus): UnitStatus {
  const last = obs.attempts.at(-1);
  const status: UnitStatus = {
    kind: base.kind,
    id: base.id,
    dir: base.dir,
    settings: base.settings,
    ...(base.ancestor ? { ancestor: base.ancestor } : {}),
    work: base.work,
    state: 'waiting',
    attempts: obs.attempts.length,
  };
  if (last) {
    const s = last.start;
    Object.assign(status, {
      host: s.host,
      pid: s.pid,
      ...(s.executor === 'slurm'
        ? { slurm: { jobId: s.slurmJobId, arrayJobId: s.slurmArrayJobId, taskId: s.slurmArrayTaskId } }
        : {}),
      startedAt: s.at,
    });
    if (last.end)
      Object.assign(status, {
        endedAt: last.end.at,
        seconds: seconds(s.at, last.end.at),
        exitCode: last.end.exitCode,
        signal: last.end.signal,
      });
  }
  const end = last?.end;
  const notStartedSinceSubmission =
    obs.submittedArrayJob !== undefined && last?.start.slurmArrayJobId !== obs.submittedArrayJob;
  const ancestorFailed = ancestor?.state === 'failed';
  if (obs.finished && obs.active !== 'running') {
    status.state = 'finished';
    status.exitReason = 'completed';
  } else if (obs.active) {
    status.state = obs.active;
  } else if ((!last || notStartedSinceSubmission) && ancestorFailed) {
    status.state = 'failed';
    status.exitReason = 'not started: its ancestor failed';
    status.error = `ancestor ${ancestor!.id} failed: ${ancestor!.error ?? ancestor!.exitReason}`;
  } else if (notStartedSinceSubmission) {
    status.state = 'cancelled';
    status.exitReason = 'left the queue without starting';
  } else if (last && !end) {
    status.state = 'interrupted';
    status.exitReason = 'its process ended without recording an exit (killed, or its node failed)';
  } else if (end) {
    const signal = end.signal ?? GRACEFUL_STOPS[end.exitCode ?? 0];
    if (signal) {
      status.state = 'interrupted';
      status.exitReason = `stopped by SIG${signal} (cancelled, out of time or interrupted)`;
    } else if (end.exitCode === 0) {
      status.state = 'interrupted';
      status.exitReason = 'stopped before its last generation';
    } else {
      status.state = 'failed';
      status.exitReason = `exit code ${end.exitCode}`;
      status.error = errorFromLog(obs.log);
    }
  }
  return status;
}

export function countStates(units: readonly UnitStatus[]): Record<UnitState, number> {
  const counts = Object.fromEntries(UNIT_STATES.map((s) => [s, 0])) as Record<UnitState, number>;
  for (const u of units) counts[u.state]++;
  return counts;
}

export function formatDuration(totalSeconds: number): string {
  const s = Math.round(totalSeconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Seconds left: the work not yet done at the rate of the units that finished (seconds per image,
 * start-up included), spread over `parallel` runs at a time. Null until a unit has finished.
 */
export function secondsLeft(units: readonly UnitStatus[], now: number, parallel: number): number | null {
  const done = units.filter((u) => u.state === 'finished' && u.seconds !== undefined && u.work > 0);
  const work = done.reduce((s, u) => s + u.work, 0);
  if (!work) return null;
  const rate = done.reduce((s, u) => s + u.seconds!, 0) / work;
  let left = 0;
  for (const u of units) {
    if (u.state === 'waiting' || u.state === 'queued') left += u.work * rate;
    else if (u.state === 'running')
      left += Math.max(0, u.work * rate - (u.startedAt ? (now - Date.parse(u.startedAt)) / 1000 : 0));
  }
  return left / Math.max(1, parallel);
}

/** E.g. "points 3/8 done, 1 failed · running 2 (1 ancestor) · ~4m 10s left". */
export function progressLine(units: readonly UnitStatus[], now: number, parallel: number): string {
  const points = units.filter((u) => u.kind === 'point');
  const p = countStates(points);
  const running = units.filter((u) => u.state === 'running');
  const runningAncestors = running.filter((u) => u.kind === 'ancestor').length;
  const queued = units.filter((u) => u.state === 'queued').length;
  const failed = units.filter((u) => u.state === 'failed').length;
  const interrupted = units.filter((u) => u.state === 'interrupted').length;
  const cancelled = units.filter((u) => u.state === 'cancelled').length;
  const left = secondsLeft(units, now, parallel);
  return [
    `points ${p.finished}/${points.length} done`,
    `running ${running.length}${runningAncestors ? ` (${runningAncestors} ancestor${runningAncestors > 1 ? 's' : ''})` : ''}`,
    ...(queued ? [`queued ${queued}`] : []),
    ...(failed ? [`failed ${failed}`] : []),
    ...(interrupted ? [`interrupted ${interrupted}`] : []),
    ...(cancelled ? [`cancelled ${cancelled}`] : []),
    running.length || queued || units.some((u) => u.state === 'waiting')
      ? left === null
        ? 'time left: after the first run'
        : `~${formatDuration(left)} left`
      : 'all ended',
  ].join(' · ');
}

/** A table of every unit for `--status`. */
export function statusTable(units: readonly UnitStatus[]): string {
  const where = (u: UnitStatus) =>
    u.slurm?.arrayJobId !== undefined
      ? `${u.host} job ${u.slurm.arrayJobId}_${u.slurm.taskId} (id ${u.slurm.jobId})`
      : u.host
        ? `${u.host} pid ${u.pid}`
        : '';
  const rows = units.map((u) => [
    `${u.kind === 'ancestor' ? 'ancestor ' : ''}${u.id}`,
    u.state,
    where(u),
    u.seconds !== undefined ? formatDuration(u.seconds) : '',
    [u.exitReason, u.error?.split('\n')[0]].filter(Boolean).join(': '),
  ]);
  const header = ['unit', 'state', 'where', 'time', 'exit'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
