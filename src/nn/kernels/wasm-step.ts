/**
 * A training step's mean loss and its gradients on tfjs' wasm backend, through the same kernels
 * as the network's ops (the fused layers' forward and gradient kernels in fused/, tfjs' matrix
 * products) but without tfjs' engine and tape: their implementations are called directly, with
 * each layer's shapes worked out once per batch size; no Tensor objects, no recorded ops, no
 * tidy scopes, and the image bytes scaled on the heap in one SIMD pass. The head (fc1, the logits, softmax cross-entropy) is two
 * fused products forward and four backward, with the small element-wise parts in JavaScript.
 * That JavaScript cost about the same at every network size, so small evolved networks felt it
 * most (bench/README.md, fifth pass).
 *
 * It computes what the tape computes, up to float32 rounding (wasm-step.test.ts compares the
 * two); MaskedNetwork uses it wherever create() finds every part on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { ConvPoolBlock, convPoolApplies } from './fused/conv-bias-max-pool-relu';
import { ConvReluAvgPool } from './fused/conv-bias-relu-avg-pool';
import { columnSums, HeapScratch, simdKernelsOf } from './wasm-heap';

/** A TensorInfo with only a shape: what the blocks' shape checks read. */
const shaped = (shape: number[]): tf.TensorInfo => ({ dataId: {}, shape, dtype: 'float32' });
/** The same data seen with another shape (not a new tensor: never freed on its own). */
const viewAs = (t: tf.TensorInfo, shape: number[]): tf.TensorInfo => ({ dataId: t.dataId, shape, dtype: t.dtype });
const pooled = (n: number): number => Math.ceil(n / 2);

export class WasmStep {
  private constructor(
    private readonly input: number[],
    private readonly conv1: ConvPoolBlock,
    private readonly conv2: ConvReluAvgPool,
    private readonly conv3: ConvReluAvgPool,
  ) {}

  /**
   * For batches of shape `input` ([B, H, W, C]) and parameters shaped like `params` (conv1–3
   * and fc1 kernel and bias, then the output layer's), pooling `poolSize` with stride 2, on
   * `backend`; null where any part would not run there through our kernels (any backend but
   * wasm, and shapes our fused layers do not take).
   */
  static create(
    input: number[],
    params: readonly tf.TensorInfo[],
    poolSize: number,
    backend: tf.KernelBackend = tf.backend(),
  ): WasmStep | null {
    if (params.length !== 10) return null;
    const [w1, , w2, , w3] = params;
    const x = shaped(input);
    if (!convPoolApplies(x, w1, backend)) return null;
    const [B, H, W] = input;
    const h1 = shaped([B, pooled(H), pooled(W), w1.shape[3]]);
    const conv2 = ConvReluAvgPool.create(h1, w2, poolSize, 2, backend);
    const h2 = shaped([B, pooled(pooled(H)), pooled(pooled(W)), w2.shape[3]]);
    const conv3 = ConvReluAvgPool.create(h2, w3, poolSize, 2, backend);
    if (!conv2 || !conv3) return null;
    return new WasmStep(input, new ConvPoolBlock(x, w1, poolSize, 2), conv2, conv3);
  }

  /**
   * The mean softmax cross-entropy of the batch (`x` NHWC, scaled floats or their bytes; `labels`
   * class indices) and its gradients in parameter order, as tensors on the backend that the
   * caller owns. `params` are shaped as they were for create().
   */
  run(
    backend: tf.KernelBackend,
    x: Float32Array | Uint8Array,
    labels: ArrayLike<number>,
    params: readonly tf.TensorInfo[],
  ): { loss: number; grads: tf.TensorInfo[] } {
    const [w1, b1, w2, b2, w3, b3, w4, b4, wo, bo] = params;
    const [F, U] = w4.shape;
    const classes = wo.shape[1];
    const B = this.input[0];
    if (x.length !== tf.util.sizeFromShape(this.input) || labels.length !== B)
      throw new Error(
        `WasmStep: a batch of ${labels.length} images (${x.length} values) for input ${this.input.join('×')}`,
      );
    const heap = new HeapScratch(backend);
    const own = (ts: tf.TensorInfo[]) => ts.map((t) => heap.adopt(t));
    try {
      const input = heap.alloc(this.input);
      if (x instanceof Uint8Array) writeScaled(backend, heap, x, input);
      else heap.f32().set(x, heap.address(input) / 4);
      const [y1, arg1, padded1] = own(this.conv1.forward(backend, input, w1, b1));
      const [p2, y2] = own(this.conv2.forward(backend, y1, w2, b2));
      const [p3, y3] = own(this.conv3.forward(backend, p2, w3, b3));
      const h = viewAs(p3, [1, B, F]);
      const w4v = viewAs(w4, [1, F, U]);
      const wov = viewAs(wo, [1, U, classes]);
      const product = (a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean) =>
        heap.run(tf.BatchMatMul, { a, b }, { transposeA, transposeB });
      const hidden = heap.run(
        tf._FusedMatMul,
        { a: h, b: w4v, bias: b4 },
        { transposeA: false, transposeB: false, activation: 'relu' },
      );
      const logits = heap.run(
        tf._FusedMatMul,
        { a: hidden, b: wov, bias: bo },
        { transposeA: false, transposeB: false, activation: 'linear' },
      );
      const dLogits = heap.alloc([1, B, classes]);
      const loss = softmaxCrossEntropy(heap, logits, labels, dLogits);
      const dHidden = product(dLogits, wov, false, true);
      const db4 = heap.alloc([U]);
      const dbo = heap.alloc([classes]);
      reluGradientAndSums(heap, dHidden, hidden, db4);
      columnSums(heap, dLogits, B, classes, dbo);
      const dw4 = product(h, dHidden, true, false);
      const dwo = product(hidden, dLogits, true, false);
      const dh = product(dHidden, w4v, false, true);
      const [dx3, dw3, db3] = own(this.conv3.backward(backend, viewAs(dh, p3.shape), p2, w3, y3));
      const [dx2, dw2, db2] = own(this.conv2.backward(backend, dx3, y1, w2, y2));
      const [dw1, db1] = own(this.conv1.backward(backend, dx2, y1, arg1, padded1));
      const grads = [dw1, db1, dw2, db2, dw3, db3, viewAs(dw4, w4.shape), db4, viewAs(dwo, wo.shape), dbo];
      return { loss, grads: heap.finish(grads) };
    } catch (e) {
      heap.abort();
      throw e;
    }
  }
}

/** input = bytes / 255 as float32, exactly as makeBatch scales them (one SIMD pass instead of a JS loop). */
function writeScaled(backend: tf.KernelBackend, heap: HeapScratch, bytes: Uint8Array, input: tf.TensorInfo): void {
  const staging = heap.alloc([Math.ceil(bytes.length / 4)], 'int32');
  const from = heap.address(staging);
  const to = heap.address(input);
  heap.u8().set(bytes, from);
  const vectors = bytes.length - (bytes.length % 4);
  simdKernelsOf(backend)!.bytesToUnit(from, to, vectors);
  const f32 = heap.f32();
  for (let i = vectors; i < bytes.length; i++) f32[to / 4 + i] = bytes[i] / 255;
}

/**
 * −(1/B) Σ log softmax(logits)[label] over the batch, and its gradient (softmax − one-hot) / B
 * into `dLogits`. Float64 here; tfjs' ops round each step to float32.
 */
function softmaxCrossEntropy(
  heap: HeapScratch,
  logits: tf.TensorInfo,
  labels: ArrayLike<number>,
  dLogits: tf.TensorInfo,
): number {
  const [, B, classes] = logits.shape;
  const f32 = heap.f32();
  const at = heap.address(logits) / 4;
  const dAt = heap.address(dLogits) / 4;
  let total = 0;
  for (let i = 0; i < B; i++) {
    const label = labels[i];
    if (!(label >= 0 && label < classes)) throw new Error(`label ${label} is not one of ${classes} classes`);
    const row = at + i * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, f32[row + c]);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(f32[row + c] - max);
    total -= f32[row + label] - max - Math.log(sum);
    for (let c = 0; c < classes; c++)
      f32[dAt + i * classes + c] = (Math.exp(f32[row + c] - max) / sum - (c === label ? 1 : 0)) / B;
  }
  return total / B;
}

/** g = 0 where the ReLU output is not positive (in place), and sums[u] = Σ over rows of g. */
function reluGradientAndSums(heap: HeapScratch, g: tf.TensorInfo, relu: tf.TensorInfo, sums: tf.TensorInfo): void {
  const [, B, U] = g.shape;
  const f32 = heap.f32();
  const gAt = heap.address(g) / 4;
  const rAt = heap.address(relu) / 4;
  for (let i = 0; i < B * U; i++) if (!(f32[rAt + i] > 0)) f32[gAt + i] = 0;
  columnSums(heap, g, B, U, sums);
}
