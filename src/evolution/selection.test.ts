import { describe, expect, it } from 'vitest';
import { Rng } from './rng';
import {
  chooseParentIndices,
  isExchangeGeneration,
  islandMembers,
  islandOf,
  selectFromPool,
  type ParentChoice,
  type SelectionDraws,
} from './selection';

/** Draws that return the scripted integers in turn, and a shuffle that reverses. */
function scripted(ints: number[]): SelectionDraws & { used: () => number } {
  let i = 0;
  return {
    int: (n) => {
      const x = ints[i++];
      if (x === undefined || x >= n) throw new Error(`script ran out or ${x} ≥ ${n}`);
      return x;
    },
    shuffle: (arr) => {
      const copy = Array.from({ length: arr.length }, (_, j) => arr[arr.length - 1 - j]);
      copy.forEach((x, j) => (arr[j] = x));
      return arr;
    },
    used: () => i,
  };
}

const choice = (patch: Partial<ParentChoice>): ParentChoice => ({
  parents: 2,
  selection: 'random',
  tournamentSize: 2,
  islands: 1,
  migrationInterval: 1,
  ...patch,
});

describe('parent selection from a pool', () => {
  const fitness = [0.5, 0.9, 0.7, 0.9];

  it('mates a pool of one network with itself, and takes a pool of exactly m whole', () => {
    expect(selectFromPool([3], 2, fitness, 'tournament', 2, scripted([]))).toEqual([3, 3]);
    expect(selectFromPool([2, 0], 2, fitness, 'fittest', 2, scripted([]))).toEqual([2, 0]);
    expect(() => selectFromPool([0, 1], 3, fitness, 'random', 2, scripted([]))).toThrow(
      'Parent selection needs 3 parents but the pool holds 2',
    );
  });

  it('fittest: the m most accurate, ties to the lower index', () => {
    expect(selectFromPool([0, 1, 2, 3], 2, fitness, 'fittest', 2, scripted([]))).toEqual([1, 3]);
    expect(selectFromPool([0, 1, 2, 3], 3, fitness, 'fittest', 2, scripted([]))).toEqual([1, 3, 2]);
  });

  it('random: the first m of a shuffle', () => {
    expect(selectFromPool([0, 1, 2, 3], 2, fitness, 'random', 2, scripted([]))).toEqual([3, 2]);
  });

  it('tournament: k drawn without replacement, the fittest wins, and a winner cannot win twice', () => {
    // Slot 1: swaps 0↔2 then 1↔3 make [2, 3, 0, 1]; of {2, 3} (0.7, 0.9) 3 wins.
    // Slot 2 from [2, 0, 1]: swaps 0↔1 then 1↔2 make [0, 1, 2]; of {0, 1} (0.5, 0.9) 1 wins.
    const draws = scripted([2, 2, 1, 1]);
    expect(selectFromPool([0, 1, 2, 3], 2, fitness, 'tournament', 2, draws)).toEqual([3, 1]);
    expect(draws.used()).toBe(4);
    // A tournament as large as the pool always picks the fittest left.
    const rng = new Rng(3);
    for (let t = 0; t < 20; t++) expect(selectFromPool([0, 1, 2, 3], 2, fitness, 'tournament', 4, rng)).toEqual([1, 3]);
    // Size 1 is a uniform draw: every network wins sometimes.
    const wins = new Set<number>();
    for (let t = 0; t < 200; t++) wins.add(selectFromPool([0, 1, 2, 3], 1, fitness, 'tournament', 1, rng)[0]);
    expect([...wins].sort()).toEqual([0, 1, 2, 3]);
  });
});

describe('islands', () => {
  it('split a generation into equal islands, and give each island an ancestor when there are fewer', () => {
    expect([0, 1, 2, 3].map((j) => islandOf(j, 4, 2))).toEqual([0, 0, 1, 1]);
    expect([0, 1].map((i) => islandMembers(i, 4, 2))).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect([0, 1].map((i) => islandMembers(i, 1, 2))).toEqual([[0], [0]]);
    expect([0, 1, 2, 3].map((i) => islandMembers(i, 2, 4))).toEqual([[0], [0], [1], [1]]);
  });

  it('exchange mates in generations 2 + k, 2 + 2k, …', () => {
    expect([2, 3, 4, 5, 6, 7, 8].filter((g) => isExchangeGeneration(g, 3))).toEqual([5, 8]);
    expect([2, 3, 4].filter((g) => isExchangeGeneration(g, 1))).toEqual([3, 4]);
  });

  const fitness = [0.8, 0.9, 0.6, 0.7];
  const islands = choice({ islands: 2, migrationInterval: 3, selection: 'fittest' });

  it('mate within the island outside exchange generations', () => {
    expect([0, 1, 2, 3].map((j) => chooseParentIndices(fitness, 4, j, 4, islands, scripted([])))).toEqual([
      [0, 1],
      [0, 1],
      [2, 3],
      [2, 3],
    ]);
  });

  it('take the last parent from the next island in an exchange generation', () => {
    expect([0, 2].map((j) => chooseParentIndices(fitness, 5, j, 4, islands, scripted([])))).toEqual([
      [1, 3],
      [3, 1],
    ]);
  });

  it('descend from their own ancestor: two ancestors, two islands, generation 2 selfs each', () => {
    expect([0, 1, 2, 3].map((j) => chooseParentIndices([0.9, 0.8], 2, j, 4, islands, scripted([])))).toEqual([
      [0, 0],
      [0, 0],
      [1, 1],
      [1, 1],
    ]);
  });

  it('without islands, mate two ancestors in generation 2 and keep the old single-ancestor rule', () => {
    const plain = choice({});
    expect(chooseParentIndices([0.9, 0.8], 2, 0, 2, plain, scripted([]))).toEqual([0, 1]);
    expect(chooseParentIndices([0.9], 2, 1, 2, plain, scripted([]))).toEqual([0, 0]);
  });
});
