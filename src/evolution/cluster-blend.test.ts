import { describe, expect, it } from 'vitest';
import { liveFilters } from './metrics';
import { layerProbabilities } from './probabilities';
import { clusterStrengths, matedClusterProbabilities } from './cluster-blend';
import { resolveSynthesisSettings, type Truncation } from './settings';
import { glorotGenome, killFilters, randomlyMasked } from '../testing/genomes';

const parentsFor = (seedA: number, seedB: number) => {
  const a = randomlyMasked(glorotGenome(1, seedA), 0.6, seedA + 100);
  const b = randomlyMasked(glorotGenome(1, seedB), 0.5, seedB + 100);
  killFilters(a, 0, [3, 7]);
  killFilters(b, 0, [7, 9]);
  return [a, b];
};

describe('the cluster level on its own', () => {
  const truncations: Truncation[] = [{ kind: 'mean' }, { kind: 'none' }, { kind: 'percentile', percentile: 70 }];
  for (const truncation of truncations)
    for (const normaliser of ['mean', 'max'] as const)
      it(`equals layerProbabilities' strengths and P_c (truncation ${truncation.kind}, Z ${normaliser})`, () => {
        const [a, b] = parentsFor(1, 2);
        const settings = resolveSynthesisSettings({ truncation, clusterNormaliser: normaliser });
        for (const weights of [
          [0.5, 0.5],
          [1, 0],
          [0.8, 0.3],
          [0, 2],
        ])
          for (let l = 0; l < a.layers.length; l++) {
            const engine = layerProbabilities(
              [a.layers[l], b.layers[l]],
              { cluster: weights, synapse: weights },
              settings,
            );
            const parents = [a, b].map((g) => ({
              strength: clusterStrengths(g.layers[l], truncation),
              alive: liveFilters(g.layers[l]),
            }));
            const ours = matedClusterProbabilities(parents, weights, normaliser);
            for (let f = 0; f < ours.length; f++) expect(ours[f]).toBeCloseTo(engine.clusterP[f], 12);
            // One parent alone with weight 1: its own strengths are the engine's cluster strengths.
            const alone = layerProbabilities([a.layers[l]], { cluster: [1], synapse: [1] }, settings);
            expect(Array.from(clusterStrengths(a.layers[l], truncation))).toEqual(Array.from(alone.clusterStrength));
          }
      });

  it('gives 0 to a filter dead in both parents and follows parent A alone when β = 0', () => {
    const [a, b] = parentsFor(3, 4);
    const t: Truncation = { kind: 'mean' };
    const parents = [a, b].map((g) => ({
      strength: clusterStrengths(g.layers[0], t),
      alive: liveFilters(g.layers[0]),
    }));
    const p = matedClusterProbabilities(parents, [1, 0], 'mean');
    expect(p[7]).toBe(0);
    // Filter 3 is dead in A only: alive in the blend, but with no strength from A.
    const own = matedClusterProbabilities([parents[0]], [1], 'mean');
    expect(own[3]).toBe(0);
    expect(p[3]).toBeCloseTo(Math.exp(-1), 12);
  });

  it('refuses a weight list that does not match the parents', () => {
    expect(() => matedClusterProbabilities([{ strength: [1], alive: [1] }], [0.5, 0.5], 'mean')).toThrow(
      /one weight per parent/,
    );
  });
});
