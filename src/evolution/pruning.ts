/**
 * The baselines evolution must beat (issue 19), under the same retention ρ per generation:
 *   magnitude:           iterative magnitude pruning (Han et al. 2015), global across the evolved
 *                        layers: keep exactly the k = round(ρ·N) largest |w| of the parent's N live
 *                        synapses (ties: the earlier layer and position)
 *   magnitude-layerwise: each evolved layer keeps its own k_l = round(ρ·N_l) largest |w|
 *   random:              k = round(ρ·N) of the live synapses, uniformly at random (seeded)
 * Weights are kept (fine-tuning) unless the settings say 'reinit'; nothing dead ever comes back.
 */
import { synapsesPerFilter, type Genome } from './genome';
import { childGenome } from './inheritance';
import type { LayerSynthesisStats, SynthesisStats } from './offspring';
import { removalStats } from './removal';
import type { Rng } from './rng';
import type { SynthesisSettings } from './settings';
import { assertGenomeConsistent } from './shape';

export type PruningMethod = 'magnitude' | 'magnitude-layerwise' | 'random';
export const PRUNING_METHODS: readonly PruningMethod[] = ['magnitude', 'magnitude-layerwise', 'random'];

export interface PrunedMasks {
  masks: Uint8Array[];
  /** Per layer: the smallest |w| kept (null when the layer keeps nothing, or for random pruning). */
  thresholds: (number | null)[];
  /** Over the network: the smallest |w| kept (magnitude only). */
  threshold: number | null;
}

/** How many of n live synapses a retention ρ keeps. */
export const keptCount = (rho: number, n: number): number => Math.round(rho * n);

/** Live synapses of the given layers as [layer, position] pairs, in layer-then-position order. */
function liveSynapses(parent: Genome, layers: readonly number[]): { layer: Uint32Array; pos: Uint32Array } {
  let n = 0;
  for (const l of layers) for (const bit of parent.layers[l].mask) n += bit;
  const layer = new Uint32Array(n);
  const pos = new Uint32Array(n);
  let i = 0;
  for (const l of layers) {
    const mask = parent.layers[l].mask;
    for (let j = 0; j < mask.length; j++)
      if (mask[j]) {
        layer[i] = l;
        pos[i++] = j;
      }
  }
  return { layer, pos };
}

/** Keeps the k largest |w| among the given layers' live synapses; returns the smallest kept. */
function keepLargest(parent: Genome, layers: readonly number[], rho: number, masks: Uint8Array[]): number | null {
  const live = liveSynapses(parent, layers);
  const n = live.pos.length;
  const k = keptCount(rho, n);
  const magnitude = new Float64Array(n);
  for (let i = 0; i < n; i++) magnitude[i] = Math.abs(parent.layers[live.layer[i]].weights[live.pos[i]]);
  // Largest first; equal magnitudes keep the earlier layer and position (the list is in that order).
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => magnitude[b] - magnitude[a] || a - b);
  for (let r = 0; r < k; r++) masks[live.layer[order[r]]][live.pos[order[r]]] = 1;
  return k > 0 ? magnitude[order[k - 1]] : null;
}

export function pruningMasks(parent: Genome, method: PruningMethod, rho: number, rng: Rng): PrunedMasks {
  if (!(rho > 0 && rho <= 1)) throw new Error(`Pruning: ρ must be in (0, 1] (got ${rho})`);
  assertGenomeConsistent(parent, 'parent');
  const masks = parent.layers.map((l) => new Uint8Array(l.mask.length));
  const all = parent.layers.map((_, l) => l);
  const smallestKept = (l: number): number | null => {
    let min: number | null = null;
    const { weights } = parent.layers[l];
    masks[l].forEach((bit, j) => {
      if (bit) min = min === null ? Math.abs(weights[j]) : Math.min(min, Math.abs(weights[j]));
    });
    return min;
  };
  switch (method) {
    case 'magnitude': {
      const threshold = keepLargest(parent, all, rho, masks);
      return { masks, thresholds: all.map(smallestKept), threshold };
    }
    case 'magnitude-layerwise': {
      for (const l of all) keepLargest(parent, [l], rho, masks);
      return { masks, thresholds: all.map(smallestKept), threshold: null };
    }
    case 'random': {
      const live = liveSynapses(parent, all);
      const n = live.pos.length;
      const k = keptCount(rho, n);
      const order = Uint32Array.from({ length: n }, (_, i) => i);
      // Partial Fisher–Yates: the first k become a uniform draw without replacement.
      for (let i = 0; i < k; i++) {
        const j = i + rng.int(n - i);
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      for (let r = 0; r < k; r++) masks[live.layer[order[r]]][live.pos[order[r]]] = 1;
      return { masks, thresholds: all.map(() => null), threshold: null };
    }
    default:
      throw new Error(`Pruning: unknown method ${JSON.stringify(method)}`);
  }
}

/**
 * One pruned offspring, with statistics in the shape of a synthesis step's so that records,
 * charts and summaries treat it alike: k = 1 (no environmental factor), each live synapse's
 * "probability" is the share kept, and the single parent holds every kept synapse.
 */
export function pruneOffspring(
  parent: Genome,
  method: PruningMethod,
  settings: Pick<SynthesisSettings, 'inheritance'> & { budget: { rho: number } },
  rng: Rng,
  initRng?: Rng,
): { child: Genome; stats: SynthesisStats } {
  const rho = settings.budget.rho;
  const { masks, thresholds, threshold } = pruningMasks(parent, method, rho, rng);
  const child = childGenome([parent], masks, [1], settings.inheritance, initRng);
  const perLayer: LayerSynthesisStats[] = parent.layers.map((layer, l) => {
    const per = synapsesPerFilter(layer.spec);
    let before = 0;
    let after = 0;
    let clusters = 0;
    for (let f = 0; f < layer.spec.filters; f++) {
      let survivors = 0;
      for (let j = f * per; j < (f + 1) * per; j++) {
        before += layer.mask[j];
        survivors += masks[l][j];
      }
      after += survivors;
      if (survivors) clusters++;
    }
    return {
      name: layer.spec.name,
      thresholds: thresholds[l] === null ? [] : [thresholds[l]],
      clusterNormaliser: 0,
      synapseNormaliser: 0,
      meanProbability: before ? after / before : 0,
      expectedRaw: before,
      expectedAfter: after,
      parentUnion: before,
      parentIntersection: before,
      clustersKept: clusters,
      clusters,
      synapses: after,
      k: 1,
      floorAdded: 0,
    };
  });
  const nRef = perLayer.reduce((a, l) => a + l.parentUnion, 0);
  const synapses = perLayer.reduce((a, l) => a + l.synapses, 0);
  return {
    child,
    stats: {
      parents: 1,
      nRef,
      k: 1,
      reachable: true,
      meanProbability: nRef ? synapses / nRef : 0,
      expectedRaw: nRef,
      expectedAfter: synapses,
      synapses,
      retention: nRef ? synapses / nRef : 0,
      aliveInAllParents: synapses ? 1 : 0,
      aliveInSomeParents: 0,
      supportHistogram: [0, synapses],
      parentUnion: nRef,
      parentIntersection: nRef,
      hardBoundDropped: 0,
      rho,
      matingWeights: { cluster: [1], synapse: [1] },
      removed: removalStats([parent], masks),
      floorAdded: 0,
      pruning: { method, threshold },
      perLayer,
    },
  };
}
