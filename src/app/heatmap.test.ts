import { describe, expect, it } from 'vitest';
import { flagsToHex } from '../experiment/kernel-masks';
import type { KernelMaskSummary, NetworkRecord } from '../experiment/records';
import {
  ALIVE,
  countStates,
  DEAD,
  DIED,
  kernelAt,
  kernelStates,
  layoutHeatmap,
  LABEL_HEIGHT,
  parentRecords,
} from './heatmap';

const mask = (flags: number[], filters: number, inChannels: number, layer = 'l'): KernelMaskSummary => ({
  layer,
  filters,
  inChannels,
  aliveHex: flagsToHex(Uint8Array.from(flags)),
  aliveKernels: flags.filter(Boolean).length,
  aliveFilters: 0,
});

const LENET = [
  { layer: 'conv1', filters: 32, inChannels: 1 },
  { layer: 'conv2', filters: 32, inChannels: 32 },
  { layer: 'conv3', filters: 64, inChannels: 32 },
  { layer: 'fc1', filters: 64, inChannels: 64 },
];

describe('kernel states', () => {
  it('marks kernels alive in a parent and dead now as died', () => {
    const child = mask([1, 0, 0, 1, 0, 0], 3, 2);
    const p1 = mask([1, 1, 0, 1, 0, 0], 3, 2);
    const p2 = mask([1, 0, 1, 1, 0, 0], 3, 2);
    const s = kernelStates(child, [p1, p2]);
    expect([...s]).toEqual([ALIVE, DIED, DIED, ALIVE, DEAD, DEAD]);
    expect(countStates(s)).toEqual({ alive: 2, died: 2, dead: 2 });
    expect([...kernelStates(child, [])]).toEqual([1, 0, 0, 1, 0, 0]);
  });

  it('finds the parents among the previous generation', () => {
    const r = (generation: number, individual: number, parents: number[]) =>
      ({ generation, individual, parents }) as NetworkRecord;
    const all = [r(1, 0, []), r(2, 0, [0, 0]), r(2, 1, [0, 0]), r(3, 0, [1, 0])];
    expect(parentRecords(all[3], all).map((p) => p.individual)).toEqual([1, 0]);
    expect(parentRecords(all[0], all)).toEqual([]);
  });
});

describe('heatmap layout', () => {
  it('puts the LeNet layers on one line with readable cells when there is room', () => {
    const l = layoutHeatmap(LENET, 1600);
    expect(l.cell).toBeGreaterThanOrEqual(5);
    expect(new Set(l.boxes.map((b) => b.y - LABEL_HEIGHT)).size).toBeLessThanOrEqual(2); // conv1 stacks above conv2
    expect(l.width).toBeLessThanOrEqual(1600);
    // conv1 (32×1) sits above conv2 (32×32), in the same column.
    expect(l.boxes[0].x).toBe(l.boxes[1].x);
    expect(l.boxes[1].y).toBeGreaterThan(l.boxes[0].y);
    // fc1 is 64 × 64 kernels.
    expect([l.boxes[3].cols, l.boxes[3].rows]).toEqual([64, 64]);
  });

  it('never overlaps boxes and stays within the width', () => {
    for (const width of [320, 600, 900, 1200, 2400]) {
      const l = layoutHeatmap(LENET, width);
      expect(l.width).toBeLessThanOrEqual(Math.max(width, 4 * 170));
      for (let i = 0; i < l.boxes.length; i++)
        for (let j = i + 1; j < l.boxes.length; j++) {
          const a = l.boxes[i];
          const b = l.boxes[j];
          const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
          expect(overlap).toBe(false);
        }
    }
  });

  it('uses bigger cells on a wider screen (projector)', () => {
    expect(layoutHeatmap(LENET, 2400).cell).toBeGreaterThan(layoutHeatmap(LENET, 900).cell);
  });

  it('maps a point back to its kernel', () => {
    const l = layoutHeatmap(LENET, 1200);
    const fc1 = l.boxes[3];
    expect(kernelAt(l, fc1.x + 2.5 * l.cell, fc1.y + 7.5 * l.cell)).toEqual({ layer: 'fc1', filter: 2, kernel: 7 });
    expect(kernelAt(l, -5, -5)).toBeNull();
  });
});
