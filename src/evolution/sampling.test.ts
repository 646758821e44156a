import { describe, expect, it } from 'vitest';
import type { LayerProbabilityInput } from './environment';
import { Rng } from './rng';
import { enforceHardBound, sampleMasks } from './sampling';
import { TINY_SPEC } from '../testing/genomes';

const input = (clusterP: number[], synapseP: number[]): LayerProbabilityInput[] => [
  { spec: TINY_SPEC, clusterP: Float64Array.from(clusterP), synapseP: Float64Array.from(synapseP) },
];

describe('sampling masks', () => {
  it('keeps each synapse with frequency min(1, r·P_c)·min(1, k·P_s)', () => {
    const layers = input([0.6, 1], [1, 0.5, 0.3, 0]);
    const k = 1.5;
    const r = 0.8;
    const expected = [0.48 * 1, 0.48 * 0.75, 0.8 * 0.45, 0];
    const trials = 20_000;
    const hits = [0, 0, 0, 0];
    let clustersWon = 0;
    const rng = new Rng(5);
    for (let t = 0; t < trials; t++) {
      const { masks, clustersKept } = sampleMasks(layers, k, r, rng);
      masks[0].forEach((m, j) => (hits[j] += m));
      clustersWon += clustersKept[0];
    }
    expected.forEach((p, j) => {
      const sd = Math.sqrt((p * (1 - p)) / trials);
      expect(Math.abs(hits[j] / trials - p)).toBeLessThanOrEqual(5 * sd + 1e-12);
    });
    // Cluster 0 wins with 0.48, cluster 1 with 0.8: 1.28 clusters per draw on average.
    expect(Math.abs(clustersWon / trials - 1.28)).toBeLessThan(0.03);
  });

  it('never keeps a synapse of probability 0, always keeps one of probability 1', () => {
    const layers = input([1, 1], [1, 0, 1, 0]);
    const rng = new Rng(1);
    for (let t = 0; t < 200; t++) expect(Array.from(sampleMasks(layers, 1, 1, rng).masks[0])).toEqual([1, 0, 1, 0]);
  });

  it('a synapse inside a dropped cluster is dropped', () => {
    const layers = input([0, 1], [1, 1, 1, 1]);
    expect(Array.from(sampleMasks(layers, 1, 1, new Rng(2)).masks[0])).toEqual([0, 0, 1, 1]);
  });

  it('is deterministic per seed and consumes a fixed number of draws', () => {
    const layers = input([0.7, 0.4], [0.5, 0.5, 0.5, 0.5]);
    const a = new Rng(9);
    const b = new Rng(9);
    sampleMasks(layers, 1, 1, a);
    sampleMasks(input([1, 0], [0, 0, 1, 1]), 1, 1, b); // different probabilities, same draw count
    expect(a.next()).toBe(b.next());
  });
});

describe('hard bound', () => {
  it('drops the lowest-probability sampled synapses down to the limit', () => {
    const layers = input([1, 1], [0.9, 0.2, 0.5, 0.7]);
    const masks = [Uint8Array.from([1, 1, 1, 1])];
    expect(enforceHardBound(masks, layers, 1, 1, 2)).toBe(2);
    expect(Array.from(masks[0])).toEqual([1, 0, 0, 1]);
  });

  it('weighs in the cluster probability and k, breaks ties by position, floors the limit', () => {
    const layers = input([0.5, 1], [1, 1, 1, 1]);
    const masks = [Uint8Array.from([1, 1, 1, 1])];
    // finals: [0.5, 0.5, 1, 1]; limit 2.9 → 2 kept; drop the two 0.5s.
    expect(enforceHardBound(masks, layers, 1, 1, 2.9)).toBe(2);
    expect(Array.from(masks[0])).toEqual([0, 0, 1, 1]);
    const ties = [Uint8Array.from([1, 1, 1, 1])];
    expect(enforceHardBound(ties, input([1, 1], [0.5, 0.5, 0.5, 0.5]), 1, 1, 1)).toBe(3);
    expect(Array.from(ties[0])).toEqual([0, 0, 0, 1]);
  });

  it('does nothing below the limit', () => {
    const masks = [Uint8Array.from([1, 0, 1, 0])];
    expect(enforceHardBound(masks, input([1, 1], [0.1, 0.1, 0.1, 0.1]), 1, 1, 2)).toBe(0);
    expect(Array.from(masks[0])).toEqual([1, 0, 1, 0]);
  });
});
