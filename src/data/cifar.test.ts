import { describe, expect, it } from 'vitest';
import { CIFAR_RECORD_BYTES, CIFAR10_CLASS_NAMES, checkCifarBatch, parseCifarBatch, parseCifarMeta } from './cifar';
import { datasetFailure } from '../testing/data';

/** A record whose R, G, B values encode (plane, pixel) so the NHWC layout can be checked exactly. */
function record(label: number, seed: number): Uint8Array {
  const r = new Uint8Array(CIFAR_RECORD_BYTES);
  r[0] = label;
  for (let plane = 0; plane < 3; plane++) {
    for (let p = 0; p < 1024; p++) r[1 + plane * 1024 + p] = (seed + plane * 85 + p * 7) % 256;
  }
  return r;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const failure = datasetFailure;

const F = 'cifar-10/data_batch_1.bin.gz';

describe('parseCifarBatch', () => {
  it('interleaves the R, G and B planes into NHWC', () => {
    const recs = [record(6, 0), record(9, 50)];
    const got = parseCifarBatch(concat(recs), F, null);
    expect(got.count).toBe(2);
    expect(Array.from(got.labels)).toEqual([6, 9]);
    for (const [n, row, col] of [
      [0, 0, 0],
      [0, 5, 17],
      [1, 31, 30],
      [1, 12, 3],
    ]) {
      const p = row * 32 + col;
      const at = ((n * 32 + row) * 32 + col) * 3;
      expect(Array.from(got.pixels.subarray(at, at + 3))).toEqual([
        recs[n][1 + p],
        recs[n][1 + 1024 + p],
        recs[n][1 + 2048 + p],
      ]);
    }
  });

  it('rejects a length that is not a whole number of records', () => {
    const err = failure(() => checkCifarBatch(new Uint8Array(2 * 3073 + 100), F, null));
    expect(err.message).toMatch(
      /^cifar-10\/data_batch_1\.bin\.gz: length 6246 bytes is not a multiple of the 3073-byte CIFAR-10 record \(2 whole records and 100 bytes left over/,
    );
  });

  it('insists on 10,000 records for a standard batch', () => {
    expect(failure(() => checkCifarBatch(new Uint8Array(3 * 3073), F)).problem).toBe(
      'has 3 records (expected 10000 per standard CIFAR-10 batch)',
    );
    expect(failure(() => checkCifarBatch(new Uint8Array(0), F)).problem).toMatch(/empty file/);
  });

  it('rejects a label outside 0–9, naming the record', () => {
    const err = failure(() => parseCifarBatch(concat([record(1, 0), record(11, 0)]), F, null));
    expect(err.problem).toBe('label 11 at record 1 is out of range (expected 0–9)');
  });
});

describe('parseCifarMeta', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);

  it('skips blank lines and handles CRLF', () => {
    const text = `${CIFAR10_CLASS_NAMES.join('\r\n')}\r\n\r\n`;
    expect(parseCifarMeta(bytes(text), 'm')).toEqual(CIFAR10_CLASS_NAMES);
    expect(parseCifarMeta(bytes(`\n${CIFAR10_CLASS_NAMES.join('\n\n')}\n`), 'm')).toEqual(CIFAR10_CLASS_NAMES);
  });

  it('rejects a list that is not ten names', () => {
    const err = failure(() => parseCifarMeta(bytes('cat\ndog\n'), 'cifar-10/batches.meta.txt'));
    expect(err.message).toMatch(/^cifar-10\/batches\.meta\.txt: lists 2 class names \(expected 10/);
  });
});
