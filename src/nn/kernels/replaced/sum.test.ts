import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { relErr } from '../../../testing/numeric';
import { registerWasmTrainingKernels } from '../register';
import { randomOfShape } from '../../../testing/cpu-reference';

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('Sum on wasm equals the cpu backend', () => {
  it('Sum over leading axes (bias gradients), with and without keepDims, and other axes', async () => {
    const x = randomOfShape([4, 5, 6, 7], 3);
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const t = tf.tensor4d(x, [4, 5, 6, 7]);
        const cases = [
          tf.sum(t, [0, 1, 2]),
          tf.sum(t, [2, 0, 1], true),
          tf.sum(t, 0),
          tf.sum(t),
          tf.sum(t, [1, 3]), // not leading: wasm's own kernel
          tf.sum(t, -1),
        ];
        return cases.map((c) => ({ shape: c.shape, values: c.dataSync() as Float32Array }));
      });
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    expect(wasm.map((w) => w.shape)).toEqual([[7], [1, 1, 1, 7], [5, 6, 7], [], [4, 6], [4, 5, 6]]);
    wasm.forEach((w, i) => {
      expect(w.shape).toEqual(cpu[i].shape);
      expect(relErr(w.values, cpu[i].values)).toBeLessThan(1e-5);
    });
  });
});
