import { describe, expect, it } from 'vitest';
import { inkFromRgba, mnistDigit } from './digit';
import { mnistSlice } from '../testing/data';

const test = mnistSlice('test', 20);

/** An MNIST test image blown up 10× (as a person would trace it on the 280×280 pad). */
function traced(index: number): Float32Array {
  const big = new Float32Array(280 * 280);
  for (let y = 0; y < 280; y++)
    for (let x = 0; x < 280; x++)
      big[y * 280 + x] = test.pixels[index * 784 + Math.floor(y / 10) * 28 + Math.floor(x / 10)] / 255;
  return big;
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const ma = Array.from(a).reduce((s, x) => s + x, 0) / n;
  const mb = Array.from(b).reduce((s, x) => s + x, 0) / n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('a drawn digit made MNIST-like', () => {
  it('gives back MNIST test digits traced at 10× (they are already boxed and centred that way)', () => {
    for (let i = 0; i < 20; i++) {
      const digit = mnistDigit(traced(i), 280, 280)!;
      const original = Float32Array.from(test.pixels.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
      expect(correlation(digit, original), `test image ${i}`).toBeGreaterThan(0.85);
    }
  });

  it('boxes a small off-centre stroke into 20 pixels and centres its mass', () => {
    const ink = new Float32Array(100 * 100);
    for (let y = 10; y < 30; y++) ink[y * 100 + 80] = 1; // a vertical bar, 20 px tall, 1 px wide
    const d = mnistDigit(ink, 100, 100)!;
    const rows = new Set<number>();
    let mass = 0;
    let my = 0;
    d.forEach((v, i) => {
      if (v > 0) rows.add(Math.floor(i / 28));
      mass += v;
      my += v * Math.floor(i / 28);
    });
    expect(rows.size).toBe(20);
    expect(Math.abs(my / mass - 14)).toBeLessThanOrEqual(0.5);
  });

  it('nothing drawn: null; ink from a canvas: dark and opaque is ink, transparent is paper', () => {
    expect(mnistDigit(new Float32Array(16), 4, 4)).toBeNull();
    const ink = inkFromRgba([0, 0, 0, 255, 255, 255, 255, 255, 0, 0, 0, 0], 3, 1);
    expect(Array.from(ink)).toEqual([1, 0, 0]);
  });
});
