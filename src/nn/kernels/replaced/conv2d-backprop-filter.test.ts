import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { relErr } from '../../../testing/numeric';
import { registerWasmTrainingKernels } from '../register';
import { conv2DBackpropFilterWasm } from './conv2d-backprop-filter';
import { randomOfShape } from '../../../testing/cpu-reference';

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('the two filter-gradient methods agree', () => {
  for (const [name, xs, fs, stride, pad] of [
    ['1 channel, stride 1 same', [3, 12, 12, 1], [5, 5, 1, 6], 1, 'same'],
    ['8 channels, stride 2 valid', [2, 11, 11, 8], [3, 3, 8, 4], 2, 'valid'],
  ] as const) {
    it(name, async () => {
      await tf.setBackend('wasm');
      const x = tf.tensor4d(randomOfShape([...xs], 11), [...xs] as [number, number, number, number]);
      const y = tf.conv2d(x, tf.zeros([...fs]) as tf.Tensor4D, stride, pad);
      const dy = tf.tensor4d(randomOfShape(y.shape, 12), y.shape);
      const run = (method: 'im2col' | 'transposed') => {
        const info = conv2DBackpropFilterWasm(
          { inputs: { x, dy }, backend: tf.backend(), attrs: { strides: stride, pad, filterShape: [...fs] } },
          method,
        );
        const t = tf.engine().makeTensorFromTensorInfo(info);
        expect(t.shape).toEqual([...fs]);
        const v = t.dataSync() as Float32Array;
        t.dispose();
        return v;
      };
      expect(relErr(run('im2col'), run('transposed'))).toBeLessThan(1e-5);
      tf.dispose([x, y, dy]);
    });
  }
});

describe('Conv2DBackpropFilter on wasm', () => {
  it('rejects NCHW clearly', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 2, 4, 4]);
    const dy = tf.zeros([1, 3, 4, 4]);
    expect(() =>
      tf
        .engine()
        .runKernel(
          tf.Conv2DBackpropFilter,
          { x, dy },
          { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] },
        ),
    ).toThrow(/NHWC/);
    tf.dispose([x, dy]);
  });
});
