/**
 * A validated spec → the sweep's units of work: one point per grid cell or explicit point, each
 * with a resolved run configuration and a stable, readable id (`mode=sexual,seed=2,rho=0.6`), and
 * one ancestor per set of points that share generation 1 (same seed, dataset, subsets, training):
 * the ancestor is trained once and every point of the set evolves from it.
 */
import { ConfigError, resolveConfig, type DeepPartial, type RunConfig } from '../experiment/config';
import { OFFSPRING_FIELDS, type SweepSetting } from './settings';
import { SpecError, type SettingValue, type ValidSpec } from './spec';

export interface SweepUnit {
  kind: 'ancestor' | 'point';
  id: string;
  /** Where its run writes, relative to the sweep folder: ancestors/<id> or points/<id>. */
  dir: string;
  config: RunConfig;
  /** Where its run reads the data (absolute, or relative to the spec file). */
  dataDir: string;
  /** The values it was given, by setting key, in id order (for ids and report groups). */
  settings: Record<string, SettingValue>;
  /** A point's ancestor id. */
  ancestor?: string;
}

export interface SweepPlan {
  name: string;
  /** Setting keys in id order: dataset, mode, seed, then as they first appear in the spec. */
  keys: string[];
  ancestors: SweepUnit[];
  points: SweepUnit[];
}

const ID_FIRST = ['dataset', 'mode', 'seed'];

/** A value as it appears in an id and a folder name: only letters, digits and . _ + - */
export function formatValue(value: SettingValue): string {
  const text =
    value === null
      ? 'null'
      : Array.isArray(value)
        ? value.map(String).join('+')
        : typeof value === 'object'
          ? Object.values(value)
              .map((v) => String(v))
              .join('+')
          : String(value);
  return text.replace(/[^A-Za-z0-9._+-]+/g, '_').replace(/^_+|_+$/g, '') || '_';
}

export function unitId(settings: Record<string, SettingValue>, keys: readonly string[]): string {
  const parts = keys.filter((k) => k in settings).map((k) => `${k}=${formatValue(settings[k])}`);
  return parts.length ? parts.join(',') : 'base';
}

function cartesian<T>(lists: T[][]): T[][] {
  return lists.reduce<T[][]>((acc, list) => acc.flatMap((prefix) => list.map((x) => [...prefix, x])), [[]]);
}

type Assignment = { setting: SweepSetting; value: SettingValue };

function configOf(base: Record<string, unknown>, assignments: Assignment[]): DeepPartial<RunConfig> {
  const partial = structuredClone(base);
  const keys = new Set(assignments.map((a) => a.setting.path?.split('.')[0]));
  // As with `--mode` on the command line: a new mode brings its own population and parent count.
  if (keys.has('mode')) for (const k of ['population', 'parents']) if (!keys.has(k)) delete partial[k];
  for (const { setting, value } of assignments) setting.apply(partial, structuredClone(value));
  return partial as DeepPartial<RunConfig>;
}

/** The configuration of a point's ancestor run: the point's, without what acts only on offspring. */
export function ancestorConfig(config: RunConfig): RunConfig {
  const partial = Object.fromEntries(Object.entries(config).filter(([k]) => !OFFSPRING_FIELDS.has(k)));
  return resolveConfig({ ...partial, mode: 'asexual', generations: 1 } as DeepPartial<RunConfig>);
}

/**
 * Expands a validated spec. `dataDir` (the command line's) overrides the spec's; `resolvePath`
 * makes the spec's folders absolute (they are relative to the spec file).
 */
export function planSweep(
  spec: ValidSpec,
  options: { dataDir?: string; resolvePath?: (p: string) => string } = {},
): SweepPlan {
  const problems: string[] = [];
  const resolvePath = options.resolvePath ?? ((p: string) => p);
  const defaultDataDir = options.dataDir ?? (spec.dataDir === null ? null : resolvePath(spec.dataDir));

  const used = [...spec.axes.map((a) => a.setting.key), ...spec.points.flatMap((p) => p.map((a) => a.setting.key))];
  const orderedKeys = [...new Set([...ID_FIRST.filter((k) => used.includes(k)), ...used])];

  const grid: Assignment[][] = spec.axes.length
    ? cartesian(spec.axes.map((axis) => axis.values.map((value) => ({ setting: axis.setting, value }))))
    : spec.points.length
      ? []
      : [[]];
  const points: SweepUnit[] = [];
  const byConfig = new Map<string, string>();
  const byId = new Map<string, string>();
  for (const [index, assignments] of [...grid, ...spec.points].entries()) {
    const origin = index < grid.length ? 'the grid' : `points[${index - grid.length}]`;
    const settings = Object.fromEntries(
      orderedKeys.flatMap((k) => assignments.filter((a) => a.setting.key === k).map((a) => [k, a.value])),
    );
    const id = unitId(settings, orderedKeys);
    const assignedDataDir = assignments.find((a) => a.setting.key === 'dataDir')?.value;
    let config: RunConfig;
    try {
      config = resolveConfig(configOf(spec.base, assignments));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.problems.map((p) => `point ${id} (${origin}): ${p}`));
      continue;
    }
    const pointDataDir = typeof assignedDataDir === 'string' ? resolvePath(assignedDataDir) : defaultDataDir;
    if (assignedDataDir !== undefined && typeof assignedDataDir !== 'string')
      problems.push(`point ${id} (${origin}): dataDir must be a folder path (got ${JSON.stringify(assignedDataDir)})`);
    const identity = JSON.stringify([config, pointDataDir]);
    if (byConfig.has(identity)) {
      problems.push(`point ${id} (${origin}) is the same run as ${byConfig.get(identity)}: remove one`);
      continue;
    }
    if (byId.has(id)) {
      problems.push(
        `point ${id} (${origin}) has the same id as a point from ${byId.get(id)}; give their values plainer names`,
      );
      continue;
    }
    byConfig.set(identity, id);
    byId.set(id, origin);
    points.push({ kind: 'point', id, dir: `points/${id}`, config, dataDir: pointDataDir ?? '', settings });
  }
  if (points.some((p) => !p.dataDir))
    problems.push('say where the dataset files are: "dataDir" in the spec, or --data-dir DIR');
  if (problems.length) throw new SpecError(problems);

  // One ancestor per distinct generation-1 configuration; its id keeps the settings that shaped it.
  const ancestors = new Map<string, SweepUnit>();
  for (const point of points) {
    const config = ancestorConfig(point.config);
    const identity = JSON.stringify(config);
    let ancestor = ancestors.get(identity);
    if (!ancestor) {
      const settings = Object.fromEntries(
        Object.entries(point.settings).filter(([k]) => roleOf(spec, k) === 'ancestor'),
      );
      let id = unitId(settings, orderedKeys);
      // Settings given only implicitly (e.g. a dataset default) can leave two ancestors one name.
      const taken = new Set([...ancestors.values()].map((a) => a.id));
      for (let n = 2; taken.has(id); n++) id = `${unitId(settings, orderedKeys)}~${n}`;
      ancestor = { kind: 'ancestor', id, dir: `ancestors/${id}`, config, dataDir: point.dataDir, settings };
      ancestors.set(identity, ancestor);
    }
    point.ancestor = ancestor.id;
  }
  return { name: spec.name, keys: orderedKeys, ancestors: [...ancestors.values()], points };
}

function roleOf(spec: ValidSpec, key: string) {
  const all = [...spec.axes.map((a) => a.setting), ...spec.points.flatMap((p) => p.map((a) => a.setting))];
  return all.find((s) => s.key === key)?.role;
}
