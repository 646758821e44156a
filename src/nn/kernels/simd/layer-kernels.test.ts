import { describe, expect, it } from 'vitest';
import { random } from '../../../testing/numeric';
import { specialisedKernel } from './simd-kernels';
import {
  AVG_POOL_TAPS,
  convPoolGradientsFixed,
  DIRECT_PIXELS,
  maxPoolArgmaxFixed,
  type ConvPoolShape,
} from './layer-kernels';
import { bits, TestHeap } from '../../../testing/simd-heap';

const f = Math.fround;

describe('the direct convolution equals a scalar loop in tap order', () => {
  for (const vectors of [1, 2, 3, 4] as const) {
    it(`directConv${DIRECT_PIXELS}x${vectors}: 2 rows of 3 blocks, ${4 * vectors} filters of 3 taps`, () => {
      const heap = new TestHeap(1);
      const [rows, blocks, K] = [2, 3, 4 * vectors];
      // One input channel, rows of 9 pixels; taps at (0, 0), (0, 1), (1, 2); filter rows of K floats plus 4 of slack.
      const [xRow, wStride] = [9, 4 * (K + 4)];
      const taps = [0, 4, 4 * (xRow + 2)];
      const x = random(4 * xRow, 1);
      const w = random((wStride / 4) * taps.length, 2);
      const outRow = 4 * K * (DIRECT_PIXELS * blocks + 1); // a pixel of slack per row
      const out = heap.alloc(rows * outRow);
      const kernel = [
        heap.simd.directConv2x1,
        heap.simd.directConv2x2,
        heap.simd.directConv2x3,
        heap.simd.directConv2x4,
      ];
      kernel[vectors - 1](
        heap.floats(x),
        heap.floats(w),
        out,
        heap.ints(taps),
        taps.length,
        blocks,
        rows,
        4 * xRow,
        outRow,
        4,
        4 * K,
        wStride,
      );
      for (let r = 0; r < rows; r++)
        for (let p = 0; p < DIRECT_PIXELS * blocks; p++) {
          const expected = Array.from({ length: K }, (_, k) =>
            taps.reduce((acc, tap, t) => f(acc + f(x[r * xRow + p + tap / 4] * w[(t * wStride) / 4 + k])), 0),
          );
          expect(bits(heap.read(out + r * outRow + p * 4 * K, K))).toEqual(bits(expected));
        }
    });
  }
});

describe('the conv + bias + ReLU layer gradients equal a scalar loop', () => {
  it('reluGradSums: g = dy where y > 0, and per-image sums of g', () => {
    const heap = new TestHeap(1);
    const [images, rows, groups] = [2, 3, 2];
    const n = images * rows * groups * 4;
    const dy = random(n, 3);
    const y = random(n, 4);
    const at = { g: heap.alloc(4 * n), sums: heap.alloc(4 * images * groups * 4) };
    heap.simd.reluGradSums(heap.floats(dy), heap.floats(y), at.g, at.sums, images, rows, groups);
    const g = Array.from(dy, (v, i) => (y[i] > 0 ? v : 0));
    const K = groups * 4;
    const sums = Array.from({ length: images * K }, (_, s) => {
      const [image, k] = [Math.floor(s / K), s % K];
      let sum = 0;
      for (let r = 0; r < rows; r++) sum = f(sum + g[(image * rows + r) * K + k]);
      return sum;
    });
    expect(bits(heap.read(at.g, n))).toEqual(bits(g));
    expect(bits(heap.read(at.sums, images * K))).toEqual(bits(sums));
  });

  it('avgPoolReluGradSums: the pooled gradient gathered through the table, masked by y > 0, and per-image sums', () => {
    const heap = new TestHeap(1);
    // 2 images of 3 pixels, 1 vector of channels; the pooled gradient dp has 2 pixels per image.
    const [images, pixels, K, pooledPixels] = [2, 3, 4, 2];
    const dp = random(images * pooledPixels * K, 5);
    const y = random(images * pixels * K, 6);
    // Per pixel: AVG_POOL_TAPS byte offsets into the image's dp, then as many weights (0: unused).
    const entries = [
      [0, 0, 0, 0, 0.25, 0, 0, 0],
      [0, 16, 0, 0, 0.25, 0.5, 0, 0],
      [16, 0, 16, 0, 0.25, 1, 0.125, 0],
    ];
    const table = heap.alloc(4 * 2 * AVG_POOL_TAPS * pixels);
    entries.forEach((e, p) => {
      heap.i32.set(e.slice(0, AVG_POOL_TAPS), table / 4 + p * 2 * AVG_POOL_TAPS);
      heap.f32.set(e.slice(AVG_POOL_TAPS), table / 4 + p * 2 * AVG_POOL_TAPS + AVG_POOL_TAPS);
    });
    const at = { g: heap.alloc(4 * y.length), sums: heap.alloc(4 * images * K) };
    heap.simd.avgPoolReluGradSums(
      heap.floats(dp),
      heap.floats(y),
      at.g,
      at.sums,
      table,
      images,
      pixels,
      K / 4,
      4 * pooledPixels * K,
      4 * pixels * K,
    );
    const g = new Float32Array(y.length);
    const sums = new Float32Array(images * K);
    for (let image = 0; image < images; image++)
      for (let p = 0; p < pixels; p++)
        for (let k = 0; k < K; k++) {
          let acc = 0;
          for (let e = 0; e < AVG_POOL_TAPS; e++)
            acc = f(acc + f(dp[image * pooledPixels * K + entries[p][e] / 4 + k] * entries[p][AVG_POOL_TAPS + e]));
          const i = (image * pixels + p) * K + k;
          g[i] = y[i] > 0 ? acc : 0;
          sums[image * K + k] = f(sums[image * K + k] + g[i]);
        }
    expect(bits(heap.read(at.g, g.length))).toEqual(bits(g));
    expect(bits(heap.read(at.sums, sums.length))).toEqual(bits(sums));
  });
});

describe('copying and scaling', () => {
  for (const shared of [false, true]) {
    it(`copyWindow pads 2 images of 2×3 floats into 3×5 (${shared ? "a shared memory, tfjs' threaded build" : 'a private memory'})`, () => {
      const heap = new TestHeap(1, shared);
      const src = heap.floats([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      const dst = heap.floats(new Float32Array(30).fill(-1));
      // One float per pixel: rows of 12 bytes (no whole vector), at (top 1, left 1) of each 3×5 image.
      const [rows, cols, W, Wd, Hd] = [2, 3, 3, 5, 3];
      heap.simd.copyWindow(src, dst + (1 * Wd + 1) * 4, 2, rows, cols * 4, W * 4, Wd * 4, 0, (Hd - rows) * Wd * 4);
      const image = (i: number) => Array.from(heap.read(dst + i * 60, 15));
      expect(image(0)).toEqual([-1, -1, -1, -1, -1, -1, 1, 2, 3, -1, -1, 4, 5, 6, -1]);
      expect(image(1)).toEqual([-1, -1, -1, -1, -1, -1, 7, 8, 9, -1, -1, 10, 11, 12, -1]);
    });
  }

  it('copyWindow copies rows longer than a vector: whole vectors, then the last floats one by one', () => {
    const heap = new TestHeap(1);
    const values = random(2 * 7, 7);
    const src = heap.floats(values);
    const dst = heap.floats(new Float32Array(2 * 9));
    heap.simd.copyWindow(src, dst, 1, 2, 7 * 4, 7 * 4, 9 * 4, 0, 0);
    const out = heap.read(dst, 18);
    expect(bits(out.subarray(0, 7))).toEqual(bits(values.subarray(0, 7)));
    expect(bits(out.subarray(9, 16))).toEqual(bits(values.subarray(7, 14)));
    expect(Array.from(out.subarray(7, 9))).toEqual([0, 0]);
  });

  it('bytesToUnit gives every byte value the float32 of v / 255', () => {
    const heap = new TestHeap(1);
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => (i * 37 + 11) % 256);
    const src = heap.alloc(256);
    heap.u8.set(bytes, src);
    const dst = heap.alloc(4 * 256);
    heap.simd.bytesToUnit(src, dst, 256);
    expect(bits(heap.read(dst, 256))).toEqual(bits(Array.from(bytes, (v) => v / 255)));
  });
});

describe("the first layer's specialised pooling kernels equal a scalar loop", () => {
  // 2 vectors of channels (K = 8); 2×2 windows at stride 2 in a scratch 4 pixels wide, over an
  // input of 1 channel 5 pixels wide; taps (0, 0), (0, 1), (1, 0) of a 2×2 filter.
  const [K, SW, Wq] = [8, 4, 5];
  const window = [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ];
  const shape: ConvPoolShape = {
    taps: [0, 4, 4 * Wq],
    wStride: 4 * K,
    windowInScratch: window.map(([r, c]) => (r * SW + c) * K * 4),
    windowInInput: window.map(([r, c]) => (r * Wq + c) * 4),
    groups: K / 4,
    sStep: 2 * K * 4,
    xStep: 2 * 4,
    outStep: K * 4,
  };
  const windows = 2;

  it('maxPoolArgmax: max + bias, ReLU, and where the first maximum of each window starts in the input', () => {
    const heap = new TestHeap(1);
    const scratch = Float32Array.from(random(2 * SW * K, 8), (v, i) => (i % 3 === 0 ? Math.round(v) : v)); // ties
    const bias = random(K, 9, 0.5);
    const xBase = 1000;
    const at = { out: heap.alloc(4 * windows * K), arg: heap.alloc(4 * windows * K) };
    const kernel = specialisedKernel(heap.memory, 'test maxPoolArgmax', () => maxPoolArgmaxFixed(shape));
    kernel(heap.floats(scratch), at.out, at.arg, heap.floats(bias), windows, xBase);
    for (let o = 0; o < windows; o++)
      for (let k = 0; k < K; k++) {
        const values = shape.windowInScratch.map((s) => scratch[(o * shape.sStep + s) / 4 + k]);
        let best = 0;
        values.forEach((v, e) => {
          if (v > values[best]) best = e;
        });
        expect(heap.read(at.out, windows * K)[o * K + k]).toBe(Math.max(f(values[best] + bias[k]), 0));
        expect(heap.i32[at.arg / 4 + o * K + k]).toBe(xBase + o * shape.xStep + shape.windowInInput[best]);
      }
  });

  it('convPoolGradients: db += g and dW[t] += g · x[arg + tap t], with g = dy where y > 0', () => {
    const heap = new TestHeap(1);
    const x = random(2 * Wq + 8, 10);
    const dy = random(windows * K, 11);
    const y = random(windows * K, 12);
    y.fill(-1, K, K + 4); // a dead vector: skipped
    const arg = Int32Array.from({ length: windows * K }, (_, i) => 4 * ((i * 3) % 6));
    const dw0 = random(shape.taps.length * K, 13);
    const db0 = random(K, 14);
    const at = { dw: heap.floats(dw0), db: heap.floats(db0) };
    const kernel = specialisedKernel(heap.memory, 'test convPoolGradients', () => convPoolGradientsFixed(shape));
    kernel(heap.floats(dy), heap.floats(y), heap.ints(arg), at.dw, at.db, windows, heap.floats(x));
    const dw = Float32Array.from(dw0);
    const db = Float32Array.from(db0);
    for (let o = 0; o < windows; o++)
      for (let k = 0; k < K; k++) {
        const i = o * K + k;
        const g = y[i] > 0 ? dy[i] : 0;
        const vectorDead = [0, 1, 2, 3].every((l) => !(y[i - (k % 4) + l] > 0));
        if (vectorDead) continue;
        db[k] = f(db[k] + g);
        shape.taps.forEach((tap, t) => {
          dw[t * K + k] = f(dw[t * K + k] + f(x[(arg[i] + tap) / 4] * g));
        });
      }
    expect(bits(heap.read(at.db, K))).toEqual(bits(db));
    expect(bits(heap.read(at.dw, dw.length))).toEqual(bits(dw));
    expect(Array.from(db).filter((v, k) => v !== db0[k]).length).toBeGreaterThan(0);
  });
});
