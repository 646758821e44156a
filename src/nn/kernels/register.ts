/**
 * Registers our kernels for tfjs' wasm backend (4.22): the fused layers (fused/, named kernels
 * with their gradients), and tfjs' own kernels added or replaced (replaced/, one file each):
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
 * (fused/conv-bias-max-pool-relu.ts) and conv2/conv3 with bias, ReLU and average pooling
 * (fused/conv-bias-relu-avg-pool.ts) are fused ops; these kernels serve the fallbacks and other
 * shapes.
 * See bench/README.md for the per-kernel profile these choices come from.
 *
 * The composite kernels call the wasm backend's own kernel functions directly, so
 * intermediates live on the wasm heap and are freed here.
 */
import * as tf from '@tensorflow/tfjs';
// Registers the wasm backend and its kernels, which the kernels below are composed of.
import '@tensorflow/tfjs-backend-wasm';
import { registerConvBiasMaxPoolRelu } from './fused/conv-bias-max-pool-relu';
import { registerConvBiasRelu } from './fused/conv-bias-relu';
import { registerConvBiasReluAvgPool } from './fused/conv-bias-relu-avg-pool';
import { avgPoolGradWasm } from './replaced/avg-pool-grad';
import { makeBatchMatMul } from './replaced/batch-mat-mul';
import { makeConv2D } from './replaced/conv2d';
import { conv2DBackpropFilterWasm } from './replaced/conv2d-backprop-filter';
import { makeConv2DBackpropInput } from './replaced/conv2d-backprop-input';
import { makeFusedConv2D } from './replaced/fused-conv2d';
import { maxPoolGradWasm } from './replaced/max-pool-grad';
import { makeSharedCopy } from './replaced/shared-copy';
import { makeSum } from './replaced/sum';

/** Marks our kernel functions so that registration can recognise itself (idempotence). */
const OURS = Symbol.for('evolab.wasmKernel');
type MarkedKernelFunc = tf.KernelFunc & { [OURS]?: true };

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
  registerConvBiasMaxPoolRelu();
  registerConvBiasRelu();
  registerConvBiasReluAvgPool();
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
