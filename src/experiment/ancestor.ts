/**
 * The ancestors the lab ships (public/ancestors/<dataset>.json, made by `npm run ancestors`) and
 * the browser-sized subsets they are trained on, shared by the lab's defaults and the script.
 */
import type { DatasetName } from './config';

/** The 10 % MNIST subset of ALGORITHM.md §1.6 (5,000 CIFAR-10 images) and the 2k test subset of §2. */
export function labSubsets(dataset: DatasetName): { trainSubset: number; testSubset: number } {
  // MNIST's replacements and the person's folders take MNIST's (a smaller folder is used whole).
  return { trainSubset: dataset === 'cifar10' ? 5000 : 6000, testSubset: 2000 };
}

/** What public/ancestors/<dataset>.meta.json says about a shipped ancestor. */
export interface AncestorMeta {
  /** The dataset it was trained on: the lab offers it for this dataset only. */
  dataset: DatasetName;
  /** The images it takes and the classes it tells apart; absent in ancestors made before they were recorded. */
  input?: { height: number; width: number; channels: number };
  classNames?: string[];
  seed: number;
  trainSubset: number | null;
  testSubset: number | null;
  ancestorEpochs: number;
  batchSize: number;
  testAccuracy: number;
  backend: string;
  createdAt: string;
}
