/**
 * Mating weights: one weight per parent for the cluster blend (α_c, β_c, …) and one for the
 * synapse blend (α_s, β_s, …) of ALGORITHM.md §1.3, generalised to m parents.
 */

export interface MatingWeights {
  cluster: number[];
  synapse: number[];
}

/** α_i = 1/m for both blends: the spec's default (§2). */
export function equalMatingWeights(m: number): MatingWeights {
  if (!Number.isInteger(m) || m < 1)
    throw new Error(`equalMatingWeights needs a whole number of parents ≥ 1 (got ${m})`);
  return { cluster: new Array<number>(m).fill(1 / m), synapse: new Array<number>(m).fill(1 / m) };
}

/**
 * Weights need not sum to 1 (α + β ≠ 1 is one of the readings to measure, §1.6), but each must
 * be finite and ≥ 0 and at least one positive, or the blends would be meaningless.
 */
export function assertMatingWeights(weights: MatingWeights, parents: number): void {
  for (const level of ['cluster', 'synapse'] as const) {
    const w = weights[level];
    if (!Array.isArray(w) || w.length !== parents)
      throw new Error(
        `Mating weights: ${level} needs one weight per parent (${parents}), got ${Array.isArray(w) ? w.length : typeof w}`,
      );
    for (let i = 0; i < w.length; i++)
      if (typeof w[i] !== 'number' || !Number.isFinite(w[i]) || w[i] < 0)
        throw new Error(`Mating weights: ${level}[${i}] must be a finite number ≥ 0 (got ${w[i]})`);
    if (!w.some((x) => x > 0))
      throw new Error(`Mating weights: ${level} weights are all 0; at least one parent must count`);
  }
}

/**
 * Fitness-weighted mating (ALGORITHM.md §6: "α set from relative fitness"): each parent's weight
 * is the softmax of the parents' fitness (their accuracy, in [0, 1]) at temperature T,
 *   α_p = exp(f_p / T) / Σ_q exp(f_q / T),
 * so the weights sum to 1, equal parents weigh alike, and a lower T favours the fitter parent
 * more (T → 0: all to the fittest; T → ∞: equal weights). Both blends use the same weights.
 */
export function fitnessMatingWeights(fitness: readonly number[], temperature: number): MatingWeights {
  if (fitness.length === 0) throw new Error('fitnessMatingWeights needs at least one parent');
  if (!(temperature > 0) || !Number.isFinite(temperature))
    throw new Error(`fitnessMatingWeights: the temperature must be a finite number > 0 (got ${temperature})`);
  for (const f of fitness)
    if (!Number.isFinite(f)) throw new Error(`fitnessMatingWeights: fitness must be finite (got ${f})`);
  // Shifted by the largest fitness so that no exponential overflows at a small temperature.
  const top = Math.max(...fitness);
  const e = fitness.map((f) => Math.exp((f - top) / temperature));
  const sum = e.reduce((a, b) => a + b, 0);
  const w = e.map((x) => x / sum);
  return { cluster: w, synapse: w.slice() };
}
