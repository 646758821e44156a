/** The pooling gradients' SIMD path, shared by MaxPoolGrad and AvgPoolGrad. */
import * as tf from '@tensorflow/tfjs';
import { HeapScratch, simdKernelsOf } from '../wasm-heap';

type Backend = tf.KernelBackend;

/** A pooling's sizes under the short names the gradient loops use. */
export function poolGeometry(info: tf.backend_util.Conv2DInfo) {
  return {
    batchSize: info.batchSize,
    H: info.inHeight,
    W: info.inWidth,
    C: info.inChannels,
    OH: info.outHeight,
    OW: info.outWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    fh: info.effectiveFilterHeight,
    fw: info.effectiveFilterWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}

/**
 * Both pooling gradients with our SIMD window kernels, four channels per instruction (C a
 * multiple of 4), or null where they cannot run. Max: per lane, dy goes to the window's first
 * input equal to the pooled output (the cpu backend's first maximum). Average: every input of
 * the window gets dy / (fh·fw).
 */
export function poolGradSimd(
  backend: Backend,
  info: tf.backend_util.Conv2DInfo,
  dy: tf.TensorInfo,
  max?: { input: tf.TensorInfo; output: tf.TensorInfo },
): tf.TensorInfo | null {
  const { batchSize, H, W, C, OH, OW, sh, sw, fh, fw, top, left } = poolGeometry(info);
  const simd = C % 4 === 0 ? simdKernelsOf(backend) : null;
  if (!simd) return null;
  const heap = new HeapScratch(backend);
  try {
    const out = heap.alloc([batchSize, H, W, C]);
    // One table of input offsets per clipped window size (rows × cols), row-major.
    const tables = heap.alloc([fh * fw * fh * fw], 'int32');
    const tableAt = (rows: number, cols: number) => heap.address(tables) + 4 * ((rows - 1) * fw + (cols - 1)) * fh * fw;
    const i32 = heap.i32();
    for (let rows = 1; rows <= fh; rows++) {
      for (let cols = 1; cols <= fw; cols++) {
        const offsets = Array.from({ length: rows * cols }, (_, e) => (Math.floor(e / cols) * W + (e % cols)) * C * 4);
        i32.set(offsets, tableAt(rows, cols) / 4);
      }
    }
    const dxAt = heap.address(out);
    heap.fill(out, 0);
    const dyAt = heap.address(dy);
    const xAt = max ? heap.address(max.input) : 0;
    const yAt = max ? heap.address(max.output) : 0;
    const weight = 1 / (info.filterHeight * info.filterWidth);
    for (let b = 0; b < batchSize; b++) {
      for (let oy = 0; oy < OH; oy++) {
        const y0 = Math.max(0, oy * sh - top);
        const rows = Math.min(H, oy * sh - top + fh) - y0;
        for (let ox = 0; ox < OW; ox++) {
          const x0 = Math.max(0, ox * sw - left);
          const cols = Math.min(W, ox * sw - left + fw) - x0;
          if (rows <= 0 || cols <= 0) continue;
          const origin = ((b * H + y0) * W + x0) * C * 4;
          const o = ((b * OH + oy) * OW + ox) * C * 4;
          if (max)
            simd.maxPoolGradWindow(
              xAt + origin,
              yAt + o,
              dyAt + o,
              dxAt + origin,
              tableAt(rows, cols),
              rows * cols,
              C * 4,
            );
          else simd.avgPoolGradWindow(dyAt + o, dxAt + origin, tableAt(rows, cols), rows * cols, C * 4, weight);
        }
      }
    }
    return heap.finish(out);
  } catch (e) {
    heap.abort();
    throw e;
  }
}
