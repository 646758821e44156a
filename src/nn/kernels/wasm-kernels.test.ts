import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../evolution/rng';
import { conv2DBackpropFilterWasm, registerWasmTrainingKernels } from './wasm-kernels';
import { relErr } from '../../testing/numeric';

const originalMaxPoolGrad = tf.getKernel(tf.MaxPoolGrad, 'wasm')!;

/** Uniform in [−1, 1) + offset; offset NaN gives ties: values in {0, 1}. */
function randomOfShape(shape: number[], seed: number, offset = 0): Float32Array {
  const rng = new Rng(seed);
  const draw = Number.isNaN(offset) ? () => rng.int(2) : () => rng.next() * 2 - 1 + offset;
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, draw);
}

/** Gradients of sum(f(inputs) · probe) w.r.t. every input, on `backend`. */
async function grads(
  backend: string,
  shapes: number[][],
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  offset = 0,
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const xs = shapes.map((s, i) => tf.tensor(randomOfShape(s, i + 1, offset), s));
    const probeShape = f(...xs).shape;
    const probe = tf.tensor(randomOfShape(probeShape, 99), probeShape);
    const g = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), probe)))(xs);
    return g.map((t) => t.dataSync() as Float32Array);
  });
}

async function expectSameAsCpu(shapes: number[][], f: (...xs: tf.Tensor[]) => tf.Tensor, offset = 0): Promise<void> {
  const cpu = await grads('cpu', shapes, f, offset);
  const wasm = await grads('wasm', shapes, f, offset);
  expect(wasm.length).toBe(cpu.length);
  wasm.forEach((g, i) => {
    expect(g.length).toBe(cpu[i].length);
    expect(relErr(g, cpu[i])).toBeLessThan(1e-4);
  });
}

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

describe('other training kernels on wasm equal the cpu backend', () => {
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

  it('AvgPool and AvgPoolGrad, 3×3 stride 2 same (as the network uses them, also at LeNet sizes)', async () => {
    await expectSameAsCpu([[2, 7, 7, 4]], (x) => tf.avgPool(x as tf.Tensor4D, 3, 2, 'same'));
    await expectSameAsCpu([[8, 14, 14, 32]], (x) => tf.avgPool(x as tf.Tensor4D, 3, 2, 'same'));
  });

  it('AvgPoolGrad, other windows: 2×2 stride 2 valid, 3×3 stride 1 same', async () => {
    await expectSameAsCpu([[2, 8, 9, 3]], (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid'));
    await expectSameAsCpu([[1, 6, 6, 4]], (x) => tf.avgPool(x as tf.Tensor4D, 3, 1, 'same'));
    await expectSameAsCpu([[2, 9, 7, 8]], (x) => tf.avgPool(x as tf.Tensor4D, [3, 2], 2, 'valid'));
  });

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
