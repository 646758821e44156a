/**
 * The environmental factor (ALGORITHM.md §1.5): one scale k on the synapse probabilities,
 * global over all evolved layers, so that the offspring keeps about ρ·N_ref synapses.
 *   cap:      k = min(1, ρ·N_ref / E)        expected count ≤ ρ·N_ref
 *   target:   Σ a_c·min(1, k·P_s) = ρ·N_ref   (reachable = false, k = k_max when impossible)
 *   constant: k = ρ                           P_final = ρ·P_c·P_s
 * with a_c = min(1, r_c·P_c), the probability a cluster is kept, and E the expected count at k = 1.
 * (The spec writes r_c·P_c; the two agree for the default r_c ≤ 1, and the clipped form is the
 * true expectation of the sampling when r_c > 1.)
 */
import { synapseCount, synapsesPerFilter, type LayerSpec } from './genome';
import type { BudgetMode } from './settings';

export interface LayerProbabilityInput {
  readonly clusterP: Float64Array;
  readonly synapseP: Float64Array;
  readonly spec: LayerSpec;
}

export interface EnvironmentalFactor {
  k: number;
  /** Expected synapse count with k = 1. */
  expectedRaw: number;
  /** Expected synapse count with the chosen k. */
  expectedAfter: number;
  /** false only in 'target' mode when even k_max cannot reach ρ·N_ref. */
  reachable: boolean;
}

/** Relative tolerance of the 'target' solve; far below sampling noise. */
const TARGET_TOLERANCE = 1e-12;

/** Live synapses flattened, each with its cluster keep probability a and synapse probability p. */
interface Flat {
  a: Float64Array;
  p: Float64Array;
}

function flatten(layers: readonly LayerProbabilityInput[], clusterFactor: number): Flat {
  let live = 0;
  for (const l of layers) for (let j = 0; j < l.synapseP.length; j++) if (l.synapseP[j] > 0) live++;
  const a = new Float64Array(live);
  const p = new Float64Array(live);
  let i = 0;
  for (const { spec, clusterP, synapseP } of layers) {
    const per = synapsesPerFilter(spec);
    for (let f = 0, j = 0; f < spec.filters; f++) {
      const keep = Math.min(1, clusterFactor * clusterP[f]);
      for (const end = j + per; j < end; j++)
        if (synapseP[j] > 0) {
          a[i] = keep;
          p[i++] = synapseP[j];
        }
    }
  }
  return { a, p };
}

/** f(k) = Σ a·min(1, k·p), with its parts: the saturated mass and the slope of the unsaturated part. */
function budgetAt(flat: Flat, k: number): { value: number; saturated: number; slope: number } {
  let saturated = 0;
  let slope = 0;
  const { a, p } = flat;
  for (let i = 0; i < p.length; i++) {
    if (k * p[i] >= 1) saturated += a[i];
    else slope += a[i] * p[i];
  }
  return { value: saturated + k * slope, saturated, slope };
}

/**
 * Solves f(k) = target. f is concave and piecewise linear, so Newton's step from below
 * (k' = (target − saturated)/slope) never overshoots and ends exactly on the right segment;
 * bisection is only a safety net for pathological breakpoint patterns.
 */
function solveTarget(flat: Flat, target: number, kMax: number): number {
  let k = 0;
  for (let iter = 0; iter < 100; iter++) {
    const { value, saturated, slope } = budgetAt(flat, k);
    if (Math.abs(value - target) <= TARGET_TOLERANCE * target) return k;
    if (slope <= 0) break;
    const next = Math.min(kMax, (target - saturated) / slope);
    if (!(next > k)) break;
    k = next;
  }
  let lo = k;
  let hi = kMax;
  for (let iter = 0; iter < 200 && hi - lo > 1e-15 * hi; iter++) {
    const mid = 0.5 * (lo + hi);
    if (budgetAt(flat, mid).value < target) lo = mid;
    else hi = mid;
  }
  const atLo = budgetAt(flat, lo).value;
  const atHi = budgetAt(flat, hi).value;
  return Math.abs(atLo - target) <= Math.abs(atHi - target) ? lo : hi;
}

export function environmentalFactor(
  mode: BudgetMode,
  rho: number,
  nRef: number,
  layers: readonly LayerProbabilityInput[],
  clusterFactor = 1,
): EnvironmentalFactor {
  if (!(rho > 0 && rho <= 1)) throw new Error(`Environmental factor: ρ must be in (0, 1] (got ${rho})`);
  if (!(nRef >= 0) || !Number.isFinite(nRef))
    throw new Error(`Environmental factor: N_ref must be a finite number ≥ 0 (got ${nRef})`);
  if (!(clusterFactor > 0) || !Number.isFinite(clusterFactor))
    throw new Error(`Environmental factor: r_c must be a finite number > 0 (got ${clusterFactor})`);
  for (const l of layers) {
    if (l.clusterP.length !== l.spec.filters || l.synapseP.length !== synapseCount(l.spec))
      throw new Error(`Environmental factor: probabilities of layer ${l.spec.name} do not match its shape`);
  }

  const flat = flatten(layers, clusterFactor);
  const expectedRaw = budgetAt(flat, 1).value;
  const budget = rho * nRef;

  switch (mode) {
    case 'constant':
      return { k: rho, expectedRaw, expectedAfter: rho * expectedRaw, reachable: true };
    case 'cap': {
      const k = expectedRaw > budget ? budget / expectedRaw : 1;
      // k ≤ 1 and P_s ≤ 1, so min(1, k·P_s) = k·P_s and the expectation scales linearly.
      return { k, expectedRaw, expectedAfter: k * expectedRaw, reachable: true };
    }
    case 'target': {
      let minP = Infinity;
      let reachableMax = 0;
      for (let i = 0; i < flat.p.length; i++) {
        minP = Math.min(minP, flat.p[i]);
        reachableMax += flat.a[i];
      }
      if (flat.p.length === 0) return { k: 1, expectedRaw, expectedAfter: 0, reachable: budget === 0 };
      // k_max saturates every live synapse; beyond it nothing changes.
      const kMax = 1 / minP;
      if (budget >= reachableMax)
        return { k: kMax, expectedRaw, expectedAfter: reachableMax, reachable: budget <= reachableMax };
      if (budget === 0) return { k: 0, expectedRaw, expectedAfter: 0, reachable: true };
      const k = solveTarget(flat, budget, kMax);
      return { k, expectedRaw, expectedAfter: budgetAt(flat, k).value, reachable: true };
    }
    default:
      throw new Error(`Environmental factor: unknown budget mode ${JSON.stringify(mode)}`);
  }
}
