/**
 * Issue 19's modes and settings through the generation loop. The networks are not trained
 * (0 epochs): what is checked is what the loop does with them, not how well they learn.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fitnessMatingWeights, keptCount } from '../evolution';
import type { ImageDataset } from '../data';
import { resolveConfig, type DeepPartial, type RunConfig } from './config';
import type { Checkpoint, NetworkRecord } from './records';
import { ExperimentRunner } from './runner';
import { loadRunnerData, type RunnerData } from '../testing/runner-data';

let train: ImageDataset;
let test: ImageDataset;
let environment: RunnerData['environment'];

beforeAll(async () => {
  ({ train, test, environment } = await loadRunnerData());
});

const untrained: DeepPartial<RunConfig> = {
  generations: 4,
  ancestorEpochs: 0,
  epochsPerGeneration: 0,
  trainSubset: 100,
  testSubset: 100,
  seed: 3,
};

async function run(partial: DeepPartial<RunConfig>, checkpoint?: Checkpoint) {
  const checkpoints: Checkpoint[] = [];
  const runner = new ExperimentRunner(resolveConfig({ ...untrained, ...partial }), {
    train,
    test,
    environment,
    checkpoint,
    onCheckpoint: (c) => {
      checkpoints.push(c);
    },
  });
  const report = await runner.run();
  return { records: report.records, checkpoints };
}

const ofGeneration = (records: NetworkRecord[], g: number) => records.filter((r) => r.generation === g);

describe('issue 19 in the generation loop', () => {
  it('magnitude pruning keeps exactly round(ρ·N) synapses each generation and records it like asexual synthesis', async () => {
    const { records } = await run({ mode: 'magnitude' });
    expect(records.map((r) => [r.generation, r.mode, r.parents.join()])).toEqual([
      [1, 'magnitude', ''],
      [2, 'magnitude', '0'],
      [3, 'magnitude', '0'],
      [4, 'magnitude', '0'],
    ]);
    let n = 143_136;
    for (const r of records.slice(1)) {
      n = keptCount(0.7, n);
      expect(r.synapses).toBe(n);
      expect(r.synthesis).toMatchObject({ rho: 0.7, pruning: { method: 'magnitude' }, retention: expect.any(Number) });
      expect(r.synthesis!.removed.synapses).toBe(r.synthesis!.nRef - n);
    }
  });

  it('a ρ schedule sets each generation’s ρ, and the record keeps it', async () => {
    const { records } = await run({ mode: 'random', rhoSchedule: '0.9,0.5', generations: 5 });
    expect(records.slice(1).map((r) => r.synthesis!.rho)).toEqual([0.9, 0.5, 0.5, 0.5]);
    expect(records[1].synapses).toBe(keptCount(0.9, 143_136));
    expect(records[2].synapses).toBe(keptCount(0.5, records[1].synapses));
    const stepped = await run({ mode: 'asexual', rhoSchedule: 'ramp:0.9:0.6' });
    stepped.records.slice(1).forEach((r, i) => expect(r.synthesis!.rho).toBeCloseTo([0.9, 0.75, 0.6][i], 12));
  });

  it('fitness-weighted mating weighs each pair of parents by the softmax of their accuracies', async () => {
    const { records } = await run({ mode: 'sexual', population: 3, mating: { fitnessTemperature: 0.05 } });
    for (const g of [3, 4]) {
      const previous = ofGeneration(records, g - 1);
      for (const r of ofGeneration(records, g)) {
        const expected = fitnessMatingWeights(
          r.parents.map((p) => previous[p].testAccuracy),
          0.05,
        );
        expect(r.synthesis!.matingWeights).toEqual(expected);
        expect(expected.cluster[0] + expected.cluster[1]).toBeCloseTo(1, 14);
      }
    }
    // Untrained siblings still differ in accuracy, so some pairs are weighed unequally.
    expect(records.some((r) => r.generation >= 3 && r.synthesis!.matingWeights.cluster[0] !== 0.5)).toBe(true);
    // Off: the fixed (equal) weights.
    const fixed = await run({ mode: 'sexual', generations: 3 });
    expect(fixed.records[3].synthesis!.matingWeights).toEqual({ cluster: [0.5, 0.5], synapse: [0.5, 0.5] });
  });

  it('tournaments pick two distinct parents from a larger population', async () => {
    const { records } = await run({ mode: 'sexual', population: 4, parentSelection: 'tournament', tournamentSize: 3 });
    for (const r of records.filter((x) => x.generation >= 3)) {
      expect(r.parents).toHaveLength(2);
      expect(r.parents[0]).not.toBe(r.parents[1]);
    }
  });

  it('two ancestors: generation 1 holds both, generation 2 mates them; a one-ancestor checkpoint grows the second', async () => {
    const both = await run({ mode: 'sexual', ancestors: 2, generations: 3 });
    const first = ofGeneration(both.records, 1);
    expect(first.map((r) => r.individual)).toEqual([0, 1]);
    expect(ofGeneration(both.records, 2).map((r) => r.parents)).toEqual([
      [0, 1],
      [0, 1],
    ]);
    // The second ancestor is another network (its own start), not a copy of the first.
    const [a, b] = both.checkpoints[0].population;
    expect(a.layers[0].weights.some((w, j) => w !== b.layers[0].weights[j])).toBe(true);

    const single = await run({ mode: 'sexual', generations: 1 });
    expect(single.checkpoints[0].population).toHaveLength(1);
    const grown = await run({ mode: 'sexual', ancestors: 2, generations: 3 }, single.checkpoints[0]);
    const strip = (rs: NetworkRecord[]) =>
      rs.map(({ trainSeconds: _t, imagesPerSecond: _i, inferenceImagesPerSecond: _s, ...rest }) => rest);
    expect(strip(grown.records)).toEqual(strip(both.records));
  });

  it('islands mate within themselves and exchange one parent with the next island every k generations', async () => {
    const { records } = await run({
      mode: 'sexual',
      population: 4,
      islands: 2,
      migrationInterval: 2,
      generations: 5,
    });
    const island = (j: number) => (j < 2 ? 0 : 1);
    for (const g of [3, 5])
      for (const r of ofGeneration(records, g))
        expect(r.parents.map(island)).toEqual([island(r.individual), island(r.individual)]);
    for (const r of ofGeneration(records, 4))
      expect(r.parents.map(island)).toEqual([island(r.individual), 1 - island(r.individual)]);
  });

  it('layer floors keep conv1 alive under a harsh budget', async () => {
    const { records } = await run({
      mode: 'asexual',
      generations: 5,
      synthesis: { budget: { rho: 0.2 }, layerFloor: { synapseShare: 0.1, filters: 6 } },
    });
    for (const r of records.slice(1)) {
      expect(r.perLayer[0].synapses).toBeGreaterThanOrEqual(80);
      expect(r.perLayer.every((l) => l.clusters >= 6)).toBe(true);
    }
    expect(records.at(-1)!.synthesis!.floorAdded).toBeGreaterThan(0);
  });
});
