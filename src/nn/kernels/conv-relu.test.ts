import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { convBiasRelu, convBiasReluAvgPool, convReluApplies } from './conv-relu';
import { registerWasmTrainingKernels } from './wasm-kernels';
import { random, relErr } from '../../testing/numeric';

type Shape4 = [number, number, number, number];

type Layer = (x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D) => tf.Tensor;

/** A layer's output and its three gradients for a random upstream gradient. */
function gradients(backend: 'cpu' | 'wasm', xs: Shape4, ws: Shape4, seed: number, f: Layer) {
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
        0.2,
      ),
      ws,
    );
    const b = tf.tensor1d(random(ws[3], seed + 2, 0.5));
    const g = (xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) =>
      f(xv as tf.Tensor4D, wv as tf.Tensor4D, bv as tf.Tensor1D);
    const y = g(x, w, b);
    const dy = tf.tensor(random(y.size, seed + 3), y.shape);
    const [dx, dw, db] = tf.grads((xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) => tf.sum(tf.mul(g(xv, wv, bv), dy)))([
      x,
      w,
      b,
    ]);
    return { y: y.dataSync(), dx: dx.dataSync(), dw: dw.dataSync(), db: db.dataSync() };
  });
}

function applied<T>(result: T | null): T {
  if (!result) throw new Error('the fused layer did not apply');
  return result;
}

const cpuConvRelu: Layer = (x, w, b) => tf.relu(tf.add(tf.conv2d(x, w, 1, 'same'), b));
const fusedConvRelu: Layer = (x, w, b) => applied(convBiasRelu(x, w, b));

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
      convBiasRelu(xv as tf.Tensor4D, wv as tf.Tensor4D, bv as tf.Tensor1D)!;
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

  it('applies on wasm to convolutions Winograd takes only', async () => {
    tf.setBackend('wasm');
    const t = (shape: Shape4) => tf.zeros(shape) as tf.Tensor4D;
    expect(convReluApplies(t([1, 8, 8, 12]), t([5, 5, 12, 20]))).toBe(true);
    expect(convReluApplies(t([1, 8, 8, 10]), t([5, 5, 10, 20]))).toBe(false);
    expect(convReluApplies(t([1, 8, 8, 12]), t([3, 3, 12, 20]))).toBe(false);
    await tf.setBackend('cpu');
    expect(convBiasRelu(t([1, 8, 8, 12]), t([5, 5, 12, 20]), tf.zeros([20]))).toBeNull();
    await tf.setBackend('wasm');
  });
});

/** avgPool(relu(conv + b)): fused, or as the separate ops (on wasm: our fused conv, then tfjs' pool). */
function pooledLayer(backend: 'cpu' | 'wasm', fused: boolean, xs: Shape4, ws: Shape4, pool: number, seed: number) {
  const separate: Layer = (x, w, b) =>
    tf.avgPool((backend === 'cpu' ? cpuConvRelu : fusedConvRelu)(x, w, b) as tf.Tensor4D, pool, 2, 'same');
  return gradients(
    backend,
    xs,
    ws,
    seed,
    fused ? (x, w, b) => applied(convBiasReluAvgPool(x, w, b, pool, 2)) : separate,
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

  it('declines pools that reach a pixel from more than 4 windows (5×5 at stride 2), and other backends', async () => {
    tf.setBackend('wasm');
    const t = (shape: number[]) => tf.zeros(shape);
    expect(
      convBiasReluAvgPool(t([1, 8, 8, 4]) as tf.Tensor4D, t([5, 5, 4, 4]) as tf.Tensor4D, t([4]) as tf.Tensor1D, 5, 2),
    ).toBeNull();
    await tf.setBackend('cpu');
    expect(
      convBiasReluAvgPool(t([1, 8, 8, 4]) as tf.Tensor4D, t([5, 5, 4, 4]) as tf.Tensor4D, t([4]) as tf.Tensor1D, 3, 2),
    ).toBeNull();
    await tf.setBackend('wasm');
  });
});
