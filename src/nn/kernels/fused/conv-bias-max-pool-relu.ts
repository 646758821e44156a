/**
 * The first layer's block, relu(maxPool(conv2d(x, w, 1, 'same') + b, 'same')), as one op: the
 * kernel ConvBiasMaxPoolRelu on tfjs' wasm backend for inputs with few channels (the image: 1
 * for MNIST, 3 for CIFAR-10) and filters in fours, its gradient ConvBiasMaxPoolReluGrad; tfjs'
 * ops elsewhere.
 *
 * Unfused, the block wrote and re-read the full-resolution conv output [B, 28, 28, K] about ten
 * times a step (bias add, pool, the tape's copies, pool gradient, bias gradient, im2col filter
 * gradient) and cost conv1 a quarter of an ancestor's step and 40 % of a small network's.
 * Here the convolution runs one image at a time into a scratch that stays in cache, is pooled
 * there, and only the pooled output leaves, with the position of each window's first maximum.
 * The gradients need only those positions: dW[t] = Σ over pooled outputs of g · x[argmax + t],
 * a quarter of the terms of the full-resolution sum, and no input gradient (x is the image).
 *
 * Pooling before the bias is exact: adding the same b keeps the order of a window's values
 * (float addition is monotonic), and relu(max) = max(relu). Only the routing of exact ties
 * could differ, which the unfused op settles by the same "first maximum" rule.
 */
import * as tf from '@tensorflow/tfjs';
import {
  convPoolGradientsFixed,
  DIRECT_MAX_VECTORS,
  DIRECT_PIXELS,
  maxPoolArgmaxFixed,
  type ConvPoolShape,
} from '../simd/layer-kernels';
import { specialisedKernel, type SimdKernels } from '../simd/simd-kernels';
import { HeapScratch, simdKernelsOf, wasmMemoryOf } from '../wasm-heap';
import { padInto } from '../winograd-conv';
import {
  gradientState,
  registerFusedGradient,
  registerFusedKernel,
  runFusedKernel,
  type FusedKernelConfig,
} from './fused-kernel';

export const ConvBiasMaxPoolRelu = 'EvoLabConvBiasMaxPoolRelu';
/** dW and db from dy, x, the filter, the block's output y and its argmax offsets (no dx: x is the image). */
export const ConvBiasMaxPoolReluGrad = 'EvoLabConvBiasMaxPoolReluGrad';
export interface ConvBiasMaxPoolReluAttrs {
  poolSize: number;
  poolStride: number;
}

/** Inputs with more channels go to the Winograd path (the direct kernel does no channel blocking). */
export const MAX_DIRECT_CHANNELS = 4;

interface Geometry {
  B: number;
  H: number;
  W: number;
  C: number;
  K: number;
  kh: number;
  kw: number;
  /** Conv output columns per row, computed in blocks of DIRECT_PIXELS pixels. */
  Wb: number;
  /** The zero-padded input: [B, Hp, Wq, C]. */
  Hp: number;
  Wq: number;
  convTop: number;
  convLeft: number;
  pool: tf.backend_util.Conv2DInfo;
  /** The per-image scratch: SH × SW pixels of K channels, −∞ where pooling pads. */
  SH: number;
  SW: number;
}

function geometry(x: tf.TensorInfo, filter: tf.TensorInfo, poolSize: number, poolStride: number): Geometry {
  const [B, H, W, C] = x.shape;
  const [kh, kw, , K] = filter.shape;
  const conv = tf.backend_util.computeConv2DInfo([B, H, W, C], [kh, kw, C, K], 1, 1, 'same');
  const pool = tf.backend_util.computePool2DInfo([B, H, W, K], poolSize, poolStride, 1, 'same');
  const Wb = Math.ceil(W / DIRECT_PIXELS) * DIRECT_PIXELS;
  const { left } = pool.padInfo;
  return {
    B,
    H,
    W,
    C,
    K,
    kh,
    kw,
    Wb,
    Hp: H + kh - 1,
    Wq: Wb + kw - 1,
    convTop: conv.padInfo.top,
    convLeft: conv.padInfo.left,
    pool,
    SH: (pool.outHeight - 1) * poolStride + poolSize,
    SW: Math.max((pool.outWidth - 1) * poolStride + poolSize, left + Wb),
  };
}

/** Whether the block's kernels take these: our SIMD kernels on `backend`, few input channels, filters in fours. */
export function convPoolApplies(x: tf.TensorInfo, filter: tf.TensorInfo, backend: tf.KernelBackend): boolean {
  return (
    x.dtype === 'float32' &&
    x.shape.length === 4 &&
    filter.shape.length === 4 &&
    x.shape[3] <= MAX_DIRECT_CHANNELS &&
    filter.shape[3] % 4 === 0 &&
    simdKernelsOf(backend) !== null
  );
}

/** Byte offsets of a filter's taps (kh, kw, c) in the padded input, in the filter's row order. */
function tapTable(g: Geometry): number[] {
  const out: number[] = [];
  for (let i = 0; i < g.kh; i++)
    for (let j = 0; j < g.kw; j++) for (let c = 0; c < g.C; c++) out.push(((i * g.Wq + j) * g.C + c) * 4);
  return out;
}

/** What the block's specialised kernels build in, and a key naming it. */
interface KernelShape {
  shape: ConvPoolShape;
  key: string;
}
function kernelShape(g: Geometry): KernelShape {
  const { filterHeight: ph, filterWidth: pw, strideWidth: sx } = g.pool;
  const window = Array.from({ length: ph * pw }, (_, e) => [Math.floor(e / pw), e % pw]);
  return {
    key: `${g.kh} ${g.kw} ${g.C} ${g.K} ${g.Wq} ${g.SW} ${ph} ${pw} ${sx}`,
    shape: {
      taps: tapTable(g),
      wStride: g.K * 4,
      windowInScratch: window.map(([r, c]) => (r * g.SW + c) * g.K * 4),
      windowInInput: window.map(([r, c]) => (r * g.Wq + c) * g.C * 4),
      groups: g.K / 4,
      sStep: sx * g.K * 4,
      xStep: sx * g.C * 4,
      outStep: g.K * 4,
    },
  };
}

const directConv = (simd: SimdKernels, vectors: number) =>
  [simd.directConv2x1, simd.directConv2x2, simd.directConv2x3, simd.directConv2x4][vectors - 1];

/** Chunks of 4-channel vectors for the direct kernels: as few calls as fit in registers, balanced (5 → 3 + 2). */
function vectorChunks(groups: number): Array<{ first: number; vectors: number }> {
  const calls = Math.ceil(groups / DIRECT_MAX_VECTORS);
  return Array.from({ length: calls }, (_, i) => {
    const first = Math.floor((i * groups) / calls);
    return { first, vectors: Math.floor(((i + 1) * groups) / calls) - first };
  });
}

/** y = relu(maxPool(conv(x, w)) + b), the argmax offsets into the padded input, and that input. */
function forward(
  backend: tf.KernelBackend,
  simd: SimdKernels,
  x: tf.TensorInfo,
  w: tf.TensorInfo,
  b: tf.TensorInfo,
  g: Geometry,
  { shape, key }: KernelShape,
): tf.TensorInfo[] {
  const { B, H, W, C, K, Wb, Hp, Wq, pool, SH, SW } = g;
  const { outHeight: OH, outWidth: OW, strideHeight: sy } = pool;
  const { top, left } = pool.padInfo;
  const heap = new HeapScratch(backend);
  try {
    const y = heap.alloc([B, OH, OW, K]);
    const arg = heap.alloc([B, OH, OW, K], 'int32');
    const padded = heap.alloc([B, Hp, Wq, C]);
    const scratch = heap.alloc([SH, SW, K]);
    padInto(simd, heap, x, padded, g.convTop, g.convLeft);
    const memory = wasmMemoryOf(backend)!;
    const taps = heap.alloc([shape.taps.length], 'int32');
    heap.i32().set(shape.taps, heap.address(taps) / 4);
    const tapsAt = heap.address(taps);
    const maxPoolArgmax = specialisedKernel(memory, `maxPoolArgmax ${key}`, () => maxPoolArgmaxFixed(shape));
    const sAt = heap.address(scratch);
    heap.fill(scratch, -Infinity);
    const f32 = heap.f32();
    const [paddedAt, wAt, bAt, yAt, argAt] = [padded, w, b, y, arg].map((t) => heap.address(t));
    const interior = sAt + (top * SW + left) * K * 4;
    const chunks = vectorChunks(K / 4);
    for (let image = 0; image < B; image++) {
      const xImage = paddedAt + image * Hp * Wq * C * 4;
      for (const { first, vectors } of chunks) {
        directConv(simd, vectors)(
          xImage,
          wAt + 16 * first,
          interior + 16 * first,
          tapsAt,
          shape.taps.length,
          Wb / DIRECT_PIXELS,
          H,
          Wq * C * 4,
          SW * K * 4,
          C * 4,
          K * 4,
          K * 4,
        );
      }
      // Columns computed past the image's edge are pooling padding again.
      if (Wb > W)
        for (let r = 0; r < H; r++)
          f32.fill(-Infinity, interior / 4 + (r * SW + W) * K, interior / 4 + (r * SW + Wb) * K);
      for (let oy = 0; oy < OH; oy++) {
        const out = (image * OH + oy) * OW * K * 4;
        // The receptive field of scratch pixel (oy·sy, 0) starts at padded-input pixel (oy·sy − top, −left).
        const xBase = ((image * Hp + oy * sy - top) * Wq - left) * C * 4;
        maxPoolArgmax(sAt + oy * sy * SW * K * 4, yAt + out, argAt + out, bAt, OW, xBase);
      }
    }
    return heap.finish([y, arg, padded]);
  } catch (e) {
    heap.abort();
    throw e;
  }
}

/** dW and db of the block from dy, its output y, the argmax offsets and the padded input. */
function backward(
  backend: tf.KernelBackend,
  dy: tf.TensorInfo,
  y: tf.TensorInfo,
  arg: tf.TensorInfo,
  padded: tf.TensorInfo,
  g: Geometry,
  { shape, key }: KernelShape,
): tf.TensorInfo[] {
  const heap = new HeapScratch(backend);
  try {
    const dW = heap.alloc([g.kh, g.kw, g.C, g.K]);
    const db = heap.alloc([g.K]);
    heap.fill(dW, 0);
    heap.fill(db, 0);
    const gradients = specialisedKernel(wasmMemoryOf(backend)!, `convPoolGradients ${key}`, () =>
      convPoolGradientsFixed(shape),
    );
    const windows = g.B * g.pool.outHeight * g.pool.outWidth;
    gradients(
      heap.address(dy),
      heap.address(y),
      heap.address(arg),
      heap.address(dW),
      heap.address(db),
      windows,
      heap.address(padded),
    );
    return heap.finish([dW, db]);
  } catch (e) {
    heap.abort();
    throw e;
  }
}

/**
 * The block for one input and filter shape, on TensorInfos: forward gives the output, the
 * argmax offsets and the padded input, which backward takes back.
 */
export class ConvPoolBlock {
  private readonly g: Geometry;
  private readonly kernels: KernelShape;
  constructor(x: tf.TensorInfo, filter: tf.TensorInfo, poolSize: number, poolStride: number) {
    this.g = geometry(x, filter, poolSize, poolStride);
    this.kernels = kernelShape(this.g);
  }
  /** [y, arg, padded]. */
  forward(backend: tf.KernelBackend, x: tf.TensorInfo, w: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo[] {
    return forward(backend, simdKernelsOf(backend)!, x, w, b, this.g, this.kernels);
  }
  /** [dW, db]. */
  backward(
    backend: tf.KernelBackend,
    dy: tf.TensorInfo,
    y: tf.TensorInfo,
    arg: tf.TensorInfo,
    padded: tf.TensorInfo,
  ): tf.TensorInfo[] {
    return backward(backend, dy, y, arg, padded, this.g, this.kernels);
  }
}

/** The block's shapes, from a kernel's attributes. */
function blockOf(x: tf.TensorInfo, filter: tf.TensorInfo, attrs: tf.NamedAttrMap): ConvPoolBlock {
  const { poolSize, poolStride } = attrs as unknown as ConvBiasMaxPoolReluAttrs;
  return new ConvPoolBlock(x, filter, poolSize, poolStride);
}

type Inputs = Record<string, tf.TensorInfo>;

/** Forward on wasm: [y, the argmax offsets and the padded input as gradientState]. */
const convBiasMaxPoolReluWasm: FusedKernelConfig = {
  kernelName: ConvBiasMaxPoolRelu,
  backendName: 'wasm',
  applies: ({ x, filter }, _attrs, backend) => convPoolApplies(x!, filter!, backend),
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, filter, bias } = inputs as Inputs;
    const [y, arg, padded] = blockOf(x, filter, attrs!).forward(backend as tf.KernelBackend, x, filter, bias);
    return [y, gradientState(arg), gradientState(padded)];
  },
};

/** Its gradient on wasm: [dW, db]. */
const convBiasMaxPoolReluGradWasm: tf.KernelConfig = {
  kernelName: ConvBiasMaxPoolReluGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    // arg and padded came as gradientState: the block reads them by address only.
    const { dy, x, filter, y, arg, padded } = inputs as Inputs;
    return blockOf(x, filter, attrs!).backward(backend as tf.KernelBackend, dy, y, arg, padded);
  },
};

const convBiasMaxPoolReluGradient: tf.GradConfig = {
  kernelName: ConvBiasMaxPoolRelu,
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy] = dys as tf.Tensor[];
    const [x, filter, y, arg, padded] = saved;
    const inputs = { dy, x, filter, y, arg, padded };
    const [dw, db] = tf.engine().runKernel(ConvBiasMaxPoolReluGrad, inputs, attrs) as tf.Tensor[];
    return {
      x: () => {
        throw new Error('convBiasMaxPoolRelu has no gradient for its input x (the first layer reads the images)');
      },
      filter: () => dw,
      bias: () => db,
    };
  },
};

/** Registers the block's kernels for wasm and its gradient (idempotent). */
export function registerConvBiasMaxPoolRelu(): void {
  registerFusedKernel(convBiasMaxPoolReluWasm);
  registerFusedKernel(convBiasMaxPoolReluGradWasm);
  registerFusedGradient(convBiasMaxPoolReluGradient);
}

/**
 * relu(maxPool(conv2d(x, filter, 1, 'same') + bias, poolSize, poolStride, 'same')) with
 * gradients for the filter and the bias: one kernel where the backend has it for these shapes
 * (wasm: none for x), else tfjs' ops.
 */
export function convBiasMaxPoolRelu(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D,
  poolSize: number,
  poolStride: number,
): tf.Tensor4D {
  const attrs: ConvBiasMaxPoolReluAttrs = { poolSize, poolStride };
  const fused = runFusedKernel(ConvBiasMaxPoolRelu, { x, filter, bias }, attrs as unknown as tf.NamedAttrMap);
  if (fused) {
    // The argmax offsets and the padded input: the tape keeps its own references for the gradient.
    tf.dispose(fused.slice(1));
    return fused[0] as tf.Tensor4D;
  }
  return tf.relu(
    tf.maxPool(tf.add(tf.conv2d(x, filter, 1, 'same'), bias) as tf.Tensor4D, poolSize, poolStride, 'same'),
  );
}
