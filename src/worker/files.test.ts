import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { checkFile } from './files';

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
