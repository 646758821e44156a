import { describe, expect, it } from 'vitest';
import { Rng } from '../../../evolution/rng';
import { balanced, winogradMatrices } from './winograd';

describe('Winograd minimal filtering matrices (float64)', () => {
  // y_i = Σ_k g_k d_{i+k}, for random data.
  for (const [m, r, points] of [
    [2, 3, [0, 1, -1]],
    [2, 5, [0, 1, -1, 0.5, -0.5]],
    [4, 5, [0, 1, -1, 2, -2, 0.5, -0.5]],
  ] as const) {
    it(`F(${m}, ${r}) computes the correlation`, () => {
      const { AT, G, BT, alpha } = winogradMatrices(m, r, [...points]);
      expect([AT.length, AT[0].length, G.length, G[0].length, BT.length, BT[0].length]).toEqual([
        m,
        alpha,
        alpha,
        r,
        alpha,
        alpha,
      ]);
      const rng = new Rng(m * 10 + r);
      for (let trial = 0; trial < 5; trial++) {
        const d = Array.from({ length: alpha }, () => rng.next() * 2 - 1);
        const g = Array.from({ length: r }, () => rng.next() * 2 - 1);
        const Gg = G.map((row) => row.reduce((s, x, k) => s + x * g[k], 0));
        const Bd = BT.map((row) => row.reduce((s, x, k) => s + x * d[k], 0));
        const y = AT.map((row) => row.reduce((s, x, j) => s + x * Gg[j] * Bd[j], 0));
        const direct = Array.from({ length: m }, (_, i) => g.reduce((s, gk, k) => s + gk * d[i + k], 0));
        y.forEach((v, i) => expect(v).toBeCloseTo(direct[i], 10));
      }
    });
  }

  it('the hand-checked F(2, 3) at 0, ±1: Aᵀ rows and G up to the usual scaling', () => {
    const { AT, G } = winogradMatrices(2, 3, [0, 1, -1]);
    expect(AT).toEqual([
      [1, 1, 1, 0],
      [0, 1, -1, 1],
    ]);
    expect(G).toEqual([
      [1, 0, 0],
      [1, 1, 1],
      [1, -1, 1],
      [0, 0, 1],
    ]);
  });

  it('rejects a wrong number of points and repeated points', () => {
    expect(() => winogradMatrices(2, 5, [0, 1, -1])).toThrow(/needs 5 finite points/);
    expect(() => winogradMatrices(2, 3, [0, 1, 1])).toThrow(/distinct/);
  });
});

describe('balanced Winograd matrices', () => {
  it('scale Bᵀ to small integers and G back: the same correlation', () => {
    const w = winogradMatrices(4, 5, [0, 1, -1, 2, -2, 0.5, -0.5]);
    const b = balanced(w);
    for (const row of b.BT) expect(Math.min(...row.filter((v) => v !== 0).map(Math.abs))).toBe(1);
    const rng = new Rng(17);
    const d = Array.from({ length: w.alpha }, () => rng.next() * 2 - 1);
    const g = Array.from({ length: w.r }, () => rng.next() * 2 - 1);
    const y = (m: typeof w) => {
      const Gg = m.G.map((row) => row.reduce((s, x, k) => s + x * g[k], 0));
      const Bd = m.BT.map((row) => row.reduce((s, x, k) => s + x * d[k], 0));
      return m.AT.map((row) => row.reduce((s, x, j) => s + x * Gg[j] * Bd[j], 0));
    };
    y(b).forEach((v, i) => expect(v).toBeCloseTo(y(w)[i], 10));
  });
});
