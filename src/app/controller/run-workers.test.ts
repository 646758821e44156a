/**
 * The lab's run Workers through the controller's API, with fake Workers and fake timers: what
 * each Worker is told, how its events reach the store, CPU turns, and the shared ancestor.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NetworkRecord, RunReport } from '../../experiment/records';
import { FakeWorker, labHarness, type LabHarness } from '../../testing/lab-harness';
import { ancestorKey, checkpointKey, type WorkerEvent } from '../../worker/protocol';
import { configFor, liveSettingsFor } from '../setup';
import type { StoredSession } from '../state';
import { FLUSH_MS, LIVE_SETTINGS_DELAY_MS, PROGRESS_RATE, SLICE_MS } from './run-workers';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Starts the default comparison (asexual and sexual) and returns their Workers. */
async function start(h: LabHarness): Promise<[FakeWorker, FakeWorker]> {
  h.lab.startComparison();
  await vi.advanceTimersByTimeAsync(0);
  return [h.worker(0), h.worker(1)];
}

const record = (generation: number, individual = 0) => ({ generation, individual }) as NetworkRecord;

function report(h: LabHarness, generations: number[], finished = false): RunReport {
  return {
    config: h.state().runs[0].config,
    environment: { backend: 'wasm', backendReason: '', runtime: 'test', tfjsVersion: '', startedAt: '' },
    ancestor: { synapses: 143_136, kernels: 7_200 },
    records: generations.map((g) => record(g)),
    configChanges: [],
    finished,
  };
}

const checkpoint = (h: LabHarness, generation: number): WorkerEvent => ({
  type: 'checkpoint',
  generation,
  report: report(
    h,
    Array.from({ length: generation }, (_, i) => i + 1),
  ),
  stored: true,
});

const stage = (message: string): WorkerEvent => ({ type: 'stage', stage: 'data', message });

describe('run Workers', () => {
  it('starts one Worker per run in a task after the click, each with its start command', async () => {
    const h = labHarness();
    h.lab.startComparison();
    expect(h.workers).toEqual([]);
    expect(h.state().runs.map((r) => [r.id, r.label, r.status])).toEqual([
      ['session1-0', 'asexual', 'ready'],
      ['session1-1', 'sexual', 'ready'],
    ]);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.workers.map((w) => w.name)).toEqual(['evolab asexual', 'evolab sexual']);
    const [asexual, sexual] = h.workers;
    const { setup } = h.state();
    expect(asexual.commands).toEqual([
      {
        type: 'start',
        runId: 'session1-0',
        config: configFor(setup, setup.runs[0]),
        data: { baseUrl: 'http://lab.test/data/', files: [], folder: null },
        ancestor: { kind: 'train', storeAs: ancestorKey('session1') },
        wasmBaseUrl: 'http://lab.test/tfjs-wasm/',
        live: liveSettingsFor(setup, setup.runs[0]),
        progressPerSecond: PROGRESS_RATE,
        shareCpu: true,
        peers: 0,
      },
    ]);
    // The first run trains the shared ancestor; the other prepares and waits for it.
    expect(sexual.sent('start')[0]).toMatchObject({ runId: 'session1-1', ancestor: { kind: 'wait' } });
    expect(h.state().runs.map((r) => [r.status, r.trainsAncestor, r.stage?.message])).toEqual([
      ['starting', true, 'Starting the Worker…'],
      ['starting', false, 'Starting the Worker…'],
    ]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.location.search).toContain('session=session1');
    expect(h.storage.keys('sessions')).toEqual(['session1']);
  });

  it('starts from the shipped ancestor when the site has one', async () => {
    const h = labHarness();
    h.store.setState({ shippedAncestor: 'present' });
    const [asexual, sexual] = await start(h);
    for (const w of [asexual, sexual])
      expect(w.sent('start')[0].ancestor).toEqual({ kind: 'url', url: 'http://lab.test/ancestors/mnist.json' });
  });

  it('gives each run helper Workers where there are cores for them, or as many as ?peers= says', async () => {
    const eight = labHarness({ cores: 8 });
    expect((await start(eight)).map((w) => w.sent('start')[0].peers)).toEqual([2, 2]);
    const forced = labHarness({ cores: 2, search: '?peers=3' });
    expect((await start(forced)).map((w) => w.sent('start')[0].peers)).toEqual([3, 3]);
  });

  it('starts nothing while dataset files are missing or the setup has a problem', async () => {
    const h = labHarness();
    h.store.setState((s) => ({ data: { ...s.data, missing: ['train-images-idx3-ubyte.gz'] } }));
    h.lab.startComparison();
    expect(h.notices()).toEqual([
      'error: The dataset files train-images-idx3-ubyte.gz are missing: see "Data" for what to do.',
    ]);
    h.store.setState((s) => ({ data: { ...s.data, missing: [] }, setup: { ...s.setup, runs: [] } }));
    h.lab.startComparison();
    h.lab.resumeComparison();
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.notices().at(-1)).toBe('error: add at least one run to compare');
    expect(h.workers).toEqual([]);
    expect(h.state().runs).toEqual([]);
  });

  it(`folds events into the store in one update per ${FLUSH_MS} ms`, async () => {
    const h = labHarness();
    const [a, b] = await start(h);
    const before = h.updates();
    a.emit(stage('Loading MNIST'));
    b.emit(stage('Loading MNIST'));
    a.emit(stage('Loading MNIST: train-images'));
    await vi.advanceTimersByTimeAsync(FLUSH_MS - 1);
    expect(h.updates()).toBe(before);
    expect(h.state().runs[0].stage?.message).toBe('Starting the Worker…');
    await vi.advanceTimersByTimeAsync(1);
    expect(h.updates()).toBe(before + 1);
    expect(h.state().runs.map((r) => r.stage?.message)).toEqual(['Loading MNIST: train-images', 'Loading MNIST']);
  });

  it('saves a finished generation at once, other run events soon after, and progress never', async () => {
    const h = labHarness();
    const [a] = await start(h);
    await vi.advanceTimersByTimeAsync(1000); // the save after starting
    const put = vi.spyOn(h.storage, 'put');
    a.emit({
      type: 'run',
      event: {
        type: 'progress',
        generation: 1,
        generations: 3,
        individual: 0,
        population: 1,
        phase: 'train',
        epoch: 1,
        epochs: 1,
        batch: 1,
        batches: 10,
        loss: 2,
      },
    });
    await vi.advanceTimersByTimeAsync(FLUSH_MS + 1000);
    expect(put).not.toHaveBeenCalled();

    a.emit(checkpoint(h, 1));
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    expect(put).not.toHaveBeenCalled();
    // A zero delay set while a timer runs fires 1 ms later under fake timers: that is "at once".
    await vi.advanceTimersByTimeAsync(1);
    expect(put).toHaveBeenCalledTimes(1);
    const saved = h.storage.stores.sessions.get('session1') as StoredSession;
    expect(saved.runs[0].records.map((r) => r.generation)).toEqual([1]);
    expect(h.state().runs[0].savedGeneration).toBe(1);

    a.emit({ type: 'run', event: { type: 'paused' } });
    await vi.advanceTimersByTimeAsync(FLUSH_MS + 299);
    expect(put).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(put).toHaveBeenCalledTimes(2);
    expect((h.storage.stores.sessions.get('session1') as StoredSession).runs[0].status).toBe('paused');
  });

  it('says when the runs cannot be saved', async () => {
    const h = labHarness();
    h.storage.failure = new Error('QuotaExceededError');
    await start(h);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.notices()).toEqual([
      'error: Could not save the runs in this browser (IndexedDB): QuotaExceededError. Export them to keep them.',
    ]);
  });

  it('lets one Worker train at a time on 2 cores, in turns, and marks the one waiting', async () => {
    const h = labHarness({ cores: 2 });
    const [a, b] = await start(h);
    a.emit({ type: 'cpu-wanted' });
    expect(a.sent('grant')).toEqual([{ type: 'grant', sliceMs: SLICE_MS }]);
    b.emit({ type: 'cpu-wanted' });
    expect(b.sent('grant')).toEqual([]);
    expect(h.state().runs.map((r) => r.waitingForCpu)).toEqual([false, true]);
    // a's slice is over: b's turn.
    a.emit({ type: 'cpu-wanted' });
    expect(b.sent('grant')).toHaveLength(1);
    expect(a.sent('grant')).toHaveLength(1);
    expect(h.state().runs.map((r) => r.waitingForCpu)).toEqual([true, false]);
    // b waits for the ancestor: it gives the core back, and a goes on.
    b.emit({ type: 'cpu-released' });
    expect(a.sent('grant')).toHaveLength(2);
    expect(h.state().runs.map((r) => r.waitingForCpu)).toEqual([false, false]);
  });

  it('frees a finished run’s core and Worker, and ignores what a terminated Worker still sends', async () => {
    const h = labHarness({ cores: 2 });
    const [a, b] = await start(h);
    a.emit({ type: 'cpu-wanted' });
    b.emit({ type: 'cpu-wanted' });
    b.emit({ type: 'done', report: report(h, [1, 2, 3], true) });
    a.emit({ type: 'done', report: report(h, [1, 2, 3], true) });
    expect(b.sent('grant')).toEqual([]); // it left the queue without a turn
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    expect([a.terminated, b.terminated]).toEqual([true, true]);
    expect(h.state().runs.map((r) => r.status)).toEqual(['completed', 'completed']);
    await vi.advanceTimersByTimeAsync(1); // the save
    const before = h.updates();
    a.emit(stage('late'));
    a.emit({ type: 'cpu-wanted' });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    expect(h.updates()).toBe(before);
    expect(a.sent('grant')).toHaveLength(1);
  });

  it('pauses, continues and stops every Worker after its generation', async () => {
    const h = labHarness();
    const [a, b] = await start(h);
    h.lab.pauseAll();
    expect(h.state().paused).toBe(true);
    h.lab.continueAll();
    expect(h.state().paused).toBe(false);
    h.lab.stopAfterGeneration();
    for (const w of [a, b])
      expect(w.commands.slice(1)).toEqual([{ type: 'pause' }, { type: 'resume' }, { type: 'stop-after-generation' }]);
    expect(h.state().runs.map((r) => r.status)).toEqual(['stopping', 'stopping']);
  });

  it('"Next generation" tells every running Worker to finish one generation and pause', async () => {
    const h = labHarness();
    const [a, b] = await start(h);
    h.lab.stepGeneration();
    for (const w of [a, b]) expect(w.commands.slice(1)).toEqual([{ type: 'step' }]);
    // The header then offers Continue: the runs pause by themselves at the generation's end.
    expect(h.state().paused).toBe(true);
  });

  it('"Next generation" before a comparison starts it so that each run pauses after its first generation', async () => {
    const h = labHarness();
    h.lab.stepGeneration();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.workers).toHaveLength(2);
    for (const w of h.workers) expect(w.commands.map((c) => c.type)).toEqual(['start', 'step']);
    expect(h.state().paused).toBe(true);
    // And a stopped comparison goes on the same way, one generation.
    h.lab.stopAfterGeneration();
    h.worker(0).emit({ type: 'done', report: report(h, [1]) });
    h.worker(1).emit({ type: 'done', report: report(h, [1]) });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    h.lab.stepGeneration();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.workers).toHaveLength(4);
    for (const w of h.workers.slice(2)) expect(w.commands.map((c) => c.type)).toEqual(['start', 'step']);
  });

  it('sends the settings moved during a run once the slider rests', async () => {
    const h = labHarness();
    const [a, b] = await start(h);
    h.lab.updateSetup((s) => ({ ...s, rho: 0.4 }));
    await vi.advanceTimersByTimeAsync(LIVE_SETTINGS_DELAY_MS - 1);
    h.lab.updateSetup((s) => ({ ...s, rho: 0.3 }));
    await vi.advanceTimersByTimeAsync(LIVE_SETTINGS_DELAY_MS - 1);
    expect(a.sent('change-settings')).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    const { setup } = h.state();
    expect(a.sent('change-settings')).toEqual([
      { type: 'change-settings', patch: liveSettingsFor(setup, setup.runs[0]) },
    ]);
    expect(b.sent('change-settings')).toHaveLength(1);
    expect(a.sent('change-settings')[0].patch.synthesis?.budget?.rho).toBe(0.3);
  });

  it('sends a slider moved just before Continue or Next generation ahead of them, once', async () => {
    const h = labHarness();
    const [a, b] = await start(h);
    h.lab.pauseAll();
    h.lab.updateSetup((s) => ({ ...s, rho: 0.4 }));
    h.lab.continueAll();
    const { setup } = h.state();
    for (const [w, i] of [
      [a, 0],
      [b, 1],
    ] as const)
      expect(w.commands.slice(1)).toEqual([
        { type: 'pause' },
        { type: 'change-settings', patch: liveSettingsFor(setup, setup.runs[i]) },
        { type: 'resume' },
      ]);
    h.lab.updateSetup((s) => ({ ...s, rho: 0.35 }));
    h.lab.stepGeneration();
    expect(a.commands.slice(-2).map((c) => c.type)).toEqual(['change-settings', 'step']);
    expect(a.sent('change-settings')[1].patch.synthesis?.budget?.rho).toBe(0.35);
    // Their resting delay ended: nothing is sent twice.
    await vi.advanceTimersByTimeAsync(LIVE_SETTINGS_DELAY_MS);
    expect(a.sent('change-settings')).toHaveLength(2);
    // Without a slider moved, Continue sends only itself.
    h.lab.continueAll();
    expect(a.commands.at(-1)).toEqual({ type: 'resume' });
    expect(a.sent('change-settings')).toHaveLength(2);
  });

  it('hands the stored ancestor to the runs waiting for it', async () => {
    const h = labHarness();
    const [a, b] = await start(h);
    a.emit({ type: 'ancestor-ready', key: ancestorKey('session1') });
    expect(h.state().ancestorStored).toBe(true);
    expect(b.sent('ancestor')).toEqual([
      { type: 'ancestor', source: { kind: 'stored', key: ancestorKey('session1') } },
    ]);
    expect(a.sent('ancestor')).toEqual([]); // it trained it
  });

  it('fails the waiting runs when the ancestor cannot be trained', async () => {
    const h = labHarness();
    const [a, b] = await start(h);
    a.emit({ type: 'error', kind: 'dataset', message: 'mnist/train-images-idx3-ubyte.gz is truncated' });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    expect(h.state().runs.map((r) => [r.status, r.error])).toEqual([
      ['error', 'mnist/train-images-idx3-ubyte.gz is truncated'],
      ['error', 'the shared ancestor could not be trained (mnist/train-images-idx3-ubyte.gz is truncated)'],
    ]);
    expect([a.terminated, b.terminated]).toEqual([true, true]);
    expect(h.notices()).toEqual(['error: asexual: mnist/train-images-idx3-ubyte.gz is truncated']);
  });

  it('reports a Worker that fails as a whole', async () => {
    const h = labHarness();
    const [a] = await start(h);
    a.emit({ type: 'ancestor-ready', key: ancestorKey('session1') });
    a.fail();
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    expect(h.state().runs.map((r) => r.status)).toEqual(['error', 'starting']); // the ancestor was stored
    expect(h.notices()).toEqual(['error: asexual: the Worker failed: see the browser console']);
  });

  it('resumes the runs that are not finished, each from its own checkpoint or the shared ancestor', async () => {
    const h = labHarness();
    const [a, b] = await start(h);
    a.emit(checkpoint(h, 1));
    a.emit({ type: 'ancestor-ready', key: ancestorKey('session1') });
    h.lab.stopAfterGeneration();
    a.emit({ type: 'done', report: report(h, [1]) });
    b.emit({ type: 'done', report: report(h, []) });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    expect(h.state().runs.map((r) => r.status)).toEqual(['stopped', 'stopped']);

    h.lab.resumeComparison();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.workers).toHaveLength(4);
    expect(h.worker(0).sent('start')[0].ancestor).toEqual({ kind: 'stored', key: checkpointKey('session1-0') });
    expect(h.worker(1).sent('start')[0].ancestor).toEqual({ kind: 'stored', key: ancestorKey('session1') });
    // Resuming again while they run starts nothing more.
    h.lab.resumeComparison();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.workers).toHaveLength(4);
  });
});
