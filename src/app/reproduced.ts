/**
 * Our own reproduction runs of the paper (public/reproduced.json, written by `npm run report`)
 * as chart series: pure functions, so the charts and their tables show the same numbers.
 */
import type { DatasetName } from '../experiment/config';
import { isDatasetName } from '../experiment/datasets';
import type { ReproducedCurves, ReproducedExperiment, SeedSummaryPoint, Stat } from '../experiment/summary';
import type { Metric } from './series';
import { ASEXUAL_RED, SEXUAL_BLUE } from './setup';

export type { ReproducedCurves, ReproducedExperiment } from '../experiment/summary';

/** The seed summary behind each chart metric: population means per generation, as in docs/RESULTS.md. */
export const REPRODUCED_FIELD: Record<Metric, 'accuracy' | 'synapticEfficiency' | 'clusterEfficiency'> = {
  testAccuracy: 'accuracy',
  synapticEfficiency: 'synapticEfficiency',
  clusterEfficiency: 'clusterEfficiency',
};

const MODE_ORDER = ['asexual', 'sexual'];
const MODE_COLOURS: Record<string, string> = { asexual: ASEXUAL_RED, sexual: SEXUAL_BLUE, multiparent: '#1b7f3b' };

const isObject = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
const isStat = (x: unknown): x is Stat =>
  isObject(x) && typeof x.mean === 'number' && typeof x.std === 'number' && typeof x.n === 'number';
const isPoint = (x: unknown): x is SeedSummaryPoint =>
  isObject(x) &&
  typeof x.generation === 'number' &&
  isStat(x.accuracy) &&
  isStat(x.synapticEfficiency) &&
  isStat(x.clusterEfficiency);

/**
 * The file's experiments that have the expected shape (others are left out), or null when none
 * does: the lab then simply does not offer the overlay.
 */
export function parseReproduced(json: unknown): ReproducedCurves | null {
  if (!isObject(json) || !Array.isArray(json.experiments)) return null;
  const experiments = json.experiments.filter(
    (e): e is ReproducedExperiment =>
      isObject(e) &&
      typeof e.name === 'string' &&
      isDatasetName(e.dataset) &&
      isObject(e.modes) &&
      Object.values(e.modes).every(
        (m) => isObject(m) && Array.isArray(m.seeds) && Array.isArray(m.points) && m.points.every(isPoint),
      ),
  );
  if (!experiments.length) return null;
  return {
    generatedAt: typeof json.generatedAt === 'string' ? json.generatedAt : '',
    experiments: experiments.map((e) => ({
      ...e,
      description: typeof e.description === 'string' ? e.description : '',
    })),
  };
}

export function experimentsFor(curves: ReproducedCurves | null, dataset: DatasetName): ReproducedExperiment[] {
  return curves ? curves.experiments.filter((e) => e.dataset === dataset && Object.keys(e.modes).length > 0) : [];
}

/** The experiment shown by default: the first whose name says "default", else the first. */
export function defaultExperiment(experiments: readonly ReproducedExperiment[]): ReproducedExperiment | null {
  return experiments.find((e) => /default/i.test(e.name)) ?? experiments[0] ?? null;
}

/** The chosen experiment when the dataset has it, else the default one. */
export function pickExperiment(
  experiments: readonly ReproducedExperiment[],
  chosen: string | null,
): ReproducedExperiment | null {
  return experiments.find((e) => e.name === chosen) ?? defaultExperiment(experiments);
}

/** "3 seeds", or "2–3 seeds" when the modes have different numbers of seeds. */
export function seedCount(experiment: ReproducedExperiment): string {
  const counts = Object.values(experiment.modes).map((m) => new Set(m.seeds).size);
  const [lo, hi] = [Math.min(...counts), Math.max(...counts)];
  return lo === hi ? `${lo} seed${lo === 1 ? '' : 's'}` : `${lo}–${hi} seeds`;
}

export interface ReproducedPoint {
  generation: number;
  value: number;
  std: number;
  n: number;
}

export interface ReproducedSeries {
  mode: string;
  label: string;
  colour: string;
  seeds: number[];
  points: ReproducedPoint[];
}

/** One seed-mean line per mode (asexual, sexual, then any other), sorted by generation. */
export function reproducedSeries(experiment: ReproducedExperiment, metric: Metric): ReproducedSeries[] {
  const rank = (mode: string) => (MODE_ORDER.includes(mode) ? MODE_ORDER.indexOf(mode) : MODE_ORDER.length);
  const field = REPRODUCED_FIELD[metric];
  return Object.entries(experiment.modes)
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([mode, m]) => {
      const n = new Set(m.seeds).size;
      return {
        mode,
        label: `ours, ${mode} (mean of ${n} seed${n === 1 ? '' : 's'})`,
        colour: MODE_COLOURS[mode] ?? '#5a5a5a',
        seeds: m.seeds,
        points: m.points
          .filter((p) => Number.isFinite(p[field].mean))
          .map((p) => ({ generation: p.generation, value: p[field].mean, std: p[field].std, n: p[field].n }))
          .sort((a, b) => a.generation - b.generation),
      };
    })
    .filter((s) => s.points.length > 0);
}

/** Mean ± std as the tables show it: "97.12 ± 0.35 %" or "12.30 ± 1.02×". */
export function formatStat(metric: Metric, mean: number, std: number): string {
  return metric === 'testAccuracy'
    ? `${(100 * mean).toFixed(2)} ± ${(100 * std).toFixed(2)} %`
    : `${mean.toFixed(2)} ± ${std.toFixed(2)}×`;
}
