import { describe, expect, it } from 'vitest';
import { lenetSpecs } from './genome';
import { denseGlorotLimit, glorotLimit, initialiseGenome } from './init';
import { Rng } from './rng';

describe('Glorot-uniform initialisation', () => {
  const specs = lenetSpecs(1);

  it('uses the fans of the tfjs layer: conv kernel geometry, dense units', () => {
    expect(glorotLimit(specs[0])).toBeCloseTo(Math.sqrt(6 / (25 + 800)), 15); // conv1: 1·5·5 in, 32·5·5 out
    expect(glorotLimit(specs[2])).toBeCloseTo(Math.sqrt(6 / (800 + 1600)), 15); // conv3: 32·5·5 in, 64·5·5 out
    expect(glorotLimit(specs[3])).toBeCloseTo(Math.sqrt(6 / (1024 + 64)), 15); // fc1: 1024 in, 64 units
    expect(denseGlorotLimit(64, 10)).toBeCloseTo(Math.sqrt(6 / 74), 15);
  });

  it('fills every weight within ±limit, spread over the range, zero biases, all masks 1', () => {
    const g = initialiseGenome(specs, 10, new Rng(1));
    for (const l of g.layers) {
      const limit = glorotLimit(l.spec);
      let max = 0;
      let sum = 0;
      for (const w of l.weights) {
        max = Math.max(max, Math.abs(w));
        sum += w;
      }
      expect(max).toBeLessThanOrEqual(limit);
      expect(max).toBeGreaterThan(0.95 * limit);
      // Mean of n uniforms on ±L has sd L/√(3n); allow 5 sd.
      expect(Math.abs(sum / l.weights.length)).toBeLessThan((5 * limit) / Math.sqrt(3 * l.weights.length));
      expect(l.mask.every((m) => m === 1)).toBe(true);
      expect(l.bias.every((b) => b === 0)).toBe(true);
    }
    const outLimit = denseGlorotLimit(64, 10);
    expect(g.output.weights.every((w) => Math.abs(w) <= outLimit)).toBe(true);
    expect(g.output.weights.some((w) => w !== 0)).toBe(true);
    expect(g.output.bias.every((b) => b === 0)).toBe(true);
  });

  it('is deterministic per seed', () => {
    const a = initialiseGenome(specs, 10, new Rng(2)).layers[0].weights;
    const b = initialiseGenome(specs, 10, new Rng(2)).layers[0].weights;
    const c = initialiseGenome(specs, 10, new Rng(3)).layers[0].weights;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('rejects empty specs and bad output sizes', () => {
    expect(() => initialiseGenome([], 10, new Rng(1))).toThrow(/at least one layer spec/);
    expect(() => initialiseGenome(specs, 0, new Rng(1))).toThrow(/outUnits must be a whole number ≥ 1 \(got 0\)/);
  });
});
