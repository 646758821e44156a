/** Training settings, their validation, and the tfjs optimizer they describe. */
import * as tf from '@tensorflow/tfjs';
import { FusedAdam } from '../kernels/fused-adam';

/** tfjs' optimizers, or our one-pass Adam on wasm (the same arithmetic). */
export type Optimizer = tf.Optimizer | FusedAdam;

export interface TrainSettings {
  epochs: number;
  /** Images per step; the last batch of an epoch may be smaller. Paper default 64. */
  batchSize: number;
  optimizer: 'adam' | 'sgd';
  /** 1e-3 by default (ALGORITHM.md §2). */
  learningRate: number;
  /** SGD only (0.9 in cifar10_quick); 0 gives plain SGD. */
  momentum: number;
  /**
   * L2 coefficient added to every parameter's gradient (g += wd·w), Caffe's convention.
   * 0 for Adam; cifar10_quick uses 4e-3 with SGD.
   */
  weightDecay: number;
}

export const DEFAULT_TRAIN_SETTINGS: Readonly<TrainSettings> = {
  epochs: 2,
  batchSize: 64,
  optimizer: 'adam',
  learningRate: 1e-3,
  momentum: 0.9,
  weightDecay: 0,
};

export function validateTrainSettings(s: TrainSettings): void {
  const bad = (what: string): never => {
    throw new Error(`invalid train settings: ${what}`);
  };
  if (!Number.isInteger(s.epochs) || s.epochs < 0) bad(`epochs must be a non-negative integer, got ${s.epochs}`);
  if (!Number.isInteger(s.batchSize) || s.batchSize < 1)
    bad(`batchSize must be a positive integer, got ${s.batchSize}`);
  if (s.optimizer !== 'adam' && s.optimizer !== 'sgd')
    bad(`optimizer must be 'adam' or 'sgd', got '${String(s.optimizer)}'`);
  if (!(s.learningRate > 0) || !Number.isFinite(s.learningRate)) bad(`learningRate must be > 0, got ${s.learningRate}`);
  if (!(s.momentum >= 0 && s.momentum < 1)) bad(`momentum must be in [0, 1), got ${s.momentum}`);
  if (!(s.weightDecay >= 0) || !Number.isFinite(s.weightDecay)) bad(`weightDecay must be ≥ 0, got ${s.weightDecay}`);
}

/** Settings that define optimizer state: a change needs a fresh optimizer. */
export const optimizerKey = (s: TrainSettings): string =>
  s.optimizer === 'adam' ? `adam:${s.learningRate}` : `sgd:${s.learningRate}:${s.momentum}`;

/** For the current backend: our fused Adam on wasm, else tfjs'. */
export function makeOptimizer(s: TrainSettings): Optimizer {
  if (s.optimizer === 'adam') return FusedAdam.create(s.learningRate) ?? tf.train.adam(s.learningRate);
  return s.momentum > 0 ? tf.train.momentum(s.learningRate, s.momentum) : tf.train.sgd(s.learningRate);
}

/** Frees an optimizer's state. */
export function disposeOptimizer(o: Optimizer): void {
  o.dispose();
  if (o instanceof FusedAdam) return;
  // tfjs 4.22's MomentumOptimizer.dispose() forgets its SGD base's learning-rate scalar `c`.
  const c = (o as unknown as { c?: tf.Tensor }).c;
  if (c && !c.isDisposed) c.dispose();
}
