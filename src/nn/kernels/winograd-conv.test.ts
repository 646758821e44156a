import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from './register';
import { simdKernelsOf } from './wasm-heap';
import { matrixSpacing, winogradApplies, winogradConv2D, winogradFilterGradient } from './winograd-conv';
import { random, relErr } from '../../testing/numeric';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

describe('the spacing of the 64 transform matrices', () => {
  it('is an odd number of 64-byte lines that holds a matrix: 64 matrices fall in 64 cache sets', () => {
    // 84 tiles × 12 channels = 4,032 bytes: 63 lines, odd. 4,096 bytes (the old spacing, with a
    // 64-byte skew) was 64 lines: every matrix row in the same cache set.
    expect(matrixSpacing(84 * 12 * 4)).toBe(63 * 64);
    expect(matrixSpacing(4096)).toBe(65 * 64);
    expect(matrixSpacing(1)).toBe(64);
    expect(matrixSpacing(65)).toBe(3 * 64);
    for (let bytes = 4; bytes < 40000; bytes += 52) {
      const s = matrixSpacing(bytes);
      expect(s >= bytes && s % 64 === 0 && (s / 64) % 2 === 1 && s - bytes < 128).toBe(true);
    }
  });
});

describe('Winograd convolution on wasm equals the cpu backend', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  it('runs here: Node validates our SIMD module', () => {
    expect(simdKernelsOf(tf.backend())).not.toBeNull();
  });

  const cases: Array<[string, number[], number[], Pad]> = [
    ["LeNet's conv2 (14×14, 32 → 32, same)", [8, 14, 14, 32], [5, 5, 32, 32], 'same'],
    ["LeNet's conv3 (7×7: edge tiles, 32 → 64)", [4, 7, 7, 32], [5, 5, 32, 64], 'same'],
    [
      '80 tiles: a full block of 64 and a partial one (gradients accumulate across blocks)',
      [5, 14, 14, 8],
      [5, 5, 8, 8],
      'same',
    ],
    ['valid, rectangular, 4 → 12 (a 2 × 12 product block)', [2, 9, 6, 4], [5, 5, 4, 12], 'valid'],
    ["12 → 20, as a 10× network's conv3 (4 × 8 and 2 × 12 product blocks)", [3, 7, 7, 12], [5, 5, 12, 20], 'same'],
    [
      'asymmetric explicit padding',
      [3, 7, 5, 8],
      [5, 5, 8, 4],
      [
        [0, 0],
        [1, 3],
        [2, 0],
        [0, 0],
      ],
    ],
    ['a single 5×5 image', [1, 5, 5, 4], [5, 5, 4, 4], 'same'],
  ];

  for (const [name, xs, ws, pad] of cases) {
    it(name, () => {
      const info = tf.backend_util.computeConv2DInfo(
        xs as [number, number, number, number],
        ws as [number, number, number, number],
        1,
        1,
        pad,
        undefined,
        false,
        'channelsLast',
      );
      expect(winogradApplies(info, 'float32')).toBe(true);
      const xv = random(
        xs.reduce((a, b) => a * b),
        1,
      );
      const wv = random(
        ws.reduce((a, b) => a * b),
        2,
      );
      const run = (backend: string) => {
        tf.setBackend(backend);
        return tf.tidy(() => {
          const x = tf.tensor4d(xv, xs as [number, number, number, number]);
          const w = tf.tensor4d(wv, ws as [number, number, number, number]);
          const y = tf.conv2d(x, w, 1, pad);
          const dy = tf.tensor(random(y.size, 3), y.shape);
          const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad), dy)),
          )([x, w]);
          return { y: y.dataSync(), dx: dx.dataSync(), dw: dw.dataSync(), shape: y.shape };
        });
      };
      const cpu = run('cpu');
      const wasm = run('wasm');
      expect(wasm.shape).toEqual(cpu.shape);
      // Float32 Winograd F(4×4, 5×5) lands within a few 1e-6 of the largest value here.
      expect(relErr(wasm.y, cpu.y)).toBeLessThan(2e-5);
      expect(relErr(wasm.dx, cpu.dx)).toBeLessThan(2e-5);
      expect(relErr(wasm.dw, cpu.dw)).toBeLessThan(2e-5);
    });
  }

  it('the kernels themselves compute (not a fallback), and free all their scratch', async () => {
    const shapes = { x: [2, 9, 9, 8], w: [5, 5, 8, 4], y: [2, 9, 9, 4] } as const;
    const values = { x: random(2 * 9 * 9 * 8, 4), w: random(5 * 5 * 8 * 4, 5), dy: random(2 * 9 * 9 * 4, 6) };
    await tf.setBackend('cpu');
    const ref = tf.tidy(() => {
      const x = tf.tensor4d(values.x, [...shapes.x]);
      const w = tf.tensor4d(values.w, [...shapes.w]);
      const dy = tf.tensor4d(values.dy, [...shapes.y]);
      const dw = tf.grad((b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, b as tf.Tensor4D, 1, 'same'), dy)))(w);
      return { y: tf.conv2d(x, w, 1, 'same').dataSync(), dw: dw.dataSync() };
    });

    await tf.setBackend('wasm');
    const backend = tf.backend() as tf.KernelBackend & { numDataIds(): number };
    const x = tf.tensor4d(values.x, [...shapes.x]);
    const w = tf.tensor4d(values.w, [...shapes.w]);
    const dy = tf.tensor4d(values.dy, [...shapes.y]);
    const info = tf.backend_util.computeConv2DInfo(
      [...shapes.x],
      [...shapes.w],
      1,
      1,
      'same',
      undefined,
      false,
      'channelsLast',
    );
    const buffers = backend.numDataIds();
    const y = winogradConv2D(backend, x, w, info);
    const dw = winogradFilterGradient(backend, x, dy, info);
    expect(y).not.toBeNull();
    expect(dw).not.toBeNull();
    expect(backend.numDataIds()).toBe(buffers + 2);
    const yT = tf.engine().makeTensorFromTensorInfo(y!);
    const dwT = tf.engine().makeTensorFromTensorInfo(dw!);
    expect(yT.shape).toEqual([...shapes.y]);
    expect(dwT.shape).toEqual([...shapes.w]);
    expect(relErr(yT.dataSync(), ref.y)).toBeLessThan(2e-5);
    expect(relErr(dwT.dataSync(), ref.dw)).toBeLessThan(2e-5);
    tf.dispose([x, w, dy, yT, dwT]);
    expect(backend.numDataIds()).toBe(buffers - 3);
  });

  it('inference: the fused conv with bias and ReLU, and linear without bias', () => {
    const xv = random(4 * 14 * 14 * 8, 7);
    const wv = random(5 * 5 * 8 * 12, 8);
    const bv = random(12, 9);
    const run = (backend: string) => {
      tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(xv, [4, 14, 14, 8]);
        const w = tf.tensor4d(wv, [5, 5, 8, 12]);
        const relu = tf.fused.conv2d({
          x,
          filter: w,
          strides: 1,
          pad: 'same',
          bias: tf.tensor1d(bv),
          activation: 'relu',
        });
        const linear = tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same' });
        return { relu: relu.dataSync(), linear: linear.dataSync() };
      });
    };
    const cpu = run('cpu');
    const wasm = run('wasm');
    expect(cpu.relu.some((v) => v === 0)).toBe(true);
    expect(relErr(wasm.relu, cpu.relu)).toBeLessThan(2e-5);
    expect(relErr(wasm.linear, cpu.linear)).toBeLessThan(2e-5);
  });

  it('does not apply to 3×3 filters, strides, dilations, or channels not in fours', () => {
    const info = (x: number[], f: number[], stride = 1, dilation = 1) =>
      tf.backend_util.computeConv2DInfo(
        x as [number, number, number, number],
        f as [number, number, number, number],
        stride,
        dilation,
        'same',
        undefined,
        false,
        'channelsLast',
      );
    expect(winogradApplies(info([1, 8, 8, 4], [3, 3, 4, 4]), 'float32')).toBe(false);
    expect(winogradApplies(info([1, 8, 8, 4], [5, 5, 4, 4], 2), 'float32')).toBe(false);
    expect(winogradApplies(info([1, 12, 12, 4], [5, 5, 4, 4], 1, 2), 'float32')).toBe(false);
    expect(winogradApplies(info([1, 8, 8, 3], [5, 5, 3, 4]), 'float32')).toBe(false);
    expect(winogradApplies(info([1, 8, 8, 4], [5, 5, 4, 6]), 'float32')).toBe(false);
    expect(winogradApplies(info([1, 8, 8, 4], [5, 5, 4, 4]), 'int32')).toBe(false);
  });
});
