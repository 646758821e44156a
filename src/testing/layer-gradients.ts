/** For the fused conv layers' tests: a layer's output and gradients on a backend. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { random } from './numeric';
import { ConvBiasRelu, convBiasRelu } from '../nn/kernels/fused/conv-bias-relu';
import { fusedKernelApplies } from '../nn/kernels/fused/fused-kernel';

export type Shape4 = [number, number, number, number];

export type Layer = (x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D) => tf.Tensor;

/**
 * A layer's output and its gradients for a random upstream gradient: for x, w and b, or for w and b
 * only where the layer is a network's first (its input needs no gradient).
 */
export function gradients(
  backend: 'cpu' | 'wasm',
  xs: Shape4,
  ws: Shape4,
  seed: number,
  f: Layer,
  { weightScale = 0.2, inputGradient = true } = {},
) {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(
      random(
        xs.reduce((a, b) => a * b),
        seed,
      ),
      xs,
    );
    const w = tf.tensor4d(
      random(
        ws.reduce((a, b) => a * b),
        seed + 1,
        weightScale,
      ),
      ws,
    );
    // Biases around zero, so that ReLU cuts some outputs and keeps others.
    const b = tf.tensor1d(random(ws[3], seed + 2, 0.5));
    const g = (xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) =>
      f(xv as tf.Tensor4D, wv as tf.Tensor4D, bv as tf.Tensor1D);
    const y = g(x, w, b);
    const dy = tf.tensor(random(y.size, seed + 3), y.shape);
    const loss = (xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) => tf.sum(tf.mul(g(xv, wv, bv), dy));
    const [dw, db] = tf.grads((wv: tf.Tensor, bv: tf.Tensor) => loss(x, wv, bv))([w, b]);
    // Empty where not asked for: the first layer's fused kernels compute no input gradient.
    const dx = inputGradient
      ? tf
          .grad((xv: tf.Tensor) => loss(xv, w, b))(x)
          .dataSync()
      : new Float32Array(0);
    return { y: y.dataSync(), shape: y.shape, dx, dw: dw.dataSync(), db: db.dataSync() };
  });
}

/** Throws unless the fused kernel `name` takes x and w on the active backend (the test would else compare tfjs with itself). */
export function expectFused(name: string, x: tf.Tensor, w: tf.Tensor, attrs: tf.NamedAttrMap = {}): void {
  if (!fusedKernelApplies(name, { x, filter: w }, attrs)) throw new Error(`${name} did not apply`);
}

export const cpuConvRelu: Layer = (x, w, b) => tf.relu(tf.add(tf.conv2d(x, w, 1, 'same'), b));
export const fusedConvRelu: Layer = (x, w, b) => {
  expectFused(ConvBiasRelu, x, w);
  return convBiasRelu(x, w, b);
};
