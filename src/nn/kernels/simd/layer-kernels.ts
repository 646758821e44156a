/**
 * Kernels of fused layers, generated like the others in simd-kernels.ts, four channels per
 * vector: the first layer's block, conv (few input channels) + bias + max-pool + ReLU (its
 * pooling and gradients specialised per shape), and the gradient of a conv + bias + ReLU layer.
 */
import { repeat, wasmFunction, type Code } from './wasm-encoder';

/**
 * Output pixels per block of the direct convolution. With up to 4 vectors of filters, 2 pixels
 * keep the 8 accumulators, 4 filter vectors and the splat in registers; 4 pixels × 3 vectors
 * spilled (16 vectors), and conv1's forward was 1.3× slower at 32 filters (4 × 2 with more calls: 1.03×).
 */
export const DIRECT_PIXELS = 2;
/** The most filter vectors per direct-convolution call. */
export const DIRECT_MAX_VECTORS = 4;

/**
 * directConv{pixels}x{vectors}(x, w, out, table, taps, blocks, rows, xRowStep, outRowStep,
 * pixelIn, pixelOut, wStride): direct convolution of `rows` rows of `blocks` blocks of `pixels`
 * output pixels, `vectors` vectors (4·vectors output channels) each: out[p] = Σₜ x[p + table[t]]
 * · w[t] over `taps` entries, the scalar x times the vectors of filter row t (w + t·wStride).
 * Pixel p of a block is at x + p·pixelIn and out + p·pixelOut; blocks follow each other, rows
 * are xRowStep / outRowStep apart. As shipped, pixels = DIRECT_PIXELS.
 */
export function directConv<const P extends number, const V extends number>(pixels: P, vectors: V) {
  const f = wasmFunction(`directConv${pixels}x${vectors}` as `directConv${P}x${V}`, repeat('i32', 12));
  const [x, w, out, table, taps, blocks, rows, xRowStep, outRowStep, pixelIn, pixelOut, wStride] = f.params;
  const [xRow, outRow, left, t, wp, tp, off] = f.locals('i32', 7);
  const xp = f.locals('i32', pixels); // the block's pixels in x
  const op = f.local('i32');
  const acc = f.locals('v128', pixels * vectors);
  const wv = f.locals('v128', vectors);
  const splat = f.local('v128');
  const code = f.code;
  code.get(x).set(xRow).get(out).set(outRow);
  code.countdown(rows, () => {
    code.get(xRow).set(xp[0]).get(outRow).set(op).get(blocks).set(left);
    code.countdown(left, () => {
      for (let p = 1; p < pixels; p++)
        code
          .get(xp[p - 1])
          .get(pixelIn)
          .i32Add()
          .set(xp[p]);
      for (const r of acc) code.f32x4Const(0).set(r);
      code.get(w).set(wp).get(table).set(tp).get(taps).set(t);
      code.countdown(t, () => {
        code.get(tp).i32Load().set(off);
        wv.forEach((r, g) =>
          code
            .get(wp)
            .v128Load(16 * g)
            .set(r),
        );
        for (let p = 0; p < pixels; p++) {
          code.get(xp[p]).get(off).i32Add().v128Load32Splat().set(splat);
          for (let g = 0; g < vectors; g++) {
            const r = acc[p * vectors + g];
            code.get(r).get(splat).get(wv[g]).f32x4Mul().f32x4Add().set(r);
          }
        }
        code.advance(wp, wStride);
        code.bump(tp, 4);
      });
      for (let p = 0; p < pixels; p++) {
        for (let g = 0; g < vectors; g++)
          code
            .get(op)
            .get(acc[p * vectors + g])
            .v128Store(16 * g);
        code.advance(op, pixelOut);
      }
      code
        .get(xp[pixels - 1])
        .get(pixelIn)
        .i32Add()
        .set(xp[0]);
    });
    code.advance(xRow, xRowStep);
    code.advance(outRow, outRowStep);
  });
  return f.finish();
}

/** Windows per pixel in avgPoolReluGradSums' table: 3×3 pools at stride 2 reach a pixel from 2 × 2 windows. */
export const AVG_POOL_TAPS = 4;

/**
 * avgPoolReluGradSums(dp, y, g, sums, table, images, pixels, groups, dpImage, yImage): the
 * gradient through average pooling, then ReLU, and the bias gradient's partial sums, for
 * `images` images of `pixels` pixels of `groups` vectors: per pixel, with its table entry of
 * AVG_POOL_TAPS byte offsets into the image's dp and as many f32 weights (0 for unused
 * entries), g = (Σₑ dp[offsetₑ] · weightₑ, added from 0 in entry order) where y > 0, else 0;
 * sums[image] = Σ over its pixels of g. Images are dpImage / yImage bytes apart in dp / y and g.
 */
export function avgPoolReluGradSums() {
  const f = wasmFunction('avgPoolReluGradSums', repeat('i32', 10));
  const [dp, y, g, sums, table, images, pixels, groups, dpImage, yImage] = f.params;
  const [p, entry, v, yAt, groupBytes, off] = f.locals('i32', 6);
  const offsets = f.locals('i32', AVG_POOL_TAPS);
  const weights = f.locals('v128', AVG_POOL_TAPS);
  const [acc, mask] = f.locals('v128', 2);
  const code = f.code;
  code.get(groups).i32(16).i32Mul().set(groupBytes);
  code.countdown(images, () => {
    code.i32(0).set(v);
    code.whileBelow(v, groupBytes, 16, () => code.get(sums).get(v).i32Add().f32x4Const(0).v128Store());
    code.get(y).set(yAt).get(table).set(entry).get(pixels).set(p);
    code.countdown(p, () => {
      offsets.forEach((local, e) =>
        code
          .get(entry)
          .i32Load(4 * e)
          .get(dp)
          .i32Add()
          .set(local),
      );
      weights.forEach((local, e) =>
        code
          .get(entry)
          .v128Load32Splat(4 * (AVG_POOL_TAPS + e))
          .set(local),
      );
      code.i32(0).set(v);
      code.whileBelow(v, groupBytes, 16, () => {
        code.f32x4Const(0).set(acc);
        offsets.forEach((local, e) =>
          code.get(acc).get(local).get(v).i32Add().v128Load().get(weights[e]).f32x4Mul().f32x4Add().set(acc),
        );
        code.get(yAt).get(v).i32Add().v128Load().f32x4Const(0).f32x4Gt().set(mask);
        code.get(yAt).get(v).i32Add().get(g).i32Add().get(y).i32Sub().set(off);
        code.get(off).get(acc).get(mask).v128And().tee(acc).v128Store();
        code.get(sums).get(v).i32Add().get(sums).get(v).i32Add().v128Load().get(acc).f32x4Add().v128Store();
      });
      code.bump(entry, 8 * AVG_POOL_TAPS).advance(yAt, groupBytes);
    });
    code.advance(dp, dpImage).advance(y, yImage).advance(g, yImage).advance(sums, groupBytes);
  });
  return f.finish();
}

/**
 * reluGradSums(dy, y, g, sums, images, rows, groups): ReLU's gradient and the bias gradient's
 * partial sums: g = dy where y > 0 (else 0) over `images` × `rows` rows of `groups` vectors, and
 * sums[image] = Σ over its rows of g.
 */
export function reluGradSums() {
  const f = wasmFunction('reluGradSums', repeat('i32', 7));
  const [dy, y, g, sums, images, rows, groups] = f.params;
  const [row, v, at, sumAt] = f.locals('i32', 4);
  const gv = f.local('v128');
  const code = f.code;
  code.i32(0).set(at);
  code.countdown(images, () => {
    code.get(groups).set(v).get(sums).set(sumAt);
    code.countdown(v, () => {
      code.get(sumAt).f32x4Const(0).v128Store();
      code.bump(sumAt, 16);
    });
    code.get(rows).set(row);
    code.countdown(row, () => {
      code.get(groups).set(v).get(sums).set(sumAt);
      code.countdown(v, () => {
        code.get(dy).get(at).i32Add().v128Load();
        code.get(y).get(at).i32Add().v128Load().f32x4Const(0).f32x4Gt().v128And().set(gv);
        code.get(g).get(at).i32Add().get(gv).v128Store();
        code.get(sumAt).get(sumAt).v128Load().get(gv).f32x4Add().v128Store();
        code.bump(at, 16);
        code.bump(sumAt, 16);
      });
    });
    code.get(sums).get(groups).i32(16).i32Mul().i32Add().set(sums);
  });
  return f.finish();
}

/**
 * copyWindow(src, dst, images, rows, rowBytes, srcRowStride, dstRowStride, srcImageSkip,
 * dstImageSkip): copies `rows` rows of `rowBytes` bytes (a multiple of 4) of each of `images`
 * images from src to dst. Rows are srcRowStride / dstRowStride bytes apart; after each image's
 * last row, srcImageSkip / dstImageSkip more bytes are skipped. Padding on the way into a
 * kernel, cropping on the way out.
 */
export function copyWindow() {
  const f = wasmFunction('copyWindow', repeat('i32', 9));
  const [src, dst, images, rows, rowBytes, srcRowStride, dstRowStride, srcImageSkip, dstImageSkip] = f.params;
  const [s, d, row, at, vectorBytes] = f.locals('i32', 5);
  const code = f.code;
  code.get(src).set(s).get(dst).set(d);
  code.get(rowBytes).i32(-16).i32And().set(vectorBytes);
  code.countdown(images, () => {
    code.get(rows).set(row);
    code.countdown(row, () => {
      code.i32(0).set(at);
      code.whileBelow(at, vectorBytes, 16, () => {
        code.get(d).get(at).i32Add().get(s).get(at).i32Add().v128Load().v128Store();
      });
      code.whileBelow(at, rowBytes, 4, () => {
        code.get(d).get(at).i32Add().get(s).get(at).i32Add().i32Load().i32Store();
      });
      code.advance(s, srcRowStride);
      code.advance(d, dstRowStride);
    });
    code.advance(s, srcImageSkip);
    code.advance(d, dstImageSkip);
  });
  return f.finish();
}

/**
 * The constants of one first-layer shape that its specialised pooling and gradient kernels
 * build in: byte offsets of the taps and of the pooling windows, and the strides. With them as
 * constants the tap and window loops unroll into loads with constant offsets, instead of table
 * reads per element: maxPoolArgmax took 0.7 of its time, convPoolGradients 0.7. (The direct
 * convolution unrolled so ran 1.4–3× slower than its loop over a tap table, and stays generic.)
 */
export interface ConvPoolShape {
  /** Byte offsets of the filter's taps (kh, kw, c) in the padded input, in the filter's row order. */
  taps: number[];
  /** Bytes between filter rows (K·4). */
  wStride: number;
  /** Per pooling window element: its byte offset in the scratch and in the padded input. */
  windowInScratch: number[];
  windowInInput: number[];
  /** Vectors of channels (K / 4); the next window is sStep / xStep / outStep bytes on. */
  groups: number;
  sStep: number;
  xStep: number;
  outStep: number;
}

/**
 * maxPoolArgmax(s, out, arg, bias, windows, xBase) for `shape`: max-pools `windows` windows
 * (at s + windowInScratch[e]), `groups` vectors of channels each, into out = max(max + bias, 0),
 * and records per lane where the first maximum's input starts: xBase + windowInInput[e] (i32,
 * at arg). The next window is sStep / xStep / outStep bytes on.
 */
export function maxPoolArgmaxFixed(shape: ConvPoolShape) {
  const f = wasmFunction('maxPoolArgmax', repeat('i32', 6));
  const [s, out, arg, bias, windows, xBase] = f.params;
  const [m, a, v, gt] = f.locals('v128', 4);
  const candidate = (code: Code, e: number) => code.get(xBase).i32(shape.windowInInput[e]).i32Add().i32x4Splat();
  const code = f.code;
  code.countdown(windows, () => {
    for (let g = 0; g < shape.groups; g++) {
      code
        .get(s)
        .v128Load(shape.windowInScratch[0] + 16 * g)
        .set(m);
      candidate(code, 0).set(a);
      for (let e = 1; e < shape.windowInScratch.length; e++) {
        code
          .get(s)
          .v128Load(shape.windowInScratch[e] + 16 * g)
          .set(v);
        // Strictly greater: the first maximum in window order wins, as in tfjs' MaxPoolGrad.
        code.get(v).get(m).f32x4Gt().set(gt);
        code.get(v).get(m).get(gt).v128Bitselect().set(m);
        candidate(code, e).get(a).get(gt).v128Bitselect().set(a);
      }
      code
        .get(out)
        .get(m)
        .get(bias)
        .v128Load(16 * g)
        .f32x4Add()
        .f32x4Const(0)
        .f32x4Max()
        .v128Store(16 * g);
      code
        .get(arg)
        .get(a)
        .v128Store(16 * g);
    }
    code.bump(s, shape.sStep).bump(xBase, shape.xStep).bump(out, shape.outStep).bump(arg, shape.outStep);
  });
  return f.finish();
}

/**
 * convPoolGradients(dy, y, arg, dw, db, windows, xBase) for `shape`: the filter and bias
 * gradients of the conv + bias + max-pool + ReLU block for `windows` pooled outputs (`groups`
 * vectors each): g = dy where y > 0; db += g; dw[t] += g · x[xBase + arg + taps[t]] per lane,
 * filter rows wStride bytes apart.
 */
export function convPoolGradientsFixed(shape: ConvPoolShape) {
  const f = wasmFunction('convPoolGradients', repeat('i32', 7));
  const [dy, y, arg, dw, db, windows, xBase] = f.params;
  const lanes = f.locals('i32', 4);
  const [gv, xv, av] = f.locals('v128', 3);
  const code = f.code;
  code.countdown(windows, () => {
    for (let g = 0; g < shape.groups; g++) {
      code.get(dy).v128Load(16 * g);
      code
        .get(y)
        .v128Load(16 * g)
        .f32x4Const(0)
        .f32x4Gt()
        .v128And()
        .tee(gv);
      // ReLU-dead or zero gradients add nothing: skip the taps.
      code.v128AnyTrue().ifThen();
      code
        .get(db)
        .get(db)
        .v128Load(16 * g)
        .get(gv)
        .f32x4Add()
        .v128Store(16 * g);
      code
        .get(arg)
        .v128Load(16 * g)
        .set(av);
      lanes.forEach((l, i) => code.get(av).i32x4ExtractLane(i).get(xBase).i32Add().set(l));
      shape.taps.forEach((offset, t) => {
        code.get(lanes[0]).v128Load32Zero(offset).set(xv);
        for (let i = 1; i < 4; i++) code.get(lanes[i]).get(xv).v128Load32Lane(i, offset).set(xv);
        const at = t * shape.wStride + 16 * g;
        code.get(dw).get(dw).v128Load(at).get(xv).get(gv).f32x4Mul().f32x4Add().v128Store(at);
      });
      code.end();
    }
    code
      .bump(dy, 16 * shape.groups)
      .bump(y, 16 * shape.groups)
      .bump(arg, 16 * shape.groups);
  });
  return f.finish();
}

/**
 * bytesToUnit(src, dst, count): dst[i] = float32(src[i] / 255) for `count` bytes (a multiple of
 * 4): pixel bytes to [0, 1]. f32x4.div by 255 gives, for every byte, the float32 that
 * JavaScript's v / 255 rounds to (tested).
 */
export function bytesToUnit() {
  const f = wasmFunction('bytesToUnit', repeat('i32', 3));
  const [src, dst, count] = f.params;
  const at = f.local('i32');
  const code = f.code;
  code.i32(0).set(at);
  code.whileBelow(at, count, 4, () => {
    code.get(at).i32(4).i32Mul().get(dst).i32Add();
    code.get(src).get(at).i32Add().v128Load32Zero().i16x8ExtendLowI8x16U().i32x4ExtendLowI16x8U().f32x4ConvertI32x4U();
    code.f32x4Const(255).f32x4Div().v128Store();
  });
  return f.finish();
}
