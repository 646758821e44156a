/**
 * The generation loop end to end on real MNIST, on the wasm backend as in the Node CLI.
 * Small subsets keep this to about a minute on 2 cores; nothing here is timed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageDataset } from '../data';
import { clusterStrengths } from '../evolution';
import { resolveConfig, type DeepPartial, type RunConfig } from './config';
import type { Checkpoint, RunEvent } from './records';
import { ExperimentRunner } from './runner';
import { deserialiseCheckpoint, serialiseCheckpoint } from './serialise';
import { loadRunnerData, type RunnerData } from '../testing/runner-data';

let train: ImageDataset;
let test: ImageDataset;
let environment: RunnerData['environment'];

beforeAll(async () => {
  ({ train, test, environment } = await loadRunnerData());
});

function runner(
  partial: DeepPartial<RunConfig>,
  extra: Partial<ConstructorParameters<typeof ExperimentRunner>[1]> = {},
) {
  const events: RunEvent[] = [];
  const checkpoints: Checkpoint[] = [];
  const r = new ExperimentRunner(resolveConfig(partial), {
    train,
    test,
    environment,
    emit: (e) => events.push(e),
    onCheckpoint: (c) => {
      checkpoints.push(c);
    },
    ...extra,
  });
  return { r, events, checkpoints };
}

describe('experiment runner', () => {
  it('runs on wasm in Node', () => {
    expect(environment.backend).toBe('wasm');
  });

  it('evolves a 3-generation sexual run on 2,000 MNIST images, well above chance, growing more efficient', async () => {
    const { r, events, checkpoints } = runner({
      mode: 'sexual',
      generations: 3,
      ancestorEpochs: 3,
      epochsPerGeneration: 1,
      trainSubset: 2000,
      testSubset: 1000,
      seed: 7,
    });
    const report = await r.run();
    expect(report.finished).toBe(true);
    expect(report.ancestor).toEqual({ synapses: 143_136, kernels: 7_200 });
    expect(report.records.map((x) => [x.generation, x.individual])).toEqual([
      [1, 0],
      [2, 0],
      [2, 1],
      [3, 0],
      [3, 1],
    ]);
    const [ancestor, ...offspring] = report.records;
    expect(ancestor.synapticEfficiency).toBe(1);
    expect(ancestor.synthesis).toBeNull();
    for (const rec of report.records) {
      expect(rec.testImages).toBe(1000);
      expect(rec.testAccuracy).toBeGreaterThan(0.7); // chance is 0.1
    }
    // Generation 2 mates the ancestor with itself; generation 3 mates the two networks of generation 2.
    expect(offspring.filter((x) => x.generation === 2).every((x) => x.parents.join() === '0,0')).toBe(true);
    expect(offspring.filter((x) => x.generation === 3).every((x) => x.parents.join() === '0,1')).toBe(true);
    const meanEff = (g: number) => {
      const rs = report.records.filter((x) => x.generation === g);
      return rs.reduce((s, x) => s + x.synapticEfficiency, 0) / rs.length;
    };
    expect(meanEff(2)).toBeGreaterThan(1.2);
    expect(meanEff(3)).toBeGreaterThan(meanEff(2));
    for (const rec of offspring) {
      expect(rec.clusterEfficiency).toBeGreaterThanOrEqual(1);
      expect(rec.synthesis!.retention).toBeLessThan(1);
      expect(rec.kernelMasks.map((k) => k.layer)).toEqual(['conv1', 'conv2', 'conv3', 'fc1']);
      expect(rec.kernelMasks.reduce((s, k) => s + k.aliveKernels, 0)).toBe(rec.kernels);
    }
    // Events: one 'generation' per generation, progress with epoch and batch, and a checkpoint each time.
    expect(events.filter((e) => e.type === 'generation').map((e) => (e as { generation: number }).generation)).toEqual([
      1, 2, 3,
    ]);
    const progress = events.filter((e) => e.type === 'progress' && e.phase === 'train');
    expect(progress.length).toBeGreaterThan(10);
    expect(
      progress.some((e) => e.type === 'progress' && e.batch === e.batches && e.batches === Math.ceil(2000 / 64)),
    ).toBe(true);
    expect(events.at(-1)).toEqual({ type: 'finished', reason: 'completed', generations: 3 });
    expect(checkpoints.map((c) => c.generation)).toEqual([1, 2, 3]);
    expect(checkpoints[2].population).toHaveLength(2);
    // Each record carries its filters' strengths as a parent, and each offspring its mating weights.
    checkpoints[2].population.forEach((genome, i) => {
      const rec = report.records.find((x) => x.generation === 3 && x.individual === i)!;
      expect(rec.synthesis!.matingWeights).toEqual({ cluster: [0.5, 0.5], synapse: [0.5, 0.5] });
      genome.layers.forEach((layer, l) =>
        expect(rec.kernelMasks[l].clusterStrength).toEqual(
          Array.from(clusterStrengths(layer, { kind: 'mean' }), (x) => Number(x.toPrecision(5))),
        ),
      );
    });
    expect(ancestor.synthesis).toBeNull();
  });

  const tiny: DeepPartial<RunConfig> = {
    mode: 'sexual',
    generations: 3,
    ancestorEpochs: 1,
    epochsPerGeneration: 1,
    trainSubset: 300,
    testSubset: 200,
    seed: 11,
  };

  it('stops after the current generation and resumes from the checkpoint to the same result as an uninterrupted run', async () => {
    const whole = await runner(tiny).r.run();

    const first = runner(tiny);
    first.r.stopAfterGeneration(); // asked during generation 1: it finishes generation 1, then stops
    const partial = await first.r.run();
    expect(partial.finished).toBe(false);
    expect(partial.records.map((x) => x.generation)).toEqual([1]);
    expect(first.events.at(-1)).toEqual({ type: 'finished', reason: 'stopped', generations: 1 });

    // Through JSON, as the CLI and the browser store it.
    const saved = deserialiseCheckpoint(JSON.parse(JSON.stringify(serialiseCheckpoint(first.checkpoints.at(-1)!))));
    const resumed = await runner(tiny, { checkpoint: saved }).r.run();
    expect(resumed.finished).toBe(true);
    const strip = (rs: typeof whole.records) =>
      rs.map(({ trainSeconds: _t, imagesPerSecond: _i, inferenceImagesPerSecond: _s, ...rest }) => rest);
    expect(strip(resumed.records)).toEqual(strip(whole.records));
  });

  /**
   * Pausing is proved without a clock: the runner's between-batches hook (`yieldToHost`) says when
   * it reached the boundary after the pause; then the event loop turns over (setImmediate, no
   * timer) and no batch may have started. With the pause disabled, the next batch's progress
   * arrives within the first turn; 20 leave a wide margin.
   */
  const turns = async (n: number) => {
    for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
  };

  it('pauses between batches and resumes', async () => {
    let pausedAt = -1;
    let boundariesWhilePaused = 0;
    let reachedBoundary!: () => void;
    const atBoundary = new Promise<void>((resolve) => (reachedBoundary = resolve));
    const { r, events } = runner(
      { ...tiny, generations: 1 },
      {
        emit: (e) => {
          events.push(e);
          if (e.type === 'progress' && e.phase === 'train' && e.batch === 2 && pausedAt < 0) {
            pausedAt = events.length;
            r.pause();
          }
        },
        yieldToHost: async () => {
          if (pausedAt < 0) return;
          boundariesWhilePaused++;
          reachedBoundary();
        },
      },
    );
    const done = r.run();
    await atBoundary;
    await turns(20);
    expect(events.slice(pausedAt).filter((x) => x.type === 'progress')).toEqual([]);
    expect(boundariesWhilePaused).toBe(1);
    r.resume();
    await done;
    expect(pausedAt).toBeGreaterThan(0);
    expect(
      events
        .slice(pausedAt)
        .map((e) => e.type)
        .slice(0, 3),
    ).toEqual(['paused', 'resumed', 'progress']);
    expect(events.at(-1)).toMatchObject({ type: 'finished', reason: 'completed' });
  });

  it('does no work at all while paused before the first batch (a pause that arrives early holds at once)', async () => {
    let boundaries = 0;
    let reachedBoundary!: () => void;
    const atBoundary = new Promise<void>((resolve) => (reachedBoundary = resolve));
    const { r, events } = runner(
      { ...tiny, generations: 2 },
      {
        yieldToHost: async () => {
          boundaries++;
          reachedBoundary();
        },
      },
    );
    r.pause();
    const done = r.run();
    await atBoundary;
    await turns(20);
    expect(events.filter((e) => e.type === 'progress')).toEqual([]);
    expect(boundaries).toBe(1);
    r.resume();
    await done;
    expect(events.at(-1)).toMatchObject({ type: 'finished', reason: 'completed' });
  });

  it('"Next generation" runs exactly one more generation, then pauses before any work on the next', async () => {
    // Each 'paused' resolves the waiter of that moment; progress after it would be work while paused.
    let onPaused: (() => void) | null = null;
    const paused = () => new Promise<void>((resolve) => (onPaused = resolve));
    const { r, events, checkpoints } = runner(
      { ...tiny, generations: 3 },
      {
        emit: (e) => {
          events.push(e);
          if (e.type === 'paused') onPaused?.();
        },
      },
    );
    const progressSince = (i: number) => events.slice(i).filter((e) => e.type === 'progress');

    r.step(); // asked during generation 1 (before the run starts): finishes generation 1
    r.step(); // asking twice before it ends still runs one
    let pause = paused();
    const done = r.run();
    await pause;
    expect(checkpoints.map((c) => c.generation)).toEqual([1]);
    let mark = events.length;
    await turns(20);
    expect(progressSince(mark)).toEqual([]);
    expect(events.at(-2)).toMatchObject({ type: 'generation', generation: 1 });

    // Paused between generations: one step is the next generation, whole.
    pause = paused();
    r.step();
    await pause;
    expect(checkpoints.map((c) => c.generation)).toEqual([1, 2]);
    mark = events.length;
    await turns(20);
    expect(progressSince(mark)).toEqual([]);
    expect(events.filter((e) => e.type === 'progress' && e.generation === 3)).toEqual([]);

    // The last generation completes the run instead of pausing.
    r.step();
    const report = await done;
    expect(report.finished).toBe(true);
    expect(report.records.map((x) => x.generation)).toEqual([1, 2, 2, 3, 3]);
    expect(events.filter((e) => e.type === 'paused')).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ type: 'finished', reason: 'completed' });
  });

  it('applies a changed budget from the next generation and records the change', async () => {
    const { r, events } = runner({ ...tiny, generations: 3 });
    r.changeSettings({ synthesis: { budget: { rho: 0.3 } } });
    const report = await r.run();
    // Queued before the run: it applies at the first synthesised generation.
    // With the value before and after, so that an export can say what the run started from.
    expect(report.configChanges).toEqual([
      {
        generation: 2,
        changed: ['synthesis.budget.rho'],
        from: { 'synthesis.budget.rho': 0.7 },
        to: { 'synthesis.budget.rho': 0.3 },
      },
    ]);
    expect(events.some((e) => e.type === 'config-changed' && e.generation === 2)).toBe(true);
    for (const rec of report.records.filter((x) => x.generation > 1))
      expect(rec.synthesis!.expectedAfter).toBeLessThanOrEqual(0.3 * rec.synthesis!.nRef + 1e-6);
  });

  it('lets one trained ancestor seed an asexual run beside a sexual one', async () => {
    const first = runner({ ...tiny, generations: 1 });
    await first.r.run();
    const ancestorCheckpoint = first.checkpoints[0];
    const asexual = await runner(
      { ...tiny, mode: 'asexual', generations: 2 },
      { checkpoint: ancestorCheckpoint },
    ).r.run();
    expect(asexual.records.map((x) => [x.generation, x.mode])).toEqual([
      [1, 'asexual'],
      [2, 'asexual'],
    ]);
    expect(asexual.records[0].testAccuracy).toBe(first.checkpoints[0].records[0].testAccuracy);
    expect(asexual.records[1].parents).toEqual([0]);
  });
});
