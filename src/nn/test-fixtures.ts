/**
 * Test-only helpers for src/nn: a Glorot-initialised genome, a small learnable synthetic
 * dataset, and an MNIST slice read straight from the shared gzip files. Kept here rather than
 * depending on the evolution/data engineers' modules, which are written concurrently.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { emptyGenome, lenetSpecs, LENET_CLASSES, type Genome } from '../evolution/genome';
import { Rng } from '../evolution/rng';
import type { ImageDataset } from '../data/dataset';

/** Uniform Glorot init of every layer; biases 0; all synapses alive. */
export function glorotGenome(inputChannels: number, seed: number): Genome {
  const g = emptyGenome(lenetSpecs(inputChannels), LENET_CLASSES);
  const rng = new Rng(seed);
  const fill = (w: Float32Array, fanIn: number, fanOut: number): void => {
    const a = Math.sqrt(6 / (fanIn + fanOut));
    for (let i = 0; i < w.length; i++) w[i] = (rng.next() * 2 - 1) * a;
  };
  for (const l of g.layers) {
    const k = l.spec.kernelH * l.spec.kernelW;
    fill(l.weights, l.spec.inChannels * k, l.spec.filters * k);
  }
  fill(g.output.weights, g.output.inUnits, g.output.outUnits);
  return g;
}

/** Random mask with keep probability p (masked weights zeroed, dead-filter biases zeroed). */
export function randomlyMasked(g: Genome, p: number, seed: number): Genome {
  const rng = new Rng(seed);
  for (const l of g.layers) {
    for (let i = 0; i < l.mask.length; i++) {
      l.mask[i] = rng.next() < p ? 1 : 0;
      if (!l.mask[i]) l.weights[i] = 0;
    }
    const per = l.mask.length / l.spec.filters;
    for (let f = 0; f < l.spec.filters; f++) {
      const live = l.mask.subarray(f * per, (f + 1) * per).some((m) => m === 1);
      l.bias[f] = live ? (rng.next() - 0.5) * 0.2 : 0;
    }
  }
  return g;
}

/** Kills whole filters: all synapses of `filters` in layer `layer` masked, biases 0. */
export function killFilters(g: Genome, layer: number, filters: number[]): void {
  const l = g.layers[layer];
  const per = l.mask.length / l.spec.filters;
  for (const f of filters) {
    l.mask.fill(0, f * per, (f + 1) * per);
    l.weights.fill(0, f * per, (f + 1) * per);
    l.bias[f] = 0;
  }
}

/**
 * 10 classes, each a bright 7×7 square at its own place on a noisy background: easy for the
 * network, hard to guess (chance 10 %).
 */
export function syntheticDataset(count: number, seed: number, size = 28, channels = 1): ImageDataset {
  const rng = new Rng(seed);
  const per = size * size * channels;
  const pixels = new Uint8Array(count * per);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const k = rng.int(10);
    labels[n] = k;
    const y0 = 2 + Math.floor(k / 5) * 12 + rng.int(3);
    const x0 = 1 + (k % 5) * 5 + rng.int(2);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const on = y >= y0 && y < y0 + 7 && x >= x0 && x < x0 + 4;
        for (let c = 0; c < channels; c++) {
          pixels[n * per + (y * size + x) * channels + c] = on ? 160 + rng.int(96) : rng.int(90);
        }
      }
    }
  }
  return {
    name: channels === 1 ? 'mnist' : 'cifar10',
    split: 'train',
    count,
    height: size,
    width: size,
    channels,
    pixels,
    labels,
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
  };
}

export const datasetsDir = (): string =>
  process.env.EVOLAB_DATASETS ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/datasets');

/** The first `count` images of an MNIST split, read from the IDX gzip files. */
export function mnistSlice(split: 'train' | 'test', count: number): ImageDataset {
  const prefix = split === 'train' ? 'train' : 't10k';
  const read = (kind: string): Buffer => gunzipSync(readFileSync(path.join(datasetsDir(), 'mnist', `${prefix}-${kind}-idx${kind === 'images' ? 3 : 1}-ubyte.gz`)));
  const images = read('images');
  const labels = read('labels');
  if (images.readUInt32BE(0) !== 2051 || labels.readUInt32BE(0) !== 2049) throw new Error('not MNIST IDX files');
  const n = Math.min(count, images.readUInt32BE(4));
  return {
    name: 'mnist',
    split,
    count: n,
    height: 28,
    width: 28,
    channels: 1,
    pixels: new Uint8Array(images.subarray(16, 16 + n * 784)),
    labels: new Uint8Array(labels.subarray(8, 8 + n)),
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
  };
}

/** max |a − b| / max |b|: an error relative to the largest reference value. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}
