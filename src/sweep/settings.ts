/**
 * What a sweep's axis or point key names: a run setting (a config path such as
 * `synthesis.budget.rho`, or a short name such as `rho`) or `dataDir`, where a point's run reads
 * its files. resolveSetting is the one place that knows the names, so that it can later read
 * them from the settings table.
 */
import { defaultConfig } from '../experiment/config';

/**
 * - `ancestor`: shapes generation 1 (seed, dataset, subsets, training): points that differ in it
 *   need their own ancestors.
 * - `offspring`: acts from generation 2 on (mode, synthesis, mating, …): points that differ only in
 *   these share an ancestor.
 * - `location`: says where a run reads its data, not what it computes.
 */
export type SettingRole = 'ancestor' | 'offspring' | 'location';

export interface SweepSetting {
  /** The name in point ids and reports: the short name where there is one (`rho`), else the config path. */
  key: string;
  /** The config path it sets; null for `dataDir`. */
  path: string | null;
  role: SettingRole;
  /** Sets the value in a partial run configuration (not for `dataDir`). */
  apply(config: Record<string, unknown>, value: unknown): void;
}

export class SettingNameError extends Error {}

/** Config fields that act only from generation 2 on (ALGORITHM.md §5: the ancestor is trained, not synthesised). */
export const OFFSPRING_FIELDS = new Set([
  'mode',
  'population',
  'parents',
  'parentSelection',
  'generations',
  'epochsPerGeneration',
  'synthesis',
  'mating',
]);

const SHORT_NAMES: Record<string, string> = {
  rho: 'synthesis.budget.rho',
  epochs: 'epochsPerGeneration',
};
const SHORT_FOR_PATH = Object.fromEntries(Object.entries(SHORT_NAMES).map(([short, p]) => [p, short]));
export const NAMED_SETTINGS = [
  'seed',
  'mode',
  'dataset',
  'rho',
  'alpha',
  'beta',
  'epochs',
  'generations',
  'trainSubset',
  'dataDir',
];

const isObject = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);

function setPath(config: Record<string, unknown>, keys: string[], value: unknown) {
  let node = config;
  for (const k of keys.slice(0, -1)) {
    if (!isObject(node[k])) node[k] = {};
    node = node[k] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

/** α (or β): the mating weight of the first (or second) parent at both levels, as --alpha/--beta do. */
function matingWeight(parent: 0 | 1) {
  return (config: Record<string, unknown>, value: unknown) => {
    const mating = isObject(config.mating) ? config.mating : {};
    for (const level of ['cluster', 'synapse']) {
      const current = Array.isArray(mating[level]) ? (mating[level] as unknown[]).slice() : [0.5, 0.5];
      current[parent] = value;
      mating[level] = current;
    }
    config.mating = mating;
  };
}

/** Resolves an axis or point key; throws SettingNameError saying what the names are. */
export function resolveSetting(name: string): SweepSetting {
  if (name === 'dataDir') return { key: 'dataDir', path: null, role: 'location', apply: () => {} };
  if (name === 'alpha' || name === 'beta')
    return { key: name, path: 'mating', role: 'offspring', apply: matingWeight(name === 'alpha' ? 0 : 1) };
  const configPath = SHORT_NAMES[name] ?? name;
  const keys = configPath.split('.');
  let node: unknown = defaultConfig('mnist', 'sexual');
  for (let i = 0; i < keys.length; i++) {
    if (!isObject(node) || !(keys[i] in node)) {
      const parent = keys.slice(0, i).join('.');
      throw new SettingNameError(
        i > 0 && !isObject(node)
          ? `unknown setting "${name}": ${parent} takes a whole value (e.g. ${JSON.stringify(node)}), so vary ${parent} itself`
          : `unknown setting "${name}": use a config path such as synthesis.budget.rho or training.learningRate (the "config" of a run.json shows them all), or one of ${NAMED_SETTINGS.join(', ')}`,
      );
    }
    node = node[keys[i]];
  }
  if (isObject(node) && keys.length === 1)
    throw new SettingNameError(
      `"${name}" is a group of settings: vary one of them, e.g. ${name}.${Object.keys(node)[0]}`,
    );
  return {
    key: SHORT_FOR_PATH[configPath] ?? configPath,
    path: configPath,
    role: OFFSPRING_FIELDS.has(keys[0]) ? 'offspring' : 'ancestor',
    apply: (config, value) => setPath(config, keys, value),
  };
}
