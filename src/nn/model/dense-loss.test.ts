import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../evolution/rng';
import { denseHeadLoss } from './dense-loss';
import { relErr } from '../../testing/numeric';

type Inputs = [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];

/** The loss and its gradients with respect to h, w4, b4, wo and bo. */
function lossAndGrads(loss: (...x: Inputs) => tf.Scalar, inputs: Inputs): { value: number; grads: Float32Array[] } {
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads((...x: tf.Tensor[]) => loss(...(x as Inputs)))(inputs);
    return { value: value.dataSync()[0], grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
}

/** The same head and loss from tfjs' own layers and loss, as the network used to build it. */
const tfjsHeadLoss =
  (labels: tf.Tensor2D) => (h: tf.Tensor2D, w4: tf.Tensor2D, b4: tf.Tensor1D, wo: tf.Tensor2D, bo: tf.Tensor1D) =>
    tf.losses.softmaxCrossEntropy(
      labels,
      tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(h, w4), b4)), wo), bo),
    ) as tf.Scalar;

describe('the dense head with its softmax cross-entropy, as one op', () => {
  afterAll(() => tf.setBackend('cpu'));

  it('a hand-computed case: one image, 2 features, 2 hidden units (one dead), 3 classes', () => {
    tf.setBackend('cpu');
    const inputs: Inputs = [
      tf.tensor2d([[1, 2]]),
      tf.tensor2d([
        [1, 0],
        [0, 1],
      ]),
      tf.tensor1d([0, -5]),
      tf.tensor2d([
        [1, 0, 0],
        [0, 0, 0],
      ]),
      tf.tensor1d([0, 0, 0]),
    ];
    const labels = tf.tensor2d([[1, 0, 0]]);
    // hidden = relu([1, −3]) = [1, 0]; logits = [1, 0, 0]; p = [e, 1, 1] / (e + 2).
    const e = Math.E;
    const p = [e / (e + 2), 1 / (e + 2), 1 / (e + 2)];
    const dLogits = [p[0] - 1, p[1], p[2]];
    const { value, grads } = lossAndGrads((...x) => denseHeadLoss(...x, labels), inputs);
    expect(value).toBeCloseTo(Math.log(1 + 2 / e), 6);
    const [dh, dw4, db4, dwo, dbo] = grads.map((g) => Array.from(g));
    // The dead unit passes nothing back: dHidden = dLogits · woᵀ = [p₀ − 1, 0].
    [dh, dw4, db4, dwo, dbo]
      .flat()
      .forEach((v, i, all) => expect(Number.isFinite(v), `value ${i} of ${all.length}`).toBe(true));
    expect(dh[0]).toBeCloseTo(dLogits[0], 6);
    expect(dh[1]).toBeCloseTo(0, 6);
    expect(dw4.map((v) => +v.toFixed(6))).toEqual([dLogits[0], 0, 2 * dLogits[0], 0].map((v) => +v.toFixed(6)));
    expect(db4.map((v) => +v.toFixed(6))).toEqual([dLogits[0], 0].map((v) => +v.toFixed(6)));
    expect(dwo.map((v) => +v.toFixed(6))).toEqual([...dLogits, 0, 0, 0].map((v) => +v.toFixed(6)));
    expect(dbo.map((v) => +v.toFixed(6))).toEqual(dLogits.map((v) => +v.toFixed(6)));
    tf.dispose([...inputs, labels]);
  });

  for (const backend of ['cpu', 'wasm']) {
    it(`equals tfjs' layers and loss on ${backend}: value and all five gradients, nothing leaked`, async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      const rng = new Rng(4);
      const random = (shape: number[]) =>
        tf.tensor(
          Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.next() * 2 - 1),
          shape,
        );
      const [B, I, U, C] = [6, 20, 8, 10];
      const inputs = [random([B, I]), random([I, U]), random([U]), random([U, C]), random([C])] as Inputs;
      const labels = tf.oneHot(tf.tensor1d([0, 3, 9, 3, 5, 1], 'int32'), C) as tf.Tensor2D;
      const before = tf.memory().numTensors;
      const ours = lossAndGrads((...x) => denseHeadLoss(...x, labels), inputs);
      expect(tf.memory().numTensors).toBe(before);
      const reference = lossAndGrads(tfjsHeadLoss(labels), inputs);
      expect(ours.value).toBeCloseTo(reference.value, 5);
      ours.grads.forEach((g, i) => expect(relErr(g, reference.grads[i]), `gradient ${i}`).toBeLessThan(1e-5));
      tf.dispose([...inputs, labels]);
    });
  }
});
