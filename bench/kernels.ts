/**
 * Each replaced wasm training kernel against what it replaces, at LeNet's batch-64 shapes:
 * the fastest of N calls (the minimum is robust to other processes on a shared machine).
 * Stock kernels are captured before EvoLab registers its own.
 *   npx tsx bench/kernels.ts [repeats] [--json]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { convBiasMaxPoolRelu } from '../src/nn/kernels/fused/conv-bias-max-pool-relu';
import { convBiasRelu } from '../src/nn/kernels/fused/conv-bias-relu';
import { convBiasReluAvgPool } from '../src/nn/kernels/fused/conv-bias-relu-avg-pool';
import { registerWasmTrainingKernels } from '../src/nn/kernels/register';
import { conv2DBackpropFilterWasm } from '../src/nn/kernels/replaced/conv2d-backprop-filter';

export interface KernelComparison {
  kernel: string;
  shape: string;
  before: string;
  beforeMs: number | null;
  afterMs: number;
}

export async function compareKernels(repeats = 15): Promise<KernelComparison[]> {
  await tf.setBackend('wasm');
  const stock = (name: string) => {
    const k = tf.getKernel(name, 'wasm');
    if (!k || (k.kernelFunc as unknown as Record<symbol, unknown>)[Symbol.for('evolab.wasmKernel')]) return null;
    return k.kernelFunc;
  };
  const before = {
    sum: stock(tf.Sum),
    avg: stock(tf.AvgPoolGrad),
    max: stock(tf.MaxPoolGrad),
    input: stock(tf.Conv2DBackpropInput),
    conv: stock(tf.Conv2D),
  };
  registerWasmTrainingKernels();
  const ours = (name: string) => tf.getKernel(name, 'wasm')!.kernelFunc;
  const backend = tf.backend();
  const time = (f: () => tf.TensorInfo | tf.TensorInfo[]): number => {
    let best = Infinity;
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      const out = f();
      best = Math.min(best, performance.now() - t0);
      for (const o of Array.isArray(out) ? out : [out]) backend.disposeData(o.dataId);
    }
    return best;
  };
  const rnd = (shape: number[]) => tf.randomUniform(shape, -1, 1);
  const results: KernelComparison[] = [];
  const x1 = rnd([64, 28, 28, 1]);
  const dy1 = rnd([64, 28, 28, 32]);
  const filterAttrs = { strides: 1, pad: 'same', filterShape: [5, 5, 1, 32] };
  results.push({
    kernel: 'Conv2DBackpropFilter conv1',
    shape: 'x [64,28,28,1], dy [64,28,28,32]',
    before: 'XNNPACK conv over transposed tensors',
    beforeMs: time(() =>
      conv2DBackpropFilterWasm({ inputs: { x: x1, dy: dy1 }, backend, attrs: filterAttrs }, 'transposed'),
    ),
    afterMs: time(() =>
      conv2DBackpropFilterWasm({ inputs: { x: x1, dy: dy1 }, backend, attrs: filterAttrs }, 'im2col'),
    ),
  });
  const x2 = rnd([64, 14, 14, 32]);
  const dy2 = rnd([64, 14, 14, 32]);
  const attrs2 = { strides: 1, pad: 'same', filterShape: [5, 5, 32, 32] };
  results.push({
    kernel: 'Conv2DBackpropFilter conv2',
    shape: 'x [64,14,14,32], dy [64,14,14,32]',
    before: 'XNNPACK conv over transposed tensors',
    beforeMs: time(() =>
      conv2DBackpropFilterWasm({ inputs: { x: x2, dy: dy2 }, backend, attrs: attrs2 }, 'transposed'),
    ),
    afterMs: time(() => conv2DBackpropFilterWasm({ inputs: { x: x2, dy: dy2 }, backend, attrs: attrs2 }, 'winograd')),
  });
  const w2 = rnd([5, 5, 32, 32]);
  const x3 = rnd([64, 7, 7, 32]);
  const w3 = rnd([5, 5, 32, 64]);
  const convAttrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 };
  for (const [layer, x, w] of [
    ['conv2', x2, w2],
    ['conv3', x3, w3],
  ] as const) {
    results.push({
      kernel: `Conv2D ${layer}`,
      shape: `x [${x.shape}], W [${w.shape}]`,
      before: 'stock wasm (XNNPACK direct)',
      beforeMs: before.conv
        ? time(() => before.conv!({ inputs: { x, filter: w }, backend, attrs: convAttrs }) as tf.TensorInfo)
        : null,
      afterMs: time(() => ours(tf.Conv2D)({ inputs: { x, filter: w }, backend, attrs: convAttrs }) as tf.TensorInfo),
    });
  }
  const inputAttrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [64, 14, 14, 32] };
  results.push({
    kernel: 'Conv2DBackpropInput conv2',
    shape: 'dy [64,14,14,32], W [5,5,32,32]',
    before: 'stock wasm (scalar loop)',
    beforeMs: before.input
      ? time(() => before.input!({ inputs: { dy: dy2, filter: w2 }, backend, attrs: inputAttrs }) as tf.TensorInfo)
      : null,
    afterMs: time(
      () =>
        ours(tf.Conv2DBackpropInput)({ inputs: { dy: dy2, filter: w2 }, backend, attrs: inputAttrs }) as tf.TensorInfo,
    ),
  });
  const c1 = rnd([64, 28, 28, 32]);
  const p1 = tf.maxPool(c1 as tf.Tensor4D, 3, 2, 'same');
  const dp1 = rnd(p1.shape);
  const poolAttrs = { filterSize: 3, strides: 2, pad: 'same' };
  results.push({
    kernel: 'MaxPoolGrad',
    shape: 'x [64,28,28,32] → [64,14,14,32]',
    before: 'stock wasm (wrong for all-negative windows)',
    beforeMs: before.max
      ? time(
          () => before.max!({ inputs: { dy: dp1, input: c1, output: p1 }, backend, attrs: poolAttrs }) as tf.TensorInfo,
        )
      : null,
    afterMs: time(
      () =>
        ours(tf.MaxPoolGrad)({
          inputs: { dy: dp1, input: c1, output: p1 },
          backend,
          attrs: poolAttrs,
        }) as tf.TensorInfo,
    ),
  });
  for (const shape of [
    [64, 14, 14, 32],
    [64, 7, 7, 64],
  ]) {
    const xa = rnd(shape);
    const pa = tf.avgPool(xa as tf.Tensor4D, 3, 2, 'same');
    const dpa = rnd(pa.shape);
    results.push({
      kernel: 'AvgPoolGrad',
      shape: `x [${shape}] → [${pa.shape}]`,
      before: 'stock wasm',
      beforeMs: before.avg
        ? time(() => before.avg!({ inputs: { dy: dpa, input: xa }, backend, attrs: poolAttrs }) as tf.TensorInfo)
        : null,
      afterMs: time(
        () => ours(tf.AvgPoolGrad)({ inputs: { dy: dpa, input: xa }, backend, attrs: poolAttrs }) as tf.TensorInfo,
      ),
    });
    tf.dispose([xa, pa, dpa]);
  }
  const sumAttrs = { axis: [0, 1, 2], keepDims: false };
  results.push({
    kernel: 'Sum (conv1 bias gradient)',
    shape: '[64,28,28,32] over axes 0,1,2',
    before: 'stock wasm (transposes first)',
    beforeMs: before.sum
      ? time(() => before.sum!({ inputs: { x: c1 }, backend, attrs: sumAttrs }) as tf.TensorInfo)
      : null,
    afterMs: time(() => ours(tf.Sum)({ inputs: { x: c1 }, backend, attrs: sumAttrs }) as tf.TensorInfo),
  });
  // Fused layers: a training pass (forward and the gradients) against tfjs' ops on our kernels.
  const timeStep = (layer: () => tf.Tensor, vars: tf.Variable[]): number => {
    let best = Infinity;
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer(), 0.5)) as tf.Scalar, vars);
        grads[vars[0].name].dataSync();
      });
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  };
  for (const filters of [32, 12]) {
    const w = tf.variable(tf.randomNormal([5, 5, 1, filters], 0, 0.3));
    const b = tf.variable(tf.randomNormal([filters], 0, 0.1));
    const x = tf.randomUniform([64, 28, 28, 1]) as tf.Tensor4D;
    results.push({
      kernel: `conv1 block, ${filters} filters`,
      shape: 'relu(maxPool(conv(x) + b)), train',
      before: 'tfjs ops on the kernels above',
      beforeMs: timeStep(
        () => tf.relu(tf.maxPool(tf.add(tf.conv2d(x, w as tf.Tensor4D, 1, 'same'), b) as tf.Tensor4D, 3, 2, 'same')),
        [w, b],
      ),
      afterMs: timeStep(() => convBiasMaxPoolRelu(x, w as tf.Tensor4D, b as tf.Tensor1D, 3, 2), [w, b]),
    });
    tf.dispose([w, b, x]);
  }
  {
    const x = tf.variable(rnd([64, 14, 14, 32]));
    const w = tf.variable(tf.randomNormal([5, 5, 32, 32], 0, 0.1));
    const b = tf.variable(tf.randomNormal([32], 0, 0.1));
    results.push({
      kernel: 'conv2 + bias + ReLU',
      shape: 'x [64,14,14,32], W [5,5,32,32], train',
      before: 'tfjs fused conv, unfused by the tape',
      beforeMs: timeStep(
        () =>
          tf.fused.conv2d({
            x: x as tf.Tensor4D,
            filter: w as tf.Tensor4D,
            strides: 1,
            pad: 'same',
            bias: b,
            activation: 'relu',
          }),
        [w, b, x],
      ),
      afterMs: timeStep(() => convBiasRelu(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D), [w, b, x]),
    });
    tf.dispose([x, w, b]);
  }
  // What the network runs for conv2 (and conv3): conv + bias + ReLU + average pooling as one op.
  for (const channels of [32, 12]) {
    const x = tf.variable(rnd([64, 14, 14, channels]));
    const w = tf.variable(tf.randomNormal([5, 5, channels, channels], 0, 0.1));
    const b = tf.variable(tf.randomNormal([channels], 0, 0.1));
    const [x4, w4, b1] = [x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D];
    results.push({
      kernel: `conv2 + ReLU + avgpool, ${channels}`,
      shape: `x [64,14,14,${channels}], pool 3 stride 2, train`,
      before: 'our fused conv + ReLU, then tfjs avgPool',
      beforeMs: timeStep(() => tf.avgPool(convBiasRelu(x4, w4, b1), 3, 2, 'same'), [w, b, x]),
      afterMs: timeStep(() => convBiasReluAvgPool(x4, w4, b1, 3, 2), [w, b, x]),
    });
    tf.dispose([x, w, b]);
  }
  tf.dispose([x1, dy1, x2, dy2, w2, x3, w3, c1, p1, dp1]);
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const json = process.argv.includes('--json');
  const rows = await compareKernels(Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 15));
  if (json) process.stdout.write(`${JSON.stringify(rows)}\n`);
  else
    for (const r of rows)
      console.log(
        `${r.kernel.padEnd(28)} ${r.shape.padEnd(36)} before ${r.beforeMs?.toFixed(2) ?? '—'} ms (${r.before}) → ${r.afterMs.toFixed(2)} ms`,
      );
}
