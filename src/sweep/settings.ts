/**
 * What a sweep's axis or point key names: a run setting (a row of the settings table, or a config
 * path) or `dataDir`, where a point's run reads its files. resolveSetting is the one place that
 * knows the names.
 */
import { defaultConfig } from '../experiment/config';
import { getPath, setPath } from '../experiment/setting';
import { ALL_SETTINGS } from '../experiment/settings-table';

/**
 * - `ancestor`: shapes generation 1 (seed, dataset, subsets, training): points that differ in it
 *   need their own ancestors.
 * - `offspring`: acts from generation 2 on (mode, synthesis, mating, …): points that differ only in
 *   these share an ancestor.
 * - `location`: says where a run reads its data, not what it computes.
 */
export type SettingRole = 'ancestor' | 'offspring' | 'location';

export interface SweepSetting {
  /** The name in point ids and reports: the settings table's id (`rho`, `trainSubset`), else the config path. */
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
  'tournamentSize',
  'islands',
  'migrationInterval',
  'rhoSchedule',
  'generations',
  'epochsPerGeneration',
  'synthesis',
  'mating',
]);

const isObject = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);

/** α (or β): the mating weight of the first (or second) parent at both levels, as --alpha/--beta do. */
function matingWeight(parent: 0 | 1) {
  return (config: Record<string, unknown>, value: unknown) => {
    for (const level of ['cluster', 'synapse']) setListElement(config, `mating.${level}`, parent, value);
  };
}

/** Sets one parent's weight; the other keeps its weight, or 0.5 when the list was not given. */
function setListElement(config: Record<string, unknown>, list: string, index: number, value: unknown) {
  const current = getPath(config, list);
  const weights = Array.isArray(current) ? current.slice() : [0.5, 0.5];
  weights[index] = value;
  setPath(config, list, weights);
}

const roleOf = (configPath: string): SettingRole =>
  OFFSPRING_FIELDS.has(configPath.split('.')[0]) ? 'offspring' : 'ancestor';

const NAMES_HINT = () =>
  `use a setting of the settings table by name (${ALL_SETTINGS.map((s) => s.id).join(', ')}), by its CLI flag or by its config path (synthesis.budget.rho), or alpha, beta (both levels) or dataDir`;

/**
 * Resolves an axis or point key: a row of the settings table by its id, CLI flag, URL key or
 * config path (the key in ids is the row's id: `rho`, `trainSubset`); `alpha` and `beta` (both
 * levels, as on the command line); `dataDir`; or a config path the table leaves to config files
 * (synthesis.truncation). Throws SettingNameError saying what the names are.
 */
export function resolveSetting(name: string): SweepSetting {
  if (name === 'dataDir') return { key: 'dataDir', path: null, role: 'location', apply: () => {} };
  if (name === 'alpha' || name === 'beta')
    return { key: name, path: 'mating', role: 'offspring', apply: matingWeight(name === 'alpha' ? 0 : 1) };
  const row = ALL_SETTINGS.find((s) => s.id === name || s.cli === name || s.url === name || s.path === name);
  if (row) {
    const element = /^(.*)\.(\d+)$/.exec(row.path);
    return {
      key: row.id,
      path: row.path,
      role: roleOf(row.path),
      apply: element
        ? (config, value) => setListElement(config, element[1], Number(element[2]), value)
        : (config, value) => setPath(config, row.path, value),
    };
  }
  const keys = name.split('.');
  let node: unknown = defaultConfig('mnist', 'sexual');
  for (let i = 0; i < keys.length; i++) {
    if (!isObject(node) || !(keys[i] in node)) {
      const parent = keys.slice(0, i).join('.');
      throw new SettingNameError(
        i > 0 && !isObject(node)
          ? `unknown setting "${name}": ${parent} takes a whole value (e.g. ${JSON.stringify(node)}), so vary ${parent} itself`
          : `unknown setting "${name}": ${NAMES_HINT()}`,
      );
    }
    node = node[keys[i]];
  }
  if (isObject(node) && keys.length === 1)
    throw new SettingNameError(
      `"${name}" is a group of settings: vary one of them, e.g. ${name}.${Object.keys(node)[0]}`,
    );
  return { key: name, path: name, role: roleOf(name), apply: (config, value) => setPath(config, name, value) };
}
