/**
 * One image through one network, in plain JavaScript (nn/model/reference-forward.ts, which the
 * network tests hold equal to the tfjs forward pass): class probabilities for the lab's "try it"
 * panel. A single image needs no tensors; the page gets plain arrays from a Worker.
 */
import { countNetwork, type Genome } from '../evolution';
import { referenceLogits } from '../nn/model/reference-forward';
import type { Checkpoint, NetworkRecord } from './records';

export interface Classification {
  /** Softmax of the logits, one per class. */
  probabilities: number[];
  /** The most probable class. */
  predicted: number;
  synapses: number;
  kernels: number;
}

export function softmax(logits: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const e = Array.from(logits, (x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

/** `image` is NHWC in [0, 1], as the networks train on it. */
export function classify(
  genome: Genome,
  image: Float32Array,
  shape: { height: number; width: number; channels: number },
  poolSize: number,
): Classification {
  const { height, width, channels } = shape;
  if (image.length !== height * width * channels)
    throw new Error(
      `the image has ${image.length} values; a ${height}×${width}×${channels} image has ${height * width * channels}`,
    );
  if (genome.layers[0]?.spec.inChannels !== channels)
    throw new Error(`the network reads ${genome.layers[0]?.spec.inChannels} channel(s), the image has ${channels}`);
  const probabilities = softmax(referenceLogits(genome, image, height, width, channels, poolSize));
  const predicted = probabilities.indexOf(Math.max(...probabilities));
  const counts = countNetwork(genome);
  return { probabilities, predicted, synapses: counts.synapses, kernels: counts.kernels };
}

/**
 * The network of a checkpoint the page shows for a run: the most accurate of its newest
 * generation (ties to the lower index, as the charts choose), with its record.
 */
export function bestNetwork(checkpoint: Checkpoint): { genome: Genome; record: NetworkRecord | null } {
  const newest = checkpoint.records.filter((r) => r.generation === checkpoint.generation);
  let best: NetworkRecord | null = null;
  for (const r of newest)
    if (
      !best ||
      r.testAccuracy > best.testAccuracy ||
      (r.testAccuracy === best.testAccuracy && r.individual < best.individual)
    )
      best = r;
  const index = best && checkpoint.population[best.individual] ? best.individual : 0;
  if (!checkpoint.population[index])
    throw new Error(`the checkpoint of generation ${checkpoint.generation} holds no network`);
  return { genome: checkpoint.population[index], record: best };
}
