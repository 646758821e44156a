/**
 * The cluster (filter) level of synthesis on its own, from per-filter numbers instead of whole
 * layers: each network's truncated cluster strength S(c), and the mated cluster probability
 * P_c = min(1, exp(M_c / Z − 1)) with M_c = Σ_p α_c,p · S_p(c) (ALGORITHM.md §1.3, §1.4). These
 * are the numbers layerProbabilities computes on the way (its tests hold the two together), kept
 * small enough to record per network so that a page can redraw the blend for other α/β.
 */
import { synapsesPerFilter, type LayerGenes } from './genome';
import { truncationThreshold } from './probabilities';
import type { ClusterNormaliser, Truncation } from './settings';

/** S(c) of every filter of one network's layer: the sum of its live |w| at or above the layer's τ. */
export function clusterStrengths(layer: LayerGenes, truncation: Truncation): Float64Array {
  const tau = truncationThreshold(layer, truncation);
  const per = synapsesPerFilter(layer.spec);
  const out = new Float64Array(layer.spec.filters);
  for (let f = 0, j = 0; f < out.length; f++) {
    let s = 0;
    for (const end = j + per; j < end; j++) {
      if (!layer.mask[j]) continue;
      const a = Math.abs(layer.weights[j]);
      if (a >= tau) s += a;
    }
    out[f] = s;
  }
  return out;
}

/** One parent's filters as the blend needs them: their strengths, and which have a live synapse. */
export interface ParentClusters {
  strength: ArrayLike<number>;
  alive: ArrayLike<number>;
}

/**
 * P_c per filter for parents blended with `weights` (one per parent): 0 for a filter dead in
 * every parent; Z the mean (or max) of M_c over the filters alive in some parent; Z = 0 gives 1.
 */
export function matedClusterProbabilities(
  parents: readonly ParentClusters[],
  weights: readonly number[],
  normaliser: ClusterNormaliser,
): Float64Array {
  if (parents.length === 0 || parents.length !== weights.length)
    throw new Error(
      `matedClusterProbabilities needs one weight per parent (${parents.length} parents, ${weights.length} weights)`,
    );
  const filters = parents[0].strength.length;
  if (parents.some((p) => p.strength.length !== filters || p.alive.length !== filters))
    throw new Error('matedClusterProbabilities: every parent needs one strength and one alive flag per filter');
  const mated = new Float64Array(filters);
  const alive = new Uint8Array(filters);
  parents.forEach((p, i) => {
    for (let f = 0; f < filters; f++) {
      mated[f] += weights[i] * p.strength[f];
      if (p.alive[f]) alive[f] = 1;
    }
  });
  let live = 0;
  let sum = 0;
  let max = 0;
  for (let f = 0; f < filters; f++) {
    if (!alive[f]) continue;
    live++;
    sum += mated[f];
    max = Math.max(max, mated[f]);
  }
  const Z = normaliser === 'max' ? max : live ? sum / live : 0;
  const p = new Float64Array(filters);
  for (let f = 0; f < filters; f++) if (alive[f]) p[f] = Z > 0 ? Math.min(1, Math.exp(mated[f] / Z - 1)) : 1;
  return p;
}
