import { describe, expect, it } from 'vitest';
import type { NetworkRecord } from './records';
import { firstDropGeneration, mean, runCurve, std, summariseSeeds } from './summary';

const rec = (generation: number, individual: number, testAccuracy: number, synapticEfficiency: number): NetworkRecord =>
  ({
    generation,
    individual,
    testAccuracy,
    synapticEfficiency,
    clusterEfficiency: synapticEfficiency / 2,
    synapses: 100,
    kernels: 10,
  }) as NetworkRecord;

describe('run summaries', () => {
  it('averages a generation over its population and keeps the best accuracy', () => {
    const curve = runCurve([rec(2, 1, 0.9, 4), rec(1, 0, 0.98, 1), rec(2, 0, 0.94, 2)]);
    expect(curve.map((p) => p.generation)).toEqual([1, 2]);
    expect(curve[1].accuracy).toBeCloseTo(0.92, 12);
    expect(curve[1].bestAccuracy).toBe(0.94);
    expect(curve[1].synapticEfficiency).toBe(3);
    expect(curve[1].clusterEfficiency).toBe(1.5);
  });

  it('computes the sample standard deviation by hand', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(std([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(std([7])).toBe(0);
  });

  it('summarises seeds per generation, counting only the runs that reached it', () => {
    const a = runCurve([rec(1, 0, 0.9, 1), rec(2, 0, 0.8, 2)]);
    const b = runCurve([rec(1, 0, 0.7, 1)]);
    const s = summariseSeeds([a, b]);
    expect(s[0].accuracy.mean).toBeCloseTo(0.8, 12);
    expect(s[0].accuracy.std).toBeCloseTo(Math.sqrt(0.02), 12);
    expect(s[1].accuracy).toEqual({ mean: 0.8, std: 0, n: 1 });
  });

  it('finds the first generation that dropped at least 3 points below the ancestor', () => {
    const curve = [
      { generation: 1, accuracy: 0.973 },
      { generation: 2, accuracy: 0.975 },
      { generation: 3, accuracy: 0.95 },
      { generation: 4, accuracy: 0.943 },
      { generation: 5, accuracy: 0.9 },
    ];
    expect(firstDropGeneration(curve, 3)?.generation).toBe(4); // 0.973 − 0.943 = 3.0 points exactly
    expect(firstDropGeneration(curve, 10)).toBeNull();
    expect(firstDropGeneration([{ generation: 2, accuracy: 0.5 }], 3)).toBeNull();
  });
});
