/**
 * Our fused layers as named tfjs kernels. Each op (one file per op) runs its kernel through
 * tfjs' engine, which records it on the tape with the gradient registered for it, where the
 * active backend has registered that kernel (wasm) and the kernel takes these inputs; elsewhere
 * the op is a plain composite of standard tfjs ops, differentiated by the tape as usual.
 */
import * as tf from '@tensorflow/tfjs';

/** A kernel that serves some of its op's inputs: tfjs' KernelConfig and which ones. */
export interface FusedKernelConfig extends tf.KernelConfig {
  /** Whether kernelFunc takes these inputs and attributes on `backend` (shapes, dtypes, our SIMD kernels). */
  applies(inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap, backend: tf.KernelBackend): boolean;
}

/** Registers `kernel` unless its backend already has one of that name (idempotent). */
export function registerFusedKernel(kernel: FusedKernelConfig | tf.KernelConfig): void {
  if (!tf.getKernel(kernel.kernelName, kernel.backendName)) tf.registerKernel(kernel);
}

/** Registers the gradient of a kernel unless one is registered (idempotent). */
export function registerFusedGradient(gradient: tf.GradConfig): void {
  if (!tf.getGradient(gradient.kernelName)) tf.registerGradient(gradient);
}

/** Whether kernel `name` is registered for the active backend and takes these inputs. */
export function fusedKernelApplies(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): boolean {
  const kernel = tf.getKernel(name, tf.getBackend()) as Partial<FusedKernelConfig> | undefined;
  return kernel?.applies?.(inputs, attrs, tf.backend()) === true;
}

/** Kernel `name`'s outputs, run through the engine where fusedKernelApplies; else null. */
export function runFusedKernel(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor[] | null {
  if (!fusedKernelApplies(name, inputs, attrs)) return null;
  const out = tf.engine().runKernel(name, inputs, attrs);
  return Array.isArray(out) ? out : [out];
}

/**
 * A kernel output that only the op's gradient kernel reads (conv1's argmax offsets and padded
 * input, a layer's ReLU output), shown to tfjs' engine with the shape [0]: its data stays on the
 * backend under the same dataId (freed with it), and the gradient kernel, which works out the
 * real shape from the op's inputs, reads it by address. Why: the tape gives every output of a
 * kernel a gradient, and makes a tensor of zeros of the output's shape for each that gets none
 * (tfjs-core engine.ts, addTapeNode); for conv1's 1.6 MB of argmax offsets that allocation and
 * copy made a tape step of the layer 6–9 % slower.
 */
export function gradientState(t: tf.TensorInfo): tf.TensorInfo {
  return { dataId: t.dataId, shape: [0], dtype: t.dtype };
}
