import { describe, expect, it } from 'vitest';
import { accuracyAtEfficiency, dropPoint, removalSummary } from './compare';
import type { NetworkRecord } from './records';
import type { GenerationPoint } from './summary';

const point = (
  generation: number,
  accuracy: number,
  synapticEfficiency: number,
  clusterEfficiency = 1,
): GenerationPoint => ({
  generation,
  accuracy,
  bestAccuracy: accuracy,
  synapticEfficiency,
  clusterEfficiency,
  synapses: 0,
  kernels: 0,
});

describe('accuracy at equal efficiency', () => {
  const curve = [point(1, 0.97, 1), point(2, 0.96, 10), point(3, 0.9, 100)];

  it('interpolates in log(efficiency) between the generations around the target', () => {
    // 10× → 100× is one decade; √1000 ≈ 31.6× lies halfway: (0.96 + 0.90) / 2.
    expect(accuracyAtEfficiency(curve, 'synapticEfficiency', Math.sqrt(1000))).toBeCloseTo(0.93, 12);
    // 1× → 10×: 10^0.25 is a quarter of the way: 0.97 − 0.25 · 0.01.
    expect(accuracyAtEfficiency(curve, 'synapticEfficiency', 10 ** 0.25)).toBeCloseTo(0.9675, 12);
  });

  it('reads a generation that sits exactly on the target, and says null beyond the last', () => {
    expect(accuracyAtEfficiency(curve, 'synapticEfficiency', 10)).toBe(0.96);
    expect(accuracyAtEfficiency(curve, 'synapticEfficiency', 1)).toBe(0.97);
    expect(accuracyAtEfficiency(curve, 'synapticEfficiency', 101)).toBeNull();
    expect(accuracyAtEfficiency(curve, 'clusterEfficiency', 2)).toBeNull();
  });

  it('does not depend on the order of the points', () => {
    expect(accuracyAtEfficiency([...curve].reverse(), 'synapticEfficiency', Math.sqrt(1000))).toBeCloseTo(0.93, 12);
  });
});

describe('efficiency at an accuracy drop', () => {
  it('finds the first generation ≥ 3 points down and interpolates the efficiency where the drop is exactly 3', () => {
    // Drops: g2 1 point, g3 5 points. 3 points is halfway from 1 to 5, so the efficiency is the
    // geometric mean of 10 and 40 (= 20), and of the cluster efficiencies 2 and 8 (= 4).
    const curve = [point(1, 0.97, 1, 1), point(2, 0.96, 10, 2), point(3, 0.92, 40, 8), point(4, 0.8, 80, 9)];
    const d = dropPoint(curve, 3)!;
    expect(d.generation).toBe(3);
    expect(d.synapticEfficiency).toBe(40);
    expect(d.clusterEfficiency).toBe(8);
    expect(d.synapticAtDrop).toBeCloseTo(20, 10);
    expect(d.clusterAtDrop).toBeCloseTo(4, 10);
  });

  it('counts a generation that gained accuracy as a drop of 0 or less', () => {
    // g2 is 1 point above the ancestor (drop −1), g3 3 points below (drop 3): t = 4/4 = 1.
    const d = dropPoint([point(1, 0.9, 1), point(2, 0.91, 2), point(3, 0.87, 4)], 3)!;
    expect(d.generation).toBe(3);
    expect(d.synapticAtDrop).toBeCloseTo(4, 12);
  });

  it('is null when the run never drops that far, or has no ancestor', () => {
    expect(dropPoint([point(1, 0.97, 1), point(2, 0.95, 2)], 3)).toBeNull();
    expect(dropPoint([point(2, 0.5, 2)], 3)).toBeNull();
  });
});

describe('removal summary', () => {
  const rec = (
    generation: number,
    individual: number,
    removed: {
      synapses: number;
      inRemovedKernels: number;
      inRemovedFilters: number;
      kernels: number;
      filters: number;
    } | null,
    aliveInAllParents = 1,
    conv1Filters = 32,
  ) =>
    ({
      generation,
      individual,
      synthesis: removed ? { removed: { ...removed, perLayer: [] }, aliveInAllParents } : null,
      kernelMasks: [{ layer: 'conv1', aliveFilters: conv1Filters }],
    }) as unknown as NetworkRecord;

  it('sums each generation’s mean removals and gives the structured shares', () => {
    const s = removalSummary([
      rec(1, 0, null),
      // generation 2: two networks, means 100 synapses (30 with kernels, 10 with filters), 2 kernels, 0 filters
      rec(2, 0, { synapses: 120, inRemovedKernels: 40, inRemovedFilters: 20, kernels: 3, filters: 0 }, 0.9, 30),
      rec(2, 1, { synapses: 80, inRemovedKernels: 20, inRemovedFilters: 0, kernels: 1, filters: 0 }, 0.7, 28),
      // generation 3: 50 synapses, all with their kernels, 1 filter
      rec(3, 0, { synapses: 50, inRemovedKernels: 50, inRemovedFilters: 25, kernels: 2, filters: 1 }, 0.8, 27),
    ]);
    expect(s.synapses).toBe(150);
    expect(s.withKernels).toBeCloseTo(80 / 150, 12);
    expect(s.withFilters).toBeCloseTo(35 / 150, 12);
    expect(s.kernels).toBe(4);
    expect(s.filters).toBe(1);
    expect(s.aliveInAllParents).toBeCloseTo(0.8, 12);
    expect(s.lastFilters).toEqual([{ name: 'conv1', filters: 27 }]);
  });
});
