/**
 * Our wasm SIMD kernels, generated at start-up (wasm-encoder) and run on tfjs' own wasm
 * memory, four float32 channels per instruction.
 *
 * Addresses are byte addresses in that memory. A "table" is a run of i32 byte offsets in
 * memory: element e of a matrix lives at base + table[e] (+ the vector's step), which lets one
 * function read tiles of an NHWC image, rows of 64 separate matrices, or a filter alike.
 */
import { Code, encodeModule, type FuncSpec } from './wasm-encoder';
import { balanced, transpose, winogradMatrices } from './winograd';
import {
  avgPoolReluGradSums,
  bytesToUnit,
  copyWindow,
  DIRECT_PIXELS,
  directConv,
  reluGradSums,
  type LayerKernels,
} from './layer-kernels';

/** inBase, inTable, outBase, outTable, n, inStep, outStep, tiles, inTiles, outTiles. */
export type TransformArgs = [number, number, number, number, number, number, number, number, number, number];

/**
 * OUT = L · X · R for each of `n` vectors (four channels each) of each of `tiles` tiles: tile τ's
 * X element e = (row, col) is read at inBase + inTiles[τ] + inTable[e] + v·inStep, its OUT
 * element o written at outBase + outTiles[τ] + outTable[o] + v·outStep (i32 tables; built in
 * as constants in the specialised transforms, which ignore inTable and outTable).
 */
export type Transform = (...args: TransformArgs) => void;
/** A transform, then + bias (K floats at `bias`, four per vector) and max with `floor` (0: ReLU; −∞: none). */
export type TransformWithBias = (...args: [...TransformArgs, bias: number, floor: number]) => void;

export interface SimdKernels extends LayerKernels {
  /** Once per call, with tables: the filter's transform U = G · g · Gᵀ, and the filter gradient's dW = Gᵀ · dU · G (8×8 → 5×5). */
  winogradFilter: Transform;
  winogradFilterGrad: Transform;
  /**
   * Blocks of C = Aᵀ · B over `rows` rows: C[i][j] = Σₜ A[t][i] · B[t][j], for `blocks` blocks of
   * R rows (i) by `width` columns (j), gemm{R}x{width}. In a block, A[t][i] is at a + i·aLane + t·aStride
   * (so A as stored is Aᵀ when aLane is a row and aStride 4), B[t][j] at b + t·bStride + 4j and
   * C[i][j] at c + i·cStride + 4j; the next block is the next R values of i. Overwrites C, or
   * adds to it where `accumulate` is 1.
   */
  gemm4x8(...args: GemmArgs): void;
  gemm4x4(...args: GemmArgs): void;
  gemm2x12(...args: GemmArgs): void;
  /**
   * One max-pool window, `n` vectors of channels: window input i (of `count`) is at
   * x + table[i] + v·16; the gradient dy goes to the first input equal to y, per lane.
   */
  maxPoolGradWindow(x: number, y: number, dy: number, dx: number, table: number, count: number, n: number): void;
  /** One average-pool window: dx[x + table[i] + v·16] += dy·weight for each of `count` inputs. */
  avgPoolGradWindow(dy: number, dx: number, table: number, count: number, n: number, weight: number): void;
  /**
   * One Adam step over `bytes` of float32 (a multiple of 16), in exactly tfjs' AdamOptimizer
   * order of operations: g' = (g + w·wd if hasDecay) · mask if hasMask; m' = m·β1 + g'·(1−β1);
   * v' = v·β2 + g'²·(1−β2); w' = (m'/(1−β1ᵗ)) / (√(v'/(1−β2ᵗ)) + ε) · (−lr) + w, then w' · mask.
   */
  adam(
    w: number,
    m: number,
    v: number,
    g: number,
    mask: number,
    wOut: number,
    mOut: number,
    vOut: number,
    bytes: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    oneMinusAcc1: number,
    oneMinusAcc2: number,
    epsilon: number,
    negLearningRate: number,
    weightDecay: number,
    hasMask: number,
    hasDecay: number,
  ): void;
}

/**
 * Winograd F(4×4, 5×5): 8×8 input tiles, 4×4 output tiles, at the usual points 0, ±1, ±2, ±½.
 * F(2×2, 5×5) was 1.3–1.7× slower on LeNet's conv2/conv3 and hardly more accurate.
 */
export const WINOGRAD = balanced(winogradMatrices(4, 5, [0, 1, -1, 2, -2, 0.5, -0.5]));

/** Emits Σ coef·local over the non-zero terms as one v128 on the stack. */
function combination(code: Code, terms: Array<[number, number]>): void {
  const live = terms.filter(([c]) => Math.fround(c) !== 0);
  if (live.length === 0) {
    code.f32x4Const(0);
    return;
  }
  // Start from a term with coefficient ±1 if any, to save a multiply.
  live.sort(([a], [b]) => Number(Math.abs(b) === 1) - Number(Math.abs(a) === 1) || Number(b > 0) - Number(a > 0));
  live.forEach(([c, local], i) => {
    if (i === 0) {
      code.get(local);
      if (c !== 1) code.f32x4Const(c).f32x4Mul();
      return;
    }
    if (c === 1) code.get(local).f32x4Add();
    else if (c === -1) code.get(local).f32x4Sub();
    else code.get(local).f32x4Const(c).f32x4Mul().f32x4Add();
  });
}

/**
 * Emits y = M · x for the v128 locals x, handing each yᵢ to `sink` as an emitter of its value.
 * Two symmetries of Toom-Cook matrices at ±p are shared (the "even/odd" trick):
 * - columns j, j′ equal up to sign in every row: x_j ± x_j′ once, then one term per row;
 * - rows i, i′ equal on some terms and opposite on the others: e ± o from the two half-sums.
 * `temps` are spare v128 locals (q + 2 suffice).
 */
function applyMatrix(
  code: Code,
  M: number[][],
  x: number[],
  sink: (i: number, value: () => void) => void,
  temps: number[],
): void {
  const q = x.length;
  let free = 0;
  const temp = () => {
    if (free >= temps.length) throw new Error('applyMatrix: out of temporaries');
    return temps[free++];
  };
  // Variables: the inputs, with paired columns replaced by their sum and difference.
  const vars: Array<{ local: number; coef: number[] }> = [];
  const paired = new Set<number>();
  for (let j = 0; j < q; j++) {
    if (paired.has(j)) continue;
    const col = M.map((row) => row[j]);
    const partner = col.some((v) => v !== 0)
      ? Array.from({ length: q }, (_, k) => k).find(
          (k) => k > j && !paired.has(k) && M.every((row) => Math.abs(row[k]) === Math.abs(row[j])),
        )
      : undefined;
    if (partner === undefined) {
      vars.push({ local: x[j], coef: col });
      continue;
    }
    paired.add(partner);
    const [sum, diff] = [temp(), temp()];
    code.get(x[j]).get(x[partner]).f32x4Add().set(sum);
    code.get(x[j]).get(x[partner]).f32x4Sub().set(diff);
    vars.push({ local: sum, coef: M.map((row) => (row[partner] === row[j] ? row[j] : 0)) });
    vars.push({ local: diff, coef: M.map((row) => (row[partner] === row[j] ? 0 : row[j])) });
  }
  const terms = (i: number, keep: (v: number) => boolean): Array<[number, number]> =>
    vars.flatMap((v, k): Array<[number, number]> => (keep(k) && v.coef[i] !== 0 ? [[v.coef[i], v.local]] : []));
  const done = new Set<number>();
  const [even, odd] = [temp(), temp()];
  for (let i = 0; i < M.length; i++) {
    if (done.has(i)) continue;
    const nonzero = vars.map((_, k) => k).filter((k) => vars[k].coef[i] !== 0);
    const partner = M.findIndex(
      (_, i2) =>
        i2 > i &&
        !done.has(i2) &&
        vars.every((v) => Math.abs(v.coef[i2]) === Math.abs(v.coef[i])) &&
        nonzero.some((k) => vars[k].coef[i2] === vars[k].coef[i]) &&
        nonzero.some((k) => vars[k].coef[i2] === -vars[k].coef[i]),
    );
    if (partner < 0) {
      sink(i, () =>
        combination(
          code,
          terms(i, () => true),
        ),
      );
      continue;
    }
    done.add(partner);
    const isEven = (k: number) => vars[k].coef[partner] === vars[k].coef[i];
    combination(code, terms(i, isEven));
    code.set(even);
    combination(
      code,
      terms(i, (k) => !isEven(k)),
    );
    code.set(odd);
    sink(i, () => code.get(even).get(odd).f32x4Add());
    sink(partner, () => code.get(even).get(odd).f32x4Sub());
  }
}

/**
 * A function computing OUT = L · X · R (L: p×q, X: q×s, R: s×t), unrolled, for `n` vectors of
 * each of `tiles` tiles: tile τ reads at inBase + inTiles[τ] and writes at outBase + outTiles[τ]
 * (i32 tables), so that one call covers a block of tiles. Element e of a tile is at inTable[e]
 * from its base, or, given `constant` offsets, at those, built into the loads and stores.
 */
function linearTransform(
  fname: string,
  L: number[][],
  R: number[][],
  withBias = false,
  constant?: { inputs: ArrayLike<number>; outputs: ArrayLike<number> },
): FuncSpec {
  const staticIn = constant?.inputs;
  const staticOut = constant?.outputs;
  const p = L.length;
  const q = L[0].length;
  const s = R.length;
  const t = R[0].length;
  const [inBase, inTable, outBase, outTable, n, inStep, outStep, tiles, inTiles, outTiles, bias, floor] = Array.from(
    { length: 12 },
    (_, i) => i,
  );
  const paramCount = withBias ? 12 : 10;
  let next = paramCount;
  const [vin, vout, left, biasAt] = [next++, next++, next++, next++];
  // Element addresses from the tables, only where they are not built in.
  const inAddr = staticIn ? [] : Array.from({ length: q * s }, () => next++);
  const outAddr = staticOut ? [] : Array.from({ length: p * t }, () => next++);
  const i32Count = next - paramCount;
  const x = Array.from({ length: q * s }, () => next++);
  const tmp = Array.from({ length: q * t }, () => next++);
  const temps = Array.from({ length: Math.max(q, s) + 2 }, () => next++);
  const [biasV, floorV] = [next++, next++];
  const v128Count = next - paramCount - i32Count;
  const RT = transpose(R);

  const code = new Code();
  inAddr.forEach((local, e) =>
    code
      .get(inTable)
      .i32Load(4 * e)
      .set(local),
  );
  outAddr.forEach((local, o) =>
    code
      .get(outTable)
      .i32Load(4 * o)
      .set(local),
  );
  code.countdown(tiles, () => {
    code.get(inBase).get(inTiles).i32Load().i32Add().set(vin);
    code.get(outBase).get(outTiles).i32Load().i32Add().set(vout);
    code.get(n).set(left);
    if (withBias) code.get(bias).set(biasAt).get(floor).f32x4Splat().set(floorV);
    code.countdown(left, () => {
      if (staticIn) x.forEach((local, e) => code.get(vin).v128Load(staticIn[e]).set(local));
      else inAddr.forEach((a, e) => code.get(a).get(vin).i32Add().v128Load().set(x[e]));
      if (withBias) code.get(biasAt).v128Load().set(biasV);
      // Rows first: TMP = X · R (q × t), then OUT = L · TMP (p × t), stored as it is made.
      for (let row = 0; row < q; row++) {
        const xRow = x.slice(row * s, (row + 1) * s);
        applyMatrix(
          code,
          RT,
          xRow,
          (j, value) => {
            value();
            code.set(tmp[row * t + j]);
          },
          temps,
        );
      }
      for (let j = 0; j < t; j++) {
        const column = Array.from({ length: q }, (_, k) => tmp[k * t + j]);
        applyMatrix(
          code,
          L,
          column,
          (i, value) => {
            if (staticOut) code.get(vout);
            else
              code
                .get(outAddr[i * t + j])
                .get(vout)
                .i32Add();
            value();
            // The epilogue: + bias, then max with the floor (0 for ReLU, −∞ for none).
            if (withBias) code.get(biasV).f32x4Add().get(floorV).f32x4Max();
            code.v128Store(staticOut ? staticOut[i * t + j] : 0);
          },
          temps,
        );
      }
      code.advance(vin, inStep).advance(vout, outStep);
      if (withBias) code.bump(biasAt, 16);
    });
    code.bump(inTiles, 4);
    code.bump(outTiles, 4);
  });
  return {
    name: fname,
    params: withBias ? [...Array(11).fill('i32'), 'f32'] : Array(paramCount).fill('i32'),
    locals: [...Array(i32Count).fill('i32'), ...Array(v128Count).fill('v128')],
    body: code,
  };
}

type GemmArgs = [
  a: number,
  b: number,
  c: number,
  rows: number,
  aLane: number,
  aStride: number,
  bStride: number,
  cStride: number,
  blocks: number,
  accumulate: number,
];

/** gemm{R}x{4·vectors} — see SimdKernels: blocks of R rows by `vectors` vectors. */
function gemm(fname: string, vectors: number, R = 4): FuncSpec {
  const [a, b, c, rows, aLane, aStride, bStride, cStride, blocks, accumulate] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const aRow = Array.from({ length: R }, (_, i) => 10 + i); // the block's A pointers
  const [bp, cp, left] = [10 + R, 11 + R, 12 + R];
  const firstV = 13 + R;
  const acc = Array.from({ length: R * vectors }, (_, k) => firstV + k);
  const bv = Array.from({ length: vectors }, (_, k) => firstV + R * vectors + k);
  const splat = firstV + (R + 1) * vectors;
  const code = new Code();
  code.countdown(blocks, () => {
    code.get(a).set(aRow[0]);
    for (let i = 1; i < R; i++)
      code
        .get(aRow[i - 1])
        .get(aLane)
        .i32Add()
        .set(aRow[i]);
    code.get(b).set(bp).get(c).set(cp).get(rows).set(left);
    for (const r of acc) code.f32x4Const(0).set(r);
    code.get(accumulate).ifThen();
    for (let i = 0; i < R; i++) {
      for (let k = 0; k < vectors; k++)
        code
          .get(cp)
          .v128Load(16 * k)
          .set(acc[i * vectors + k]);
      code.advance(cp, cStride);
    }
    code.get(c).set(cp);
    code.end();
    code.countdown(left, () => {
      bv.forEach((r, k) =>
        code
          .get(bp)
          .v128Load(16 * k)
          .set(r),
      );
      for (let i = 0; i < R; i++) {
        code.get(aRow[i]).v128Load32Splat().set(splat);
        for (let k = 0; k < vectors; k++) {
          const r = acc[i * vectors + k];
          code.get(r).get(splat).get(bv[k]).f32x4Mul().f32x4Add().set(r);
        }
      }
      for (const p of aRow) code.advance(p, aStride);
      code.advance(bp, bStride);
    });
    for (let i = 0; i < R; i++) {
      for (let k = 0; k < vectors; k++)
        code
          .get(cp)
          .get(acc[i * vectors + k])
          .v128Store(16 * k);
      code.advance(cp, cStride);
    }
    // The next block: R A columns on; C's next rows start where the stores ended.
    code.get(a).get(aLane).i32(R).i32Mul().i32Add().set(a);
    code.get(cp).set(c);
  });
  return {
    name: fname,
    params: Array(10).fill('i32'),
    locals: [...Array(3 + R).fill('i32'), ...Array((R + 1) * vectors + 1).fill('v128')],
    body: code,
  };
}

/** maxPoolGradWindow(x, y, dy, dx, table, count, n) — see SimdKernels. */
function maxPoolGradWindow(): FuncSpec {
  const [x, y, dy, dx, table, count, n] = [0, 1, 2, 3, 4, 5, 6];
  const [v, i, off] = [7, 8, 9];
  const [m, g, found, hit] = [10, 11, 12, 13];
  const code = new Code();
  code.whileBelow(v, n, 16, () => {
    code.get(y).get(v).i32Add().v128Load().set(m);
    code.get(dy).get(v).i32Add().v128Load().set(g);
    code.f32x4Const(0).set(found);
    code.i32(0).set(i);
    code.whileBelow(i, count, 1, () => {
      code.get(table).get(i).i32(4).i32Mul().i32Add().i32Load().get(v).i32Add().set(off);
      // hit = (x == m) and not yet found; dx += dy where hit.
      code.get(x).get(off).i32Add().v128Load().get(m).f32x4Eq().get(found).v128AndNot().set(hit);
      code.get(dx).get(off).i32Add();
      code.get(dx).get(off).i32Add().v128Load().get(g).get(hit).v128And().f32x4Add();
      code.v128Store();
      code.get(found).get(hit).v128Or().set(found);
    });
  });
  return {
    name: 'maxPoolGradWindow',
    params: Array(7).fill('i32'),
    locals: ['i32', 'i32', 'i32', 'v128', 'v128', 'v128', 'v128'],
    body: code,
  };
}

/** avgPoolGradWindow(dy, dx, table, count, n, weight) — see SimdKernels. */
function avgPoolGradWindow(): FuncSpec {
  const [dy, dx, table, count, n, weight] = [0, 1, 2, 3, 4, 5];
  const [v, i, off] = [6, 7, 8];
  const g = 9;
  const code = new Code();
  code.whileBelow(v, n, 16, () => {
    code.get(dy).get(v).i32Add().v128Load().get(weight).f32x4Splat().f32x4Mul().set(g);
    code.i32(0).set(i);
    code.whileBelow(i, count, 1, () => {
      code.get(dx).get(table).get(i).i32(4).i32Mul().i32Add().i32Load().i32Add().get(v).i32Add().set(off);
      code.get(off).get(off).v128Load().get(g).f32x4Add().v128Store();
    });
  });
  return {
    name: 'avgPoolGradWindow',
    params: ['i32', 'i32', 'i32', 'i32', 'i32', 'f32'],
    locals: ['i32', 'i32', 'i32', 'v128'],
    body: code,
  };
}

/** adam(...) — see SimdKernels. */
function adam(): FuncSpec {
  const [w, m, v, g, mask, wOut, mOut, vOut, bytes] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [beta1, omb1, beta2, omb2, oma1, oma2, eps, negLr, wd] = [9, 10, 11, 12, 13, 14, 15, 16, 17];
  const [hasMask, hasDecay] = [18, 19];
  const off = 20;
  const [gv, mv, vv, wv] = [21, 22, 23, 24];
  const splat = (local: number) => (c: Code) => c.get(local).f32x4Splat();
  const code = new Code();
  code.whileBelow(off, bytes, 16, () => {
    code.get(g).get(off).i32Add().v128Load().set(gv);
    code.get(w).get(off).i32Add().v128Load().set(wv);
    code.get(hasDecay).ifThen();
    code.get(gv).get(wv).snippet(splat(wd)).f32x4Mul().f32x4Add().set(gv);
    code.end();
    code.get(hasMask).ifThen();
    code.get(gv).get(mask).get(off).i32Add().v128Load().f32x4Mul().set(gv);
    code.end();
    // m' = m·β1 + g·(1−β1)
    code.get(m).get(off).i32Add().v128Load().snippet(splat(beta1)).f32x4Mul();
    code.get(gv).snippet(splat(omb1)).f32x4Mul().f32x4Add().set(mv);
    // v' = v·β2 + g²·(1−β2)
    code.get(v).get(off).i32Add().v128Load().snippet(splat(beta2)).f32x4Mul();
    code.get(gv).get(gv).f32x4Mul().snippet(splat(omb2)).f32x4Mul().f32x4Add().set(vv);
    code.get(mOut).get(off).i32Add().get(mv).v128Store();
    code.get(vOut).get(off).i32Add().get(vv).v128Store();
    // w' = (m̂ / (√v̂ + ε)) · (−lr) + w
    code.get(mv).snippet(splat(oma1)).f32x4Div();
    code.get(vv).snippet(splat(oma2)).f32x4Div().f32x4Sqrt().snippet(splat(eps)).f32x4Add();
    code.f32x4Div().snippet(splat(negLr)).f32x4Mul().get(wv).f32x4Add().set(wv);
    code.get(hasMask).ifThen();
    code.get(wv).get(mask).get(off).i32Add().v128Load().f32x4Mul().set(wv);
    code.end();
    code.get(wOut).get(off).i32Add().get(wv).v128Store();
  });
  return {
    name: 'adam',
    params: [...Array(9).fill('i32'), ...Array(9).fill('f32'), 'i32', 'i32'],
    locals: ['i32', 'v128', 'v128', 'v128', 'v128'],
    body: code,
  };
}

const { AT, G, BT } = WINOGRAD;
/**
 * The transforms' matrices L and R (OUT = L · X · R), and whether bias and floor follow. Per
 * tile: the input's V = Bᵀ · d · B, the output's Y = Aᵀ · M · A, and the filter gradient's
 * Z = A · dY · Aᵀ (4×4 → 8×8), all specialised per shape; once per call: the filter's and
 * the filter gradient's, in our module.
 */
export type TransformName =
  | 'winogradInput'
  | 'winogradFilter'
  | 'winogradOutput'
  | 'winogradOutputBias'
  | 'winogradOutputGrad'
  | 'winogradFilterGrad';
const TRANSFORMS: Record<TransformName, [L: number[][], R: number[][], withBias: boolean]> = {
  winogradInput: [BT, transpose(BT), false],
  winogradFilter: [G, transpose(G), false],
  winogradOutput: [AT, transpose(AT), false],
  winogradOutputBias: [AT, transpose(AT), true],
  winogradOutputGrad: [transpose(AT), AT, false],
  winogradFilterGrad: [transpose(G), G, false],
};

export function simdModuleBytes(sharedMemory: boolean): Uint8Array<ArrayBuffer> {
  return encodeModule(
    [
      linearTransform('winogradFilter', ...TRANSFORMS.winogradFilter),
      linearTransform('winogradFilterGrad', ...TRANSFORMS.winogradFilterGrad),
      gemm('gemm4x8', 2),
      gemm('gemm4x4', 1),
      maxPoolGradWindow(),
      avgPoolGradWindow(),
      adam(),
      ...[1, 2, 3, 4].map((vectors) => directConv(DIRECT_PIXELS, vectors)),
      reluGradSums(),
      copyWindow(),
      gemm('gemm2x12', 3, 2),
      avgPoolReluGradSums(),
      bytesToUnit(),
    ],
    sharedMemory,
  );
}

/**
 * C [m × n] = Aᵀ · B (or C += Aᵀ · B) over `rows` rows (m a multiple of 4, n of 4), in 4 × 8
 * blocks and a 4 × 4 remainder; but where n is 4 past a multiple of 8 (a 10× network's 12 and
 * 20 channels) the last 12 columns go in 2 × 12 blocks. A 4 × 4 block took 1.4× the time per
 * multiply of a 4 × 8 one; 2 × 12 keeps its 10 vectors in registers (3 × 12 and 4 × 12 spilled)
 * and made 12- and 20-column products 1.1–1.2× faster. A[t][i] at a + i·aLane + t·aStride;
 * B[t][j] at b + t·bStride + 4j; C row-major with rows cStride bytes apart.
 */
export function product(
  simd: SimdKernels,
  p: {
    a: number;
    b: number;
    c: number;
    rows: number;
    m: number;
    n: number;
    aLane: number;
    aStride: number;
    bStride: number;
    cStride: number;
    accumulate?: boolean;
  },
): void {
  const add = p.accumulate ? 1 : 0;
  let j = 0;
  for (; j + 8 <= p.n && p.n - j !== 12; j += 8) {
    simd.gemm4x8(p.a, p.b + 4 * j, p.c + 4 * j, p.rows, p.aLane, p.aStride, p.bStride, p.cStride, p.m / 4, add);
  }
  if (p.n - j === 12)
    simd.gemm2x12(p.a, p.b + 4 * j, p.c + 4 * j, p.rows, p.aLane, p.aStride, p.bStride, p.cStride, p.m / 2, add);
  else if (j < p.n)
    simd.gemm4x4(p.a, p.b + 4 * j, p.c + 4 * j, p.rows, p.aLane, p.aStride, p.bStride, p.cStride, p.m / 4, add);
}

/** Byte offsets of a tile's elements from its base, and a short key naming them. */
export interface ElementOffsets {
  key: string;
  bytes: ArrayLike<number>;
}

/**
 * A transform of `name` with the tile element offsets of one layer shape built in: of the
 * tile's inputs from its input base, and of its outputs from its output base. It takes the
 * generic kernel's arguments and ignores inTable and outTable. Offsets held as constants
 * instead of 128 table entries that the compiler spills: the input transform took 0.75–0.85 of
 * the time. Compiled once per memory and shape, a module of its own (a few per layer shape;
 * evolution makes new shapes, so the cache is bounded).
 */
export function specialisedTransform(
  memory: WebAssembly.Memory,
  name: 'winogradInput' | 'winogradOutput' | 'winogradOutputGrad',
  inputs: ElementOffsets,
  outputs: ElementOffsets,
): Transform;
export function specialisedTransform(
  memory: WebAssembly.Memory,
  name: 'winogradOutputBias',
  inputs: ElementOffsets,
  outputs: ElementOffsets,
): TransformWithBias;
export function specialisedTransform(
  memory: WebAssembly.Memory,
  name: TransformName,
  inputs: ElementOffsets,
  outputs: ElementOffsets,
): Transform | TransformWithBias {
  return specialisedKernel(memory, `${name} ${inputs.key} ${outputs.key}`, () =>
    linearTransform(name, ...TRANSFORMS[name], { inputs: inputs.bytes, outputs: outputs.bytes }),
  );
}

/**
 * The function `make` generates, compiled into a module of its own on `memory`, once per
 * memory and `key` (which must name everything the function builds in). Bounded: evolution
 * keeps making new layer shapes.
 */
export function specialisedKernel<F>(memory: WebAssembly.Memory, key: string, make: () => FuncSpec): F {
  let cache = specialised.get(memory);
  if (!cache) specialised.set(memory, (cache = new Map()));
  let kernel = cache.get(key);
  if (!kernel) {
    if (cache.size >= 128) cache.clear();
    const spec = make();
    kernel = instantiate(encodeModule([spec], isShared(memory)), memory)[spec.name];
    cache.set(key, kernel);
  }
  return kernel as F;
}
const specialised = new WeakMap<WebAssembly.Memory, Map<string, unknown>>();

/** Whether `memory` is shared (tfjs' threaded build): our modules must import it as shared. */
const isShared = (memory: WebAssembly.Memory): boolean =>
  typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;

/** The exports of `bytes` instantiated on `memory`. */
const instantiate = (bytes: Uint8Array<ArrayBuffer>, memory: WebAssembly.Memory): Record<string, unknown> =>
  new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as Record<string, unknown>;

const instances = new WeakMap<WebAssembly.Memory, SimdKernels | null>();

/**
 * The kernels bound to `memory`, or null where wasm SIMD is unavailable (they are an
 * optimisation: callers fall back to tfjs' kernels). Compiled once per memory.
 */
export function simdKernelsFor(memory: WebAssembly.Memory): SimdKernels | null {
  if (instances.has(memory)) return instances.get(memory)!;
  const bytes = simdModuleBytes(isShared(memory));
  // Invalid here means no SIMD support (tests check that Node and Chromium validate it).
  const kernels = WebAssembly.validate(bytes) ? (instantiate(bytes, memory) as unknown as SimdKernels) : null;
  instances.set(memory, kernels);
  return kernels;
}
