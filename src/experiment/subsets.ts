/**
 * The images a run trains and tests on: the class-stratified subsets its seed picks (the whole
 * split when the size is null or not smaller). Apart from the runner so that whoever checks a
 * run's networks later (an exported model's test) picks the same images without tfjs.
 */
import { stratifiedSubset, type ImageDataset } from '../data';
import { Rng } from '../evolution/rng';

export function subsetIndices(d: ImageDataset, size: number | null, seed: number, label: string): Int32Array {
  if (size === null || size >= d.count) return Int32Array.from({ length: d.count }, (_, i) => i);
  const subsetSeed = Rng.derive(seed, `subset/${label}`).nextUint32();
  return stratifiedSubset(d.labels, size, (stream) => Rng.derive(subsetSeed, stream));
}
