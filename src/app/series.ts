/** Chart series from run records: pure functions, so the charts and their tables show the same numbers. */
import type { NetworkRecord } from '../experiment/records';
import type { LossPoint } from '../worker/protocol';

export type Metric = 'testAccuracy' | 'synapticEfficiency' | 'clusterEfficiency';

export const METRICS: { key: Metric; title: string; log: boolean; format: (x: number) => string }[] = [
  { key: 'testAccuracy', title: 'Test accuracy', log: false, format: (x) => `${(100 * x).toFixed(2)} %` },
  { key: 'synapticEfficiency', title: 'Synaptic efficiency', log: true, format: (x) => `${x.toFixed(2)}×` },
  { key: 'clusterEfficiency', title: 'Cluster (kernel) efficiency', log: true, format: (x) => `${x.toFixed(2)}×` },
];

export const formatMetric = (metric: Metric, x: number) => METRICS.find((m) => m.key === metric)!.format(x);

/**
 * One network per generation for the lines: the most accurate one (ALGORITHM.md §2 reports the
 * best when a generation has several); ties go to the lower index, so the choice is stable.
 */
export function bestPerGeneration(records: readonly NetworkRecord[]): NetworkRecord[] {
  const best = new Map<number, NetworkRecord>();
  for (const r of records) {
    const b = best.get(r.generation);
    if (!b || r.testAccuracy > b.testAccuracy || (r.testAccuracy === b.testAccuracy && r.individual < b.individual))
      best.set(r.generation, r);
  }
  return [...best.values()].sort((a, b) => a.generation - b.generation);
}

export interface SeriesPoint {
  generation: number;
  value: number;
  individual: number;
}

export function series(records: readonly NetworkRecord[], metric: Metric): SeriesPoint[] {
  return bestPerGeneration(records).map((r) => ({
    generation: r.generation,
    value: r[metric],
    individual: r.individual,
  }));
}

/** Ticks of a log axis at 1, 2, 5, 10, 20, 50 …: from the largest tick ≤ min to the smallest ≥ max. */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.max(min, 1e-9);
  const hi = Math.max(max, lo);
  const all: number[] = [];
  for (let p = Math.floor(Math.log10(lo)); p <= Math.ceil(Math.log10(hi)); p++)
    for (const m of [1, 2, 5]) all.push(Number((m * 10 ** p).toPrecision(3)));
  let first = 0;
  all.forEach((t, i) => {
    if (t <= lo) first = i;
  });
  let last = all.findIndex((t) => t >= hi);
  if (last < 0) last = all.length - 1;
  return all.slice(first, last + 1);
}

/** A log axis domain from the tick range: never below 1 for efficiencies unless data are. */
export function logDomain(values: readonly number[]): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v) && v > 0);
  if (!finite.length) return [1, 10];
  const ticks = logTicks(Math.min(1, ...finite), Math.max(2, ...finite));
  return [ticks[0], ticks[ticks.length - 1]];
}

/** Keeps at most `max` points, evenly spread, always including the last one. */
export function downsample(points: readonly LossPoint[], max: number): LossPoint[] {
  if (points.length <= max) return points.slice();
  const out: LossPoint[] = [];
  const step = (points.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(points[Math.round(i * step)]);
  return out;
}

/** Accuracy chart domain in %, with room below the lowest point. */
export function accuracyDomain(values: readonly number[]): [number, number] {
  if (!values.length) return [0, 1];
  const lo = Math.min(...values);
  return [Math.max(0, Math.floor((lo - 0.02) * 10) / 10), 1];
}

/** Ticks of the accuracy axis: every 10 % (every 5 % when the span is short), ending at 100 %. */
export function accuracyTicks([lo, hi]: [number, number]): number[] {
  const step = hi - lo > 0.4 ? 0.1 : 0.05;
  const ticks: number[] = [];
  for (let t = hi; t >= lo - 1e-9; t -= step) ticks.unshift(Number(t.toFixed(2)));
  return ticks;
}
