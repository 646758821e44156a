import * as tf from '@tensorflow/tfjs';

/**
 * Identity, and Cast to the same dtype, share the input's data (as the cpu backend does) instead
 * of copying it: the tape clones every tensor a kernel saves for the backward pass, which copied
 * each layer's activations on wasm. Safe because no kernel writes into its inputs.
 */
export function makeSharedCopy(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const dtype = (args.attrs as { dtype?: tf.DataType } | undefined)?.dtype ?? x.dtype;
    if (x.dtype === 'string' || dtype !== x.dtype) return original(args);
    (args.backend as unknown as { incRef(dataId: tf.DataId): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
