/**
 * Conv2DBackpropFilter, which tfjs' wasm backend lacks (training a CNN throws without it): by
 * Winograd (winograd-conv.ts) for 5×5 stride-1 convolutions with channels in fours, else as one
 * matrix product over an im2col of the input when the input has few channels (conv1; our SIMD
 * product where the filters come in fours), else as one XNNPACK convolution over transposed
 * tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { product, type SimdKernels } from '../simd/simd-kernels';
import { HeapScratch, simdKernelsOf, wasmKernel } from '../wasm-heap';
import { winogradApplies, winogradFilterGradient } from '../winograd-conv';
import { checkNHWC, explicitPad, type HeapBackend } from './shared';

type Backend = tf.KernelBackend;

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
