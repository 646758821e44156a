import * as tf from '@tensorflow/tfjs';
import type { HeapBackend } from './shared';

/** Sum over leading axes (a bias gradient: [B,H,W,C] → [C]) without wasm's transpose. */
export function makeSum(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return original(args);
    const inner = tf.util.sizeFromShape(x.shape.slice(axes.length));
    const outer = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
    const heap = args.backend as unknown as HeapBackend;
    const shape = keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
    const out = heap.makeOutput(shape, 'float32');
    const dst = heap.typedArrayFromHeap(out);
    const src = heap.typedArrayFromHeap(x);
    if (inner === 1) {
      let acc = 0;
      for (let i = 0; i < outer; i++) acc += src[i];
      dst[0] = acc;
    } else {
      const acc = new Float64Array(inner);
      let r = 0;
      // Four rows per pass: a quarter of the accumulator traffic.
      for (; r + 4 <= outer; r += 4) {
        const b = r * inner;
        for (let c = 0; c < inner; c++)
          acc[c] += src[b + c] + src[b + inner + c] + src[b + 2 * inner + c] + src[b + 3 * inner + c];
      }
      for (; r < outer; r++) for (let c = 0; c < inner; c++) acc[c] += src[r * inner + c];
      dst.set(acc);
    }
    return out;
  };
}
