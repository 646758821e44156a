import { describe, expect, it } from 'vitest';
import { applyLayerFloors, synapseFloorCount } from './floors';
import { lenetSpecs, type LayerSpec } from './genome';
import { initialiseGenome } from './init';
import { equalMatingWeights } from './mating-weights';
import { countNetwork } from './metrics';
import { synthesiseOffspring } from './offspring';
import { Rng } from './rng';
import { DEFAULT_SYNTHESIS, resolveSynthesisSettings } from './settings';

/** 3 filters × 1 kernel of 1×2 (6 synapses); the last synapse is dead in every parent (P_s = 0). */
const SPEC: LayerSpec = { name: 'l', kind: 'conv', filters: 3, inChannels: 1, kernelH: 1, kernelW: 2 };
const input = {
  spec: SPEC,
  clusterP: Float64Array.from([0.9, 0.5, 0.7]),
  synapseP: Float64Array.from([0.2, 0.8, 0.6, 0.1, 0.3, 0]),
};
/** Only filter 1 survived the sampling; of the synapse draws, those at 1 and 2 won. */
const sampled = () => [Uint8Array.from([0, 1, 0, 0, 0, 0])];
const wins = [Uint8Array.from([0, 1, 1, 0, 0, 0])];

describe('layer floors', () => {
  it('revive dropped filters by P_c, with their winning synapses or else their most probable one', () => {
    // Filter 3 (P_c 0.7) first: no draw won in it, so its most probable live synapse (4) comes back.
    const two = sampled();
    expect(applyLayerFloors(two, [input], wins, 1, 1, { synapseShare: 0, filters: 2 })).toEqual([1]);
    expect(Array.from(two[0])).toEqual([0, 1, 0, 0, 1, 0]);
    // Then filter 2 (P_c 0.5) with its winning synapse 2.
    const three = sampled();
    expect(applyLayerFloors(three, [input], wins, 1, 1, { synapseShare: 0, filters: 3 })).toEqual([2]);
    expect(Array.from(three[0])).toEqual([0, 1, 1, 0, 1, 0]);
    // Never more than the filters alive in some parent.
    const all = sampled();
    expect(applyLayerFloors(all, [input], wins, 1, 1, { synapseShare: 0, filters: 8 })).toEqual([2]);
  });

  it('top synapses up to ⌈s·N_l⌉ by keep probability min(1, r_c·P_c)·min(1, k·P_s)', () => {
    expect(synapseFloorCount(0.1, 800)).toBe(80);
    expect(synapseFloorCount(0.5, 6)).toBe(3);
    // 3 wanted, 1 kept. Keep probabilities of the dropped: 0.18, 0.30, 0.05, 0.21, 0.21 → synapses 2 and 4.
    const half = sampled();
    expect(applyLayerFloors(half, [input], undefined, 1, 1, { synapseShare: 0.5, filters: 0 })).toEqual([2]);
    expect(Array.from(half[0])).toEqual([0, 1, 1, 0, 1, 0]);
    // k enters the ranking: with k = 4, synapses 0 (0.9·0.8 = 0.72) and 4 (0.7·1 = 0.7) beat 2 (0.5·1).
    const scaled = sampled();
    applyLayerFloors(scaled, [input], undefined, 4, 1, { synapseShare: 0.5, filters: 0 });
    expect(Array.from(scaled[0])).toEqual([1, 1, 0, 0, 1, 0]);
    // A synapse dead in every parent never comes back, even when the floor asks for all six.
    const full = sampled();
    expect(applyLayerFloors(full, [input], undefined, 1, 1, { synapseShare: 1, filters: 0 })).toEqual([4]);
    expect(Array.from(full[0])).toEqual([1, 1, 1, 1, 1, 0]);
  });

  it('hold conv1 up under a harsh budget over generations, and change nothing when off', () => {
    const ancestor = initialiseGenome(lenetSpecs(1), 10, new Rng(1));
    const harsh = resolveSynthesisSettings({ budget: { rho: 0.3 } });
    const floored = resolveSynthesisSettings({
      budget: { rho: 0.3 },
      layerFloor: { synapseShare: 0.05, filters: 8 },
    });
    let plain = ancestor;
    let held = ancestor;
    for (let g = 2; g <= 6; g++) {
      plain = synthesiseOffspring([plain], equalMatingWeights(1), harsh, new Rng(g)).child;
      const step = synthesiseOffspring([held], equalMatingWeights(1), floored, new Rng(g));
      held = step.child;
      expect(step.stats.floorAdded).toBe(step.stats.perLayer.reduce((a, l) => a + l.floorAdded, 0));
    }
    const plainCounts = countNetwork(plain).perLayer;
    const heldCounts = countNetwork(held).perLayer;
    expect(plainCounts[0].synapses).toBeLessThan(40); // 800 · 0.3^5 ≈ 2
    for (const l of heldCounts) {
      expect(l.clusters).toBeGreaterThanOrEqual(8);
      expect(l.synapses).toBeGreaterThanOrEqual(
        synapseFloorCount(0.05, [800, 25_600, 51_200, 65_536][heldCounts.indexOf(l)]),
      );
    }
    // Off: the same masks as the settings without floors, draw for draw.
    const off = resolveSynthesisSettings({ layerFloor: { synapseShare: 0, filters: 0 } });
    const a = synthesiseOffspring([ancestor], equalMatingWeights(1), off, new Rng(9));
    const b = synthesiseOffspring([ancestor], equalMatingWeights(1), DEFAULT_SYNTHESIS, new Rng(9));
    expect(a.child.layers.every((l, i) => l.mask.every((m, j) => m === b.child.layers[i].mask[j]))).toBe(true);
    expect(a.stats.floorAdded).toBe(0);
  });
});

describe('per-layer budget', () => {
  it('gives every layer its own factor so that each keeps ρ of its own synapses (target mode)', () => {
    const ancestor = initialiseGenome(lenetSpecs(1), 10, new Rng(1));
    const parent = synthesiseOffspring([ancestor], equalMatingWeights(1), DEFAULT_SYNTHESIS, new Rng(2)).child;
    const live = countNetwork(parent).perLayer.map((l) => l.synapses);
    const settings = resolveSynthesisSettings({ budget: { mode: 'target', rho: 0.6, scope: 'layer' } });
    const { stats } = synthesiseOffspring([parent], equalMatingWeights(1), settings, new Rng(3));
    stats.perLayer.forEach((l, i) => expect(l.expectedAfter / (0.6 * live[i])).toBeCloseTo(1, 6));
    // Each layer its own k; the record's k is the overall scale.
    expect(new Set(stats.perLayer.map((l) => l.k)).size).toBe(4);
    expect(stats.k).toBeCloseTo(stats.expectedAfter / stats.expectedRaw, 12);
    // Network-wide, one k for all.
    const network = synthesiseOffspring(
      [parent],
      equalMatingWeights(1),
      resolveSynthesisSettings({ budget: { mode: 'target', rho: 0.6 } }),
      new Rng(3),
    ).stats;
    expect(new Set(network.perLayer.map((l) => l.k))).toEqual(new Set([network.k]));
  });

  it('with the hard bound, never keeps more than ⌊ρ·N_ref,l⌋ in a layer', () => {
    const ancestor = initialiseGenome(lenetSpecs(1), 10, new Rng(1));
    const settings = resolveSynthesisSettings({ budget: { scope: 'layer', hardBound: true } });
    const { child } = synthesiseOffspring([ancestor], equalMatingWeights(1), settings, new Rng(4));
    countNetwork(child).perLayer.forEach((l, i) =>
      expect(l.synapses).toBeLessThanOrEqual(Math.floor(0.7 * [800, 25_600, 51_200, 65_536][i])),
    );
  });
});

describe('synthesis statistics of issue 19', () => {
  it('record the ρ and the mating weights used, and what was removed', () => {
    const ancestor = initialiseGenome(lenetSpecs(1), 10, new Rng(1));
    const w = { cluster: [0.8, 0.2], synapse: [0.6, 0.4] };
    const { stats, child } = synthesiseOffspring(
      [ancestor, ancestor],
      w,
      resolveSynthesisSettings({ budget: { rho: 0.55 } }),
      new Rng(5),
    );
    expect(stats.rho).toBe(0.55);
    expect(stats.matingWeights).toEqual(w);
    const counts = countNetwork(child);
    expect(stats.removed.synapses).toBe(143_136 - counts.synapses);
    expect(stats.removed.kernels).toBe(7_200 - counts.kernels);
    expect(stats.removed.filters).toBe(192 - counts.clusters);
    expect(stats.removed.inRemovedKernels).toBeLessThanOrEqual(stats.removed.synapses);
    expect(stats.removed.inRemovedFilters).toBeLessThanOrEqual(stats.removed.inRemovedKernels);
  });
});
