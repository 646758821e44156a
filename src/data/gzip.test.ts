import { gunzipSync, gzipSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzip, isGzip, maybeGunzip } from './gzip';
import { sha256Hex } from './hash';
import { datasetRejection } from '../testing/data';

const text = 'EvoLab '.repeat(2000);
const plain = new TextEncoder().encode(text);
const packed = new Uint8Array(gzipSync(plain));

const failure = datasetRejection;

describe('gzip', () => {
  it('detects gzip by its magic bytes, not by name', () => {
    expect(isGzip(packed)).toBe(true);
    expect(isGzip(plain)).toBe(false);
    expect(isGzip(new Uint8Array([0x1f]))).toBe(false);
  });

  it('round-trips what zlib compressed', async () => {
    expect(new TextDecoder().decode(await gunzip(packed, 'x.gz'))).toBe(text);
    expect(await maybeGunzip(plain, 'x')).toBe(plain);
  });

  it('reports a truncated stream with the file name', async () => {
    const err = await failure(gunzip(packed.subarray(0, packed.length - 20), 'mnist/t10k-labels-idx1-ubyte.gz'));
    expect(err.file).toBe('mnist/t10k-labels-idx1-ubyte.gz');
    expect(err.message).toMatch(/^mnist\/t10k-labels-idx1-ubyte\.gz: corrupt or truncated gzip data/);
    expect(err.message).toContain('npm run data');
  });

  it('reports corrupted deflate data and a bad CRC', async () => {
    const flipped = packed.slice();
    flipped[15] ^= 0xff;
    flipped[16] ^= 0xff;
    expect((await failure(gunzip(flipped, 'a.gz'))).problem).toMatch(/corrupt or truncated gzip/);
    const badCrc = packed.slice();
    badCrc[badCrc.length - 6] ^= 0xff;
    expect((await failure(gunzip(badCrc, 'b.gz'))).problem).toMatch(/corrupt or truncated gzip/);
  });

  it('reports junk after the gzip stream', async () => {
    const junk = new Uint8Array(packed.length + 4);
    junk.set(packed);
    junk.set([1, 2, 3, 4], packed.length);
    expect((await failure(gunzip(junk, 'd.gz'))).message).toMatch(
      /^d\.gz: corrupt or truncated gzip data \([^)]*[^.]\)\. Is this/,
    );
  });

  /**
   * Chrome's DecompressionStream decodes one gzip member and calls what follows junk (checked in
   * Chromium by e2e/robust.e2e.ts); this decoder does the same with zlib, which says how many
   * bytes the first member's deflate data took.
   */
  const chromeLike = async (bytes: Uint8Array): Promise<Uint8Array> => {
    const flags = bytes[3];
    let at = 10;
    if (flags & 4) at += 2 + (bytes[at] | (bytes[at + 1] << 8));
    for (const bit of [8, 16]) if (flags & bit) while (bytes[at++] !== 0);
    if (flags & 2) at += 2;
    const { engine } = inflateRawSync(bytes.subarray(at), { info: true }) as unknown as {
      engine: { bytesWritten: number };
    };
    if (at + engine.bytesWritten + 8 < bytes.length) throw new TypeError('Junk found after end of compressed data.');
    return new Uint8Array(gunzipSync(bytes));
  };

  it('reads a file of several gzip members (pigz, cat a.gz b.gz) where the decoder stops after one', async () => {
    const halves = [plain.subarray(0, 5000), plain.subarray(5000)].map((p) => new Uint8Array(gzipSync(p)));
    const multi = new Uint8Array([...halves[0], ...halves[1]]);
    await expect(chromeLike(multi)).rejects.toThrow(/Junk/);
    expect(new TextDecoder().decode(await gunzip(multi, 'm.gz', chromeLike))).toBe(text);
    // Zero padding after the last member (tape-style blocks) is not data.
    const padded = new Uint8Array([...multi, 0, 0, 0, 0]);
    expect(new TextDecoder().decode(await gunzip(padded, 'p.gz', chromeLike))).toBe(text);
    // A damaged second member is still refused, naming the file.
    const damaged = multi.slice();
    damaged[halves[0].length + 20] ^= 0xff;
    expect((await failure(gunzip(damaged, 'd.gz', chromeLike))).message).toMatch(/^d\.gz: corrupt or truncated gzip/);
    expect((await failure(gunzip(multi.subarray(0, multi.length - 3), 't.gz', chromeLike))).problem).toMatch(
      /corrupt or truncated/,
    );
  });

  it('refuses data that is not gzip at all', async () => {
    expect((await failure(gunzip(plain, 'c.gz'))).problem).toMatch(/not gzip/);
  });
});

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 test vector', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
