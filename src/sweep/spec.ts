/**
 * The sweep spec: a base run configuration, axes whose values are crossed into a grid, and
 * optional explicit points, e.g.
 *
 *   { "name": "mnist-modes", "dataDir": "../shared/datasets",
 *     "base": { "dataset": "mnist", "trainSubset": 6000, "generations": 13 },
 *     "axes": { "seed": [1, 2, 3], "mode": ["asexual", "sexual"], "rho": [0.6, 0.7] },
 *     "points": [{ "seed": 4, "mode": "sexual", "rho": 0.5 }] }
 *
 * validateSpec checks the shape and every name, and lists every problem at once with the field
 * and what to do; points.ts then checks each point's configuration.
 */
import { resolveSetting, SettingNameError, type SweepSetting } from './settings';

/** A value a setting takes in an axis or a point. */
export type SettingValue = string | number | boolean | null | number[] | { [key: string]: unknown };

export interface SweepSpec {
  name?: string;
  /** A partial run configuration (anything `npm run evolve -- --config` accepts), or a path to one. */
  base?: Record<string, unknown> | string;
  axes?: Record<string, SettingValue[]>;
  points?: Record<string, SettingValue>[];
  /** The folder with mnist/ and cifar-10/ (relative paths are relative to the spec file). */
  dataDir?: string;
}

/** A spec after validation: settings resolved, the base read. */
export interface ValidSpec {
  name: string;
  base: Record<string, unknown>;
  axes: { setting: SweepSetting; values: SettingValue[] }[];
  points: { setting: SweepSetting; value: SettingValue }[][];
  dataDir: string | null;
}

export class SpecError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid sweep spec:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SpecError';
  }
}

const FIELDS = ['name', 'base', 'axes', 'points', 'dataDir'];
const isObject = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
const show = (x: unknown) => {
  const text = JSON.stringify(x);
  return text === undefined ? String(x) : text.length > 60 ? `${text.slice(0, 57)}…` : text;
};

function valueProblem(where: string, value: unknown): string | null {
  const ok =
    value === null ||
    ['string', 'boolean'].includes(typeof value) ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    (Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v))) ||
    isObject(value);
  return ok
    ? null
    : `${where} must be a number, a string, true/false, null, a list of numbers or an object (got ${show(value)})`;
}

/**
 * Checks a parsed spec. `readJson` reads a base given as a path (relative to the spec's folder,
 * which the caller resolves); `dataDir` from the command line overrides the spec's.
 */
export function validateSpec(raw: unknown, readJson: (file: string) => unknown): ValidSpec {
  if (!isObject(raw))
    throw new SpecError([
      `the spec must be a JSON object with "base", "axes" and/or "points" (got ${Array.isArray(raw) ? 'a list' : show(raw)})`,
    ]);
  const problems: string[] = [];
  for (const key of Object.keys(raw))
    if (!FIELDS.includes(key)) problems.push(`unknown field "${key}": a spec has ${FIELDS.join(', ')}`);

  let name = 'sweep';
  if (raw.name !== undefined) {
    if (typeof raw.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(raw.name))
      problems.push(`name must be letters, digits, ".", "_" or "-" (got ${show(raw.name)}); it names the Slurm jobs`);
    else name = raw.name;
  }

  let base: Record<string, unknown> = {};
  if (typeof raw.base === 'string') {
    try {
      const parsed = readJson(raw.base);
      if (!isObject(parsed)) throw new Error('it is not a JSON object');
      base = isObject(parsed.config) ? parsed.config : parsed;
    } catch (e) {
      problems.push(`base: cannot use ${raw.base} as a configuration: ${(e as Error).message}`);
    }
  } else if (isObject(raw.base)) {
    base = isObject(raw.base.config) ? raw.base.config : raw.base;
  } else if (raw.base !== undefined) {
    problems.push(
      `base must be a run configuration (an object) or the path of a JSON file with one (got ${show(raw.base)})`,
    );
  }

  const resolve = (where: string, key: string): SweepSetting | null => {
    try {
      return resolveSetting(key);
    } catch (e) {
      if (!(e instanceof SettingNameError)) throw e;
      problems.push(`${where}: ${e.message}`);
      return null;
    }
  };

  const axes: ValidSpec['axes'] = [];
  if (raw.axes !== undefined && !isObject(raw.axes))
    problems.push(
      `axes must be an object of setting → list of values, e.g. {"seed": [1, 2, 3]} (got ${show(raw.axes)})`,
    );
  const seenPaths = new Map<string, string>();
  for (const [key, values] of Object.entries(isObject(raw.axes) ? raw.axes : {})) {
    const where = `axes.${key}`;
    const setting = resolve(where, key);
    if (!Array.isArray(values) || values.length === 0) {
      problems.push(
        `${where} must be a non-empty list of values (got ${show(values)}); write "${key}": [${show(values)}]`,
      );
      continue;
    }
    const seen = new Set<string>();
    values.forEach((v, i) => {
      const problem = valueProblem(`${where}[${i}]`, v);
      if (problem) problems.push(problem);
      else if (seen.has(JSON.stringify(v))) problems.push(`${where} lists ${show(v)} twice`);
      seen.add(JSON.stringify(v));
    });
    if (!setting) continue;
    const other = seenPaths.get(setting.key);
    if (other)
      problems.push(`axes.${other} and ${where} name the same setting (${setting.path ?? setting.key}): keep one`);
    seenPaths.set(setting.key, key);
    axes.push({ setting, values: values as SettingValue[] });
  }

  const points: ValidSpec['points'] = [];
  if (raw.points !== undefined && !Array.isArray(raw.points))
    problems.push(`points must be a list of objects, e.g. [{"seed": 4, "mode": "sexual"}] (got ${show(raw.points)})`);
  (Array.isArray(raw.points) ? raw.points : []).forEach((point: unknown, i) => {
    const where = `points[${i}]`;
    if (!isObject(point) || Object.keys(point).length === 0) {
      problems.push(`${where} must be an object of setting → value, e.g. {"seed": 4} (got ${show(point)})`);
      return;
    }
    const assignments: ValidSpec['points'][number] = [];
    const keys = new Map<string, string>();
    for (const [key, value] of Object.entries(point)) {
      const setting = resolve(`${where}.${key}`, key);
      const problem = valueProblem(`${where}.${key}`, value);
      if (problem) problems.push(problem);
      if (!setting || problem) continue;
      if (keys.has(setting.key))
        problems.push(`${where}.${keys.get(setting.key)} and ${where}.${key} name the same setting: keep one`);
      keys.set(setting.key, key);
      assignments.push({ setting, value: value as SettingValue });
    }
    points.push(assignments);
  });

  let dataDir: string | null = null;
  if (raw.dataDir !== undefined) {
    if (typeof raw.dataDir !== 'string' || raw.dataDir === '')
      problems.push(`dataDir must be the path of the folder with mnist/ and cifar-10/ (got ${show(raw.dataDir)})`);
    else dataDir = raw.dataDir;
  }
  if (problems.length) throw new SpecError(problems);
  return { name, base, axes, points, dataDir };
}
