/**
 * A run's configuration: validated, with every default from ALGORITHM.md. A config plus its
 * seed is the identity of a run.
 */
import {
  DEFAULT_SYNTHESIS,
  fitnessMatingWeights,
  synthesisSettingsProblems,
  type ParentSelection,
  type PruningMethod,
  type SynthesisSettings,
  validateSynthesisSettings,
} from '../evolution';
import { isFolderKind, registeredDataset, type DatasetName } from './datasets';
import { getPath, settingProblem, type Setting } from './setting';
import { ALL_SETTINGS, settingById } from './settings-table';

export type { DatasetName } from './datasets';
/** Evolutionary synthesis with 1, 2 or m parents, or a pruning baseline (issue 19) at the same ρ. */
export type EvolutionMode = 'asexual' | 'sexual' | 'multiparent' | PruningMethod;
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
  /**
   * Fitness-weighted mating (issue 19): > 0 replaces both lists by the softmax of the parents'
   * test accuracies at this temperature; 0 = off (the weights above).
   */
  fitnessTemperature: number;
}

export interface RunConfig {
  dataset: DatasetName;
  mode: EvolutionMode;
  /** Networks per generation after the ancestor (asexual 1, sexual 2 [P]). */
  population: number;
  /** Parents of each offspring: 1 asexual, 2 sexual, m for multiparent. */
  parents: number;
  /**
   * How parents are drawn when the population is larger than m [P]: uniformly, the top-m by
   * accuracy, or by tournaments of tournamentSize (issue 19).
   */
  parentSelection: ParentSelection;
  tournamentSize: number;
  /** Networks of generation 1, each trained from its own seed (issue 19, outbreeding); 1 = the paper's. */
  ancestors: number;
  /** Island populations (issue 19, outbreeding); 1 = one population. */
  islands: number;
  /** Islands exchange mates in generations 2 + k, 2 + 2k, … */
  migrationInterval: number;
  /** ρ per generation (evolution/rho-schedule.ts); '' = synthesis.budget.rho throughout. */
  rhoSchedule: string;
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
  // MNIST's drop-in replacements, and the person's own folders, take MNIST's.
  'fashion-mnist': { ancestorEpochs: 10, epochsPerGeneration: 2 },
  kmnist: { ancestorEpochs: 10, epochsPerGeneration: 2 },
  'emnist-digits': { ancestorEpochs: 10, epochsPerGeneration: 2 },
  idx: { ancestorEpochs: 10, epochsPerGeneration: 2 },
  images: { ancestorEpochs: 10, epochsPerGeneration: 2 },
};

export const MODE_DEFAULTS: Record<EvolutionMode, { population: number; parents: number }> = {
  asexual: { population: 1, parents: 1 },
  sexual: { population: 2, parents: 2 },
  multiparent: { population: 3, parents: 3 },
  magnitude: { population: 1, parents: 1 },
  'magnitude-layerwise': { population: 1, parents: 1 },
  random: { population: 1, parents: 1 },
};

/** The pruning baselines: one parent, pruned to exactly ρ of its synapses (evolution/pruning.ts). */
export const isPruningMode = (mode: EvolutionMode): mode is PruningMethod =>
  mode === 'magnitude' || mode === 'magnitude-layerwise' || mode === 'random';

export function defaultConfig(dataset: DatasetName = 'mnist', mode: EvolutionMode = 'sexual'): RunConfig {
  return {
    dataset,
    mode,
    ...MODE_DEFAULTS[mode],
    parentSelection: 'random',
    tournamentSize: 2,
    ancestors: 1,
    islands: 1,
    migrationInterval: 3,
    rhoSchedule: '',
    generations: 13,
    ...DATASET_DEFAULTS[dataset],
    training: { batchSize: 64, optimizer: 'adam', learningRate: 1e-3, momentum: 0.9, weightDecay: 0 },
    synthesis: structuredClone(DEFAULT_SYNTHESIS),
    mating: { cluster: null, synapse: null, fitnessTemperature: 0 },
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

export const MODES: readonly EvolutionMode[] = [
  'asexual',
  'sexual',
  'multiparent',
  'magnitude',
  'magnitude-layerwise',
  'random',
];

/** A setting's default for a dataset and mode: defaultConfig's value, or the row's own (list elements). */
export function settingDefault(s: Setting, dataset: DatasetName, mode: EvolutionMode = 'sexual'): unknown {
  const value = getPath(defaultConfig(dataset, mode), s.path);
  return value === undefined ? s.default : value;
}

/** A mating weight is one element of a list checked whole (its length depends on the parents). */
const isListElement = (s: Setting) => /\.\d+$/.test(s.path);

/**
 * Fills a partial config with the defaults of its dataset and mode, and checks every field: each
 * setting against its row of the settings table, then the rules that tie settings together.
 * Throws ConfigError listing every problem at once, so a person can fix them in one go.
 */
export function resolveConfig(partial: DeepPartial<RunConfig> = {}): RunConfig {
  const dataset = (partial.dataset ?? 'mnist') as DatasetName;
  const mode = (partial.mode ?? 'sexual') as EvolutionMode;
  const problems = [settingProblem(settingById('dataset'), dataset), settingProblem(settingById('mode'), mode)].filter(
    (p) => p !== null,
  );
  if (problems.length) throw new ConfigError(problems);

  const base = defaultConfig(dataset, mode);
  const config: RunConfig = {
    ...base,
    ...stripUndefined(partial),
    training: { ...base.training, ...stripUndefined(partial.training ?? {}) },
    synthesis: mergeSynthesis(base.synthesis, partial.synthesis),
    mating: { ...base.mating, ...stripUndefined(partial.mating ?? {}) },
  } as RunConfig;

  for (const s of ALL_SETTINGS) {
    if (s.id === 'dataset' || s.id === 'mode' || isListElement(s)) continue;
    const problem = settingProblem(s, getPath(config, s.path));
    if (problem) problems.push(problem);
  }

  // A subset larger than the split would silently be the whole split while the run claims more
  // (a folder dataset's sizes are known once read: the data's opening checks them).
  for (const [split, id] of [
    ['train', 'trainSubset'],
    ['test', 'testSubset'],
  ] as const) {
    const size = config[id];
    const count = isFolderKind(dataset) ? Infinity : registeredDataset(dataset).splits[split].count;
    if (typeof size === 'number' && size > count && !problems.some((p) => p.startsWith(settingById(id).label)))
      problems.push(
        `${settingById(id).label} cannot be more than the ${count} ${split} images of ${dataset} (got ${size}); “all” uses every one`,
      );
  }
  const parents = settingById('parents').label;
  if (config.parents > config.population && config.generations > 2)
    problems.push(
      `${parents} (${config.parents}) cannot be more than the population (${config.population}): every parent comes from the previous generation`,
    );
  if (mode === 'asexual' && config.parents !== 1)
    problems.push(
      `Asexual mode has exactly 1 parent per offspring (got ${config.parents}); choose mode sexual or multiparent for more`,
    );
  if (mode === 'sexual' && config.parents !== 2)
    problems.push(
      `Sexual mode has exactly 2 parents per offspring (got ${config.parents}); choose mode multiparent for another number`,
    );
  if (isPruningMode(mode) && config.parents !== 1)
    problems.push(`Pruning mode ${mode} prunes 1 parent per offspring (got ${config.parents} parents)`);
  if (config.ancestors > 1 && config.islands === 1 && config.parents > config.ancestors)
    problems.push(
      `Generation 2 draws its ${config.parents} parents from the ${config.ancestors} ancestors: give at least ${config.parents} ancestors, or 1 (then it is mated with itself)`,
    );
  if (config.islands > 1) {
    if (config.parents < 2)
      problems.push(
        `Islands exchange mates, so they need 2 or more parents per offspring (got ${config.parents}); choose mode sexual or multiparent, or 1 island`,
      );
    if (config.population % config.islands !== 0)
      problems.push(
        `The population (${config.population}) must split evenly into ${config.islands} islands; make it a multiple of ${config.islands}`,
      );
    else if (config.population / config.islands < config.parents && config.generations > 2)
      problems.push(
        `Each of the ${config.islands} islands holds ${config.population / config.islands} network(s) but every offspring needs ${config.parents} parents from its island; raise the population to ${config.islands * config.parents} or more`,
      );
  }
  for (const level of ['cluster', 'synapse'] as const) {
    const w = config.mating[level];
    if (w === null) continue;
    if (!Array.isArray(w) || w.length !== config.parents) {
      problems.push(
        `Mating weights at the ${level} level must list ${config.parents} number(s) ≥ 0, one per parent (got ${JSON.stringify(w)})`,
      );
      continue;
    }
    // Parents A and B have rows in the table; further parents (multiparent mode) the same rule.
    const before = problems.length;
    w.forEach((x, i) => {
      const row = ALL_SETTINGS.find((s) => s.path === `mating.${level}.${i}`);
      const problem = row
        ? settingProblem(row, x)
        : typeof x === 'number' && Number.isFinite(x) && x >= 0
          ? null
          : `Mating weight ${i + 1} at the ${level} level must be at least 0 (got ${JSON.stringify(x)})`;
      if (problem) problems.push(problem);
    });
    if (problems.length === before && w.every((x) => x === 0))
      problems.push(`Mating weights at the ${level} level cannot all be 0`);
  }
  // The synthesis settings not in the table (the truncation) keep the evolution layer's check.
  const tablePaths = ALL_SETTINGS.map((s) => s.path);
  problems.push(
    ...synthesisSettingsProblems(config.synthesis).filter((p) => !tablePaths.some((path) => p.startsWith(`${path} `))),
  );
  if (problems.length) throw new ConfigError(problems);
  config.synthesis = validateSynthesisSettings(config.synthesis);
  return config;
}

function mergeSynthesis(base: SynthesisSettings, patch: DeepPartial<SynthesisSettings> | undefined): SynthesisSettings {
  if (!patch) return base;
  return {
    ...base,
    ...stripUndefined(patch),
    budget: { ...base.budget, ...stripUndefined(patch.budget ?? {}) },
    layerFloor: { ...base.layerFloor, ...stripUndefined(patch.layerFloor ?? {}) },
    truncation: (patch.truncation ?? base.truncation) as SynthesisSettings['truncation'],
  } as SynthesisSettings;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The mating weights of one offspring: from its parents' fitness (test accuracy) when
 * fitness-weighted mating is on, else the configured ones, or 1/m each.
 */
export function matingWeights(
  config: { mating: Omit<MatingConfig, 'fitnessTemperature'> & { fitnessTemperature?: number } },
  parentCount: number,
  parentFitness?: readonly number[],
): { cluster: number[]; synapse: number[] } {
  const t = config.mating.fitnessTemperature ?? 0;
  if (t > 0 && parentFitness && parentFitness.length === parentCount) return fitnessMatingWeights(parentFitness, t);
  const equal = Array.from({ length: parentCount }, () => 1 / parentCount);
  const pick = (w: number[] | null) => (w && w.length === parentCount ? w.slice() : equal);
  return { cluster: pick(config.mating.cluster), synapse: pick(config.mating.synapse) };
}

/** What may change while a run goes (applied from its next generation). */
export type LiveSettings = DeepPartial<
  Pick<RunConfig, 'synthesis' | 'mating' | 'epochsPerGeneration' | 'generations' | 'training'>
>;
