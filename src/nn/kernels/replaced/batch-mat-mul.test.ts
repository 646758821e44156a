import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../register';
import { expectSameAsCpu } from '../../../testing/cpu-reference';

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('BatchMatMul on wasm equals the cpu backend', () => {
  it('matMul with either operand transposed (dense-layer gradients)', async () => {
    await expectSameAsCpu(
      [
        [6, 20],
        [20, 7],
      ],
      (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    );
    await expectSameAsCpu(
      [
        [20, 6],
        [7, 20],
      ],
      (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, true, true),
    );
    await expectSameAsCpu(
      [
        [3, 5, 4],
        [3, 4, 2],
      ],
      (a, b) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
    ); // batched: original path
  });
});
