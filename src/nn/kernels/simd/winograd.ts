/**
 * Winograd (Toom-Cook) minimal filtering F(m, r): m outputs of an r-tap correlation from
 * α = m + r − 1 inputs with α multiplications instead of m·r,
 *   y = Aᵀ [ (G g) ⊙ (Bᵀ d) ],   yᵢ = Σₖ gₖ d_{i+k},
 * and in 2D  Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A.
 *
 * Built from interpolation points p₀ … p_{α−2} and ∞ (Lavin & Gray 2016): the linear convolution
 * s = h ∗ g (|h| = m) is s = C [ (G g) ⊙ (A h) ], where A and G evaluate h and g at the points
 * (∞ reads the leading coefficient) and C interpolates s back. Since Σₜ dₜ sₜ = Σᵢ hᵢ yᵢ, the
 * correlation is the transposed algorithm, with Bᵀ = Cᵀ. Pure float64 maths, no tfjs.
 */

export interface WinogradMatrices {
  m: number;
  r: number;
  alpha: number;
  /** m × α */
  AT: number[][];
  /** α × r */
  G: number[][];
  /** α × α */
  BT: number[][];
}

/** The inverse of a square matrix by Gauss-Jordan elimination with partial pivoting. */
function invert(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...row.map((_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    if (m[pivot][col] === 0) throw new Error('Winograd: interpolation points must be distinct');
    [m[col], m[pivot]] = [m[pivot], m[col]];
    const p = m[col][col];
    for (let j = 0; j < 2 * n; j++) m[col][j] /= p;
    for (let r = 0; r < n; r++) {
      if (r === col || m[r][col] === 0) continue;
      const f = m[r][col];
      for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[col][j];
    }
  }
  return m.map((row) => row.slice(n));
}

export const transpose = (a: number[][]): number[][] => a[0].map((_, j) => a.map((row) => row[j]));

/** Evaluation of a polynomial of `terms` coefficients at each point, and at ∞ (leading coefficient). */
function evaluation(points: number[], terms: number): number[][] {
  const rows = points.map((p) => Array.from({ length: terms }, (_, k) => p ** k));
  rows.push(Array.from({ length: terms }, (_, k) => (k === terms - 1 ? 1 : 0)));
  return rows;
}

/** F(m, r) from α − 1 distinct finite points (the default suits F(2, 5): 0, ±1, ±½). */
export function winogradMatrices(m: number, r: number, points: number[] = [0, 1, -1, 0.5, -0.5]): WinogradMatrices {
  const alpha = m + r - 1;
  if (points.length !== alpha - 1)
    throw new Error(`Winograd F(${m},${r}) needs ${alpha - 1} finite points, got ${points.length}`);
  const A = evaluation(points, m);
  const G = evaluation(points, r);
  // C: values at the points (and the leading coefficient) → the α coefficients of s.
  // s = v∞·M + R with M = Π(x − pⱼ) and R the interpolant of the finite values (degree ≤ α − 2).
  const vInv = invert(points.map((p) => Array.from({ length: alpha - 1 }, (_, k) => p ** k)));
  let M = [1];
  for (const p of points) M = [...M.map((c, k) => -p * c + (k > 0 ? M[k - 1] : 0)), M[M.length - 1]];
  const C = Array.from({ length: alpha }, (_, row) =>
    Array.from({ length: alpha }, (_, col) => (col === alpha - 1 ? M[row] : row < alpha - 1 ? vInv[row][col] : 0)),
  );
  return { m, r, alpha, AT: transpose(A), G, BT: transpose(C) };
}

/** Rounds away float64 noise (e.g. 4.249999999999999 → 4.25) so that equal coefficients compare equal. */
const clean = (v: number): number => (v === 0 ? 0 : Number(v.toPrecision(12)));

/**
 * The same algorithm with Bᵀ's rows scaled to small integers where possible (each row divided
 * by its smallest non-zero magnitude) and G's rows divided back: (s Bᵀd) ⊙ (G g / s) is
 * unchanged. Fewer multiplications in the input transform, which is the hot one.
 */
export function balanced(w: WinogradMatrices): WinogradMatrices {
  const scale = w.BT.map((row) => Math.min(...row.filter((v) => v !== 0).map(Math.abs)));
  return {
    ...w,
    BT: w.BT.map((row, i) => row.map((v) => clean(v / scale[i]))),
    G: w.G.map((row, i) => row.map((v) => v * scale[i])),
  };
}
