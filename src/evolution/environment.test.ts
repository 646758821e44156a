import { describe, expect, it } from 'vitest';
import { environmentalFactor, type LayerProbabilityInput } from './environment';
import type { LayerSpec } from './genome';
import { Rng } from './rng';
import { TINY_SPEC } from '../testing/genomes';

// P_c = [0.5, 1], P_s = [1, 0.5 | 0.25, 0]: E = 0.5·(1 + 0.5) + 1·0.25 = 1.
const tiny: LayerProbabilityInput[] = [
  { spec: TINY_SPEC, clusterP: Float64Array.from([0.5, 1]), synapseP: Float64Array.from([1, 0.5, 0.25, 0]) },
];

/** Σ_j min(1, r·P_c)·min(1, k·P_s), straight from the definition. */
function expectedCount(layers: LayerProbabilityInput[], k: number, r = 1): number {
  let total = 0;
  for (const { spec, clusterP, synapseP } of layers) {
    const per = spec.inChannels * spec.kernelH * spec.kernelW;
    for (let j = 0; j < synapseP.length; j++)
      total += Math.min(1, r * clusterP[Math.floor(j / per)]) * Math.min(1, k * synapseP[j]);
  }
  return total;
}

function randomLayers(rng: Rng): LayerProbabilityInput[] {
  const specs: LayerSpec[] = [
    { name: 'a', kind: 'conv', filters: 8, inChannels: 4, kernelH: 3, kernelW: 3 },
    { name: 'b', kind: 'dense', filters: 16, inChannels: 8, kernelH: 4, kernelW: 4 },
  ];
  return specs.map((spec) => {
    const clusterP = Float64Array.from({ length: spec.filters }, () => (rng.next() < 0.1 ? 0 : rng.next()));
    const synapseP = Float64Array.from(
      { length: spec.filters * spec.inChannels * spec.kernelH * spec.kernelW },
      (_, j) => {
        if (clusterP[Math.floor(j / (spec.inChannels * spec.kernelH * spec.kernelW))] === 0) return 0;
        const u = rng.next();
        return u < 0.2 ? 0 : u < 0.4 ? 1 : Math.exp(2 * rng.next() - 2);
      },
    );
    return { spec, clusterP, synapseP };
  });
}

describe('environmental factor, hand-computed', () => {
  it('cap binds: k = ρ·N_ref / E', () => {
    const r = environmentalFactor('cap', 0.2, 4, tiny);
    expect(r.expectedRaw).toBe(1);
    expect(r.k).toBeCloseTo(0.8, 15);
    expect(r.expectedAfter).toBeCloseTo(0.8, 15);
    expect(r.reachable).toBe(true);
  });

  it('cap does nothing when the raw model already prunes harder', () => {
    expect(environmentalFactor('cap', 0.7, 4, tiny)).toEqual({
      k: 1,
      expectedRaw: 1,
      expectedAfter: 1,
      reachable: true,
    });
  });

  it('constant: k = ρ, P_final = ρ·P_c·P_s', () => {
    expect(environmentalFactor('constant', 0.5, 4, tiny)).toEqual({
      k: 0.5,
      expectedRaw: 1,
      expectedAfter: 0.5,
      reachable: true,
    });
  });

  it('target: k can exceed 1 (on k ∈ [1, 2], f = 0.5 + 0.5k, so f = 1.2 at k = 1.4)', () => {
    const r = environmentalFactor('target', 0.3, 4, tiny);
    expect(r.k).toBeCloseTo(1.4, 12);
    expect(r.expectedAfter).toBeCloseTo(1.2, 12);
    expect(r.reachable).toBe(true);
  });

  it('target beyond what the live synapses can give: unreachable, k_max = 1/min P_s', () => {
    const r = environmentalFactor('target', 0.6, 4, tiny);
    expect(r).toEqual({ k: 4, expectedRaw: 1, expectedAfter: 2, reachable: false });
    expect(environmentalFactor('target', 0.5, 4, tiny)).toEqual({
      k: 4,
      expectedRaw: 1,
      expectedAfter: 2,
      reachable: true,
    });
  });

  it('the cluster factor scales the cluster keep probability (clipped at 1)', () => {
    // r = 0.5: a = [0.25, 0.5], E = 0.25·1.5 + 0.5·0.25 = 0.5
    expect(environmentalFactor('cap', 1, 4, tiny, 0.5).expectedRaw).toBe(0.5);
    // r = 4: a = [1, 1], E = 1.75
    expect(environmentalFactor('cap', 1, 4, tiny, 4).expectedRaw).toBe(1.75);
  });

  it('with nothing alive, every mode keeps nothing', () => {
    const dead: LayerProbabilityInput[] = [
      { spec: TINY_SPEC, clusterP: new Float64Array(2), synapseP: new Float64Array(4) },
    ];
    for (const mode of ['cap', 'target', 'constant'] as const)
      expect(environmentalFactor(mode, 0.7, 0, dead).expectedAfter).toBe(0);
  });
});

describe('environmental factor, invariants on random probabilities', () => {
  const rng = new Rng(11);
  const cases = Array.from({ length: 6 }, () => randomLayers(rng));

  it('cap keeps the expected count ≤ ρ·N_ref, and equal to it when binding', () => {
    for (const layers of cases) {
      const raw = expectedCount(layers, 1);
      for (const rho of [0.3, 0.7, 1]) {
        const nRef = raw * 1.2;
        const r = environmentalFactor('cap', rho, nRef, layers);
        const after = expectedCount(layers, r.k);
        expect(after).toBeLessThanOrEqual(rho * nRef * (1 + 1e-12));
        expect(r.expectedAfter).toBeCloseTo(after, 8);
        if (raw > rho * nRef) expect(Math.abs(after / (rho * nRef) - 1)).toBeLessThan(1e-12);
        else expect(r.k).toBe(1);
      }
    }
  });

  it('target hits ρ·N_ref to 1e-6 relative, from below and from above the raw count', () => {
    for (const layers of cases) {
      const raw = expectedCount(layers, 1);
      for (const budget of [0.2 * raw, 0.9 * raw, 1.3 * raw]) {
        const r = environmentalFactor('target', 0.5, 2 * budget, layers);
        expect(r.reachable).toBe(true);
        expect(Math.abs(expectedCount(layers, r.k) / budget - 1)).toBeLessThan(1e-6);
        expect(Math.abs(r.expectedAfter / budget - 1)).toBeLessThan(1e-6);
      }
    }
  });

  it('constant gives ρ times the raw expectation', () => {
    for (const layers of cases) {
      const r = environmentalFactor('constant', 0.7, 1, layers);
      expect(r.expectedAfter / expectedCount(layers, 1)).toBeCloseTo(0.7, 12);
      expect(expectedCount(layers, r.k)).toBeCloseTo(0.7 * expectedCount(layers, 1), 8);
    }
  });

  it('rejects bad ρ, N_ref, r_c and probabilities of the wrong shape', () => {
    expect(() => environmentalFactor('cap', 0, 4, tiny)).toThrow(/ρ must be in \(0, 1\] \(got 0\)/);
    expect(() => environmentalFactor('cap', 1.5, 4, tiny)).toThrow(/ρ must be in \(0, 1\]/);
    expect(() => environmentalFactor('cap', 0.7, -1, tiny)).toThrow(/N_ref must be a finite number ≥ 0/);
    expect(() => environmentalFactor('cap', 0.7, 4, tiny, 0)).toThrow(/r_c must be a finite number > 0/);
    const wrong = [{ ...tiny[0], synapseP: new Float64Array(3) }];
    expect(() => environmentalFactor('cap', 0.7, 4, wrong)).toThrow(/layer tiny do not match its shape/);
    expect(() => environmentalFactor('bogus' as 'cap', 0.7, 4, tiny)).toThrow(/unknown budget mode "bogus"/);
  });
});
