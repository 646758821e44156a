import { gzipSync } from 'node:zlib';
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
