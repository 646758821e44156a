/**
 * AvgPoolGrad, a slow scalar loop in tfjs' wasm backend: a scatter (SIMD, else JS) with the cpu
 * backend's (and wasm's) constant 1/(window area) weight.
 */
import * as tf from '@tensorflow/tfjs';
import { poolGeometry, poolGradSimd } from './pool-grad-simd';
import type { HeapBackend } from './shared';

type Backend = tf.KernelBackend;

/**
 * dx = Σ over the windows covering each input of dy / (fh·fw), as the cpu backend computes it.
 * The window loop is written out here and in MaxPoolGrad on purpose: one shared visitor callback
 * made them 37 % and 9 % slower (bench/kernels.ts).
 */
export function avgPoolGradWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: Backend;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad } = args.attrs as unknown as tf.AvgPoolGradAttrs;
  if (dy.dtype !== 'float32') throw new Error('AvgPoolGrad on wasm needs float32 inputs');
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
  );
  const { batchSize, H, W, C, OH, OW, sh, sw, fh, fw, top, left } = poolGeometry(info);
  const weight = 1 / (info.filterHeight * info.filterWidth);
  const simd = poolGradSimd(args.backend, info, dy);
  if (simd) return simd;
  const heap = args.backend as unknown as HeapBackend;
  const out = heap.makeOutput(input.shape, 'float32');
  const dx = heap.typedArrayFromHeap(out);
  const g = heap.typedArrayFromHeap(dy);
  dx.fill(0);
  const scaled = new Float32Array(C);
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const y0 = Math.max(0, oy * sh - top);
      const y1 = Math.min(H, oy * sh - top + fh);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = Math.max(0, ox * sw - left);
        const x1 = Math.min(W, ox * sw - left + fw);
        const o = ((b * OH + oy) * OW + ox) * C;
        for (let c = 0; c < C; c++) scaled[c] = g[o + c] * weight;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const i = ((b * H + iy) * W + ix) * C;
            for (let c = 0; c < C; c++) dx[i + c] += scaled[c];
          }
        }
      }
    }
  }
  return out;
}
