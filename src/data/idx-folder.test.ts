import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MissingFileError } from './errors';
import { idxRole } from './idx-folder';
import { folderSource } from './node-source';
import { openDataset, openDatasetSplits } from './open';
import { memorySource, urlSource, type FetchLike } from './sources';
import { datasetRejection, fashionMnistDir, idxBytes } from '../testing/data';

/** `labels.length` images of rows × cols × channels; image n's bytes are (n + k) % 256. */
function split(labels: number[], rows = 12, cols = 10, channels = 1): { images: Uint8Array; labels: Uint8Array } {
  const per = rows * cols * channels;
  const body = Uint8Array.from({ length: labels.length * per }, (_, k) => (Math.floor(k / per) + (k % per)) % 256);
  const magic = channels === 1 ? 2051 : 2052;
  const dims = channels === 1 ? [labels.length, rows, cols] : [labels.length, rows, cols, channels];
  return { images: idxBytes(magic, dims, body), labels: idxBytes(2049, [labels.length], labels) };
}

/** Every class `per` times: 0, 1, …, k−1, 0, 1, … */
const balanced = (classes: number, per: number): number[] =>
  Array.from({ length: classes * per }, (_, i) => i % classes);

/** The four files under the standard names (plain). */
function standard(train = split(balanced(3, 6)), test = split(balanced(3, 2))): Record<string, Uint8Array> {
  return {
    'train-images-idx3-ubyte': train.images,
    'train-labels-idx1-ubyte': train.labels,
    't10k-images-idx3-ubyte': test.images,
    't10k-labels-idx1-ubyte': test.labels,
  };
}

const open = (files: Record<string, Uint8Array>, splitName: 'train' | 'test' = 'train', spec = {}) =>
  openDataset(memorySource(files, 'the test files'), { kind: 'idx', ...spec }, splitName);

describe('idxRole', () => {
  it('reads the usual ways of writing the four names', () => {
    const roles = (names: string[]) => names.map((n) => idxRole(n) && `${idxRole(n)!.split} ${idxRole(n)!.kind}`);
    expect(
      roles([
        'train-images-idx3-ubyte',
        'train-images.idx3-ubyte',
        'x/train-labels.idx1-ubyte.gz',
        't10k-images-idx3-ubyte.gz',
        'test-labels-idx1-ubyte',
        'emnist-digits-test-images-idx3-ubyte',
        'train_images_idx3_ubyte',
        'README.md',
        'batches.meta.txt',
        'train-images.png',
      ]),
    ).toEqual([
      'train images',
      'train images',
      'train labels',
      'test images',
      'test labels',
      'test images',
      'train images',
      null,
      null,
      null,
    ]);
  });
});

describe('any IDX dataset', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'evolab-idx-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('a folder pointed at directly, with mixed name variants and gzip; size and classes from the files', async () => {
    const dir = path.join(tmp, 'my-digits');
    await mkdir(dir);
    const train = split(balanced(3, 6));
    const test = split(balanced(3, 2));
    await writeFile(path.join(dir, 'train-images.idx3-ubyte'), train.images);
    await writeFile(path.join(dir, 'train-labels.idx1-ubyte.gz'), gzipSync(train.labels));
    await writeFile(path.join(dir, 'test-images-idx3-ubyte.gz'), gzipSync(test.images));
    await writeFile(path.join(dir, 'test-labels-idx1-ubyte'), test.labels);
    await writeFile(path.join(dir, 'README.txt'), 'not an IDX file');
    const both = await openDatasetSplits(folderSource(dir), { kind: 'idx', name: 'my-digits' });
    const d = both.train;
    expect([d.name, d.split, d.count, d.height, d.width, d.channels]).toEqual(['my-digits', 'train', 18, 12, 10, 1]);
    expect(d.classNames).toEqual(['0', '1', '2']);
    expect(Array.from(d.labels.subarray(0, 4))).toEqual([0, 1, 2, 0]);
    expect([d.pixels[0], d.pixels[1], d.pixels[120], d.pixels[121]]).toEqual([0, 1, 1, 2]);
    expect([both.test.count, both.test.split]).toEqual([6, 'test']);
  });

  it('a source that cannot list (a URL) is tried under the standard names', async () => {
    const files = standard();
    const calls: string[] = [];
    const fetchImpl: FetchLike = async (url) => {
      calls.push(url);
      const name = url.slice('/d/'.length);
      return files[name] ? new Response(files[name].slice()) : new Response('', { status: 404 });
    };
    const d = await openDataset(urlSource('/d/', fetchImpl), { kind: 'idx' }, 'test');
    expect([d.count, d.height, d.width]).toEqual([6, 12, 10]);
    expect(calls).toContain('/d/t10k-images-idx3-ubyte');
  });

  it('colour images (magic 2052, with channels) and given class names', async () => {
    const d = await open(standard(split(balanced(2, 5), 4, 4, 3), split(balanced(2, 1), 4, 4, 3)), 'test', {
      classNames: ['cat', 'dog'],
    });
    expect([d.count, d.height, d.width, d.channels, d.classNames]).toEqual([2, 4, 4, 3, ['cat', 'dog']]);
  });

  it('a folder of several datasets: refuses to guess, and `match` picks one (transposed like EMNIST)', async () => {
    const digits = standard();
    const files: Record<string, Uint8Array> = {};
    for (const [name, bytes] of Object.entries(digits)) {
      const emnist = name.replace('t10k', 'test');
      files[`gzip/emnist-digits-${emnist}.gz`] = gzipSync(bytes);
      files[`gzip/emnist-letters-${emnist}.gz`] = gzipSync(bytes);
    }
    const err = await datasetRejection(open(files));
    expect(err.problem).toBe(
      '2 files in the test files look like the training labels: ' +
        'gzip/emnist-digits-train-labels-idx1-ubyte, gzip/emnist-letters-train-labels-idx1-ubyte',
    );
    const d = await open(files, 'train', { match: 'emnist-digits', transposed: true });
    // 12 × 10 as stored, 10 × 12 upright; pixel (r, c) upright is stored (c, r).
    expect([d.height, d.width]).toEqual([10, 12]);
    expect([d.pixels[1], d.pixels[12]]).toEqual([10, 1]);
  });

  it('generic IDX on Debian’s Fashion-MNIST reads what the registered reader reads', async () => {
    const src = folderSource(fashionMnistDir());
    const generic = await openDataset(src, { kind: 'idx' }, 'test');
    const registered = await openDataset(src, 'fashion-mnist', 'test');
    expect(generic.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    // Buffer.equals: vitest's deep equality takes a minute over 7.8 million bytes.
    expect(Buffer.from(generic.labels).equals(registered.labels)).toBe(true);
    expect(Buffer.from(generic.pixels).equals(registered.pixels)).toBe(true);
    expect(generic.pixels.length).toBe(10000 * 784);
  });
});

describe('any IDX dataset: bad input', () => {
  it('a missing split names what was expected and what was found', async () => {
    const files = standard();
    delete files['t10k-images-idx3-ubyte'];
    delete files['t10k-labels-idx1-ubyte'];
    const err = await datasetRejection(open(files));
    expect(err).toBeInstanceOf(MissingFileError);
    expect(err.problem).toBe(
      'no test labels in the test files: expected a file named like t10k-labels-idx1-ubyte (.gz or plain); ' +
        'found only train-images-idx3-ubyte, train-labels-idx1-ubyte',
    );
    expect(err.hint).toMatch(/needs four files/);
  });

  it('counts that differ between images and labels', async () => {
    const files = standard();
    files['train-images-idx3-ubyte'] = split(balanced(3, 6).slice(1)).images;
    expect((await datasetRejection(open(files))).problem).toBe(
      'has 18 labels but train-images-idx3-ubyte has 17 images; the two files must come from the same release',
    );
  });

  it('a truncated image file and an unsupported channel count', async () => {
    const files = standard();
    files['train-images-idx3-ubyte'] = files['train-images-idx3-ubyte'].subarray(0, 100);
    expect((await datasetRejection(open(files))).problem).toBe('truncated: expected 2176 bytes, got 100');
    const four = standard(split(balanced(3, 6), 2, 2, 3));
    four['train-images-idx3-ubyte'] = idxBytes(2052, [18, 2, 2, 4], new Uint8Array(18 * 16));
    expect((await datasetRejection(open(four))).problem).toBe('has 4 channels per pixel (expected 1, grey, or 3, RGB)');
  });

  it('too few images of a class, a gap in the labels, and a single class', async () => {
    const few = standard(split([...balanced(3, 5).slice(0, 14), 0, 1, 0, 1]));
    const err = await datasetRejection(open(few));
    expect(err.file).toBe('train-labels-idx1-ubyte');
    expect(err.problem).toBe(
      'has 4 training images of class 2 (at least 5 needed per class; labels must run from 0 to 2 with every class present)',
    );
    const gap = standard(split(balanced(3, 6).map((l) => (l === 1 ? 2 : l))));
    expect((await datasetRejection(open(gap))).problem).toMatch(/^has 0 training images of class 1 /);
    const single = standard(split(new Array(10).fill(0)), split([0, 0]));
    const one = await datasetRejection(open(single));
    expect([one.problem, one.hint]).toEqual([
      'has a single class (every label is 0)',
      'A classifier needs at least two classes.',
    ]);
  });

  it('more labels than class names given', async () => {
    const err = await datasetRejection(open(standard(), 'train', { classNames: ['a', 'b'] }));
    expect(err.problem).toBe('has label 2, but only 2 class names were given');
  });

  it('training and test images of different sizes', async () => {
    const src = memorySource(standard(split(balanced(3, 6)), split(balanced(3, 2), 14, 10)), 'the test files');
    const err = await datasetRejection(openDatasetSplits(src, { kind: 'idx' }));
    expect(err.problem).toBe('test images are 14×10×1 but training images are 12×10×1 (height×width×channels)');
  });
});
