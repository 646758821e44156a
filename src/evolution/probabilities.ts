/**
 * Synthesis probabilities of one evolved layer from m parents (ALGORITHM.md §1.2–§1.4, §5):
 *   m_j  = Σ_p α_s,p·|w_p,j|·mask_p,j                    (or |Σ_p α_s,p·w_p,j·mask_p,j| when 'signed')
 *   S_p(c) = Σ_{j∈c} T_p(|w_p,j|·mask_p,j),  T_p = hard threshold at τ_p over p's live synapses
 *   M_c  = Σ_p α_c,p·S_p(c)
 *   P_c  = alive(c) ? min(1, exp(M_c/Z − 1)) : 0         (Z = 0 → P_c = 1 for live clusters)
 *   P_s  = m_j > 0 ? min(1, exp(m_j/z − 1)) : 0
 * A synapse dead in every parent has m_j = 0, hence P_s = 0: it never grows back.
 */
import { synapseCount, synapsesPerFilter, type LayerGenes } from './genome';
import { assertMatingWeights, type MatingWeights } from './mating-weights';
import type { SynthesisSettings, Truncation } from './settings';
import { assertLayerConsistent, sameLayerShape } from './shape';

export interface LayerProbabilities {
  /** P_c per filter. */
  clusterP: Float64Array;
  /** P_s per synapse (before the environmental factor). */
  synapseP: Float64Array;
  /** M_c: mated truncated cluster strength. */
  clusterStrength: Float64Array;
  /** m_j: mated synapse strength. */
  synapseStrength: Float64Array;
  /** Z actually used. */
  clusterNormaliser: number;
  /** z actually used. */
  synapseNormaliser: number;
  /** τ of each parent. */
  thresholds: number[];
  /** Clusters / synapses alive in at least one parent. */
  liveClusters: number;
  liveSynapses: number;
  /** Synapses alive in every parent. */
  sharedSynapses: number;
}

/** τ of one parent's layer, over its live synapses (0 when none is alive). */
export function truncationThreshold(layer: LayerGenes, truncation: Truncation): number {
  const { weights, mask } = layer;
  switch (truncation.kind) {
    case 'none':
      return 0;
    case 'mean': {
      let sum = 0;
      let live = 0;
      for (let j = 0; j < weights.length; j++)
        if (mask[j]) {
          sum += Math.abs(weights[j]);
          live++;
        }
      return live ? sum / live : 0;
    }
    case 'fractionOfMax': {
      let max = 0;
      for (let j = 0; j < weights.length; j++) if (mask[j]) max = Math.max(max, Math.abs(weights[j]));
      return truncation.fraction * max;
    }
    case 'percentile': {
      let live = 0;
      for (let j = 0; j < mask.length; j++) live += mask[j];
      if (!live) return 0;
      const sorted = new Float64Array(live);
      for (let j = 0, i = 0; j < weights.length; j++) if (mask[j]) sorted[i++] = Math.abs(weights[j]);
      sorted.sort();
      // Linear interpolation between order statistics (numpy's default).
      const rank = (truncation.percentile / 100) * (live - 1);
      const lo = Math.floor(rank);
      const hi = Math.min(lo + 1, live - 1);
      return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }
  }
}

/** z_l(p) of one parent on its own: mean |w| over its live synapses. */
export function meanLiveMagnitude(layer: LayerGenes): number {
  return truncationThreshold(layer, { kind: 'mean' });
}

export function layerProbabilities(
  parents: readonly LayerGenes[],
  weights: MatingWeights,
  settings: SynthesisSettings,
): LayerProbabilities {
  if (parents.length === 0) throw new Error('layerProbabilities needs at least one parent layer');
  assertMatingWeights(weights, parents.length);
  const spec = parents[0].spec;
  parents.forEach((p, i) => {
    assertLayerConsistent(p, `parent ${i}`);
    if (!sameLayerShape(spec, p.spec))
      throw new Error(`Parent ${i} layer ${p.spec.name} does not match parent 0 layer ${spec.name} in shape`);
  });

  const n = synapseCount(spec);
  const per = synapsesPerFilter(spec);
  const clusterStrength = new Float64Array(spec.filters);
  const synapseStrength = new Float64Array(n);
  const holders = new Uint8Array(n); // how many parents have synapse j alive
  const clusterAlive = new Uint8Array(spec.filters);
  const signed = settings.strength === 'signed';
  const thresholds: number[] = [];

  parents.forEach((parent, p) => {
    const { weights: w, mask } = parent;
    const tau = truncationThreshold(parent, settings.truncation);
    thresholds.push(tau);
    const alphaC = weights.cluster[p];
    const alphaS = weights.synapse[p];
    for (let f = 0, j = 0; f < spec.filters; f++) {
      let strength = 0;
      let live = 0;
      for (const end = j + per; j < end; j++) {
        if (!mask[j]) continue;
        live++;
        holders[j]++;
        const a = Math.abs(w[j]);
        if (a >= tau) strength += a;
        synapseStrength[j] += alphaS * (signed ? w[j] : a);
      }
      clusterStrength[f] += alphaC * strength;
      if (live) clusterAlive[f] = 1;
    }
  });

  let liveSynapses = 0;
  let sharedSynapses = 0;
  let synapseSum = 0;
  let synapseMax = 0;
  for (let j = 0; j < n; j++) {
    if (signed) synapseStrength[j] = Math.abs(synapseStrength[j]);
    if (!holders[j]) continue;
    liveSynapses++;
    if (holders[j] === parents.length) sharedSynapses++;
    synapseSum += synapseStrength[j];
    synapseMax = Math.max(synapseMax, synapseStrength[j]);
  }

  let liveClusters = 0;
  let clusterSum = 0;
  let clusterMax = 0;
  for (let f = 0; f < spec.filters; f++) {
    if (!clusterAlive[f]) continue;
    liveClusters++;
    clusterSum += clusterStrength[f];
    clusterMax = Math.max(clusterMax, clusterStrength[f]);
  }

  const Z = settings.clusterNormaliser === 'max' ? clusterMax : liveClusters ? clusterSum / liveClusters : 0;
  let z: number;
  if (settings.synapseNormaliser === 'max') z = synapseMax;
  else if (settings.synapseNormaliser === 'mean') z = liveSynapses ? synapseSum / liveSynapses : 0;
  else z = parents.reduce((acc, parent, p) => acc + weights.synapse[p] * meanLiveMagnitude(parent), 0);

  const clusterP = new Float64Array(spec.filters);
  for (let f = 0; f < spec.filters; f++)
    if (clusterAlive[f]) clusterP[f] = Z > 0 ? Math.min(1, Math.exp(clusterStrength[f] / Z - 1)) : 1;

  const synapseP = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const m = synapseStrength[j];
    // z > 0 whenever some m_j > 0 (it is a mean/max/blend of them); the guard only covers degenerate input.
    if (m > 0) synapseP[j] = z > 0 ? Math.min(1, Math.exp(m / z - 1)) : 1;
  }

  return {
    clusterP,
    synapseP,
    clusterStrength,
    synapseStrength,
    clusterNormaliser: Z,
    synapseNormaliser: z,
    thresholds,
    liveClusters,
    liveSynapses,
    sharedSynapses,
  };
}
