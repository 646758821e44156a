import { describe, expect, it } from 'vitest';
import { fitnessMatingWeights } from './mating-weights';

describe('fitness-weighted mating weights', () => {
  it('are the softmax of the parents’ accuracies at the temperature, and sum to 1', () => {
    // exp(0.9/0.1) : exp(0.8/0.1) = e : 1.
    const w = fitnessMatingWeights([0.9, 0.8], 0.1);
    expect(w.cluster[0]).toBeCloseTo(Math.E / (Math.E + 1), 12);
    expect(w.cluster[1]).toBeCloseTo(1 / (Math.E + 1), 12);
    expect(w.cluster[0] + w.cluster[1]).toBeCloseTo(1, 14);
    expect(w.synapse).toEqual(w.cluster);
    const three = fitnessMatingWeights([0.9, 0.9, 0.6], 0.3);
    const z = 2 + Math.exp(-1);
    [1 / z, 1 / z, Math.exp(-1) / z].forEach((x, i) => expect(three.cluster[i]).toBeCloseTo(x, 12));
  });

  it('weigh equal parents alike, and approach equal weights as the temperature grows', () => {
    expect(fitnessMatingWeights([0.95, 0.95], 0.01).cluster).toEqual([0.5, 0.5]);
    const hot = fitnessMatingWeights([0.99, 0.5], 1e6).cluster;
    expect(hot[0]).toBeCloseTo(0.5, 6);
  });

  it('give (nearly) everything to the fitter parent at a tiny temperature, without overflow', () => {
    const cold = fitnessMatingWeights([0.97, 0.96], 1e-4).cluster;
    expect(cold[0]).toBe(1);
    expect(cold[1]).toBeLessThan(1e-40);
  });

  it('refuse a temperature that is not a finite number > 0', () => {
    expect(() => fitnessMatingWeights([0.9, 0.8], 0)).toThrow('the temperature must be a finite number > 0 (got 0)');
  });
});
