import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBatch } from '../../data/dataset';
import type { Genome } from '../../evolution/genome';
import { selectBackend } from '../model/backend';
import { range } from '../model/layout';
import { MaskedNetwork } from '../model/network';
import { WasmStep } from './wasm-step';
import { syntheticDataset } from '../../testing/data';
import { glorotGenome, killFilters, randomlyMasked } from '../../testing/genomes';

const MNIST = { height: 28, width: 28, channels: 1 };
const backendWithIds = () => tf.backend() as tf.KernelBackend & { numDataIds(): number };

/** Ten tensors shaped like the network's parameters with conv filters k1, k2, k3 and u fc1 units. */
function paramShapes(k1: number, k2: number, k3: number, u: number): tf.TensorInfo[] {
  const shapes = [[5, 5, 1, k1], [k1], [5, 5, k1, k2], [k2], [5, 5, k2, k3], [k3], [16 * k3, u], [u], [u, 10], [10]];
  return shapes.map((shape) => ({ dataId: {}, shape, dtype: 'float32' }) as tf.TensorInfo);
}

/** Half the synapses masked and whole filters dead in every layer: compacts to 16/16/32/32. */
function sparseGenome(seed: number): Genome {
  const g = randomlyMasked(glorotGenome(1, seed), 0.5, seed + 1);
  g.layers.forEach((l, i) =>
    killFilters(
      g,
      i,
      Array.from(range(l.spec.filters)).filter((f) => f % 2 === 1),
    ),
  );
  return g;
}

/** The loss and gradients of one batch, through the tape-free step or the tape. */
function lossAndGradients(g: Genome, tapeFreeStep: boolean, size: number) {
  const net = MaskedNetwork.fromGenome(g, MNIST, { tapeFreeStep });
  try {
    return {
      ...net.partGradients(makeBatch(syntheticDataset(size, 3), range(size), 0, size)),
      filters: net.physicalFilters,
    };
  } finally {
    net.dispose();
  }
}

beforeAll(async () => {
  expect((await selectBackend('wasm')).backend).toBe('wasm');
});
afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('the tape-free wasm training step', () => {
  it('applies to the network on wasm, and not where a part would leave wasm or our kernels', async () => {
    expect(WasmStep.create([64, 28, 28, 1], paramShapes(32, 32, 64, 64), 3)).not.toBeNull();
    expect(WasmStep.create([7, 28, 28, 1], paramShapes(12, 12, 20, 20), 3)).not.toBeNull();
    // conv1's filters not in fours (the direct kernel's vectors), or a pooling window of 5
    // (more windows reach a pixel than the avgPool gradient's table holds).
    expect(WasmStep.create([64, 28, 28, 1], paramShapes(15, 16, 32, 32), 3)).toBeNull();
    expect(WasmStep.create([64, 28, 28, 1], paramShapes(32, 32, 64, 64), 5)).toBeNull();
    await tf.setBackend('cpu');
    expect(WasmStep.create([64, 28, 28, 1], paramShapes(32, 32, 64, 64), 3)).toBeNull();
    await tf.setBackend('wasm');
  });

  for (const [name, genome, size] of [
    ['the ancestor', glorotGenome(1, 5), 16],
    ['a compacted sparse network, odd batch', sparseGenome(7), 13],
  ] as const) {
    it(`gives the tape's loss and gradients: ${name}`, () => {
      const direct = lossAndGradients(genome, true, size);
      const tape = lossAndGradients(genome, false, size);
      expect(direct.filters).toEqual(tape.filters);
      expect(Math.abs(direct.loss - tape.loss)).toBeLessThan(1e-6 * tape.loss);
      expect(direct.grads.length).toBe(10);
      direct.grads.forEach((g, k) => {
        const reference = tape.grads[k];
        expect(g.length).toBe(reference.length);
        const scale = reference.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        expect(scale, `gradient ${k} is not all zero`).toBeGreaterThan(0);
        let err = 0;
        g.forEach((v, i) => (err = Math.max(err, Math.abs(v - reference[i]))));
        expect(err / scale, `gradient ${k}`).toBeLessThan(1e-5);
      });
    });
  }

  it('scales image bytes exactly as makeBatch does (all 256 values, and a tail past the last four)', () => {
    // 3 × 27 × 27 = 2187 bytes: the SIMD pass takes 2184, JavaScript the last 3.
    const input = [3, 27, 27, 1];
    const params = paramShapes(4, 4, 4, 4).map((p, k) => tf.randomNormal(p.shape, 0, 0.3, 'float32', k + 1));
    const step = WasmStep.create(input, params, 3)!;
    expect(step).not.toBeNull();
    const bytes = Uint8Array.from({ length: 3 * 27 * 27 }, (_, i) => (i * 37 + 11) % 256);
    bytes[bytes.length - 1] = 255;
    expect(new Set(bytes).size).toBe(256);
    const floats = Float32Array.from(bytes, (v) => v / 255);
    const labels = [1, 7, 3];
    const read = (r: { loss: number; grads: tf.TensorInfo[] }) => {
      const grads = r.grads.map((g) => tf.engine().makeTensorFromTensorInfo(g));
      const values = grads.map((g) => g.dataSync() as Float32Array);
      tf.dispose(grads);
      return { loss: r.loss, values };
    };
    const fromBytes = read(step.run(tf.backend(), bytes, labels, params));
    const fromFloats = read(step.run(tf.backend(), floats, labels, params));
    expect(fromBytes.loss).toBe(fromFloats.loss);
    fromBytes.values.forEach((g, k) =>
      expect(Array.from(g), `gradient ${k}`).toEqual(Array.from(fromFloats.values[k])),
    );
    tf.dispose(params);
  });

  it('frees everything it made, on success and on error, and names a bad label', () => {
    const net = MaskedNetwork.fromGenome(glorotGenome(1, 9), MNIST);
    const batch = makeBatch(syntheticDataset(8, 4), range(8), 0, 8);
    net.partGradients(batch); // compiles the shape's kernels and fills caches first
    const before = { tensors: tf.memory().numTensors, buffers: backendWithIds().numDataIds() };
    net.partGradients(batch);
    expect(tf.memory().numTensors).toBe(before.tensors);
    expect(backendWithIds().numDataIds()).toBe(before.buffers);
    const bad = { ...batch, labels: Uint8Array.from(batch.labels, (l, i) => (i === 5 ? 10 : l)) };
    expect(() => net.partGradients(bad)).toThrow(/label 10 .* 10 classes/);
    expect(tf.memory().numTensors).toBe(before.tensors);
    expect(backendWithIds().numDataIds()).toBe(before.buffers);
    net.dispose();
  });
});
