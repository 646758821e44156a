import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from './register';
import { randomOfShape } from '../../testing/cpu-reference';

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('registration', () => {
  // 3 channels: the JS kernels and XNNPACK; 4: Winograd and the SIMD pooling gradient.
  for (const channels of [3, 4]) {
    it(`is idempotent and leaves no wasm buffers behind (${channels} channels)`, async () => {
      registerWasmTrainingKernels();
      registerWasmTrainingKernels();
      await tf.setBackend('wasm');
      const backend = tf.backend() as unknown as { numDataIds(): number };
      const x = tf.tensor4d(randomOfShape([2, 8, 8, channels], 1), [2, 8, 8, channels]);
      const w = tf.tensor4d(randomOfShape([5, 5, channels, 4], 2), [5, 5, channels, 4]);
      const step = () =>
        tf.tidy(() =>
          tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf
              .avgPool(tf.maxPool(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), 3, 2, 'same'), 3, 2, 'same')
              .sum(),
          )([x, w]),
        );
      tf.dispose(step());
      const tensors = tf.memory().numTensors;
      const buffers = backend.numDataIds();
      for (let i = 0; i < 3; i++) tf.dispose(step());
      expect(tf.memory().numTensors).toBe(tensors);
      expect(backend.numDataIds()).toBe(buffers);
      tf.dispose([x, w]);
    });
  }
});
