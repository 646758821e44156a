import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { relErr } from '../../../testing/numeric';
import { registerWasmTrainingKernels } from '../register';
import { ConvBiasRelu, convBiasRelu, ConvBiasReluGrad } from './conv-bias-relu';
import { convReluApplies } from './conv-gradients';
import { fusedKernelApplies } from './fused-kernel';
import { cpuConvRelu, fusedConvRelu, gradients, type Shape4 } from '../../../testing/layer-gradients';

/** relu(conv + b): the fused op on wasm, tfjs' ops on cpu. */
const layer = (backend: 'cpu' | 'wasm', xs: Shape4, ws: Shape4, seed: number) =>
  gradients(backend, xs, ws, seed, backend === 'cpu' ? cpuConvRelu : fusedConvRelu);

describe('the fused conv + bias + ReLU layer on wasm equals the unfused ops on cpu', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  for (const [name, xs, ws] of [
    ["LeNet's conv2 (14×14, 32 → 32)", [4, 14, 14, 32], [5, 5, 32, 32]],
    ['a compacted conv3 (7×7: edge tiles, 12 → 20)', [3, 7, 7, 12], [5, 5, 12, 20]],
  ] as Array<[string, Shape4, Shape4]>) {
    it(name, () => {
      const cpu = layer('cpu', xs, ws, 20);
      const wasm = layer('wasm', xs, ws, 20);
      expect(cpu.y.some((v) => v === 0) && cpu.y.some((v) => v > 0)).toBe(true);
      for (const k of ['y', 'dx', 'dw', 'db'] as const) expect(relErr(wasm[k], cpu[k]), k).toBeLessThan(2e-5);
    });
  }

  it('a hand-computed case: a 1×1 filter', () => {
    tf.setBackend('wasm');
    // Winograd needs 5×5 filters: a 5×5 filter with only its centre tap set is a 1×1 filter.
    const center = new Float32Array(25 * 4 * 4);
    for (let c = 0; c < 4; c++) center[(12 * 4 + c) * 4 + c] = 2; // y[k] = 2·x[k] + b[k]
    const x = tf.tensor4d([1, -1, 3, 0.5], [1, 1, 1, 4]);
    const w = tf.tensor4d(center, [5, 5, 4, 4]);
    const b = tf.tensor1d([0, 1, -7, 0]);
    const f = (xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) =>
      fusedConvRelu(xv as tf.Tensor4D, wv as tf.Tensor4D, bv as tf.Tensor1D);
    // Winograd's transforms round: equal to float32 precision, not bit for bit.
    const close = (actual: tf.Tensor, expected: number[]) =>
      Array.from(actual.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    close(f(x, w, b), [2, 0, 0, 1]);
    const [dx, , db] = tf.grads((xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) => tf.sum(f(xv, wv, bv)))([x, w, b]);
    // Only the live outputs (k = 0 and 3) pass their gradient: dx = 2, db = 1 there.
    close(dx, [2, 0, 0, 2]);
    expect(Array.from(db.dataSync())).toEqual([1, 0, 0, 1]);
    tf.dispose([x, w, b, dx, db]);
  });

  it('runs on wasm as one kernel, and its gradient as one', async () => {
    tf.setBackend('wasm');
    const [x, w, b] = [tf.randomNormal([2, 8, 8, 4]), tf.randomNormal([5, 5, 4, 8]), tf.zeros([8])].map((t) =>
      tf.variable(t),
    );
    const layer = () => convBiasRelu(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D);
    const profile = await tf.profile(() => tf.dispose(Object.values(tf.variableGrads(() => tf.sum(layer())).grads)));
    const names = profile.kernels.map((k) => k.name);
    expect(names.filter((n) => n === ConvBiasRelu)).toHaveLength(1);
    expect(names.filter((n) => n === ConvBiasReluGrad)).toHaveLength(1);
    expect(names.filter((n) => /Conv2D|Relu|Step/.test(n) && !n.startsWith('EvoLab'))).toEqual([]);
    tf.dispose([x, w, b]);
  });

  it("applies on wasm to convolutions Winograd takes only; tfjs' fused conv elsewhere", async () => {
    tf.setBackend('wasm');
    const t = (shape: Shape4) => tf.zeros(shape) as tf.Tensor4D;
    const backend = tf.backend();
    expect(convReluApplies(t([1, 8, 8, 12]), t([5, 5, 12, 20]), backend)).toBe(true);
    expect(convReluApplies(t([1, 8, 8, 10]), t([5, 5, 10, 20]), backend)).toBe(false);
    expect(convReluApplies(t([1, 8, 8, 12]), t([3, 3, 12, 20]), backend)).toBe(false);
    expect(fusedKernelApplies(ConvBiasRelu, { x: t([1, 8, 8, 12]), filter: t([5, 5, 12, 20]) }, {})).toBe(true);
    await tf.setBackend('cpu');
    expect(fusedKernelApplies(ConvBiasRelu, { x: t([1, 8, 8, 12]), filter: t([5, 5, 12, 20]) }, {})).toBe(false);
    const [x, w, b] = [tf.randomNormal([1, 8, 8, 4]), tf.randomNormal([5, 5, 4, 4]), tf.randomNormal([4])];
    const [x4, w4, b1] = [x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D];
    const reference = tf.fused.conv2d({ x: x4, filter: w4, strides: 1, pad: 'same', bias: b1, activation: 'relu' });
    expect(Array.from(convBiasRelu(x4, w4, b1).dataSync())).toEqual(Array.from(reference.dataSync()));
    await tf.setBackend('wasm');
  });
});
