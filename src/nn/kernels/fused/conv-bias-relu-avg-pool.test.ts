import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { relErr } from '../../../testing/numeric';
import { registerWasmTrainingKernels } from '../register';
import { ConvBiasReluAvgPool, convBiasReluAvgPool, ConvBiasReluAvgPoolGrad } from './conv-bias-relu-avg-pool';
import { fusedKernelApplies } from './fused-kernel';
import {
  cpuConvRelu,
  expectFused,
  fusedConvRelu,
  gradients,
  type Layer,
  type Shape4,
} from '../../../testing/layer-gradients';

/** avgPool(relu(conv + b)): fused, or as the separate ops (on wasm: our fused conv, then tfjs' pool). */
function pooledLayer(backend: 'cpu' | 'wasm', fused: boolean, xs: Shape4, ws: Shape4, pool: number, seed: number) {
  const separate: Layer = (x, w, b) =>
    tf.avgPool((backend === 'cpu' ? cpuConvRelu : fusedConvRelu)(x, w, b) as tf.Tensor4D, pool, 2, 'same');
  return gradients(
    backend,
    xs,
    ws,
    seed,
    fused
      ? (x, w, b) => {
          expectFused(ConvBiasReluAvgPool, x, w, { poolSize: pool, poolStride: 2 });
          return convBiasReluAvgPool(x, w, b, pool, 2);
        }
      : separate,
  );
}

describe('conv + bias + ReLU + average pooling as one op on wasm', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  for (const [name, xs, ws, pool] of [
    ["a 10× network's conv2 (14×14, 12 → 12, pool 3 stride 2)", [4, 14, 14, 12], [5, 5, 12, 12], 3],
    ['conv3 (7×7, 12 → 20, pool 3 stride 2: clipped windows at the edge)', [3, 7, 7, 12], [5, 5, 12, 20], 3],
    ['pool 2 stride 2 (one window per pixel)', [2, 8, 6, 4], [5, 5, 4, 8], 2],
  ] as Array<[string, Shape4, Shape4, number]>) {
    it(`${name}: bit for bit the separate ops on wasm, and the cpu backend's to float32 precision`, () => {
      const fused = pooledLayer('wasm', true, xs, ws, pool, 30);
      const separate = pooledLayer('wasm', false, xs, ws, pool, 30);
      const cpu = pooledLayer('cpu', false, xs, ws, pool, 30);
      for (const k of ['y', 'dx', 'dw', 'db'] as const) {
        expect(Array.from(fused[k]), k).toEqual(Array.from(separate[k]));
        expect(relErr(fused[k], cpu[k]), k).toBeLessThan(2e-5);
      }
    });
  }

  it('runs on wasm as one kernel, and its gradient as one', async () => {
    tf.setBackend('wasm');
    const [x, w, b] = [tf.randomNormal([2, 8, 8, 4]), tf.randomNormal([5, 5, 4, 8]), tf.zeros([8])].map((t) =>
      tf.variable(t),
    );
    const layer = () => convBiasReluAvgPool(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, 3, 2);
    const profile = await tf.profile(() => tf.dispose(Object.values(tf.variableGrads(() => tf.sum(layer())).grads)));
    const names = profile.kernels.map((k) => k.name);
    expect(names.filter((n) => n === ConvBiasReluAvgPool)).toHaveLength(1);
    expect(names.filter((n) => n === ConvBiasReluAvgPoolGrad)).toHaveLength(1);
    expect(names.filter((n) => /Conv2D|Pool|Relu/.test(n) && !n.startsWith('EvoLab'))).toEqual([]);
    tf.dispose([x, w, b]);
  });

  it('declines pools that reach a pixel from more than 4 windows (5×5 at stride 2), and other backends', async () => {
    tf.setBackend('wasm');
    const t = (shape: number[]) => tf.zeros(shape);
    const inputs = { x: t([1, 8, 8, 4]), filter: t([5, 5, 4, 4]) };
    expect(fusedKernelApplies(ConvBiasReluAvgPool, inputs, { poolSize: 3, poolStride: 2 })).toBe(true);
    expect(fusedKernelApplies(ConvBiasReluAvgPool, inputs, { poolSize: 5, poolStride: 2 })).toBe(false);
    await tf.setBackend('cpu');
    expect(fusedKernelApplies(ConvBiasReluAvgPool, inputs, { poolSize: 3, poolStride: 2 })).toBe(false);
    await tf.setBackend('wasm');
  });

  for (const [where, pool] of [
    ['on cpu', 3],
    ['on wasm where the pool does not fit the table (5×5 at stride 2)', 5],
  ] as const) {
    it(`is convBiasRelu then tfjs' avgPool ${where}, bit for bit`, async () => {
      await tf.setBackend(where === 'on cpu' ? 'cpu' : 'wasm');
      const values = {
        x: tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 1),
        w: tf.randomNormal([5, 5, 4, 8], 0, 0.2, 'float32', 2),
      };
      const [x, w, b] = [
        values.x as tf.Tensor4D,
        values.w as tf.Tensor4D,
        tf.randomNormal([8], 0, 0.1, 'float32', 3) as tf.Tensor1D,
      ];
      const conv = tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias: b, activation: 'relu' });
      const separate = tf.avgPool(conv, pool, 2, 'same');
      expect(Array.from(convBiasReluAvgPool(x, w, b, pool, 2).dataSync())).toEqual(Array.from(separate.dataSync()));
      tf.dispose([x, w, b, conv, separate]);
      await tf.setBackend('wasm');
    });
  }
});
