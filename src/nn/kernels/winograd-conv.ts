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
import { product, specialisedTransform, WINOGRAD, type ElementOffsets, type SimdKernels } from './simd/simd-kernels';
import { HeapScratch, simdKernelsOf, wasmMemoryOf } from './wasm-heap';

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

/**
 * Copies the top-left `rows` × `cols` pixels of each image of an NHWC batch into another batch
 * (same B and C) at (top, left): padding on the way in, cropping on the way out. Images
 * `first` to `first + images` only, where given.
 */
function copyWindow(
  simd: SimdKernels,
  heap: HeapScratch,
  src: tf.TensorInfo,
  dst: tf.TensorInfo,
  rows: number,
  cols: number,
  top: number,
  left: number,
  first = 0,
  images = src.shape[0],
): void {
  const [, H, W, C] = src.shape;
  const [, Hd, Wd] = dst.shape;
  const pixel = C * 4;
  const srcAt = heap.address(src) + first * H * W * pixel;
  const dstAt = heap.address(dst) + (first * Hd * Wd + top * Wd + left) * pixel;
  simd.copyWindow(
    srcAt,
    dstAt,
    images,
    rows,
    cols * pixel,
    W * pixel,
    Wd * pixel,
    (H - rows) * W * pixel,
    (Hd - rows) * Wd * pixel,
  );
}

/** Copies an NHWC image batch into a zero-filled [B, Hp, Wp, C] at (top, left). */
export function padInto(
  simd: SimdKernels,
  heap: HeapScratch,
  src: tf.TensorInfo,
  dst: tf.TensorInfo,
  top: number,
  left: number,
): void {
  new PadAsNeeded(simd, heap, src, dst, top, left).upTo(src.shape[0]);
}

/**
 * padInto, image by image as the blocks of tiles reach them: upTo(n) pads images up to n. Padded
 * just before its tiles are transformed, an image is still in cache; padded all at once, a
 * batch (1.2 MB for 64 images of 20 × 20 × 12) had left the 1 MB L2 by the time the first blocks
 * read it, and the input transform took 1.4× its time in cache.
 */
class PadAsNeeded {
  private done = 0;
  private readonly dstImage: number;
  constructor(
    private readonly simd: SimdKernels,
    private readonly heap: HeapScratch,
    private readonly src: tf.TensorInfo,
    private readonly dst: tf.TensorInfo,
    private readonly top: number,
    private readonly left: number,
  ) {
    this.dstImage = tf.util.sizeFromShape(dst.shape.slice(1));
  }
  upTo(images: number): void {
    const end = Math.min(images, this.src.shape[0]);
    if (end <= this.done) return;
    const [, H, W] = this.src.shape;
    const dstAt = this.heap.address(this.dst) / 4 + this.done * this.dstImage;
    this.heap.f32().fill(0, dstAt, dstAt + (end - this.done) * this.dstImage);
    copyWindow(this.simd, this.heap, this.src, this.dst, H, W, this.top, this.left, this.done, end - this.done);
    this.done = end;
  }
}

/**
 * The i32 tables of one call, laid out one after another in an int32 scratch tensor:
 * `table(values)` writes them and returns their byte address.
 */
class Tables {
  private at: number;
  constructor(
    private readonly heap: HeapScratch,
    space: tf.TensorInfo,
  ) {
    this.at = heap.address(space);
  }
  static size(...lengths: number[]): number {
    return lengths.reduce((a, b) => a + b, 0);
  }
  table(values: ArrayLike<number>): number {
    const address = this.at;
    this.heap.i32().set(values, address / 4);
    this.at += 4 * values.length;
    return address;
  }
}

/**
 * Address-free tables depend only on the layer's shape: made once per shape (tile origins were
 * a tenth of a small network's step when rebuilt per call). Bounded: shapes change with evolution.
 */
const tableCache = new Map<string, Int32Array>();
function cachedTable(key: string, make: () => number[]): Int32Array {
  let table = tableCache.get(key);
  if (!table) {
    if (tableCache.size >= 256) tableCache.clear();
    table = Int32Array.from(make());
    tableCache.set(key, table);
  }
  return table;
}

/** A tile's elements as an n×n block of an image (blockOffsets), for a specialised transform. */
const inBlock = (n: number, width: number, C: number): ElementOffsets => ({
  key: `block ${n} ${width} ${C}`,
  bytes: blockOffsets(n, width, C),
});

/** A tile's elements as one row of each of the 64 matrices at `addresses` (evenly spaced: allocMatrices). */
const inMatrices = (addresses: readonly number[]): ElementOffsets => ({
  key: `matrices ${addresses[1] - addresses[0]}`,
  bytes: addresses.map((a) => a - addresses[0]),
});

/** Byte offsets of an n×n block's elements in a row-major image of row length `width` pixels of `C` floats. */
const blockOffsets = (n: number, width: number, C: number): Int32Array =>
  cachedTable(`block ${n} ${width} ${C}`, () =>
    Array.from({ length: n * n }, (_, e) => (Math.floor(e / n) * width + (e % n)) * C * 4),
  );

/** Byte offsets of each tile's origin in an NHWC batch of `height` × `width` pixels of `C` floats (tiles row-major per image). */
function tileOrigins(T: number, TH: number, TW: number, height: number, width: number, C: number): Int32Array {
  return cachedTable(`tiles ${T} ${TH} ${TW} ${height} ${width} ${C}`, () =>
    Array.from({ length: T }, (_, t) => {
      const b = Math.floor(t / (TH * TW));
      const r = t - b * TH * TW;
      const ty = Math.floor(r / TW);
      return ((b * height + OUT * ty) * width + OUT * (r - ty * TW)) * C * 4;
    }),
  );
}

/** 0, step, 2·step, … (n entries): consecutive rows of a matrix, or filter channels. */
const steps = (n: number, step: number): Int32Array =>
  cachedTable(`steps ${n} ${step}`, () => Array.from({ length: n }, (_, i) => i * step));

/** Byte offsets of the 25 taps (kh, kw) of an HWIO filter with C inputs and K outputs. */
const tapOffsets = (C: number, K: number): Int32Array => steps(TAPS * TAPS, C * K * 4);

/**
 * Tiles per block: a block's transformed tiles and products (64 matrices each, 256·(C + K)
 * bytes per tile) fill about a core's 1 MB L2 cache, and stay there between the transform, the
 * products and the inverse transform: 64 tiles for 32 → 32 channels. All tiles at once streamed
 * through memory: 1.3–1.5× slower for conv2/conv3, and worse with both cores busy. Small layers
 * take bigger blocks, so that per-call overheads stay small.
 */
const blockTiles = (C: number, K: number): number => Math.max(16, Math.floor(4096 / (C + K) / 4) * 4);

/**
 * Scratch for the 64 matrices [rows × cols] of one transform, and their byte addresses, an odd
 * number of cache lines apart: a tile's transform writes one row of each, and at an even spacing
 * those 64 streams shared cache sets (a spacing of exactly 4 KiB, 84 tiles of 12 channels, made
 * a 10× network's conv2 1.4× slower); at an odd one, 64 lines apart fall in 64 different sets.
 */
function allocMatrices(heap: HeapScratch, rows: number, cols: number): number[] {
  const stride = matrixSpacing(rows * cols * 4);
  // One line of slack: the heap aligns tensors to 16 bytes, not to lines.
  const t = heap.alloc([(TILE * stride + LINE_BYTES) / 4]);
  const first = Math.ceil(heap.address(t) / LINE_BYTES) * LINE_BYTES;
  return Array.from({ length: TILE }, (_, j) => first + j * stride);
}
const LINE_BYTES = 64;

/** The spacing of matrices of `bytes` each: the fewest whole cache lines that hold one, made odd. */
export function matrixSpacing(bytes: number): number {
  const lines = Math.ceil(bytes / LINE_BYTES);
  return (lines % 2 === 1 ? lines : lines + 1) * LINE_BYTES;
}

/**
 * y = conv2d(x, filter) for `info` (see winogradApplies), or null where our SIMD kernels are
 * unavailable. Mⱼ = Vⱼ · Uⱼ is our SIMD product too: with XNNPACK's, the 192 scratch matrices
 * per call fragmented the wasm heap over a long run. Each kernel call covers a block of tiles
 * (tile addresses come from tables); output tiles past the edge go to a tile-aligned copy.
 */
export function winogradConv2D(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  /** + bias (K floats; none: 0), then ReLU if asked, as the output tiles are stored. */
  epilogue?: { bias?: tf.TensorInfo; relu: boolean },
): tf.TensorInfo | null {
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
    const aligned = OH === OUT * TH && OW === OUT * TW;
    const tiled = aligned ? out : heap.alloc([B, OUT * TH, OUT * TW, K]);
    const padded = heap.alloc([B, Hp, Wp, C]);
    const vAt = allocMatrices(heap, block, C);
    const uAt = allocMatrices(heap, C, K);
    const mAt = allocMatrices(heap, block, K);
    const space = heap.alloc([Tables.size(TAPS * TAPS, TILE, 2 * T, 2 * block, C)], 'int32');
    const pad = new PadAsNeeded(simd, heap, x, padded, info.padInfo.top, info.padInfo.left);
    let biasAt = 0;
    if (epilogue) {
      const zeros = epilogue.bias ? null : heap.alloc([K]);
      if (zeros) heap.fill(zeros, 0);
      biasAt = heap.address(epilogue.bias ?? zeros!);
    }

    const tables = new Tables(heap, space);
    const taps = tables.table(tapOffsets(C, K));
    const uTable = tables.table(uAt);
    const inputTiles = tables.table(tileOrigins(T, TH, TW, Hp, Wp, C));
    const outputTiles = tables.table(tileOrigins(T, TH, TW, OUT * TH, OUT * TW, K));
    const vRows = tables.table(steps(block, C * 4));
    const mRows = tables.table(steps(block, K * 4));
    const channels = tables.table(steps(C, K * 4));

    // Uⱼ[c][k] = (G g Gᵀ)ⱼ for each input channel c, four output channels per vector.
    simd.winogradFilter(heap.address(filter), taps, 0, uTable, K / 4, 16, 16, C, channels, channels);
    const [paddedAt, tiledAt] = [heap.address(padded), heap.address(tiled)];
    const memory = wasmMemoryOf(backend)!;
    const inputTransform = specialisedTransform(memory, 'winogradInput', inBlock(ALPHA, Wp, C), inMatrices(vAt));
    const outputAt = inBlock(OUT, OUT * TW, K);
    const floor = epilogue?.relu ? 0 : -Infinity;
    const withBias = epilogue ? specialisedTransform(memory, 'winogradOutputBias', inMatrices(mAt), outputAt) : null;
    const plain = epilogue ? null : specialisedTransform(memory, 'winogradOutput', inMatrices(mAt), outputAt);
    for (let t0 = 0; t0 < T; t0 += block) {
      const n = Math.min(T, t0 + block) - t0;
      pad.upTo(Math.ceil((t0 + n) / (TH * TW)));
      inputTransform(paddedAt, 0, vAt[0], 0, C / 4, 16, 16, n, inputTiles + 4 * t0, vRows);
      const rows = Math.ceil(n / 4) * 4;
      for (let j = 0; j < TILE; j++) {
        product(simd, {
          a: vAt[j],
          b: uAt[j],
          c: mAt[j],
          rows: C,
          m: rows,
          n: K,
          aLane: C * 4,
          aStride: 4,
          bStride: K * 4,
          cStride: K * 4,
        });
      }
      // Y = Aᵀ M A per tile.
      const outputArgs = [mAt[0], 0, tiledAt, 0, K / 4, 16, 16, n, mRows, outputTiles + 4 * t0] as const;
      if (withBias) withBias(...outputArgs, biasAt, floor);
      else plain!(...outputArgs);
    }
    if (!aligned) copyWindow(simd, heap, tiled, out, OH, OW, 0, 0);
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
export function winogradFilterGradient(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo | null {
  const simd = simdKernelsOf(backend);
  if (!simd) return null;
  const { batchSize: B, inChannels: C, outChannels: K } = info;
  const { TH, TW, T, Hp, Wp } = tiling(info);
  const heap = new HeapScratch(backend);
  try {
    const dW = heap.alloc([TAPS, TAPS, C, K]);
    const padded = heap.alloc([B, Hp, Wp, C]);
    const aligned = dy.shape[1] === OUT * TH && dy.shape[2] === OUT * TW;
    const paddedDy = aligned ? dy : heap.alloc([B, OUT * TH, OUT * TW, K]);
    const block = Math.min(blockTiles(C, K), T);
    const vAt = allocMatrices(heap, block, C);
    const zAt = allocMatrices(heap, block, K);
    const uAt = allocMatrices(heap, C, K);
    const space = heap.alloc([Tables.size(TILE, TAPS * TAPS, 2 * T, 2 * block, C)], 'int32');
    const pad = new PadAsNeeded(simd, heap, x, padded, info.padInfo.top, info.padInfo.left);
    const padDy = aligned ? null : new PadAsNeeded(simd, heap, dy, paddedDy, 0, 0);

    const tables = new Tables(heap, space);
    const uTable = tables.table(uAt);
    const taps = tables.table(tapOffsets(C, K));
    const inputTiles = tables.table(tileOrigins(T, TH, TW, Hp, Wp, C));
    const dyTiles = tables.table(tileOrigins(T, TH, TW, OUT * TH, OUT * TW, K));
    const vRows = tables.table(steps(block, C * 4));
    const zRows = tables.table(steps(block, K * 4));
    const channels = tables.table(steps(C, K * 4));

    const [paddedAt, dyAt] = [heap.address(padded), heap.address(paddedDy)];
    const memory = wasmMemoryOf(backend)!;
    const inputTransform = specialisedTransform(memory, 'winogradInput', inBlock(ALPHA, Wp, C), inMatrices(vAt));
    const dyTransform = specialisedTransform(memory, 'winogradOutputGrad', inBlock(OUT, OUT * TW, K), inMatrices(zAt));
    for (let t0 = 0; t0 < T; t0 += block) {
      const n = Math.min(T, t0 + block) - t0;
      const images = Math.ceil((t0 + n) / (TH * TW));
      pad.upTo(images);
      padDy?.upTo(images);
      inputTransform(paddedAt, 0, vAt[0], 0, C / 4, 16, 16, n, inputTiles + 4 * t0, vRows);
      // Zⱼ[t][k] = (A dy_t Aᵀ)_j.
      dyTransform(dyAt, 0, zAt[0], 0, K / 4, 16, 16, n, dyTiles + 4 * t0, zRows);
      // dUⱼ[c][k] += Σ_t Vⱼ[t][c] · Zⱼ[t][k] over the block's tiles.
      for (let j = 0; j < TILE; j++) {
        product(simd, {
          a: vAt[j],
          b: zAt[j],
          c: uAt[j],
          rows: n,
          m: C,
          n: K,
          aLane: 4,
          aStride: C * 4,
          bStride: K * 4,
          cStride: K * 4,
          accumulate: t0 > 0,
        });
      }
    }

    // dW[kh][kw][c][k] = (Gᵀ dUⱼ G) per (c, k), four output channels per vector.
    simd.winogradFilterGrad(0, uTable, heap.address(dW), taps, K / 4, 16, 16, C, channels, channels);
    return heap.finish(dW);
  } catch (e) {
    heap.abort();
    throw e;
  }
}
