/**
 * The lab's state and the pure reducers that fold Worker events into it. The zustand store
 * (store.ts) holds this; keeping the reducers pure makes them testable without a browser.
 */
import type { RunConfig } from '../experiment/config';
import type { DataSummary } from '../experiment/datasets';
import type { ConfigChange, EnvironmentInfo, NetworkRecord } from '../experiment/records';
import type {
  AncestorSource,
  BackendSelection,
  LossPoint,
  ProgressEvent,
  Stage,
  WorkerEvent,
} from '../worker/protocol';
import { ancestorKey, checkpointKey } from '../worker/protocol';
import { secondsLeft, totalUnits, unitsDone, type RateSample } from './eta';
import { downsample } from './series';
import type { LabSetup, RunVariant } from './setup';

export type RunStatus =
  | 'ready' // configured, never started
  | 'starting' // Worker preparing: backend, data, ancestor
  | 'waiting' // prepared, waiting for the shared ancestor
  | 'running'
  | 'paused'
  | 'stopping' // will stop after this generation
  | 'stopped' // stopped after a generation; can resume
  | 'completed'
  | 'interrupted' // the page was reloaded or closed mid-run; can resume
  | 'error';

export interface RunState {
  id: string;
  variant: RunVariant;
  label: string;
  colour: string;
  config: RunConfig;
  status: RunStatus;
  stage: { stage: Stage; message: string; done?: number; total?: number } | null;
  backend: { backend: string; reason: string; tried: string[]; selection?: BackendSelection } | null;
  environment: EnvironmentInfo | null;
  ancestor: { synapses: number; kernels: number } | null;
  /** The images the run learns from (shape, classes), as its Worker read them; null until it reports. */
  data: DataSummary | null;
  records: NetworkRecord[];
  configChanges: ConfigChange[];
  /** Highest generation whose checkpoint is stored (0 = none): resume starts after it. */
  storedGeneration: number;
  /** Highest generation whose records are saved in this browser's session store (survives a reload). */
  savedGeneration: number;
  /** Whether this run trains the shared ancestor itself (for the time-left estimate). */
  trainsAncestor: boolean;
  progress: ProgressEvent | null;
  /** Training loss of the network in training now. */
  loss: { key: string; points: LossPoint[] };
  rate: RateSample | null;
  etaSeconds: number | null;
  error: string | null;
  /** Waiting for its turn on the CPU (Workers take turns so that the page keeps a core). */
  waitingForCpu: boolean;
}

/** What is kept in IndexedDB: everything but the transient progress. */
export type StoredRun = Omit<RunState, 'progress' | 'loss' | 'rate' | 'etaSeconds' | 'stage' | 'waitingForCpu'>;

export interface StoredSession {
  id: string;
  setup: LabSetup;
  runs: StoredRun[];
  ancestorStored: boolean;
  savedAt: string;
  /** The name the person gave it in the Saved sessions list (absent: none). */
  name?: string;
}

export const ACTIVE: readonly RunStatus[] = ['starting', 'waiting', 'running', 'paused', 'stopping'];
export const isActive = (s: RunStatus) => ACTIVE.includes(s);

export function newRun(id: string, variant: RunVariant, label: string, colour: string, config: RunConfig): RunState {
  return {
    id,
    variant,
    label,
    colour,
    config,
    status: 'ready',
    stage: null,
    backend: null,
    environment: null,
    ancestor: null,
    data: null,
    records: [],
    configChanges: [],
    storedGeneration: 0,
    savedGeneration: 0,
    trainsAncestor: false,
    progress: null,
    loss: { key: '', points: [] },
    rate: null,
    etaSeconds: null,
    error: null,
    waitingForCpu: false,
  };
}

const MAX_LOSS_POINTS = 240;

function mergeRecords(existing: NetworkRecord[], incoming: readonly NetworkRecord[]): NetworkRecord[] {
  const key = (r: NetworkRecord) => `${r.generation}/${r.individual}`;
  const map = new Map(existing.map((r) => [key(r), r]));
  for (const r of incoming) map.set(key(r), r);
  return [...map.values()].sort((a, b) => a.generation - b.generation || a.individual - b.individual);
}

/** Folds one Worker event into a run's state (`now` in ms, for the time-left estimate). */
export function reduceRun(run: RunState, ev: WorkerEvent, now: number): RunState {
  switch (ev.type) {
    case 'stage':
      return {
        ...run,
        stage: { stage: ev.stage, message: ev.message, done: ev.done, total: ev.total },
        status:
          ev.stage === 'ancestor' && ev.message.startsWith('Waiting')
            ? 'waiting'
            : run.status === 'ready'
              ? 'starting'
              : run.status,
      };
    case 'backend':
      return {
        ...run,
        backend: {
          backend: ev.backend,
          reason: ev.reason,
          tried: ev.tried,
          ...(ev.selection ? { selection: ev.selection } : {}),
        },
      };
    case 'checkpoint':
      return {
        ...run,
        records: mergeRecords(run.records, ev.report.records),
        configChanges: ev.report.configChanges,
        ancestor: ev.report.ancestor,
        data: ev.report.data ?? run.data,
        environment: run.environment ?? ev.report.environment,
        storedGeneration: ev.stored ? Math.max(run.storedGeneration, ev.generation) : run.storedGeneration,
      };
    case 'done':
      return {
        ...run,
        records: mergeRecords(run.records, ev.report.records),
        configChanges: ev.report.configChanges,
        ancestor: ev.report.ancestor,
        data: ev.report.data ?? run.data,
        config: ev.report.config,
        status: ev.report.finished ? 'completed' : 'stopped',
        progress: null,
        stage: null,
        etaSeconds: null,
      };
    case 'error':
      return { ...run, status: 'error', error: ev.message, stage: null };
    case 'run':
      return reduceRunEvent(run, ev, now);
    default:
      return run;
  }
}

function reduceRunEvent(
  run: RunState,
  { event, losses }: Extract<WorkerEvent, { type: 'run' }>,
  now: number,
): RunState {
  switch (event.type) {
    case 'started':
      // A run paused before its runner existed stays paused (its 'paused' came first); one that
      // goes on after a lost GPU device stays paused or stopping.
      return {
        ...run,
        status: run.status === 'paused' || run.status === 'stopping' ? run.status : 'running',
        config: event.config,
        environment: event.environment,
        rate: null,
        etaSeconds: null,
      };
    case 'progress': {
      const key = `${event.generation}/${event.individual}`;
      const points = key === run.loss.key ? run.loss.points.concat(losses ?? []) : (losses ?? []).slice();
      const total = totalUnits(run.config, run.trainsAncestor);
      const done = unitsDone(run.config, run.trainsAncestor, event);
      // Measure the rate from the first training batch of this session (start-up is not work).
      const rate = run.rate ?? (event.phase === 'train' ? { t0: now, u0: done } : null);
      return {
        ...run,
        progress: event,
        stage: null,
        loss: { key, points: points.length > MAX_LOSS_POINTS * 2 ? downsample(points, MAX_LOSS_POINTS) : points },
        rate,
        etaSeconds: secondsLeft(rate, now, done, total) ?? run.etaSeconds,
      };
    }
    case 'generation':
      return { ...run, records: mergeRecords(run.records, event.records) };
    case 'config-changed': {
      const { type: _t, config, ...change } = event;
      return {
        ...run,
        config,
        configChanges: run.configChanges.some((c) => c.generation === change.generation)
          ? run.configChanges.map((c) => (c.generation === change.generation ? change : c))
          : [...run.configChanges, change],
      };
    }
    case 'paused':
      return { ...run, status: 'paused' };
    case 'resumed':
      return { ...run, status: run.status === 'stopping' ? 'stopping' : 'running' };
    case 'finished':
      return {
        ...run,
        status: event.reason === 'completed' ? 'completed' : 'stopped',
        progress: null,
        etaSeconds: null,
      };
    default:
      return run;
  }
}

/** After a reload, a run that was going is "interrupted": its stored checkpoint is where it resumes. */
export function restoreRun(stored: StoredRun): RunState {
  const base = newRun(stored.id, stored.variant, stored.label, stored.colour, stored.config);
  // What was read back from the store is saved, whatever the counter said when it was written.
  const savedGeneration = Math.max(stored.savedGeneration ?? 0, ...stored.records.map((r) => r.generation));
  return { ...base, ...stored, savedGeneration, status: isActive(stored.status) ? 'interrupted' : stored.status };
}

export function toStored(run: RunState): StoredRun {
  const { progress: _p, loss: _l, rate: _r, etaSeconds: _e, stage: _s, waitingForCpu: _w, ...rest } = run;
  return rest;
}

/** Runs that are not finished and can be (re)started. */
export const resumable = (run: RunState, generations: number) =>
  run.status === 'ready' ||
  run.status === 'stopped' ||
  run.status === 'interrupted' ||
  run.status === 'error' ||
  (run.status === 'completed' && run.config.generations < generations);

/**
 * Where each run to start gets generation 1 from. All runs must share one ancestor: its own
 * checkpoint if it has one; else the stored shared ancestor; else the shipped one; else the first
 * run trains it and the others wait for it.
 */
export function planAncestors(
  runs: readonly Pick<RunState, 'id' | 'storedGeneration'>[],
  { sessionId, ancestorStored, shippedUrl }: { sessionId: string; ancestorStored: boolean; shippedUrl: string | null },
): Map<string, AncestorSource> {
  const plan = new Map<string, AncestorSource>();
  let trainer = false;
  for (const run of runs) {
    if (run.storedGeneration >= 1) plan.set(run.id, { kind: 'stored', key: checkpointKey(run.id) });
    else if (ancestorStored) plan.set(run.id, { kind: 'stored', key: ancestorKey(sessionId) });
    else if (shippedUrl) plan.set(run.id, { kind: 'url', url: shippedUrl });
    else if (!trainer) {
      trainer = true;
      plan.set(run.id, { kind: 'train', storeAs: ancestorKey(sessionId) });
    } else plan.set(run.id, { kind: 'wait' });
  }
  return plan;
}
