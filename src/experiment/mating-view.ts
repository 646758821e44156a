/**
 * What the page's mating view draws, from a run's records alone: for one offspring and one
 * evolved layer, its parents' kernel masks and filter strengths, the child's mask with each live
 * kernel's origin (alive in both parents, only in A, only in B), and the mated cluster
 * probabilities for any α/β. Pure: no tensors, no page.
 */
import { matedClusterProbabilities } from '../evolution/cluster-blend';
import type { ClusterNormaliser } from '../evolution/settings';
import { hexToFlags } from './kernel-masks';
import type { KernelMaskSummary, NetworkRecord } from './records';

/** Origin of a child's kernel. With one parent (asexual), every live kernel is BOTH ("from the parent"). */
export const DEAD = 0;
export const BOTH = 1;
export const ONLY_A = 2;
export const ONLY_B = 3;

export interface MatingParent {
  individual: number;
  /** Kernel flags, filter-major (records.ts). */
  alive: Uint8Array;
  filterAlive: Uint8Array;
  /** S(c) per filter as a parent; null for records made before it was recorded. */
  strength: number[] | null;
}

export interface OriginCounts {
  both: number;
  onlyA: number;
  onlyB: number;
  /** The child's live kernels: both + onlyA + onlyB. */
  child: number;
}

export interface MatingLayer {
  layer: string;
  filters: number;
  inChannels: number;
  parents: MatingParent[];
  child: { alive: Uint8Array; filterAlive: Uint8Array; origin: Uint8Array };
  counts: OriginCounts;
  /** Kernels alive in exactly one of two parents (0 with one parent, or the same one twice). */
  parentsDiffer: number;
}

export interface MatingPicture {
  generation: number;
  individual: number;
  /** Indices of the parents in the previous generation (the same index twice: one network mated with itself). */
  parents: number[];
  /** Every parent is the same network (sexual generation 2 mates the ancestor with itself). */
  sameNetwork: boolean;
  /** The cluster-level weights it was made with. */
  clusterWeights: number[];
  record: NetworkRecord;
  layers: MatingLayer[];
}

export function filterAliveOf(alive: Uint8Array, filters: number, inChannels: number): Uint8Array {
  const out = new Uint8Array(filters);
  for (let f = 0; f < filters; f++)
    for (let k = f * inChannels; k < (f + 1) * inChannels; k++)
      if (alive[k]) {
        out[f] = 1;
        break;
      }
  return out;
}

/** Per kernel of the child: DEAD, or where it came from. */
export function kernelOrigins(child: Uint8Array, a: Uint8Array, b: Uint8Array | null): Uint8Array {
  const origin = new Uint8Array(child.length);
  for (let k = 0; k < child.length; k++) {
    if (!child[k]) continue;
    const inA = a[k] === 1;
    const inB = b ? b[k] === 1 : inA;
    // A live child kernel has a live synapse in some parent; a kernel in neither (impossible by
    // construction) is shown as the parents' shared one rather than hidden.
    origin[k] = inA === inB ? BOTH : inA ? ONLY_A : ONLY_B;
  }
  return origin;
}

export function originCounts(origin: Uint8Array): OriginCounts {
  const c = { both: 0, onlyA: 0, onlyB: 0, child: 0 };
  for (const o of origin) {
    if (o === BOTH) c.both++;
    else if (o === ONLY_A) c.onlyA++;
    else if (o === ONLY_B) c.onlyB++;
  }
  c.child = c.both + c.onlyA + c.onlyB;
  return c;
}

const flagsOf = (m: KernelMaskSummary) => hexToFlags(m.aliveHex, m.filters * m.inChannels);

function parentOf(record: NetworkRecord, layer: string): MatingParent | null {
  const m = record.kernelMasks.find((x) => x.layer === layer);
  if (!m) return null;
  const alive = flagsOf(m);
  return {
    individual: record.individual,
    alive,
    filterAlive: filterAliveOf(alive, m.filters, m.inChannels),
    strength: m.clusterStrength && m.clusterStrength.length === m.filters ? m.clusterStrength : null,
  };
}

/**
 * The mating of network `individual` of `generation`, or null when the run has no such
 * offspring or its parents' records are missing. `fallbackWeights` are the run's cluster-level
 * weights, for records made before the weights were recorded.
 */
export function matingPicture(
  records: readonly NetworkRecord[],
  generation: number,
  individual: number,
  fallbackWeights: number[] | null = null,
): MatingPicture | null {
  const record = records.find((r) => r.generation === generation && r.individual === individual);
  if (!record || generation < 2 || !record.parents.length) return null;
  const previous = records.filter((r) => r.generation === generation - 1);
  const parentRecords = record.parents.map((i) => previous.find((r) => r.individual === i));
  if (parentRecords.some((p) => !p)) return null;
  const equal = record.parents.map(() => 1 / record.parents.length);
  const clusterWeights =
    record.synthesis?.matingWeights?.cluster ??
    (fallbackWeights?.length === record.parents.length ? fallbackWeights : equal);
  const layers: MatingLayer[] = [];
  for (const mask of record.kernelMasks) {
    const parents = parentRecords.map((p) => parentOf(p!, mask.layer));
    if (parents.some((p) => !p)) return null;
    const [a, b] = parents as MatingParent[];
    const alive = flagsOf(mask);
    const origin = kernelOrigins(alive, a.alive, b ? b.alive : null);
    let parentsDiffer = 0;
    if (b) for (let k = 0; k < a.alive.length; k++) if (a.alive[k] !== b.alive[k]) parentsDiffer++;
    layers.push({
      layer: mask.layer,
      filters: mask.filters,
      inChannels: mask.inChannels,
      parents: parents as MatingParent[],
      child: { alive, filterAlive: filterAliveOf(alive, mask.filters, mask.inChannels), origin },
      counts: originCounts(origin),
      parentsDiffer,
    });
  }
  return {
    generation,
    individual,
    parents: record.parents.slice(),
    sameNetwork: record.parents.every((p) => p === record.parents[0]),
    clusterWeights: clusterWeights.slice(),
    record,
    layers,
  };
}

/** The origin counts over every evolved layer. */
export function totalCounts(picture: MatingPicture): OriginCounts {
  return picture.layers.reduce(
    (t, l) => ({
      both: t.both + l.counts.both,
      onlyA: t.onlyA + l.counts.onlyA,
      onlyB: t.onlyB + l.counts.onlyB,
      child: t.child + l.counts.child,
    }),
    { both: 0, onlyA: 0, onlyB: 0, child: 0 },
  );
}

/** P_c per filter of the layer for parents blended with `weights`; null when a parent's strengths are missing. */
export function matedProbabilities(
  layer: MatingLayer,
  weights: readonly number[],
  normaliser: ClusterNormaliser,
): Float64Array | null {
  if (layer.parents.some((p) => !p.strength) || weights.length !== layer.parents.length) return null;
  if (!weights.some((w) => w > 0)) return null;
  return matedClusterProbabilities(
    layer.parents.map((p) => ({ strength: p.strength!, alive: p.filterAlive })),
    weights,
    normaliser,
  );
}

/** P_c of each parent alone (as if it were mated with itself): what a blend is compared with. */
export function ownProbabilities(layer: MatingLayer, normaliser: ClusterNormaliser): (Float64Array | null)[] {
  return layer.parents.map((p) =>
    p.strength ? matedClusterProbabilities([{ strength: p.strength, alive: p.filterAlive }], [1], normaliser) : null,
  );
}

/** Mean absolute difference over the filters alive in either vector. */
export function meanGap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === 0 && b[i] === 0) continue;
    sum += Math.abs(a[i] - b[i]);
    n++;
  }
  return n ? sum / n : 0;
}
