import { describe, expect, it } from 'vitest';
import {
  countNetwork,
  layerProbabilities,
  Rng,
  resolveSynthesisSettings,
  synthesiseOffspring,
  type Genome,
} from '../evolution';
import { summariseKernelMasks } from './kernel-masks';
import {
  BOTH,
  kernelOrigins,
  matedProbabilities,
  matingPicture,
  meanGap,
  ONLY_A,
  ONLY_B,
  ownProbabilities,
  totalCounts,
} from './mating-view';
import type { NetworkRecord } from './records';
import { glorotGenome, randomlyMasked } from '../testing/genomes';

const settings = resolveSynthesisSettings({});
const truncation = settings.truncation;

function record(g: Genome, generation: number, individual: number, parents: number[], mating: number[] | null) {
  return {
    generation,
    individual,
    parents,
    kernels: countNetwork(g).kernels,
    synthesis: mating ? { matingWeights: { cluster: mating, synapse: mating } } : null,
    kernelMasks: summariseKernelMasks(g, truncation),
  } as unknown as NetworkRecord;
}

/** Generation 2: two different networks; generation 3: their child with weights 0.7/0.3. */
function family() {
  const a = randomlyMasked(glorotGenome(1, 11), 0.05, 12);
  const b = randomlyMasked(glorotGenome(1, 13), 0.04, 14);
  const weights = { cluster: [0.7, 0.3], synapse: [0.7, 0.3] };
  const { child } = synthesiseOffspring([a, b], weights, settings, new Rng(3));
  const records = [
    record(a, 2, 0, [0, 0], [0.5, 0.5]),
    record(b, 2, 1, [0, 0], [0.5, 0.5]),
    record(child, 3, 0, [0, 1], [0.7, 0.3]),
  ];
  return { a, b, child, records };
}

describe('the mating view’s numbers', () => {
  it('colours every live kernel of the child by origin, adding up to its kernel count', () => {
    const { child, records } = family();
    const picture = matingPicture(records, 3, 0)!;
    expect(picture.sameNetwork).toBe(false);
    expect(picture.clusterWeights).toEqual([0.7, 0.3]);
    const t = totalCounts(picture);
    expect(t.child).toBe(countNetwork(child).kernels);
    expect(t.both + t.onlyA + t.onlyB).toBe(t.child);
    expect(t.onlyA).toBeGreaterThan(0);
    expect(t.onlyB).toBeGreaterThan(0);
    expect(picture.layers.every((l) => l.parentsDiffer > 0)).toBe(true);
  });

  it('redraws the engine’s mated cluster probabilities from the recorded strengths, for any α/β', () => {
    const { a, b, records } = family();
    const picture = matingPicture(records, 3, 0)!;
    picture.layers.forEach((layer, l) => {
      for (const w of [
        [0.7, 0.3],
        [1, 0],
        [0.2, 0.9],
      ]) {
        const engine = layerProbabilities([a.layers[l], b.layers[l]], { cluster: w, synapse: w }, settings).clusterP;
        const ours = matedProbabilities(layer, w, 'mean')!;
        // Strengths are recorded to 5 significant digits.
        for (let f = 0; f < ours.length; f++) expect(Math.abs(ours[f] - engine[f])).toBeLessThan(1e-3);
      }
      // With β = 0 the blend leans to parent A's own probabilities; with α = 0, to parent B's.
      // (Not equal to them: a filter alive only in the other parent still counts as alive, with
      // no strength, so it keeps e^−1 and moves Z.)
      const [ownA, ownB] = ownProbabilities(layer, 'mean');
      const onlyA = matedProbabilities(layer, [1, 0], 'mean')!;
      const onlyB = matedProbabilities(layer, [0, 1], 'mean')!;
      expect(meanGap(onlyA, ownA!)).toBeLessThan(meanGap(onlyA, ownB!));
      expect(meanGap(onlyB, ownB!)).toBeLessThan(meanGap(onlyB, ownA!));
    });
  });

  it('says when both parents are one network (generation 2 mates the ancestor with itself)', () => {
    const { a, records } = family();
    const withAncestor = [record(a, 1, 0, [], null), ...records];
    const picture = matingPicture(withAncestor, 2, 1)!;
    expect(picture.sameNetwork).toBe(true);
    expect(picture.layers.every((l) => l.parentsDiffer === 0 && l.counts.onlyA === 0 && l.counts.onlyB === 0)).toBe(
      true,
    );
  });

  it('has no picture for the ancestor, a missing network or missing parents', () => {
    const { records } = family();
    expect(matingPicture(records, 1, 0)).toBeNull();
    expect(matingPicture(records, 3, 5)).toBeNull();
    expect(matingPicture(records, 2, 0)).toBeNull(); // generation 1 is not among these records
  });

  it('gives no probabilities for records without strengths, and falls back to the run’s weights', () => {
    const { records } = family();
    const old = records.map((r): NetworkRecord => ({
      ...r,
      // Records made before the mating weights were recorded.
      synthesis: r.synthesis && ({ ...r.synthesis, matingWeights: undefined } as unknown as NetworkRecord['synthesis']),
      kernelMasks: r.kernelMasks.map(({ clusterStrength: _s, ...m }) => m),
    }));
    const picture = matingPicture(old, 3, 0, [0.6, 0.4])!;
    expect(picture.clusterWeights).toEqual([0.6, 0.4]);
    expect(matedProbabilities(picture.layers[0], [0.5, 0.5], 'mean')).toBeNull();
  });

  it('kernel origins: both, only A, only B, dead', () => {
    const o = kernelOrigins(
      Uint8Array.from([1, 1, 1, 0]),
      Uint8Array.from([1, 1, 0, 1]),
      Uint8Array.from([1, 0, 1, 1]),
    );
    expect(Array.from(o)).toEqual([BOTH, ONLY_A, ONLY_B, 0]);
  });
});
