import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIFAR10_CLASS_NAMES } from './cifar';
import type { ImageDataset } from './dataset';
import { DatasetError, MissingFileError } from './errors';
import { loadDataset, type LoadProgress } from './load';
import { folderSource } from './node-source';
import { labelHistogram } from './subset';
import { README_HISTOGRAMS, datasetsDir } from '../testing/data';

const DATA = datasetsDir();

/** Pixel (row, col) of image n as [channels...]. */
function pixel(d: ImageDataset, n: number, row: number, col: number): number[] {
  const at = ((n * d.height + row) * d.width + col) * d.channels;
  return Array.from(d.pixels.subarray(at, at + d.channels));
}

function imageSum(d: ImageDataset, n: number): number[] {
  const sums = new Array<number>(d.channels).fill(0);
  const per = d.height * d.width * d.channels;
  for (let k = 0; k < per; k++) sums[k % d.channels] += d.pixels[n * per + k];
  return sums;
}

// Expected pixel facts below were computed independently with Python (gzip + numpy) from the
// files in shared/datasets.
describe('loadDataset on the real MNIST files', () => {
  it('reads the training split', async () => {
    const events: LoadProgress[] = [];
    const d = await loadDataset('mnist', 'train', folderSource(DATA), (p) => events.push(p));
    expect([d.name, d.split, d.count, d.height, d.width, d.channels]).toEqual(['mnist', 'train', 60000, 28, 28, 1]);
    expect(d.pixels.length).toBe(60000 * 784);
    expect(labelHistogram(d.labels)).toEqual(README_HISTOGRAMS.mnist.train);
    expect(Array.from(d.labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(imageSum(d, 0)).toEqual([27525]);
    expect(imageSum(d, 59999)).toEqual([20920]);
    const row14 = Array.from({ length: 28 }, (_, c) => pixel(d, 0, 14, c)[0]);
    expect(row14.slice(12, 20)).toEqual([0, 81, 240, 253, 253, 119, 25, 0]);
    expect(d.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(events.map((e) => [e.done, e.total])).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
    ]);
    expect(events[0].file).toBe('mnist/train-images-idx3-ubyte');
  });

  it('reads the test split', async () => {
    const d = await loadDataset('mnist', 'test', folderSource(DATA));
    expect(d.count).toBe(10000);
    expect(labelHistogram(d.labels)).toEqual(README_HISTOGRAMS.mnist.test);
    expect(Array.from(d.labels.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    expect(imageSum(d, 0)).toEqual([18454]);
  });
});

describe('loadDataset on the real CIFAR-10 files', () => {
  it('reads all five training batches into NHWC', async () => {
    const events: LoadProgress[] = [];
    const d = await loadDataset('cifar10', 'train', folderSource(DATA), (p) => events.push(p));
    expect([d.count, d.height, d.width, d.channels]).toEqual([50000, 32, 32, 3]);
    expect(d.pixels.length).toBe(50000 * 3072);
    expect(labelHistogram(d.labels)).toEqual(README_HISTOGRAMS.cifar10.train);
    expect(d.classNames).toEqual(CIFAR10_CLASS_NAMES);
    // data_batch_1, first image (a frog): known pixels and per-channel sums.
    expect(Array.from(d.labels.subarray(0, 10))).toEqual([6, 9, 9, 4, 1, 1, 2, 7, 8, 3]);
    expect(pixel(d, 0, 0, 0)).toEqual([59, 62, 63]);
    expect(pixel(d, 0, 5, 17)).toEqual([97, 63, 32]);
    expect(imageSum(d, 0)).toEqual([144594, 107622, 65574]);
    // data_batch_5 lands at 40,000..49,999, in order.
    expect(Array.from(d.labels.subarray(40000, 40010))).toEqual([1, 8, 5, 1, 5, 7, 4, 3, 8, 2]);
    expect(pixel(d, 40000, 0, 0)).toEqual([255, 255, 254]);
    expect(pixel(d, 40000, 5, 17)).toEqual([154, 164, 182]);
    expect(pixel(d, 49999, 31, 30)).toEqual([164, 164, 162]);
    expect(events.map((e) => e.done)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(events.every((e) => e.total === 6)).toBe(true);
  });

  it('reads the test batch', async () => {
    const d = await loadDataset('cifar10', 'test', folderSource(DATA));
    expect(d.count).toBe(10000);
    expect(labelHistogram(d.labels)).toEqual(README_HISTOGRAMS.cifar10.test);
    expect(Array.from(d.labels.subarray(0, 10))).toEqual([3, 8, 8, 0, 6, 6, 1, 6, 3, 1]);
    expect(pixel(d, 0, 0, 0)).toEqual([158, 112, 49]);
    expect(pixel(d, 9999, 31, 30)).toEqual([68, 65, 58]);
    expect(imageSum(d, 0)).toEqual([112665, 113426, 106871]);
  });
});

describe('loadDataset on damaged copies', () => {
  let tmp: string;
  let images: Buffer; // t10k images, decompressed
  let labels: Buffer;
  let cifarTest: Buffer;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'evolab-load-'));
    images = gunzipSync(readFileSync(path.join(DATA, 'mnist/t10k-images-idx3-ubyte.gz')));
    labels = gunzipSync(readFileSync(path.join(DATA, 'mnist/t10k-labels-idx1-ubyte.gz')));
    cifarTest = gunzipSync(readFileSync(path.join(DATA, 'cifar-10/test_batch.bin.gz')));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  let n = 0;
  /** A fresh data root holding the given files (path → bytes). */
  async function root(files: Record<string, Uint8Array>): Promise<string> {
    const dir = path.join(tmp, `case-${n++}`);
    for (const [name, bytes] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), bytes);
    }
    return dir;
  }

  async function loadError(dir: string, name: 'mnist' | 'cifar10' = 'mnist'): Promise<DatasetError> {
    const err = await loadDataset(name, 'test', folderSource(dir)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DatasetError);
    return err as DatasetError;
  }

  const IMG = 'mnist/t10k-images-idx3-ubyte';
  const LAB = 'mnist/t10k-labels-idx1-ubyte';

  it('a truncated image file', async () => {
    const err = await loadError(await root({ [IMG]: images.subarray(0, images.length - 100), [LAB]: labels }));
    expect(err.message).toMatch(/^mnist\/t10k-images-idx3-ubyte: truncated: expected 7840016 bytes, got 7839916\./);
  });

  it('a wrong magic number (gzipped copy, so the name carries .gz)', async () => {
    const bad = Buffer.from(images);
    bad.writeUInt32BE(1234, 0);
    const err = await loadError(await root({ [`${IMG}.gz`]: gzipSync(bad, { level: 1 }), [LAB]: labels }));
    expect(err.message).toMatch(
      /^mnist\/t10k-images-idx3-ubyte\.gz: bad magic number 1234 \(expected 2051 for IDX images\)\. Is this the right file\?/,
    );
  });

  it('32×32 images', async () => {
    const big = new Uint8Array(16 + 10000 * 32 * 32);
    const view = new DataView(big.buffer);
    [2051, 10000, 32, 32].forEach((v, i) => view.setUint32(4 * i, v));
    const err = await loadError(await root({ [IMG]: big, [LAB]: labels }));
    expect(err.message).toMatch(/^mnist\/t10k-images-idx3-ubyte: wrong image size 32×32 \(expected 28×28 for MNIST\)/);
  });

  it('image and label counts that differ name both files and both counts', async () => {
    const fewer = Buffer.from(labels.subarray(0, labels.length - 1));
    fewer.writeUInt32BE(9999, 4);
    const err = await loadError(await root({ [IMG]: images, [`${LAB}.gz`]: gzipSync(fewer) }));
    expect(err.file).toBe('mnist/t10k-labels-idx1-ubyte.gz');
    expect(err.problem).toBe(
      'has 9999 labels but mnist/t10k-images-idx3-ubyte has 10000 images; the two files must come from the same release',
    );
  });

  it('a consistent pair with the wrong number of images for the split', async () => {
    const imgs = Buffer.from(images.subarray(0, 16 + 5 * 784));
    imgs.writeUInt32BE(5, 4);
    const labs = Buffer.from(labels.subarray(0, 8 + 5));
    labs.writeUInt32BE(5, 4);
    const err = await loadError(await root({ [IMG]: imgs, [LAB]: labs }));
    expect(err.problem).toBe('has 5 images (expected 10000 for the standard MNIST test split)');
  });

  it('a corrupt gzip', async () => {
    const gz = readFileSync(path.join(DATA, `${LAB}.gz`));
    const err = await loadError(await root({ [IMG]: images, [`${LAB}.gz`]: gz.subarray(0, gz.length - 50) }));
    expect(err.message).toMatch(/^mnist\/t10k-labels-idx1-ubyte\.gz: corrupt or truncated gzip data/);
  });

  it('a missing file says where it looked and what to do', async () => {
    const dir = await root({ [IMG]: images });
    const err = await loadError(dir);
    expect(err).toBeInstanceOf(MissingFileError);
    expect(err.message).toBe(
      `mnist/t10k-labels-idx1-ubyte: file not found (looked for mnist/t10k-labels-idx1-ubyte.gz and ` +
        `mnist/t10k-labels-idx1-ubyte in folder ${dir}). Run \`npm run data\` or drop the files on the page.`,
    );
  });

  it('a CIFAR batch whose length is not a multiple of 3073', async () => {
    const err = await loadError(
      await root({ 'cifar-10/test_batch.bin': cifarTest.subarray(0, cifarTest.length - 5) }),
      'cifar10',
    );
    expect(err.message).toMatch(
      /^cifar-10\/test_batch\.bin: length 30729995 bytes is not a multiple of the 3073-byte CIFAR-10 record/,
    );
  });

  it('a CIFAR batch with a label out of range', async () => {
    const bad = Buffer.from(cifarTest);
    bad[3073 * 7] = 12;
    const err = await loadError(await root({ 'cifar-10/test_batch.bin': bad }), 'cifar10');
    expect(err.problem).toBe('label 12 at record 7 is out of range (expected 0–9)');
  });

  it('CIFAR without batches.meta.txt falls back to the standard names; a bad one is an error', async () => {
    const dir = await root({});
    await mkdir(path.join(dir, 'cifar-10'), { recursive: true });
    await copyFile(path.join(DATA, 'cifar-10/test_batch.bin.gz'), path.join(dir, 'cifar-10/test_batch.bin.gz'));
    const d = await loadDataset('cifar10', 'test', folderSource(dir));
    expect(d.classNames).toEqual(CIFAR10_CLASS_NAMES);
    await writeFile(path.join(dir, 'cifar-10/batches.meta.txt'), 'cat\ndog\n');
    expect((await loadError(dir, 'cifar10')).message).toMatch(/^cifar-10\/batches\.meta\.txt: lists 2 class names/);
  });

  it('refuses an unknown dataset or split with a plain message', async () => {
    const src = folderSource(tmp);
    await expect(loadDataset('fashion' as 'mnist', 'train', src)).rejects.toThrow(/unknown dataset "fashion"/);
    await expect(loadDataset('mnist', 'valid' as 'test', src)).rejects.toThrow(/unknown split "valid"/);
  });
});
