import { describe, expect, it } from 'vitest';
import { cloneGenome, lenetSpecs, type Genome, type LayerSpec } from './genome';
import { initialiseGenome } from './init';
import { equalMatingWeights } from './mating-weights';
import { countNetwork, networkMetrics } from './metrics';
import { referenceCount, synthesiseOffspring } from './offspring';
import { Rng } from './rng';
import { DEFAULT_SYNTHESIS, resolveSynthesisSettings, type SynthesisSettings } from './settings';

/** Big enough for sampling statistics, small enough for dozens of generations. */
const MEDIUM_SPECS: LayerSpec[] = [
  { name: 'c1', kind: 'conv', filters: 8, inChannels: 2, kernelH: 3, kernelW: 3 },
  { name: 'c2', kind: 'conv', filters: 16, inChannels: 8, kernelH: 3, kernelW: 3 },
  { name: 'f1', kind: 'dense', filters: 16, inChannels: 16, kernelH: 2, kernelW: 2 },
];

/** Stand-in for training: jitter live weights, keep dead ones at exactly 0. */
function perturb(g: Genome, rng: Rng, scale = 0.02): Genome {
  const out = cloneGenome(g);
  for (const l of out.layers)
    for (let j = 0; j < l.weights.length; j++) l.weights[j] = l.mask[j] ? l.weights[j] + scale * rng.normal() : 0;
  return out;
}

const sameMasks = (a: Genome, b: Genome): boolean =>
  a.layers.every((l, i) => l.mask.every((m, j) => m === b.layers[i].mask[j]));
const liveCount = (g: Genome): number => countNetwork(g).synapses;

/** Every live synapse of `child` is alive in at least one parent. */
function withinUnion(child: Genome, parents: Genome[]): boolean {
  return child.layers.every((l, i) => l.mask.every((m, j) => !m || parents.some((p) => p.layers[i].mask[j] === 1)));
}

describe('synthesiseOffspring', () => {
  const ancestor = initialiseGenome(lenetSpecs(1), 10, new Rng(1));

  it('same seed → identical child; different seeds → different masks', () => {
    const w = equalMatingWeights(1);
    const a = synthesiseOffspring([ancestor], w, DEFAULT_SYNTHESIS, new Rng(42)).child;
    const b = synthesiseOffspring([ancestor], w, DEFAULT_SYNTHESIS, new Rng(42)).child;
    const c = synthesiseOffspring([ancestor], w, DEFAULT_SYNTHESIS, new Rng(43)).child;
    expect(sameMasks(a, b)).toBe(true);
    expect(a.layers.every((l, i) => l.weights.every((x, j) => x === b.layers[i].weights[j]))).toBe(true);
    expect(sameMasks(a, c)).toBe(false);
  });

  it('mating a parent with itself (α = β = 0.5) is asexual synthesis, bit for bit', () => {
    const parent = perturb(
      synthesiseOffspring([ancestor], equalMatingWeights(1), DEFAULT_SYNTHESIS, new Rng(1)).child,
      new Rng(2),
    );
    const asexual = synthesiseOffspring([parent], equalMatingWeights(1), DEFAULT_SYNTHESIS, new Rng(9));
    const selfed = synthesiseOffspring([parent, parent], equalMatingWeights(2), DEFAULT_SYNTHESIS, new Rng(9));
    expect(sameMasks(asexual.child, selfed.child)).toBe(true);
    expect(
      selfed.child.layers.every((l, i) => l.weights.every((x, j) => x === asexual.child.layers[i].weights[j])),
    ).toBe(true);
    expect(selfed.stats.k).toBe(asexual.stats.k);
    expect(selfed.stats.nRef).toBe(asexual.stats.nRef);
    expect(selfed.stats.aliveInAllParents).toBe(1);
  });

  it('asexual child: inherits its parent’s weights exactly, dead synapses exactly 0, biases only on live filters', () => {
    const parent = cloneGenome(ancestor);
    parent.layers.forEach((l) => l.bias.fill(0.25));
    const { child } = synthesiseOffspring([parent], equalMatingWeights(1), DEFAULT_SYNTHESIS, new Rng(5));
    let wrongWeights = 0;
    let wrongBiases = 0;
    let deadFilters = 0;
    child.layers.forEach((l, i) => {
      const per = l.spec.inChannels * l.spec.kernelH * l.spec.kernelW;
      l.weights.forEach((w, j) => {
        if (w !== (l.mask[j] ? parent.layers[i].weights[j] : 0)) wrongWeights++;
      });
      for (let f = 0; f < l.spec.filters; f++) {
        const alive = l.mask.subarray(f * per, (f + 1) * per).some((m) => m === 1);
        if (!alive) deadFilters++;
        if (l.bias[f] !== (alive ? 0.25 : 0)) wrongBiases++;
      }
    });
    expect(wrongWeights).toBe(0);
    expect(wrongBiases).toBe(0);
    expect(deadFilters).toBeGreaterThan(0); // otherwise the bias rule was not exercised
    expect(Array.from(child.output.weights)).toEqual(Array.from(parent.output.weights));
  });

  it('cap: expected count ρ·N_ref when it binds; realised count close to it', () => {
    const { stats } = synthesiseOffspring([ancestor], equalMatingWeights(1), DEFAULT_SYNTHESIS, new Rng(3));
    expect(stats.nRef).toBe(143_136);
    expect(stats.expectedRaw).toBeGreaterThan(0.7 * 143_136); // a fresh Glorot net: raw ≈ 0.86
    expect(stats.expectedAfter / (0.7 * 143_136)).toBeCloseTo(1, 12);
    expect(stats.k).toBeLessThan(1);
    expect(Math.abs(stats.retention - 0.7)).toBeLessThan(0.05);
    expect(stats.synapses).toBe(
      liveCount(synthesiseOffspring([ancestor], equalMatingWeights(1), DEFAULT_SYNTHESIS, new Rng(3)).child),
    );
    expect(stats.perLayer.map((l) => l.name)).toEqual(['conv1', 'conv2', 'conv3', 'fc1']);
    expect(stats.perLayer.reduce((a, l) => a + l.expectedAfter, 0)).toBeCloseTo(stats.expectedAfter, 6);
    expect(stats.perLayer.reduce((a, l) => a + l.synapses, 0)).toBe(stats.synapses);
    expect(stats.meanProbability).toBeCloseTo(stats.expectedRaw / 143_136, 12); // r_c = 1, everything alive
  });

  it('constant: expected count ρ·Σ P_c·P_s; target: exactly ρ·N_ref even when the raw model is below it', () => {
    const parent = synthesiseOffspring([ancestor], equalMatingWeights(1), DEFAULT_SYNTHESIS, new Rng(3)).child;
    const constant = synthesiseOffspring(
      [parent],
      equalMatingWeights(1),
      resolveSynthesisSettings({ budget: { mode: 'constant' } }),
      new Rng(4),
    ).stats;
    expect(constant.k).toBe(0.7);
    expect(constant.expectedAfter / constant.expectedRaw).toBeCloseTo(0.7, 12);
    const target = synthesiseOffspring(
      [parent],
      equalMatingWeights(1),
      resolveSynthesisSettings({ budget: { mode: 'target', rho: 0.95 } }),
      new Rng(4),
    ).stats;
    expect(target.expectedRaw).toBeLessThan(0.95 * target.nRef);
    expect(target.k).toBeGreaterThan(1);
    expect(Math.abs(target.expectedAfter / (0.95 * target.nRef) - 1)).toBeLessThan(1e-6);
  });

  it('hard bound: never more than ⌊ρ·N_ref⌋ synapses', () => {
    const settings = resolveSynthesisSettings({ budget: { hardBound: true } });
    for (let seed = 0; seed < 4; seed++) {
      const { stats } = synthesiseOffspring([ancestor], equalMatingWeights(1), settings, new Rng(seed));
      expect(stats.synapses).toBeLessThanOrEqual(Math.floor(0.7 * 143_136));
      if (stats.hardBoundDropped > 0) expect(stats.synapses).toBe(Math.floor(0.7 * 143_136));
    }
  });

  it('N_ref is the mean or the smallest parent count', () => {
    const small = synthesiseOffspring([ancestor], equalMatingWeights(1), DEFAULT_SYNTHESIS, new Rng(6)).child;
    const counts = [liveCount(ancestor), liveCount(small)];
    expect(referenceCount([ancestor, small], 'mean')).toBe((counts[0] + counts[1]) / 2);
    expect(referenceCount([ancestor, small], 'min')).toBe(counts[1]);
    const s = synthesiseOffspring(
      [ancestor, small],
      equalMatingWeights(2),
      resolveSynthesisSettings({ budget: { reference: 'min' } }),
      new Rng(1),
    ).stats;
    expect(s.nRef).toBe(counts[1]);
  });

  it('sexual stats: support histogram of the child’s synapses over its parents', () => {
    const a = perturb(
      synthesiseOffspring([ancestor], equalMatingWeights(1), DEFAULT_SYNTHESIS, new Rng(10)).child,
      new Rng(1),
    );
    const b = perturb(
      synthesiseOffspring([ancestor], equalMatingWeights(1), DEFAULT_SYNTHESIS, new Rng(11)).child,
      new Rng(2),
    );
    const { child, stats } = synthesiseOffspring([a, b], equalMatingWeights(2), DEFAULT_SYNTHESIS, new Rng(12));
    expect(withinUnion(child, [a, b])).toBe(true);
    let both = 0;
    let one = 0;
    child.layers.forEach((l, i) =>
      l.mask.forEach((m, j) => {
        if (!m) return;
        if (a.layers[i].mask[j] && b.layers[i].mask[j]) both++;
        else one++;
      }),
    );
    expect(stats.supportHistogram).toEqual([0, one, both]);
    expect(stats.aliveInAllParents).toBeCloseTo(both / (both + one), 15);
    expect(stats.aliveInSomeParents).toBeCloseTo(one / (both + one), 15);
    expect(one).toBeGreaterThan(0);
    // One-parent synapses have a halved mated strength, so they survive less often than shared ones.
    const union = stats.parentUnion;
    const shared = stats.parentIntersection;
    expect(both / shared).toBeGreaterThan(one / (union - shared));
  });

  it('reinit: fresh weights on the surviving mask, from the init stream only', () => {
    const settings = resolveSynthesisSettings({ inheritance: 'reinit' });
    const x = synthesiseOffspring([ancestor], equalMatingWeights(1), settings, new Rng(7), new Rng(100)).child;
    const y = synthesiseOffspring([ancestor], equalMatingWeights(1), DEFAULT_SYNTHESIS, new Rng(7)).child;
    expect(sameMasks(x, y)).toBe(true);
    expect(x.layers[1].weights.some((w, j) => x.layers[1].mask[j] === 1 && w !== ancestor.layers[1].weights[j])).toBe(
      true,
    );
    expect(x.layers[1].weights.every((w, j) => x.layers[1].mask[j] === 1 || w === 0)).toBe(true);
    expect(() => synthesiseOffspring([ancestor], equalMatingWeights(1), settings, new Rng(7))).toThrow(
      /'reinit' needs an initRng/,
    );
  });

  it('rejects mismatched parents, wrong weights and bad settings with clear messages', () => {
    const other = initialiseGenome(lenetSpecs(3), 10, new Rng(1));
    expect(() => synthesiseOffspring([ancestor, other], equalMatingWeights(2), DEFAULT_SYNTHESIS, new Rng(1))).toThrow(
      /Parents differ in layer 0: parent 0 has conv1 32×1×5×5, parent 1 has conv1 32×3×5×5/,
    );
    const shallow = { ...ancestor, layers: ancestor.layers.slice(0, 3) };
    expect(() =>
      synthesiseOffspring([ancestor, shallow], equalMatingWeights(2), DEFAULT_SYNTHESIS, new Rng(1)),
    ).toThrow(/output layer takes 64 inputs but conv3 has 64 filters|Parents differ in depth/);
    expect(() => synthesiseOffspring([ancestor], equalMatingWeights(2), DEFAULT_SYNTHESIS, new Rng(1))).toThrow(
      /one weight per parent \(1\)/,
    );
    const badRho = { ...DEFAULT_SYNTHESIS, budget: { ...DEFAULT_SYNTHESIS.budget, rho: 1.5 } } as SynthesisSettings;
    expect(() => synthesiseOffspring([ancestor], equalMatingWeights(1), badRho, new Rng(1))).toThrow(
      /budget\.rho must be a number in \(0, 1\] \(got 1\.5\)/,
    );
    expect(() => synthesiseOffspring([], equalMatingWeights(1), DEFAULT_SYNTHESIS, new Rng(1))).toThrow(
      /at least one parent/,
    );
  });
});

describe('over many generations', () => {
  it('a synapse dead in every parent never comes back, whatever the settings', () => {
    const settingsList: SynthesisSettings[] = [
      DEFAULT_SYNTHESIS,
      resolveSynthesisSettings({ budget: { mode: 'target', rho: 1 }, strength: 'signed' }),
      resolveSynthesisSettings({
        budget: { mode: 'constant', clusterFactor: 3 },
        synapseNormaliser: 'parents',
        inheritance: 'reinit',
      }),
    ];
    settingsList.forEach((settings, s) => {
      const noise = new Rng(1000 + s);
      let population = [
        initialiseGenome(MEDIUM_SPECS, 4, new Rng(s)),
        initialiseGenome(MEDIUM_SPECS, 4, new Rng(s + 50)),
      ];
      let informative = 0; // generations whose child still had live synapses among dead ones
      for (let g = 0; g < 25; g++) {
        population = [0, 1].map((i) => {
          const parents = g % 3 === 0 ? [population[i]] : population; // mix asexual and sexual steps
          const { child } = synthesiseOffspring(
            parents,
            equalMatingWeights(parents.length),
            settings,
            Rng.derive(s, `g${g}i${i}`),
            Rng.derive(s, `init${g}i${i}`),
          );
          expect(withinUnion(child, parents)).toBe(true);
          if (liveCount(child) > 0) informative++;
          return perturb(child, noise);
        });
      }
      expect(informative).toBeGreaterThanOrEqual(20);
    });
  });

  it('asexual lineage of the paper’s network: efficiency grows every generation, retention ≈ ρ while the cap binds', () => {
    const ancestor = initialiseGenome(lenetSpecs(1), 10, new Rng(21));
    const reference = countNetwork(ancestor);
    const noise = new Rng(22);
    let parent = ancestor;
    let previousEfficiency = 1;
    let bindingGenerations = 0;
    for (let g = 2; g <= 7; g++) {
      const { child, stats } = synthesiseOffspring(
        [parent],
        equalMatingWeights(1),
        DEFAULT_SYNTHESIS,
        Rng.derive(21, `g${g}`),
      );
      const metrics = networkMetrics(child, reference);
      expect(metrics.synapticEfficiency).toBeGreaterThan(previousEfficiency);
      expect(metrics.clusterEfficiency).toBeGreaterThanOrEqual(1);
      expect(stats.expectedAfter).toBeLessThanOrEqual(0.7 * stats.nRef * (1 + 1e-12));
      if (stats.expectedRaw > 0.7 * stats.nRef) {
        bindingGenerations++;
        expect(Math.abs(stats.retention - 0.7)).toBeLessThan(0.05);
      }
      previousEfficiency = metrics.synapticEfficiency;
      parent = perturb(child, noise);
    }
    expect(bindingGenerations).toBeGreaterThanOrEqual(2);
    // Six generations at ≤ 0.7 in expectation: at least (1/0.75)^6 ≈ 5.6× smaller.
    expect(previousEfficiency).toBeGreaterThan(5);
  });
});
