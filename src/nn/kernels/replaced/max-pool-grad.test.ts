import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../register';
import { expectSameAsCpu, randomOfShape } from '../../../testing/cpu-reference';

const originalMaxPoolGrad = tf.getKernel(tf.MaxPoolGrad, 'wasm')!;

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('MaxPoolGrad on wasm equals the cpu backend', () => {
  it('MaxPoolGrad, 3×3 stride 2 same', async () => {
    await expectSameAsCpu([[2, 9, 9, 5]], (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same'));
    await expectSameAsCpu([[4, 28, 28, 32]], (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same')); // LeNet's, SIMD
  });

  // Channels in fours take the SIMD window kernel (four channels per instruction).

  it('MaxPoolGrad in SIMD: negative windows, ties (first maximum per channel), other windows', async () => {
    await expectSameAsCpu([[2, 8, 8, 8]], (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same'), -3);
    await expectSameAsCpu([[2, 8, 8, 8]], (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same'), NaN);
    await expectSameAsCpu([[2, 8, 9, 4]], (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'));
    await expectSameAsCpu([[2, 9, 7, 12]], (x) => tf.maxPool(x as tf.Tensor4D, [3, 2], 2, 'valid'));
  });

  it('MaxPoolGrad where whole windows are negative (wasm 4.22 drops these gradients)', async () => {
    await expectSameAsCpu([[2, 8, 8, 3]], (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same'), -3);
    // The backend's own kernel really is wrong here, which is why it is replaced.
    const x = tf.tensor4d(randomOfShape([1, 4, 4, 1], 5, -3), [1, 4, 4, 1]);
    const y = tf.maxPool(x, 2, 2, 'valid');
    const dy = tf.onesLike(y);
    const info = originalMaxPoolGrad.kernelFunc({
      inputs: { dy, input: x, output: y },
      backend: tf.backend(),
      attrs: { filterSize: 2, strides: 2, pad: 'valid' },
    }) as tf.TensorInfo;
    const original = tf.engine().makeTensorFromTensorInfo(info);
    expect(original.sum().dataSync()[0]).not.toBe(4);
    tf.dispose([x, y, dy, original]);
  });

  it('MaxPoolGrad sends the gradient of a tied window to its first maximum, as cpu does', async () => {
    await expectSameAsCpu([[2, 8, 8, 3]], (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same'), NaN);
  });

  it('MaxPoolGrad, other windows: 2×2 stride 2 valid, 3×3 stride 1 same, 3×2 stride 2 valid', async () => {
    await expectSameAsCpu([[2, 8, 9, 3]], (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'));
    await expectSameAsCpu([[1, 6, 6, 4]], (x) => tf.maxPool(x as tf.Tensor4D, 3, 1, 'same'));
    await expectSameAsCpu([[2, 9, 7, 2]], (x) => tf.maxPool(x as tf.Tensor4D, [3, 2], 2, 'valid'));
  });
});
