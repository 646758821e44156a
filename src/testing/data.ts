/**
 * Datasets for tests (and benches): where the real ones are, slices of them, a synthetic one,
 * and helpers that expect a DatasetError. The repo root is derived from this file, so CI can
 * clone the repo anywhere with shared/ beside it; EVOLAB_DATASETS overrides.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync, gunzipSync } from 'node:zlib';
import type { ImageDataset } from '../data/dataset';
import { DatasetError } from '../data/errors';
import type { RandomStreams } from '../data/subset';
import { Rng } from '../evolution/rng';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function datasetsDir(): string {
  const dir = process.env.EVOLAB_DATASETS ?? path.resolve(REPO_ROOT, '../shared/datasets');
  if (!existsSync(path.join(dir, 'mnist')) || !existsSync(path.join(dir, 'cifar-10'))) {
    throw new Error(
      `The data tests need the real datasets in ${dir} (with mnist/ and cifar-10/). ` +
        'Set EVOLAB_DATASETS to the folder that holds them.',
    );
  }
  return dir;
}

/** Seeded streams for the data functions that take them (`stratifiedSubset`), made as the runner makes them. */
export const seededStreams =
  (seed: number): RandomStreams =>
  (name) =>
    Rng.derive(seed, name);

/** Label histograms published in shared/datasets/README.md. */
export const README_HISTOGRAMS = {
  mnist: {
    train: [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    test: [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
  },
  cifar10: { train: new Array<number>(10).fill(5000), test: new Array<number>(10).fill(1000) },
} as const;

/** The DatasetError that `fn` throws (and fails the test if it throws something else or nothing). */
export function datasetFailure(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (err) {
    return asDatasetError(err);
  }
  throw new Error('expected a DatasetError, but nothing was thrown');
}

/** The DatasetError that `p` rejects with. */
export async function datasetRejection(p: Promise<unknown>): Promise<DatasetError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (err === null) throw new Error('expected a DatasetError, but the promise resolved');
  return asDatasetError(err);
}

function asDatasetError(err: unknown): DatasetError {
  if (err instanceof DatasetError) return err;
  throw new Error(`expected a DatasetError, got ${String(err)}`, { cause: err });
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

/** The first `count` images of an MNIST split, read from the IDX gzip files. */
export function mnistSlice(split: 'train' | 'test', count: number): ImageDataset {
  const prefix = split === 'train' ? 'train' : 't10k';
  const read = (kind: string): Buffer =>
    gunzipSync(
      readFileSync(path.join(datasetsDir(), 'mnist', `${prefix}-${kind}-idx${kind === 'images' ? 3 : 1}-ubyte.gz`)),
    );
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

/** Debian's dataset-fashion-mnist (scripts/setup.sh installs it); EVOLAB_FASHION_MNIST overrides. */
export function fashionMnistDir(): string {
  const dir = process.env.EVOLAB_FASHION_MNIST ?? '/usr/share/datasets/fashion-mnist';
  if (!existsSync(path.join(dir, 'train-images-idx3-ubyte.gz'))) {
    throw new Error(
      `The registry tests need Fashion-MNIST in ${dir}: run scripts/setup.sh (it installs Debian's ` +
        'dataset-fashion-mnist), or set EVOLAB_FASHION_MNIST to a folder holding its four files.',
    );
  }
  return dir;
}

/** An IDX file: big-endian magic and dimensions, then `body`. */
export function idxBytes(magic: number, dims: readonly number[], body: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 * (1 + dims.length) + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic);
  dims.forEach((d, i) => view.setUint32(4 * (1 + i), d));
  out.set(body, 4 * (1 + dims.length));
  return out;
}

/**
 * A zip archive of `entries` (names ending in `/` are folders), stored or deflated, written with
 * Node's zlib so the reader under test is checked against an independent writer.
 */
export function zipBytes(entries: readonly { name: string; data?: Uint8Array; deflate?: boolean }[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = e.data ?? new Uint8Array(0);
    const packed = e.deflate ? deflateRawSync(data) : Buffer.from(data);
    const name = Buffer.from(e.name, 'utf8');
    const fields = (h: Buffer, at: number) => {
      h.writeUInt16LE(e.deflate ? 8 : 0, at);
      h.writeUInt32LE(crc32(data), at + 6);
      h.writeUInt32LE(packed.length, at + 10);
      h.writeUInt32LE(data.length, at + 14);
      h.writeUInt16LE(name.length, at + 18);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    fields(local, 8);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    fields(central, 10);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += 30 + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}
