import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../register';
import { expectSameAsCpu } from '../../../testing/cpu-reference';

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('conv2d gradients on wasm equal the cpu backend', () => {
  const cases: [string, number[], number[], number, 'same' | 'valid' | number][] = [
    ['1 channel, 5×5 same', [2, 12, 12, 1], [5, 5, 1, 8], 1, 'same'],
    ['3 channels, 5×5 same, batch 3', [3, 10, 10, 3], [5, 5, 3, 6], 1, 'same'],
    ['32 channels, 5×5 same', [2, 7, 7, 32], [5, 5, 32, 16], 1, 'same'],
    ['stride 2, same, odd size', [2, 9, 9, 3], [5, 5, 3, 4], 2, 'same'],
    ['stride 2, valid, rectangular', [2, 10, 11, 3], [3, 5, 3, 4], 2, 'valid'],
    ['valid, stride 1', [2, 9, 8, 4], [5, 5, 4, 3], 1, 'valid'],
    ['numeric padding 1', [1, 6, 6, 2], [3, 3, 2, 3], 1, 1],
    ['stride 3 same', [1, 7, 7, 2], [3, 3, 2, 3], 3, 'same'],
    // The filter gradient takes im2col up to 128 rows (fh·fw·C) and transposes beyond.
    ['im2col at its limit: 5×5×5 = 125 rows', [2, 9, 9, 5], [5, 5, 5, 4], 1, 'same'],
    ['transposed path just past it: 3×3×16 = 144 rows', [2, 6, 6, 16], [3, 3, 16, 5], 1, 'same'],
    ['MNIST conv1 size (the im2col product has a long inner dimension)', [8, 28, 28, 1], [5, 5, 1, 8], 1, 'same'],
  ];
  for (const [name, xs, ws, stride, pad] of cases) {
    it(name, async () => {
      await expectSameAsCpu([xs, ws], (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad));
    });
  }

  it('the fused conv with bias and ReLU (as conv2/conv3 use it)', async () => {
    await expectSameAsCpu([[2, 7, 7, 8], [5, 5, 8, 4], [4]], (x, w, b) =>
      tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: w as tf.Tensor4D,
        bias: b,
        strides: 1,
        pad: 'same',
        activation: 'relu',
      }),
    );
  });
});
