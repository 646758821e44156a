/**
 * Training kernels for tfjs' wasm backend (4.22).
 *
 * - 5×5 stride-1 convolutions with channels in fours (LeNet's conv2 and conv3: forward, input
 *   gradient, filter gradient, and inference's fused conv + bias + ReLU) run by Winograd
 *   F(4×4, 5×5) on our wasm SIMD kernels (winograd-conv.ts): about 2× XNNPACK's direct
 *   convolution. Compaction keeps channel counts in fours for this (layout.compactKeep).
 * - Conv2DBackpropFilter is missing on wasm, so training a CNN throws without it: added, as
 *   above, else as one matrix product over an im2col of the input when the input has few
 *   channels (conv1; our SIMD product where the filters come in fours), else as one XNNPACK
 *   convolution over transposed tensors.
 * - Replaced because they dominated a LeNet training step (with the first three replaced, Node
 *   trained ~370 instead of ~125 images/s at batch 64 on a quiet machine):
 *   - Conv2DBackpropInput is a scalar C++ loop: for stride 1, a convolution of dy with the
 *     flipped filter (Winograd or XNNPACK; other strides keep the original).
 *   - BatchMatMul with a transposed operand (every dense layer's gradient) takes a naive
 *     C++ loop: transpose explicitly, then the XNNPACK path.
 *   - MaxPoolGrad is slow and wrong for windows whose inputs are all negative (it starts its
 *     maximum at FLT_MIN, the smallest positive float): like the cpu backend, the gradient
 *     goes to the first maximum of each window, found as the first input equal to the pooled
 *     output; our SIMD window kernel with channels in fours, else a JS loop on the wasm heap.
 *   - AvgPoolGrad is a slow scalar loop: a scatter (SIMD, else JS) with the cpu backend's (and
 *     wasm's) constant 1/(window area) weight.
 *   - Sum over leading axes (every bias gradient) transposes its input first: a JS loop.
 *   - Identity and same-dtype Cast copy their input; the tape clones every tensor it saves,
 *     so each activation was copied: they share the data instead, as on the cpu backend.
 * In training, LeNet's layers mostly bypass the pooling and bias kernels here: conv1's block
 * (conv-pool.ts) and conv2/conv3 with bias, ReLU and average pooling (conv-relu.ts) are fused
 * ops; these kernels serve the fallbacks and other shapes.
 * See bench/README.md for the per-kernel profile these choices come from.
 *
 * The composite kernels call the wasm backend's own kernel functions directly, so
 * intermediates live on the wasm heap and are freed here.
 */
import * as tf from '@tensorflow/tfjs';
// Registers the wasm backend and its kernels, which the kernels below are composed of.
import '@tensorflow/tfjs-backend-wasm';
import { product, type SimdKernels } from './simd/simd-kernels';
import { HeapScratch, simdKernelsOf, wasmKernel } from './wasm-heap';
import { winogradApplies, winogradConv2D, winogradFilterGradient } from './winograd-conv';

type Pad = tf.backend_util.PadInfo;
type Backend = tf.KernelBackend;

/** Marks our kernel functions so that registration can recognise itself (idempotence). */
const OURS = Symbol.for('evolab.wasmKernel');
type MarkedKernelFunc = tf.KernelFunc & { [OURS]?: true };

function checkNHWC(kernel: string, dataFormat: unknown): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${kernel} on wasm supports dataFormat 'NHWC' only, got '${String(dataFormat)}'`);
  }
}

function explicitPad(p: Pad): [[number, number], [number, number], [number, number], [number, number]] {
  return [
    [0, 0],
    [p.top, p.bottom],
    [p.left, p.right],
    [0, 0],
  ];
}

/** The wasm heap view of a tensor; re-take it after any allocation (the heap may grow). */
interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/** At most this many im2col rows (fh·fw·C) for the im2col filter gradient: the copy grows with C. */
const IM2COL_MAX_ROWS = 128;

/**
 * dW = colsᵀ · dy as one XNNPACK matrix product: colsᵀ[k][p] is the input pixel that filter
 * tap k = (ky·fw + kx)·C + c sees at output position p = (b·oH + oy)·oW + ox (0 in the padding).
 */
function filterGradIm2col(
  backend: Backend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: O } = info;
  const {
    filterHeight: fh,
    filterWidth: fw,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
  } = info;
  const K = fh * fw * C;
  const P = B * OH * OW;
  // Our SIMD product takes rows in fours: zero rows pad K up.
  const simd = O % 4 === 0 ? simdKernelsOf(backend) : null;
  const rows = simd ? Math.ceil(K / 4) * 4 : K;
  const heap = backend as unknown as HeapBackend;
  const cols = heap.makeOutput([1, rows, P], 'float32');
  try {
    const colsT = heap.typedArrayFromHeap(cols);
    const xs = heap.typedArrayFromHeap(x);
    const { top, left } = info.padInfo;
    // One channel at stride 1 (MNIST's conv1): each row is a run of the image, a block copy.
    const runs = C === 1 && sw === 1 && dw === 1;
    // Both are views of the wasm heap: copyWithin moves a run without allocating a view.
    const heap32 = new Float32Array(colsT.buffer);
    const colsAt = colsT.byteOffset / 4;
    const xsAt = xs.byteOffset / 4;
    for (let ky = 0; ky < fh; ky++) {
      for (let kx = 0; kx < fw; kx++) {
        const shift = kx * dw - left;
        const ox0 = Math.min(OW, Math.max(0, -shift));
        const ox1 = Math.max(ox0, Math.min(OW, W - shift));
        for (let c = 0; c < C; c++) {
          let p = ((ky * fw + kx) * C + c) * P;
          for (let b = 0; b < B; b++) {
            for (let oy = 0; oy < OH; oy++, p += OW) {
              const iy = oy * sh - top + ky * dh;
              if (iy < 0 || iy >= H) {
                colsT.fill(0, p, p + OW);
                continue;
              }
              const row = (b * H + iy) * W;
              if (runs) {
                if (ox0 > 0) colsT.fill(0, p, p + ox0);
                heap32.copyWithin(colsAt + p + ox0, xsAt + row + ox0 + shift, xsAt + row + ox1 + shift);
                if (ox1 < OW) colsT.fill(0, p + ox1, p + OW);
                continue;
              }
              for (let ox = 0; ox < OW; ox++) {
                const ix = ox * sw - left + kx * dw;
                colsT[p + ox] = ix >= 0 && ix < W ? xs[(row + ix) * C + c] : 0;
              }
            }
          }
        }
      }
    }
    colsT.fill(0, K * P, rows * P);
    if (simd) return filterGradProduct(backend, simd, cols, dy, [fh, fw, C, O]);
    // dy [B,oH,oW,O] is already row-major [P][O]: the same buffer under another shape.
    const product = wasmKernel(tf.BatchMatMul).kernelFunc({
      inputs: { a: cols, b: { ...dy, shape: [1, P, O] } },
      backend,
      attrs: { transposeA: false, transposeB: false },
    }) as tf.TensorInfo;
    return { ...product, shape: [fh, fw, C, O] };
  } finally {
    backend.disposeData(cols.dataId);
  }
}

/**
 * dW = colsᵀ · dy with our SIMD product, which streams the long inner dimension (P rows) once
 * per block instead of packing dy as XNNPACK does on every call (2× faster for MNIST's conv1).
 */
function filterGradProduct(
  backend: Backend,
  simd: SimdKernels,
  cols: tf.TensorInfo,
  dy: tf.TensorInfo,
  filterShape: number[],
): tf.TensorInfo {
  const [, rows, P] = cols.shape;
  const O = filterShape[3];
  const heap = new HeapScratch(backend);
  try {
    const padded = heap.alloc([rows, O]);
    const dW = heap.alloc(filterShape);
    product(simd, {
      a: heap.address(cols),
      b: heap.address(dy),
      c: heap.address(padded),
      rows: P,
      m: rows,
      n: O,
      aLane: P * 4,
      aStride: 4,
      bStride: O * 4,
      cStride: O * 4,
    });
    const at = heap.address(padded) / 4;
    heap.f32().copyWithin(heap.address(dW) / 4, at, at + tf.util.sizeFromShape(filterShape));
    return heap.finish(dW);
  } catch (e) {
    heap.abort();
    throw e;
  }
}

/**
 * dW[ky,kx,c,o] = Σ_{b,oy,ox} x[b, oy·s+ky−top, ox·s+kx−left, c] · dy[b,oy,ox,o].
 * That is a forward convolution of xᵀ ([C,H,W,B]: batch ↔ channels) with dyᵀ ([oH,oW,B,O]) as
 * the filter, dilated by the stride, over the same padding; XNNPACK does it as one GEMM.
 */
export function conv2DBackpropFilterWasm(
  args: {
    inputs: tf.NamedTensorInfoMap;
    backend: Backend;
    attrs: tf.NamedAttrMap;
  },
  /** 'auto' picks by the im2col size; the others are for benchmarks and tests. */
  method: 'auto' | 'im2col' | 'winograd' | 'transposed' = 'auto',
): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  checkNHWC('Conv2DBackpropFilter', dataFormat);
  if (x.dtype !== 'float32' || dy.dtype !== 'float32')
    throw new Error('Conv2DBackpropFilter on wasm needs float32 inputs');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { filterHeight: fh, filterWidth: fw, inChannels: c, outChannels: o } = info;
  if (dy.shape[1] !== info.outHeight || dy.shape[2] !== info.outWidth || dy.shape[3] !== o) {
    throw new Error(`Conv2DBackpropFilter: dy shape ${dy.shape} does not match the convolution (${info.outShape})`);
  }
  if ((method === 'auto' || method === 'winograd') && winogradApplies(info, x.dtype)) {
    const dW = winogradFilterGradient(backend, x, dy, info);
    if (dW) return dW;
  }
  if (method === 'im2col' || (method === 'auto' && fh * fw * c <= IM2COL_MAX_ROWS))
    return filterGradIm2col(backend, x, dy, info);
  const heap = new HeapScratch(backend);
  try {
    const xT = heap.run('Transpose', { x }, { perm: [3, 1, 2, 0] });
    const dyT = heap.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    // [C, H', W', O] with H' ≥ fh: rows past fh come only from input the strided conv never read.
    let g = heap.run(
      'Conv2D',
      { x: xT, filter: dyT },
      {
        strides: [1, 1],
        pad: explicitPad(info.padInfo),
        dilations: [info.strideHeight, info.strideWidth],
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
      },
    );
    if (g.shape[1] !== fh || g.shape[2] !== fw) {
      g = heap.run('Slice', { x: g }, { begin: [0, 0, 0, 0], size: [c, fh, fw, o] });
    }
    return heap.finish(heap.run('Transpose', { x: g }, { perm: [1, 2, 0, 3] }));
  } catch (e) {
    heap.abort();
    throw e;
  }
}

/** w[y][x][i][o] → w[fh−1−y][fw−1−x][o][i] in one pass (wasm's Reverse is slow). */
function flipFilter(backend: Backend, filter: tf.TensorInfo): tf.TensorInfo {
  const [fh, fw, ci, co] = filter.shape;
  const heap = backend as unknown as HeapBackend;
  const out = heap.makeOutput([fh, fw, co, ci], 'float32');
  const dst = heap.typedArrayFromHeap(out);
  const src = heap.typedArrayFromHeap(filter);
  for (let y = 0; y < fh; y++) {
    for (let x = 0; x < fw; x++) {
      const s0 = (y * fw + x) * ci * co;
      const d0 = ((fh - 1 - y) * fw + (fw - 1 - x)) * co * ci;
      for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) dst[d0 + o * ci + i] = src[s0 + i * co + o];
    }
  }
  return out;
}

/**
 * Stride 1: dx = conv(dy, W flipped in space with in/out channels swapped), padded by
 * (k−1−pad) on each side. Anything else goes to the backend's original kernel.
 */
function makeConv2DBackpropInput(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    checkNHWC('Conv2DBackpropInput', dataFormat);
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const { filterHeight: fh, filterWidth: fw, padInfo: p } = info;
    const padT = fh - 1 - p.top;
    const padL = fw - 1 - p.left;
    const padB = info.inHeight - info.outHeight + p.top;
    const padR = info.inWidth - info.outWidth + p.left;
    if (
      info.strideHeight !== 1 ||
      info.strideWidth !== 1 ||
      Math.min(padT, padL, padB, padR) < 0 ||
      dy.dtype !== 'float32'
    ) {
      return original(args);
    }
    const heap = new HeapScratch(backend as Backend);
    try {
      const wT = flipFilter(backend as Backend, filter);
      heap.adopt(wT);
      const dx = heap.run(
        'Conv2D',
        { x: dy, filter: wT },
        {
          strides: [1, 1],
          pad: [
            [0, 0],
            [padT, padB],
            [padL, padR],
            [0, 0],
          ],
          dilations: [1, 1],
          dataFormat: 'NHWC',
          dimRoundingMode: undefined,
        },
      );
      return heap.finish(dx);
    } catch (e) {
      heap.abort();
      throw e;
    }
  };
}

/**
 * Both pooling gradients with our SIMD window kernels, four channels per instruction (C a
 * multiple of 4), or null where they cannot run. Max: per lane, dy goes to the window's first
 * input equal to the pooled output (the cpu backend's first maximum). Average: every input of
 * the window gets dy / (fh·fw).
 */
function poolGradSimd(
  backend: Backend,
  info: tf.backend_util.Conv2DInfo,
  dy: tf.TensorInfo,
  max?: { input: tf.TensorInfo; output: tf.TensorInfo },
): tf.TensorInfo | null {
  const {
    batchSize,
    inHeight: H,
    inWidth: W,
    inChannels: C,
    outHeight: OH,
    outWidth: OW,
    strideHeight: sh,
    strideWidth: sw,
  } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const { top, left } = info.padInfo;
  const simd = C % 4 === 0 ? simdKernelsOf(backend) : null;
  if (!simd) return null;
  const heap = new HeapScratch(backend);
  try {
    const out = heap.alloc([batchSize, H, W, C]);
    // One table of input offsets per clipped window size (rows × cols), row-major.
    const tables = heap.alloc([fh * fw * fh * fw], 'int32');
    const tableAt = (rows: number, cols: number) => heap.address(tables) + 4 * ((rows - 1) * fw + (cols - 1)) * fh * fw;
    const i32 = heap.i32();
    for (let rows = 1; rows <= fh; rows++) {
      for (let cols = 1; cols <= fw; cols++) {
        const offsets = Array.from({ length: rows * cols }, (_, e) => (Math.floor(e / cols) * W + (e % cols)) * C * 4);
        i32.set(offsets, tableAt(rows, cols) / 4);
      }
    }
    const dxAt = heap.address(out);
    heap.fill(out, 0);
    const dyAt = heap.address(dy);
    const xAt = max ? heap.address(max.input) : 0;
    const yAt = max ? heap.address(max.output) : 0;
    const weight = 1 / (info.filterHeight * info.filterWidth);
    for (let b = 0; b < batchSize; b++) {
      for (let oy = 0; oy < OH; oy++) {
        const y0 = Math.max(0, oy * sh - top);
        const rows = Math.min(H, oy * sh - top + fh) - y0;
        for (let ox = 0; ox < OW; ox++) {
          const x0 = Math.max(0, ox * sw - left);
          const cols = Math.min(W, ox * sw - left + fw) - x0;
          if (rows <= 0 || cols <= 0) continue;
          const origin = ((b * H + y0) * W + x0) * C * 4;
          const o = ((b * OH + oy) * OW + ox) * C * 4;
          if (max)
            simd.maxPoolGradWindow(
              xAt + origin,
              yAt + o,
              dyAt + o,
              dxAt + origin,
              tableAt(rows, cols),
              rows * cols,
              C * 4,
            );
          else simd.avgPoolGradWindow(dyAt + o, dxAt + origin, tableAt(rows, cols), rows * cols, C * 4, weight);
        }
      }
    }
    return heap.finish(out);
  } catch (e) {
    heap.abort();
    throw e;
  }
}

export function maxPoolGradWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: Backend;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { dy, input, output } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
  if (input.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error('MaxPoolGrad on wasm needs float32 inputs');
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const {
    batchSize,
    inHeight: H,
    inWidth: W,
    inChannels: C,
    outHeight: OH,
    outWidth: OW,
    strideHeight: sh,
    strideWidth: sw,
  } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const { top, left } = info.padInfo;
  const simd = poolGradSimd(args.backend, info, dy, { input, output });
  if (simd) return simd;
  const heap = args.backend as unknown as HeapBackend;
  const out = heap.makeOutput(input.shape, 'float32');
  const dx = heap.typedArrayFromHeap(out);
  const x = heap.typedArrayFromHeap(input);
  const y = heap.typedArrayFromHeap(output);
  const g = heap.typedArrayFromHeap(dy);
  dx.fill(0);
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const y0 = Math.max(0, oy * sh - top);
      const y1 = Math.min(H, oy * sh - top + fh);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = Math.max(0, ox * sw - left);
        const x1 = Math.min(W, ox * sw - left + fw);
        const o = ((b * OH + oy) * OW + ox) * C;
        for (let c = 0; c < C; c++) {
          // The pooled value is one of the window's inputs: its first occurrence in row-major
          // order is the cpu backend's first maximum (a NaN window matches nothing, like cpu).
          const m = y[o + c];
          search: for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0, i = ((b * H + iy) * W + x0) * C + c; ix < x1; ix++, i += C) {
              if (x[i] === m) {
                dx[i] += g[o + c];
                break search;
              }
            }
          }
        }
      }
    }
  }
  return out;
}

/**
 * dx = Σ over the windows covering each input of dy / (fh·fw), as the cpu backend computes it.
 * The window loop is written out here and in MaxPoolGrad on purpose: one shared visitor callback
 * made them 37 % and 9 % slower (bench/kernels.ts).
 */
export function avgPoolGradWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: Backend;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad } = args.attrs as unknown as tf.AvgPoolGradAttrs;
  if (dy.dtype !== 'float32') throw new Error('AvgPoolGrad on wasm needs float32 inputs');
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
  );
  const {
    batchSize,
    inHeight: H,
    inWidth: W,
    inChannels: C,
    outHeight: OH,
    outWidth: OW,
    strideHeight: sh,
    strideWidth: sw,
  } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const { top, left } = info.padInfo;
  const weight = 1 / (info.filterHeight * info.filterWidth);
  const simd = poolGradSimd(args.backend, info, dy);
  if (simd) return simd;
  const heap = args.backend as unknown as HeapBackend;
  const out = heap.makeOutput(input.shape, 'float32');
  const dx = heap.typedArrayFromHeap(out);
  const g = heap.typedArrayFromHeap(dy);
  dx.fill(0);
  const scaled = new Float32Array(C);
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const y0 = Math.max(0, oy * sh - top);
      const y1 = Math.min(H, oy * sh - top + fh);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = Math.max(0, ox * sw - left);
        const x1 = Math.min(W, ox * sw - left + fw);
        const o = ((b * OH + oy) * OW + ox) * C;
        for (let c = 0; c < C; c++) scaled[c] = g[o + c] * weight;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const i = ((b * H + iy) * W + ix) * C;
            for (let c = 0; c < C; c++) dx[i + c] += scaled[c];
          }
        }
      }
    }
  }
  return out;
}

/**
 * Identity, and Cast to the same dtype, share the input's data (as the cpu backend does) instead
 * of copying it: the tape clones every tensor a kernel saves for the backward pass, which copied
 * each layer's activations on wasm. Safe because no kernel writes into its inputs.
 */
function makeSharedCopy(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const dtype = (args.attrs as { dtype?: tf.DataType } | undefined)?.dtype ?? x.dtype;
    if (x.dtype === 'string' || dtype !== x.dtype) return original(args);
    (args.backend as unknown as { incRef(dataId: tf.DataId): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/** Sum over leading axes (a bias gradient: [B,H,W,C] → [C]) without wasm's transpose. */
function makeSum(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return original(args);
    const inner = tf.util.sizeFromShape(x.shape.slice(axes.length));
    const outer = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
    const heap = args.backend as unknown as HeapBackend;
    const shape = keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
    const out = heap.makeOutput(shape, 'float32');
    const dst = heap.typedArrayFromHeap(out);
    const src = heap.typedArrayFromHeap(x);
    if (inner === 1) {
      let acc = 0;
      for (let i = 0; i < outer; i++) acc += src[i];
      dst[0] = acc;
    } else {
      const acc = new Float64Array(inner);
      let r = 0;
      // Four rows per pass: a quarter of the accumulator traffic.
      for (; r + 4 <= outer; r += 4) {
        const b = r * inner;
        for (let c = 0; c < inner; c++)
          acc[c] += src[b + c] + src[b + inner + c] + src[b + 2 * inner + c] + src[b + 3 * inner + c];
      }
      for (; r < outer; r++) for (let c = 0; c < inner; c++) acc[c] += src[r * inner + c];
      dst.set(acc);
    }
    return out;
  };
}

/** A forward convolution's geometry (NHWC). */
function forwardConvInfo(x: tf.TensorInfo, filter: tf.TensorInfo, attrs: tf.Conv2DAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/** 5×5 stride-1 convolutions by Winograd F(4×4, 5×5) (winograd-conv.ts); the rest as before. */
function makeConv2D(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.Conv2DAttrs;
    if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') return original(args);
    const info = forwardConvInfo(x, filter, attrs);
    if (!winogradApplies(info, x.dtype)) return original(args);
    return winogradConv2D(args.backend as Backend, x, filter, info) ?? original(args);
  };
}

/**
 * The fused conv + bias + ReLU (inference, and conv-relu.ts in training): the Winograd
 * convolution with bias and activation applied as its output tiles are stored. Others go to
 * the original kernel.
 */
function makeFusedConv2D(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as {
      x: tf.TensorInfo;
      filter: tf.TensorInfo;
      bias?: tf.TensorInfo;
      preluActivationWeights?: tf.TensorInfo;
    };
    const attrs = args.attrs as unknown as tf.FusedConv2DAttrs;
    const { dataFormat, activation } = attrs;
    const K = filter.shape[3];
    const simpleBias = !bias || (bias.shape.length === 1 && bias.shape[0] === K && bias.dtype === 'float32');
    if (
      (dataFormat !== undefined && dataFormat !== 'NHWC') ||
      preluActivationWeights ||
      !simpleBias ||
      (activation !== 'linear' && activation !== 'relu')
    ) {
      return original(args);
    }
    const info = forwardConvInfo(x, filter, attrs);
    if (!winogradApplies(info, x.dtype)) return original(args);
    return (
      winogradConv2D(args.backend as Backend, x, filter, info, { bias, relu: activation === 'relu' }) ?? original(args)
    );
  };
}

/** A transposed 2D operand is transposed explicitly so that the product takes XNNPACK's path. */
function makeBatchMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const single = (t: tf.TensorInfo) => t.shape.slice(0, -2).every((d) => d === 1) && t.dtype === 'float32';
    if ((!transposeA && !transposeB) || !single(a) || !single(b)) return original(args);
    const heap = new HeapScratch(args.backend as Backend);
    try {
      const swap = (t: tf.TensorInfo) => {
        const perm = t.shape.map((_, i) => i);
        const r = perm.length;
        [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
        return heap.run('Transpose', { x: t }, { perm });
      };
      const out = original({
        ...args,
        inputs: { a: transposeA ? swap(a) : a, b: transposeB ? swap(b) : b },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      }) as tf.TensorInfo;
      return heap.finish(out);
    } catch (e) {
      heap.abort();
      throw e;
    }
  };
}

function mark(f: tf.KernelFunc): MarkedKernelFunc {
  const m = f as MarkedKernelFunc;
  m[OURS] = true;
  return m;
}

const isOurs = (k: tf.KernelConfig | undefined): boolean => !!k && (k.kernelFunc as MarkedKernelFunc)[OURS] === true;

export interface WasmKernelOptions {
  /** Replace wasm's slow Conv2D and FusedConv2D (5×5), Conv2DBackpropInput, BatchMatMul (transposed), MaxPoolGrad, AvgPoolGrad and Sum, and its copying Identity and Cast (default true). */
  replaceSlowKernels?: boolean;
}

/** Swaps a registered wasm kernel for `make(original)`, keeping its setup/dispose functions. */
function replace(name: string, make: (original: tf.KernelFunc) => tf.KernelFunc): void {
  const original = tf.getKernel(name, 'wasm');
  if (!original || isOurs(original)) return;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...original, kernelFunc: mark(make(original.kernelFunc)) });
}

/**
 * Registers the training kernels for 'wasm'. Idempotent; call before or after the backend
 * initialises (the replaced kernel keeps its original setup function).
 */
export function registerWasmTrainingKernels(options: WasmKernelOptions = {}): void {
  // If a later tfjs ships its own Conv2DBackpropFilter, keep it.
  if (!tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')) {
    tf.registerKernel({
      kernelName: tf.Conv2DBackpropFilter,
      backendName: 'wasm',
      kernelFunc: mark(((args: Parameters<typeof conv2DBackpropFilterWasm>[0]) =>
        conv2DBackpropFilterWasm(args)) as unknown as tf.KernelFunc),
    });
  }
  if (options.replaceSlowKernels ?? true) {
    replace(tf.Conv2D, makeConv2D);
    replace(tf.FusedConv2D, makeFusedConv2D);
    replace(tf.Conv2DBackpropInput, makeConv2DBackpropInput);
    replace(tf.BatchMatMul, makeBatchMatMul);
    replace(tf.MaxPoolGrad, () => maxPoolGradWasm as unknown as tf.KernelFunc);
    replace(tf.AvgPoolGrad, () => avgPoolGradWasm as unknown as tf.KernelFunc);
    replace(tf.Sum, makeSum);
    replace(tf.Identity, makeSharedCopy);
    replace(tf.Cast, makeSharedCopy);
  }
}
