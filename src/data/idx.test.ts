import { describe, expect, it } from 'vitest';
import { parseIdxImages, parseIdxLabels } from './idx';
import { datasetFailure } from '../testing/data';

/** An IDX file: big-endian magic and dimensions, then `body`. */
function idx(magic: number, dims: number[], body: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 * (1 + dims.length) + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic);
  dims.forEach((d, i) => view.setUint32(4 * (1 + i), d));
  out.set(body, 4 * (1 + dims.length));
  return out;
}

const failure = datasetFailure;

const MNIST_SIZE = { rows: 28, cols: 28, dataset: 'MNIST' };
const F = 'mnist/train-images-idx3-ubyte.gz';

describe('parseIdxImages', () => {
  it('reads count, size and pixels in row-major order', () => {
    const body = Array.from({ length: 2 * 2 * 3 }, (_, i) => i * 10);
    const got = parseIdxImages(idx(2051, [2, 2, 3], body), 'x');
    expect([got.count, got.rows, got.cols]).toEqual([2, 2, 3]);
    expect(Array.from(got.pixels)).toEqual(body);
    expect(got.pixels.byteOffset).toBe(0); // its own buffer, transferable without the header
  });

  it('rejects a wrong magic number with the message the UI shows', () => {
    const err = failure(() => parseIdxImages(idx(1234, [1, 28, 28], new Uint8Array(784)), F, MNIST_SIZE));
    expect(err.message).toBe(
      'mnist/train-images-idx3-ubyte.gz: bad magic number 1234 (expected 2051 for IDX images). ' +
        'Is this the right file? Run npm run data to fetch fresh copies.',
    );
    expect([err.file, err.problem]).toEqual([F, 'bad magic number 1234 (expected 2051 for IDX images)']);
  });

  it('says so when a label file is given as images', () => {
    const err = failure(() => parseIdxImages(idx(2049, [4, 0, 0], []), F));
    expect(err.problem).toContain('2049 means IDX labels');
  });

  it('rejects a header that is too short', () => {
    expect(failure(() => parseIdxImages(new Uint8Array([0, 0, 8, 3, 0]), F)).problem).toBe(
      'too short for an IDX images header: 5 bytes (need at least 16)',
    );
  });

  it('rejects images of the wrong size before looking at the length', () => {
    const err = failure(() => parseIdxImages(idx(2051, [3, 32, 32], new Uint8Array(3 * 32 * 32)), F, MNIST_SIZE));
    expect(err.problem).toBe('wrong image size 32×32 (expected 28×28 for MNIST)');
  });

  it('reports truncation and trailing bytes with both lengths', () => {
    const full = idx(2051, [2, 28, 28], new Uint8Array(2 * 784));
    expect(failure(() => parseIdxImages(full.subarray(0, full.length - 1), F, MNIST_SIZE)).problem).toBe(
      'truncated: expected 1584 bytes, got 1583',
    );
    const longer = idx(2051, [2, 28, 28], new Uint8Array(2 * 784 + 3));
    expect(failure(() => parseIdxImages(longer, F, MNIST_SIZE)).problem).toBe(
      '3 unexpected bytes after the data: expected 1584 bytes, got 1587',
    );
  });
});

describe('parseIdxLabels', () => {
  const L = 'mnist/t10k-labels-idx1-ubyte.gz';

  it('reads labels', () => {
    expect(Array.from(parseIdxLabels(idx(2049, [4], [7, 2, 1, 0]), L))).toEqual([7, 2, 1, 0]);
  });

  it('rejects an images magic, truncation and out-of-range labels', () => {
    expect(failure(() => parseIdxLabels(idx(2051, [4], [1, 2, 3, 4]), L)).problem).toContain(
      'bad magic number 2051 (expected 2049 for IDX labels; 2051 means IDX images)',
    );
    expect(failure(() => parseIdxLabels(idx(2049, [5], [1, 2, 3, 4]), L)).problem).toBe(
      'truncated: expected 13 bytes, got 12',
    );
    const err = failure(() => parseIdxLabels(idx(2049, [4], [1, 2, 10, 4]), L));
    expect(err.message).toMatch(
      /^mnist\/t10k-labels-idx1-ubyte\.gz: label 10 at index 2 is out of range \(expected 0–9\)/,
    );
  });
});
