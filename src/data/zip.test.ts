import { describe, expect, it } from 'vitest';
import { crc32, zipEntries, zipRead, zipSource } from './zip';
import { datasetFailure, datasetRejection, zipBytes } from '../testing/data';

const text = (s: string) => new TextEncoder().encode(s);
const long = text('evolab '.repeat(500));

describe('zip', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(text('123456789'))).toBe(0xcbf43926);
  });

  it('lists entries and reads stored and deflated ones', async () => {
    const zip = zipBytes([
      { name: 'pets/' },
      { name: 'pets/cat/a.txt', data: text('stored') },
      { name: 'pets/dog/b.txt', data: long, deflate: true },
      { name: 'pets/empty/' },
    ]);
    const entries = zipEntries(zip, 'pets.zip');
    expect(entries.map((e) => [e.name, e.method])).toEqual([
      ['pets/', 0],
      ['pets/cat/a.txt', 0],
      ['pets/dog/b.txt', 8],
      ['pets/empty/', 0],
    ]);
    expect(entries[2].compressedSize).toBeLessThan(long.length / 10);
    expect(new TextDecoder().decode(await zipRead(zip, entries[2], 'pets.zip'))).toBe('evolab '.repeat(500));
    const src = zipSource(zip, 'pets.zip');
    // Folders show only when empty, as a folder source lists them.
    expect(await src.list!()).toEqual(['pets/cat/a.txt', 'pets/dog/b.txt', 'pets/empty/']);
    expect(new TextDecoder().decode(await src.read('pets/cat/a.txt'))).toBe('stored');
    expect((await datasetRejection(src.read('pets/nope.txt'))).problem).toBe(
      'file not found (looked for pets/nope.txt.gz and pets/nope.txt in zip pets.zip)',
    );
  });

  it('refuses a zip bomb: an entry declared larger than any dataset file, or inflating past its declared size', async () => {
    const zeros = new Uint8Array(1 << 20);
    const zip = zipBytes([{ name: 'a/big.bin', data: zeros, deflate: true }]);
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    const central = zip.length - 22 - 46 - 'a/big.bin'.length;
    const declare = (size: number) => {
      view.setUint32(18 + 4, size, true);
      view.setUint32(central + 24, size, true);
    };
    declare(300 * 2 ** 20);
    const [huge] = zipEntries(zip, 'bomb.zip');
    expect((await datasetRejection(zipRead(zip, huge, 'bomb.zip'))).problem).toBe(
      'it decompresses to 300 MB, more than any dataset file (256 MB at most)',
    );
    declare(1000);
    const [lying] = zipEntries(zip, 'bomb.zip');
    expect((await datasetRejection(zipRead(zip, lying, 'bomb.zip'))).problem).toBe(
      'damaged zip entry (it inflates to more than its declared size)',
    );
  });

  it('refuses what is not a zip, a damaged entry, and unsupported features', async () => {
    expect(datasetFailure(() => zipEntries(text('hello, not a zip at all'), 'x.zip')).problem).toBe(
      'not a zip file (no end-of-directory record)',
    );
    const zip = zipBytes([{ name: 'a.txt', data: long, deflate: true }]);
    const damaged = zip.slice();
    damaged[40] ^= 0xff; // inside the deflate data
    const [entry] = zipEntries(damaged, 'x.zip');
    const err = await datasetRejection(zipRead(damaged, entry, 'x.zip'));
    expect(err.file).toBe('x.zip: a.txt');
    expect(err.problem).toMatch(/^(corrupt deflate data|damaged zip entry \(size or CRC-32)/);
    const lzma = zip.slice();
    new DataView(lzma.buffer).setUint16(zip.length - 22 - 46 - 5 + 10, 14, true); // central method → 14 (LZMA)
    const [e14] = zipEntries(lzma, 'x.zip');
    expect((await datasetRejection(zipRead(lzma, e14, 'x.zip'))).problem).toBe(
      'uses compression method 14 (only stored and deflate are supported)',
    );
    const locked = zip.slice();
    new DataView(locked.buffer).setUint16(zip.length - 22 - 46 - 5 + 8, 1, true); // encrypted flag
    expect(datasetFailure(() => zipEntries(locked, 'x.zip')).problem).toBe('a.txt is encrypted');
    expect(datasetFailure(() => zipEntries(zip.subarray(0, zip.length - 30), 'x.zip')).problem).toBe(
      'not a zip file (no end-of-directory record)',
    );
  });
});
