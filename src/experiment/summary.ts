/**
 * Summaries of finished runs: per-generation means over a run's population, then mean ± std
 * over seeds. Used by the results report and by the lab's overlays.
 */
import type { DatasetName } from './datasets';
import type { NetworkRecord } from './records';

export interface GenerationPoint {
  generation: number;
  /** Mean over the networks of the generation. */
  accuracy: number;
  bestAccuracy: number;
  synapticEfficiency: number;
  clusterEfficiency: number;
  synapses: number;
  kernels: number;
}

/** One point per generation of one run (the population mean, and the best accuracy). */
export function runCurve(records: readonly NetworkRecord[]): GenerationPoint[] {
  const byGeneration = new Map<number, NetworkRecord[]>();
  for (const r of records) byGeneration.set(r.generation, [...(byGeneration.get(r.generation) ?? []), r]);
  return [...byGeneration.entries()]
    .sort(([a], [b]) => a - b)
    .map(([generation, rs]) => ({
      generation,
      accuracy: mean(rs.map((r) => r.testAccuracy)),
      bestAccuracy: Math.max(...rs.map((r) => r.testAccuracy)),
      synapticEfficiency: mean(rs.map((r) => r.synapticEfficiency)),
      clusterEfficiency: mean(rs.map((r) => r.clusterEfficiency)),
      synapses: mean(rs.map((r) => r.synapses)),
      kernels: mean(rs.map((r) => r.kernels)),
    }));
}

export interface Stat {
  mean: number;
  std: number;
  n: number;
}

export interface SeedSummaryPoint {
  generation: number;
  accuracy: Stat;
  bestAccuracy: Stat;
  synapticEfficiency: Stat;
  clusterEfficiency: Stat;
}

/**
 * The seed-mean curves of the headless reproduction runs, as `npm run report` writes them to
 * public/reproduced.json for the lab's overlay. `points` are summariseSeeds() of each mode.
 */
export interface ReproducedCurves {
  generatedAt: string;
  experiments: ReproducedExperiment[];
}

export interface ReproducedExperiment {
  /** The results/ folder name, e.g. "mnist-10pct-default". */
  name: string;
  dataset: DatasetName;
  /** A short human description, e.g. "10 % MNIST, 3 seeds, 13 generations, defaults". */
  description: string;
  modes: Record<string, { seeds: number[]; points: SeedSummaryPoint[] }>;
}

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN;
}

/** Sample standard deviation (n − 1); 0 for a single value. */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

const stat = (xs: number[]): Stat => ({ mean: mean(xs), std: std(xs), n: xs.length });

/** Mean ± std over runs (seeds), per generation; a generation counts only the runs that reached it. */
export function summariseSeeds(curves: readonly GenerationPoint[][]): SeedSummaryPoint[] {
  const generations = [...new Set(curves.flatMap((c) => c.map((p) => p.generation)))].sort((a, b) => a - b);
  return generations.map((generation) => {
    const points = curves
      .map((c) => c.find((p) => p.generation === generation))
      .filter((p): p is GenerationPoint => !!p);
    return {
      generation,
      accuracy: stat(points.map((p) => p.accuracy)),
      bestAccuracy: stat(points.map((p) => p.bestAccuracy)),
      synapticEfficiency: stat(points.map((p) => p.synapticEfficiency)),
      clusterEfficiency: stat(points.map((p) => p.clusterEfficiency)),
    };
  });
}

/**
 * The first generation whose accuracy is at least `points` percentage points below the
 * ancestor's (generation 1), or null when no generation dropped that far.
 */
export function firstDropGeneration<T extends { generation: number; accuracy: number }>(
  curve: readonly T[],
  points: number,
): T | null {
  const ancestor = curve.find((p) => p.generation === 1);
  if (!ancestor) return null;
  return curve.find((p) => p.generation > 1 && (ancestor.accuracy - p.accuracy) * 100 >= points - 1e-9) ?? null;
}
