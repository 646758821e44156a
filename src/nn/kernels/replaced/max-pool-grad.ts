/**
 * MaxPoolGrad, slow and wrong in tfjs' wasm backend for windows whose inputs are all negative (it
 * starts its maximum at FLT_MIN, the smallest positive float): like the cpu backend, the
 * gradient goes to the first maximum of each window, found as the first input equal to the
 * pooled output; our SIMD window kernel with channels in fours, else a JS loop on the wasm heap.
 */
import * as tf from '@tensorflow/tfjs';
import { poolGeometry, poolGradSimd } from './pool-grad-simd';
import type { HeapBackend } from './shared';

type Backend = tf.KernelBackend;

export function maxPoolGradWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: Backend;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { dy, input, output } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
  if (input.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error('MaxPoolGrad on wasm needs float32 inputs');
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize, H, W, C, OH, OW, sh, sw, fh, fw, top, left } = poolGeometry(info);
  const simd = poolGradSimd(args.backend, info, dy, { input, output });
  if (simd) return simd;
  const heap = args.backend as unknown as HeapBackend;
  const out = heap.makeOutput(input.shape, 'float32');
  const dx = heap.typedArrayFromHeap(out);
  const x = heap.typedArrayFromHeap(input);
  const y = heap.typedArrayFromHeap(output);
  const g = heap.typedArrayFromHeap(dy);
  dx.fill(0);
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const y0 = Math.max(0, oy * sh - top);
      const y1 = Math.min(H, oy * sh - top + fh);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = Math.max(0, ox * sw - left);
        const x1 = Math.min(W, ox * sw - left + fw);
        const o = ((b * OH + oy) * OW + ox) * C;
        for (let c = 0; c < C; c++) {
          // The pooled value is one of the window's inputs: its first occurrence in row-major
          // order is the cpu backend's first maximum (a NaN window matches nothing, like cpu).
          const m = y[o + c];
          search: for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0, i = ((b * H + iy) * W + x0) * C + c; ix < x1; ix++, i += C) {
              if (x[i] === m) {
                dx[i] += g[o + c];
                break search;
              }
            }
          }
        }
      }
    }
  }
  return out;
}
