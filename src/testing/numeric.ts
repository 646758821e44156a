/** Numeric helpers for tests: seeded random arrays and a relative error. */
import { Rng } from '../evolution/rng';

/** `n` values uniform in [−scale, scale), from a seeded generator. */
export function random(n: number, seed: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
}

/** max |a − b| / max |b|: an error relative to the largest reference value. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}
