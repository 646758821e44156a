import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConvBiasMaxPoolRelu,
  convBiasMaxPoolRelu,
  ConvBiasMaxPoolReluGrad,
  convPoolApplies,
} from './conv-bias-max-pool-relu';
import { fusedKernelApplies } from './fused-kernel';
import { registerWasmTrainingKernels } from '../register';
import { random, relErr } from '../../../testing/numeric';
import { expectFused, gradients, type Layer, type Shape4 } from '../../../testing/layer-gradients';

/** The block's output and its filter and bias gradients (conv1's input needs none) for a random upstream gradient. */
function block(backend: 'cpu' | 'wasm', xs: Shape4, ws: Shape4, pool: number, stride: number, seed: number) {
  const layer: Layer =
    backend === 'wasm'
      ? (x, w, b) => {
          expectFused(ConvBiasMaxPoolRelu, x, w, { poolSize: pool, poolStride: stride });
          return convBiasMaxPoolRelu(x, w, b, pool, stride);
        }
      : (x, w, b) => tf.relu(tf.maxPool(tf.add(tf.conv2d(x, w, 1, 'same'), b) as tf.Tensor4D, pool, stride, 'same'));
  return gradients(backend, xs, ws, seed, layer, { weightScale: 0.3, inputGradient: false });
}

describe('the fused conv + bias + max-pool + ReLU block on wasm equals the unfused ops on cpu', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  const cases: Array<[string, Shape4, Shape4, number, number]> = [
    ["LeNet's conv1 on MNIST (28×28, 1 → 32, pool 3 stride 2)", [6, 28, 28, 1], [5, 5, 1, 32], 3, 2],
    ['a compacted conv1 (1 → 12: a 3-vector chunk)', [4, 28, 28, 1], [5, 5, 1, 12], 3, 2],
    ['CIFAR-10 (32×32, 3 → 20: chunks of 3 and 2 vectors)', [3, 32, 32, 3], [5, 5, 3, 20], 3, 2],
    [
      'a width not in fours and odd sizes (13×11: padding on both sides of the pool)',
      [2, 13, 11, 2],
      [5, 5, 2, 4],
      3,
      2,
    ],
    ['a 3×3 filter and 2×2 pooling without overlap', [2, 10, 12, 1], [3, 3, 1, 8], 2, 2],
  ];

  for (const [name, xs, ws, pool, stride] of cases) {
    it(name, () => {
      const cpu = block('cpu', xs, ws, pool, stride, 10);
      const wasm = block('wasm', xs, ws, pool, stride, 10);
      expect(wasm.shape).toEqual(cpu.shape);
      // Both halves of ReLU occur, so the test sees the mask.
      expect(cpu.y.some((v) => v === 0) && cpu.y.some((v) => v > 0)).toBe(true);
      expect(relErr(wasm.y, cpu.y)).toBeLessThan(1e-5);
      expect(relErr(wasm.dw, cpu.dw)).toBeLessThan(1e-5);
      expect(relErr(wasm.db, cpu.db)).toBeLessThan(1e-5);
    });
  }

  it('a hand-computed case: a 1×1 filter, 2×2 pooling, routes each gradient to the window maximum', () => {
    tf.setBackend('wasm');
    // x (1 image, 2×4): windows [1, 5 | 2, 3] and [0, -1 | 7, 4]; w = 2, b = -3.
    const x = tf.tensor4d([1, 5, 0, -1, 2, 3, 7, 4], [1, 2, 4, 1]);
    const w = tf.tensor4d([2, 2, 2, 2], [1, 1, 1, 4]);
    const b = tf.tensor1d([-3, -3, -20, 0]);
    const dy = tf.tensor4d([1, 1, 1, 1, 10, 10, 10, 10], [1, 1, 2, 4]);
    const f = (wv: tf.Tensor, bv: tf.Tensor) => convBiasMaxPoolRelu(x, wv as tf.Tensor4D, bv as tf.Tensor1D, 2, 2);
    // Maxima 2·5 = 10 and 2·7 = 14; + b, ReLU: channel 2 (b = −20) is dead.
    expect(Array.from(f(w, b).dataSync())).toEqual([7, 7, 0, 10, 11, 11, 0, 14]);
    const [dw, db] = tf.grads((wv: tf.Tensor, bv: tf.Tensor) => tf.sum(tf.mul(f(wv, bv), dy)))([w, b]);
    // dW = Σ g · x at the maximum: 1·5 + 10·7 = 75 where alive; db = 1 + 10.
    expect(Array.from(dw.dataSync())).toEqual([75, 75, 0, 75]);
    expect(Array.from(db.dataSync())).toEqual([11, 11, 0, 11]);
    tf.dispose([x, w, b, dy, dw, db]);
  });

  it('frees everything: no tensor or heap buffer outlives a training-style call', () => {
    tf.setBackend('wasm');
    const backend = tf.backend() as tf.KernelBackend & { numDataIds(): number };
    const x = tf.tensor4d(random(2 * 28 * 28, 1), [2, 28, 28, 1]);
    const w = tf.variable(tf.tensor4d(random(25 * 8, 2), [5, 5, 1, 8]));
    const b = tf.variable(tf.zeros([8]));
    const before = { tensors: tf.memory().numTensors, buffers: backend.numDataIds() };
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(
          () => tf.sum(convBiasMaxPoolRelu(x, w as tf.Tensor4D, b as tf.Tensor1D, 3, 2)),
          [w, b],
        );
        expect(Object.keys(grads).length).toBe(2);
      });
      tf.tidy(() => {
        convBiasMaxPoolRelu(x, w as tf.Tensor4D, b as tf.Tensor1D, 3, 2);
      });
    }
    expect(tf.memory().numTensors).toBe(before.tensors);
    expect(backend.numDataIds()).toBe(before.buffers);
    tf.dispose([x, w, b]);
  });

  it('runs on wasm as one kernel, and its gradient as one', async () => {
    tf.setBackend('wasm');
    const x = tf.tensor4d(random(2 * 28 * 28, 4), [2, 28, 28, 1]);
    const [w, b] = [tf.variable(tf.tensor4d(random(25 * 8, 5), [5, 5, 1, 8])), tf.variable(tf.zeros([8]))];
    const step = () => tf.variableGrads(() => tf.sum(convBiasMaxPoolRelu(x, w as tf.Tensor4D, b as tf.Tensor1D, 3, 2)));
    const profile = await tf.profile(() => tf.dispose(Object.values(step().grads)));
    const names = profile.kernels.map((k) => k.name);
    expect(names.filter((n) => n === ConvBiasMaxPoolRelu)).toHaveLength(1);
    expect(names.filter((n) => n === ConvBiasMaxPoolReluGrad)).toHaveLength(1);
    expect(names.filter((n) => ['Conv2D', 'MaxPool', 'Relu', 'Add', 'MaxPoolGrad'].includes(n))).toEqual([]);
    tf.dispose([x, w, b]);
  });

  it("applies on wasm only, to few input channels and filters in fours; tfjs' ops elsewhere", async () => {
    await tf.setBackend('wasm');
    const x = (c: number) => tf.zeros([1, 8, 8, c]) as tf.Tensor4D;
    const w = (c: number, k: number) => tf.zeros([5, 5, c, k]) as tf.Tensor4D;
    const attrs = { poolSize: 3, poolStride: 2 };
    const backend = tf.backend();
    expect(convPoolApplies(x(1), w(1, 12), backend)).toBe(true);
    expect(convPoolApplies(x(3), w(3, 4), backend)).toBe(true);
    expect(convPoolApplies(x(8), w(8, 4), backend)).toBe(false);
    expect(convPoolApplies(x(1), w(1, 10), backend)).toBe(false);
    expect(fusedKernelApplies(ConvBiasMaxPoolRelu, { x: x(1), filter: w(1, 12) }, attrs)).toBe(true);
    await tf.setBackend('cpu');
    expect(fusedKernelApplies(ConvBiasMaxPoolRelu, { x: x(1), filter: w(1, 12) }, attrs)).toBe(false);
    // On cpu the op is tfjs' ops: the same values bit for bit.
    const [xs, ws, bs] = [
      tf.tensor4d(random(64, 1), [1, 8, 8, 1]),
      tf.tensor4d(random(100, 2), [5, 5, 1, 4]),
      tf.tensor1d(random(4, 3)),
    ];
    const unfused = tf.relu(tf.maxPool(tf.add(tf.conv2d(xs, ws, 1, 'same'), bs) as tf.Tensor4D, 3, 2, 'same'));
    expect(Array.from(convBiasMaxPoolRelu(xs, ws, bs, 3, 2).dataSync())).toEqual(Array.from(unfused.dataSync()));
    await tf.setBackend('wasm');
  });
});
