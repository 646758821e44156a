/**
 * Comparing methods (evolution, its extensions, pruning baselines) that compress at different
 * rates: accuracy read off at equal efficiency, efficiency read off at an equal accuracy drop,
 * and what each step removed (whole kernels and filters, or single synapses). Per run; the
 * report averages over seeds. Efficiencies are interpolated on a log scale, since they grow
 * geometrically (by about 1/ρ) from one generation to the next.
 */
import type { GenerationPoint } from './summary';
import type { NetworkRecord } from './records';

export type EfficiencyKey = 'synapticEfficiency' | 'clusterEfficiency';

/**
 * The accuracy at which the run's curve (population means per generation) passes `target`
 * efficiency, linearly interpolated in log(efficiency) between the two generations around it;
 * null when the run never gets that far. Where the efficiency passes `target` more than once
 * (it does not, as every generation prunes), the first passage counts.
 */
export function accuracyAtEfficiency(
  curve: readonly GenerationPoint[],
  key: EfficiencyKey,
  target: number,
): number | null {
  const points = [...curve].sort((a, b) => a.generation - b.generation);
  for (let i = 0; i < points.length; i++) {
    const b = points[i];
    if (b[key] < target) continue;
    if (b[key] === target || i === 0) return b[key] === target ? b.accuracy : null;
    const a = points[i - 1];
    const t = (Math.log(target) - Math.log(a[key])) / (Math.log(b[key]) - Math.log(a[key]));
    return a.accuracy + t * (b.accuracy - a.accuracy);
  }
  return null;
}

export interface DropPoint {
  /** The first generation at least `points` below the ancestor. */
  generation: number;
  /** Efficiencies of that generation. */
  synapticEfficiency: number;
  clusterEfficiency: number;
  /**
   * Efficiencies where the drop reaches exactly `points`: interpolated between that generation and
   * the one before, linearly in the drop against log(efficiency).
   */
  synapticAtDrop: number;
  clusterAtDrop: number;
}

/** Where the run first drops `points` percentage points below its ancestor; null if it never does. */
export function dropPoint(curve: readonly GenerationPoint[], points: number): DropPoint | null {
  const sorted = [...curve].sort((a, b) => a.generation - b.generation);
  const ancestor = sorted.find((p) => p.generation === 1);
  if (!ancestor) return null;
  const drop = (p: GenerationPoint) => (ancestor.accuracy - p.accuracy) * 100;
  const i = sorted.findIndex((p) => p.generation > 1 && drop(p) >= points - 1e-9);
  if (i < 1) return null;
  const [a, b] = [sorted[i - 1], sorted[i]];
  // The generation before may itself be below the ancestor by less than `points` (or above it).
  const t = drop(b) === drop(a) ? 1 : Math.min(1, Math.max(0, (points - drop(a)) / (drop(b) - drop(a))));
  const logLerp = (key: EfficiencyKey) => Math.exp(Math.log(a[key]) + t * (Math.log(b[key]) - Math.log(a[key])));
  return {
    generation: b.generation,
    synapticEfficiency: b.synapticEfficiency,
    clusterEfficiency: b.clusterEfficiency,
    synapticAtDrop: logLerp('synapticEfficiency'),
    clusterAtDrop: logLerp('clusterEfficiency'),
  };
}

export interface RemovalSummary {
  /** Synapses removed over the run (summed over generations, averaged over each generation's networks). */
  synapses: number;
  /** Share of them removed with their whole kernel: the removals the cluster efficiency rewards. */
  withKernels: number;
  /** Share of them removed with their whole filter. */
  withFilters: number;
  kernels: number;
  filters: number;
  /** Mean share of an offspring's synapses that were alive in every one of its parents (1 for one parent). */
  aliveInAllParents: number;
  /** Live filters per layer in the last generation (mean over its networks). */
  lastFilters: { name: string; filters: number }[];
}

/** What a run's synthesis (or pruning) steps removed, from its records. */
export function removalSummary(records: readonly NetworkRecord[]): RemovalSummary {
  const generations = [...new Set(records.map((r) => r.generation))].sort((a, b) => a - b);
  const perGeneration = (pick: (r: NetworkRecord) => number) =>
    generations.reduce((sum, g) => {
      const rs = records.filter((r) => r.generation === g && r.synthesis);
      return rs.length ? sum + rs.reduce((s, r) => s + pick(r), 0) / rs.length : sum;
    }, 0);
  const removed = (key: 'synapses' | 'inRemovedKernels' | 'inRemovedFilters' | 'kernels' | 'filters') =>
    perGeneration((r) => r.synthesis?.removed?.[key] ?? 0);
  const synapses = removed('synapses');
  const offspring = records.filter((r) => r.synthesis);
  const last = records.filter((r) => r.generation === generations[generations.length - 1]);
  const layers = last[0]?.kernelMasks.map((m) => m.layer) ?? [];
  return {
    synapses,
    withKernels: synapses ? removed('inRemovedKernels') / synapses : 0,
    withFilters: synapses ? removed('inRemovedFilters') / synapses : 0,
    kernels: removed('kernels'),
    filters: removed('filters'),
    aliveInAllParents: offspring.length
      ? offspring.reduce((s, r) => s + (r.synthesis?.aliveInAllParents ?? 1), 0) / offspring.length
      : 1,
    lastFilters: layers.map((name) => ({
      name,
      filters:
        last.reduce((s, r) => s + (r.kernelMasks.find((m) => m.layer === name)?.aliveFilters ?? 0), 0) / last.length,
    })),
  };
}
