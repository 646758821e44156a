/// <reference lib="webworker" />
/**
 * One run per dedicated module Worker: picks the backend, loads the dataset, obtains the
 * ancestor, and drives the experiment runner, reporting through the typed protocol. The page
 * never trains; this file is the only place in the browser where tensors exist.
 */
import { ConfigError, type RunConfig } from '../experiment/config';
import type { Checkpoint, RunEvent, RunReport } from '../experiment/records';
import { ExperimentRunner } from '../experiment/runner';
import { deserialiseCheckpoint } from '../experiment/serialise';
import { environmentInfo, startBackend } from '../experiment/environment';
import { DatasetError, loadDataset, type ImageDataset } from '../data';
import { checkFile, dataSource } from './files';
import { idbGet, idbPut } from './idb';
import { checkpointKey, type AncestorSource, type ErrorKind, type WorkerCommand, type WorkerEvent } from './protocol';
import { ProgressThrottle } from './throttle';
import { startWorkerPeers } from './worker-peer';
import type { GradientPeer } from '../nn/model/gradient-peer';

declare const self: DedicatedWorkerGlobalScope;

const post = (message: WorkerEvent) => self.postMessage(message);

let runner: ExperimentRunner | null = null;
/** Commands that arrive before the runner exists (e.g. pause during data loading) are replayed. */
let pending: WorkerCommand[] = [];
let ancestorArrived: ((source: AncestorSource) => void) | null = null;
let started = false;

self.onmessage = (e: MessageEvent<WorkerCommand>) => {
  const cmd = e.data;
  switch (cmd.type) {
    case 'start':
      if (started)
        return post({ type: 'error', kind: 'internal', message: 'this Worker already runs a run; start a new Worker' });
      started = true;
      void start(cmd).catch((err) => post({ type: 'error', kind: classify(err), message: describe(err) }));
      return;
    case 'ancestor':
      if (ancestorArrived) ancestorArrived(cmd.source);
      else pending.push(cmd);
      return;
    case 'grant':
      sliceEnd = performance.now() + cmd.sliceMs;
      granted?.();
      granted = null;
      return;
    case 'check-files':
      void Promise.all(cmd.files.map((f) => checkFile(cmd.dataset, f))).then((results) =>
        post({ type: 'files-checked', results }),
      );
      return;
    default:
      if (runner) control(runner, cmd);
      else pending.push(cmd);
  }
};

function control(r: ExperimentRunner, cmd: WorkerCommand) {
  if (cmd.type === 'pause') r.pause();
  else if (cmd.type === 'resume') r.resume();
  else if (cmd.type === 'stop-after-generation') r.stopAfterGeneration();
  else if (cmd.type === 'change-settings') r.changeSettings(cmd.patch);
}

/** A macrotask boundary (MessageChannel: no 4 ms clamping like nested setTimeout), so queued messages run. */
const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => waiting.shift()?.();
const macrotask = () =>
  new Promise<void>((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });

/** CPU sharing (app/cpu.ts): outside its time slice the Worker waits for a grant between batches. */
let shareCpu = false;
let sliceEnd = 0;
let granted: (() => void) | null = null;

async function yieldToHost(): Promise<void> {
  await macrotask();
  if (!shareCpu || performance.now() < sliceEnd) return;
  await acquireCpu();
}

/** Waits for a time slice (start-up work such as gunzipping the data counts too). */
async function acquireCpu(): Promise<void> {
  if (!shareCpu) return;
  post({ type: 'cpu-wanted' });
  await new Promise<void>((resolve) => (granted = resolve));
}

/** Gives the slot back before idling, so that waiting here never blocks the others. */
function releaseCpu(): void {
  if (!shareCpu) return;
  sliceEnd = 0;
  post({ type: 'cpu-released' });
}

async function start(cmd: Extract<WorkerCommand, { type: 'start' }>) {
  const { config, runId } = cmd;
  shareCpu = cmd.shareCpu ?? false;
  if (shareCpu)
    post({
      type: 'stage',
      stage: 'backend',
      message: 'Waiting for a free core (runs take turns so that the page stays responsive)…',
    });
  await acquireCpu();
  post({ type: 'stage', stage: 'backend', message: startingMessage(config.backend) });
  const choice = await startBackend(config.backend, { wasmBaseUrl: cmd.wasmBaseUrl }).catch((err) => {
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
  });
  const peers = await startGradientPeers(cmd.peers ?? 0, choice.backend, cmd.wasmBaseUrl);

  const source = dataSource(cmd.data);
  const load = async (split: 'train' | 'test', offset: number): Promise<ImageDataset> =>
    loadDataset(config.dataset, split, source, (p) =>
      post({
        type: 'stage',
        stage: 'data',
        message: `Loading ${config.dataset === 'mnist' ? 'MNIST' : 'CIFAR-10'}: ${p.file}`,
        done: offset + p.done,
        total: 2 * p.total,
      }),
    );
  post({
    type: 'stage',
    stage: 'data',
    message: `Loading ${config.dataset === 'mnist' ? 'MNIST' : 'CIFAR-10'} from ${source.describe()}`,
  });
  const train = await load('train', 0);
  const test = await load('test', train.count ? 1 : 0);

  let ancestor = cmd.ancestor;
  if (ancestor.kind === 'wait') {
    releaseCpu();
    post({ type: 'stage', stage: 'ancestor', message: 'Waiting for the shared ancestor (trained by the first run)…' });
    const queued = pending.find((c) => c.type === 'ancestor');
    pending = pending.filter((c) => c.type !== 'ancestor');
    ancestor =
      queued && queued.type === 'ancestor'
        ? queued.source
        : await new Promise<AncestorSource>((r) => (ancestorArrived = r));
    ancestorArrived = null;
  }
  const checkpoint = await obtainCheckpoint(ancestor, config);

  // A run resumed from its own checkpoint keeps the settings it had (incl. changes made while it
  // ran); what the person changed since then goes through changeSettings, so it is recorded.
  const own =
    checkpoint &&
    checkpoint.config.mode === config.mode &&
    ancestor.kind === 'stored' &&
    ancestor.key === checkpointKey(runId);
  const runConfig: RunConfig = own ? { ...checkpoint.config, generations: config.generations } : config;
  const environment = environmentInfo(choice, 1 + peers.length);
  // Show what the run starts from (the shared ancestor, or its own generations) at once.
  if (checkpoint)
    post({
      type: 'checkpoint',
      generation: checkpoint.generation,
      report: reportOf({ ...checkpoint, config: runConfig }, false),
      stored: !!own,
    });
  const throttle = new ProgressThrottle(1000 / (cmd.progressPerSecond ?? 8));
  post({ type: 'stage', stage: 'warm-up', message: warmUpMessage(choice.backend) });

  const emit = (event: RunEvent) => {
    if (event.type === 'progress') {
      const out = throttle.offer(event);
      if (out) post({ type: 'run', event: out.event, losses: out.losses });
    } else post({ type: 'run', event });
  };
  const storeAs = ancestor.kind === 'train' ? ancestor.storeAs : null;
  runner = new ExperimentRunner(runConfig, {
    train,
    test,
    environment: checkpoint && own ? checkpoint.environment : environment,
    checkpoint: checkpoint ?? undefined,
    emit,
    yieldToHost,
    peers,
    onCheckpoint: async (c) => {
      const stored = await store(checkpointKey(runId), c);
      if (storeAs && c.generation === 1 && (await store(storeAs, c))) post({ type: 'ancestor-ready', key: storeAs });
      post({ type: 'checkpoint', generation: c.generation, report: reportOf(c, false), stored });
    },
  });
  if (cmd.live) runner.changeSettings(cmd.live);
  for (const c of pending) control(runner, c);
  pending = [];
  const report = await runner.run();
  post({ type: 'done', report });
}

/** Peers help on wasm and cpu only (a GPU backend has its own parallelism); failing to start them is not fatal. */
async function startGradientPeers(count: number, backend: string, wasmBaseUrl: string): Promise<GradientPeer[]> {
  if (count < 1 || (backend !== 'wasm' && backend !== 'cpu')) return [];
  post({
    type: 'stage',
    stage: 'backend',
    message: `Starting ${count} helper Worker${count > 1 ? 's' : ''} for the other cores`,
  });
  try {
    return await startWorkerPeers(count, backend, wasmBaseUrl);
  } catch (err) {
    console.warn(`training on one core: the helper Workers did not start (${describe(err)})`);
    return [];
  }
}

/** The checkpoint to start from, adapted to this run (a shared ancestor was trained under another run's mode). */
async function obtainCheckpoint(source: AncestorSource, config: RunConfig): Promise<Checkpoint | null> {
  if (source.kind === 'train' || source.kind === 'wait') return null;
  let checkpoint: Checkpoint;
  if (source.kind === 'url') {
    post({ type: 'stage', stage: 'ancestor', message: `Loading the shipped ancestor ${source.url}` });
    const res = await fetch(source.url);
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok || type.includes('text/html'))
      throw ancestorError(
        `the shipped ancestor ${source.url} is not there (HTTP ${res.status}); choose "train in the page"`,
      );
    try {
      checkpoint = deserialiseCheckpoint(await res.json());
    } catch (e) {
      throw ancestorError(`the shipped ancestor ${source.url} cannot be read: ${describe(e)}`);
    }
  } else {
    const stored = await idbGet<Checkpoint>('checkpoints', source.key);
    if (!stored)
      throw ancestorError(
        `no stored checkpoint ${source.key}: it was deleted or never written; reset the lab and start again`,
      );
    checkpoint = stored;
  }
  if (checkpoint.config.dataset !== config.dataset)
    throw ancestorError(
      `the ancestor was trained on ${checkpoint.config.dataset}, but this run uses ${config.dataset}`,
    );
  if (checkpoint.config.mode === config.mode) return checkpoint;
  // Generation 1 is the same network whatever the mode; only the label of its record differs.
  if (checkpoint.generation !== 1)
    throw ancestorError(
      `checkpoint ${'key' in source ? source.key : ''} is of a ${checkpoint.config.mode} run at generation ${checkpoint.generation}, not an ancestor`,
    );
  return { ...checkpoint, config, records: checkpoint.records.map((r) => ({ ...r, mode: config.mode })) };
}

async function store(key: string, c: Checkpoint): Promise<boolean> {
  try {
    await idbPut('checkpoints', key, c);
    return true;
  } catch (e) {
    // The run goes on; the page says that a reload would lose this generation.
    post({
      type: 'stage',
      stage: 'warm-up',
      message: `Could not store the checkpoint (${describe(e)}); a reload would lose this generation`,
    });
    return false;
  }
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

function ancestorError(message: string) {
  return Object.assign(new Error(message), { kind: 'ancestor' as ErrorKind });
}

function startingMessage(pref: string) {
  return pref === 'auto' ? 'Choosing and starting the compute backend…' : `Starting the ${pref} backend…`;
}

function warmUpMessage(backend: string) {
  return backend === 'webgpu' || backend === 'webgl'
    ? `Compiling ${backend} shaders for the first batch (this can take 15–30 s on a CPU fallback)…`
    : 'Preparing the first batch…';
}

function classify(err: unknown): ErrorKind {
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
