/**
 * A fair comparison: how much training each run has done by each generation (a sexual run
 * trains two networks a generation, so it reaches each generation later), for the charts' other
 * x-axes and the run cards' "why behind" line. Pure.
 */
import type { NetworkRecord } from '../experiment/records';

export type XAxisKind = 'generation' | 'images' | 'seconds';

export const X_AXES: { kind: XAxisKind; label: string; title: string }[] = [
  { kind: 'generation', label: 'Generation', title: 'generation' },
  { kind: 'images', label: 'Images trained', title: 'images trained since the ancestor' },
  { kind: 'seconds', label: 'Training time', title: 'training seconds since the ancestor' },
];

/**
 * Per generation: images (epochs × training images) or seconds trained by every network of the
 * run since the ancestor, up to and including that generation; generation 1 (the shared
 * ancestor) is 0.
 */
export function computeByGeneration(
  records: readonly NetworkRecord[],
  kind: 'images' | 'seconds',
): Map<number, number> {
  const per = new Map<number, number>();
  for (const r of records) {
    if (r.generation <= 1) continue;
    per.set(r.generation, (per.get(r.generation) ?? 0) + (kind === 'images' ? r.trainImages : r.trainSeconds));
  }
  const out = new Map<number, number>();
  const generations = [...new Set(records.map((r) => r.generation))].sort((a, b) => a - b);
  let total = 0;
  for (const g of generations) {
    total += per.get(g) ?? 0;
    out.set(g, g <= 1 ? 0 : total);
  }
  return out;
}

/** The x value of a generation on the chosen axis. */
export function xOf(kind: XAxisKind, generation: number, compute: Map<number, number> | null): number | undefined {
  return kind === 'generation' ? generation : compute?.get(generation);
}

/** "12,345 images" / "93 s" / "1.2 M images", for ticks and tables. */
export function formatCompute(kind: XAxisKind, x: number): string {
  if (kind === 'generation') return String(x);
  if (kind === 'seconds') return x >= 600 ? `${(x / 60).toFixed(x >= 6000 ? 0 : 1)} min` : `${Math.round(x)} s`;
  return x >= 1e6
    ? `${Number((x / 1e6).toPrecision(3))} M`
    : x >= 1e4
      ? `${Math.round(x / 1e3)} k`
      : String(Math.round(x));
}

interface RunLike {
  label: string;
  records: readonly NetworkRecord[];
  population: number;
}

const lastGeneration = (r: RunLike) => Math.max(0, ...r.records.map((x) => x.generation));
const imagesTrained = (r: RunLike) => [...computeByGeneration(r.records, 'images').values()].at(-1) ?? 0;

/**
 * Why a run is behind the others in generations, when it trains more networks a generation
 * than a run ahead of it; null when it is not behind, or not for that reason.
 */
export function behindNote(run: RunLike, others: readonly RunLike[], axis: XAxisKind): string | null {
  const mine = lastGeneration(run);
  const ahead = others.filter((o) => o !== run && lastGeneration(o) > mine && o.population < run.population);
  if (!mine || !ahead.length) return null;
  const o = ahead[0];
  const n = (k: number) => `${k} network${k === 1 ? '' : 's'}`;
  const fmt = (x: number) => x.toLocaleString('en');
  // Before its first offspring generation is finished, the work it has done is not in its records yet.
  const work = mine >= 2 ? `: so far ${fmt(imagesTrained(run))} images trained against ${fmt(imagesTrained(o))}` : '';
  return (
    `Behind because it trains ${n(run.population)} a generation where ${o.label} trains ${n(o.population)}${work}.` +
    (axis === 'generation' ? ' Set the charts’ x-axis to “Images trained” to compare at equal work.' : '')
  );
}
