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
});
