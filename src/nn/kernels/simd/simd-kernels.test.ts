import { describe, expect, it } from 'vitest';
import { Rng } from '../../../evolution/rng';
import { random, relErr } from '../../../testing/numeric';
import { product, specialisedTransform, WINOGRAD, type TransformName } from './simd-kernels';
import { bits, TestHeap } from '../../../testing/simd-heap';
import { transpose } from './winograd';

const { AT, G, BT } = WINOGRAD;
/** L and R of each transform (OUT = L · X · R), as simd-kernels.ts builds them. */
const MATRICES: Record<TransformName, [number[][], number[][]]> = {
  winogradInput: [BT, transpose(BT)],
  winogradFilter: [G, transpose(G)],
  winogradOutput: [AT, transpose(AT)],
  winogradOutputBias: [AT, transpose(AT)],
  winogradOutputGrad: [transpose(AT), AT],
  winogradFilterGrad: [transpose(G), G],
};

describe('the Winograd transforms equal L · X · R in float64', () => {
  // Three tiles of two vectors (8 channels): element e of tile τ at τ·tileBytes + 32e + 16v.
  const [tiles, vectors] = [3, 2];
  const cases: Array<[TransformName, 'tables' | 'built in', number]> = [
    ['winogradFilter', 'tables', -Infinity],
    ['winogradFilterGrad', 'tables', -Infinity],
    ['winogradInput', 'built in', -Infinity],
    ['winogradOutput', 'built in', -Infinity],
    ['winogradOutputGrad', 'built in', -Infinity],
    ['winogradOutputBias', 'built in', -Infinity],
    ['winogradOutputBias', 'built in', 0],
  ];
  for (const [name, offsets, floor] of cases) {
    const epilogue = name === 'winogradOutputBias' ? (floor === 0 ? ', + bias, ReLU' : ', + bias') : '';
    it(`${name} (offsets from ${offsets}${epilogue})`, () => {
      const heap = new TestHeap();
      const [L, R] = MATRICES[name];
      const [p, q, s, t] = [L.length, L[0].length, R.length, R[0].length];
      const [tileIn, tileOut] = [q * s * 32, p * t * 32];
      const x = random((tiles * tileIn) / 4, 5);
      const bias = random(4 * vectors, 6);
      const inBase = heap.floats(x);
      const outBase = heap.alloc(tiles * tileOut);
      const inTable = Array.from({ length: q * s }, (_, e) => 32 * e);
      const outTable = Array.from({ length: p * t }, (_, o) => 32 * o);
      const inTiles = heap.ints([0, 1, 2].map((k) => k * tileIn));
      const outTiles = heap.ints([0, 1, 2].map((k) => k * tileOut));
      const args = [
        inBase,
        heap.ints(inTable),
        outBase,
        heap.ints(outTable),
        vectors,
        16,
        16,
        tiles,
        inTiles,
        outTiles,
      ] as const;
      if (offsets === 'tables') heap.simd[name as 'winogradFilter' | 'winogradFilterGrad'](...args);
      else {
        const key = (table: number[]) => ({ key: `test ${table.length}`, bytes: table });
        if (name === 'winogradOutputBias')
          specialisedTransform(heap.memory, name, key(inTable), key(outTable))(...args, heap.floats(bias), floor);
        else
          specialisedTransform(
            heap.memory,
            name as 'winogradInput' | 'winogradOutput' | 'winogradOutputGrad',
            key(inTable),
            key(outTable),
          )(...args);
      }
      const expected = new Float64Array((tiles * tileOut) / 4);
      for (let tile = 0; tile < tiles; tile++)
        for (let lane = 0; lane < 4 * vectors; lane++)
          for (let i = 0; i < p; i++)
            for (let j = 0; j < t; j++) {
              let sum = 0;
              for (let a = 0; a < q; a++)
                for (let b = 0; b < s; b++) sum += L[i][a] * x[(tile * tileIn + 32 * (a * s + b)) / 4 + lane] * R[b][j];
              if (epilogue) sum = Math.max(sum + bias[lane], floor);
              expected[(tile * tileOut + 32 * (i * t + j)) / 4 + lane] = sum;
            }
      const actual = heap.read(outBase, expected.length);
      if (floor === 0) expect(actual.some((v) => v === 0) && actual.some((v) => v > 0)).toBe(true);
      expect(relErr(actual, expected)).toBeLessThan(1e-5);
    });
  }

  it('compiles a specialised transform once per memory and shape', () => {
    const heap = new TestHeap(1);
    const offsets = { key: 'test once', bytes: Array.from({ length: 64 }, (_, e) => 16 * e) };
    const outputs = { key: 'test once', bytes: Array.from({ length: 16 }, (_, e) => 16 * e) };
    const transform = specialisedTransform(heap.memory, 'winogradOutput', offsets, outputs);
    expect(specialisedTransform(heap.memory, 'winogradOutput', offsets, outputs)).toBe(transform);
    expect(specialisedTransform(new TestHeap(1).memory, 'winogradOutput', offsets, outputs)).not.toBe(transform);
  });

  it("runs on a shared memory (tfjs' threaded build)", () => {
    const heap = new TestHeap(1, true);
    // One tile, one vector: X = the identity's first row in every lane → OUT = first column of L times R's first row.
    const x = new Float32Array(64 * 4);
    x.fill(1, 0, 4);
    const inBase = heap.floats(x);
    const outBase = heap.alloc(16 * 16);
    const table = (n: number) => ({ key: `shared ${n}`, bytes: Array.from({ length: n }, (_, e) => 16 * e) });
    const zero = heap.ints([0]);
    specialisedTransform(heap.memory, 'winogradOutput', table(64), table(16))(
      inBase,
      0,
      outBase,
      0,
      1,
      16,
      16,
      1,
      zero,
      zero,
    );
    const out = heap.read(outBase, 64);
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) expect(out[(i * 4 + j) * 4]).toBeCloseTo(AT[i][0] * AT[j][0], 6);
  });
});

describe('the SIMD matrix product C = Aᵀ · B', () => {
  const { simd, f32 } = new TestHeap(4);
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

describe('the pooling gradient windows equal a scalar loop', () => {
  // A 3×3 window in an image 5 pixels wide with 8 channels (two vectors: n = 32 bytes).
  const [C, W] = [8, 5];
  const table = Array.from({ length: 9 }, (_, e) => (Math.floor(e / 3) * W + (e % 3)) * C * 4);

  it('maxPoolGradWindow: dy to the first input equal to y per channel (ties, all-negative, NaN)', () => {
    const heap = new TestHeap(1);
    const rng = new Rng(4);
    const x = Float32Array.from({ length: 3 * W * C }, (_, i) => (i % C === 5 ? -1 - rng.int(3) : rng.int(3)));
    const y = Float32Array.from({ length: C }, (_, c) => Math.max(...table.map((t) => x[t / 4 + c])));
    y[6] = NaN; // a NaN window matches nothing, as on the cpu backend
    y[7] = 0.5; // nor does a value not in the window
    const dy = random(C, 7);
    const dx0 = random(x.length, 8);
    const at = { x: heap.floats(x), y: heap.floats(y), dy: heap.floats(dy), dx: heap.floats(dx0) };
    heap.simd.maxPoolGradWindow(at.x, at.y, at.dy, at.dx, heap.ints(table), table.length, C * 4);
    const expected = Float32Array.from(dx0);
    for (let c = 0; c < C; c++) {
      const first = table.find((t) => x[t / 4 + c] === y[c]);
      if (first !== undefined) expected[first / 4 + c] += dy[c];
    }
    expect(bits(heap.read(at.dx, x.length))).toEqual(bits(expected));
    expect(expected.filter((v, i) => v !== dx0[i]).length).toBe(6);
  });

  it('avgPoolGradWindow: every input of the window gets dy · weight', () => {
    const heap = new TestHeap(1);
    const dy = random(C, 9);
    const dx0 = random(3 * W * C, 10);
    const dx = heap.floats(dx0);
    heap.simd.avgPoolGradWindow(heap.floats(dy), dx, heap.ints(table), table.length, C * 4, 1 / 9);
    const expected = Float32Array.from(dx0);
    for (const t of table) for (let c = 0; c < C; c++) expected[t / 4 + c] += Math.fround(dy[c] * Math.fround(1 / 9));
    expect(bits(heap.read(dx, dx0.length))).toEqual(bits(expected));
  });
});

describe('adam equals the same float32 operations one by one', () => {
  const f = Math.fround;
  for (const [hasMask, weightDecay] of [
    [false, 0],
    [true, 0],
    [true, 0.004],
    [false, 0.01],
  ] as const) {
    it(`${hasMask ? 'masked' : 'unmasked'}, weight decay ${weightDecay}`, () => {
      const heap = new TestHeap(1);
      const n = 24;
      const w = random(n, 11);
      const m = random(n, 12, 0.1);
      const v = random(n, 13, 0.01).map(Math.abs);
      const g = random(n, 14, 0.5);
      const mask = Float32Array.from(random(n, 15), (r) => (r > -0.4 ? 1 : 0));
      const k = [0.9, 0.1, 0.999, 0.001, 1 - 0.9 ** 3, 1 - 0.999 ** 3, 1e-7, -1e-3, weightDecay].map(f);
      const [beta1, omb1, beta2, omb2, oma1, oma2, eps, negLr, wd] = k;
      const at = [w, m, v, g, mask].map((a) => heap.floats(a));
      const out = [0, 1, 2].map(() => heap.alloc(4 * n));
      heap.simd.adam(
        ...(at as [number, number, number, number, number]),
        out[0],
        out[1],
        out[2],
        4 * n,
        beta1,
        omb1,
        beta2,
        omb2,
        oma1,
        oma2,
        eps,
        negLr,
        wd,
        hasMask ? 1 : 0,
        weightDecay > 0 ? 1 : 0,
      );
      const expected = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
      for (let i = 0; i < n; i++) {
        let gi = g[i];
        if (weightDecay > 0) gi = f(gi + f(w[i] * wd));
        if (hasMask) gi = f(gi * mask[i]);
        const mi = f(f(m[i] * beta1) + f(gi * omb1));
        const vi = f(f(v[i] * beta2) + f(f(gi * gi) * omb2));
        let wi = f(f(f(f(mi / oma1) / f(f(Math.sqrt(f(vi / oma2))) + eps)) * negLr) + w[i]);
        if (hasMask) wi = f(wi * mask[i]);
        [expected[0][i], expected[1][i], expected[2][i]] = [wi, mi, vi];
      }
      out.forEach((o, j) => expect(bits(heap.read(o, n)), ['w', 'm', 'v'][j]).toEqual(bits(expected[j])));
      expect(Array.from(heap.read(out[0], n))).not.toEqual(Array.from(w));
    });
  }
});
