/** Class-stratified subsets (the papers' "10 % of MNIST") and label histograms. */

/**
 * Independent seeded random streams by name, e.g. `(name) => Rng.derive(seed, name)`. data/ sits
 * beside evolution/ (where the RNG lives), not above it, so the caller passes its generator in.
 */
export type RandomStreams = (name: string) => { shuffle(values: Int32Array): Int32Array };

/** Counts per class; `numClasses` fixes the length so empty classes still appear. */
export function labelHistogram(labels: Uint8Array, indices?: ArrayLike<number>, numClasses = 10): number[] {
  const hist = new Array<number>(numClasses).fill(0);
  const n = indices ? indices.length : labels.length;
  for (let k = 0; k < n; k++) {
    const i = indices ? indices[k] : k;
    if (!Number.isInteger(i) || i < 0 || i >= labels.length) {
      throw new RangeError(`labelHistogram: index ${i} at position ${k} is outside 0–${labels.length - 1}`);
    }
    const c = labels[i];
    if (c >= numClasses) throw new RangeError(`labelHistogram: label ${c} at index ${i} is not below ${numClasses}`);
    hist[c]++;
  }
  return hist;
}

/**
 * `count` indices into `labels`, each class getting a share proportional to its frequency
 * (largest-remainder rounding, so the shares sum to exactly `count`). Within a class the images
 * are picked by a seeded shuffle; each class has its own stream (`stratified-subset/class-<c>`) so
 * the choice in one class does not depend on the others. Sorted ascending, so reading the subset
 * walks memory in order.
 */
export function stratifiedSubset(labels: Uint8Array, count: number, streams: RandomStreams): Int32Array {
  const n = labels.length;
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`stratifiedSubset: count must be a whole number ≥ 0, got ${count}`);
  }
  if (count > n) {
    throw new RangeError(`stratifiedSubset: asked for ${count} images but only ${n} are available`);
  }
  if (count === n) return Int32Array.from({ length: n }, (_, i) => i);

  const byClass: number[][] = Array.from({ length: 256 }, () => []);
  for (let i = 0; i < n; i++) byClass[labels[i]].push(i);
  const classes = byClass.flatMap((members, c) => (members.length ? [c] : []));

  // Exact integer arithmetic: quota = floor(count·size/n), remainder = (count·size) mod n.
  const quota = new Map<number, number>();
  const remainder = new Map<number, number>();
  let assigned = 0;
  for (const c of classes) {
    const scaled = count * byClass[c].length;
    quota.set(c, Math.floor(scaled / n));
    remainder.set(c, scaled % n);
    assigned += quota.get(c)!;
  }
  // Ties go to the lower class label so the result is a pure function of (labels, count, streams).
  const byRemainder = [...classes].sort((a, b) => remainder.get(b)! - remainder.get(a)! || a - b);
  for (let k = 0; k < count - assigned; k++) quota.set(byRemainder[k], quota.get(byRemainder[k])! + 1);

  const out = new Int32Array(count);
  let o = 0;
  for (const c of classes) {
    const members = Int32Array.from(byClass[c]);
    streams(`stratified-subset/class-${c}`).shuffle(members);
    out.set(members.subarray(0, quota.get(c)!), o);
    o += quota.get(c)!;
  }
  return out.sort();
}
