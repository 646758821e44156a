import { describe, expect, it } from 'vitest';
import { emptyGenome, lenetSpecs, LENET_CLASSES, type LayerGenes } from '../../evolution/genome';
import { liveFilters } from '../../evolution/metrics';
import { compactKeep, fromTfKernel, fullKeep, range, toTfKernel } from './layout';
import { glorotGenome, killFilters } from '../../testing/genomes';

const f32 = (n: number) => new Float32Array(n);

describe('genome ↔ tfjs kernel layout', () => {
  it('puts genome (f, c, ky, kx) at tfjs [ky][kx][c][f]', () => {
    const l = glorotGenome(3, 1).layers[0]; // conv1: 32 filters × 3 channels × 5×5
    const tfw = toTfKernel(l, l.weights, range(3), range(32), f32);
    const [f, c, y, x] = [7, 2, 3, 1];
    expect(tfw[((y * 5 + x) * 3 + c) * 32 + f]).toBe(l.weights[((f * 3 + c) * 5 + y) * 5 + x]);
  });

  it('reads fc1 unit f, channel c, (ky, kx) from dense row (ky·4 + kx)·64 + c', () => {
    const l = glorotGenome(1, 2).layers[3];
    const dense = toTfKernel(l, l.weights, range(64), range(64), f32); // [1024][64]
    const [f, c, ky, kx] = [5, 40, 2, 3];
    expect(dense[((ky * 4 + kx) * 64 + c) * 64 + f]).toBe(l.weights[((f * 64 + c) * 4 + ky) * 4 + kx]);
  });

  it('round-trips bit-exactly, also on a subset of filters and channels', () => {
    const g = glorotGenome(1, 3);
    const l = g.layers[1];
    const copy: LayerGenes = { ...l, weights: l.weights.slice() };
    const inIdx = Int32Array.of(0, 4, 31);
    const outIdx = Int32Array.of(2, 3, 30);
    copy.weights.fill(0);
    fromTfKernel(copy, toTfKernel(l, l.weights, inIdx, outIdx, f32), inIdx, outIdx);
    for (const f of outIdx) {
      for (const c of inIdx) {
        const s = (f * 32 + c) * 25;
        expect(copy.weights.subarray(s, s + 25)).toEqual(l.weights.subarray(s, s + 25));
      }
    }
    // Positions outside the subset are left alone.
    expect(copy.weights[(1 * 32 + 0) * 25]).toBe(0);
  });

  it('writes masked synapses as +0 whatever the tensor holds', () => {
    const g = emptyGenome(lenetSpecs(1), LENET_CLASSES);
    const l = g.layers[0];
    l.mask[0] = 0;
    const values = new Float32Array(l.weights.length).fill(-0.5);
    fromTfKernel(l, values, range(1), range(32));
    expect(Object.is(l.weights[0], 0)).toBe(true);
    expect(l.weights[1]).toBe(-0.5);
  });
});

describe('compaction', () => {
  it('keeps everything of a dense genome', () => {
    const g = glorotGenome(1, 4);
    expect(compactKeep(g.layers).out.map((k) => k.length)).toEqual([32, 32, 64, 64]);
    expect(fullKeep(g.layers).out.map((k) => k.length)).toEqual([32, 32, 64, 64]);
  });

  it('drops dead filters, and live filters that no kept filter reads', () => {
    const g = glorotGenome(1, 5);
    killFilters(g, 1, [3, 9]); // conv2 filters 3 and 9 die
    // conv1 filter 6 stays alive but nothing in conv2 reads channel 6 any more.
    const conv2 = g.layers[1];
    for (let f = 0; f < 32; f++) conv2.mask.fill(0, (f * 32 + 6) * 25, (f * 32 + 7) * 25);
    const keep = compactKeep(g.layers);
    expect(Array.from(keep.out[1])).not.toContain(3);
    expect(Array.from(keep.out[1])).not.toContain(9);
    expect(keep.out[1].length).toBe(30);
    expect(Array.from(keep.out[0])).not.toContain(6);
    expect(keep.out[0].length).toBe(31);
    expect(liveFilters(g.layers[0])[6]).toBe(1);
  });

  it('rounds kept filters up to a multiple, taking dead filters back first, then by index', () => {
    const g = glorotGenome(1, 7);
    killFilters(g, 1, [3, 9]); // dead conv2 filters
    const conv3 = g.layers[2];
    for (const c of [1, 5, 7])
      for (let f = 0; f < 64; f++) conv3.mask.fill(0, (f * 32 + c) * 25, (f * 32 + c + 1) * 25); // unread
    expect(compactKeep(g.layers).out[1].length).toBe(27);
    const keep = compactKeep(g.layers, 4).out[1];
    expect(keep.length).toBe(28);
    const missing = Array.from(range(32)).filter((f) => !keep.includes(f));
    expect(missing).toEqual([1, 5, 7, 9]); // dead 3 came back before the unread 1
    expect(Array.from(keep)).toEqual([...keep].sort((a, b) => a - b));
    // A whole layer is the cap, and an all-dead layer keeps 4.
    expect(compactKeep(glorotGenome(1, 8).layers, 5).out.map((k) => k.length)).toEqual([32, 32, 64, 64]);
    const dead = glorotGenome(1, 6);
    killFilters(
      dead,
      2,
      Array.from({ length: 64 }, (_, i) => i),
    );
    expect(compactKeep(dead.layers, 4).out.map((k) => Array.from(k))).toEqual([
      [0, 1, 2, 3],
      [0, 1, 2, 3],
      [0, 1, 2, 3],
      Array.from(range(64)),
    ]);
  });

  it('keeps one filter of a layer that died completely, so tensors stay non-empty', () => {
    const g = glorotGenome(1, 6);
    killFilters(
      g,
      2,
      Array.from({ length: 64 }, (_, i) => i),
    );
    const keep = compactKeep(g.layers);
    expect(keep.out[2].length).toBe(1);
    // Nothing reads conv2 through a dead conv3, so conv2 collapses as well.
    expect(keep.out[1].length).toBe(1);
    expect(keep.out[0].length).toBe(1);
  });
});
