import { describe, expect, it } from 'vitest';
import { formatDuration, generationFraction, secondsLeft, totalUnits, unitsDone } from './eta';

describe('time left', () => {
  const cfg = { ancestorEpochs: 2, epochsPerGeneration: 1, generations: 3, population: 2 };
  it('counts network-epochs', () => {
    expect(totalUnits(cfg, true)).toBe(2 + 2 * 2);
    expect(totalUnits(cfg, false)).toBe(4);
    expect(
      unitsDone(cfg, true, {
        generation: 1,
        individual: 0,
        phase: 'train',
        epoch: 2,
        epochs: 2,
        batch: 5,
        batches: 10,
      }),
    ).toBe(1.5);
    expect(
      unitsDone(cfg, true, {
        generation: 3,
        individual: 1,
        phase: 'train',
        epoch: 1,
        epochs: 1,
        batch: 10,
        batches: 10,
      }),
    ).toBe(2 + 2 + 1 + 1);
  });
  it('estimates from the measured rate', () => {
    expect(secondsLeft(null, 0, 1, 2)).toBeNull();
    expect(secondsLeft({ t0: 0, u0: 0 }, 10_000, 1, 3)).toBeCloseTo(20);
    expect(formatDuration(75)).toBe('1 min 15 s');
    expect(formatDuration(null)).toBe('estimating…');
  });
  it('places progress within a generation', () => {
    expect(
      generationFraction({ individual: 1, population: 2, phase: 'train', epoch: 1, epochs: 2, batch: 5, batches: 10 }),
    ).toBeCloseTo(0.625);
  });
});
