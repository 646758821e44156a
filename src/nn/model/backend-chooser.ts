/**
 * `auto` measures instead of guessing: it starts every candidate backend, times a few training
 * steps of the run's own network on each (after one warm-up step) within a fixed time budget, and
 * keeps the fastest; the choice is cached per device and network shape. Pure: the backends, the
 * clock and the cache are handed in (backend-auto.ts wires tfjs), so tests drive it with fakes.
 */

import type { InputShape } from './gradient-peer';

/** The network a run trains, as far as its speed goes: what `auto` times. */
export interface MeasuredNetwork {
  input: InputShape;
  poolSize: number;
  /** TrainSettings without epochs (not imported: this module must stay free of tfjs, even of its types). */
  training: {
    batchSize: number;
    optimizer: 'adam' | 'sgd';
    learningRate: number;
    momentum: number;
    weightDecay: number;
  };
}

export const DEFAULT_MEASURED_NETWORK: MeasuredNetwork = {
  input: { height: 28, width: 28, channels: 1 },
  poolSize: 3,
  training: { batchSize: 64, optimizer: 'adam', learningRate: 1e-3, momentum: 0.9, weightDecay: 0 },
};

/** A backend that can be started and timed (backend-auto.ts: tfjs training the run's network). */
export interface MeasurableBackend {
  name: string;
  /** Helper Workers or threads that share its steps (wasm); 0 or absent: none. */
  helpers?: number;
  /** Makes it usable; rejects, saying why, when it cannot start. */
  start(): Promise<void>;
  /** One training step; resolves with the images it trained once its results are back. */
  step(): Promise<number>;
  /** Frees what the steps built (the backend itself stays started). */
  stop(): void;
}

/** One candidate's outcome. Exported with the run (EnvironmentInfo.backendSelection). */
export interface BackendTiming {
  backend: string;
  helpers?: number;
  /** Training images per second over the timed steps. Absent when it was not measured. */
  imagesPerSecond?: number;
  /** Timed steps and their seconds (the warm-up step excluded). */
  steps?: number;
  seconds?: number;
  /** The first step: kernel set-up and shader compilation, paid once. */
  warmUpSeconds?: number;
  /** Why it was not measured: it could not start, failed, or is known to be slower. */
  skipped?: string;
}

/** How `auto` chose the backend, for the page and run.json. */
export interface BackendSelection {
  /** measured now; taken from an earlier measurement on this device; or nothing to measure. */
  how: 'measured' | 'cached' | 'only-candidate';
  chosen: string;
  timings: BackendTiming[];
  /** When the numbers were measured (ISO 8601). */
  measuredAt?: string;
  /** The budget of the timed steps, in seconds. */
  budgetSeconds?: number;
  /** What the measurement is cached under: the device and the network shape. */
  key?: string;
  /** One line, e.g. "WebGPU 3,100 img/s vs wasm 2,400 img/s → WebGPU". */
  summary: string;
}

/** An earlier measurement, as stored (storage/backend-choices.ts holds it in IndexedDB). */
export interface CachedSelection {
  chosen: string;
  timings: BackendTiming[];
  measuredAt: string;
  budgetSeconds: number;
}

export interface SelectionCache {
  get(key: string): Promise<CachedSelection | undefined>;
  put(key: string, value: CachedSelection): Promise<void>;
}

export const DEFAULT_BUDGET_MS = 1500;

const DISPLAY: Record<string, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'wasm', cpu: 'cpu' };

/** "wasm + 1 helper", "WebGPU". */
export function backendLabel(backend: string, helpers = 0): string {
  const name = DISPLAY[backend] ?? backend;
  return helpers > 0 ? `${name} + ${helpers} helper${helpers > 1 ? 's' : ''}` : name;
}

/** 3100 → "3,100"; 5.4 → "5.4". */
export function formatRate(imagesPerSecond: number): string {
  return imagesPerSecond >= 100
    ? Math.round(imagesPerSecond).toLocaleString('en-US')
    : imagesPerSecond.toFixed(imagesPerSecond >= 10 ? 0 : 1);
}

/** "WebGPU 3,100 img/s vs wasm 2,400 img/s → WebGPU" (measured candidates, fastest first). */
export function summariseTimings(timings: readonly BackendTiming[], chosen: string): string {
  const measured = timings.filter((t) => t.imagesPerSecond !== undefined);
  const sorted = [...measured].sort((a, b) => b.imagesPerSecond! - a.imagesPerSecond!);
  const parts = sorted.map((t) => `${backendLabel(t.backend, t.helpers)} ${formatRate(t.imagesPerSecond!)} img/s`);
  return `${parts.join(' vs ')} → ${backendLabel(chosen)}`;
}

export interface MeasureOptions {
  /** Milliseconds for the timed steps of all candidates together. */
  budgetMs: number;
  /** A monotonic clock in milliseconds. */
  now(): number;
  /** Timed steps per candidate at most (a fast backend needs no more for a stable rate). */
  maxSteps?: number;
}

/**
 * Times each (started) candidate in turn: one warm-up step, then steps until one more would
 * overrun its share of the budget (an equal part, plus what the candidates before it left
 * unused). Every candidate gets at least one timed step, however long it takes, so a very slow
 * one can overrun its share by that step, and a later one keeps its own share all the same; the
 * warm-up steps are not counted (whichever wins pays its warm-up in the run anyway).
 */
export async function measureBackends(
  candidates: readonly MeasurableBackend[],
  o: MeasureOptions,
): Promise<BackendTiming[]> {
  const maxSteps = o.maxSteps ?? 50;
  const timings: BackendTiming[] = [];
  let unused = 0;
  for (const c of candidates) {
    const base = { backend: c.name, ...(c.helpers ? { helpers: c.helpers } : {}) };
    const share = o.budgetMs / candidates.length + unused;
    try {
      const w0 = o.now();
      await c.step();
      const warmUp = o.now() - w0;
      const t0 = o.now();
      let images = 0;
      let steps = 0;
      for (;;) {
        images += await c.step();
        steps++;
        const elapsed = o.now() - t0;
        if (steps >= maxSteps || elapsed + elapsed / steps > share) break;
      }
      const ms = o.now() - t0;
      unused = Math.max(0, share - ms);
      timings.push({
        ...base,
        imagesPerSecond: images / (Math.max(ms, 1e-3) / 1000),
        steps,
        seconds: ms / 1000,
        warmUpSeconds: warmUp / 1000,
      });
    } catch (e) {
      unused = share;
      timings.push({ ...base, skipped: `failed while being measured: ${messageOf(e)}` });
    } finally {
      c.stop();
    }
  }
  return timings;
}

/** The fastest measured candidate; on a tie the one listed first. Null if none was measured. */
export function fastest(timings: readonly BackendTiming[]): string | null {
  let best: BackendTiming | null = null;
  for (const t of timings)
    if (t.imagesPerSecond !== undefined && (!best || t.imagesPerSecond > best.imagesPerSecond!)) best = t;
  return best?.backend ?? null;
}

export interface ChooseOptions {
  /** The cache key: deviceKey() and networkKey() joined. */
  key: string;
  cache?: SelectionCache;
  budgetMs?: number;
  now(): number;
  /** The time of day as ISO 8601, for measuredAt. */
  date(): string;
  /** Called just before the timed steps begin (the page shows "choosing the fastest backend…"). */
  onMeasure?(names: string[]): void;
  /** Runs `fn` alone among the runs on this device (Web Locks), so that runs measure once and agree. */
  exclusive?<T>(fn: () => Promise<T>): Promise<T>;
  maxSteps?: number;
  /** A cached measurement older than this is taken again (browsers and drivers change). Default 30. */
  maxAgeDays?: number;
}

/** Thrown by chooseFastest when no candidate starts; the caller may try its fallbacks. */
export class NoCandidateStarted extends Error {
  constructor(readonly failed: BackendTiming[]) {
    super(`no candidate backend started: ${failed.map((t) => `${t.backend}: ${t.skipped}`).join('; ')}`);
    this.name = 'NoCandidateStarted';
  }
}

export interface Chosen {
  selection: BackendSelection;
  /** Candidates that could not start, with why. */
  failed: BackendTiming[];
}

/**
 * Starts the candidates and picks one: the only one that started; the cached choice for this key
 * (if it can start and is recent); or the fastest by measurement, which is then cached. `notMeasured` lists
 * backends left out on purpose (a CPU fallback adapter, a backend known to be far slower), for the
 * record. Throws if no candidate starts.
 */
export async function chooseFastest(
  candidates: readonly MeasurableBackend[],
  notMeasured: readonly BackendTiming[],
  o: ChooseOptions,
): Promise<Chosen> {
  const exclusive = o.exclusive ?? (<T>(fn: () => Promise<T>) => fn());
  return exclusive(async () => {
    const started: MeasurableBackend[] = [];
    const failed: BackendTiming[] = [];
    for (const c of candidates) {
      try {
        await c.start();
        started.push(c);
      } catch (e) {
        failed.push({ backend: c.name, skipped: `could not start: ${messageOf(e)}` });
      }
    }
    const left = [...failed, ...notMeasured];
    if (started.length === 0) throw new NoCandidateStarted(failed);
    if (started.length === 1) {
      const only = started[0].name;
      const why = left.map((t) => `${backendLabel(t.backend)}: ${t.skipped}`).join('; ');
      return {
        failed,
        selection: {
          how: 'only-candidate',
          chosen: only,
          timings: left,
          summary: `only ${backendLabel(only)} can run here, so there is nothing to measure${why ? ` (${why})` : ''}`,
        },
      };
    }
    const names = started.map((c) => c.name);
    const cached = await o.cache?.get(o.key).catch(() => undefined);
    const ageDays = cached ? (Date.parse(o.date()) - Date.parse(cached.measuredAt)) / 864e5 : Infinity;
    if (cached && names.includes(cached.chosen) && ageDays <= (o.maxAgeDays ?? 30)) {
      return {
        failed,
        selection: {
          how: 'cached',
          chosen: cached.chosen,
          timings: [...cached.timings, ...left],
          measuredAt: cached.measuredAt,
          budgetSeconds: cached.budgetSeconds,
          key: o.key,
          summary: `${summariseTimings(cached.timings, cached.chosen)} (measured ${cached.measuredAt.slice(0, 10)} on this device)`,
        },
      };
    }
    const budgetMs = o.budgetMs ?? DEFAULT_BUDGET_MS;
    o.onMeasure?.(names);
    const timings = await measureBackends(started, { budgetMs, now: o.now, maxSteps: o.maxSteps });
    const chosen = fastest(timings);
    if (!chosen)
      throw new Error(
        `no backend could be measured: ${timings.map((t) => `${t.backend}: ${t.skipped ?? 'not measured'}`).join('; ')}`,
      );
    const measured: CachedSelection = { chosen, timings, measuredAt: o.date(), budgetSeconds: budgetMs / 1000 };
    // A failed write costs only a measurement next time.
    await o.cache?.put(o.key, measured).catch(() => undefined);
    return {
      failed,
      selection: {
        how: 'measured',
        chosen,
        timings: [...timings, ...left],
        measuredAt: measured.measuredAt,
        budgetSeconds: measured.budgetSeconds,
        key: o.key,
        summary: summariseTimings(timings, chosen),
      },
    };
  });
}

/** What a device is, for the cache: its GPU adapter (if any) and its cores. */
export function deviceKey(d: {
  adapter?: { vendor?: string; architecture?: string; device?: string; description?: string } | null;
  cores?: number;
}): string {
  const a = d.adapter;
  const gpu = a ? [a.vendor, a.architecture, a.device, a.description].filter((s) => s).join('/') || 'unnamed' : 'none';
  return `gpu=${gpu};cores=${d.cores ?? '?'}`;
}

/** The network measured: its input, batch, pooling and optimizer, and the helpers that share its steps. */
export function networkKey(n: {
  input: { height: number; width: number; channels: number };
  batchSize: number;
  poolSize: number;
  optimizer: string;
  helpers?: number;
}): string {
  const { height, width, channels } = n.input;
  return `input=${height}x${width}x${channels};batch=${n.batchSize};pool=${n.poolSize};${n.optimizer};helpers=${n.helpers ?? 0}`;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
