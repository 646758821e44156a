import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { idxBytes } from '../testing/data';
import { checkFile, checkFolder, openDroppedFolder } from './files';

const file = (name: string, bytes: Uint8Array) => ({ name, arrayBuffer: async () => new Uint8Array(bytes).buffer }); // a copy: a Buffer may share a pool

describe('dropped files', () => {
  it('refuses a corrupted gzip, a wrong name and a truncated file, and accepts a good one', async () => {
    const corrupt = await checkFile(
      'mnist',
      file('train-images-idx3-ubyte.gz', Uint8Array.from([0x1f, 0x8b, 8, 0, 9, 9, 9, 9])),
    );
    expect(corrupt.ok).toBe(false);
    expect(corrupt.message).toMatch(/gzip/);
    expect((await checkFile('mnist', file('cat.png', new Uint8Array(4)))).message).toMatch(/not one of the standard/);
    const labels = new Uint8Array(8 + 10_000);
    new DataView(labels.buffer).setUint32(0, 2049);
    new DataView(labels.buffer).setUint32(4, 10_000);
    const good = await checkFile('mnist', file('t10k-labels-idx1-ubyte.gz', gzipSync(labels)));
    expect(good).toMatchObject({ ok: true });
    const short = await checkFile('mnist', file('t10k-labels-idx1-ubyte', labels.subarray(0, 500)));
    expect(short.ok).toBe(false);
  });

  it('refuses a file far larger than any standard one without reading it, and a gzip bomb', async () => {
    const huge = {
      name: 'train-images-idx3-ubyte',
      size: 3 * 2 ** 30,
      arrayBuffer: () => Promise.reject(new Error('read a 3 GB file')),
    };
    expect(await checkFile('mnist', huge)).toEqual({
      name: 'train-images-idx3-ubyte',
      ok: false,
      message:
        'train-images-idx3-ubyte: is 3072 MB, far more than the standard file; check the name and the chosen dataset',
    });
    const bomb = await checkFile('mnist', file('train-images-idx3-ubyte.gz', gzipSync(new Uint8Array(300 * 2 ** 20))));
    expect(bomb).toMatchObject({ ok: false, message: expect.stringMatching(/decompresses to more than 256 MB/) });
  });
});

describe('dropped folders (IDX and image-folder datasets)', () => {
  /** The four IDX files of 3 classes, `per` images per class in training, 2 in the test split. */
  function idxFolder(rows: number, cols: number, per = 6) {
    const split = (count: number) => {
      const labels = Array.from({ length: count }, (_, i) => i % 3);
      const body = Uint8Array.from({ length: count * rows * cols }, (_, k) => k % 251);
      return { images: idxBytes(2051, [count, rows, cols], body), labels: idxBytes(2049, [count], labels) };
    };
    const train = split(3 * per);
    const test = split(6);
    const entries: [string, Uint8Array][] = [
      ['train-images-idx3-ubyte', train.images],
      ['train-labels-idx1-ubyte', train.labels],
      ['t10k-images-idx3-ubyte', test.images],
      ['t10k-labels-idx1-ubyte', test.labels],
    ];
    return entries.map(([name, bytes]) => ({ path: `glyphs/${name}`, file: new File([bytes as BlobPart], name) }));
  }

  it('opens a dropped IDX folder as its dataset and says what it is', async () => {
    const answer = await checkFolder('idx', { kind: 'files', name: 'glyphs', files: idxFolder(12, 10) });
    expect(answer).toMatchObject({
      ok: true,
      message: 'glyphs: 3 classes (0, 1, 2), 18 training and 6 test images, 12×10 grey',
      data: { name: 'glyphs', height: 12, width: 10, channels: 1, trainImages: 18, testImages: 6 },
    });
  });

  it('refuses images the network cannot take, a broken zip, and nothing at all', async () => {
    const small = await checkFolder('idx', { kind: 'files', name: 'tiny', files: idxFolder(6, 6) });
    expect(small.ok).toBe(false);
    expect(small.message).toMatch(/images are 6×6 pixels; .* at least 8/);
    const zip = await checkFolder('images', {
      kind: 'zip',
      name: 'pets',
      file: new File([new Uint8Array(40)], 'pets.zip'),
    });
    expect(zip).toMatchObject({ ok: false, message: expect.stringMatching(/pets\.zip.*not a zip file/) });
    await expect(openDroppedFolder('images', null)).rejects.toThrow(/nothing was dropped.*one sub-folder of pictures/);
  });
});
