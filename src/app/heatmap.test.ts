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
  moveCursor,
  NARROW_HEATMAP,
  PRESENTER_HEATMAP,
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

  it('fits a phone’s width on more lines, and draws conv1 as a row of visible cells', () => {
    const l = layoutHeatmap(LENET, 300, NARROW_HEATMAP);
    expect(l.width).toBeLessThanOrEqual(300);
    expect(l.cell).toBeGreaterThanOrEqual(4);
    const conv1 = l.boxes[0];
    expect([conv1.cols, conv1.rows]).toEqual([32, 1]);
    expect(conv1.height).toBeGreaterThanOrEqual(12);
  });

  it('makes every layer readable in presenter mode on a 1920-px projector', () => {
    const l = layoutHeatmap(LENET, 1800, PRESENTER_HEATMAP);
    expect(l.width).toBeLessThanOrEqual(1800);
    expect(l.cell).toBeGreaterThanOrEqual(9);
    expect(l.boxes[0].cellHeight).toBeGreaterThanOrEqual(28);
    // Every layer on one screen (1080 px, less the header) at once.
    expect(l.height).toBeLessThanOrEqual(900);
  });

  it('moves a keyboard cursor within a layer and between layers, never off the grid', () => {
    const l = layoutHeatmap(LENET, 1200);
    let at = { box: 0, filter: 0, kernel: 0 };
    expect(moveCursor(l, at, 'ArrowLeft')).toEqual(at);
    expect(moveCursor(l, at, 'ArrowDown')).toEqual(at); // conv1 has one kernel per filter
    at = moveCursor(l, at, 'End')!;
    expect(at.filter).toBe(31);
    at = moveCursor(l, at, 'PageDown')!; // conv2: 32 × 32
    expect(at).toEqual({ box: 1, filter: 31, kernel: 0 });
    at = moveCursor(l, moveCursor(l, at, 'ArrowDown')!, 'ArrowDown')!;
    expect(at.kernel).toBe(2);
    at = moveCursor(l, moveCursor(l, at, 'PageDown')!, 'PageDown')!; // fc1: 64 × 64
    expect(at.box).toBe(3);
    expect(moveCursor(l, { ...at, filter: 63 }, 'ArrowRight')!.filter).toBe(63);
    expect(moveCursor(l, at, 'PageDown')!.box).toBe(3);
    at = moveCursor(l, { box: 3, filter: 50, kernel: 40 }, 'PageUp')!; // into conv3 (64 × 32)
    expect(at).toEqual({ box: 2, filter: 50, kernel: 31 });
    expect(moveCursor(l, at, 'x')).toBeNull();
  });

  it('maps a point back to its kernel', () => {
    const l = layoutHeatmap(LENET, 1200);
    const fc1 = l.boxes[3];
    expect(kernelAt(l, fc1.x + 2.5 * l.cell, fc1.y + 7.5 * l.cell)).toEqual({ layer: 'fc1', filter: 2, kernel: 7 });
    expect(kernelAt(l, -5, -5)).toBeNull();
  });
});
