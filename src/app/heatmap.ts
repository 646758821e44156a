/**
 * Kernel-mask heatmaps: which kernel of which filter is alive, dead, or died in this generation,
 * and where each layer's grid goes on the canvas. Pure maths, drawn by Heatmaps.tsx.
 *
 * Each layer is a grid with one column per filter (cluster) and one row per kernel (input
 * channel); fc1 is 64 filters × 64 kernels of 4×4 (ALGORITHM.md §3).
 */
import type { KernelMaskSummary, NetworkRecord } from '../experiment/records';
import { hexToFlags } from '../experiment/kernel-masks';

export const DEAD = 0;
export const ALIVE = 1;
/** Alive in a parent (or one of the parents), dead in this network. */
export const DIED = 2;

export function aliveFlags(mask: KernelMaskSummary): Uint8Array {
  return hexToFlags(mask.aliveHex, mask.filters * mask.inChannels);
}

/** Per kernel: ALIVE, DEAD, or DIED (alive in any parent of the previous generation). */
export function kernelStates(mask: KernelMaskSummary, parentMasks: readonly KernelMaskSummary[]): Uint8Array {
  const states = aliveFlags(mask);
  const parents = parentMasks
    .filter((p) => p.filters === mask.filters && p.inChannels === mask.inChannels)
    .map(aliveFlags);
  for (let k = 0; k < states.length; k++) if (!states[k] && parents.some((p) => p[k])) states[k] = DIED;
  return states;
}

export function countStates(states: Uint8Array): { alive: number; dead: number; died: number } {
  let alive = 0;
  let died = 0;
  for (const s of states) {
    if (s === ALIVE) alive++;
    else if (s === DIED) died++;
  }
  return { alive, died, dead: states.length - alive - died };
}

/** The records of a network's parents, found among the previous generation's records. */
export function parentRecords(record: NetworkRecord, all: readonly NetworkRecord[]): NetworkRecord[] {
  if (record.generation <= 1) return [];
  const previous = all.filter((r) => r.generation === record.generation - 1);
  return record.parents.map((i) => previous.find((r) => r.individual === i)).filter((r): r is NetworkRecord => !!r);
}

export interface LayerBox {
  layer: string;
  /** Top-left of the grid (below its label), in CSS pixels. */
  x: number;
  y: number;
  cols: number;
  rows: number;
  width: number;
  height: number;
}

export interface HeatmapLayout {
  cell: number;
  width: number;
  height: number;
  boxes: LayerBox[];
}

/** Two lines of label above each grid: the layer, then its counts. */
export const LABEL_HEIGHT = 44;
/** A grid narrower than its label still reserves the label's width. */
export const MIN_LABEL_WIDTH = 170;
export const GAP = 20;

type LayerShape = { layer: string; filters: number; inChannels: number };

/**
 * Places the layer grids in columns (a narrow, short layer such as conv1 stacks above the next
 * one when it fits under the tallest grid), and the columns left to right, wrapping to a new
 * line when the width runs out. Picks the largest cell size (≤ maxCell) that fits on one line
 * with cells of at least `minCellOneLine` px, else on up to `maxRows` lines: big cells read on a
 * projector, one line keeps the runs comparable at a glance.
 */
export function layoutHeatmap(
  layers: readonly LayerShape[],
  availableWidth: number,
  {
    maxCell = 14,
    minCellOneLine = 5,
    minCell = 2,
    maxRows = 2,
  }: { maxCell?: number; minCellOneLine?: number; minCell?: number; maxRows?: number } = {},
): HeatmapLayout {
  for (const [rows, smallest] of [
    [1, minCellOneLine],
    [maxRows, minCell],
  ] as const) {
    for (let cell = maxCell; cell >= smallest; cell--) {
      const layout = pack(layers, availableWidth, cell);
      if (layout.rowsUsed <= rows && layout.width <= availableWidth) return strip(layout);
    }
  }
  return strip(pack(layers, availableWidth, minCell));
}

const strip = ({ rowsUsed: _r, ...layout }: HeatmapLayout & { rowsUsed: number }): HeatmapLayout => layout;

function pack(layers: readonly LayerShape[], width: number, cell: number): HeatmapLayout & { rowsUsed: number } {
  const tallest = Math.max(0, ...layers.map((l) => LABEL_HEIGHT + l.inChannels * cell));
  // 1. Columns: stack a layer under the previous one when it is no wider and the column stays within the tallest grid.
  const columns: { items: { l: LayerShape; dy: number }[]; width: number; height: number }[] = [];
  for (const l of layers) {
    const w = Math.max(MIN_LABEL_WIDTH, l.filters * cell);
    const h = LABEL_HEIGHT + l.inChannels * cell;
    const col = columns[columns.length - 1];
    if (col && w <= col.width && col.height + GAP / 2 + h <= tallest) {
      col.items.push({ l, dy: col.height + GAP / 2 });
      col.height += GAP / 2 + h;
    } else columns.push({ items: [{ l, dy: 0 }], width: w, height: h });
  }
  // 2. Lines of columns, wrapping at the available width.
  const boxes: LayerBox[] = [];
  let x = 0;
  let top = 0;
  let lineHeight = 0;
  let rowsUsed = columns.length ? 1 : 0;
  let maxWidth = 0;
  for (const col of columns) {
    if (x > 0 && x + col.width > width) {
      top += lineHeight + GAP;
      x = 0;
      lineHeight = 0;
      rowsUsed++;
    }
    for (const { l, dy } of col.items)
      boxes.push({
        layer: l.layer,
        x,
        y: top + dy + LABEL_HEIGHT,
        cols: l.filters,
        rows: l.inChannels,
        width: l.filters * cell,
        height: l.inChannels * cell,
      });
    maxWidth = Math.max(maxWidth, x + col.width);
    x += col.width + GAP;
    lineHeight = Math.max(lineHeight, col.height);
  }
  return { cell, width: maxWidth, height: top + lineHeight, boxes, rowsUsed };
}

/** The kernel under a point of the canvas, for the hover read-out. */
export function kernelAt(
  layout: HeatmapLayout,
  px: number,
  py: number,
): { layer: string; filter: number; kernel: number } | null {
  for (const b of layout.boxes) {
    if (px >= b.x && px < b.x + b.width && py >= b.y && py < b.y + b.height) {
      return {
        layer: b.layer,
        filter: Math.floor((px - b.x) / layout.cell),
        kernel: Math.floor((py - b.y) / layout.cell),
      };
    }
  }
  return null;
}

/** Flag index of (filter, kernel): the bitmap is filter-major (records.ts). */
export const flagIndex = (inChannels: number, filter: number, kernel: number) => filter * inChannels + kernel;
