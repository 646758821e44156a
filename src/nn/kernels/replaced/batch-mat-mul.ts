import * as tf from '@tensorflow/tfjs';
import { HeapScratch } from '../wasm-heap';

/** A transposed 2D operand is transposed explicitly so that the product takes XNNPACK's path. */
export function makeBatchMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const single = (t: tf.TensorInfo) => t.shape.slice(0, -2).every((d) => d === 1) && t.dtype === 'float32';
    if ((!transposeA && !transposeB) || !single(a) || !single(b)) return original(args);
    const heap = new HeapScratch(args.backend as tf.KernelBackend);
    try {
      const swap = (t: tf.TensorInfo) => {
        const perm = t.shape.map((_, i) => i);
        const r = perm.length;
        [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
        return heap.run('Transpose', { x: t }, { perm });
      };
      const out = original({
        ...args,
        inputs: { a: transposeA ? swap(a) : a, b: transposeB ? swap(b) : b },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      }) as tf.TensorInfo;
      return heap.finish(out);
    } catch (e) {
      heap.abort();
      throw e;
    }
  };
}
