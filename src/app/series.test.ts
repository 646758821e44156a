import { describe, expect, it } from 'vitest';
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
