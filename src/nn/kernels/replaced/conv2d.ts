import * as tf from '@tensorflow/tfjs';
import { winogradApplies, winogradConv2D } from '../winograd-conv';
import { forwardConvInfo } from './shared';

/** 5×5 stride-1 convolutions by Winograd F(4×4, 5×5) (winograd-conv.ts); the rest as before. */
export function makeConv2D(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.Conv2DAttrs;
    if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') return original(args);
    const info = forwardConvInfo(x, filter, attrs);
    if (!winogradApplies(info, x.dtype)) return original(args);
    return winogradConv2D(args.backend as tf.KernelBackend, x, filter, info) ?? original(args);
  };
}
