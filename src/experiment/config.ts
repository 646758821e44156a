/**
 * A run's configuration: validated, with every default from ALGORITHM.md. A config plus its
 * seed is the identity of a run.
 */
import { DEFAULT_SYNTHESIS, type SynthesisSettings, validateSynthesisSettings } from '../evolution';

export type DatasetName = 'mnist' | 'cifar10';
export type EvolutionMode = 'asexual' | 'sexual' | 'multiparent';
export type BackendPreference = 'auto' | 'webgpu' | 'wasm' | 'webgl' | 'cpu';

export interface TrainingConfig {
  batchSize: number;
  optimizer: 'adam' | 'sgd';
  learningRate: number;
  momentum: number;
  weightDecay: number;
}

export interface MatingConfig {
  /** One weight per parent; null = equal weights 1/m (ALGORITHM.md §2 [P]). */
  cluster: number[] | null;
  synapse: number[] | null;
}

export interface RunConfig {
  dataset: DatasetName;
  mode: EvolutionMode;
  /** Networks per generation after the ancestor (asexual 1, sexual 2 [P]). */
  population: number;
  /** Parents of each offspring: 1 asexual, 2 sexual, m for multiparent. */
  parents: number;
  /** How parents are drawn when the population is larger than m [P]: uniformly, or the top-m by accuracy. */
  parentSelection: 'random' | 'fittest';
  /** Total generations, numbered as in the paper: generation 1 is the ancestor. */
  generations: number;
  ancestorEpochs: number;
  epochsPerGeneration: number;
  training: TrainingConfig;
  synthesis: SynthesisSettings;
  mating: MatingConfig;
  /** Class-stratified training subset size; null = the whole training set. */
  trainSubset: number | null;
  /** Class-stratified test subset size; null = the whole 10k test set [P]. */
  testSubset: number | null;
  seed: number;
  backend: BackendPreference;
  /** Pooling window of the LeNet variant (cifar10_quick uses 3). */
  poolSize: number;
}

export const DATASET_DEFAULTS: Record<DatasetName, { ancestorEpochs: number; epochsPerGeneration: number }> = {
  // ALGORITHM.md §1.6 / §2: ancestor 10 epochs on MNIST; offspring 2 epochs on MNIST, 5 on CIFAR-10.
  mnist: { ancestorEpochs: 10, epochsPerGeneration: 2 },
  cifar10: { ancestorEpochs: 20, epochsPerGeneration: 5 },
};

export const MODE_DEFAULTS: Record<EvolutionMode, { population: number; parents: number }> = {
  asexual: { population: 1, parents: 1 },
  sexual: { population: 2, parents: 2 },
  multiparent: { population: 3, parents: 3 },
};

export function defaultConfig(dataset: DatasetName = 'mnist', mode: EvolutionMode = 'sexual'): RunConfig {
  return {
    dataset,
    mode,
    ...MODE_DEFAULTS[mode],
    parentSelection: 'random',
    generations: 13,
    ...DATASET_DEFAULTS[dataset],
    training: { batchSize: 64, optimizer: 'adam', learningRate: 1e-3, momentum: 0.9, weightDecay: 0 },
    synthesis: structuredClone(DEFAULT_SYNTHESIS),
    mating: { cluster: null, synapse: null },
    trainSubset: null,
    testSubset: null,
    seed: 1,
    backend: 'auto',
    poolSize: 3,
  };
}

export type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] | null ? T[K] : DeepPartial<T[K]>) : T[K];
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid run configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const DATASETS: readonly DatasetName[] = ['mnist', 'cifar10'];
export const MODES: readonly EvolutionMode[] = ['asexual', 'sexual', 'multiparent'];
const BACKENDS: readonly BackendPreference[] = ['auto', 'webgpu', 'wasm', 'webgl', 'cpu'];

/**
 * Fills a partial config with the defaults of its dataset and mode, and checks every field.
 * Throws ConfigError listing every problem at once, so a person can fix them in one go.
 */
export function resolveConfig(partial: DeepPartial<RunConfig> = {}): RunConfig {
  const problems: string[] = [];
  const dataset = (partial.dataset ?? 'mnist') as DatasetName;
  const mode = (partial.mode ?? 'sexual') as EvolutionMode;
  if (!DATASETS.includes(dataset))
    problems.push(`dataset must be one of ${DATASETS.join(', ')} (got ${JSON.stringify(partial.dataset)})`);
  if (!MODES.includes(mode))
    problems.push(`mode must be one of ${MODES.join(', ')} (got ${JSON.stringify(partial.mode)})`);
  if (problems.length) throw new ConfigError(problems);

  const base = defaultConfig(dataset, mode);
  const config: RunConfig = {
    ...base,
    ...stripUndefined(partial),
    training: { ...base.training, ...stripUndefined(partial.training ?? {}) },
    synthesis: mergeSynthesis(base.synthesis, partial.synthesis),
    mating: { ...base.mating, ...stripUndefined(partial.mating ?? {}) },
  } as RunConfig;

  const int = (name: string, v: unknown, min: number, max: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      problems.push(`${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
  };
  const num = (name: string, v: unknown, min: number, max: number, minExclusive = false) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v > max || (minExclusive ? v <= min : v < min))
      problems.push(
        `${name} must be a number ${minExclusive ? '>' : '≥'} ${min} and ≤ ${max} (got ${JSON.stringify(v)})`,
      );
  };

  int('population', config.population, 1, 8);
  int('parents', config.parents, 1, 8);
  if (config.parents > config.population && config.generations > 2)
    problems.push(
      `parents (${config.parents}) cannot exceed the population (${config.population}): every parent comes from the previous generation`,
    );
  if (mode === 'asexual' && config.parents !== 1)
    problems.push(`asexual mode has exactly 1 parent (got parents=${config.parents}); use mode sexual or multiparent`);
  if (mode === 'sexual' && config.parents !== 2)
    problems.push(`sexual mode has exactly 2 parents (got parents=${config.parents}); use mode multiparent for m ≠ 2`);
  if (!['random', 'fittest'].includes(config.parentSelection))
    problems.push(`parentSelection must be random or fittest`);
  int('generations', config.generations, 1, 200);
  int('ancestorEpochs', config.ancestorEpochs, 0, 1000);
  int('epochsPerGeneration', config.epochsPerGeneration, 0, 1000);
  int('training.batchSize', config.training.batchSize, 1, 4096);
  if (!['adam', 'sgd'].includes(config.training.optimizer)) problems.push(`training.optimizer must be adam or sgd`);
  num('training.learningRate', config.training.learningRate, 0, 10, true);
  num('training.momentum', config.training.momentum, 0, 1);
  num('training.weightDecay', config.training.weightDecay, 0, 1);
  for (const level of ['cluster', 'synapse'] as const) {
    const w = config.mating[level];
    if (w === null) continue;
    if (
      !Array.isArray(w) ||
      w.length !== config.parents ||
      w.some((x) => typeof x !== 'number' || !Number.isFinite(x) || x < 0)
    )
      problems.push(
        `mating.${level} must list ${config.parents} non-negative weight(s), one per parent (got ${JSON.stringify(w)})`,
      );
    else if (w.every((x) => x === 0)) problems.push(`mating.${level} weights cannot all be 0`);
  }
  if (config.trainSubset !== null) int('trainSubset', config.trainSubset, 10, 60_000);
  if (config.testSubset !== null) int('testSubset', config.testSubset, 10, 10_000);
  int('seed', config.seed, 0, 2 ** 32 - 1);
  if (!BACKENDS.includes(config.backend))
    problems.push(`backend must be one of ${BACKENDS.join(', ')} (got ${JSON.stringify(config.backend)})`);
  int('poolSize', config.poolSize, 2, 3);
  try {
    config.synthesis = validateSynthesisSettings(config.synthesis);
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}

function mergeSynthesis(base: SynthesisSettings, patch: DeepPartial<SynthesisSettings> | undefined): SynthesisSettings {
  if (!patch) return base;
  return {
    ...base,
    ...stripUndefined(patch),
    budget: { ...base.budget, ...stripUndefined(patch.budget ?? {}) },
    truncation: (patch.truncation ?? base.truncation) as SynthesisSettings['truncation'],
  } as SynthesisSettings;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The mating weights of one offspring: the configured ones, or 1/m each. */
export function matingWeights(
  config: Pick<RunConfig, 'mating'>,
  parentCount: number,
): { cluster: number[]; synapse: number[] } {
  const equal = Array.from({ length: parentCount }, () => 1 / parentCount);
  const pick = (w: number[] | null) => (w && w.length === parentCount ? w.slice() : equal);
  return { cluster: pick(config.mating.cluster), synapse: pick(config.mating.synapse) };
}
