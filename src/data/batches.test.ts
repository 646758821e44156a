import { describe, expect, it } from 'vitest';
import { batches } from './batches';
import { makeBatch, type ImageDataset } from './dataset';

/** 7 tiny 2×2×1 images whose pixels identify the image: image i is all i*10. */
const tiny: ImageDataset = {
  name: 'mnist',
  split: 'train',
  count: 7,
  height: 2,
  width: 2,
  channels: 1,
  pixels: Uint8Array.from({ length: 28 }, (_, k) => Math.floor(k / 4) * 10),
  labels: Uint8Array.from([0, 1, 2, 3, 4, 5, 6]),
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
};

describe('batches', () => {
  it('yields full batches then the partial last one, in the given order', () => {
    const order = [6, 0, 3, 1, 5, 2, 4];
    const got = [...batches(tiny, order, 3)];
    expect(got.map((b) => b.size)).toEqual([3, 3, 1]);
    expect(got.map((b) => Array.from(b.labels))).toEqual([[6, 0, 3], [1, 5, 2], [4]]);
    expect(Array.from(got[0].x.subarray(0, 4))).toEqual(new Array(4).fill(60 / 255).map(Math.fround));
    expect(got[1]).toEqual(makeBatch(tiny, order, 3, 6));
  });

  it('yields nothing for an empty order and one batch when it is big enough', () => {
    expect([...batches(tiny, [], 4)]).toEqual([]);
    expect([...batches(tiny, [1, 2], 64)].map((b) => b.size)).toEqual([2]);
  });

  it('rejects a bad batch size or an index outside the dataset', () => {
    expect(() => [...batches(tiny, [0], 0)]).toThrow(/batchSize must be a whole number ≥ 1, got 0/);
    expect(() => [...batches(tiny, [0, 7], 2)]).toThrow(/index 7 at position 1 is outside the mnist train set \(0–6\)/);
  });
});

describe('makeBatch', () => {
  it('scales every byte value exactly as v / 255 would, in float32', () => {
    const all: ImageDataset = {
      ...tiny,
      count: 1,
      height: 16,
      width: 16,
      pixels: Uint8Array.from({ length: 256 }, (_, v) => v),
      labels: Uint8Array.from([3]),
    };
    const { x, labels, size } = makeBatch(all, [0], 0, 1);
    expect(size).toBe(1);
    expect(Array.from(labels)).toEqual([3]);
    expect(Array.from(x)).toEqual(Array.from({ length: 256 }, (_, v) => Math.fround(v / 255)));
  });
});
