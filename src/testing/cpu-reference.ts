/** For the replaced kernels' tests: random tensors, and gradients on wasm against the cpu backend. */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { Rng } from '../evolution/rng';
import { relErr } from './numeric';

/** Uniform in [−1, 1) + offset; offset NaN gives ties: values in {0, 1}. */
export function randomOfShape(shape: number[], seed: number, offset = 0): Float32Array {
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

export async function expectSameAsCpu(
  shapes: number[][],
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  offset = 0,
): Promise<void> {
  const cpu = await grads('cpu', shapes, f, offset);
  const wasm = await grads('wasm', shapes, f, offset);
  expect(wasm.length).toBe(cpu.length);
  wasm.forEach((g, i) => {
    expect(g.length).toBe(cpu[i].length);
    expect(relErr(g, cpu[i])).toBeLessThan(1e-4);
  });
}
