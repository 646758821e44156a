/**
 * Layer-aware floors (issue 19): evolution kills conv1's filters first because that layer holds
 * only 800 of the ancestor's 143,136 synapses, so a network-wide budget barely notices them. A
 * floor tops a sampled layer up after the budget has acted:
 *   filters:  while fewer than min(F, live clusters) filters have a synapse, revive the dropped
 *             cluster with the highest P_c (ties: the lower index) with the synapses whose own draw
 *             won (or, if none did, its single most probable synapse);
 *   synapses: while fewer than min(⌈s·N_l⌉, live synapses) synapses live, add the dropped synapse
 *             with the highest keep probability min(1, r_c·P_c)·min(1, k·P_s) (ties: the lower index).
 * N_l is the layer's synapse count in the dense ancestor (its spec). A live cluster or synapse is
 * one alive in some parent (P > 0); nothing dead in every parent ever comes back.
 */
import { synapseCount, synapsesPerFilter } from './genome';
import type { LayerProbabilityInput } from './environment';
import { layerK } from './sampling';
import type { LayerFloor } from './settings';

export const floorIsOff = (floor: LayerFloor): boolean => floor.synapseShare <= 0 && floor.filters <= 0;

/** The synapse floor of a layer of n (dense) synapses: ⌈s·n⌉, robust to float noise (0.1·800 = 80). */
export const synapseFloorCount = (share: number, n: number): number => Math.ceil(share * n - 1e-9);

function reviveFilters(mask: Uint8Array, layer: LayerProbabilityInput, wins: Uint8Array, minFilters: number): number {
  const { spec, clusterP, synapseP } = layer;
  const per = synapsesPerFilter(spec);
  const hasSynapse = (f: number) => mask.subarray(f * per, (f + 1) * per).some((x) => x === 1);
  let live = 0;
  let alive = 0;
  const dropped: number[] = [];
  for (let f = 0; f < spec.filters; f++) {
    if (!(clusterP[f] > 0)) continue;
    live++;
    if (hasSynapse(f)) alive++;
    else dropped.push(f);
  }
  const target = Math.min(minFilters, live);
  dropped.sort((a, b) => clusterP[b] - clusterP[a] || a - b);
  let added = 0;
  for (const f of dropped) {
    if (alive >= target) break;
    const start = f * per;
    let best = -1;
    let revived = 0;
    for (let j = start; j < start + per; j++) {
      if (!(synapseP[j] > 0)) continue;
      if (best < 0 || synapseP[j] > synapseP[best]) best = j;
      if (wins[j]) {
        mask[j] = 1;
        revived++;
      }
    }
    if (best < 0) continue; // no live synapse to revive it with
    if (!revived) {
      mask[best] = 1;
      revived = 1;
    }
    added += revived;
    alive++;
  }
  return added;
}

function topUpSynapses(
  mask: Uint8Array,
  layer: LayerProbabilityInput,
  k: number,
  clusterFactor: number,
  share: number,
): number {
  const { spec, clusterP, synapseP } = layer;
  const per = synapsesPerFilter(spec);
  let live = 0;
  let kept = 0;
  const dropped: number[] = [];
  for (let j = 0; j < mask.length; j++) {
    if (!(synapseP[j] > 0)) continue;
    live++;
    if (mask[j]) kept++;
    else dropped.push(j);
  }
  const missing = Math.min(synapseFloorCount(share, synapseCount(spec)), live) - kept;
  if (missing <= 0) return 0;
  const p = (j: number) => Math.min(1, clusterFactor * clusterP[Math.floor(j / per)]) * Math.min(1, k * synapseP[j]);
  const order = dropped.map((j) => ({ j, p: p(j) })).sort((a, b) => b.p - a.p || a.j - b.j);
  for (let i = 0; i < missing; i++) mask[order[i].j] = 1;
  return missing;
}

/**
 * Tops each layer's mask up to the floors, in place; returns the synapses added per layer.
 * `synapseWins` (from sampleMasks) is needed when the filter floor is on.
 */
export function applyLayerFloors(
  masks: Uint8Array[],
  layers: readonly LayerProbabilityInput[],
  synapseWins: readonly Uint8Array[] | undefined,
  k: number | readonly number[],
  clusterFactor: number,
  floor: LayerFloor,
): number[] {
  return masks.map((mask, l) => {
    let added = 0;
    if (floor.filters > 0) {
      if (!synapseWins) throw new Error('a filter floor needs the synapse draws of the sampling');
      added += reviveFilters(mask, layers[l], synapseWins[l], floor.filters);
    }
    if (floor.synapseShare > 0)
      added += topUpSynapses(mask, layers[l], layerK(k, l), clusterFactor, floor.synapseShare);
    return added;
  });
}
