/**
 * Genome (filter-major, [f][c][ky][kx]) ↔ tfjs layouts, optionally restricted to kept filters
 * and kept input channels (compaction).
 *
 * A conv kernel in tfjs is [kh][kw][inC][outC]. fc1's dense kernel [kh·kw·inC][outC] takes the
 * NHWC flatten of the 4×4×64 map, whose index is (ky·kw + kx)·inC + c: the same numbers as a
 * conv kernel of the same shape, so one conversion serves both.
 */
import type { LayerGenes } from '../../evolution/genome';
import { liveFilters } from '../../evolution/metrics';

/**
 * Which filters of each evolved layer the tfjs network holds. `out[l]` lists kept filters of
 * layer l in ascending order; the kept input channels of layer l are `out[l-1]` (all input
 * channels for l = 0).
 */
export interface Keep {
  out: Int32Array[];
}

export const range = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

/** Does filter f of `layer` have a live synapse reading input channel c? */
function reads(layer: LayerGenes, f: number, c: number): boolean {
  const { inChannels, kernelH, kernelW } = layer.spec;
  const k = kernelH * kernelW;
  const start = (f * inChannels + c) * k;
  for (let i = start; i < start + k; i++) if (layer.mask[i]) return true;
  return false;
}

/**
 * Filters that can change the output. A filter with no live synapse outputs exactly 0 (its
 * bias is held at 0), so dropping it and the next layer's reads of it is exact. A live filter
 * that no kept filter of the next layer reads gets zero gradients, so dropping it is exact too
 * (its genes are carried over unchanged). At least one filter per layer is kept so that every
 * tensor has a non-zero size.
 *
 * With `multiple` > 1 each layer then takes dropped filters back (dead ones first, then by
 * index) until its count is a multiple of it or the whole layer: the wasm SIMD kernels work on
 * channels in fours. Keeping a droppable filter is exact for the same reasons.
 */
export function compactKeep(layers: readonly LayerGenes[], multiple = 1): Keep {
  const live = layers.map((l) => liveFilters(l));
  const keep = live.map((k) => k.slice());
  for (let l = layers.length - 2; l >= 0; l--) {
    const next = layers[l + 1];
    for (let c = 0; c < layers[l].spec.filters; c++) {
      if (!keep[l][c]) continue;
      let used = false;
      for (let f = 0; f < next.spec.filters && !used; f++) used = keep[l + 1][f] === 1 && reads(next, f, c);
      if (!used) keep[l][c] = 0;
    }
  }
  return {
    out: keep.map((k, l) => {
      const kept = Array.from(k).flatMap((v, i) => (v ? [i] : []));
      const want = Math.min(k.length, Math.ceil(Math.max(kept.length, 1) / multiple) * multiple);
      const dropped = Array.from(k)
        .flatMap((v, i) => (v ? [] : [i]))
        .sort((a, b) => live[l][a] - live[l][b] || a - b);
      const idx = [...kept, ...dropped.slice(0, want - kept.length)].sort((a, b) => a - b);
      return Int32Array.from(idx);
    }),
  };
}

export function fullKeep(layers: readonly LayerGenes[]): Keep {
  return { out: layers.map((l) => range(l.spec.filters)) };
}

/** Genome values → tfjs [kh][kw][|inIdx|][|outIdx|]. */
export function toTfKernel<T extends Float32Array | Uint8Array>(
  layer: LayerGenes,
  src: T,
  inIdx: Int32Array,
  outIdx: Int32Array,
  make: (n: number) => T,
): T {
  const { inChannels, kernelH, kernelW } = layer.spec;
  const ni = inIdx.length;
  const no = outIdx.length;
  const dst = make(kernelH * kernelW * ni * no);
  for (let o = 0; o < no; o++) {
    const f = outIdx[o];
    for (let i = 0; i < ni; i++) {
      const c = inIdx[i];
      const base = (f * inChannels + c) * kernelH * kernelW;
      for (let y = 0; y < kernelH; y++) {
        for (let x = 0; x < kernelW; x++) {
          dst[((y * kernelW + x) * ni + i) * no + o] = src[base + y * kernelW + x];
        }
      }
    }
  }
  return dst;
}

/**
 * tfjs kernel values → genome weights, in place at the kept positions. Masked synapses are
 * written as +0 whatever the tensor holds (a masked product may be −0).
 */
export function fromTfKernel(
  layer: LayerGenes,
  tfValues: ArrayLike<number>,
  inIdx: Int32Array,
  outIdx: Int32Array,
): void {
  const { inChannels, kernelH, kernelW } = layer.spec;
  const ni = inIdx.length;
  const no = outIdx.length;
  if (tfValues.length !== kernelH * kernelW * ni * no) {
    throw new Error(`${layer.spec.name}: ${tfValues.length} values for a ${kernelH}×${kernelW}×${ni}×${no} kernel`);
  }
  for (let o = 0; o < no; o++) {
    const f = outIdx[o];
    for (let i = 0; i < ni; i++) {
      const base = (f * inChannels + inIdx[i]) * kernelH * kernelW;
      for (let y = 0; y < kernelH; y++) {
        for (let x = 0; x < kernelW; x++) {
          const g = base + y * kernelW + x;
          layer.weights[g] = layer.mask[g] ? tfValues[((y * kernelW + x) * ni + i) * no + o] : 0;
        }
      }
    }
  }
}

export function gather(src: Float32Array, idx: Int32Array): Float32Array {
  return Float32Array.from(idx, (i) => src[i]);
}

/** Rows `rowIdx` of a row-major [rows][cols] matrix. */
export function gatherRows(src: Float32Array, cols: number, rowIdx: Int32Array): Float32Array {
  const dst = new Float32Array(rowIdx.length * cols);
  rowIdx.forEach((r, i) => dst.set(src.subarray(r * cols, (r + 1) * cols), i * cols));
  return dst;
}

export function scatterRows(dst: Float32Array, cols: number, rowIdx: Int32Array, values: ArrayLike<number>): void {
  rowIdx.forEach((r, i) => {
    for (let j = 0; j < cols; j++) dst[r * cols + j] = values[i * cols + j];
  });
}
