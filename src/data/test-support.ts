/**
 * For tests only (not exported from index.ts): where the real datasets are. The repo root is
 * derived from this file, so CI can clone the repo anywhere with shared/ beside it;
 * EVOLAB_DATASETS overrides.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { DatasetError } from './errors';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function datasetsDir(): string {
  const dir = process.env.EVOLAB_DATASETS ?? path.resolve(REPO_ROOT, '../shared/datasets');
  if (!existsSync(path.join(dir, 'mnist')) || !existsSync(path.join(dir, 'cifar-10'))) {
    throw new Error(
      `The data tests need the real datasets in ${dir} (with mnist/ and cifar-10/). ` +
        'Set EVOLAB_DATASETS to the folder that holds them.',
    );
  }
  return dir;
}

/** Label histograms published in shared/datasets/README.md. */
export const README_HISTOGRAMS = {
  mnist: {
    train: [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    test: [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
  },
  cifar10: { train: new Array<number>(10).fill(5000), test: new Array<number>(10).fill(1000) },
} as const;

/** The DatasetError that `fn` throws (and fails the test if it throws something else or nothing). */
export function datasetFailure(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DatasetError);
    return err as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

/** The DatasetError that `p` rejects with. */
export async function datasetRejection(p: Promise<unknown>): Promise<DatasetError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DatasetError);
  return err as DatasetError;
}
