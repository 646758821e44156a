/**
 * What a run Worker does with the page's commands: picks the backend, loads the dataset, obtains
 * the ancestor, and drives the experiment runner, reporting through the typed protocol. Everything
 * it talks to is handed in (run.worker.ts wires the real ones), so it is tested without a browser,
 * tfjs or a clock.
 */
import { ConfigError, type BackendPreference, type DatasetName, type RunConfig } from '../experiment/config';
import { datasetTitle, isFolderKind, type FolderDatasetKind } from '../experiment/datasets';
import { packGeneration, unpackGeneration } from '../experiment/genome-history';
import type { Genome } from '../evolution';
import type { RegisteredName } from '../data/registry';
import type { RunData } from '../experiment/run-data';
import type { BackendChoice, StartBackendOptions } from '../experiment/environment';
import { measuredNetwork } from '../experiment/backend-network';
import type { Checkpoint, EnvironmentInfo, NetworkRecord, RunEvent, RunReport } from '../experiment/records';
import type { LiveSettings, RunnerOptions } from '../experiment/runner';
import type { DataSource, ImageDataset, LoadProgress, Split } from '../data';
import { DatasetError } from '../data/errors';
import type { GradientPeer } from '../nn/model/gradient-peer';
import type { KeyValueStorage } from '../storage/idb';
import {
  checkpointKey,
  genomesKey,
  type AncestorSource,
  type DataSpec,
  type DroppedFolder,
  type ErrorKind,
  type ExportedFile,
  type ExportSummary,
  type FileCheck,
  type WorkerCommand,
  type WorkerEvent,
} from './protocol';
import { CpuShare } from './cpu-share';
import { startingCheckpoint } from './starting-checkpoint';
import { ProgressThrottle } from './throttle';

/** What the controller needs of the experiment runner (experiment/runner.ts). */
export interface ControllableRunner {
  pause(): void;
  resume(): void;
  step(): void;
  stopAfterGeneration(): void;
  changeSettings(patch: LiveSettings): void;
  run(): Promise<RunReport>;
}

export interface RunControllerDeps {
  /** Sends an event to the page. */
  post(event: WorkerEvent): void;
  backend: {
    start(preference: BackendPreference, options: StartBackendOptions): Promise<BackendChoice>;
    /** Where the run runs, for run.json (`threads` counts this Worker and its peers). */
    describe(choice: BackendChoice, threads: number): EnvironmentInfo;
  };
  /** Helper Workers on other cores; may reject (the run then trains on one core). */
  startPeers(count: number, backend: BackendPreference, wasmBaseUrl: string): Promise<GradientPeer[]>;
  data: {
    source(spec: DataSpec): DataSource;
    load(
      dataset: RegisteredName,
      split: Split,
      source: DataSource,
      onProgress: (p: LoadProgress) => void,
    ): Promise<ImageDataset>;
    /** An IDX or image-folder dataset from a dropped folder or zip (files.ts: decoded in this Worker). */
    openFolder(
      dataset: FolderDatasetKind,
      folder: DroppedFolder | null | undefined,
      onProgress: (p: LoadProgress) => void,
    ): Promise<RunData>;
    check(dataset: RegisteredName, file: File): Promise<FileCheck>;
    checkFolder(dataset: FolderDatasetKind, folder: DroppedFolder): Promise<WorkerEvent>;
  };
  /** A network as TensorFlow.js files, with their size and speed (model-files.ts). */
  exportNetwork(
    genome: Genome,
    record: NetworkRecord,
    run: Extract<WorkerCommand, { type: 'export-model' }>['run'],
  ): Promise<{ files: ExportedFile[]; summary: ExportSummary }>;
  storage: KeyValueStorage;
  fetch(url: string): Promise<Response>;
  createRunner(config: RunConfig, options: RunnerOptions): ControllableRunner;
  /** Milliseconds on a monotonic clock (performance.now). */
  now(): number;
  /** Resolves after the messages already queued for this Worker have run (macrotask.ts). */
  macrotask(): Promise<void>;
  /** Resolves after `ms` milliseconds (setTimeout); used only to wait for a GPU device's loss to be confirmed. */
  delay(ms: number): Promise<void>;
  /** Where a non-fatal problem is reported (console.warn). */
  warn(message: string): void;
}

type StartCommand = Extract<WorkerCommand, { type: 'start' }>;

/** How long an error on webgpu waits for the device's `lost` before it is reported as an error. */
const LOSS_CONFIRMATION_MS = 5000;

/** What a stretch of a run starts from: its settings, checkpoint, environment and helpers. */
interface RunLeg {
  /** The backend it runs on. */
  backend: string;
  config: RunConfig;
  checkpoint?: Checkpoint;
  environment: EnvironmentInfo;
  peers: GradientPeer[];
}

export class RunController {
  private runner: ControllableRunner | null = null;
  /** Commands that arrive before the runner exists (e.g. pause during data loading) are replayed. */
  private pending: WorkerCommand[] = [];
  private ancestorArrived: ((source: AncestorSource) => void) | null = null;
  private started = false;
  private readonly cpu: CpuShare;
  /** Control commands given to the runner so far: replayed to the runner that takes over after a device loss. */
  private forwarded: WorkerCommand[] = [];
  /** The stretch of the run going on now (a lost device ends one); events of older ones are dropped. */
  private leg: object | null = null;
  private data: { train: ImageDataset; test: ImageDataset } | null = null;

  constructor(private readonly deps: RunControllerDeps) {
    this.cpu = new CpuShare(deps.post, deps.now, deps.macrotask);
  }

  handle(cmd: WorkerCommand): void {
    const { post } = this.deps;
    switch (cmd.type) {
      case 'start':
        if (this.started)
          return post({
            type: 'error',
            kind: 'internal',
            message: 'this Worker already runs a run; start a new Worker',
          });
        this.started = true;
        void this.start(cmd).catch((err) => post({ type: 'error', kind: classify(err), message: describe(err) }));
        return;
      case 'ancestor':
        if (this.ancestorArrived) this.ancestorArrived(cmd.source);
        else this.pending.push(cmd);
        return;
      case 'grant':
        return this.cpu.grant(cmd.sliceMs);
      case 'check-files':
        void Promise.all(cmd.files.map((f) => this.deps.data.check(cmd.dataset, f))).then((results) =>
          post({ type: 'files-checked', results }),
        );
        return;
      case 'check-folder':
        void this.deps.data
          .checkFolder(cmd.dataset, cmd.folder)
          .then(post, (err) => post({ type: 'folder-checked', ok: false, message: describe(err) }));
        return;
      case 'export-model':
        void this.exportModel(cmd).catch((err) => post({ type: 'export-failed', message: describe(err) }));
        return;
      default:
        if (this.runner) {
          this.forwarded.push(cmd);
          control(this.runner, cmd);
        } else this.pending.push(cmd);
    }
  }

  private async start(cmd: StartCommand): Promise<void> {
    const { post, backend } = this.deps;
    const { config, runId } = cmd;
    this.cpu.share(cmd.shareCpu ?? false);
    if (cmd.shareCpu)
      post({
        type: 'stage',
        stage: 'backend',
        message: 'Waiting for a free core (runs take turns so that the page stays responsive)…',
      });
    await this.cpu.acquire();
    post({ type: 'stage', stage: 'backend', message: startingMessage(config.backend) });
    const helpers = cmd.peers ?? 0;
    const choice = await backend
      .start(config.backend, {
        wasmBaseUrl: cmd.wasmBaseUrl,
        // `auto` times the run's own network, on wasm with the helpers it would have.
        network: measuredNetwork(config),
        ...(helpers > 0
          ? { helpers: { count: helpers, start: () => this.deps.startPeers(helpers, 'wasm', cmd.wasmBaseUrl) } }
          : {}),
        onStage: (message) => post({ type: 'stage', stage: 'backend', message }),
      })
      .catch((err) => {
        throw Object.assign(new Error(`could not start a compute backend: ${describe(err)}`), {
          kind: 'backend' as ErrorKind,
        });
      });
    post({
      type: 'backend',
      backend: choice.backend,
      reason: choice.reason,
      tried: choice.tried ?? [],
      preference: config.backend,
      ...(choice.selection ? { selection: choice.selection } : {}),
    });
    const peers = choice.helpers ?? (await this.startGradientPeers(helpers, choice.backend, cmd.wasmBaseUrl));

    await this.loadData(config.dataset, cmd.data);
    const ancestor = cmd.ancestor.kind === 'wait' ? await this.waitForAncestor() : cmd.ancestor;
    const checkpoint = await startingCheckpoint(ancestor, config, this.deps);
    // The generation the run starts from is kept with the ones it makes, for export.
    if (checkpoint) await this.storeGenomes(runId, checkpoint);

    // A run resumed from its own checkpoint keeps the settings it had (incl. changes made while it
    // ran); what the person changed since then goes through changeSettings, so it is recorded.
    const own =
      checkpoint &&
      checkpoint.config.mode === config.mode &&
      ancestor.kind === 'stored' &&
      ancestor.key === checkpointKey(runId);
    const runConfig: RunConfig = own ? { ...checkpoint.config, generations: config.generations } : config;
    const environment = backend.describe(choice, 1 + peers.length);
    // Show what the run starts from (the shared ancestor, or its own generations) at once.
    if (checkpoint)
      post({
        type: 'checkpoint',
        generation: checkpoint.generation,
        report: reportOf({ ...checkpoint, config: runConfig }, false),
        stored: !!own,
      });
    const throttle = new ProgressThrottle(1000 / (cmd.progressPerSecond ?? 8), this.deps.now);
    post({ type: 'stage', stage: 'warm-up', message: warmUpMessage(choice.backend) });

    const storeAs = ancestor.kind === 'train' ? ancestor.storeAs : null;
    const leg: RunLeg = {
      backend: choice.backend,
      config: runConfig,
      checkpoint: checkpoint ?? undefined,
      environment: checkpoint && own ? checkpoint.environment : environment,
      peers,
    };
    if (cmd.live) this.forwarded.push({ type: 'change-settings', patch: cmd.live });
    // A run handed its ancestor (shipped, or trained by another run) has that as its generation 1:
    // a "Next generation" asked for before it began is that one, so it pauses before generation 2.
    const handed = !!checkpoint && !own;
    for (const c of this.pending) this.forwarded.push(handed && c.type === 'step' ? { type: 'pause' } : c);
    this.pending = [];
    // --- device loss (issue 21): a lost WebGPU device continues on wasm from the last checkpoint.
    let lost = choice.lost;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.runLeg(leg, { runId, storeAs, throttle, lost, attempt });
      if (outcome.kind === 'done') return post({ type: 'done', report: outcome.report });
      const next = await this.fallBackToWasm(outcome, leg, cmd, config.backend);
      Object.assign(leg, next);
      lost = undefined;
    }
  }

  /**
   * Runs one stretch of the run on one backend. It ends with the report, or, if `lost` resolves
   * (the GPU device is gone), with the checkpoint to continue from; the abandoned runner's
   * events are dropped from then on and its next batch boundary throws.
   */
  private async runLeg(
    leg: RunLeg,
    o: { runId: string; storeAs: string | null; throttle: ProgressThrottle; lost?: Promise<string>; attempt: number },
  ): Promise<{ kind: 'done'; report: RunReport } | { kind: 'lost'; why: string; resumeFrom: RunLeg }> {
    const { post } = this.deps;
    const token = {};
    this.leg = token;
    const current = () => this.leg === token;
    let resumeFrom: RunLeg = { ...leg };
    const emit = (event: RunEvent) => {
      if (!current()) return;
      // A paused run gives its core back, so that a run still stepping is never left waiting for it.
      if (event.type === 'paused') this.cpu.pause();
      else if (event.type === 'resumed') this.cpu.resume();
      if (event.type === 'progress') {
        const out = o.throttle.offer(event);
        if (out) post({ type: 'run', event: out.event, losses: out.losses });
      } else post({ type: 'run', event });
    };
    let why: string | null = null;
    const lostNow = o.lost?.then((w) => (why = w));
    const runner = this.deps.createRunner(leg.config, {
      train: this.data!.train,
      test: this.data!.test,
      environment: leg.environment,
      checkpoint: leg.checkpoint,
      emit,
      yieldToHost: async () => {
        if (!current() || why !== null) throw new Error(`the GPU device was lost: ${why ?? 'abandoned'}`);
        await this.cpu.yieldToHost();
      },
      peers: leg.peers,
      // Timing each network's export on webgpu lost SwiftShader's device (Chromium 156, issue 20):
      // records of a webgpu stretch carry no export size or speed; the run card's export measures it.
      measureExport: leg.backend !== 'webgpu',
      onCheckpoint: async (c) => {
        if (!current()) return;
        resumeFrom = { ...leg, config: c.config, checkpoint: c, environment: c.environment };
        await this.storeGenomes(o.runId, c);
        const stored = await this.store(checkpointKey(o.runId), c);
        if (o.storeAs && c.generation === 1 && (await this.store(o.storeAs, c)))
          post({ type: 'ancestor-ready', key: o.storeAs });
        post({ type: 'checkpoint', generation: c.generation, report: reportOf(c, false), stored });
      },
    });
    this.runner = runner;
    if (o.attempt === 0) for (const c of this.forwarded) control(runner, c);
    else replaySettled(runner, this.forwarded);
    const running = runner.run();
    if (!lostNow) return { kind: 'done', report: await running };
    // A lost device shows up as the device's `lost` promise, as a failed read, or both, in either order.
    const first = await Promise.race([
      running.then(
        (report) => ({ report }),
        (error: unknown) => ({ error }),
      ),
      lostNow.then(() => ({ lost: true })),
    ]);
    if ('report' in first) return { kind: 'done', report: first.report };
    if ('error' in first) {
      // A failed read can come before `lost`, which crosses from the GPU process (slowly on a
      // loaded machine): an error on webgpu waits a little for it before it counts as an error.
      await Promise.race([lostNow, this.deps.delay(LOSS_CONFIRMATION_MS)]);
      if (why === null) throw first.error;
    }
    this.leg = null;
    running.catch(() => {}); // the abandoned runner ends at its next batch boundary
    return { kind: 'lost', why: why!, resumeFrom };
  }

  /** Starts wasm in place of a lost WebGPU device and says so; the run goes on from `resumeFrom`. */
  private async fallBackToWasm(
    lost: { why: string; resumeFrom: RunLeg },
    leg: RunLeg,
    cmd: StartCommand,
    preference: BackendPreference,
  ): Promise<RunLeg> {
    const { post, backend } = this.deps;
    const from = lost.resumeFrom;
    const after = from.checkpoint?.generation ?? 0;
    const where = after ? `generation ${after}'s checkpoint` : 'the start (no generation had finished)';
    post({
      type: 'stage',
      stage: 'backend',
      message: `The GPU device was lost (${lost.why}); continuing on wasm from ${where}…`,
    });
    const wasm = await backend.start('wasm', { wasmBaseUrl: cmd.wasmBaseUrl }).catch((err) => {
      throw Object.assign(new Error(`the GPU device was lost (${lost.why}) and wasm did not start: ${describe(err)}`), {
        kind: 'backend' as ErrorKind,
      });
    });
    const reason = `the WebGPU device was lost (${lost.why}); continued on ${wasm.backend} from ${where}`;
    post({ type: 'backend', backend: wasm.backend, reason, tried: wasm.tried ?? [], preference });
    for (const p of leg.peers) p.dispose();
    const peers = await this.startGradientPeers(cmd.peers ?? 0, wasm.backend, cmd.wasmBaseUrl);
    const now = backend.describe(wasm, 1 + peers.length);
    const environment: EnvironmentInfo = {
      ...from.environment,
      backend: now.backend,
      backendReason: reason,
      threads: now.threads,
      wasmKernels: now.wasmKernels,
      backendChanges: [
        ...(from.environment.backendChanges ?? []),
        { afterGeneration: after, from: leg.backend, to: now.backend, reason: lost.why },
      ],
    };
    if (!now.wasmKernels) delete environment.wasmKernels;
    return { ...from, backend: now.backend, environment, peers };
  }

  private async loadData(dataset: DatasetName, spec: DataSpec): Promise<{ train: ImageDataset; test: ImageDataset }> {
    this.data = await this.readData(dataset, spec);
    return this.data;
  }

  private async readData(dataset: DatasetName, spec: DataSpec): Promise<{ train: ImageDataset; test: ImageDataset }> {
    const { post, data } = this.deps;
    if (isFolderKind(dataset)) {
      const name = spec.folder?.name ?? datasetTitle(dataset);
      post({ type: 'stage', stage: 'data', message: `Reading ${name}` });
      return data.openFolder(dataset, spec.folder, (p) =>
        post({ type: 'stage', stage: 'data', message: `Reading ${name}: ${p.file}`, done: p.done, total: p.total }),
      );
    }
    const name = datasetTitle(dataset);
    const source = data.source(spec);
    const load = (split: 'train' | 'test', offset: number): Promise<ImageDataset> =>
      data.load(dataset, split, source, (p) =>
        post({
          type: 'stage',
          stage: 'data',
          message: `Loading ${name}: ${p.file}`,
          done: offset + p.done,
          total: 2 * p.total,
        }),
      );
    post({ type: 'stage', stage: 'data', message: `Loading ${name} from ${source.describe()}` });
    const train = await load('train', 0);
    const test = await load('test', train.count ? 1 : 0);
    return { train, test };
  }

  /** Prepared, this run waits (without holding a core) for the ancestor another run trains. */
  private async waitForAncestor(): Promise<AncestorSource> {
    this.cpu.release();
    this.deps.post({
      type: 'stage',
      stage: 'ancestor',
      message: 'Waiting for the shared ancestor (trained by the first run)…',
    });
    const queued = this.pending.find((c) => c.type === 'ancestor');
    this.pending = this.pending.filter((c) => c.type !== 'ancestor');
    const source =
      queued && queued.type === 'ancestor'
        ? queued.source
        : await new Promise<AncestorSource>((r) => (this.ancestorArrived = r));
    this.ancestorArrived = null;
    return source;
  }

  /** Peers help on wasm and cpu only (a GPU backend has its own parallelism); failing to start them is not fatal. */
  private async startGradientPeers(count: number, backend: string, wasmBaseUrl: string): Promise<GradientPeer[]> {
    if (count < 1 || (backend !== 'wasm' && backend !== 'cpu')) return [];
    this.deps.post({
      type: 'stage',
      stage: 'backend',
      message: `Starting ${count} helper Worker${count > 1 ? 's' : ''} for the other cores`,
    });
    try {
      return await this.deps.startPeers(count, backend, wasmBaseUrl);
    } catch (err) {
      this.deps.warn(`training on one core: the helper Workers did not start (${describe(err)})`);
      return [];
    }
  }

  /** The generation's networks, packed (a few kB each once evolved), so that any can be exported later. */
  private async storeGenomes(runId: string, c: Checkpoint): Promise<void> {
    try {
      await this.deps.storage.put(
        'checkpoints',
        genomesKey(runId, c.generation),
        packGeneration(c.generation, c.population),
      );
    } catch (e) {
      this.deps.warn(`could not keep generation ${c.generation}'s networks for export (${describe(e)})`);
    }
  }

  /** One network of a run as TensorFlow.js files, read from the genomes this browser kept. */
  private async exportModel(cmd: Extract<WorkerCommand, { type: 'export-model' }>): Promise<void> {
    const { record } = cmd;
    const key = genomesKey(cmd.runId, record.generation);
    const stored = await this.deps.storage.get<unknown>('checkpoints', key);
    if (!stored)
      throw new Error(
        `generation ${record.generation}'s networks are not kept in this browser (runs started before export existed keep none); run it again to export them`,
      );
    const genome = unpackGeneration(stored, key).population[record.individual];
    if (!genome) throw new Error(`generation ${record.generation} has no network ${record.individual}`);
    // On wasm whatever the run used: its speed is then the CLI's (wasm, one thread), nothing is
    // timed to choose a backend first, and webgpu cannot lose its device over it.
    await this.deps.backend.start('wasm', { wasmBaseUrl: cmd.wasmBaseUrl });
    const { files, summary } = await this.deps.exportNetwork(genome, record, cmd.run);
    this.deps.post({ type: 'model-exported', files, summary });
  }

  private async store(key: string, c: Checkpoint): Promise<boolean> {
    try {
      await this.deps.storage.put('checkpoints', key, c);
      return true;
    } catch (e) {
      // The run goes on; the page says that a reload would lose this generation.
      this.deps.post({
        type: 'stage',
        stage: 'warm-up',
        message: `Could not store the checkpoint (${describe(e)}); a reload would lose this generation`,
      });
      return false;
    }
  }
}

function control(r: ControllableRunner, cmd: WorkerCommand) {
  if (cmd.type === 'pause') r.pause();
  else if (cmd.type === 'resume') r.resume();
  else if (cmd.type === 'step') r.step();
  else if (cmd.type === 'stop-after-generation') r.stopAfterGeneration();
  else if (cmd.type === 'change-settings') r.changeSettings(cmd.patch);
}

/**
 * Brings a runner that takes over (after a device loss) to where the commands left the last one:
 * every settings change, in order, then paused or not, and the request to stop (which takes effect
 * at once: the lost generation is given up and the run stops at its checkpoint).
 */
function replaySettled(r: ControllableRunner, commands: readonly WorkerCommand[]) {
  let paused = false;
  let stop = false;
  for (const c of commands) {
    if (c.type === 'change-settings') r.changeSettings(c.patch);
    else if (c.type === 'pause') paused = true;
    else if (c.type === 'resume') paused = false;
    else if (c.type === 'stop-after-generation') [stop, paused] = [true, false];
  }
  if (stop) r.stopAfterGeneration();
  if (paused) r.pause();
}

function reportOf(c: Checkpoint, finished: boolean): RunReport {
  return {
    config: c.config,
    environment: c.environment,
    ancestor: c.ancestor,
    records: c.records,
    configChanges: c.configChanges,
    finished,
  };
}

function startingMessage(pref: string) {
  return pref === 'auto' ? 'Choosing and starting the compute backend…' : `Starting the ${pref} backend…`;
}

function warmUpMessage(backend: string) {
  return backend === 'webgpu' || backend === 'webgl'
    ? `Compiling ${backend} shaders for the first batch (this can take 15–30 s on a CPU fallback)…`
    : 'Preparing the first batch…';
}

/** What kind of failure the page reports (it words the advice by kind). */
export function classify(err: unknown): ErrorKind {
  if (
    err instanceof DatasetError ||
    (err as Error)?.name === 'DatasetError' ||
    (err as Error)?.name === 'MissingFileError'
  )
    return 'dataset';
  if (err instanceof ConfigError) return 'config';
  const kind = (err as { kind?: ErrorKind })?.kind;
  return kind ?? 'internal';
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
