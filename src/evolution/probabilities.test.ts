import { describe, expect, it } from 'vitest';
import { lenetSpecs, type LayerGenes } from './genome';
import { initialiseGenome } from './init';
import { equalMatingWeights } from './mating-weights';
import { layerProbabilities, truncationThreshold } from './probabilities';
import { Rng } from './rng';
import { DEFAULT_SYNTHESIS, resolveSynthesisSettings, type PartialSynthesisSettings } from './settings';
import { TINY_SPEC, layer } from '../testing/genomes';

// Dyadic weights are exact in float32, so the hand values below are exact to double precision.
const A = layer(TINY_SPEC, [0.5, -0.25, 0.125, 0.375], [1, 1, 1, 1]);
const B = layer(TINY_SPEC, [0.25, 0, 0.75, -0.125], [1, 0, 1, 1]);
const e = Math.exp;

function expectClose(actual: Float64Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((x, i) => expect(Math.abs(actual[i] - x), `index ${i}: ${actual[i]} vs ${x}`).toBeLessThan(1e-12));
}

/** Index of the first entry that differs (bit for bit), or −1; far faster than toEqual on 65k entries. */
function firstDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

const probs = (parents: LayerGenes[], s: PartialSynthesisSettings = {}, w = equalMatingWeights(parents.length)) =>
  layerProbabilities(parents, w, resolveSynthesisSettings(s));

describe('layer probabilities, hand-computed on a 2-filter × 1 × 1×2 layer', () => {
  it('asexual (m = 1), defaults', () => {
    // τ = mean|w| = (0.5+0.25+0.125+0.375)/4 = 0.3125 → T = [0.5, 0 | 0, 0.375]
    // S = [0.5, 0.375], Z = 0.4375; z = 0.3125
    const r = probs([A]);
    expect(r.thresholds).toEqual([0.3125]);
    expectClose(r.clusterStrength, [0.5, 0.375]);
    expect(r.clusterNormaliser).toBe(0.4375);
    expect(r.synapseNormaliser).toBe(0.3125);
    expectClose(r.clusterP, [1 /* e^(0.5/0.4375−1) > 1 */, e(0.375 / 0.4375 - 1)]);
    expectClose(r.synapseP, [1, e(0.25 / 0.3125 - 1), e(0.125 / 0.3125 - 1), 1]);
  });

  it('sexual (α = β = 0.5), one synapse missing in parent B', () => {
    // τ_A = 0.3125; τ_B = (0.25+0.75+0.125)/3 = 0.375 → T_B = [0, – | 0.75, 0]
    // M = 0.5·[0.5, 0.375] + 0.5·[0, 0.75] = [0.25, 0.5625], Z = 0.40625
    // m = [0.375, 0.125, 0.4375, 0.25], z = 1.1875/4 = 0.296875
    const r = probs([A, B]);
    expect(r.thresholds).toEqual([0.3125, 0.375]);
    expectClose(r.clusterStrength, [0.25, 0.5625]);
    expectClose(r.synapseStrength, [0.375, 0.125, 0.4375, 0.25]);
    expect(r.clusterNormaliser).toBe(0.40625);
    expect(r.synapseNormaliser).toBe(0.296875);
    expectClose(r.clusterP, [e(0.25 / 0.40625 - 1), 1]);
    expectClose(r.synapseP, [1, e(0.125 / 0.296875 - 1), 1, e(0.25 / 0.296875 - 1)]);
    expect(r.liveSynapses).toBe(4);
    expect(r.sharedSynapses).toBe(3);
  });

  it("'max' normalisers", () => {
    // Z = max S = 0.5; z = max|w| = 0.5
    const r = probs([A], { clusterNormaliser: 'max', synapseNormaliser: 'max' });
    expectClose(r.clusterP, [1, e(0.375 / 0.5 - 1)]);
    expectClose(r.synapseP, [1, e(0.25 / 0.5 - 1), e(0.125 / 0.5 - 1), e(0.375 / 0.5 - 1)]);
  });

  it("'parents' synapse normaliser blends each parent's own mean |w|", () => {
    // z_A = 0.3125, z_B = 0.375 → z = 0.34375
    const r = probs([A, B], { synapseNormaliser: 'parents' });
    expect(r.synapseNormaliser).toBe(0.34375);
    expectClose(r.synapseP, [1, e(0.125 / 0.34375 - 1), 1, e(0.25 / 0.34375 - 1)]);
  });

  it("'signed' strength lets disagreeing parents cancel", () => {
    // m = |0.5·w_A + 0.5·w_B| = [0.375, 0.125, 0.4375, |0.1875 − 0.0625| = 0.125], z = 1.0625/4
    const r = probs([A, B], { strength: 'signed' });
    expectClose(r.synapseStrength, [0.375, 0.125, 0.4375, 0.125]);
    expectClose(r.synapseP, [1, e(0.125 / 0.265625 - 1), 1, e(0.125 / 0.265625 - 1)]);
    const opposite = layer(TINY_SPEC, [-0.5, -0.25, 0.125, 0.375], [1, 1, 1, 1]);
    const cancelled = probs([A, opposite], { strength: 'signed' });
    expect(cancelled.synapseP[0]).toBe(0);
    expect(cancelled.synapseP[1]).toBeGreaterThan(0);
  });

  it('truncation options: fraction of max, percentile, none', () => {
    // fraction 0.5 of max 0.5 → τ = 0.25: T = [0.5, 0.25 | 0, 0.375], S = [0.75, 0.375], Z = 0.5625
    const f = probs([A], { truncation: { kind: 'fractionOfMax', fraction: 0.5 } });
    expect(f.thresholds).toEqual([0.25]);
    expectClose(f.clusterP, [1, e(0.375 / 0.5625 - 1)]);
    // 75th percentile of [0.125, 0.25, 0.375, 0.5]: rank 2.25 → 0.375 + 0.25·0.125 = 0.40625: S = [0.5, 0], Z = 0.25
    const p = probs([A], { truncation: { kind: 'percentile', percentile: 75 } });
    expect(p.thresholds).toEqual([0.40625]);
    expectClose(p.clusterP, [1, e(-1)]);
    // none: S = [0.75, 0.5], Z = 0.625
    const n = probs([A], { truncation: { kind: 'none' } });
    expect(n.thresholds).toEqual([0]);
    expectClose(n.clusterP, [1, e(0.5 / 0.625 - 1)]);
    // The synapse side does not depend on τ.
    expectClose(f.synapseP, Array.from(probs([A]).synapseP));
  });

  it('percentile 0 and 100 are the smallest and largest live magnitude (dead ones ignored)', () => {
    expect(truncationThreshold(B, { kind: 'percentile', percentile: 0 })).toBe(0.125);
    expect(truncationThreshold(B, { kind: 'percentile', percentile: 100 })).toBe(0.75);
  });

  it('a synapse dead in every parent, and a cluster dead in every parent, get probability 0', () => {
    const a = layer(TINY_SPEC, [0.5, 0, 0, 0], [1, 0, 0, 0]);
    const b = layer(TINY_SPEC, [0.25, 0, 0, 0], [1, 0, 0, 0]);
    const r = probs([a, b]);
    // Normalisers average over what is alive in some parent only: Z = M_0 = 0.5·0.5 + 0.5·0.25, z = m_0.
    expect(r.clusterNormaliser).toBe(0.375);
    expect(r.synapseNormaliser).toBe(0.375);
    expectClose(r.synapseP, [1, 0, 0, 0]);
    expectClose(r.clusterP, [1, 0]);
    expect(r.liveClusters).toBe(1);
  });

  it('a live cluster whose strength is 0 everywhere (Z = 0) gets P_c = 1; zero weights get P_s = 0', () => {
    const zero = layer(TINY_SPEC, [0, 0, 0, 0], [1, 1, 0, 0]);
    const r = probs([zero]);
    expect(r.clusterNormaliser).toBe(0);
    expectClose(r.clusterP, [1, 0]);
    expectClose(r.synapseP, [0, 0, 0, 0]);
  });

  it('all probabilities lie in [0, 1]', () => {
    const g = initialiseGenome(lenetSpecs(1), 10, new Rng(7));
    const r = probs([g.layers[2]]);
    const all = [...r.clusterP, ...r.synapseP];
    expect(Math.min(...all)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...all)).toBeLessThanOrEqual(1);
  });
});

describe('identities', () => {
  const genome = initialiseGenome(lenetSpecs(1), 10, new Rng(3));
  // Kill a pattern of synapses so that masks matter.
  for (const l of genome.layers)
    for (let j = 0; j < l.mask.length; j += 3) {
      l.mask[j] = 0;
      l.weights[j] = 0;
    }

  it('two identical parents with α + β = 1 give exactly the asexual probabilities', () => {
    for (const settings of [
      DEFAULT_SYNTHESIS,
      resolveSynthesisSettings({ clusterNormaliser: 'max', synapseNormaliser: 'parents' }),
    ]) {
      for (const l of genome.layers) {
        const asexual = layerProbabilities([l], equalMatingWeights(1), settings);
        const sexual = layerProbabilities([l, l], equalMatingWeights(2), settings);
        expect(firstDifference(sexual.clusterP, asexual.clusterP)).toBe(-1);
        expect(firstDifference(sexual.synapseP, asexual.synapseP)).toBe(-1);
      }
    }
  });

  it('identical parents with unequal weights (α + β = 1) or three parents agree to rounding', () => {
    const l = genome.layers[1];
    const asexual = layerProbabilities([l], equalMatingWeights(1), DEFAULT_SYNTHESIS);
    const cases = [
      layerProbabilities([l, l], { cluster: [0.3, 0.7], synapse: [0.9, 0.1] }, DEFAULT_SYNTHESIS),
      layerProbabilities([l, l, l], equalMatingWeights(3), DEFAULT_SYNTHESIS),
    ];
    for (const c of cases) {
      let worst = 0;
      for (let j = 0; j < asexual.synapseP.length; j++)
        worst = Math.max(worst, Math.abs(c.synapseP[j] - asexual.synapseP[j]));
      expect(worst).toBeLessThan(1e-12);
    }
  });

  it('rejects parents of different shapes and mismatched arrays', () => {
    const wide = layer({ ...TINY_SPEC, kernelW: 3 }, [1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]);
    expect(() => probs([A, wide])).toThrow(/Parent 1 layer tiny does not match parent 0 layer tiny in shape/);
    const short = { ...A, mask: new Uint8Array(3) };
    expect(() => probs([short])).toThrow(/mask has 3 entries, spec needs 4/);
    expect(() => layerProbabilities([A, B], equalMatingWeights(1), DEFAULT_SYNTHESIS)).toThrow(
      /one weight per parent \(2\)/,
    );
    expect(() => layerProbabilities([], equalMatingWeights(1), DEFAULT_SYNTHESIS)).toThrow(/at least one parent/);
  });
});
