import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset, type ImageDataset } from '../data';
import { folderSource } from '../data/node-source';
import { bestNetwork, classify, softmax } from './classify';
import type { Checkpoint } from './records';
import { deserialiseCheckpoint } from './serialise';
import { datasetsDir } from '../testing/data';

const root = path.resolve(import.meta.dirname, '../..');
let ancestor: Checkpoint;
let test: ImageDataset;

beforeAll(async () => {
  ancestor = deserialiseCheckpoint(JSON.parse(readFileSync(path.join(root, 'public/ancestors/mnist.json'), 'utf8')));
  test = await loadDataset('mnist', 'test', folderSource(datasetsDir()));
});

describe('classifying one image in plain JavaScript', () => {
  it('softmax sums to 1 and keeps the order of the logits', () => {
    const p = softmax([1, 3, 2, -1000]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(p[1]).toBeGreaterThan(p[2]);
    expect(p[2]).toBeGreaterThan(p[0]);
    expect(p[3]).toBe(0);
  });

  it('the shipped MNIST ancestor classifies test images about as accurately as its record says', () => {
    const { genome, record } = bestNetwork(ancestor);
    expect(record?.generation).toBe(1);
    const n = 150;
    const size = test.height * test.width;
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const image = Float32Array.from(test.pixels.subarray(i * size, (i + 1) * size), (v) => v / 255);
      const c = classify(genome, image, test, ancestor.config.poolSize);
      expect(c.probabilities).toHaveLength(10);
      if (c.predicted === test.labels[i]) correct++;
      if (i === 0) {
        expect(c.synapses).toBe(143_136);
        expect(c.kernels).toBe(7_200);
      }
    }
    expect(correct / n).toBeGreaterThan(record!.testAccuracy - 0.05);
  });

  it('says what is wrong with an image of the wrong size or channels', () => {
    const { genome } = bestNetwork(ancestor);
    expect(() => classify(genome, new Float32Array(10), test, 3)).toThrow(/has 10 values/);
    expect(() => classify(genome, new Float32Array(32 * 32 * 3), { height: 32, width: 32, channels: 3 }, 3)).toThrow(
      /reads 1 channel/,
    );
  });
});
