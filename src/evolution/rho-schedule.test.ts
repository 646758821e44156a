import { describe, expect, it } from 'vitest';
import { parseRhoSchedule, rhoAt, rhoScheduleProblem, scheduledRho } from './rho-schedule';

const at = (text: string, generations: number[], base = 0.7, last = 13) =>
  generations.map((g) => scheduledRho(text, g, base, last));

describe('ρ schedule', () => {
  it('is off when empty: the configured ρ in every generation', () => {
    expect(parseRhoSchedule('')).toEqual({ ok: true, schedule: { kind: 'constant' } });
    expect(at('  ', [2, 7, 13], 0.65)).toEqual([0.65, 0.65, 0.65]);
  });

  it('reads a list as ρ of generations 2, 3, 4, … and holds the last value after it', () => {
    expect(at('0.9,0.8,0.7', [2, 3, 4, 5, 13])).toEqual([0.9, 0.8, 0.7, 0.7, 0.7]);
  });

  it('reads steps ρ@g: the configured ρ before the first, each step from its generation on', () => {
    expect(at('0.7@2,0.5@8', [2, 7, 8, 13], 0.6)).toEqual([0.7, 0.7, 0.5, 0.5]);
    // A sudden tightening at generation 8.
    expect(at('0.5@8', [2, 3, 7, 8, 9], 0.7)).toEqual([0.7, 0.7, 0.7, 0.5, 0.5]);
  });

  it('ramps linearly from generation 2 to the last generation, or between the generations given', () => {
    const [g2, g7, g13, g20] = at('ramp:0.8:0.5', [2, 7, 13, 20]);
    expect(g2).toBe(0.8);
    expect(g7).toBeCloseTo(0.8 - (0.3 * 5) / 11, 12);
    expect(g13).toBe(0.5);
    expect(g20).toBe(0.5);
    const ramp = at('ramp:0.8:0.5:3:6', [2, 3, 4, 5, 6, 9]);
    [0.8, 0.8, 0.7, 0.6, 0.5, 0.5].forEach((x, i) => expect(ramp[i]).toBeCloseTo(x, 12));
    // A ramp up works the same way.
    expect(rhoAt({ kind: 'ramp', from: 0.5, to: 0.9, start: 2, end: 4 }, 3, 0.7, 13)).toBeCloseTo(0.7, 12);
  });

  it.each([
    ['0', 'ρ 0 is not more than 0 and at most 1'],
    ['0.9,1.2', 'ρ 1.2 is not more than 0 and at most 1'],
    ['0.9,,0.8', '"" is not a number'],
    ['half', '"half" is not a number'],
    ['0.5@1', '"1" is not a generation: give a whole number ≥ 2 (generation 1 is the ancestor)'],
    ['0.5@2.5', '"2.5" is not a generation: give a whole number ≥ 2 (generation 1 is the ancestor)'],
    ['0.7@8,0.5@8', 'steps must go forward in generations: 0.5@8 comes after 0.7@8'],
    ['0.7,0.5@3', 'give either one ρ per generation (0.9,0.8) or steps ρ@generation (0.7@2,0.5@8), not both'],
    ['0.5@3@4', '"0.5@3@4" has more than one @'],
    ['ramp:0.8', 'a ramp is ramp:from:to or ramp:from:to:first:last (got "ramp:0.8")'],
    ['ramp:0.8:0.5:6:3', 'a ramp must end after it starts (got generations 6 to 3)'],
    ['ramp:0.8:2', 'ρ 2 is not more than 0 and at most 1'],
  ])('says what is wrong with %j', (text, reason) => {
    expect(rhoScheduleProblem(text)).toBe(reason);
    expect(() => scheduledRho(text, 2, 0.7, 13)).toThrow(reason);
  });
});
