import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../evolution/rng';
import { product, simdModuleBytes, specialisedTransform, WINOGRAD, type SimdKernels } from './simd/simd-kernels';
import { encodeModule, Code } from './simd/wasm-encoder';
import { winogradMatrices } from './simd/winograd';
import { registerWasmTrainingKernels } from './wasm-kernels';
import { simdKernelsOf } from './wasm-heap';
import { matrixSpacing, winogradApplies, winogradConv2D, winogradFilterGradient } from './winograd-conv';
import { random, relErr } from '../../testing/numeric';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

describe('Winograd minimal filtering matrices (float64)', () => {
  // y_i = Σ_k g_k d_{i+k}, for random data.
  for (const [m, r, points] of [
    [2, 3, [0, 1, -1]],
    [2, 5, [0, 1, -1, 0.5, -0.5]],
    [4, 5, [0, 1, -1, 2, -2, 0.5, -0.5]],
  ] as const) {
    it(`F(${m}, ${r}) computes the correlation`, () => {
      const { AT, G, BT, alpha } = winogradMatrices(m, r, [...points]);
      expect([AT.length, AT[0].length, G.length, G[0].length, BT.length, BT[0].length]).toEqual([
        m,
        alpha,
        alpha,
        r,
        alpha,
        alpha,
      ]);
      const rng = new Rng(m * 10 + r);
      for (let trial = 0; trial < 5; trial++) {
        const d = Array.from({ length: alpha }, () => rng.next() * 2 - 1);
        const g = Array.from({ length: r }, () => rng.next() * 2 - 1);
        const Gg = G.map((row) => row.reduce((s, x, k) => s + x * g[k], 0));
        const Bd = BT.map((row) => row.reduce((s, x, k) => s + x * d[k], 0));
        const y = AT.map((row) => row.reduce((s, x, j) => s + x * Gg[j] * Bd[j], 0));
        const direct = Array.from({ length: m }, (_, i) => g.reduce((s, gk, k) => s + gk * d[i + k], 0));
        y.forEach((v, i) => expect(v).toBeCloseTo(direct[i], 10));
      }
    });
  }

  it('the hand-checked F(2, 3) at 0, ±1: Aᵀ rows and G up to the usual scaling', () => {
    const { AT, G } = winogradMatrices(2, 3, [0, 1, -1]);
    expect(AT).toEqual([
      [1, 1, 1, 0],
      [0, 1, -1, 1],
    ]);
    expect(G).toEqual([
      [1, 0, 0],
      [1, 1, 1],
      [1, -1, 1],
      [0, 0, 1],
    ]);
  });

  it('rejects a wrong number of points and repeated points', () => {
    expect(() => winogradMatrices(2, 5, [0, 1, -1])).toThrow(/needs 5 finite points/);
    expect(() => winogradMatrices(2, 3, [0, 1, 1])).toThrow(/distinct/);
  });
});

describe('the wasm encoder', () => {
  it('encodes a module that runs: f(a, b) stores a+b as four floats', async () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    // v128 at 0 = splat(1.5) + splat(2.25)
    const body = new Code().i32(0).f32x4Const(1.5).f32x4Const(2.25).f32x4Add().v128Store(16);
    const bytes = encodeModule([{ name: 'f', params: [], locals: [], body }], false);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    (instance.exports.f as () => void)();
    expect(Array.from(new Float32Array(memory.buffer, 16, 4))).toEqual([3.75, 3.75, 3.75, 3.75]);
    // The name section, for profilers: function names (1), 4 bytes, one entry: function 0 is "f".
    const [names] = WebAssembly.Module.customSections(new WebAssembly.Module(bytes), 'name');
    expect(Array.from(new Uint8Array(names))).toEqual([1, 4, 1, 0, 1, 'f'.charCodeAt(0)]);
  });

  it("our kernels run on a shared memory (tfjs' threaded build): copyWindow pads 2 images of 2×3 floats into 3×5", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    const simd = new WebAssembly.Instance(new WebAssembly.Module(simdModuleBytes(true)), { env: { memory } })
      .exports as unknown as SimdKernels;
    const f32 = new Float32Array(memory.buffer);
    const src = 0;
    f32.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], src / 4);
    const dst = 256;
    f32.fill(-1, dst / 4, dst / 4 + 30);
    // One float per pixel: rows of 12 bytes (no whole vector), at (top 1, left 1) of each 3×5 image.
    const [rows, cols, W, Wd, Hd] = [2, 3, 3, 5, 3];
    simd.copyWindow(src, dst + (1 * Wd + 1) * 4, 2, rows, cols * 4, W * 4, Wd * 4, 0, (Hd - rows) * Wd * 4);
    const image = (i: number) => Array.from(f32.subarray(dst / 4 + i * 15, dst / 4 + (i + 1) * 15));
    expect(image(0)).toEqual([-1, -1, -1, -1, -1, -1, 1, 2, 3, -1, -1, 4, 5, 6, -1]);
    expect(image(1)).toEqual([-1, -1, -1, -1, -1, -1, 7, 8, 9, -1, -1, 10, 11, 12, -1]);
  });
});

describe('the input transform specialised to a shape (offsets built in)', () => {
  for (const shared of [false, true]) {
    it(`V = Bᵀ · d · B per channel, as float64 gives it, on a ${shared ? 'shared' : 'private'} memory; one module per shape`, () => {
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared });
      const f32 = new Float32Array(memory.buffer);
      const i32 = new Int32Array(memory.buffer);
      // One 8×8 tile of 4 channels in an image 9 pixels wide; 64 outputs, 48 bytes apart.
      const [width, spacing, d, out, tiles] = [9, 48, 1024, 8192, 16384];
      const rng = new Rng(3);
      const pixels = Array.from({ length: 8 * width * 4 }, () => rng.next() * 2 - 1);
      f32.set(pixels, d / 4);
      i32[tiles / 4] = 0;
      const inputs = {
        key: 'test 8 9 4',
        bytes: Array.from({ length: 64 }, (_, e) => (Math.floor(e / 8) * width + (e % 8)) * 16),
      };
      const outputs = { key: 'test 48', bytes: Array.from({ length: 64 }, (_, j) => j * spacing) };
      const transform = specialisedTransform(memory, 'winogradInput', inputs, outputs);
      expect(specialisedTransform(memory, 'winogradInput', inputs, outputs)).toBe(transform);
      transform(d, 0, out, 0, 1, 16, 16, 1, tiles, tiles);
      const BT = WINOGRAD.BT;
      let worst = 0;
      for (let i = 0; i < 8; i++) {
        for (let k = 0; k < 8; k++) {
          for (let lane = 0; lane < 4; lane++) {
            let v = 0;
            for (let r = 0; r < 8; r++)
              for (let c = 0; c < 8; c++) v += BT[i][r] * pixels[(r * width + c) * 4 + lane] * BT[k][c];
            worst = Math.max(worst, Math.abs(f32[(out + (i * 8 + k) * spacing) / 4 + lane] - v));
          }
        }
      }
      expect(worst).toBeLessThan(1e-4);
    });
  }
});

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

describe('the SIMD matrix product C = Aᵀ · B', () => {
  const memory = new WebAssembly.Memory({ initial: 4 });
  const simd = new WebAssembly.Instance(new WebAssembly.Module(simdModuleBytes(false)), { env: { memory } })
    .exports as unknown as SimdKernels;
  const f32 = new Float32Array(memory.buffer);
  const rng = new Rng(9);
  // Small integers: every sum is exact in float32, so the kernels must match a plain loop exactly.
  const integers = (n: number) => Array.from({ length: n }, () => rng.int(7) - 3);

  // Widths that take each block: 4 × 4 (4), 4 × 8 (8, 16), 2 × 12 (12), 4 × 8 then 2 × 12 (20, 28).
  for (const n of [4, 8, 12, 16, 20, 28]) {
    for (const transposed of [false, true]) {
      it(`${n} columns, A ${transposed ? 'as Aᵀ rows (filter gradient)' : 'row-major (forward)'}, overwrite then accumulate`, () => {
        const [rows, m] = [5, 8];
        const A = integers(rows * m); // A[t][i]
        const B = integers(rows * n); // B[t][j]
        const C0 = integers(m * n);
        const [a, b, c] = [0, 4096, 8192];
        // Forward: A[t][i] at i·aLane + t·4 (each i a row of `rows`); filter gradient: at t·aStride + i·4.
        const [aLane, aStride] = transposed ? [4, m * 4] : [rows * 4, 4];
        A.forEach((v, k) => {
          const [t, i] = [Math.floor(k / m), k % m];
          f32[(a + i * aLane + t * aStride) / 4] = v;
        });
        f32.set(B, b / 4);
        const expected = (base: number[]) =>
          Array.from({ length: m * n }, (_, k) => {
            const [i, j] = [Math.floor(k / n), k % n];
            let sum = base[k];
            for (let t = 0; t < rows; t++) sum += A[t * m + i] * B[t * n + j];
            return sum;
          });
        const args = { a, b, c, rows, m, n, aLane, aStride, bStride: n * 4, cStride: n * 4 };
        f32.fill(NaN, c / 4, c / 4 + m * n);
        product(simd, args);
        expect(Array.from(f32.subarray(c / 4, c / 4 + m * n))).toEqual(expected(Array(m * n).fill(0)));
        f32.set(C0, c / 4);
        product(simd, { ...args, accumulate: true });
        expect(Array.from(f32.subarray(c / 4, c / 4 + m * n))).toEqual(expected(C0));
      });
    }
  }
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
