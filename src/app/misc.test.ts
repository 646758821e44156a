import { describe, expect, it } from 'vitest';
import { CpuTurns, peersOverride, peersPerRun, trainingSlots } from './cpu';
import { formatDuration, generationFraction, secondsLeft, totalUnits, unitsDone } from './eta';
import { accuracyTicks, bestPerGeneration, downsample, logDomain, logTicks, series } from './series';
import type { NetworkRecord } from '../experiment/records';

describe('series', () => {
  const r = (generation: number, individual: number, testAccuracy: number) =>
    ({ generation, individual, testAccuracy, synapticEfficiency: generation * 2 }) as NetworkRecord;
  it('follows the most accurate network of each generation', () => {
    const records = [r(1, 0, 0.9), r(2, 0, 0.8), r(2, 1, 0.85), r(3, 1, 0.7), r(3, 0, 0.7)];
    expect(bestPerGeneration(records).map((x) => `${x.generation}/${x.individual}`)).toEqual(['1/0', '2/1', '3/0']);
    expect(series(records, 'synapticEfficiency').map((p) => p.value)).toEqual([2, 4, 6]);
  });
  it('makes log ticks at 1-2-5 steps covering the data', () => {
    expect(logTicks(1, 139)).toEqual([1, 2, 5, 10, 20, 50, 100, 200]);
    expect(logTicks(1.3, 4)).toEqual([1, 2, 5]);
    expect(logDomain([1, 258])).toEqual([1, 500]);
    expect(logDomain([])).toEqual([1, 10]);
  });
  it('makes accuracy ticks ending at 100 %', () => {
    expect(accuracyTicks([0.9, 1])).toEqual([0.9, 0.95, 1]);
    expect(accuracyTicks([0, 1])).toHaveLength(11);
  });
  it('downsamples keeping the last point', () => {
    const pts = Array.from({ length: 1000 }, (_, i) => ({ x: i, loss: i }));
    const d = downsample(pts, 10);
    expect(d).toHaveLength(10);
    expect(d[9]).toEqual(pts[999]);
  });
});

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

describe('CPU turns', () => {
  it('lets one Worker train at a time on 2 cores, in turn', () => {
    expect(trainingSlots(2)).toBe(1);
    expect(trainingSlots(8)).toBe(7);
    const cpu = new CpuTurns(1);
    expect(cpu.want('a')).toEqual(['a']);
    expect(cpu.want('b')).toEqual([]);
    expect(cpu.isWaiting('b')).toBe(true);
    // a's slice is over: b goes, a waits.
    expect(cpu.want('a')).toEqual(['b']);
    expect(cpu.forget('b')).toEqual(['a']);
    expect(cpu.want('a')).toEqual(['a']);
  });

  it('gives runs helper Workers only where every run gets cores of its own', () => {
    // 2 cores: one slot, no helpers; 8 cores (7 slots): 2 runs get 2 helpers each, 3 runs 1, 4 runs none.
    expect(peersPerRun(trainingSlots(2), 2)).toBe(0);
    expect(peersPerRun(trainingSlots(8), 2)).toBe(2);
    expect(peersPerRun(trainingSlots(8), 3)).toBe(1);
    expect(peersPerRun(trainingSlots(8), 4)).toBe(0);
    expect(peersPerRun(trainingSlots(4), 1)).toBe(2);
    expect(peersOverride('?peers=1&rho=0.5')).toBe(1);
    expect(peersOverride('?peers=0')).toBe(0);
    expect(peersOverride('?peers=-1')).toBeNull();
    expect(peersOverride('?peers=many')).toBeNull();
    expect(peersOverride('?rho=0.5')).toBeNull();
  });
});
