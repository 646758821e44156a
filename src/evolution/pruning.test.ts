import { describe, expect, it } from 'vitest';
import { layer, smallGenome, SMALL_SPECS, TINY_SPEC } from '../testing/genomes';
import { lenetSpecs, type Genome } from './genome';
import { initialiseGenome } from './init';
import { countNetwork } from './metrics';
import { keptCount, pruneOffspring, pruningMasks } from './pruning';
import { removalStats } from './removal';
import { Rng } from './rng';

/**
 * Layer 1: 2 filters × 1 kernel of 1×2, all alive: |w| 0.5, 0.1 | 0.3, 0.2.
 * Layer 2: 3 filters × 2 kernels of 1×1: |w| 0.05, 0.4 | 0.3, (dead) | 0.1, 0.3.
 * Nine live synapses; three of them tie at |w| = 0.3.
 */
function parent(): Genome {
  return smallGenome(
    layer(TINY_SPEC, [0.5, -0.1, 0.3, 0.2], [1, 1, 1, 1], [0.1, 0.2]),
    layer(SMALL_SPECS[1], [0.05, -0.4, 0.3, 0, 0.1, -0.3], [1, 1, 1, 0, 1, 1], [0.3, 0.4, 0.5]),
    [1, 2, 3, 4, 5, 6],
    [0.5, -0.5],
  );
}
const masksOf = (masks: Uint8Array[]) => masks.map((m) => Array.from(m));

describe('magnitude pruning', () => {
  it('keeps exactly the top k = round(ρ·N) |w| across the layers, ties to the earlier layer and position', () => {
    expect(keptCount(0.45, 9)).toBe(4);
    const { masks, threshold } = pruningMasks(parent(), 'magnitude', 0.45, new Rng(1));
    // 0.5, 0.4 and two of the three 0.3s: layer 1's, then layer 2's first; layer 2's last 0.3 loses the tie.
    expect(masksOf(masks)).toEqual([
      [1, 0, 1, 0],
      [0, 1, 1, 0, 0, 0],
    ]);
    expect(threshold).toBe(Math.fround(0.3));
    // k = round(0.5·9) = 5 keeps all three 0.3s.
    expect(masksOf(pruningMasks(parent(), 'magnitude', 0.5, new Rng(1)).masks)).toEqual([
      [1, 0, 1, 0],
      [0, 1, 1, 0, 0, 1],
    ]);
  });

  it('layer by layer keeps round(ρ·N_l) of each layer’s own live synapses', () => {
    // Layer 1: round(0.5·4) = 2 → 0.5, 0.3. Layer 2: round(0.5·5) = 3 → 0.4, 0.3, 0.3.
    const { masks, thresholds } = pruningMasks(parent(), 'magnitude-layerwise', 0.5, new Rng(1));
    expect(masksOf(masks)).toEqual([
      [1, 0, 1, 0],
      [0, 1, 1, 0, 0, 1],
    ]);
    expect(thresholds).toEqual([Math.fround(0.3), Math.fround(0.3)]);
  });

  it('never revives a dead synapse, and keeps everything at ρ = 1', () => {
    const { masks } = pruningMasks(parent(), 'magnitude', 1, new Rng(1));
    expect(masksOf(masks)).toEqual(masksOf(parent().layers.map((l) => l.mask)));
  });

  it('keeps the parent’s weights (fine-tuning) and zeroes what it prunes; records what it removed', () => {
    const { child, stats } = pruneOffspring(
      parent(),
      'magnitude',
      { inheritance: 'inherit', budget: { rho: 0.45 } },
      new Rng(1),
    );
    expect(Array.from(child.layers[0].weights)).toEqual([0.5, 0, 0.3, 0].map(Math.fround));
    expect(Array.from(child.layers[1].weights)).toEqual([0, -0.4, 0.3, 0, 0, 0].map(Math.fround));
    // Filter 3 of layer 2 lost all its synapses: its bias goes with it.
    expect(Array.from(child.layers[1].bias)).toEqual([0.3, 0.4, 0].map(Math.fround));
    expect(Array.from(child.output.weights)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(stats).toMatchObject({
      parents: 1,
      nRef: 9,
      k: 1,
      synapses: 4,
      retention: 4 / 9,
      rho: 0.45,
      matingWeights: { cluster: [1], synapse: [1] },
      pruning: { method: 'magnitude', threshold: Math.fround(0.3) },
      // Layer 1 loses two synapses from kernels that live on. Layer 2 loses 0.05 (its kernel) and
      // filter 3 whole (two kernels).
      removed: { synapses: 5, inRemovedKernels: 3, inRemovedFilters: 2, kernels: 3, filters: 1 },
    });
  });
});

describe('random pruning', () => {
  it('keeps exactly round(ρ·N) live synapses, seeded, each equally likely', () => {
    const p = parent();
    const a = pruningMasks(p, 'random', 0.45, new Rng(7)).masks;
    expect(masksOf(pruningMasks(p, 'random', 0.45, new Rng(7)).masks)).toEqual(masksOf(a));
    const kept = new Array<number>(10).fill(0);
    const trials = 9000;
    const rng = new Rng(11);
    for (let t = 0; t < trials; t++) {
      const masks = pruningMasks(p, 'random', 0.45, rng).masks;
      expect(masks[0].reduce((s, x) => s + x, 0) + masks[1].reduce((s, x) => s + x, 0)).toBe(4);
      expect(masks[1][3]).toBe(0);
      [...masks[0], ...masks[1]].forEach((x, i) => (kept[i] += x));
    }
    // 4 of 9: each live synapse kept with probability 4/9 (± 4 standard errors of 9000 draws).
    for (const i of [0, 1, 2, 3, 4, 5, 6, 8]) expect(Math.abs(kept[i] / trials - 4 / 9)).toBeLessThan(0.021);
  });

  it('on the LeNet ancestor keeps 70 % of the synapses and (unlike magnitude pruning) barely any kernel whole', () => {
    const ancestor = initialiseGenome(lenetSpecs(1), 10, new Rng(1));
    const random = pruneOffspring(ancestor, 'random', { inheritance: 'inherit', budget: { rho: 0.7 } }, new Rng(2));
    expect(countNetwork(random.child).synapses).toBe(Math.round(0.7 * 143_136));
    expect(random.stats.removed.synapses).toBe(143_136 - Math.round(0.7 * 143_136));
    // A kernel of 25 synapses dies whole with probability ≈ 0.3^25: never.
    expect(random.stats.removed.kernels).toBeLessThan(20);
  });
});

describe('removal statistics', () => {
  it('count against the union of the parents, structured (whole kernels, filters) and single', () => {
    const a = parent();
    const b = parent();
    a.layers[0].mask.set([1, 1, 0, 0]);
    b.layers[0].mask.set([0, 1, 1, 0]);
    const child = [Uint8Array.from([0, 1, 0, 0]), Uint8Array.from(a.layers[1].mask)];
    // Layer 1: synapse 0 (parent A) goes singly, its kernel lives on; synapse 2 (parent B) goes with
    // its kernel and filter (one kernel per filter). Synapse 3 was dead in both: not a removal.
    expect(removalStats([a, b], child)).toEqual({
      synapses: 2,
      inRemovedKernels: 1,
      inRemovedFilters: 1,
      kernels: 1,
      filters: 1,
      perLayer: [
        { name: 'tiny', synapses: 2, inRemovedKernels: 1, inRemovedFilters: 1, kernels: 1, filters: 1 },
        { name: 'second', synapses: 0, inRemovedKernels: 0, inRemovedFilters: 0, kernels: 0, filters: 0 },
      ],
    });
  });
});
