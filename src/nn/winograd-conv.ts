/**
 * 5×5, stride-1 convolutions on tfjs' wasm backend by Winograd F(4×4, 5×5): 64 multiplications
 * per 4×4 output tile and channel pair instead of 400. The transforms and the 64 matrix products
 * of the transformed input and filter ([tiles × C] · [C × K]) are our wasm SIMD kernels
 * (simd/simd-kernels.ts), four channels at a time.
 *
 * LeNet's conv2 and conv3 (forward, input gradient through the flipped filter, and filter
 * gradient) were 70 % of a training step; XNNPACK's direct convolution runs them at about
 * 29 GFLOP/s on one wasm thread, and this takes 0.3–0.4 of its time (bench/kernels.ts). Its
 * error against the cpu backend stays below 2e-5 of the largest output (winograd-conv.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { product, WINOGRAD, type SimdKernels } from './simd/simd-kernels';
import { HeapScratch, simdKernelsOf } from './wasm-heap';

const { alpha: ALPHA, r: TAPS, m: OUT } = WINOGRAD;
const TILE = ALPHA * ALPHA;

/** Whether Winograd applies: 5×5, stride and dilation 1, channels in fours, float32. */
export function winogradApplies(info: tf.backend_util.Conv2DInfo, dtype: tf.DataType): boolean {
  return (
    dtype === 'float32' &&
    info.filterHeight === TAPS &&
    info.filterWidth === TAPS &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.inChannels % 4 === 0 &&
    info.outChannels % 4 === 0 &&
    info.padInfo.top >= 0 &&
    info.padInfo.left >= 0 &&
    info.outHeight > 0 &&
    info.outWidth > 0
  );
}

/** Tiling of one convolution: T tiles of OUT×OUT outputs over a zero-padded input Hp×Wp. */
function tiling(info: tf.backend_util.Conv2DInfo) {
  const TH = Math.ceil(info.outHeight / OUT);
  const TW = Math.ceil(info.outWidth / OUT);
  return { TH, TW, T: info.batchSize * TH * TW, Hp: OUT * TH + TAPS - 1, Wp: OUT * TW + TAPS - 1 };
}

/** Copies an NHWC image batch into a zero-filled [B, Hp, Wp, C] at (top, left), row by row. */
export function padInto(heap: HeapScratch, src: tf.TensorInfo, dst: tf.TensorInfo, top: number, left: number): void {
  const [B, H, W, C] = src.shape;
  const [, Hp, Wp] = dst.shape;
  const f32 = heap.f32();
  const s0 = heap.address(src) / 4;
  const d0 = heap.address(dst) / 4;
  f32.fill(0, d0, d0 + B * Hp * Wp * C);
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < H; y++) {
      const s = s0 + (b * H + y) * W * C;
      f32.copyWithin(d0 + ((b * Hp + y + top) * Wp + left) * C, s, s + W * C);
    }
  }
}

/** Writes i32 `values` at byte address `at`, returning the address after them. */
function writeTable(heap: HeapScratch, at: number, values: number[]): number {
  heap.i32().set(values, at / 4);
  return at + 4 * values.length;
}

/** Byte offsets of an n×n block's elements in a row-major image of row length `width` pixels of `C` floats. */
const blockOffsets = (n: number, width: number, C: number): number[] =>
  Array.from({ length: n * n }, (_, e) => (Math.floor(e / n) * width + (e % n)) * C * 4);

/** Tile t of the tiling as (image, tile row, tile column). */
function tilePosition(t: number, TH: number, TW: number): { b: number; ty: number; tx: number } {
  const b = Math.floor(t / (TH * TW));
  const r = t - b * TH * TW;
  const ty = Math.floor(r / TW);
  return { b, ty, tx: r - ty * TW };
}

/** Where a tile starts, in pixels of an NHWC image batch of `height` rows `width` pixels long. */
function tileOrigin({ b, ty, tx }: { b: number; ty: number; tx: number }, height: number, width: number): number {
  return (b * height + OUT * ty) * width + OUT * tx;
}

/** Byte offsets of the 25 taps (kh, kw) of an HWIO filter with C inputs and K outputs. */
const tapOffsets = (C: number, K: number): number[] => Array.from({ length: TAPS * TAPS }, (_, e) => e * C * K * 4);

/**
 * V_j[t − t0][c] = (Bᵀ d B)_j for tiles t0 ≤ t < t1 of the padded input. `tables` holds the
 * tile's element offsets, then the V_j addresses (writeInputTables).
 */
function transformInput(simd: SimdKernels, padded: { address: number; shape: number[] }, tables: number, t0: number, t1: number, TH: number, TW: number): void {
  const [, Hp, Wp, C] = padded.shape;
  for (let t = t0; t < t1; t++) {
    simd.winogradInput(padded.address + tileOrigin(tilePosition(t, TH, TW), Hp, Wp) * C * 4, tables, (t - t0) * C * 4, tables + 4 * TILE, C / 4, 16, 16);
  }
}

/** The input transform's tables at `at` (2 × 64 entries): a tile's element offsets, the V_j. */
function writeInputTables(heap: HeapScratch, at: number, padded: tf.TensorInfo, vAddresses: number[]): number {
  const [, , Wp, C] = padded.shape;
  return writeTable(heap, writeTable(heap, at, blockOffsets(ALPHA, Wp, C)), vAddresses);
}

/**
 * Tiles per block: a block's transformed tiles and products (64 matrices each, 256·(C + K)
 * bytes per tile) fill about a core's 1 MB L2 cache, and stay there between the transform, the
 * products and the inverse transform: 64 tiles for 32 → 32 channels. All tiles at once streamed
 * through memory: 1.3–1.5× slower for conv2/conv3, and worse with both cores busy. Small layers
 * take bigger blocks, so that per-call overheads stay small.
 */
const blockTiles = (C: number, K: number): number => Math.max(16, Math.floor(4096 / (C + K) / 4) * 4);

/**
 * Scratch for the 64 matrices [rows × cols] of one transform, and their byte addresses. Each
 * starts one cache line after a multiple of the matrix size: at a power-of-two spacing the 64
 * streams of one tile's transform all mapped to the same cache sets.
 */
function allocMatrices(heap: HeapScratch, rows: number, cols: number): number[] {
  const stride = rows * cols + SKEW_FLOATS;
  const t = heap.alloc([TILE * stride]);
  return Array.from({ length: TILE }, (_, j) => heap.address(t) + j * stride * 4);
}
const SKEW_FLOATS = 16;

/**
 * y = conv2d(x, filter) for `info` (see winogradApplies), or null where our SIMD kernels are
 * unavailable. Mⱼ = Vⱼ · Uⱼ is our SIMD product too: with XNNPACK's, the 192 scratch matrices
 * per call fragmented the wasm heap over a long run.
 */
export function winogradConv2D(backend: tf.KernelBackend, x: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | null {
  const simd = simdKernelsOf(backend);
  if (!simd) return null;
  const { batchSize: B, inChannels: C, outHeight: OH, outWidth: OW, outChannels: K } = info;
  const { TH, TW, T, Hp, Wp } = tiling(info);
  // Tiles go in blocks (a multiple of 4: the product takes rows in fours; rows past the last
  // tile are never read back).
  const block = Math.min(blockTiles(C, K), Math.ceil(T / 4) * 4);
  const heap = new HeapScratch(backend);
  try {
    const out = heap.alloc([B, OH, OW, K]);
    const padded = heap.alloc([B, Hp, Wp, C]);
    const vAt = allocMatrices(heap, block, C);
    const uAt = allocMatrices(heap, C, K);
    const mAt = allocMatrices(heap, block, K);
    const tables = heap.alloc([4 * TILE + TAPS * TAPS + OUT * OUT], 'int32');
    const spill = heap.alloc([K]);
    padInto(heap, x, padded, info.padInfo.top, info.padInfo.left);

    // Uⱼ[c][k] = (G g Gᵀ)ⱼ for each input channel c, four output channels per vector.
    const tapTable = heap.address(tables);
    const uTable = writeTable(heap, tapTable, tapOffsets(C, K));
    const inputTables = writeTable(heap, uTable, uAt);
    const mTable = writeInputTables(heap, inputTables, padded, vAt);
    const yTable = writeTable(heap, mTable, mAt);
    const inside = blockOffsets(OUT, OW, K);
    writeTable(heap, yTable, inside);
    const filterAt = heap.address(filter);
    for (let c = 0; c < C; c++) simd.winogradFilter(filterAt + c * K * 4, tapTable, c * K * 4, uTable, K / 4, 16, 16);

    const paddedAt = { address: heap.address(padded), shape: padded.shape };
    const outAt = heap.address(out);
    const spillAt = heap.address(spill);
    for (let t0 = 0; t0 < T; t0 += block) {
      const t1 = Math.min(T, t0 + block);
      transformInput(simd, paddedAt, inputTables, t0, t1, TH, TW);
      const tiles = Math.ceil((t1 - t0) / 4) * 4;
      for (let j = 0; j < TILE; j++) {
        product(simd, { a: vAt[j], b: uAt[j], c: mAt[j], rows: C, m: tiles, n: K, aLane: C * 4, aStride: 4, bStride: K * 4, cStride: K * 4 });
      }
      // Y = Aᵀ M A per tile; outputs past the image's edge go to `spill`.
      for (let t = t0; t < t1; t++) {
        const position = tilePosition(t, TH, TW);
        const { ty, tx } = position;
        const origin = outAt + tileOrigin(position, OH, OW) * K * 4;
        const edge = OUT * (ty + 1) > OH || OUT * (tx + 1) > OW;
        if (edge) {
          const clipped = inside.map((offset, o) => (OUT * ty + Math.floor(o / OUT) < OH && OUT * tx + (o % OUT) < OW ? offset : spillAt - origin));
          writeTable(heap, yTable, clipped);
        }
        simd.winogradOutput((t - t0) * K * 4, mTable, origin, yTable, K / 4, 16, 16);
        if (edge) writeTable(heap, yTable, inside);
      }
    }
    return heap.finish(out);
  } catch (e) {
    heap.abort();
    throw e;
  }
}

/**
 * dW = Gᵀ [ Σ_t (Bᵀ x_t B) ⊙ (A dy_t Aᵀ) ] G, the filter gradient of winogradConv2D: for each
 * of the 64 tile elements j, dUⱼ = Vⱼᵀ · Zⱼ summed over all tiles (our SIMD kernel: XNNPACK's
 * matrix product packs its long right operand on every call and ran at a third of the speed).
 * Null where SIMD is unavailable.
 */
export function winogradFilterGradient(backend: tf.KernelBackend, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | null {
  const simd = simdKernelsOf(backend);
  if (!simd) return null;
  const { batchSize: B, inChannels: C, outChannels: K } = info;
  const { TH, TW, T, Hp, Wp } = tiling(info);
  const heap = new HeapScratch(backend);
  try {
    const dW = heap.alloc([TAPS, TAPS, C, K]);
    const padded = heap.alloc([B, Hp, Wp, C]);
    const paddedDy = heap.alloc([B, OUT * TH, OUT * TW, K]);
    const block = Math.min(blockTiles(C, K), T);
    const vAt = allocMatrices(heap, block, C);
    const zAt = allocMatrices(heap, block, K);
    const uAt = allocMatrices(heap, C, K);
    const tables = heap.alloc([4 * TILE + OUT * OUT + TAPS * TAPS], 'int32');
    padInto(heap, x, padded, info.padInfo.top, info.padInfo.left);
    padInto(heap, dy, paddedDy, 0, 0);
    const inputTables = heap.address(tables);
    const dyTable = writeInputTables(heap, inputTables, padded, vAt);
    const zTable = writeTable(heap, dyTable, blockOffsets(OUT, OUT * TW, K));
    const uTable = writeTable(heap, zTable, zAt);
    const wTable = writeTable(heap, uTable, uAt);
    writeTable(heap, wTable, tapOffsets(C, K));

    const paddedAt = { address: heap.address(padded), shape: padded.shape };
    const dyAt = heap.address(paddedDy);
    for (let t0 = 0; t0 < T; t0 += block) {
      const t1 = Math.min(T, t0 + block);
      transformInput(simd, paddedAt, inputTables, t0, t1, TH, TW);
      // Zⱼ[t][k] = (A dy_t Aᵀ)_j.
      for (let t = t0; t < t1; t++) {
        simd.winogradOutputGrad(dyAt + tileOrigin(tilePosition(t, TH, TW), OUT * TH, OUT * TW) * K * 4, dyTable, (t - t0) * K * 4, zTable, K / 4, 16, 16);
      }
      // dUⱼ[c][k] += Σ_t Vⱼ[t][c] · Zⱼ[t][k] over the block's tiles.
      for (let j = 0; j < TILE; j++) {
        product(simd, { a: vAt[j], b: zAt[j], c: uAt[j], rows: t1 - t0, m: C, n: K, aLane: 4, aStride: C * 4, bStride: K * 4, cStride: K * 4, accumulate: t0 > 0 });
      }
    }

    // dW[kh][kw][c][k] = (Gᵀ dUⱼ G) per (c, k), four output channels per vector.
    const dWAt = heap.address(dW);
    for (let c = 0; c < C; c++) simd.winogradFilterGrad(c * K * 4, uTable, dWAt + c * K * 4, wTable, K / 4, 16, 16);
    return heap.finish(dW);
  } catch (e) {
    heap.abort();
    throw e;
  }
}
