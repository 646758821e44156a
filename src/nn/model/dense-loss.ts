/**
 * The network's head and its loss as one op with a hand-written gradient: the mean softmax
 * cross-entropy of relu(h·W4 + b4)·Wo + bo against one-hot labels. Built from tfjs' fused
 * matMul and losses.softmaxCrossEntropy, the tape recorded about 75 kernel calls a step for this
 * part (reshapes to 3-D and back, casts, clones, the loss's weighted reduction); here it is about
 * 30. On small networks those calls, not the arithmetic, were the cost. Any backend.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * −(1/B) Σ_b Σ_c labels[b][c] · log softmax(relu(h·w4 + b4)·wo + bo)[b][c], differentiable in h
 * and the four parameters (not in the labels): the same value and gradients as
 * tf.losses.softmaxCrossEntropy(labels, logits) with its default reduction, up to rounding.
 */
export function denseHeadLoss(
  h: tf.Tensor2D,
  w4: tf.Tensor2D,
  b4: tf.Tensor1D,
  wo: tf.Tensor2D,
  bo: tf.Tensor1D,
  labels: tf.Tensor2D,
): tf.Scalar {
  const batch = h.shape[0];
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [hs, w, b, v, c, save] = args as [
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor1D,
      tf.Tensor2D,
      tf.Tensor1D,
      tf.GradSaveFunc,
    ];
    // Log-softmax written out (tf.logSoftmax is an op with its own tape entry) shares its
    // exponentials with the softmax the gradient needs.
    const hidden = tf.relu(tf.add(tf.matMul(hs, w), b)) as tf.Tensor2D;
    const logits = tf.add(tf.matMul(hidden, v), c);
    const shifted = tf.sub(logits, tf.max(logits, 1, true));
    const exps = tf.exp(shifted);
    const sums = tf.sum(exps, 1, true);
    const logProbabilities = tf.sub(shifted, tf.log(sums));
    const loss = tf.mul(tf.sum(tf.mul(labels, logProbabilities)), -1 / batch) as tf.Scalar;
    save([hs, w, v, hidden, tf.div(exps, sums)]);
    return {
      value: loss,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [hSaved, wSaved, vSaved, hiddenSaved, probabilities] = saved as tf.Tensor2D[];
        // d loss / d logits = (softmax − labels) / B, times the incoming scalar gradient.
        const dLogits = tf.mul(tf.sub(probabilities, labels), tf.div(dy, batch)) as tf.Tensor2D;
        const dHidden = tf.mul(tf.matMul(dLogits, vSaved, false, true), tf.step(hiddenSaved)) as tf.Tensor2D;
        return [
          tf.matMul(dHidden, wSaved, false, true),
          tf.matMul(hSaved, dHidden, true, false),
          tf.sum(dHidden, 0),
          tf.matMul(hiddenSaved, dLogits, true, false),
          tf.sum(dLogits, 0),
        ];
      },
    };
  });
  return op(h, w4, b4, wo, bo) as tf.Scalar;
}
