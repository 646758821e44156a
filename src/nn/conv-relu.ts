/**
 * relu(conv2d(x, w, 1, 'same') + b) with its gradients as one op on tfjs' wasm backend, where the
 * convolution takes the Winograd path (conv2 and conv3). tfjs unfuses its fused conv while
 * recording gradients: conv, bias add, ReLU forward, and step, multiply, sum backward, each a
 * kernel call and a full pass over the activations. Here the forward is the fused kernel (bias
 * and ReLU applied as output tiles are stored), and the backward one pass for ReLU's gradient
 * and the bias gradient, then the two convolution gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { HeapScratch, simdKernelsOf } from './wasm-heap';
import { winogradApplies } from './winograd-conv';

/** Whether the fused op runs here: wasm with our SIMD kernels, a convolution Winograd takes. */
export function convReluApplies(x: tf.Tensor4D, filter: tf.Tensor4D): boolean {
  if (tf.getBackend() !== 'wasm' || simdKernelsOf(tf.backend()) === null) return false;
  const info = tf.backend_util.computeConv2DInfo(x.shape, filter.shape, 1, 1, 'same');
  return winogradApplies(info, x.dtype);
}

/** g = dy where y > 0, and db = Σ g over all but the channel axis (partial sums per image, added in float64). */
function reluAndBiasGradients(backend: tf.KernelBackend, dy: tf.TensorInfo, y: tf.TensorInfo): [tf.TensorInfo, tf.TensorInfo] {
  const simd = simdKernelsOf(backend)!;
  const [B, H, W, K] = y.shape;
  const heap = new HeapScratch(backend);
  try {
    const g = heap.alloc(y.shape);
    const sums = heap.alloc([B, K]);
    const db = heap.alloc([K]);
    simd.reluGradSums(heap.address(dy), heap.address(y), heap.address(g), heap.address(sums), B, H * W, K / 4);
    const f32 = heap.f32();
    const s0 = heap.address(sums) / 4;
    const d0 = heap.address(db) / 4;
    for (let k = 0; k < K; k++) {
      let total = 0;
      for (let b = 0; b < B; b++) total += f32[s0 + b * K + k];
      f32[d0 + k] = total;
    }
    return heap.finish([g, db]) as [tf.TensorInfo, tf.TensorInfo];
  } catch (e) {
    heap.abort();
    throw e;
  }
}

/** relu(conv2d(x, filter, 1, 'same') + bias) with gradients for all three, where convReluApplies; else null. */
export function convBiasRelu(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D): tf.Tensor4D | null {
  if (!convReluApplies(x, filter)) return null;
  const conv = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 } as const;
  const attrs = (extra: tf.NamedAttrMap) => ({ ...conv, ...extra }) as unknown as tf.NamedAttrMap;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xs, w, b, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.GradSaveFunc];
    const y = tf.engine().runKernel(tf.FusedConv2D, { x: xs, filter: w, bias: b }, attrs({ activation: 'relu' })) as tf.Tensor4D;
    save([xs, w, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xSaved, wSaved, ySaved] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        const [g, db] = reluAndBiasGradients(tf.backend(), dy, ySaved).map((t) => tf.engine().makeTensorFromTensorInfo(t));
        const dx = tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: g, filter: wSaved }, attrs({ inputShape: xSaved.shape })) as tf.Tensor;
        const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: xSaved, dy: g }, attrs({ filterShape: wSaved.shape })) as tf.Tensor;
        return [dx, dw, db];
      },
    };
  });
  return op(x, filter, bias) as tf.Tensor4D;
}
