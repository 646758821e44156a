/**
 * relu(conv2d(x, w, 1, 'same') + b) with its gradients as one op on tfjs' wasm backend, where the
 * convolution takes the Winograd path (conv2 and conv3). tfjs unfuses its fused conv while
 * recording gradients: conv, bias add, ReLU forward, and step, multiply, sum backward, each a
 * kernel call and a full pass over the activations. Here the forward is the fused kernel (bias
 * and ReLU applied as output tiles are stored), and the backward one pass for ReLU's gradient
 * and the bias gradient, then the two convolution gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { AVG_POOL_TAPS } from './simd/layer-kernels';
import { columnSums, HeapScratch, simdKernelsOf } from './wasm-heap';
import { winogradApplies } from './winograd-conv';

/** Whether the fused op runs here: wasm with our SIMD kernels, a convolution Winograd takes. */
export function convReluApplies(x: tf.TensorInfo, filter: tf.TensorInfo): boolean {
  if (
    tf.getBackend() !== 'wasm' ||
    simdKernelsOf(tf.backend()) === null ||
    x.shape.length !== 4 ||
    filter.shape.length !== 4
  )
    return false;
  const shape4 = (s: number[]) => s as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(shape4(x.shape), shape4(filter.shape), 1, 1, 'same');
  return winogradApplies(info, x.dtype);
}

/**
 * A gradient g shaped like y and its bias gradient db: `write` fills g and per-image partial sums
 * of g (one kernel pass), which are then added over the images in float64.
 */
function gradientAndBias(
  backend: tf.KernelBackend,
  y: tf.TensorInfo,
  write: (heap: HeapScratch, g: number, sums: number) => void,
): [tf.TensorInfo, tf.TensorInfo] {
  const [B, , , K] = y.shape;
  const heap = new HeapScratch(backend);
  try {
    const g = heap.alloc(y.shape);
    const sums = heap.alloc([B, K]);
    const db = heap.alloc([K]);
    write(heap, heap.address(g), heap.address(sums));
    columnSums(heap, sums, B, K, db); // db = Σ over the images
    return heap.finish([g, db]) as [tf.TensorInfo, tf.TensorInfo];
  } catch (e) {
    heap.abort();
    throw e;
  }
}

/** g = dy where y > 0, and db = Σ g over all but the channel axis. */
function reluAndBiasGradients(
  backend: tf.KernelBackend,
  dy: tf.TensorInfo,
  y: tf.TensorInfo,
): [tf.TensorInfo, tf.TensorInfo] {
  const [B, H, W, K] = y.shape;
  return gradientAndBias(backend, y, (heap, g, sums) =>
    simdKernelsOf(backend)!.reluGradSums(heap.address(dy), heap.address(y), g, sums, B, H * W, K / 4),
  );
}

/** A stride-1 'same' convolution's attributes, as the fused ops here run it. */
const SAME_CONV = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 } as const;

/**
 * [dx, dw, db] of conv2d(x, w, 1, 'same') + b, from the gradient g at the sum and its bias
 * gradient db (both made for this call: freed or returned here).
 */
function convGradients(
  backend: tf.KernelBackend,
  [g, db]: [tf.TensorInfo, tf.TensorInfo],
  x: tf.TensorInfo,
  w: tf.TensorInfo,
): tf.TensorInfo[] {
  const heap = new HeapScratch(backend);
  heap.adopt(g);
  heap.adopt(db);
  try {
    const dx = heap.run(tf.Conv2DBackpropInput, { dy: g, filter: w }, { ...SAME_CONV, inputShape: x.shape });
    const dw = heap.run(tf.Conv2DBackpropFilter, { x, dy: g }, { ...SAME_CONV, filterShape: w.shape });
    return heap.finish([dx, dw, db]);
  } catch (e) {
    heap.abort();
    throw e;
  }
}

/** relu(conv2d(x, filter, 1, 'same') + bias) with gradients for all three, where convReluApplies; else null. */
export function convBiasRelu(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D): tf.Tensor4D | null {
  if (!convReluApplies(x, filter)) return null;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xs, w, b, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.GradSaveFunc];
    const y = tf.engine().runKernel(tf.FusedConv2D, { x: xs, filter: w, bias: b }, {
      ...SAME_CONV,
      activation: 'relu',
    } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
    save([xs, w, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xSaved, wSaved, ySaved] = saved;
        const backend = tf.backend();
        return convGradients(backend, reluAndBiasGradients(backend, dy, ySaved), xSaved, wSaved).map((t) =>
          tf.engine().makeTensorFromTensorInfo(t),
        );
      },
    };
  });
  return op(x, filter, bias) as tf.Tensor4D;
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

  static create(x: tf.TensorInfo, filter: tf.TensorInfo, poolSize: number, poolStride: number): ConvReluAvgPool | null {
    if (!convReluApplies(x, filter)) return null;
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

/**
 * avgPool(relu(conv2d(x, filter, 1, 'same') + bias), poolSize, poolStride, 'same') with gradients
 * for all three, where convReluApplies and pooling reaches a pixel from at most AVG_POOL_TAPS
 * windows; else null. The pooling's gradient, ReLU's and the bias's are one pass, and the tape
 * records one op instead of four (pool, its cast, their saved inputs' copies).
 */
export function convBiasReluAvgPool(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D,
  poolSize: number,
  poolStride: number,
): tf.Tensor4D | null {
  const block = ConvReluAvgPool.create(x, filter, poolSize, poolStride);
  if (!block) return null;
  const tensor = (t: tf.TensorInfo) => tf.engine().makeTensorFromTensorInfo(t);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xs, w, b, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.GradSaveFunc];
    const [pooled, y] = block.forward(tf.backend(), xs, w, b).map(tensor);
    save([xs, w, y]);
    return {
      value: pooled,
      gradFunc: (dp: tf.Tensor, saved: tf.Tensor[]) =>
        block.backward(tf.backend(), dp, saved[0], saved[1], saved[2]).map(tensor),
    };
  });
  return op(x, filter, bias) as tf.Tensor4D;
}
