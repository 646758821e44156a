/**
 * `auto` with tfjs: the candidates are WebGPU on a real (non-fallback) adapter and wasm (with the
 * run's helpers); each is timed training the run's own network (the ancestor, at the run's input,
 * batch, pooling and optimizer) on random pixels, which cost the same as real ones. If neither
 * starts, WebGL and then cpu are tried in order, unmeasured. backend-chooser.ts decides.
 */
import * as tf from '@tensorflow/tfjs';
import { initialiseGenome, lenetSpecs, LENET_CLASSES, Rng } from '../../evolution';
import type { ImageDataset } from '../../data/dataset';
import { probeWebGpu, tryBackend, type BackendAttempt, type GpuLike } from './backend';
import {
  chooseFastest,
  DEFAULT_MEASURED_NETWORK,
  deviceKey,
  NoCandidateStarted,
  networkKey,
  type BackendSelection,
  type BackendTiming,
  type ChooseOptions,
  type MeasurableBackend,
  type MeasuredNetwork,
  type SelectionCache,
} from './backend-chooser';
import type { GradientPeer, InputShape } from './gradient-peer';
import { range } from './layout';
import { MaskedNetwork } from './network';

/** Helpers that share wasm's steps in the run; started only if wasm is measured. */
export interface MeasuredHelpers {
  count: number;
  start(): Promise<GradientPeer[]>;
}

export type { MeasuredNetwork };

export interface AutoOptions {
  network?: MeasuredNetwork;
  helpers?: MeasuredHelpers;
  cache?: SelectionCache;
  budgetMs?: number;
  /** Shown while the candidates are timed. */
  onStage?(message: string): void;
  exclusive?: ChooseOptions['exclusive'];
  /** Replaces navigator.gpu (tests; null = no WebGPU). */
  gpu?: GpuLike | null;
  /** Cores of this device (navigator.hardwareConcurrency), for the cache key. */
  cores?: number;
  now?(): number;
  date?(): string;
}

export interface AutoChoice {
  backend: string;
  reason: string;
  tried: BackendAttempt[];
  selection: BackendSelection;
  /** The helpers started for measuring wasm, when wasm was chosen: the run keeps them. */
  helpers?: GradientPeer[];
}

/** cpu is never timed: at 1–3 images/s (PLATFORM.md) one step of batch 64 alone would take half a minute. */
const CPU_NOT_MEASURED: BackendTiming = {
  backend: 'cpu',
  skipped: 'not measured: plain JavaScript trains about 100× slower than wasm; used only if wasm cannot start',
};

/** Exported for its test; chooseAutoBackend makes them. */
export class TfjsCandidate implements MeasurableBackend {
  private net: MaskedNetwork | null = null;
  private data: ImageDataset | null = null;
  private readonly rng = new Rng(1);
  peers: GradientPeer[] | null = null;
  readonly helpers: number;

  constructor(
    readonly name: 'webgpu' | 'wasm',
    private readonly network: MeasuredNetwork,
    private readonly gpu: GpuLike | null | undefined,
    private readonly helperStarter?: MeasuredHelpers,
  ) {
    this.helpers = name === 'wasm' ? (helperStarter?.count ?? 0) : 0;
  }

  async start(): Promise<void> {
    const attempt = await tryBackend(this.name, false, this.gpu);
    if (!attempt.ok) throw new Error(attempt.why);
  }

  async step(): Promise<number> {
    if (!this.net) {
      // Every candidate was started; the one timed now must be the active one.
      if (tf.getBackend() !== this.name && !(await tf.setBackend(this.name)))
        throw new Error(`tf.setBackend('${this.name}') failed`);
      if (this.helpers > 0 && !this.peers) this.peers = await this.helperStarter!.start();
      const { input, poolSize } = this.network;
      const genome = initialiseGenome(lenetSpecs(input.channels), LENET_CLASSES, new Rng(1));
      this.net = MaskedNetwork.fromGenome(genome, input, { poolSize });
      this.data = randomImages(this.network.training.batchSize, input);
    }
    const batch = this.network.training.batchSize;
    const r = await this.net.train(this.data!, range(batch), { ...this.network.training, epochs: 1 }, this.rng, {
      peers: this.peers ?? [],
    });
    return r.images;
  }

  stop(): void {
    this.net?.dispose();
    this.net = null;
    this.data = null;
  }
}

function randomImages(count: number, input: InputShape): ImageDataset {
  const rng = new Rng(7);
  const pixels = new Uint8Array(count * input.height * input.width * input.channels);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(256);
  return {
    name: 'measurement',
    split: 'train',
    count,
    ...input,
    pixels,
    labels: Uint8Array.from({ length: count }, (_, i) => i % LENET_CLASSES),
    classNames: Array.from({ length: LENET_CLASSES }, (_, i) => String(i)),
  };
}

/**
 * Picks and activates the backend for `auto`: measured among the candidates that start (or the
 * cached measurement for this device and network), else the first fallback that starts.
 */
export async function chooseAutoBackend(o: AutoOptions = {}): Promise<AutoChoice> {
  const network = o.network ?? DEFAULT_MEASURED_NETWORK;
  const probe = await probeWebGpu(o.gpu);
  const candidates: TfjsCandidate[] = [];
  const notMeasured: BackendTiming[] = [];
  if (probe.usable) candidates.push(new TfjsCandidate('webgpu', network, o.gpu));
  else notMeasured.push({ backend: 'webgpu', skipped: probe.why });
  const wasm = new TfjsCandidate('wasm', network, o.gpu, o.helpers);
  candidates.push(wasm);
  notMeasured.push(CPU_NOT_MEASURED);

  const key = `${deviceKey({ adapter: probe.usable ? probe.adapter : null, cores: o.cores })};${networkKey({
    input: network.input,
    batchSize: network.training.batchSize,
    poolSize: network.poolSize,
    optimizer: network.training.optimizer,
    helpers: wasm.helpers,
  })}`;
  let chosen;
  try {
    chosen = await chooseFastest(candidates, notMeasured, {
      key,
      cache: o.cache,
      budgetMs: o.budgetMs,
      now: o.now ?? (() => performance.now()),
      date: o.date ?? (() => new Date().toISOString()),
      exclusive: o.exclusive,
      onMeasure: (names) =>
        o.onStage?.(`Choosing the fastest backend: timing a few training steps on ${names.join(' and ')}…`),
    });
  } catch (e) {
    if (!(e instanceof NoCandidateStarted)) throw e;
    const before = [
      ...(probe.usable ? [] : [{ backend: 'webgpu', ok: false, why: probe.why }]),
      ...e.failed.map((t) => ({ backend: t.backend, ok: false, why: t.skipped ?? 'did not start' })),
    ];
    return fallback(before);
  }
  const { selection, failed } = chosen;
  const attempt = await tryBackend(selection.chosen as 'webgpu' | 'wasm', false, o.gpu);
  if (!attempt.ok) throw new Error(`${selection.chosen} was chosen but did not start again: ${attempt.why}`);
  const keepHelpers = selection.chosen === 'wasm' && wasm.peers ? wasm.peers : undefined;
  if (!keepHelpers) for (const p of wasm.peers ?? []) p.dispose();
  const tried: BackendAttempt[] = [
    ...(probe.usable ? [] : [{ backend: 'webgpu', ok: false, why: probe.why }]),
    ...candidates.map((c) => {
      const f = failed.find((t) => t.backend === c.name);
      return { backend: c.name, ok: !f, why: f?.skipped ?? 'started' };
    }),
  ];
  const reason =
    selection.how === 'measured'
      ? `fastest measured: ${selection.summary}`
      : selection.how === 'cached'
        ? `fastest measured earlier: ${selection.summary}`
        : selection.summary;
  return { backend: selection.chosen, reason, tried, selection, ...(keepHelpers ? { helpers: keepHelpers } : {}) };
}

/** Neither WebGPU nor wasm started: WebGL, then cpu, unmeasured. */
async function fallback(before: BackendAttempt[]): Promise<AutoChoice> {
  const tried = [...before];
  for (const name of ['webgl', 'cpu'] as const) {
    const a = await tryBackend(name, false);
    tried.push(a);
    if (a.ok) {
      const failures = tried.filter((t) => !t.ok);
      const summary = `${failures.map((t) => `${t.backend}: ${t.why}`).join('; ')} → using ${name}`;
      return {
        backend: name,
        reason: summary,
        tried,
        selection: {
          how: 'only-candidate',
          chosen: name,
          timings: failures.map((t) => ({ backend: t.backend, skipped: t.why })),
          summary,
        },
      };
    }
  }
  throw new Error(`no tfjs backend could be started: ${tried.map((t) => `${t.backend}: ${t.why}`).join('; ')}`);
}
