import { describe, expect, it } from 'vitest';
import type { NetworkRecord } from '../experiment/records';
import { behindNote, computeByGeneration, formatCompute, xOf } from './compute-axis';

const rec = (generation: number, individual: number, trainImages: number, trainSeconds: number) =>
  ({ generation, individual, trainImages, trainSeconds }) as NetworkRecord;

const asexual = [rec(1, 0, 60_000, 100), rec(2, 0, 600, 2), rec(3, 0, 600, 3), rec(4, 0, 600, 2)];
const sexual = [rec(1, 0, 60_000, 100), rec(2, 0, 600, 2), rec(2, 1, 600, 2.5)];

describe('training compute per generation', () => {
  it('sums every network since the shared ancestor', () => {
    expect([...computeByGeneration(asexual, 'images')]).toEqual([
      [1, 0],
      [2, 600],
      [3, 1200],
      [4, 1800],
    ]);
    expect([...computeByGeneration(sexual, 'images')]).toEqual([
      [1, 0],
      [2, 1200],
    ]);
    expect(computeByGeneration(sexual, 'seconds').get(2)).toBe(4.5);
    expect(xOf('generation', 3, null)).toBe(3);
    expect(xOf('images', 2, computeByGeneration(sexual, 'images'))).toBe(1200);
  });

  it('formats ticks short', () => {
    expect(formatCompute('images', 1800)).toBe('1800');
    expect(formatCompute('images', 123_456)).toBe('123 k');
    expect(formatCompute('images', 2_345_678)).toBe('2.35 M');
    expect(formatCompute('seconds', 93.4)).toBe('93 s');
    expect(formatCompute('seconds', 900)).toBe('15.0 min');
  });

  it('says why a run that trains two networks a generation is behind, with the work done so far', () => {
    const a = { label: 'asexual', records: asexual, population: 1 };
    const s = { label: 'sexual', records: sexual, population: 2 };
    expect(behindNote(s, [a, s], 'generation')).toBe(
      'Behind because it trains 2 networks a generation where asexual trains 1 network: so far 1,200 images trained against 1,800. Set the charts’ x-axis to “Images trained” to compare at equal work.',
    );
    expect(behindNote(s, [a, s], 'images')).not.toContain('x-axis');
    expect(behindNote(a, [a, s], 'generation')).toBeNull();
    // Before its first offspring generation: the reason, without the work (not recorded yet).
    expect(behindNote({ ...s, records: sexual.slice(0, 1) }, [a], 'images')).toBe(
      'Behind because it trains 2 networks a generation where asexual trains 1 network.',
    );
    // Level in generations: nothing to explain.
    expect(behindNote(s, [{ ...a, records: asexual.slice(0, 2) }], 'generation')).toBeNull();
  });
});
