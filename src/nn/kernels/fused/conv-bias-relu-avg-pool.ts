/**
 * avgPool(relu(conv2d(x, w, 1, 'same') + b), size, stride, 'same') with its gradients as one
 * op: the kernel ConvBiasReluAvgPool on tfjs' wasm backend, where the convolution takes the
 * Winograd path (conv2 and conv3) and pooling reaches a pixel from at most AVG_POOL_TAPS
 * windows, its gradient ConvBiasReluAvgPoolGrad; elsewhere convBiasRelu, then tfjs' avgPool.
 * The pooling's gradient, ReLU's and the bias's are one pass, and the tape records one op
 * instead of four (pool, its cast, their saved inputs' copies).
 */
import * as tf from '@tensorflow/tfjs';
import { AVG_POOL_TAPS } from '../simd/layer-kernels';
import { HeapScratch, simdKernelsOf } from '../wasm-heap';
import { convGradients, convReluApplies, gradientAndBias, SAME_CONV } from './conv-gradients';
import { convBiasRelu } from './conv-bias-relu';
import {
  gradientState,
  registerFusedGradient,
  registerFusedKernel,
  runFusedKernel,
  type FusedKernelConfig,
} from './fused-kernel';

export const ConvBiasReluAvgPool = 'EvoLabConvBiasReluAvgPool';
/** [dx, dw, db] from the pooled output's gradient, x, the filter and the ReLU output y. */
export const ConvBiasReluAvgPoolGrad = 'EvoLabConvBiasReluAvgPoolGrad';
export interface ConvBiasReluAvgPoolAttrs {
  poolSize: number;
  poolStride: number;
}

/**
 * Per pixel of a pooled layer's input, the windows of avgPool(·, size, stride, 'same') that reach
 * it, in window order, as AVG_POOL_TAPS byte offsets into one image's pooled gradient and as many
 * weights (1/(size²), as tfjs' AvgPoolGrad; 0 for unused entries); null if more windows reach a
 * pixel. Cached per shape.
 */
function avgPoolTable(info: tf.backend_util.Conv2DInfo): Float32Array | null {
  const key = `${info.inHeight} ${info.inWidth} ${info.inChannels} ${info.filterHeight} ${info.filterWidth} ${info.strideHeight} ${info.strideWidth} ${info.padInfo.top} ${info.padInfo.left}`;
  if (avgPoolTables.has(key)) return avgPoolTables.get(key)!;
  const {
    inHeight: H,
    inWidth: W,
    inChannels: K,
    outHeight: OH,
    outWidth: OW,
    strideHeight: sh,
    strideWidth: sw,
    filterHeight: fh,
    filterWidth: fw,
  } = info;
  const { top, left } = info.padInfo;
  const words = new Float32Array(H * W * 2 * AVG_POOL_TAPS);
  const offsets = new Int32Array(words.buffer);
  let fits = true;
  for (let h = 0; h < H; h++) {
    for (let w = 0; w < W; w++) {
      const at = (h * W + w) * 2 * AVG_POOL_TAPS;
      let e = 0;
      for (let oy = 0; oy < OH; oy++) {
        if (h < oy * sh - top || h >= oy * sh - top + fh) continue;
        for (let ox = 0; ox < OW; ox++) {
          if (w < ox * sw - left || w >= ox * sw - left + fw) continue;
          if (e === AVG_POOL_TAPS) fits = false;
          else {
            offsets[at + e] = (oy * OW + ox) * K * 4;
            words[at + AVG_POOL_TAPS + e] = 1 / (fh * fw);
          }
          e++;
        }
      }
    }
  }
  const table = fits ? words : null;
  if (avgPoolTables.size >= 64) avgPoolTables.clear();
  avgPoolTables.set(key, table);
  return table;
}
const avgPoolTables = new Map<string, Float32Array | null>();

/** The gradient through avgPool then ReLU (g), and db, from the pooled gradient dp and the ReLU output y. */
function avgPoolReluGradients(
  backend: tf.KernelBackend,
  dp: tf.TensorInfo,
  y: tf.TensorInfo,
  table: Float32Array,
): [tf.TensorInfo, tf.TensorInfo] {
  const [B, H, W, K] = y.shape;
  const [, OH, OW] = dp.shape;
  return gradientAndBias(backend, y, (heap, g, sums) => {
    const entries = heap.alloc([table.length], 'int32');
    heap.i32().set(new Int32Array(table.buffer), heap.address(entries) / 4); // offsets and weights, bit for bit
    const simd = simdKernelsOf(backend)!;
    simd.avgPoolReluGradSums(
      heap.address(dp),
      heap.address(y),
      g,
      sums,
      heap.address(entries),
      B,
      H * W,
      K / 4,
      OH * OW * K * 4,
      H * W * K * 4,
    );
  });
}

/**
 * avgPool(relu(conv2d(x, filter, 1, 'same') + bias), poolSize, poolStride, 'same') for one input
 * and filter shape, on TensorInfos (see convBiasReluAvgPool). create() gives null where the op
 * does not apply.
 */
export class ConvReluAvgPool {
  private constructor(
    private readonly poolAttrs: Record<string, unknown>,
    private readonly table: Float32Array,
  ) {}

  static create(
    x: tf.TensorInfo,
    filter: tf.TensorInfo,
    poolSize: number,
    poolStride: number,
    backend: tf.KernelBackend,
  ): ConvReluAvgPool | null {
    if (!convReluApplies(x, filter, backend)) return null;
    const [B, H, W] = x.shape;
    const pool = tf.backend_util.computePool2DInfo([B, H, W, filter.shape[3]], poolSize, poolStride, 1, 'same');
    const table = avgPoolTable(pool);
    return table ? new ConvReluAvgPool({ filterSize: poolSize, strides: poolStride, pad: 'same' }, table) : null;
  }

  /** [pooled, y]: the op's output and the ReLU output its gradient needs. */
  forward(
    backend: tf.KernelBackend,
    x: tf.TensorInfo,
    w: tf.TensorInfo,
    b: tf.TensorInfo,
  ): [tf.TensorInfo, tf.TensorInfo] {
    const heap = new HeapScratch(backend);
    try {
      const y = heap.run(tf.FusedConv2D, { x, filter: w, bias: b }, { ...SAME_CONV, activation: 'relu' });
      const pooled = heap.run(tf.AvgPool, { x: y }, this.poolAttrs);
      return heap.finish([pooled, y]) as [tf.TensorInfo, tf.TensorInfo];
    } catch (e) {
      heap.abort();
      throw e;
    }
  }

  /** [dx, dw, db] from the gradient of the pooled output, the op's input, filter and ReLU output. */
  backward(
    backend: tf.KernelBackend,
    dp: tf.TensorInfo,
    x: tf.TensorInfo,
    w: tf.TensorInfo,
    y: tf.TensorInfo,
  ): tf.TensorInfo[] {
    return convGradients(backend, avgPoolReluGradients(backend, dp, y, this.table), x, w);
  }
}

type Inputs = Record<string, tf.TensorInfo>;

/** The op for one input and filter shape, from a kernel's attributes (null where it does not apply). */
function layerOf(x: tf.TensorInfo, filter: tf.TensorInfo, attrs: tf.NamedAttrMap, backend: tf.KernelBackend) {
  const { poolSize, poolStride } = attrs as unknown as ConvBiasReluAvgPoolAttrs;
  return ConvReluAvgPool.create(x, filter, poolSize, poolStride, backend);
}

/** Forward on wasm: [pooled, the ReLU output y as gradientState] (y is what the gradient needs). */
const convBiasReluAvgPoolWasm: FusedKernelConfig = {
  kernelName: ConvBiasReluAvgPool,
  backendName: 'wasm',
  applies: ({ x, filter }, attrs, backend) => layerOf(x!, filter!, attrs, backend) !== null,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, filter, bias } = inputs as Inputs;
    const kernelBackend = backend as tf.KernelBackend;
    const [pooled, y] = layerOf(x, filter, attrs!, kernelBackend)!.forward(kernelBackend, x, filter, bias);
    return [pooled, gradientState(y)];
  },
};

/** Its gradient on wasm: [dx, dw, db]. */
const convBiasReluAvgPoolGradWasm: tf.KernelConfig = {
  kernelName: ConvBiasReluAvgPoolGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, x, filter, y } = inputs as Inputs;
    const kernelBackend = backend as tf.KernelBackend;
    // y came as gradientState: its shape is the 'same' convolution's.
    const relu = { ...y, shape: [...x.shape.slice(0, 3), filter.shape[3]] };
    return layerOf(x, filter, attrs!, kernelBackend)!.backward(kernelBackend, dy, x, filter, relu);
  },
};

const convBiasReluAvgPoolGradient: tf.GradConfig = {
  kernelName: ConvBiasReluAvgPool,
  inputsToSave: ['x', 'filter'],
  outputsToSave: [false, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy] = dys as tf.Tensor[];
    const [x, filter, y] = saved;
    const [dx, dw, db] = tf.engine().runKernel(ConvBiasReluAvgPoolGrad, { dy, x, filter, y }, attrs) as tf.Tensor[];
    return { x: () => dx, filter: () => dw, bias: () => db };
  },
};

/** Registers the op's kernels for wasm and its gradient (idempotent). */
export function registerConvBiasReluAvgPool(): void {
  registerFusedKernel(convBiasReluAvgPoolWasm);
  registerFusedKernel(convBiasReluAvgPoolGradWasm);
  registerFusedGradient(convBiasReluAvgPoolGradient);
}

/**
 * avgPool(relu(conv2d(x, filter, 1, 'same') + bias), poolSize, poolStride, 'same') with
 * gradients for all three: one kernel where the backend has it for these shapes, else
 * convBiasRelu (itself fused where it can be), then tfjs' avgPool.
 */
export function convBiasReluAvgPool(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D,
  poolSize: number,
  poolStride: number,
): tf.Tensor4D {
  const attrs: ConvBiasReluAvgPoolAttrs = { poolSize, poolStride };
  const fused = runFusedKernel(ConvBiasReluAvgPool, { x, filter, bias }, attrs as unknown as tf.NamedAttrMap);
  if (fused) {
    fused[1].dispose(); // the ReLU output: the tape keeps its own reference for the gradient
    return fused[0] as tf.Tensor4D;
  }
  return tf.avgPool(convBiasRelu(x, filter, bias), poolSize, poolStride, 'same');
}
