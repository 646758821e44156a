/**
 * Conv2DBackpropInput, a scalar C++ loop in tfjs' wasm backend: for stride 1, a convolution of
 * dy with the flipped filter (Winograd or XNNPACK, through our Conv2D); other strides keep the
 * original.
 */
import * as tf from '@tensorflow/tfjs';
import { HeapScratch } from '../wasm-heap';
import { checkNHWC, type HeapBackend } from './shared';

type Backend = tf.KernelBackend;

/** w[y][x][i][o] → w[fh−1−y][fw−1−x][o][i] in one pass (wasm's Reverse is slow). */
function flipFilter(backend: Backend, filter: tf.TensorInfo): tf.TensorInfo {
  const [fh, fw, ci, co] = filter.shape;
  const heap = backend as unknown as HeapBackend;
  const out = heap.makeOutput([fh, fw, co, ci], 'float32');
  const dst = heap.typedArrayFromHeap(out);
  const src = heap.typedArrayFromHeap(filter);
  for (let y = 0; y < fh; y++) {
    for (let x = 0; x < fw; x++) {
      const s0 = (y * fw + x) * ci * co;
      const d0 = ((fh - 1 - y) * fw + (fw - 1 - x)) * co * ci;
      for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) dst[d0 + o * ci + i] = src[s0 + i * co + o];
    }
  }
  return out;
}

/**
 * Stride 1: dx = conv(dy, W flipped in space with in/out channels swapped), padded by
 * (k−1−pad) on each side. Anything else goes to the backend's original kernel.
 */
export function makeConv2DBackpropInput(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    checkNHWC('Conv2DBackpropInput', dataFormat);
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const { filterHeight: fh, filterWidth: fw, padInfo: p } = info;
    const padT = fh - 1 - p.top;
    const padL = fw - 1 - p.left;
    const padB = info.inHeight - info.outHeight + p.top;
    const padR = info.inWidth - info.outWidth + p.left;
    if (
      info.strideHeight !== 1 ||
      info.strideWidth !== 1 ||
      Math.min(padT, padL, padB, padR) < 0 ||
      dy.dtype !== 'float32'
    ) {
      return original(args);
    }
    const heap = new HeapScratch(backend as Backend);
    try {
      const wT = flipFilter(backend as Backend, filter);
      heap.adopt(wT);
      const dx = heap.run(
        'Conv2D',
        { x: dy, filter: wT },
        {
          strides: [1, 1],
          pad: [
            [0, 0],
            [padT, padB],
            [padL, padR],
            [0, 0],
          ],
          dilations: [1, 1],
          dataFormat: 'NHWC',
          dimRoundingMode: undefined,
        },
      );
      return heap.finish(dx);
    } catch (e) {
      heap.abort();
      throw e;
    }
  };
}
