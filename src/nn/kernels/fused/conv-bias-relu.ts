/**
 * relu(conv2d(x, w, 1, 'same') + b) with its gradients as one op: the kernel ConvBiasRelu on
 * tfjs' wasm backend, where the convolution takes the Winograd path (conv2 and conv3), its
 * gradient ConvBiasReluGrad; tfjs' fused conv elsewhere. tfjs unfuses its fused conv while
 * recording gradients: conv, bias add, ReLU forward, and step, multiply, sum backward, each a
 * kernel call and a full pass over the activations. Here the forward is the fused kernel (bias
 * and ReLU applied as output tiles are stored), and the backward one pass for ReLU's gradient
 * and the bias gradient, then the two convolution gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { simdKernelsOf, wasmKernel } from '../wasm-heap';
import { convGradients, convReluApplies, gradientAndBias, SAME_CONV } from './conv-gradients';
import { registerFusedGradient, registerFusedKernel, runFusedKernel, type FusedKernelConfig } from './fused-kernel';

export const ConvBiasRelu = 'EvoLabConvBiasRelu';
/** [dx, dw, db] from dy, x, the filter and the op's output y. */
export const ConvBiasReluGrad = 'EvoLabConvBiasReluGrad';

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

type Inputs = Record<string, tf.TensorInfo>;

const convBiasReluWasm: FusedKernelConfig = {
  kernelName: ConvBiasRelu,
  backendName: 'wasm',
  applies: ({ x, filter }, _attrs, backend) => convReluApplies(x!, filter!, backend),
  kernelFunc: ({ inputs, backend }) => {
    const { x, filter, bias } = inputs as Inputs;
    const attrs = { ...SAME_CONV, activation: 'relu' } as unknown as tf.NamedAttrMap;
    return wasmKernel(tf.FusedConv2D).kernelFunc({ inputs: { x, filter, bias }, backend, attrs });
  },
};

const convBiasReluGradWasm: tf.KernelConfig = {
  kernelName: ConvBiasReluGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const { dy, x, filter, y } = inputs as Inputs;
    const kernelBackend = backend as tf.KernelBackend;
    return convGradients(kernelBackend, reluAndBiasGradients(kernelBackend, dy, y), x, filter);
  },
};

const convBiasReluGradient: tf.GradConfig = {
  kernelName: ConvBiasRelu,
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [x, filter, y] = saved;
    const [dx, dw, db] = tf.engine().runKernel(ConvBiasReluGrad, { dy: dy as tf.Tensor, x, filter, y }) as tf.Tensor[];
    return { x: () => dx, filter: () => dw, bias: () => db };
  },
};

/** Registers the op's kernels for wasm and its gradient (idempotent). */
export function registerConvBiasRelu(): void {
  registerFusedKernel(convBiasReluWasm);
  registerFusedKernel(convBiasReluGradWasm);
  registerFusedGradient(convBiasReluGradient);
}

/** relu(conv2d(x, filter, 1, 'same') + bias) with gradients for all three: one kernel where the backend has it, else tfjs' fused conv. */
export function convBiasRelu(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D): tf.Tensor4D {
  const fused = runFusedKernel(ConvBiasRelu, { x, filter, bias }, {});
  if (fused) return fused[0] as tf.Tensor4D;
  return tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias, activation: 'relu' });
}
