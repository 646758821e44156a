/**
 * A sweep folder on disk:
 *
 *   DIR/sweep.json                   the spec, every unit's status, where it ran, Slurm submissions
 *   DIR/ancestors/<id>/              one ancestor run (generation 1), shared by the points of <id>
 *   DIR/points/<id>/                 one point's run: config.json, run.json, generations.csv,
 *                                    checkpoint.json, evolve.log, attempts.jsonl
 *   DIR/slurm/                       batch scripts and Slurm's own output (Slurm executor)
 *   DIR/sweep.lock                   held by a local sweep while it runs
 *
 * sweep.json is rewritten from the units' files whenever a sweep runs or its status is asked for.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdir, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { SweepPlan, SweepUnit } from './points';
import {
  countStates,
  deriveStatus,
  parseAttempts,
  unitStatusBase,
  type AttemptEnd,
  type AttemptStart,
  type UnitObservation,
  type UnitState,
  type UnitStatus,
} from './status';

export interface SlurmOptions {
  partition?: string;
  time?: string;
  cpusPerTask: number;
  mem?: string;
  /** Further sbatch options, each as one argument (e.g. `--qos=long`). */
  extra: string[];
}

export interface Submission {
  at: string;
  /** Submissions made by one `npm run sweep` share a round. */
  round: number;
  phase: 'ancestors' | 'points';
  script: string;
  arrayJobId: number;
  /** Array index → unit folder (e.g. "points/mode=sexual,seed=1"). */
  tasks: Record<string, string>;
  /** The ancestors' array job whose task of the same index must succeed first (aftercorr). */
  dependsOn?: number;
}

export interface SweepRecord {
  version: 1;
  name: string;
  spec: unknown;
  specFile: string | null;
  createdAt: string;
  updatedAt: string;
  /** The executor of the latest run. */
  executor: 'local' | 'slurm';
  local?: { jobs: number; threads: number; host: string; pid: number; startedAt: string };
  slurm?: { options: SlurmOptions; submissions: Submission[] };
  /** Points by state. */
  summary: Record<UnitState, number>;
  ancestors: UnitStatus[];
  points: UnitStatus[];
}

export class SweepFolderError extends Error {}

export const sweepFile = (dir: string) => path.join(dir, 'sweep.json');

export async function readRecord(dir: string): Promise<SweepRecord> {
  const file = sweepFile(dir);
  const text = await readFile(file, 'utf8').catch(() => {
    throw new SweepFolderError(
      `${file} does not exist: is ${dir} a sweep folder (made by npm run sweep -- SPEC --out ${dir})?`,
    );
  });
  const record = JSON.parse(text) as SweepRecord;
  if (record.version !== 1 || !Array.isArray(record.points))
    throw new SweepFolderError(`${file} is not a sweep record of this version of EvoLab`);
  return record;
}

export async function writeRecord(dir: string, record: SweepRecord): Promise<void> {
  const file = sweepFile(dir);
  await writeFile(`${file}.tmp`, JSON.stringify(record, null, 1) + '\n');
  await rename(`${file}.tmp`, file);
}

/**
 * Writes each unit's config.json and returns the sweep's record, keeping what an earlier run of
 * the same folder recorded. A unit whose config.json holds other settings stops it: the results
 * in the folder would no longer match the spec.
 */
export async function prepareFolder(
  dir: string,
  plan: SweepPlan,
  spec: unknown,
  specFile: string | null,
): Promise<SweepRecord> {
  const previous = existsSync(sweepFile(dir)) ? await readRecord(dir) : null;
  const conflicts: string[] = [];
  for (const unit of [...plan.ancestors, ...plan.points]) {
    const file = path.join(dir, unit.dir, 'config.json');
    if (existsSync(file)) {
      const old = await readFile(file, 'utf8');
      if (old !== configText(unit)) conflicts.push(path.join(unit.dir, 'config.json'));
    }
  }
  if (conflicts.length)
    throw new SweepFolderError(
      `${dir} holds runs with other settings than this spec gives them (${conflicts.slice(0, 3).join(', ')}${conflicts.length > 3 ? ', …' : ''}): the spec changed. Use a new --out folder, or remove those runs to redo them.`,
    );
  for (const unit of [...plan.ancestors, ...plan.points]) {
    await mkdir(path.join(dir, unit.dir), { recursive: true });
    const file = path.join(dir, unit.dir, 'config.json');
    if (!existsSync(file)) await writeFile(file, configText(unit));
  }
  const now = new Date().toISOString();
  return {
    version: 1,
    name: plan.name,
    spec,
    specFile,
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
    executor: previous?.executor ?? 'local',
    ...(previous?.local ? { local: previous.local } : {}),
    ...(previous?.slurm ? { slurm: previous.slurm } : {}),
    summary: countStates([]),
    ancestors: plan.ancestors.map(unitStatusBase),
    points: plan.points.map(unitStatusBase),
  };
}

const configText = (unit: SweepUnit) => JSON.stringify(unit.config, null, 1) + '\n';

/** What the unit's files say; `active` and `submittedArrayJob` come from the executor. */
export async function observeUnit(
  dir: string,
  unit: Pick<UnitStatus, 'dir'>,
  active: UnitObservation['active'],
  submittedArrayJob?: number,
): Promise<UnitObservation> {
  const runDir = path.join(dir, unit.dir);
  const attempts = parseAttempts(await readFile(path.join(runDir, 'attempts.jsonl'), 'utf8').catch(() => ''));
  const finished = await readFile(path.join(runDir, 'run.json'), 'utf8')
    .then((text) => JSON.parse(text).finished === true)
    .catch(() => false);
  const log = await readTail(path.join(runDir, 'evolve.log'), 64 * 1024);
  return { attempts, finished, log, active, ...(submittedArrayJob !== undefined ? { submittedArrayJob } : {}) };
}

async function readTail(file: string, bytes: number): Promise<string> {
  const handle = await open(file, 'r').catch(() => null);
  if (!handle) return '';
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

export interface ExecutorView {
  /** Queued or running right now, by unit folder. */
  active(unit: UnitStatus): UnitObservation['active'];
  /** The array job the unit was last handed to Slurm in. */
  submittedArrayJob?(unit: UnitStatus): number | undefined;
}

/** Re-derives every unit's status (ancestors first: a point's depends on its ancestor's). */
export async function refreshRecord(dir: string, record: SweepRecord, view: ExecutorView): Promise<SweepRecord> {
  const derive = async (u: UnitStatus, ancestor?: UnitStatus) =>
    deriveStatus(u, await observeUnit(dir, u, view.active(u), view.submittedArrayJob?.(u)), ancestor);
  const ancestors = await Promise.all(record.ancestors.map((u) => derive(u)));
  const byId = new Map(ancestors.map((a) => [a.id, a]));
  const points = await Promise.all(record.points.map((u) => derive(u, u.ancestor ? byId.get(u.ancestor) : undefined)));
  return {
    ...record,
    updatedAt: new Date().toISOString(),
    summary: countStates(points),
    ancestors,
    points,
  };
}

/** The line an attempt's starter appends to attempts.jsonl, and the log header before its output. */
export async function recordAttemptStart(dir: string, unit: Pick<UnitStatus, 'dir'>, start: AttemptStart) {
  await appendFile(path.join(dir, unit.dir, 'attempts.jsonl'), JSON.stringify(start) + '\n');
}

export async function recordAttemptEnd(dir: string, unit: Pick<UnitStatus, 'dir'>, end: AttemptEnd) {
  await appendFile(path.join(dir, unit.dir, 'attempts.jsonl'), JSON.stringify(end) + '\n');
}

interface Lock {
  pid: number;
  host: string;
  startedAt: string;
}

export const lockFile = (dir: string) => path.join(dir, 'sweep.lock');

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The local sweep that holds the folder, if it still runs on this machine. */
export async function liveLock(dir: string): Promise<Lock | null> {
  let lock: Lock;
  try {
    lock = JSON.parse(await readFile(lockFile(dir), 'utf8'));
  } catch {
    return null;
  }
  if (lock.host !== hostname())
    throw new SweepFolderError(
      `a local sweep on ${lock.host} (pid ${lock.pid}) holds ${dir}; if it is gone, remove ${lockFile(dir)}`,
    );
  return processAlive(lock.pid) ? lock : null;
}

export async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const held = await liveLock(dir);
  if (held)
    throw new SweepFolderError(
      `another sweep (pid ${held.pid}, started ${held.startedAt}) runs in ${dir}: wait for it, or stop it with npm run sweep -- --cancel ${dir}`,
    );
  await unlink(lockFile(dir)).catch(() => {});
  const lock: Lock = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  await writeFile(lockFile(dir), JSON.stringify(lock), { flag: 'wx' }).catch(() => {
    throw new SweepFolderError(`another sweep took ${dir} at the same moment; run one at a time`);
  });
  return () => unlink(lockFile(dir)).catch(() => {});
}
