/** Mini-batch iteration over a dataset in a given (e.g. seeded, shuffled) order. */
import { makeBatch, type Batch, type ImageDataset } from './dataset';

/** Batches of `batchSize` images in `order`; the last, partial batch is included. */
export function* batches(dataset: ImageDataset, order: ArrayLike<number>, batchSize: number): Generator<Batch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batches: batchSize must be a whole number ≥ 1, got ${batchSize}`);
  }
  // makeBatch would silently read NaNs for a bad index, so check the order once up front.
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (!Number.isInteger(i) || i < 0 || i >= dataset.count) {
      throw new RangeError(
        `batches: index ${i} at position ${k} is outside the ${dataset.name} ${dataset.split} set (0–${dataset.count - 1})`,
      );
    }
  }
  for (let start = 0; start < order.length; start += batchSize) {
    yield makeBatch(dataset, order, start, start + batchSize);
  }
}
