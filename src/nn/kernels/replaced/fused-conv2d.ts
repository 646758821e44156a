import * as tf from '@tensorflow/tfjs';
import { winogradApplies, winogradConv2D } from '../winograd-conv';
import { forwardConvInfo } from './shared';

/**
 * The fused conv + bias + ReLU (inference, and fused/conv-bias-relu*.ts in training): the Winograd
 * convolution with bias and activation applied as its output tiles are stored. Others go to
 * the original kernel.
 */
export function makeFusedConv2D(original: tf.KernelFunc): tf.KernelFunc {
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
      winogradConv2D(args.backend as tf.KernelBackend, x, filter, info, { bias, relu: activation === 'relu' }) ??
      original(args)
    );
  };
}
