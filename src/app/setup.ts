/**
 * The lab's setup: what the person controls, what lives in the URL, and how it becomes one
 * RunConfig per compared run. Pure: no React, no Worker.
 */
import {
  resolveConfig,
  type BackendPreference,
  type DatasetName,
  type DeepPartial,
  type RunConfig,
} from '../experiment/config';
import { labSubsets } from '../experiment/ancestor';
import type { LiveSettings } from '../worker/protocol';

export type BudgetMode = 'cap' | 'target' | 'constant';
export type RunMode = 'asexual' | 'sexual';

/** One run to compare. Unset fields follow the shared controls. */
export interface RunVariant {
  mode: RunMode;
  alpha?: number;
  beta?: number;
  rho?: number;
}

export interface MatingSliders {
  alphaCluster: number;
  betaCluster: number;
  alphaSynapse: number;
  betaSynapse: number;
  /** Cluster- and synapse-level weights move together unless separated under "advanced". */
  linked: boolean;
}

export interface LabSetup {
  dataset: DatasetName;
  generations: number;
  epochsPerGeneration: number;
  ancestorEpochs: number;
  /** Networks per generation of sexual runs (asexual runs are a single lineage). */
  population: number;
  trainSubset: number | null;
  testSubset: number | null;
  seed: number;
  backend: BackendPreference;
  batchSize: number;
  rho: number;
  budgetMode: BudgetMode;
  mating: MatingSliders;
  /** Use the ancestor shipped under /ancestors/ when there is one, or always train it here. */
  ancestor: 'shipped' | 'train';
  runs: RunVariant[];
}

export const DEFAULT_RUNS: RunVariant[] = [{ mode: 'asexual' }, { mode: 'sexual' }];

export function defaultSetup(dataset: DatasetName = 'mnist'): LabSetup {
  const base = resolveConfig({ dataset, mode: 'sexual' });
  return {
    dataset,
    generations: base.generations,
    epochsPerGeneration: base.epochsPerGeneration,
    ancestorEpochs: base.ancestorEpochs,
    population: base.population,
    ...labSubsets(dataset),
    seed: base.seed,
    backend: 'auto',
    batchSize: base.training.batchSize,
    rho: base.synthesis.budget.rho,
    budgetMode: base.synthesis.budget.mode,
    mating: { alphaCluster: 0.5, betaCluster: 0.5, alphaSynapse: 0.5, betaSynapse: 0.5, linked: true },
    ancestor: 'shipped',
    runs: DEFAULT_RUNS.map((r) => ({ ...r })),
  };
}

/** Colours of the paper's figures: asexual red, sexual blue; further runs get other distinct hues. */
export const ASEXUAL_RED = '#d62728';
export const SEXUAL_BLUE = '#1f5fbf';
const EXTRA_COLOURS = ['#1b7f3b', '#8a3ffc', '#b85c00', '#007d79', '#9f1853', '#5a5a5a'];

export function runColours(variants: readonly RunVariant[]): string[] {
  const seen = new Set<RunMode>();
  let extra = 0;
  return variants.map((v) => {
    if (!isCustom(v) && !seen.has(v.mode)) {
      seen.add(v.mode);
      return v.mode === 'asexual' ? ASEXUAL_RED : SEXUAL_BLUE;
    }
    return EXTRA_COLOURS[extra++ % EXTRA_COLOURS.length];
  });
}

const isCustom = (v: RunVariant) => v.alpha !== undefined || v.beta !== undefined || v.rho !== undefined;

export function runLabel(v: RunVariant): string {
  const parts: string[] = [];
  if (v.alpha !== undefined || v.beta !== undefined) parts.push(`α ${fmt(v.alpha ?? 0.5)}, β ${fmt(v.beta ?? 0.5)}`);
  if (v.rho !== undefined) parts.push(`ρ ${fmt(v.rho)}`);
  return parts.length ? `${v.mode} (${parts.join(', ')})` : v.mode;
}

const fmt = (x: number) => String(Number(x.toFixed(3)));

/** The mating weights of a sexual run: the variant's own α/β (both levels) or the sliders. */
function matingOf(setup: LabSetup, v: RunVariant): { cluster: number[]; synapse: number[] } {
  if (v.alpha !== undefined || v.beta !== undefined) {
    const pair = [v.alpha ?? setup.mating.alphaCluster, v.beta ?? setup.mating.betaCluster];
    return { cluster: pair, synapse: pair.slice() };
  }
  const m = setup.mating;
  return m.linked
    ? { cluster: [m.alphaCluster, m.betaCluster], synapse: [m.alphaCluster, m.betaCluster] }
    : { cluster: [m.alphaCluster, m.betaCluster], synapse: [m.alphaSynapse, m.betaSynapse] };
}

/** The partial config of one run; resolveConfig fills and checks the rest. */
export function partialConfigFor(setup: LabSetup, v: RunVariant): DeepPartial<RunConfig> {
  const sexual = v.mode === 'sexual';
  return {
    dataset: setup.dataset,
    mode: v.mode,
    population: sexual ? setup.population : 1,
    parents: sexual ? 2 : 1,
    generations: setup.generations,
    ancestorEpochs: setup.ancestorEpochs,
    epochsPerGeneration: setup.epochsPerGeneration,
    training: { batchSize: setup.batchSize },
    synthesis: { budget: { mode: setup.budgetMode, rho: v.rho ?? setup.rho } },
    mating: sexual ? matingOf(setup, v) : { cluster: null, synapse: null },
    trainSubset: setup.trainSubset,
    testSubset: setup.testSubset,
    seed: setup.seed,
    backend: setup.backend,
  };
}

export function configFor(setup: LabSetup, v: RunVariant): RunConfig {
  return resolveConfig(partialConfigFor(setup, v));
}

/** Every problem with the setup, as sentences (empty when every run's config is valid). */
export function setupProblems(setup: LabSetup): string[] {
  const problems = new Set<string>();
  if (setup.runs.length === 0) problems.add('add at least one run to compare');
  for (const v of setup.runs) {
    try {
      configFor(setup, v);
    } catch (e) {
      const list = (e as { problems?: string[] }).problems ?? [(e as Error).message];
      for (const p of list) problems.add(p);
    }
  }
  return [...problems];
}

/** What may change while a run goes (applies from its next generation). */
export function liveSettingsFor(setup: LabSetup, v: RunVariant): LiveSettings {
  const c = partialConfigFor(setup, v);
  const live: LiveSettings = {
    generations: c.generations,
    epochsPerGeneration: c.epochsPerGeneration,
    synthesis: { budget: { mode: setup.budgetMode, rho: v.rho ?? setup.rho } },
  };
  if (v.mode === 'sexual') live.mating = c.mating as LiveSettings['mating'];
  return live;
}

/** Setup fields that fix the ancestor and the data: they cannot change once runs have results. */
export const FROZEN_DURING_RUN: readonly (keyof LabSetup)[] = [
  'dataset',
  'ancestorEpochs',
  'population',
  'trainSubset',
  'testSubset',
  'seed',
  'backend',
  'batchSize',
  'ancestor',
  'runs',
];
