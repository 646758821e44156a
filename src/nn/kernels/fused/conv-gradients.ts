/**
 * What the fused conv + bias + ReLU layers (conv-bias-relu.ts, conv-bias-relu-avg-pool.ts) share
 * on tfjs' wasm backend: where they apply, and their backward pass from the gradient at the
 * ReLU's input: one pass for that gradient and the bias gradient's per-image sums, then the two
 * convolution gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { columnSums, HeapScratch, simdKernelsOf } from '../wasm-heap';
import { winogradApplies } from '../winograd-conv';

/** A stride-1 'same' convolution's attributes, as the fused ops here run it. */
export const SAME_CONV = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 } as const;

/** Whether the fused conv layers take these on `backend`: our SIMD kernels, a convolution Winograd takes. */
export function convReluApplies(x: tf.TensorInfo, filter: tf.TensorInfo, backend: tf.KernelBackend): boolean {
  if (simdKernelsOf(backend) === null || x.shape.length !== 4 || filter.shape.length !== 4) return false;
  const shape4 = (s: number[]) => s as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(shape4(x.shape), shape4(filter.shape), 1, 1, 'same');
  return winogradApplies(info, x.dtype);
}

/**
 * A gradient g shaped like y and its bias gradient db: `write` fills g and per-image partial sums
 * of g (one kernel pass), which are then added over the images in float64.
 */
export function gradientAndBias(
  backend: tf.KernelBackend,
  y: tf.TensorInfo,
  write: (heap: HeapScratch, g: number, sums: number) => void,
): [tf.TensorInfo, tf.TensorInfo] {
  const [B, , , K] = y.shape;
  const heap = new HeapScratch(backend);
  try {
    const g = heap.alloc(y.shape);
    const sums = heap.alloc([B, K]);
    const db = heap.alloc([K]);
    write(heap, heap.address(g), heap.address(sums));
    columnSums(heap, sums, B, K, db); // db = Σ over the images
    return heap.finish([g, db]) as [tf.TensorInfo, tf.TensorInfo];
  } catch (e) {
    heap.abort();
    throw e;
  }
}

/**
 * [dx, dw, db] of conv2d(x, w, 1, 'same') + b, from the gradient g at the sum and its bias
 * gradient db (both made for this call: freed or returned here).
 */
export function convGradients(
  backend: tf.KernelBackend,
  [g, db]: [tf.TensorInfo, tf.TensorInfo],
  x: tf.TensorInfo,
  w: tf.TensorInfo,
): tf.TensorInfo[] {
  const heap = new HeapScratch(backend);
  heap.adopt(g);
  heap.adopt(db);
  try {
    const dx = heap.run(tf.Conv2DBackpropInput, { dy: g, filter: w }, { ...SAME_CONV, inputShape: x.shape });
    const dw = heap.run(tf.Conv2DBackpropFilter, { x, dy: g }, { ...SAME_CONV, filterShape: w.shape });
    return heap.finish([dx, dw, db]);
  } catch (e) {
    heap.abort();
    throw e;
  }
}
