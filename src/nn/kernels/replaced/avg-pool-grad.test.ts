import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../register';
import { expectSameAsCpu } from '../../../testing/cpu-reference';

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('AvgPoolGrad on wasm equals the cpu backend', () => {
  it('AvgPool and AvgPoolGrad, 3×3 stride 2 same (as the network uses them, also at LeNet sizes)', async () => {
    await expectSameAsCpu([[2, 7, 7, 4]], (x) => tf.avgPool(x as tf.Tensor4D, 3, 2, 'same'));
    await expectSameAsCpu([[8, 14, 14, 32]], (x) => tf.avgPool(x as tf.Tensor4D, 3, 2, 'same'));
  });

  it('AvgPoolGrad, other windows: 2×2 stride 2 valid, 3×3 stride 1 same', async () => {
    await expectSameAsCpu([[2, 8, 9, 3]], (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid'));
    await expectSameAsCpu([[1, 6, 6, 4]], (x) => tf.avgPool(x as tf.Tensor4D, 3, 1, 'same'));
    await expectSameAsCpu([[2, 9, 7, 8]], (x) => tf.avgPool(x as tf.Tensor4D, [3, 2], 2, 'valid'));
  });
});
