/**
 * What every part of the benchmark measures, in one place so that Node and the browser Worker
 * run the same code: the ancestor (the paper's LeNet, Glorot init) and evolved networks in which
 * whole filters died, trained with the paper's defaults (Adam 1e-3, batch 64).
 * Pixel values do not change the cost of a step, so random images stand in for MNIST here.
 */
import {
  countNetwork,
  initialiseGenome,
  kernelSize,
  lenetSpecs,
  LENET_CLASSES,
  liveFilters,
  Rng,
  type Genome,
  type LayerGenes,
} from '../src/evolution';
import { hexToFlags } from '../src/experiment/kernel-masks';
import type { KernelMaskSummary } from '../src/experiment/records';
import type { ImageDataset } from '../src/data/dataset';
import { MaskedNetwork } from '../src/nn/model/network';
import { range } from '../src/nn/model/layout';
import type { TrainSettings } from '../src/nn/model/train-settings';
import type { GradientPeer } from '../src/nn/model/gradient-peer';

export const MNIST_SHAPE = { height: 28, width: 28, channels: 1 } as const;
export const PAPER_TRAINING: TrainSettings = {
  epochs: 1,
  batchSize: 64,
  optimizer: 'adam',
  learningRate: 1e-3,
  momentum: 0.9,
  weightDecay: 0,
};

export function ancestorGenome(seed = 1): Genome {
  return initialiseGenome(lenetSpecs(1), LENET_CLASSES, new Rng(seed));
}

/**
 * The ancestor with only `fraction` of the filters of every evolved layer alive (at least one),
 * and the cluster efficiency (ancestor kernels / own kernels) that gives.
 */
export function evolvedGenome(fraction: number, seed = 1): { genome: Genome; clusterEfficiency: number } {
  let liveInputs = 1; // the image's channel
  return withKernels(seed, (l) => {
    const { filters, inChannels } = l.spec;
    const keep = Math.max(1, Math.round(fraction * filters));
    // Filters ≥ keep die, and kept filters stop reading the previous layer's dead ones.
    const alive = Uint8Array.from({ length: filters * inChannels }, (_, kernel) =>
      Math.floor(kernel / inChannels) < keep && kernel % inChannels < liveInputs ? 1 : 0,
    );
    liveInputs = keep;
    return alive;
  });
}

/**
 * The ancestor with exactly the kernels that `masks` mark alive, and its cluster efficiency.
 * The cost of an epoch depends only on which kernels are alive, so kernel masks from a run's
 * record rebuild a network that trains as fast as the one the run evolved.
 */
export function genomeFromKernelMasks(
  masks: readonly KernelMaskSummary[],
  seed = 1,
): { genome: Genome; clusterEfficiency: number } {
  if (masks.length !== lenetSpecs(1).length)
    throw new Error(`kernel masks for ${masks.length} layers, the ancestor has ${lenetSpecs(1).length}`);
  return withKernels(seed, (l, i) => {
    const { name, filters, inChannels } = l.spec;
    const m = masks[i];
    if (m.layer !== name || m.filters !== filters || m.inChannels !== inChannels)
      throw new Error(
        `kernel mask ${i} is ${m.layer} ${m.filters}×${m.inChannels}, expected ${name} ${filters}×${inChannels}`,
      );
    return hexToFlags(m.aliveHex, filters * inChannels);
  });
}

/**
 * The ancestor with, in each evolved layer, only the kernels `alive(layer)` flags kept (every
 * synapse of a dead kernel masked and 0, dead filters' biases 0), and its cluster efficiency.
 */
function withKernels(
  seed: number,
  alive: (layer: LayerGenes, index: number) => Uint8Array,
): { genome: Genome; clusterEfficiency: number } {
  const g = ancestorGenome(seed);
  const ancestorKernels = countNetwork(g).kernels;
  g.layers.forEach((l, i) => {
    const k = kernelSize(l.spec);
    alive(l, i).forEach((a, kernel) => {
      if (a) return;
      l.mask.fill(0, kernel * k, (kernel + 1) * k);
      l.weights.fill(0, kernel * k, (kernel + 1) * k);
    });
    liveFilters(l).forEach((live, f) => {
      if (!live) l.bias[f] = 0;
    });
  });
  return { genome: g, clusterEfficiency: ancestorKernels / countNetwork(g).kernels };
}

export function randomImages(count: number, seed: number): ImageDataset {
  const rng = new Rng(seed);
  const pixels = new Uint8Array(count * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(256);
  const labels = Uint8Array.from({ length: count }, () => rng.int(10));
  return {
    name: 'mnist',
    split: 'train',
    count,
    height: 28,
    width: 28,
    channels: 1,
    pixels,
    labels,
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
  };
}

export interface Throughput {
  trainImagesPerSecond: number;
  inferImagesPerSecond: number;
  trainBatches: number;
  inferBatchSize: number;
  /** Seconds of the first training step of a new network (includes kernel set-up). */
  firstStepSeconds: number;
}

/**
 * Trains `batches` steps at batch `batchSize` after `warmup` steps, then times inference of
 * `inferBatches` batches of `inferBatchSize`.
 */
export async function throughput(
  genome: Genome,
  o: {
    batches: number;
    warmup?: number;
    batchSize?: number;
    inferBatches?: number;
    inferBatchSize?: number;
    seed?: number;
    peers?: readonly GradientPeer[];
  } = {
    batches: 20,
  },
): Promise<Throughput> {
  const batchSize = o.batchSize ?? 64;
  const warmup = o.warmup ?? 2;
  const inferBatchSize = o.inferBatchSize ?? 256;
  const inferBatches = o.inferBatches ?? 4;
  const data = randomImages(
    Math.max(batchSize * Math.max(o.batches, warmup), inferBatchSize * inferBatches),
    o.seed ?? 7,
  );
  const settings = { ...PAPER_TRAINING, batchSize };
  const net = MaskedNetwork.fromGenome(genome, MNIST_SHAPE);
  try {
    const t0 = performance.now();
    const peers = o.peers ?? [];
    await net.train(data, range(batchSize), settings, new Rng(1), { peers });
    const firstStepSeconds = (performance.now() - t0) / 1000;
    if (warmup > 1) await net.train(data, range(batchSize * (warmup - 1)), settings, new Rng(2), { peers });
    const r = await net.train(data, range(batchSize * o.batches), settings, new Rng(3), { peers });
    await net.evaluate(data, range(inferBatchSize), inferBatchSize, peers);
    const t1 = performance.now();
    const ev = await net.evaluate(data, range(inferBatchSize * inferBatches), inferBatchSize, peers);
    const inferSeconds = (performance.now() - t1) / 1000;
    return {
      trainImagesPerSecond: r.images / r.seconds,
      inferImagesPerSecond: ev.total / inferSeconds,
      trainBatches: o.batches,
      inferBatchSize,
      firstStepSeconds,
    };
  } finally {
    net.dispose();
  }
}
