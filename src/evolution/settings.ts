/**
 * Settings of one synthesis step (ALGORITHM.md §1.4, §1.5). Every [P] choice of the spec is a
 * field here, and DEFAULT_SYNTHESIS holds the spec's defaults.
 */

export type ClusterNormaliser = 'mean' | 'max';
export type SynapseNormaliser = 'mean' | 'max' | 'parents';
export type Truncation =
  | { kind: 'mean' }
  | { kind: 'fractionOfMax'; fraction: number }
  | { kind: 'percentile'; percentile: number }
  | { kind: 'none' };
export type StrengthMode = 'magnitude' | 'signed';
export type BudgetMode = 'cap' | 'target' | 'constant';
export type BudgetReference = 'mean' | 'min';
export type Inheritance = 'inherit' | 'reinit';
export type BudgetScope = 'network' | 'layer';

export interface BudgetSettings {
  /** cap: limit the expected count; target: hit it exactly; constant: multiply every probability by ρ. */
  mode: BudgetMode;
  /** ρ: the fraction of N_ref an offspring may keep, in (0, 1]. */
  rho: number;
  /** N_ref for several parents: the mean or the smallest of their synapse counts. */
  reference: BudgetReference;
  /** r_c: multiplies the cluster probability (sampled as min(1, r_c·P_c)). */
  clusterFactor: number;
  /** Drop the least probable sampled synapses if the sample exceeds ρ·N_ref. */
  hardBound: boolean;
  /** network: one factor k over all evolved layers (§1.5); layer: each layer its own k_l and budget ρ·N_ref,l. */
  scope: BudgetScope;
}

/**
 * Layer-aware floors (issue 19): an offspring never keeps fewer than these in a layer (nor more
 * than its parents have). 0 = no floor. They apply after the budget (and the hard bound).
 */
export interface LayerFloor {
  /** A share of the layer's synapses in the (dense) ancestor. */
  synapseShare: number;
  /** Filters with at least one live synapse. */
  filters: number;
}

export interface SynthesisSettings {
  /** Z: 'mean' (default) or 'max' of the mated cluster strengths of live clusters. */
  clusterNormaliser: ClusterNormaliser;
  /** z: 'mean' (default) or 'max' of mated synapse strengths, or 'parents' = Σ α_p·z_l(p). */
  synapseNormaliser: SynapseNormaliser;
  /** τ_l of the hard threshold in the cluster strength; default mean |w| of the layer's live synapses. */
  truncation: Truncation;
  /** 'magnitude': m_j = Σ α_p|w_p,j|; 'signed': m_j = |Σ α_p w_p,j|, so disagreeing parents cancel. */
  strength: StrengthMode;
  budget: BudgetSettings;
  /** Child weights: parents' weighted mean ('inherit') or fresh Glorot init ('reinit'). */
  inheritance: Inheritance;
  layerFloor: LayerFloor;
}

export const DEFAULT_SYNTHESIS: SynthesisSettings = Object.freeze({
  clusterNormaliser: 'mean',
  synapseNormaliser: 'mean',
  truncation: Object.freeze({ kind: 'mean' }),
  strength: 'magnitude',
  budget: Object.freeze({
    mode: 'cap',
    rho: 0.7,
    reference: 'mean',
    clusterFactor: 1,
    hardBound: false,
    scope: 'network',
  }),
  inheritance: 'inherit',
  layerFloor: Object.freeze({ synapseShare: 0, filters: 0 }),
}) as SynthesisSettings;

const CLUSTER_NORMALISERS: readonly ClusterNormaliser[] = ['mean', 'max'];
const SYNAPSE_NORMALISERS: readonly SynapseNormaliser[] = ['mean', 'max', 'parents'];
const STRENGTHS: readonly StrengthMode[] = ['magnitude', 'signed'];
const BUDGET_MODES: readonly BudgetMode[] = ['cap', 'target', 'constant'];
const REFERENCES: readonly BudgetReference[] = ['mean', 'min'];
const INHERITANCES: readonly Inheritance[] = ['inherit', 'reinit'];
const SCOPES: readonly BudgetScope[] = ['network', 'layer'];

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const show = (x: unknown): string => (x === undefined ? 'undefined' : JSON.stringify(x));

function oneOf<T>(problems: string[], path: string, value: unknown, allowed: readonly T[]): void {
  if (!allowed.includes(value as T)) problems.push(`${path} must be one of ${allowed.join(', ')} (got ${show(value)})`);
}

/** Every problem with a candidate settings object, as readable sentences; empty when it is valid. */
export function synthesisSettingsProblems(input: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(input)) return [`synthesis settings must be an object (got ${show(input)})`];
  oneOf(problems, 'synthesis.clusterNormaliser', input.clusterNormaliser, CLUSTER_NORMALISERS);
  oneOf(problems, 'synthesis.synapseNormaliser', input.synapseNormaliser, SYNAPSE_NORMALISERS);
  oneOf(problems, 'synthesis.strength', input.strength, STRENGTHS);
  oneOf(problems, 'synthesis.inheritance', input.inheritance, INHERITANCES);

  const t = input.truncation;
  if (!isRecord(t)) problems.push(`synthesis.truncation must be an object with a kind (got ${show(t)})`);
  else if (t.kind === 'fractionOfMax') {
    if (typeof t.fraction !== 'number' || !(t.fraction >= 0 && t.fraction <= 1))
      problems.push(`synthesis.truncation.fraction must be a number in [0, 1] (got ${show(t.fraction)})`);
  } else if (t.kind === 'percentile') {
    if (typeof t.percentile !== 'number' || !(t.percentile >= 0 && t.percentile <= 100))
      problems.push(`synthesis.truncation.percentile must be a number in [0, 100] (got ${show(t.percentile)})`);
  } else if (t.kind !== 'mean' && t.kind !== 'none')
    problems.push(
      `synthesis.truncation.kind must be one of mean, fractionOfMax, percentile, none (got ${show(t.kind)})`,
    );

  const b = input.budget;
  if (!isRecord(b)) problems.push(`synthesis.budget must be an object (got ${show(b)})`);
  else {
    oneOf(problems, 'synthesis.budget.mode', b.mode, BUDGET_MODES);
    oneOf(problems, 'synthesis.budget.reference', b.reference, REFERENCES);
    if (typeof b.rho !== 'number' || !(b.rho > 0 && b.rho <= 1))
      problems.push(`synthesis.budget.rho must be a number in (0, 1] (got ${show(b.rho)})`);
    if (typeof b.clusterFactor !== 'number' || !(b.clusterFactor > 0) || !Number.isFinite(b.clusterFactor))
      problems.push(`synthesis.budget.clusterFactor must be a finite number > 0 (got ${show(b.clusterFactor)})`);
    if (typeof b.hardBound !== 'boolean')
      problems.push(`synthesis.budget.hardBound must be true or false (got ${show(b.hardBound)})`);
    oneOf(problems, 'synthesis.budget.scope', b.scope, SCOPES);
  }

  const f = input.layerFloor;
  if (!isRecord(f)) problems.push(`synthesis.layerFloor must be an object (got ${show(f)})`);
  else {
    if (typeof f.synapseShare !== 'number' || !(f.synapseShare >= 0 && f.synapseShare <= 1))
      problems.push(`synthesis.layerFloor.synapseShare must be a number in [0, 1] (got ${show(f.synapseShare)})`);
    if (typeof f.filters !== 'number' || !Number.isInteger(f.filters) || f.filters < 0)
      problems.push(`synthesis.layerFloor.filters must be a whole number ≥ 0 (got ${show(f.filters)})`);
  }
  return problems;
}

/** Returns a clean copy of valid settings, or throws one Error naming every problem. */
export function validateSynthesisSettings(input: unknown): SynthesisSettings {
  const problems = synthesisSettingsProblems(input);
  if (problems.length) throw new Error(`Invalid synthesis settings: ${problems.join('; ')}`);
  const s = input as SynthesisSettings;
  return {
    clusterNormaliser: s.clusterNormaliser,
    synapseNormaliser: s.synapseNormaliser,
    truncation: { ...s.truncation },
    strength: s.strength,
    budget: { ...s.budget },
    inheritance: s.inheritance,
    layerFloor: { ...s.layerFloor },
  };
}

export type PartialSynthesisSettings = Partial<Omit<SynthesisSettings, 'budget' | 'layerFloor'>> & {
  budget?: Partial<BudgetSettings>;
  layerFloor?: Partial<LayerFloor>;
};

/** Fills what is missing from the defaults, then validates. */
export function resolveSynthesisSettings(partial: PartialSynthesisSettings = {}): SynthesisSettings {
  return validateSynthesisSettings({
    ...DEFAULT_SYNTHESIS,
    ...partial,
    truncation: partial.truncation ?? DEFAULT_SYNTHESIS.truncation,
    budget: { ...DEFAULT_SYNTHESIS.budget, ...partial.budget },
    layerFloor: { ...DEFAULT_SYNTHESIS.layerFloor, ...partial.layerFloor },
  });
}
