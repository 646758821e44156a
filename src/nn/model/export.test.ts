import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Genome } from '../../evolution/genome';
import { makeBatch } from '../../data/dataset';
import { mnistSlice, syntheticDataset } from '../../testing/data';
import { glorotGenome, killFilters, randomlyMasked } from '../../testing/genomes';
import { selectBackend } from './backend';
import { compactLayersModel, exportCompactModel, inferenceSpeed, MODEL_FILE, WEIGHTS_FILE } from './export';
import { range } from './layout';
import { MaskedNetwork } from './network';

const MNIST = { height: 28, width: 28, channels: 1 };

/** Sparse, with dead filters, and conv1 filter 4 alive but read by no live kernel of conv2 (dropped too). */
function evolvedGenome(seed: number, channels = 1): Genome {
  const g = randomlyMasked(glorotGenome(channels, seed), 0.4, seed + 100);
  killFilters(g, 0, [1, 5]);
  killFilters(g, 1, [0, 7, 8, 20]);
  killFilters(g, 2, [3, 60, 61]);
  killFilters(g, 3, [10, 11, 40]);
  const conv2 = g.layers[1];
  const k = conv2.spec.kernelH * conv2.spec.kernelW;
  for (let f = 0; f < conv2.spec.filters; f++)
    for (let i = 0; i < k; i++) {
      const at = (f * conv2.spec.inChannels + 4) * k + i;
      conv2.mask[at] = 0;
      conv2.weights[at] = 0;
    }
  return g;
}

function softmaxRows(logits: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let r = 0; r < logits.length / classes; r++) {
    const row = logits.subarray(r * classes, (r + 1) * classes);
    const max = Math.max(...row);
    const e = Array.from(row, (v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    e.forEach((v, c) => (out[r * classes + c] = v / sum));
  }
  return out;
}

const argmaxRows = (p: Float32Array | Int32Array, classes: number) =>
  Array.from({ length: p.length / classes }, (_, r) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (p[r * classes + c] > p[r * classes + best]) best = c;
    return best;
  });

beforeAll(async () => {
  expect((await selectBackend('wasm')).backend).toBe('wasm');
});

describe('the compacted export', () => {
  it('drops dead and unread filters physically, with the next layers’ input channels', async () => {
    const g = evolvedGenome(1);
    const exported = await exportCompactModel(g, MNIST, { poolSize: 3 });
    // conv1: 2 dead + filter 4 unread; conv2: 4 dead; conv3: 3 dead; fc1: 3 dead.
    expect(exported.layers.map((l) => [l.name, l.filters, l.ofFilters])).toEqual([
      ['conv1', 29, 32],
      ['conv2', 28, 32],
      ['conv3', 61, 64],
      ['fc1', 61, 64],
      ['fc2', 10, 10],
    ]);
    expect(exported.layers.map((l) => l.kernel)).toEqual([
      [5, 5, 1, 29],
      [5, 5, 29, 28],
      [5, 5, 28, 61],
      [4 * 4 * 61, 61],
      [61, 10],
    ]);
    const dense = 800 + 32 + 25_600 + 32 + 51_200 + 64 + 65_536 + 64 + 640 + 10;
    expect(exported.parameters).toBe(
      25 * 29 + 29 + 25 * 29 * 28 + 28 + 25 * 28 * 61 + 61 + 16 * 61 * 61 + 61 + 61 * 10 + 10,
    );
    expect(exported.parameters).toBeLessThan(dense);
    expect(exported.weights.byteLength).toBe(4 * exported.parameters);
    expect(exported.bytes).toBe(
      new TextEncoder().encode(JSON.stringify(exported.modelJson)).length + exported.weights.byteLength,
    );
    expect(exported.modelJson).toMatchObject({
      format: 'layers-model',
      weightsManifest: [{ paths: [WEIGHTS_FILE] }],
      userDefinedMetadata: { input: { height: 28, width: 28, channels: 1 } },
    });
    expect(MODEL_FILE).toBe('model.json');
  });

  it('classifies exactly as the masked network it came from, after a round trip through its files', async () => {
    const test = mnistSlice('test', 300);
    const batch = makeBatch(test, range(test.count), 0, test.count);
    for (const [g, data] of [
      [evolvedGenome(2), { test, batch }],
      [
        evolvedGenome(3, 3),
        (() => {
          const colour = syntheticDataset(120, 9, 32, 3);
          return { test: colour, batch: makeBatch(colour, range(colour.count), 0, colour.count) };
        })(),
      ],
    ] as const) {
      const input = { height: data.test.height, width: data.test.width, channels: data.test.channels };
      const net = MaskedNetwork.fromGenome(g, input, { compact: false });
      const logits = net.logits(data.batch);
      net.dispose();
      const exported = await exportCompactModel(g, input, { poolSize: 3, metadata: { classNames: ['a'] } });
      // As a page would get it: the JSON text and the shard's bytes.
      const json = JSON.parse(JSON.stringify(exported.modelJson)) as {
        modelTopology: object;
        weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
        userDefinedMetadata: Record<string, unknown>;
      };
      const model = await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: json.modelTopology,
          weightSpecs: json.weightsManifest[0].weights,
          weightData: exported.weights.slice().buffer,
        }),
      );
      const x = tf.tensor4d(data.batch.x, [data.batch.size, input.height, input.width, input.channels]);
      const y = model.predict(x) as tf.Tensor;
      const probabilities = (await y.data()) as Float32Array;
      tf.dispose([x, y]);
      model.dispose();
      const expected = softmaxRows(logits, 10);
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(probabilities[i] - expected[i]));
      expect(worst).toBeLessThan(1e-5);
      expect(argmaxRows(probabilities, 10)).toEqual(argmaxRows(logits, 10));
      expect(json.userDefinedMetadata.classNames).toEqual(['a']);
    }
  });

  it('keeps one zero channel when a whole layer is dead, and still computes the output layer', async () => {
    const g = glorotGenome(1, 4);
    killFilters(
      g,
      2,
      Array.from({ length: 64 }, (_, i) => i),
    );
    const exported = await exportCompactModel(g, MNIST, { poolSize: 3 });
    expect(exported.layers.find((l) => l.name === 'conv3')?.filters).toBe(1);
    const model = compactLayersModel(g, MNIST, { poolSize: 3 });
    const batch = makeBatch(mnistSlice('test', 4), range(4), 0, 4);
    const net = MaskedNetwork.fromGenome(g, MNIST, { compact: false });
    const logits = net.logits(batch);
    net.dispose();
    const y = model.predict(tf.tensor4d(batch.x, [4, 28, 28, 1])) as tf.Tensor;
    const p = (await y.data()) as Float32Array;
    y.dispose();
    model.dispose();
    const expected = softmaxRows(logits, 10);
    for (let i = 0; i < p.length; i++) expect(p[i]).toBeCloseTo(expected[i], 5);
  });

  it('reports images per second of the fastest timed call, by the clock it is given, after an untimed warm-up', async () => {
    const model = compactLayersModel(evolvedGenome(5), MNIST, { poolSize: 3 });
    const images = makeBatch(mnistSlice('test', 8), range(8), 0, 8).x;
    // Three timed calls: 400 ms, 250 ms (the fastest) and 900 ms.
    const ticks = [1000, 1400, 2000, 2250, 3000, 3900];
    const speed = await inferenceSpeed(model, images, MNIST, () => ticks.shift()!);
    model.dispose();
    expect(speed).toBe(8 / 0.25);
    expect(ticks).toEqual([]);
    await expect(inferenceSpeed(model, new Float32Array(10), MNIST)).rejects.toThrow(/not whole images/);
  });
});
