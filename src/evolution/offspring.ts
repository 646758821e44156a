/**
 * One offspring from m parents (ALGORITHM.md §5, the body of the loop): probabilities per
 * evolved layer → environmental factor (network-wide, or per layer) → sampled masks (→ optional
 * hard bound → optional layer floors) → inherited or fresh weights. m = 1 is asexual synthesis.
 */
import { synapsesPerFilter, type Genome, type LayerSpec } from './genome';
import { childGenome } from './inheritance';
import { environmentalFactor, type EnvironmentalFactor } from './environment';
import { applyLayerFloors, floorIsOff } from './floors';
import { assertMatingWeights, type MatingWeights } from './mating-weights';
import { layerProbabilities, type LayerProbabilities } from './probabilities';
import type { PruningMethod } from './pruning';
import { removalStats, type RemovalStats } from './removal';
import type { Rng } from './rng';
import { enforceHardBound, layerK, sampleMasks } from './sampling';
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
  /** The environmental factor of this layer (the network's k unless the budget is per layer). */
  k: number;
  /** Synapses the layer floors added back. */
  floorAdded: number;
}

export interface SynthesisStats {
  parents: number;
  nRef: number;
  /**
   * The environmental factor; with a per-layer budget the overall scale expectedAfter/expectedRaw
   * (each layer's own k is in perLayer); 1 in the pruning modes, which have none.
   */
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
  /** ρ of this generation (a ρ schedule's, when there is one). */
  rho: number;
  /** The mating weights this child was made with (fixed, or from its parents' fitness). */
  matingWeights: MatingWeights;
  /** What this step removed from the parents: with whole kernels and filters, or singly. */
  removed: RemovalStats;
  /** Synapses the layer floors added back (0 when they are off or did not bind). */
  floorAdded: number;
  /** The pruning modes only: the method, and the smallest magnitude kept (global magnitude pruning). */
  pruning?: { method: PruningMethod; threshold: number | null };
  perLayer: LayerSynthesisStats[];
}

const liveCount = (g: Genome): number => g.layers.reduce((n, l) => n + l.mask.reduce((a, b) => a + b, 0), 0);

const layerLiveCount = (g: Genome, l: number): number => g.layers[l].mask.reduce((a, b) => a + b, 0);

const reduceCounts = (counts: number[], reference: BudgetReference): number =>
  reference === 'min' ? Math.min(...counts) : counts.reduce((a, b) => a + b, 0) / counts.length;

export function referenceCount(parents: readonly Genome[], reference: BudgetReference): number {
  return reduceCounts(parents.map(liveCount), reference);
}

/** N_ref of one layer, for a per-layer budget. */
export function layerReferenceCount(parents: readonly Genome[], l: number, reference: BudgetReference): number {
  return reduceCounts(
    parents.map((p) => layerLiveCount(p, l)),
    reference,
  );
}

function layerStats(
  probs: LayerProbabilities,
  spec: LayerSpec,
  mask: Uint8Array,
  clustersKept: number,
  k: number,
  clusterFactor: number,
  floorAdded: number,
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
    k,
    floorAdded,
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
  // Network-wide (§1.5): one k over every evolved layer. Per layer: each layer its own budget.
  const layerRefs = inputs.map((_, l) => layerReferenceCount(parents, l, reference));
  const layerEnv =
    s.budget.scope === 'layer'
      ? inputs.map((input, l) => environmentalFactor(mode, rho, layerRefs[l], [input], clusterFactor))
      : null;
  const env: EnvironmentalFactor = layerEnv
    ? combineLayerFactors(layerEnv)
    : environmentalFactor(mode, rho, nRef, inputs, clusterFactor);
  const k: number | number[] = layerEnv ? layerEnv.map((e) => e.k) : env.k;

  const floorOn = !floorIsOff(s.layerFloor);
  const { masks, clustersKept, synapseWins } = sampleMasks(inputs, k, clusterFactor, rng, s.layerFloor.filters > 0);
  let hardBoundDropped = 0;
  if (hardBound && layerEnv)
    masks.forEach((mask, l) => {
      hardBoundDropped += enforceHardBound(
        [mask],
        [inputs[l]],
        layerK(k, l),
        clusterFactor,
        rho * layerRefs[l] * (1 + 1e-12),
      );
    });
  else if (hardBound)
    hardBoundDropped = enforceHardBound(masks, inputs, env.k, clusterFactor, rho * nRef * (1 + 1e-12));
  const floorAdded = floorOn
    ? applyLayerFloors(masks, inputs, synapseWins, k, clusterFactor, s.layerFloor)
    : masks.map(() => 0);
  const child = childGenome(parents, masks, weights.synapse, s.inheritance, initRng);

  const perLayer = probs.map((p, l) =>
    layerStats(p, inputs[l].spec, masks[l], clustersKept[l], layerK(k, l), clusterFactor, floorAdded[l]),
  );

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
      rho,
      matingWeights: { cluster: weights.cluster.slice(), synapse: weights.synapse.slice() },
      removed: removalStats(parents, masks),
      floorAdded: floorAdded.reduce((a, b) => a + b, 0),
      perLayer,
    },
  };
}

/** The per-layer factors summed into one: k is then the overall scale expectedAfter / expectedRaw. */
function combineLayerFactors(layers: readonly EnvironmentalFactor[]): EnvironmentalFactor {
  const expectedRaw = layers.reduce((a, e) => a + e.expectedRaw, 0);
  const expectedAfter = layers.reduce((a, e) => a + e.expectedAfter, 0);
  return {
    k: expectedRaw > 0 ? expectedAfter / expectedRaw : 1,
    expectedRaw,
    expectedAfter,
    reachable: layers.every((e) => e.reachable),
  };
}
