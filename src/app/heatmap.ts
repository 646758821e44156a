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
  /** A cell's size here: `cell` wide, and taller in a layer of few rows (conv1 has one). */
  cellWidth: number;
  cellHeight: number;
}

export interface HeatmapLayout {
  cell: number;
  /** Type size of the labels above the grids. */
  fontSize: number;
  width: number;
  height: number;
  boxes: LayerBox[];
}

/** Two lines of label above each grid: the layer, then its counts. */
export const LABEL_HEIGHT = 44;
/** The labels' type size (px) on a screen; presenter mode scales the label space with its own. */
export const LABEL_FONT = 16;
/** A grid narrower than its label still reserves the label's width. */
export const MIN_LABEL_WIDTH = 170;
export const GAP = 20;

type LayerShape = { layer: string; filters: number; inChannels: number };

export interface HeatmapOptions {
  maxCell?: number;
  minCellOneLine?: number;
  minCell?: number;
  maxRows?: number;
  /** A grid of few rows is drawn at least this tall, so that conv1 (32×1) is a row of visible cells. */
  minGridHeight?: number;
  /** Type size of the two label lines above each grid (their height and width follow from it). */
  fontSize?: number;
}

/** On a screen: comparable at a glance. */
export const SCREEN_HEATMAP: HeatmapOptions = {};
/** On a phone: as many lines as it takes for cells that can still be seen. */
export const NARROW_HEATMAP: HeatmapOptions = { maxRows: 4, minCellOneLine: 5 };
/** In presenter mode: cells big enough to read from the back of a room. */
export const PRESENTER_HEATMAP: HeatmapOptions = {
  maxCell: 24,
  minCellOneLine: 9,
  maxRows: 3,
  minGridHeight: 28,
  fontSize: 22,
};

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
    minGridHeight = 12,
    fontSize = LABEL_FONT,
  }: HeatmapOptions = {},
): HeatmapLayout {
  const label = {
    height: Math.round((LABEL_HEIGHT * fontSize) / LABEL_FONT),
    width: Math.round((MIN_LABEL_WIDTH * fontSize) / LABEL_FONT),
  };
  const packed = (cell: number) => ({ ...pack(layers, availableWidth, cell, minGridHeight, label), fontSize });
  for (const [rows, smallest] of [
    [1, minCellOneLine],
    [maxRows, minCell],
  ] as const) {
    for (let cell = maxCell; cell >= smallest; cell--) {
      const layout = packed(cell);
      if (layout.rowsUsed <= rows && layout.width <= availableWidth) return strip(layout);
    }
  }
  return strip(packed(minCell));
}

const strip = ({ rowsUsed: _r, ...layout }: HeatmapLayout & { rowsUsed: number }): HeatmapLayout => layout;

function pack(
  layers: readonly LayerShape[],
  width: number,
  cell: number,
  minGridHeight: number,
  label: { height: number; width: number },
): Omit<HeatmapLayout, 'fontSize'> & { rowsUsed: number } {
  const cellHeight = (l: LayerShape) => Math.max(cell, Math.ceil(minGridHeight / l.inChannels));
  const tallest = Math.max(0, ...layers.map((l) => label.height + l.inChannels * cellHeight(l)));
  // 1. Columns: stack a layer under the previous one when it is no wider and the column stays within the tallest grid.
  const columns: { items: { l: LayerShape; dy: number }[]; width: number; height: number }[] = [];
  for (const l of layers) {
    const w = Math.max(label.width, l.filters * cell);
    const h = label.height + l.inChannels * cellHeight(l);
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
        y: top + dy + label.height,
        cols: l.filters,
        rows: l.inChannels,
        width: l.filters * cell,
        height: l.inChannels * cellHeight(l),
        cellWidth: cell,
        cellHeight: cellHeight(l),
      });
    maxWidth = Math.max(maxWidth, x + col.width);
    x += col.width + GAP;
    lineHeight = Math.max(lineHeight, col.height);
  }
  return { cell, width: maxWidth, height: top + lineHeight, boxes, rowsUsed };
}

/** The kernel under a point of the canvas, for the read-out under the mouse. */
export function kernelAt(
  layout: HeatmapLayout,
  px: number,
  py: number,
): { layer: string; filter: number; kernel: number } | null {
  for (const b of layout.boxes) {
    if (px >= b.x && px < b.x + b.width && py >= b.y && py < b.y + b.height) {
      return {
        layer: b.layer,
        filter: Math.floor((px - b.x) / b.cellWidth),
        kernel: Math.floor((py - b.y) / b.cellHeight),
      };
    }
  }
  return null;
}

/** Flag index of (filter, kernel): the bitmap is filter-major (records.ts). */
export const flagIndex = (inChannels: number, filter: number, kernel: number) => filter * inChannels + kernel;

/** Where the keyboard cursor is: a layer (its index in the layout), a filter and a kernel in it. */
export interface KernelCursor {
  box: number;
  filter: number;
  kernel: number;
}

/** The cursor kept on the layout's grids (after a resize or another generation); null without any. */
export function clampCursor(layout: HeatmapLayout, at: KernelCursor): KernelCursor | null {
  if (!layout.boxes.length) return null;
  const i = Math.max(0, Math.min(layout.boxes.length - 1, at.box));
  const b = layout.boxes[i];
  return {
    box: i,
    filter: Math.max(0, Math.min(b.cols - 1, at.filter)),
    kernel: Math.max(0, Math.min(b.rows - 1, at.kernel)),
  };
}

/**
 * Moves the keyboard cursor: arrows within a layer (← → filters, ↑ ↓ kernels), Page Up/Down to
 * the previous/next layer, Home/End to its first/last filter. Null for a key it does not use.
 */
export function moveCursor(layout: HeatmapLayout, at: KernelCursor, key: string): KernelCursor | null {
  const box = layout.boxes[at.box];
  if (!box) return null;
  const to = (c: KernelCursor) => clampCursor(layout, c);
  switch (key) {
    case 'ArrowLeft':
      return to({ ...at, filter: at.filter - 1 });
    case 'ArrowRight':
      return to({ ...at, filter: at.filter + 1 });
    case 'ArrowUp':
      return to({ ...at, kernel: at.kernel - 1 });
    case 'ArrowDown':
      return to({ ...at, kernel: at.kernel + 1 });
    case 'Home':
      return to({ ...at, filter: 0 });
    case 'End':
      return to({ ...at, filter: box.cols - 1 });
    case 'PageUp':
      return to({ ...at, box: at.box - 1 });
    case 'PageDown':
      return to({ ...at, box: at.box + 1 });
    default:
      return null;
  }
}
