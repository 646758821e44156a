/**
 * The run Worker's controller with everything around it faked: the runner, backend, data,
 * storage and clock. Nothing here trains or waits on a clock; "nothing happens" is checked after
 * the event loop has drained (one setImmediate turn runs every pending promise callback).
 */
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, resolveConfig, type RunConfig } from '../experiment/config';
import type { Checkpoint, EnvironmentInfo, RunEvent, RunReport } from '../experiment/records';
import type { LiveSettings, RunnerOptions } from '../experiment/runner';
import { serialiseCheckpoint } from '../experiment/serialise';
import type { ImageDataset } from '../data';
import { DatasetError, MissingFileError } from '../data/errors';
import { storedCheckpointCorpus } from '../testing/bad-artefacts';
import { validCheckpoint } from '../testing/checkpoints';
import { MemoryStorage } from '../testing/fake-storage';
import {
  ancestorKey,
  checkpointKey,
  genomesKey,
  type AncestorSource,
  type WorkerCommand,
  type WorkerEvent,
} from './protocol';
import { RunController, type ControllableRunner, type RunControllerDeps } from './run-controller';

const drain = () => new Promise<void>((resolve) => setImmediate(resolve));

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

class FakeRunner implements ControllableRunner {
  readonly calls: string[] = [];
  readonly finished = deferred<RunReport>();
  constructor(
    readonly config: RunConfig,
    readonly options: RunnerOptions,
  ) {}
  pause() {
    this.calls.push('pause');
  }
  resume() {
    this.calls.push('resume');
  }
  step() {
    this.calls.push('step');
  }
  stopAfterGeneration() {
    this.calls.push('stop');
  }
  changeSettings(patch: LiveSettings) {
    this.calls.push(`change ${JSON.stringify(patch)}`);
  }
  run() {
    return this.finished.promise;
  }
}

const environment = (backend: string, threads: number): EnvironmentInfo => ({
  backend,
  backendReason: 'fake',
  runtime: 'test',
  tfjsVersion: 'none',
  startedAt: '2026-01-01T00:00:00.000Z',
  threads,
});

const dataset = (split: 'train' | 'test'): ImageDataset => ({
  name: 'mnist',
  split,
  count: split === 'train' ? 60 : 10,
  height: 28,
  width: 28,
  channels: 1,
  pixels: new Uint8Array(0),
  labels: new Uint8Array(0),
  classNames: [],
});

/** A valid checkpoint (stored and shipped ones pass the artefact gate). */
function checkpointOf(config: RunConfig, generation: number): Checkpoint {
  return validCheckpoint(config, generation, environment('wasm', 1));
}

const config = resolveConfig({ mode: 'sexual', generations: 4, seed: 3 });

function startCommand(extra: Partial<Extract<WorkerCommand, { type: 'start' }>> = {}): WorkerCommand {
  return {
    type: 'start',
    runId: 'run-1',
    config,
    data: { baseUrl: 'http://lab/data/', files: [] },
    ancestor: { kind: 'train', storeAs: null },
    wasmBaseUrl: 'http://lab/tfjs-wasm/',
    progressPerSecond: 10,
    ...extra,
  };
}

/** A controller with fakes; `next(type)` resolves when it posts that kind of event. */
function harness(overrides: Partial<RunControllerDeps> = {}) {
  const posted: WorkerEvent[] = [];
  const waiters: { type: WorkerEvent['type']; from: number; resolve: (e: WorkerEvent) => void }[] = [];
  const runners: FakeRunner[] = [];
  const storage = new MemoryStorage();
  const clock = { t: 0 };
  const deps: RunControllerDeps = {
    post: (e) => {
      posted.push(e);
      for (const w of waiters.filter((w) => w.type === e.type)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    },
    backend: {
      start: vi.fn(async () => ({ backend: 'wasm', reason: 'fake', tried: ['wasm: ok'] })),
      describe: (choice, threads) => environment(choice.backend, threads),
    },
    startPeers: vi.fn(async () => []),
    data: {
      source: () => ({ describe: () => 'the test folder', read: () => Promise.reject(new Error('not read')) }),
      load: vi.fn(async (_name, split, _source, onProgress) => {
        onProgress({ file: `${split}-images`, done: 1, total: 2 });
        return dataset(split as 'train' | 'test');
      }),
      openFolder: vi.fn(async (_dataset, folder, onProgress) => {
        onProgress({ file: 'cat/1.png', done: 1, total: 2 });
        if (!folder) throw new DatasetError('your pictures', 'are not here');
        return { train: dataset('train'), test: dataset('test') };
      }),
      check: async (_dataset, file) => ({
        name: file.name,
        ok: file.name.endsWith('.gz'),
        message: `checked ${file.name}`,
      }),
      checkFolder: async (_dataset, folder) => ({ type: 'folder-checked', ok: true, message: `read ${folder.name}` }),
    },
    exportNetwork: vi.fn(async (genome, record) => ({
      files: [{ name: 'model.json', bytes: new Uint8Array([genome.layers.length]), type: 'application/json' }],
      summary: {
        generation: record.generation,
        individual: record.individual,
        bytes: 1,
        parameters: 2,
        layers: [],
        imagesPerSecond: 3,
      },
    })),
    storage,
    fetch: vi.fn(async () => new Response('missing', { status: 404 })),
    createRunner: (c, options) => {
      const r = new FakeRunner(c, options);
      runners.push(r);
      return r;
    },
    now: () => clock.t,
    macrotask: () => Promise.resolve(),
    delay: vi.fn(() => Promise.resolve()),
    warn: vi.fn(),
    ...overrides,
  };
  const controller = new RunController(deps);
  /** The next event of this type posted from now on. */
  const next = <T extends WorkerEvent['type']>(type: T) =>
    new Promise<Extract<WorkerEvent, { type: T }>>((resolve) =>
      waiters.push({ type, from: posted.length, resolve: resolve as (e: WorkerEvent) => void }),
    );
  const started = async () => {
    while (!runners.length) {
      const before = posted.length;
      await drain();
      if (posted.length === before && !runners.length) throw new Error(`no runner; posted ${JSON.stringify(posted)}`);
    }
    return runners[0];
  };
  /** Lets the controller go on until it waits for something (an event-loop turn posts nothing more). */
  const quiet = async () => {
    for (let before = -1; before !== posted.length;) {
      before = posted.length;
      await drain();
    }
  };
  const types = () => posted.map((e) => e.type);
  return { controller, deps, posted, runners, storage, clock, next, started, quiet, types };
}

describe('RunController', () => {
  it('starts the backend, loads both splits, builds the runner and reports what it finished', async () => {
    const h = harness();
    h.controller.handle(startCommand({ live: { generations: 5 } }));
    const runner = await h.started();
    // `auto` is told which network to time (issue 21): the run's input, batch and optimizer.
    expect(h.deps.backend.start).toHaveBeenCalledWith(
      'auto',
      expect.objectContaining({
        wasmBaseUrl: 'http://lab/tfjs-wasm/',
        network: expect.objectContaining({
          input: { height: 28, width: 28, channels: 1 },
          training: expect.objectContaining({ batchSize: 64, optimizer: 'adam' }),
        }),
      }),
    );
    expect(h.deps.data.load).toHaveBeenCalledTimes(2);
    expect(runner.config).toEqual(config);
    expect(runner.options.train.split).toBe('train');
    expect(runner.options.test.split).toBe('test');
    expect(runner.options.environment).toMatchObject({ backend: 'wasm', threads: 1 });
    expect(runner.calls).toEqual(['change {"generations":5}']);
    const stages = h.posted.filter((e) => e.type === 'stage');
    expect(stages.map((e) => e.message)).toEqual([
      'Choosing and starting the compute backend…',
      'Loading MNIST from the test folder',
      'Loading MNIST: train-images',
      'Loading MNIST: test-images',
      'Preparing the first batch…',
    ]);
    // The test split's progress is counted after the training split's, out of both.
    expect(stages.filter((e) => e.stage === 'data').map((e) => [e.done, e.total])).toEqual([
      [undefined, undefined],
      [1, 4],
      [2, 4],
    ]);
    expect(h.posted.find((e) => e.type === 'backend')).toEqual({
      type: 'backend',
      backend: 'wasm',
      reason: 'fake',
      tried: ['wasm: ok'],
      preference: 'auto',
    });
    const done = h.next('done');
    const report = { finished: true } as RunReport;
    runner.finished.resolve(report);
    expect(await done).toEqual({ type: 'done', report });
  });

  it('replays commands that arrive before the runner exists, in order', async () => {
    const loading = deferred<ImageDataset>();
    const h = harness();
    vi.mocked(h.deps.data.load).mockImplementationOnce(() => loading.promise);
    h.controller.handle(startCommand());
    const patch: LiveSettings = { synthesis: { budget: { rho: 0.4 } } };
    h.controller.handle({ type: 'pause' });
    h.controller.handle({ type: 'change-settings', patch });
    h.controller.handle({ type: 'resume' });
    h.controller.handle({ type: 'step' });
    h.controller.handle({ type: 'stop-after-generation' });
    await h.quiet();
    expect(h.runners).toEqual([]);
    loading.resolve(dataset('train'));
    const runner = await h.started();
    expect(runner.calls).toEqual(['pause', `change ${JSON.stringify(patch)}`, 'resume', 'step', 'stop']);
    // Once it exists, commands go to it directly.
    h.controller.handle({ type: 'step' });
    expect(runner.calls.at(-1)).toBe('step');
    expect(runner.calls).toHaveLength(6);
  });

  it('counts a handed ancestor as the generation a "Next generation" asked for before the start, but not its own checkpoint', async () => {
    const shared = harness();
    await shared.storage.put('checkpoints', ancestorKey('s'), checkpointOf(config, 1));
    shared.controller.handle(startCommand({ ancestor: { kind: 'stored', key: ancestorKey('s') } }));
    shared.controller.handle({ type: 'step' });
    expect((await shared.started()).calls).toEqual(['pause']);

    const own = harness();
    await own.storage.put('checkpoints', checkpointKey('run-1'), checkpointOf(config, 2));
    own.controller.handle(startCommand({ ancestor: { kind: 'stored', key: checkpointKey('run-1') } }));
    own.controller.handle({ type: 'step' });
    expect((await own.started()).calls).toEqual(['step']);
  });

  it('refuses a second start', async () => {
    const h = harness();
    h.controller.handle(startCommand());
    h.controller.handle(startCommand({ runId: 'run-2' }));
    expect(h.posted[0]).toEqual({
      type: 'error',
      kind: 'internal',
      message: 'this Worker already runs a run; start a new Worker',
    });
    await h.started();
    expect(h.runners).toHaveLength(1);
    expect(vi.mocked(h.deps.backend.start)).toHaveBeenCalledTimes(1);
  });

  type Start = Partial<Extract<WorkerCommand, { type: 'start' }>>;
  const failures: [string, (h: ReturnType<typeof harness>) => Start, string, RegExp][] = [
    [
      'a broken dataset file',
      (h) => {
        vi.mocked(h.deps.data.load).mockRejectedValue(new DatasetError('mnist/x.gz', 'truncated'));
        return {};
      },
      'dataset',
      /truncated/,
    ],
    [
      'a missing dataset file',
      (h) => {
        vi.mocked(h.deps.data.load).mockRejectedValue(new MissingFileError('mnist/x.gz', 'gone'));
        return {};
      },
      'dataset',
      /gone/,
    ],
    [
      'an invalid configuration',
      (h) => {
        h.deps.createRunner = () => {
          throw new ConfigError(['generations must be between 1 and 200 (got 0)']);
        };
        return {};
      },
      'config',
      /generations must be between 1 and 200/,
    ],
    [
      'a backend that does not start',
      (h) => {
        vi.mocked(h.deps.backend.start).mockRejectedValue(new Error('no adapter'));
        return {};
      },
      'backend',
      /^could not start a compute backend: no adapter$/,
    ],
    [
      'a stored ancestor that is not there',
      () => ({ ancestor: { kind: 'stored', key: 'ancestor:gone' } }),
      'ancestor',
      /^no stored checkpoint ancestor:gone: it was deleted or never written/,
    ],
    [
      'a shipped ancestor the server does not have',
      () => ({ ancestor: { kind: 'url', url: 'http://lab/ancestors/mnist.json' } }),
      'ancestor',
      /is not there \(HTTP 404\); choose "train in the page"/,
    ],
    [
      'anything else',
      (h) => {
        h.deps.createRunner = () => {
          throw 'something odd';
        };
        return {};
      },
      'internal',
      /^something odd$/,
    ],
  ];

  it.each(failures)('classifies %s', async (_what, arrange, kind, message) => {
    const h = harness();
    const start = arrange(h);
    const failed = h.next('error');
    h.controller.handle(startCommand(start));
    const error = await failed;
    expect(error.kind).toBe(kind);
    expect(error.message).toMatch(message);
  });

  it('classifies a run that fails while training', async () => {
    const h = harness();
    h.controller.handle(startCommand());
    const runner = await h.started();
    const failed = h.next('error');
    runner.finished.reject(new Error('out of memory'));
    expect(await failed).toEqual({ type: 'error', kind: 'internal', message: 'out of memory' });
  });

  it('waits for a CPU slice before starting, and again between batches once the slice is used up', async () => {
    let yields = 0;
    const h = harness({ macrotask: async () => void yields++ });
    h.controller.handle(startCommand({ shareCpu: true }));
    await h.quiet();
    expect(h.types()).toEqual(['stage', 'cpu-wanted']);
    expect(h.posted[0]).toMatchObject({ message: expect.stringMatching(/^Waiting for a free core/) });
    expect(h.deps.backend.start).not.toHaveBeenCalled();

    h.clock.t = 1000;
    h.controller.handle({ type: 'grant', sliceMs: 1500 });
    const runner = await h.started();
    const yieldToHost = runner.options.yieldToHost!;

    h.clock.t = 2499; // within the slice: a macrotask, then on
    await yieldToHost();
    expect(yields).toBe(1);
    expect(h.types().filter((t) => t === 'cpu-wanted')).toHaveLength(1);

    h.clock.t = 2500; // the slice is over: ask again and wait for the grant
    let resumed = false;
    const waiting = yieldToHost().then(() => (resumed = true));
    await h.quiet();
    expect(h.types().filter((t) => t === 'cpu-wanted')).toHaveLength(2);
    expect(resumed).toBe(false);
    h.controller.handle({ type: 'grant', sliceMs: 1500 });
    await waiting;
    expect(resumed).toBe(true);
  });

  it('gives its CPU slot back while paused (a run stepping one generation must not wait for it), and asks again on resuming', async () => {
    const h = harness();
    h.controller.handle(startCommand({ shareCpu: true }));
    h.controller.handle({ type: 'grant', sliceMs: 1500 });
    const runner = await h.started();
    const emit = runner.options.emit!;
    const yieldToHost = runner.options.yieldToHost!;
    const count = (t: WorkerEvent['type']) => h.types().filter((x) => x === t).length;

    emit({ type: 'paused' });
    expect(count('cpu-released')).toBe(1);
    // Between batches while paused: no slot asked for until the run resumes.
    let passed = false;
    const waiting = yieldToHost().then(() => (passed = true));
    await h.quiet();
    expect(passed).toBe(false);
    expect(count('cpu-wanted')).toBe(1); // only the start's
    emit({ type: 'resumed' });
    await h.quiet();
    expect(count('cpu-wanted')).toBe(2);
    expect(passed).toBe(false);
    h.controller.handle({ type: 'grant', sliceMs: 1500 });
    await waiting;

    // Paused while waiting in the queue: a slot granted then goes straight back.
    h.clock.t = 5000;
    passed = false;
    const queued = yieldToHost().then(() => (passed = true));
    await h.quiet();
    expect(count('cpu-wanted')).toBe(3);
    emit({ type: 'paused' });
    expect(count('cpu-released')).toBe(1); // it held no slot
    h.controller.handle({ type: 'grant', sliceMs: 1500 });
    await h.quiet();
    expect(count('cpu-released')).toBe(2);
    expect(passed).toBe(false);
    emit({ type: 'resumed' });
    await h.quiet();
    expect(count('cpu-wanted')).toBe(4);
    h.controller.handle({ type: 'grant', sliceMs: 1500 });
    await queued;
    expect(passed).toBe(true);
  });

  it('does not ask for CPU slices when it need not share', async () => {
    const h = harness();
    h.controller.handle(startCommand());
    const runner = await h.started();
    h.clock.t = 1e9;
    await runner.options.yieldToHost!();
    expect(h.types()).not.toContain('cpu-wanted');
  });

  it('gives its core back while it waits for the shared ancestor, then starts from it in its own mode', async () => {
    const h = harness();
    const shared = checkpointOf({ ...config, mode: 'sexual' }, 1);
    await h.storage.put('checkpoints', ancestorKey('s'), shared);
    const asexual = { ...config, mode: 'asexual' as const };
    h.controller.handle(startCommand({ config: asexual, ancestor: { kind: 'wait' }, shareCpu: true }));
    h.controller.handle({ type: 'grant', sliceMs: 1500 });
    await h.quiet();
    expect(h.types().slice(-2)).toEqual(['cpu-released', 'stage']);
    expect(h.posted.at(-1)).toMatchObject({
      stage: 'ancestor',
      message: expect.stringMatching(/^Waiting for the shared/),
    });
    expect(h.runners).toEqual([]);

    const source: AncestorSource = { kind: 'stored', key: ancestorKey('s') };
    h.controller.handle({ type: 'ancestor', source });
    const runner = await h.started();
    expect(runner.options.checkpoint?.config.mode).toBe('asexual');
    expect(runner.options.checkpoint?.records.map((r) => r.mode)).toEqual(['asexual']);
    // The shared ancestor is shown at once, as not stored under this run.
    expect(h.posted.find((e) => e.type === 'checkpoint')).toMatchObject({ generation: 1, stored: false });
  });

  it('uses an ancestor that arrived while the data was still loading', async () => {
    const loading = deferred<ImageDataset>();
    const h = harness();
    vi.mocked(h.deps.data.load).mockImplementationOnce(() => loading.promise);
    await h.storage.put('checkpoints', ancestorKey('s'), checkpointOf(config, 1));
    h.controller.handle(startCommand({ ancestor: { kind: 'wait' } }));
    h.controller.handle({ type: 'ancestor', source: { kind: 'stored', key: ancestorKey('s') } });
    loading.resolve(dataset('train'));
    const runner = await h.started();
    expect(runner.options.checkpoint?.generation).toBe(1);
  });

  it('resumes from its own checkpoint with the settings it had, and the generations asked for now', async () => {
    const h = harness();
    const own = checkpointOf(
      {
        ...config,
        generations: 3,
        synthesis: { ...config.synthesis, budget: { ...config.synthesis.budget, rho: 0.25 } },
      },
      3,
    );
    own.environment = environment('webgl', 1);
    await h.storage.put('checkpoints', checkpointKey('run-1'), own);
    h.controller.handle(startCommand({ ancestor: { kind: 'stored', key: checkpointKey('run-1') } }));
    const runner = await h.started();
    expect(runner.config.generations).toBe(4);
    expect(runner.config.synthesis.budget.rho).toBe(0.25);
    expect(runner.options.environment.backend).toBe('webgl');
    expect(h.posted.find((e) => e.type === 'checkpoint')).toMatchObject({ generation: 3, stored: true });
  });

  it('refuses an ancestor of another dataset, and a later generation of another mode', async () => {
    const h = harness();
    await h.storage.put('checkpoints', 'cifar', checkpointOf({ ...config, dataset: 'cifar10' }, 1));
    const failed = h.next('error');
    h.controller.handle(startCommand({ ancestor: { kind: 'stored', key: 'cifar' } }));
    expect((await failed).message).toBe('the ancestor was trained on cifar10, but this run uses mnist');

    const h2 = harness();
    const asexual = resolveConfig({ mode: 'asexual', generations: 4, seed: 3 });
    await h2.storage.put('checkpoints', 'late', checkpointOf(asexual, 2));
    const failed2 = h2.next('error');
    h2.controller.handle(startCommand({ ancestor: { kind: 'stored', key: 'late' } }));
    expect(await failed2).toMatchObject({
      kind: 'ancestor',
      message: expect.stringMatching(/asexual run at generation 2, not an ancestor/),
    });
  });

  // The corpus of damaged stored checkpoints (testing/bad-artefacts.ts): Resume used to fail with
  // "Cannot read properties of undefined (reading 'dataset')"; each is now named with its field.
  it.each(storedCheckpointCorpus().map((c) => [c.name, c] as const))(
    'refuses a damaged stored checkpoint (%s), naming it and the field, and stores nothing',
    async (_, c) => {
      const h = harness();
      await h.storage.put('checkpoints', checkpointKey('run-1'), c.value);
      const failed = h.next('error');
      h.controller.handle(startCommand({ ancestor: { kind: 'stored', key: checkpointKey('run-1') } }));
      const error = await failed;
      expect(error).toMatchObject({ kind: 'ancestor' });
      expect((error as { message: string }).message).toMatch(c.message);
      expect((error as { message: string }).message).toMatch(
        /^the stored checkpoint checkpoint:run-1: .*This run cannot continue from it: export its results/,
      );
      expect(h.storage.keys('checkpoints')).toEqual([checkpointKey('run-1')]);
    },
  );

  it('refuses a shipped ancestor that is not JSON, naming the address', async () => {
    const h = harness({
      fetch: async () =>
        new Response('{"version": 1, "config": {', { headers: { 'content-type': 'application/json' } }),
    });
    const failed = h.next('error');
    h.controller.handle(startCommand({ ancestor: { kind: 'url', url: 'http://lab/ancestors/mnist.json' } }));
    expect(await failed).toMatchObject({
      kind: 'ancestor',
      message:
        'the shipped ancestor http://lab/ancestors/mnist.json cannot be read: http://lab/ancestors/mnist.json: is not complete JSON: it ends too early. Was the file cut short?',
    });
  });

  it('loads a shipped ancestor', async () => {
    const shipped = serialiseCheckpoint(checkpointOf(config, 1));
    const h = harness({
      fetch: async () => new Response(JSON.stringify(shipped), { headers: { 'content-type': 'application/json' } }),
    });
    h.controller.handle(startCommand({ ancestor: { kind: 'url', url: 'http://lab/ancestors/mnist.json' } }));
    const runner = await h.started();
    expect(runner.options.checkpoint?.generation).toBe(1);
    expect(h.posted).toContainEqual({
      type: 'stage',
      stage: 'ancestor',
      message: 'Loading the shipped ancestor http://lab/ancestors/mnist.json',
    });
  });

  it('stores every checkpoint, and the trained ancestor under the shared key, before reporting it', async () => {
    const h = harness();
    h.controller.handle(startCommand({ ancestor: { kind: 'train', storeAs: ancestorKey('s') } }));
    const runner = await h.started();
    const ready = h.next('ancestor-ready');
    await runner.options.onCheckpoint!(checkpointOf(config, 1));
    expect(await ready).toEqual({ type: 'ancestor-ready', key: ancestorKey('s') });
    // Each generation's networks are kept too, packed, for export.
    expect(h.storage.keys('checkpoints').sort()).toEqual(
      [ancestorKey('s'), checkpointKey('run-1'), genomesKey('run-1', 1)].sort(),
    );
    expect(h.types().slice(-2)).toEqual(['ancestor-ready', 'checkpoint']);
    expect(h.posted.at(-1)).toMatchObject({ generation: 1, stored: true, report: { finished: false } });

    await runner.options.onCheckpoint!(checkpointOf(config, 2));
    expect(h.types().filter((t) => t === 'ancestor-ready')).toHaveLength(1);
    expect(h.storage.stores.checkpoints.get(checkpointKey('run-1'))).toMatchObject({ generation: 2 });
  });

  it('goes on when a checkpoint cannot be stored, and says a reload would lose it', async () => {
    const h = harness();
    h.controller.handle(startCommand({ ancestor: { kind: 'train', storeAs: ancestorKey('s') } }));
    const runner = await h.started();
    h.storage.failure = new Error('the disk is full');
    await runner.options.onCheckpoint!(checkpointOf(config, 1));
    expect(h.types()).not.toContain('ancestor-ready');
    expect(h.posted.at(-2)).toMatchObject({
      type: 'stage',
      message: 'Could not store the checkpoint (the disk is full); a reload would lose this generation',
    });
    expect(h.posted.at(-1)).toMatchObject({ type: 'checkpoint', stored: false });
  });

  it('thins progress to the rate asked for, keeping every loss, and passes other run events', async () => {
    const h = harness();
    h.controller.handle(startCommand({ progressPerSecond: 10 }));
    const runner = await h.started();
    const progress = (batch: number): RunEvent => ({
      type: 'progress',
      generation: 1,
      generations: 4,
      individual: 0,
      population: 1,
      phase: 'train',
      epoch: 1,
      epochs: 1,
      batch,
      batches: 20,
      loss: batch,
    });
    for (let b = 1; b <= 20; b++) {
      h.clock.t += 20; // 50 batches a second; 10 messages a second may go
      runner.options.emit!(progress(b));
    }
    runner.options.emit!({ type: 'paused' });
    const run = h.posted.filter((e) => e.type === 'run');
    // The first batch (a new network), one every 100 ms, and the epoch's last batch.
    expect(run.map((e) => (e.event.type === 'progress' ? e.event.batch : e.event.type))).toEqual([
      1,
      6,
      11,
      16,
      20,
      'paused',
    ]);
    expect(run.flatMap((e) => e.losses ?? []).map((p) => p.loss)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('starts helper Workers on wasm, and trains on one core when they fail', async () => {
    const h = harness({ startPeers: vi.fn(async () => Promise.reject(new Error('no Worker'))) });
    h.controller.handle(startCommand({ peers: 2 }));
    const runner = await h.started();
    expect(h.deps.startPeers).toHaveBeenCalledWith(2, 'wasm', 'http://lab/tfjs-wasm/');
    expect(h.posted).toContainEqual({
      type: 'stage',
      stage: 'backend',
      message: 'Starting 2 helper Workers for the other cores',
    });
    expect(h.deps.warn).toHaveBeenCalledWith('training on one core: the helper Workers did not start (no Worker)');
    expect(runner.options.peers).toEqual([]);
    expect(runner.options.environment.threads).toBe(1);
  });

  it('checks dropped files without starting a run', async () => {
    const h = harness();
    const files = [new File(['a'], 'train-images-idx3-ubyte.gz'), new File(['b'], 'cat.png')];
    const checked = h.next('files-checked');
    h.controller.handle({ type: 'check-files', dataset: 'mnist', files });
    expect(await checked).toEqual({
      type: 'files-checked',
      results: [
        { name: 'train-images-idx3-ubyte.gz', ok: true, message: 'checked train-images-idx3-ubyte.gz' },
        { name: 'cat.png', ok: false, message: 'checked cat.png' },
      ],
    });
    expect(h.runners).toEqual([]);
  });

  it('passes on how auto chose, and keeps the helpers it started to time wasm', async () => {
    const helper = { loaded: null, load: vi.fn(), gradients: vi.fn(), predict: vi.fn(), dispose: vi.fn() };
    const selection = {
      how: 'measured' as const,
      chosen: 'wasm',
      timings: [
        { backend: 'webgpu', imagesPerSecond: 900 },
        { backend: 'wasm', helpers: 1, imagesPerSecond: 2400 },
      ],
      summary: 'wasm + 1 helper 2,400 img/s vs WebGPU 900 img/s → wasm',
    };
    const h = harness();
    vi.mocked(h.deps.backend.start).mockImplementation(async (_p, options) => {
      options.onStage?.('Choosing the fastest backend: timing a few training steps on webgpu and wasm…');
      return {
        backend: 'wasm',
        reason: `fastest measured: ${selection.summary}`,
        tried: [],
        selection,
        helpers: [helper],
      };
    });
    h.controller.handle(startCommand({ peers: 1 }));
    const runner = await h.started();
    expect(h.posted).toContainEqual({
      type: 'stage',
      stage: 'backend',
      message: 'Choosing the fastest backend: timing a few training steps on webgpu and wasm…',
    });
    expect(h.posted.find((e) => e.type === 'backend')).toMatchObject({ selection });
    expect(h.deps.startPeers).not.toHaveBeenCalled();
    expect(runner.options.peers).toEqual([helper]);
    expect(runner.options.environment.threads).toBe(2);
    // The helpers auto would start are wasm's, for this run's peers.
    const { helpers } = vi.mocked(h.deps.backend.start).mock.calls[0][1];
    expect(helpers?.count).toBe(1);
    await helpers!.start();
    expect(h.deps.startPeers).toHaveBeenCalledWith(1, 'wasm', 'http://lab/tfjs-wasm/');
  });

  describe('a lost WebGPU device', () => {
    /** A run on webgpu whose device can be lost; wasm starts when asked for. */
    function onWebGpu() {
      const lost = deferred<string>();
      const h = harness();
      vi.mocked(h.deps.backend.start).mockImplementation(async (preference) =>
        preference === 'wasm'
          ? { backend: 'wasm', reason: 'wasm as requested', tried: ['wasm: ok'] }
          : { backend: 'webgpu', reason: 'fastest measured', tried: ['webgpu: ok'], lost: lost.promise },
      );
      return { h, lost };
    }

    it('continues on wasm from the last finished generation, and records the change', async () => {
      const { h, lost } = onWebGpu();
      h.controller.handle(startCommand());
      const first = await h.started();
      expect(first.options.environment.backend).toBe('webgpu');
      // No export timed on webgpu (it lost SwiftShader's device); on wasm, every network's.
      expect(first.options.measureExport).toBe(false);
      await first.options.onCheckpoint!({ ...checkpointOf(config, 1), environment: first.options.environment });
      await first.options.onCheckpoint!({ ...checkpointOf(config, 2), environment: first.options.environment });
      h.controller.handle({ type: 'change-settings', patch: { generations: 6 } });
      h.controller.handle({ type: 'pause' });

      lost.resolve('Device was destroyed.');
      await h.quiet();
      expect(h.runners).toHaveLength(2);
      const second = h.runners[1];
      expect(h.deps.backend.start).toHaveBeenLastCalledWith('wasm', { wasmBaseUrl: 'http://lab/tfjs-wasm/' });
      expect(h.posted).toContainEqual({
        type: 'stage',
        stage: 'backend',
        message: "The GPU device was lost (Device was destroyed.); continuing on wasm from generation 2's checkpoint…",
      });
      expect(h.posted.filter((e) => e.type === 'backend').at(-1)).toMatchObject({
        backend: 'wasm',
        reason: "the WebGPU device was lost (Device was destroyed.); continued on wasm from generation 2's checkpoint",
      });
      expect(second.options.checkpoint?.generation).toBe(2);
      expect(second.options.measureExport).toBe(true);
      expect(second.options.environment).toMatchObject({
        backend: 'wasm',
        backendReason: expect.stringMatching(/device was lost/),
        backendChanges: [{ afterGeneration: 2, from: 'webgpu', to: 'wasm', reason: 'Device was destroyed.' }],
      });
      // Where the last runner was left: the settings change, and paused.
      expect(second.calls).toEqual(['change {"generations":6}', 'pause']);

      // The abandoned runner is silenced and stops at its next batch boundary.
      const before = h.posted.length;
      first.options.emit!({ type: 'paused' });
      await first.options.onCheckpoint!(checkpointOf(config, 3));
      expect(h.posted.length).toBe(before);
      expect(h.storage.stores.checkpoints.get(checkpointKey('run-1'))).toMatchObject({ generation: 2 });
      await expect(first.options.yieldToHost!()).rejects.toThrow(/device was lost/);
      first.finished.reject(new Error('mapAsync: device lost'));

      // Commands now reach the new runner.
      h.controller.handle({ type: 'resume' });
      expect(second.calls.at(-1)).toBe('resume');
      const done = h.next('done');
      second.finished.resolve({ finished: true } as RunReport);
      expect((await done).report.finished).toBe(true);
      expect(h.types()).not.toContain('error');
    });

    it('starts over on wasm when no generation had finished, also when the failed read comes first', async () => {
      const { h, lost } = onWebGpu();
      h.controller.handle(startCommand({ ancestor: { kind: 'train', storeAs: null } }));
      const first = await h.started();
      // The failed read settles first; `lost` follows while the controller waits for it.
      const confirming = deferred<void>();
      vi.mocked(h.deps.delay).mockReturnValueOnce(confirming.promise);
      first.finished.reject(new Error('mapAsync failed'));
      await h.quiet();
      expect(h.deps.delay).toHaveBeenCalledWith(5000);
      expect(h.runners).toHaveLength(1);
      lost.resolve('GPU reset');
      await h.quiet();
      expect(h.runners).toHaveLength(2);
      expect(h.runners[1].options.checkpoint).toBeUndefined();
      expect(h.runners[1].options.environment.backendChanges).toEqual([
        { afterGeneration: 0, from: 'webgpu', to: 'wasm', reason: 'GPU reset' },
      ]);
      expect(h.posted).toContainEqual(
        expect.objectContaining({ message: expect.stringMatching(/from the start \(no generation had finished\)/) }),
      );
    });

    it('reports an ordinary error on webgpu as an error', async () => {
      const { h } = onWebGpu();
      h.controller.handle(startCommand());
      const runner = await h.started();
      const failed = h.next('error');
      runner.finished.reject(new Error('out of memory'));
      expect(await failed).toEqual({ type: 'error', kind: 'internal', message: 'out of memory' });
      expect(h.runners).toHaveLength(1);
      // It waited for a loss that did not come before calling it an error.
      expect(h.deps.delay).toHaveBeenCalledWith(5000);
    });

    it('stops at the checkpoint when asked to stop before the loss', async () => {
      const { h, lost } = onWebGpu();
      h.controller.handle(startCommand());
      const first = await h.started();
      await first.options.onCheckpoint!(checkpointOf(config, 1));
      h.controller.handle({ type: 'pause' });
      h.controller.handle({ type: 'stop-after-generation' });
      lost.resolve('sleep');
      await h.quiet();
      expect(h.runners[1].calls).toEqual(['stop']);
    });
  });
});

describe('folder datasets and model export (issue 20)', () => {
  it('reads an IDX or image-folder dataset from the dropped folder, not the served files', async () => {
    const h = harness();
    const folder = { kind: 'zip' as const, name: 'pets', file: new File([], 'pets.zip') };
    h.controller.handle(
      startCommand({
        config: resolveConfig({ dataset: 'images', mode: 'asexual', generations: 2 }),
        data: { baseUrl: 'http://lab/data/', files: [], folder },
      }),
    );
    await h.started();
    expect(h.deps.data.openFolder).toHaveBeenCalledWith('images', folder, expect.any(Function));
    expect(h.deps.data.load).not.toHaveBeenCalled();
    expect(h.posted).toContainEqual({ type: 'stage', stage: 'data', message: 'Reading pets' });
    expect(h.posted).toContainEqual({
      type: 'stage',
      stage: 'data',
      message: 'Reading pets: cat/1.png',
      done: 1,
      total: 2,
    });
  });

  it('says what to do when nothing was dropped for a folder dataset', async () => {
    const h = harness();
    const error = h.next('error');
    h.controller.handle(startCommand({ config: resolveConfig({ dataset: 'idx', mode: 'asexual', generations: 2 }) }));
    expect(await error).toMatchObject({ kind: 'dataset', message: expect.stringMatching(/are not here/) });
  });

  it('exports a network from the generation’s kept genomes, after starting a backend', async () => {
    const h = harness();
    h.controller.handle(startCommand());
    const runner = await h.started();
    const g = {
      layers: [
        {
          spec: { name: 'c', kind: 'conv' as const, filters: 1, inChannels: 1, kernelH: 1, kernelW: 1 },
          weights: Float32Array.of(0.5),
          mask: Uint8Array.of(1),
          bias: Float32Array.of(0),
        },
      ],
      output: { inUnits: 1, outUnits: 1, weights: Float32Array.of(1), bias: Float32Array.of(0) },
    };
    await runner.options.onCheckpoint!({ ...checkpointOf(config, 2), population: [g, g] });
    expect(h.storage.keys('checkpoints')).toContain(genomesKey('run-1', 2));

    const exporter = harness({ storage: h.storage });
    const done = exporter.next('model-exported');
    const record = { generation: 2, individual: 1 } as never;
    exporter.controller.handle({
      type: 'export-model',
      runId: 'run-1',
      record,
      run: { config },
      wasmBaseUrl: 'http://lab/tfjs-wasm/',
    });
    const ev = await done;
    expect(ev.summary).toMatchObject({ generation: 2, individual: 1, bytes: 1 });
    expect(exporter.deps.backend.start).toHaveBeenCalledWith('wasm', { wasmBaseUrl: 'http://lab/tfjs-wasm/' });
    const [genome, gotRecord] = vi.mocked(exporter.deps.exportNetwork).mock.calls[0];
    expect(gotRecord).toBe(record);
    expect(Array.from(genome.layers[0].weights)).toEqual([0.5]);

    const failed = exporter.next('export-failed');
    exporter.controller.handle({
      type: 'export-model',
      runId: 'run-1',
      record: { generation: 3, individual: 0 } as never,
      run: { config },
      wasmBaseUrl: 'http://lab/tfjs-wasm/',
    });
    expect((await failed).message).toMatch(/generation 3's networks are not kept in this browser/);
  });

  it('answers a folder check', async () => {
    const h = harness();
    const answer = h.next('folder-checked');
    h.controller.handle({
      type: 'check-folder',
      dataset: 'images',
      folder: { kind: 'files', name: 'pets', files: [] },
    });
    expect(await answer).toEqual({ type: 'folder-checked', ok: true, message: 'read pets' });
  });
});
