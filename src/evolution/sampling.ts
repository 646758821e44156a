/**
 * Sampling an offspring's masks (ALGORITHM.md §1.4 "Sampling order"): a cluster is kept with
 * probability min(1, r_c·P_c); inside a kept cluster each synapse is kept with min(1, k·P_s).
 *
 * Draw order is fixed: layer by layer, filter by filter, one draw for the cluster then one per
 * synapse, and every draw is made whether or not it can matter. The same seed therefore gives
 * the same masks, and two settings run with one seed see the same random numbers per synapse.
 */
import { synapsesPerFilter } from './genome';
import type { LayerProbabilityInput } from './environment';
import type { Rng } from './rng';

export interface SampledMasks {
  masks: Uint8Array[];
  /** Per layer: clusters that won their cluster draw (some may still end up with no synapse). */
  clustersKept: number[];
  /**
   * When asked for: per synapse, whether its own draw won (u < min(1, k·P_s)), whatever its
   * cluster's draw; a filter floor revives a dropped cluster with these.
   */
  synapseWins?: Uint8Array[];
}

/** k of each layer: one number for all (the network-wide factor) or one per layer. */
export const layerK = (k: number | readonly number[], l: number): number => (typeof k === 'number' ? k : k[l]);

export function sampleMasks(
  layers: readonly LayerProbabilityInput[],
  k: number | readonly number[],
  clusterFactor: number,
  rng: Rng,
  keepSynapseWins = false,
): SampledMasks {
  const clustersKept: number[] = [];
  const synapseWins: Uint8Array[] = [];
  const masks = layers.map(({ spec, clusterP, synapseP }, l) => {
    const mask = new Uint8Array(synapseP.length);
    const wins = keepSynapseWins ? new Uint8Array(synapseP.length) : null;
    const kl = layerK(k, l);
    const per = synapsesPerFilter(spec);
    let kept = 0;
    for (let f = 0, j = 0; f < spec.filters; f++) {
      // u < p with u ∈ [0, 1): p = 0 never keeps, p = 1 always keeps.
      const keepCluster = rng.next() < Math.min(1, clusterFactor * clusterP[f]);
      if (keepCluster) kept++;
      for (const end = j + per; j < end; j++) {
        const win = rng.next() < Math.min(1, kl * synapseP[j]);
        if (wins && win) wins[j] = 1;
        if (keepCluster && win) mask[j] = 1;
      }
    }
    clustersKept.push(kept);
    if (wins) synapseWins.push(wins);
    return mask;
  });
  return keepSynapseWins ? { masks, clustersKept, synapseWins } : { masks, clustersKept };
}

/** Marginal keep probability of synapse j of a layer: min(1, r_c·P_c)·min(1, k·P_s). */
function finalProbability(
  layer: LayerProbabilityInput,
  per: number,
  j: number,
  k: number,
  clusterFactor: number,
): number {
  return Math.min(1, clusterFactor * layer.clusterP[Math.floor(j / per)]) * Math.min(1, k * layer.synapseP[j]);
}

/**
 * If more than `limit` synapses were sampled, drops the extras with the lowest marginal keep
 * probability (ties: earliest layer and position first). Returns how many were dropped.
 */
export function enforceHardBound(
  masks: Uint8Array[],
  layers: readonly LayerProbabilityInput[],
  k: number,
  clusterFactor: number,
  limit: number,
): number {
  let count = 0;
  for (const m of masks) for (let j = 0; j < m.length; j++) count += m[j];
  const extra = count - Math.max(0, Math.floor(limit));
  if (extra <= 0) return 0;

  const sampled = new Float64Array(count);
  let i = 0;
  layers.forEach((layer, l) => {
    const per = synapsesPerFilter(layer.spec);
    const m = masks[l];
    for (let j = 0; j < m.length; j++) if (m[j]) sampled[i++] = finalProbability(layer, per, j, k, clusterFactor);
  });
  const sorted = sampled.slice().sort();
  const cut = sorted[extra - 1];
  let strictlyBelow = 0;
  for (let s = 0; s < sampled.length; s++) if (sampled[s] < cut) strictlyBelow++;
  let tiesToDrop = extra - strictlyBelow;

  i = 0;
  masks.forEach((m) => {
    for (let j = 0; j < m.length; j++) {
      if (!m[j]) continue;
      const q = sampled[i++];
      if (q < cut) m[j] = 0;
      else if (q === cut && tiesToDrop > 0) {
        m[j] = 0;
        tiesToDrop--;
      }
    }
  });
  return extra;
}
