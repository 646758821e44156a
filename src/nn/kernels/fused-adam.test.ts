import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { FusedAdam, type MaskedVariable } from './fused-adam';
import { registerWasmTrainingKernels } from './register';
import { random } from '../../testing/numeric';

/** Shapes as in LeNet, plus sizes that are not multiples of 4 (the scalar tail). */
const SHAPES = [[5, 5, 3, 8], [8], [10], [3, 5], [1]];

function makeParams(prefix: string, masked: boolean): MaskedVariable[] {
  return SHAPES.map((shape, i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const maskValues = Float32Array.from(random(size, 50 + i), (x) => (x > -0.3 ? 1 : 0));
    const weights = random(size, 10 + i).map((w, j) => w * maskValues[j]);
    return {
      v: tf.variable(tf.tensor(weights, shape), true, `${prefix}${i}`),
      mask: masked ? tf.tensor(maskValues, shape) : null,
    };
  });
}

/** The network's path around tfjs' Adam: decay, mask the gradient, step, re-mask. */
function tfjsStep(opt: tf.Optimizer, params: MaskedVariable[], grads: tf.Tensor[], weightDecay: number): void {
  tf.tidy(() => {
    const named: tf.NamedTensorMap = {};
    params.forEach(({ v, mask }, i) => {
      let g = grads[i];
      if (weightDecay > 0) g = tf.add(g, tf.mul(v, weightDecay));
      named[v.name] = mask ? tf.mul(g, mask) : g;
    });
    opt.applyGradients(named);
    for (const { v, mask } of params) if (mask) v.assign(tf.mul(v, mask));
  });
}

describe('FusedAdam on wasm', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  for (const [masked, weightDecay] of [
    [true, 0],
    [true, 0.004],
    [false, 0],
  ] as const) {
    it(`equals tfjs' Adam bit for bit over 5 steps (${masked ? 'masked' : 'unmasked'}, weight decay ${weightDecay})`, () => {
      const ours = makeParams(`fa${masked}${weightDecay}/`, masked);
      const theirs = makeParams(`ta${masked}${weightDecay}/`, masked);
      const initial = Array.from(ours[0].v.dataSync());
      const fused = FusedAdam.create(0.01)!;
      expect(fused).not.toBeNull();
      const adam = tf.train.adam(0.01);
      for (let step = 0; step < 5; step++) {
        const grads = SHAPES.map((shape, i) =>
          tf.tensor(
            random(
              shape.reduce((a, b) => a * b, 1),
              100 * step + i,
              0.1 * (i + 1),
            ),
            shape,
          ),
        );
        const named: tf.NamedTensorMap = {};
        ours.forEach(({ v }, i) => (named[v.name] = grads[i]));
        fused.step(ours, named, weightDecay);
        tfjsStep(adam, theirs, grads, weightDecay);
        tf.dispose(grads);
      }
      ours.forEach((p, i) => {
        const a = p.v.dataSync();
        const b = theirs[i].v.dataSync();
        expect(Array.from(a)).toEqual(Array.from(b));
        if (p.mask) {
          const m = p.mask.dataSync();
          for (let j = 0; j < a.length; j++) if (!m[j]) expect(a[j] === 0).toBe(true); // ±0
        }
      });
      // It moved the weights.
      expect(Array.from(ours[0].v.dataSync())).not.toEqual(initial);
      fused.dispose();
      adam.dispose();
    });
  }

  it('keeps two moments per variable and frees them on dispose', () => {
    const params = makeParams('leak/', true);
    const fused = FusedAdam.create(1e-3)!;
    const before = tf.memory().numTensors;
    const grads = SHAPES.map((shape) => tf.ones(shape));
    const named: tf.NamedTensorMap = {};
    params.forEach(({ v }, i) => (named[v.name] = grads[i]));
    fused.step(params, named, 0);
    expect(tf.memory().numTensors).toBe(before + 2 * SHAPES.length + SHAPES.length);
    for (let i = 0; i < 3; i++) fused.step(params, named, 0);
    expect(tf.memory().numTensors).toBe(before + 2 * SHAPES.length + SHAPES.length);
    fused.dispose();
    tf.dispose(grads);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is only made on wasm', async () => {
    await tf.setBackend('cpu');
    expect(FusedAdam.create(1e-3)).toBeNull();
    await tf.setBackend('wasm');
  });
});
