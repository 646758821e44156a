/**
 * Adam on the wasm backend as one SIMD pass per variable (simd/simd-kernels.ts `adam`), with the
 * network's gradient mask, weight decay and re-masking folded in. tfjs' AdamOptimizer takes
 * about 130 small kernel calls per LeNet step (4–5 ms, a fixed cost that small evolved
 * networks feel most); this does the same float32 operations in the same order, with the
 * same float32 running powers of β1 and β2, so the weights match tfjs' Adam on wasm bit for bit.
 */
import * as tf from '@tensorflow/tfjs';
import type { SimdKernels } from './simd/simd-kernels';
import { HeapScratch, simdKernelsOf } from './wasm-heap';

export interface MaskedVariable {
  v: tf.Variable;
  /** 0/1, the variable's shape; null for none. */
  mask: tf.Tensor | null;
}

const f = Math.fround;

export class FusedAdam {
  private readonly moments = new Map<string, { m: tf.Tensor; v: tf.Tensor }>();
  /** β1ᵗ and β2ᵗ as tfjs keeps them: float32, multiplied once per step. */
  private acc1: number;
  private acc2: number;

  private constructor(
    /** The backend whose memory `simd` runs on (tensors of any other are not on its heap). */
    private readonly backend: tf.KernelBackend,
    private readonly simd: SimdKernels,
    readonly learningRate: number,
    readonly beta1: number,
    readonly beta2: number,
    readonly epsilon: number,
  ) {
    this.acc1 = f(beta1);
    this.acc2 = f(beta2);
  }

  /** For the active backend where it has our SIMD kernels (wasm); null elsewhere (use tf.train.adam). */
  static create(learningRate: number, beta1 = 0.9, beta2 = 0.999): FusedAdam | null {
    const backend = tf.backend();
    const simd = simdKernelsOf(backend);
    return simd ? new FusedAdam(backend, simd, learningRate, beta1, beta2, backend.epsilon()) : null;
  }

  /** One step: every variable with a gradient in `grads` is updated in place. */
  step(params: readonly MaskedVariable[], grads: tf.NamedTensorMap, weightDecay: number): void {
    if (tf.backend() !== this.backend)
      throw new Error(`FusedAdam runs on the backend it was made for, not on '${tf.getBackend()}'`);
    const k = {
      beta1: f(this.beta1),
      oneMinusBeta1: f(1 - this.beta1),
      beta2: f(this.beta2),
      oneMinusBeta2: f(1 - this.beta2),
      oneMinusAcc1: f(1 - this.acc1),
      oneMinusAcc2: f(1 - this.acc2),
      epsilon: f(this.epsilon),
      negLearningRate: f(-this.learningRate),
      weightDecay: f(weightDecay),
    };
    for (const { v: variable, mask } of params) {
      const g = grads[variable.name];
      if (!g) continue;
      let state = this.moments.get(variable.name);
      if (!state) {
        state = { m: tf.keep(tf.zerosLike(variable)), v: tf.keep(tf.zerosLike(variable)) };
        this.moments.set(variable.name, state);
      }
      const heap = new HeapScratch(this.backend);
      let outputs: tf.TensorInfo[];
      try {
        const [wOut, mOut, vOut] = [0, 1, 2].map(() => heap.alloc(variable.shape));
        const at = (t: tf.TensorInfo) => heap.address(t);
        const n = variable.size;
        const vector = n - (n % 4);
        const ptr = { w: at(variable), m: at(state.m), v: at(state.v), g: at(g), mask: mask ? at(mask) : 0 };
        this.simd.adam(
          ptr.w,
          ptr.m,
          ptr.v,
          ptr.g,
          ptr.mask,
          at(wOut),
          at(mOut),
          at(vOut),
          vector * 4,
          k.beta1,
          k.oneMinusBeta1,
          k.beta2,
          k.oneMinusBeta2,
          k.oneMinusAcc1,
          k.oneMinusAcc2,
          k.epsilon,
          k.negLearningRate,
          k.weightDecay,
          mask ? 1 : 0,
          weightDecay > 0 ? 1 : 0,
        );
        // The last n mod 4 values: the same float32 operations one by one.
        const f32 = heap.f32();
        for (let i = vector; i < n; i++) {
          const get = (p: number) => f32[p / 4 + i];
          let gi = get(ptr.g);
          const wi = get(ptr.w);
          if (weightDecay > 0) gi = f(gi + f(wi * k.weightDecay));
          if (mask) gi = f(gi * get(ptr.mask));
          const mi = f(f(get(ptr.m) * k.beta1) + f(gi * k.oneMinusBeta1));
          const vi = f(f(get(ptr.v) * k.beta2) + f(f(gi * gi) * k.oneMinusBeta2));
          const denominator = f(f(Math.sqrt(f(vi / k.oneMinusAcc2))) + k.epsilon);
          let wNew = f(f(f(f(mi / k.oneMinusAcc1) / denominator) * k.negLearningRate) + wi);
          if (mask) wNew = f(wNew * get(ptr.mask));
          f32[at(wOut) / 4 + i] = wNew;
          f32[at(mOut) / 4 + i] = mi;
          f32[at(vOut) / 4 + i] = vi;
        }
        outputs = heap.finish([wOut, mOut, vOut]);
      } catch (e) {
        heap.abort();
        throw e;
      }
      const [w2, m2, v2] = outputs.map((t) => tf.engine().makeTensorFromTensorInfo(t));
      variable.assign(w2);
      w2.dispose();
      state.m.dispose();
      state.v.dispose();
      state.m = tf.keep(m2);
      state.v = tf.keep(v2);
    }
    this.acc1 = f(this.acc1 * f(this.beta1));
    this.acc2 = f(this.acc2 * f(this.beta2));
  }

  dispose(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }
}
