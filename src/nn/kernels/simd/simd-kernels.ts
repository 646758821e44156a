/**
 * Our wasm SIMD kernels, generated at start-up (wasm-encoder) and run on tfjs' own wasm
 * memory, four float32 channels per instruction.
 *
 * Addresses are byte addresses in that memory. A "table" is a run of i32 byte offsets in
 * memory: element e of a matrix lives at base + table[e] (+ the vector's step), which lets one
 * function read tiles of an NHWC image, rows of 64 separate matrices, or a filter alike.
 *
 * Each generator below documents its function's parameters in order; the TypeScript signature
 * of every export (SimdKernels) follows from the parameters the generator declares.
 */
import {
  Code,
  encodeModule,
  repeat,
  wasmFunction,
  type FuncSpec,
  type Local,
  type ModuleExports,
  type ParamType,
  type Repeat,
  type Signature,
} from './wasm-encoder';
import { balanced, transpose, winogradMatrices } from './winograd';
import { avgPoolReluGradSums, bytesToUnit, copyWindow, DIRECT_PIXELS, directConv, reluGradSums } from './layer-kernels';

/** inBase, inTable, outBase, outTable, n, inStep, outStep, tiles, inTiles, outTiles. */
type TransformParams = Repeat<'i32', 10>;
/** The same, then bias (i32 address) and floor (f32). */
type TransformBiasParams = readonly [...Repeat<'i32', 11>, 'f32'];

/**
 * OUT = L · X · R for each of `n` vectors (four channels each) of each of `tiles` tiles: tile τ's
 * X element e = (row, col) is read at inBase + inTiles[τ] + inTable[e] + v·inStep, its OUT
 * element o written at outBase + outTiles[τ] + outTable[o] + v·outStep (i32 tables; built in
 * as constants in the specialised transforms, which ignore inTable and outTable).
 */
export type Transform = Signature<TransformParams>;
/** A transform, then + bias (K floats at `bias`, four per vector) and max with `floor` (0: ReLU; −∞: none). */
export type TransformWithBias = Signature<TransformBiasParams>;

/**
 * Winograd F(4×4, 5×5): 8×8 input tiles, 4×4 output tiles, at the usual points 0, ±1, ±2, ±½.
 * F(2×2, 5×5) was 1.3–1.7× slower on LeNet's conv2/conv3 and hardly more accurate.
 */
export const WINOGRAD = balanced(winogradMatrices(4, 5, [0, 1, -1, 2, -2, 0.5, -0.5]));

type V128 = Local<'v128'>;

/** Emits Σ coef·local over the non-zero terms as one v128 on the stack. */
function combination(code: Code, terms: Array<[number, V128]>): void {
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
  x: readonly V128[],
  sink: (i: number, value: () => void) => void,
  temps: readonly V128[],
): void {
  const q = x.length;
  let free = 0;
  const temp = () => {
    if (free >= temps.length) throw new Error('applyMatrix: out of temporaries');
    return temps[free++];
  };
  // Variables: the inputs, with paired columns replaced by their sum and difference.
  const vars: Array<{ local: V128; coef: number[] }> = [];
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
  const terms = (i: number, keep: (v: number) => boolean): Array<[number, V128]> =>
    vars.flatMap((v, k): Array<[number, V128]> => (keep(k) && v.coef[i] !== 0 ? [[v.coef[i], v.local]] : []));
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

/** Tile element offsets built into a specialised transform (instead of its in/out tables). */
interface ConstantOffsets {
  inputs: ArrayLike<number>;
  outputs: ArrayLike<number>;
}

/** The locals a transform's code needs: its ten parameters, and the epilogue's if it has one. */
interface TransformFunction {
  code: Code;
  local<T extends 'i32' | 'v128'>(type: T): Local<T>;
  locals<T extends 'i32' | 'v128'>(type: T, count: number): Array<Local<T>>;
}

/**
 * A function computing OUT = L · X · R (L: p×q, X: q×s, R: s×t), unrolled, for `n` vectors of
 * each of `tiles` tiles: tile τ reads at inBase + inTiles[τ] and writes at outBase + outTiles[τ]
 * (i32 tables), so that one call covers a block of tiles. Element e of a tile is at inTable[e]
 * from its base, or, given `constant` offsets, at those, built into the loads and stores.
 * Parameters: see Transform (and TransformWithBias with `epilogue`).
 */
function emitTransform(
  f: TransformFunction,
  [inBase, inTable, outBase, outTable, n, inStep, outStep, tiles, inTiles, outTiles]: ReadonlyArray<Local<'i32'>>,
  L: number[][],
  R: number[][],
  epilogue: { bias: Local<'i32'>; floor: Local<'f32'> } | null,
  constant?: ConstantOffsets,
): void {
  const staticIn = constant?.inputs;
  const staticOut = constant?.outputs;
  const p = L.length;
  const q = L[0].length;
  const s = R.length;
  const t = R[0].length;
  const [vin, vout, left, biasAt] = f.locals('i32', 4);
  // Element addresses from the tables, only where they are not built in.
  const inAddr = staticIn ? [] : f.locals('i32', q * s);
  const outAddr = staticOut ? [] : f.locals('i32', p * t);
  const x = f.locals('v128', q * s);
  const tmp = f.locals('v128', q * t);
  const temps = f.locals('v128', Math.max(q, s) + 2);
  const [biasV, floorV] = f.locals('v128', 2);
  const RT = transpose(R);

  const code = f.code;
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
    if (epilogue) code.get(epilogue.bias).set(biasAt).get(epilogue.floor).f32x4Splat().set(floorV);
    code.countdown(left, () => {
      if (staticIn) x.forEach((local, e) => code.get(vin).v128Load(staticIn[e]).set(local));
      else inAddr.forEach((a, e) => code.get(a).get(vin).i32Add().v128Load().set(x[e]));
      if (epilogue) code.get(biasAt).v128Load().set(biasV);
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
            if (epilogue) code.get(biasV).f32x4Add().get(floorV).f32x4Max();
            code.v128Store(staticOut ? staticOut[i * t + j] : 0);
          },
          temps,
        );
      }
      code.advance(vin, inStep).advance(vout, outStep);
      if (epilogue) code.bump(biasAt, 16);
    });
    code.bump(inTiles, 4);
    code.bump(outTiles, 4);
  });
}

/** OUT = L · X · R per tile (see Transform). */
function linearTransform<const Name extends string>(
  name: Name,
  L: number[][],
  R: number[][],
  constant?: ConstantOffsets,
): FuncSpec<Name, TransformParams> {
  const f = wasmFunction(name, repeat('i32', 10));
  emitTransform(f, f.params, L, R, null, constant);
  return f.finish();
}

/** OUT = max(L · X · R + bias, floor) per tile (see TransformWithBias). */
function linearTransformWithBias<const Name extends string>(
  name: Name,
  L: number[][],
  R: number[][],
  constant?: ConstantOffsets,
): FuncSpec<Name, TransformBiasParams> {
  const f = wasmFunction(name, [...repeat('i32', 11), 'f32']);
  const [bias, floor] = [f.params[10], f.params[11]];
  emitTransform(f, f.params.slice(0, 10) as Array<Local<'i32'>>, L, R, { bias, floor }, constant);
  return f.finish();
}

/**
 * gemm{R}x{4·vectors}(a, b, c, rows, aLane, aStride, bStride, cStride, blocks, accumulate):
 * blocks of C = Aᵀ · B over `rows` rows: C[i][j] = Σₜ A[t][i] · B[t][j], for `blocks` blocks of
 * R rows (i) by 4·vectors columns (j). In a block, A[t][i] is at a + i·aLane + t·aStride (so A as
 * stored is Aᵀ when aLane is a row and aStride 4), B[t][j] at b + t·bStride + 4j and C[i][j] at
 * c + i·cStride + 4j; the next block is the next R values of i. Overwrites C, or adds to it where
 * `accumulate` is 1.
 */
function gemm<const Name extends string>(name: Name, vectors: number, R = 4): FuncSpec<Name, Repeat<'i32', 10>> {
  const f = wasmFunction(name, repeat('i32', 10));
  const [a, b, c, rows, aLane, aStride, bStride, cStride, blocks, accumulate] = f.params;
  const aRow = f.locals('i32', R); // the block's A pointers
  const [bp, cp, left] = f.locals('i32', 3);
  const acc = f.locals('v128', R * vectors);
  const bv = f.locals('v128', vectors);
  const splat = f.local('v128');
  const code = f.code;
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
  return f.finish();
}

/**
 * maxPoolGradWindow(x, y, dy, dx, table, count, n): one max-pool window, `n` bytes of channel
 * vectors: window input i (of `count`) is at x + table[i] + v (v = 0, 16, …); the gradient dy
 * goes to the first input equal to y, per lane.
 */
function maxPoolGradWindow() {
  const f = wasmFunction('maxPoolGradWindow', repeat('i32', 7));
  const [x, y, dy, dx, table, count, n] = f.params;
  const [v, i, off] = f.locals('i32', 3);
  const [m, g, found, hit] = f.locals('v128', 4);
  const code = f.code;
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
  return f.finish();
}

/**
 * avgPoolGradWindow(dy, dx, table, count, n, weight): one average-pool window, `n` bytes of
 * channel vectors: dx[table[i] + v] += dy[v]·weight for each of `count` inputs (v = 0, 16, …).
 */
function avgPoolGradWindow() {
  const f = wasmFunction('avgPoolGradWindow', [...repeat('i32', 5), 'f32']);
  const [dy, dx, table, count, n, weight] = f.params;
  const [v, i, off] = f.locals('i32', 3);
  const g = f.local('v128');
  const code = f.code;
  code.whileBelow(v, n, 16, () => {
    code.get(dy).get(v).i32Add().v128Load().get(weight).f32x4Splat().f32x4Mul().set(g);
    code.i32(0).set(i);
    code.whileBelow(i, count, 1, () => {
      code.get(dx).get(table).get(i).i32(4).i32Mul().i32Add().i32Load().i32Add().get(v).i32Add().set(off);
      code.get(off).get(off).v128Load().get(g).f32x4Add().v128Store();
    });
  });
  return f.finish();
}

/**
 * adam(w, m, v, g, mask, wOut, mOut, vOut, bytes, beta1, oneMinusBeta1, beta2, oneMinusBeta2,
 * oneMinusAcc1, oneMinusAcc2, epsilon, negLearningRate, weightDecay, hasMask, hasDecay): one
 * Adam step over `bytes` of float32 (a multiple of 16), in exactly tfjs' AdamOptimizer order of
 * operations: g' = (g + w·wd if hasDecay) · mask if hasMask; m' = m·β1 + g'·(1−β1);
 * v' = v·β2 + g'²·(1−β2); w' = (m'/(1−β1ᵗ)) / (√(v'/(1−β2ᵗ)) + ε) · (−lr) + w, then w' · mask.
 */
function adam() {
  const f = wasmFunction('adam', [...repeat('i32', 9), ...repeat('f32', 9), 'i32', 'i32']);
  const [w, m, v, g, mask, wOut, mOut, vOut, bytes] = f.params;
  const [, , , , , , , , , beta1, omb1, beta2, omb2, oma1, oma2, eps, negLr, wd, hasMask, hasDecay] = f.params;
  const off = f.local('i32');
  const [gv, mv, vv, wv] = f.locals('v128', 4);
  const splat = (local: Local<'f32'>) => (c: Code) => c.get(local).f32x4Splat();
  const code = f.code;
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
  return f.finish();
}

const { AT, G, BT } = WINOGRAD;
/**
 * The transforms' matrices L and R (OUT = L · X · R); winogradOutputBias adds bias and floor. Per
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
const TRANSFORMS: Record<TransformName, [L: number[][], R: number[][]]> = {
  winogradInput: [BT, transpose(BT)],
  winogradFilter: [G, transpose(G)],
  winogradOutput: [AT, transpose(AT)],
  winogradOutputBias: [AT, transpose(AT)],
  winogradOutputGrad: [transpose(AT), AT],
  winogradFilterGrad: [transpose(G), G],
};

/** The functions of our module, in export order. */
function simdFunctions() {
  return [
    // Once per call, with tables: the filter's transform U = G · g · Gᵀ, and the filter
    // gradient's dW = Gᵀ · dU · G (8×8 → 5×5).
    linearTransform('winogradFilter', ...TRANSFORMS.winogradFilter),
    linearTransform('winogradFilterGrad', ...TRANSFORMS.winogradFilterGrad),
    gemm('gemm4x8', 2),
    gemm('gemm4x4', 1),
    maxPoolGradWindow(),
    avgPoolGradWindow(),
    adam(),
    directConv(DIRECT_PIXELS, 1),
    directConv(DIRECT_PIXELS, 2),
    directConv(DIRECT_PIXELS, 3),
    directConv(DIRECT_PIXELS, 4),
    reluGradSums(),
    copyWindow(),
    gemm('gemm2x12', 3, 2),
    avgPoolReluGradSums(),
    bytesToUnit(),
  ] as const;
}

/** Our kernels as JavaScript sees them: one function per generated export, typed by its parameters. */
export type SimdKernels = ModuleExports<ReturnType<typeof simdFunctions>>;

export function simdModuleBytes(sharedMemory: boolean): Uint8Array<ArrayBuffer> {
  return encodeModule(simdFunctions(), sharedMemory);
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
  const constant = { inputs: inputs.bytes, outputs: outputs.bytes };
  const key = `${name} ${inputs.key} ${outputs.key}`;
  return name === 'winogradOutputBias'
    ? specialisedKernel(memory, key, () => linearTransformWithBias(name, ...TRANSFORMS[name], constant))
    : specialisedKernel(memory, key, () => linearTransform(name, ...TRANSFORMS[name], constant));
}

/**
 * The function `make` generates, compiled into a module of its own on `memory`, once per
 * memory and `key` (which must name everything the function builds in). Bounded: evolution
 * keeps making new layer shapes.
 */
export function specialisedKernel<P extends readonly ParamType[]>(
  memory: WebAssembly.Memory,
  key: string,
  make: () => FuncSpec<string, P>,
): Signature<P> {
  let cache = specialised.get(memory);
  if (!cache) specialised.set(memory, (cache = new Map()));
  let kernel = cache.get(key);
  if (!kernel) {
    if (cache.size >= 128) cache.clear();
    const spec = make();
    kernel = instantiate(encodeModule([spec], isShared(memory)), memory)[spec.name];
    cache.set(key, kernel);
  }
  return kernel as Signature<P>;
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
 * A one-function module that uses a SIMD instruction (v128.const, then drop): whether this
 * WebAssembly has SIMD at all, apart from anything our generator emits.
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a,
  0x17, 0x01, 0x15, 0x00, 0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1a, 0x0b,
]);

/** Whether WebAssembly here validates SIMD instructions. */
export const simdSupported = (): boolean => WebAssembly.validate(SIMD_PROBE);

/**
 * The exports of our generated module `bytes` on `memory`, or null where WebAssembly has no
 * SIMD (`simd` says whether it has). A module that fails to validate where SIMD exists is a bug
 * in the generator, not a missing feature: it throws, with the engine's reason.
 */
export function instantiateKernels<K>(
  bytes: Uint8Array<ArrayBuffer>,
  memory: WebAssembly.Memory,
  simd: boolean = simdSupported(),
): K | null {
  if (WebAssembly.validate(bytes)) return instantiate(bytes, memory) as K;
  if (!simd) return null;
  let reason = 'no reason given';
  try {
    new WebAssembly.Module(bytes);
  } catch (e) {
    reason = (e as Error).message;
  }
  throw new Error(
    `EvoLab's generated wasm SIMD module does not validate although this WebAssembly supports SIMD ` +
      `(a bug in src/nn/kernels/simd): ${reason}`,
  );
}

/**
 * The kernels bound to `memory`, or null where wasm SIMD is unavailable (they are an
 * optimisation: callers fall back to tfjs' kernels). Compiled once per memory.
 */
export function simdKernelsFor(memory: WebAssembly.Memory): SimdKernels | null {
  if (instances.has(memory)) return instances.get(memory)!;
  const kernels = instantiateKernels<SimdKernels>(simdModuleBytes(isShared(memory)), memory);
  instances.set(memory, kernels);
  return kernels;
}
