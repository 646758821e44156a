/**
 * Data-parallel training: a step's batch is split into parts; the network computes the
 * gradient of its own part while each peer (a replica of the same network on another core)
 * computes the gradient of another part at the same weights. The size-weighted mean of the
 * parts' gradients is the gradient of the whole batch's mean loss, so one optimizer step on it
 * is the single-core step up to floating-point summation order. Evaluation splits its batches
 * the same way.
 */
import type { Batch } from '../../data/dataset';
import type { Genome } from '../../evolution/genome';

export interface InputShape {
  height: number;
  width: number;
  channels: number;
}

/** What a replica needs to hold the same tensors as the network it helps. */
export interface NetworkBlueprint {
  genome: Genome;
  input: InputShape;
  poolSize: number;
  compact: boolean;
  channelMultiple: number;
  /** Whether steps skip tfjs' tape on wasm (NetworkOptions.tapeFreeStep). */
  tapeFreeStep: boolean;
}

export interface PartGradients {
  /** Mean cross-entropy over the part. */
  loss: number;
  /** One array per variable, in the network's variable order. */
  grads: Float32Array[];
}

export interface GradientPeer {
  /** Key of the network whose replica the peer holds (null: none yet). */
  readonly loaded: string | null;
  /** Builds the replica of network `key`; it replaces the previous one. */
  load(key: string, blueprint: NetworkBlueprint): Promise<void>;
  /** Gradients of the mean loss over `part` at `weights` (the network's variable order). */
  gradients(weights: Float32Array[], part: Batch): Promise<PartGradients>;
  /** The predicted class (top-1) of every image of `part` at `weights`. */
  predict(weights: Float32Array[], part: Batch): Promise<Int32Array>;
  dispose(): void;
}

/**
 * Splits a batch into `parts` contiguous parts of sizes differing by at most one, the larger
 * first; parts never hold fewer than one image, so a small batch gives fewer parts.
 */
export function splitBatch(batch: Batch, parts: number): Batch[] {
  if (!Number.isInteger(parts) || parts < 1)
    throw new Error(`splitBatch: parts must be a positive integer, got ${parts}`);
  const n = Math.min(parts, batch.size);
  if (n <= 1) return [batch];
  const per = batch.size > 0 ? batch.x.length / batch.size : 0;
  const out: Batch[] = [];
  let start = 0;
  for (let p = 0; p < n; p++) {
    const size = Math.floor(batch.size / n) + (p < batch.size % n ? 1 : 0);
    out.push({
      x: batch.x.slice(start * per, (start + size) * per),
      labels: batch.labels.slice(start, start + size),
      size,
    });
    start += size;
  }
  return out;
}
