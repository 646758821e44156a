import { describe, expect, it } from 'vitest';
import { childGenome } from './inheritance';
import { denseGlorotLimit, glorotLimit } from './init';
import { Rng } from './rng';
import { SMALL_SPECS, TINY_SPEC, layer, smallGenome } from '../testing/genomes';

// Parent A has everything; parent B lacks synapse 1 and (in layer 2) all of filter 1.
const A = smallGenome(
  layer(TINY_SPEC, [0.5, -0.25, 0.125, 0.375], [1, 1, 1, 1], [0.125, 0.25]),
  layer(SMALL_SPECS[1], [1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1], [0.5, 0.5, 0.5]),
  [1, 2, 3, 4, 5, 6],
  [0.5, -0.5],
);
const B = smallGenome(
  layer(TINY_SPEC, [0.25, 0, 0.75, -0.0625], [1, 0, 1, 1], [0.375, 0.5]),
  layer(SMALL_SPECS[1], [3, 4, 0, 0, 7, 8], [1, 1, 0, 0, 1, 1], [1.5, 0, 2.5]),
  [3, 4, 5, 6, 7, 8],
  [1, 1],
);
const alpha = [0.25, 0.75];

describe('inherited weights', () => {
  const child = childGenome(
    [A, B],
    [Uint8Array.from([1, 1, 0, 1]), Uint8Array.from([1, 0, 1, 1, 0, 0])],
    alpha,
    'inherit',
  );
  const [l1, l2] = child.layers;

  it('blend the parents that have the synapse, renormalised; dead synapses are exactly 0', () => {
    // j0: 0.25·0.5 + 0.75·0.25 = 0.3125; j1: only A has it → −0.25, not halved; j2 dead;
    // j3: 0.25·0.375 + 0.75·(−0.0625) = 0.046875
    expect(Array.from(l1.weights)).toEqual([0.3125, -0.25, 0, 0.046875]);
    // Layer 2: j0 = 0.25·1 + 0.75·3 = 2.5; j2, j3: only A → 3, 4
    expect(Array.from(l2.weights)).toEqual([2.5, 0, 3, 4, 0, 0]);
  });

  it('bias: blend over parents where the cluster is alive; 0 for a filter left without synapses', () => {
    // l1 filter 0: 0.25·0.125 + 0.75·0.375 = 0.3125; filter 1: 0.25·0.25 + 0.75·0.5 = 0.4375
    expect(Array.from(l1.bias)).toEqual([0.3125, 0.4375]);
    // l2 filter 0: 0.25·0.5 + 0.75·1.5 = 1.25; filter 1 alive in A only → 0.5; filter 2 has no survivor → 0
    expect(Array.from(l2.bias)).toEqual([1.25, 0.5, 0]);
  });

  it('output layer: α-weighted mean of the parents', () => {
    expect(Array.from(child.output.weights)).toEqual([2.5, 3.5, 4.5, 5.5, 6.5, 7.5]);
    expect(Array.from(child.output.bias)).toEqual([0.875, 0.625]);
    expect(child.output.inUnits).toBe(3);
  });

  it('returns fresh arrays, never the parents’ own', () => {
    expect(l1.weights).not.toBe(A.layers[0].weights);
    expect(child.output.weights).not.toBe(A.output.weights);
  });
});

describe('re-initialised weights', () => {
  const masks = [Uint8Array.from([1, 0, 0, 1]), Uint8Array.from([1, 1, 0, 0, 0, 1])];

  it('are fresh Glorot draws on the surviving mask, zero biases', () => {
    const child = childGenome([A, B], masks, alpha, 'reinit', new Rng(4));
    child.layers.forEach((l, i) => {
      const limit = glorotLimit(l.spec);
      l.weights.forEach((w, j) => {
        if (masks[i][j]) expect(Math.abs(w)).toBeLessThanOrEqual(limit);
        else expect(w).toBe(0);
      });
      expect(Array.from(l.bias)).toEqual(new Array(l.spec.filters).fill(0));
    });
    expect(child.layers[0].weights[0]).not.toBe(0.3125);
    const outLimit = denseGlorotLimit(3, 2);
    child.output.weights.forEach((w) => expect(Math.abs(w)).toBeLessThanOrEqual(outLimit));
    expect(Array.from(child.output.bias)).toEqual([0, 0]);
  });

  it('depend only on the init stream', () => {
    const a = childGenome([A, B], masks, alpha, 'reinit', new Rng(4));
    const b = childGenome([A], masks, [1], 'reinit', new Rng(4));
    expect(Array.from(a.layers[1].weights)).toEqual(Array.from(b.layers[1].weights));
    const c = childGenome([A, B], masks, alpha, 'reinit', new Rng(5));
    expect(Array.from(c.layers[1].weights)).not.toEqual(Array.from(a.layers[1].weights));
  });

  it('need an init stream', () => {
    expect(() => childGenome([A, B], masks, alpha, 'reinit')).toThrow(/'reinit' needs an initRng/);
  });
});
