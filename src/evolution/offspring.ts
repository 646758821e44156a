/**
 * One offspring from m parents (ALGORITHM.md §5, the body of the loop): probabilities per
 * evolved layer → global environmental factor → sampled masks (→ optional hard bound) →
 * inherited or fresh weights. m = 1 is asexual synthesis.
 */
import { synapsesPerFilter, type Genome, type LayerSpec } from './genome';
import { childGenome } from './inheritance';
import { environmentalFactor } from './environment';
import { assertMatingWeights, type MatingWeights } from './mating-weights';
import { layerProbabilities, type LayerProbabilities } from './probabilities';
import type { Rng } from './rng';
import { enforceHardBound, sampleMasks } from './sampling';
import { validateSynthesisSettings, type BudgetReference, type SynthesisSettings } from './settings';
import { assertSameArchitecture } from './shape';

export interface LayerSynthesisStats {
  name: string;
  /** τ of each parent. */
  thresholds: number[];
  /** Z and z used. */
  clusterNormaliser: number;
  synapseNormaliser: number;
  /** Mean raw P_c·P_s over this layer's synapses alive in ≥ 1 parent. */
  meanProbability: number;
  expectedRaw: number;
  expectedAfter: number;
  /** Synapses alive in at least one parent / in every parent. */
  parentUnion: number;
  parentIntersection: number;
  /** Clusters that won their cluster draw, and clusters left with ≥ 1 synapse. */
  clustersKept: number;
  clusters: number;
  synapses: number;
}

export interface SynthesisStats {
  parents: number;
  nRef: number;
  k: number;
  /** false only in 'target' mode when ρ·N_ref cannot be reached. */
  reachable: boolean;
  /** Mean raw P_c·P_s over synapses alive in ≥ 1 parent (before r_c and k). */
  meanProbability: number;
  expectedRaw: number;
  expectedAfter: number;
  /** The child's synapse count, and that over N_ref. */
  synapses: number;
  retention: number;
  /** Fractions of the child's synapses alive in every parent / in some but not all parents (§6's check). */
  aliveInAllParents: number;
  aliveInSomeParents: number;
  /** supportHistogram[i]: child synapses alive in exactly i parents (index 0 is always 0). */
  supportHistogram: number[];
  parentUnion: number;
  parentIntersection: number;
  /** Synapses removed by the hard bound (0 when it is off or did not bind). */
  hardBoundDropped: number;
  perLayer: LayerSynthesisStats[];
}

const liveCount = (g: Genome): number => g.layers.reduce((n, l) => n + l.mask.reduce((a, b) => a + b, 0), 0);

export function referenceCount(parents: readonly Genome[], reference: BudgetReference): number {
  const counts = parents.map(liveCount);
  return reference === 'min' ? Math.min(...counts) : counts.reduce((a, b) => a + b, 0) / counts.length;
}

function layerStats(
  probs: LayerProbabilities,
  spec: LayerSpec,
  mask: Uint8Array,
  clustersKept: number,
  k: number,
  clusterFactor: number,
): LayerSynthesisStats {
  const { clusterP, synapseP } = probs;
  const per = synapsesPerFilter(spec);
  let rawProduct = 0;
  let expectedRaw = 0;
  let expectedAfter = 0;
  let clusters = 0;
  let synapses = 0;
  for (let f = 0, j = 0; f < clusterP.length; f++) {
    const keep = Math.min(1, clusterFactor * clusterP[f]);
    let survivors = 0;
    for (const end = j + per; j < end; j++) {
      rawProduct += clusterP[f] * synapseP[j];
      expectedRaw += keep * synapseP[j];
      expectedAfter += keep * Math.min(1, k * synapseP[j]);
      survivors += mask[j];
    }
    synapses += survivors;
    if (survivors) clusters++;
  }
  return {
    name: spec.name,
    thresholds: probs.thresholds,
    clusterNormaliser: probs.clusterNormaliser,
    synapseNormaliser: probs.synapseNormaliser,
    meanProbability: probs.liveSynapses ? rawProduct / probs.liveSynapses : 0,
    expectedRaw,
    expectedAfter,
    parentUnion: probs.liveSynapses,
    parentIntersection: probs.sharedSynapses,
    clustersKept,
    clusters,
    synapses,
  };
}

export function synthesiseOffspring(
  parents: readonly Genome[],
  weights: MatingWeights,
  settings: SynthesisSettings,
  rng: Rng,
  initRng?: Rng,
): { child: Genome; stats: SynthesisStats } {
  assertSameArchitecture(parents);
  assertMatingWeights(weights, parents.length);
  const s = validateSynthesisSettings(settings);
  const { mode, rho, reference, clusterFactor, hardBound } = s.budget;
  if (s.inheritance === 'reinit' && !initRng)
    throw new Error("inheritance 'reinit' needs an initRng for the fresh weights");

  const probs = parents[0].layers.map((_, l) =>
    layerProbabilities(
      parents.map((p) => p.layers[l]),
      weights,
      s,
    ),
  );
  const inputs = probs.map((p, l) => ({ clusterP: p.clusterP, synapseP: p.synapseP, spec: parents[0].layers[l].spec }));
  const nRef = referenceCount(parents, reference);
  const env = environmentalFactor(mode, rho, nRef, inputs, clusterFactor);

  const { masks, clustersKept } = sampleMasks(inputs, env.k, clusterFactor, rng);
  const hardBoundDropped = hardBound
    ? enforceHardBound(masks, inputs, env.k, clusterFactor, rho * nRef * (1 + 1e-12))
    : 0;
  const child = childGenome(parents, masks, weights.synapse, s.inheritance, initRng);

  const perLayer = probs.map((p, l) => layerStats(p, inputs[l].spec, masks[l], clustersKept[l], env.k, clusterFactor));

  const supportHistogram = new Array<number>(parents.length + 1).fill(0);
  masks.forEach((mask, l) => {
    for (let j = 0; j < mask.length; j++) {
      if (!mask[j]) continue;
      let holders = 0;
      for (const p of parents) holders += p.layers[l].mask[j];
      supportHistogram[holders]++;
    }
  });
  const synapses = supportHistogram.reduce((a, b) => a + b, 0);
  const parentUnion = perLayer.reduce((a, l) => a + l.parentUnion, 0);
  const rawProductSum = perLayer.reduce((a, l) => a + l.meanProbability * l.parentUnion, 0);
  const inAll = supportHistogram[parents.length];

  return {
    child,
    stats: {
      parents: parents.length,
      nRef,
      k: env.k,
      reachable: env.reachable,
      meanProbability: parentUnion ? rawProductSum / parentUnion : 0,
      expectedRaw: env.expectedRaw,
      expectedAfter: env.expectedAfter,
      synapses,
      retention: nRef > 0 ? synapses / nRef : 0,
      aliveInAllParents: synapses ? inAll / synapses : 0,
      aliveInSomeParents: synapses ? (synapses - inAll) / synapses : 0,
      supportHistogram,
      parentUnion,
      parentIntersection: perLayer.reduce((a, l) => a + l.parentIntersection, 0),
      hardBoundDropped,
      perLayer,
    },
  };
}
