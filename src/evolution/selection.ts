/**
 * Choosing the parents of an offspring from the previous generation (ALGORITHM.md §2 "Parent
 * choice", and §6's mate selection from a pool and outbreeding):
 *   random:     m networks drawn uniformly without replacement
 *   fittest:    the m fittest (ties: the lower index)
 *   tournament: per parent, k networks drawn without replacement from those not yet chosen;
 *               the fittest of them wins (ties: the lower index)
 * A pool of one network gives m copies of it (generation 2 mates the ancestor with itself); a pool
 * of exactly m networks gives all of them in order, whatever the rule.
 *
 * Islands: the population splits into I equal islands (network j of n is on island ⌊j·I/n⌋); an
 * offspring's parents come from its own island, except in exchange generations, when its last
 * parent comes from the next island (i + 1 mod I). Generation 1 (the ancestors) may hold fewer
 * networks than there are islands: island i then descends from ancestor ⌊i·A/I⌋.
 */

export type ParentSelection = 'random' | 'fittest' | 'tournament';

/** The random draws selection needs; Rng provides them (tests may script them). */
export interface SelectionDraws {
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** In-place shuffle. */
  shuffle<T extends { length: number; [i: number]: unknown }>(arr: T): T;
}

export interface ParentChoice {
  /** m: parents per offspring. */
  parents: number;
  selection: ParentSelection;
  /** k of a tournament. */
  tournamentSize: number;
  /** 1 = one population. */
  islands: number;
  /** Islands exchange mates in generations 2 + k, 2 + 2k, … */
  migrationInterval: number;
}

const fitter = (fitness: readonly number[]) => (a: number, b: number) => fitness[b] - fitness[a] || a - b;

/** m parents from a pool (indices into the previous generation), by the rule. */
export function selectFromPool(
  pool: readonly number[],
  m: number,
  fitness: readonly number[],
  selection: ParentSelection,
  tournamentSize: number,
  draws: SelectionDraws,
): number[] {
  if (pool.length === 0) throw new Error('Parent selection: the pool is empty');
  if (pool.length === 1) return new Array<number>(m).fill(pool[0]);
  if (m > pool.length) throw new Error(`Parent selection needs ${m} parents but the pool holds ${pool.length}`);
  if (m === pool.length) return pool.slice();
  switch (selection) {
    case 'fittest':
      return pool.slice().sort(fitter(fitness)).slice(0, m);
    case 'random':
      return draws.shuffle(pool.slice()).slice(0, m);
    case 'tournament': {
      if (!Number.isInteger(tournamentSize) || tournamentSize < 1)
        throw new Error(`Tournament size must be a whole number ≥ 1 (got ${tournamentSize})`);
      const remaining = pool.slice();
      const chosen: number[] = [];
      for (let slot = 0; slot < m; slot++) {
        const k = Math.min(tournamentSize, remaining.length);
        // Partial Fisher–Yates: the first k of `remaining` become a uniform draw without replacement.
        for (let i = 0; i < k; i++) {
          const j = i + draws.int(remaining.length - i);
          [remaining[i], remaining[j]] = [remaining[j], remaining[i]];
        }
        const winner = remaining.slice(0, k).sort(fitter(fitness))[0];
        chosen.push(winner);
        remaining.splice(remaining.indexOf(winner), 1);
      }
      return chosen;
    }
  }
}

/** Island of network j in a generation of n ≥ islands networks. */
export const islandOf = (j: number, n: number, islands: number): number => Math.floor((j * islands) / n);

/** The networks of island i in a generation of n networks (see the header for n < islands). */
export function islandMembers(i: number, n: number, islands: number): number[] {
  if (n < islands) return [Math.floor((i * n) / islands)];
  const members: number[] = [];
  for (let j = 0; j < n; j++) if (islandOf(j, n, islands) === i) members.push(j);
  return members;
}

export const isExchangeGeneration = (generation: number, interval: number): boolean =>
  generation >= 3 && (generation - 2) % interval === 0;

/**
 * Parents of offspring `individual` (of `population`) in `generation`, from the previous
 * generation whose networks have the given fitness.
 */
export function chooseParentIndices(
  fitness: readonly number[],
  generation: number,
  individual: number,
  population: number,
  choice: ParentChoice,
  draws: SelectionDraws,
): number[] {
  const { parents: m, selection, tournamentSize, islands } = choice;
  const n = fitness.length;
  if (islands <= 1) {
    return selectFromPool(
      fitness.map((_, i) => i),
      m,
      fitness,
      selection,
      tournamentSize,
      draws,
    );
  }
  const island = islandOf(individual, population, islands);
  const own = islandMembers(island, n, islands);
  if (m < 2 || !isExchangeGeneration(generation, choice.migrationInterval))
    return selectFromPool(own, m, fitness, selection, tournamentSize, draws);
  const neighbour = islandMembers((island + 1) % islands, n, islands);
  return [
    ...selectFromPool(own, m - 1, fitness, selection, tournamentSize, draws),
    ...selectFromPool(neighbour, 1, fitness, selection, tournamentSize, draws),
  ];
}
