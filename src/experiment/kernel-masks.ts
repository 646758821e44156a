/** Kernel-level alive/dead bitmaps of a genome, compact enough to stream to the page and store in run.json. */
import { clusterStrengths, kernelSize, liveFilters, type Genome, type LayerGenes, type Truncation } from '../evolution';
import type { Checkpoint, KernelMaskSummary, NetworkRecord } from './records';

export function kernelAliveFlags(layer: LayerGenes): Uint8Array {
  const { filters, inChannels } = layer.spec;
  const size = kernelSize(layer.spec);
  const alive = new Uint8Array(filters * inChannels);
  for (let k = 0; k < alive.length; k++) {
    const start = k * size;
    for (let j = start; j < start + size; j++) {
      if (layer.mask[j]) {
        alive[k] = 1;
        break;
      }
    }
  }
  return alive;
}

export function flagsToHex(flags: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < flags.length; i += 4) {
    const nibble = (flags[i] << 3) | ((flags[i + 1] ?? 0) << 2) | ((flags[i + 2] ?? 0) << 1) | (flags[i + 3] ?? 0);
    hex += nibble.toString(16);
  }
  return hex;
}

export function hexToFlags(hex: string, length: number): Uint8Array {
  const flags = new Uint8Array(length);
  for (let i = 0; i < length; i++) flags[i] = (parseInt(hex[i >> 2], 16) >> (3 - (i & 3))) & 1;
  return flags;
}

/** With `truncation` (the run's), each layer also carries its filters' strengths as a parent. */
export function summariseKernelMasks(genome: Genome, truncation?: Truncation): KernelMaskSummary[] {
  return genome.layers.map((layer) => {
    const flags = kernelAliveFlags(layer);
    const { filters, inChannels } = layer.spec;
    return {
      layer: layer.spec.name,
      filters,
      inChannels,
      aliveHex: flagsToHex(flags),
      aliveKernels: flags.reduce((s, x) => s + x, 0),
      aliveFilters: liveFilters(layer).reduce((s, x) => s + x, 0),
      ...(truncation
        ? { clusterStrength: Array.from(clusterStrengths(layer, truncation), (x) => Number(x.toPrecision(5))) }
        : {}),
    };
  });
}

/**
 * A checkpoint whose newest records lack their filters' strengths (e.g. a shipped ancestor made
 * before they were recorded) gets them from its population, so that its offspring's mating can
 * be drawn; anything else is returned as it is.
 */
export function withClusterStrengths(checkpoint: Checkpoint): Checkpoint {
  const { generation, population, config } = checkpoint;
  const missing = (r: NetworkRecord) =>
    r.generation === generation && !!population[r.individual] && r.kernelMasks.some((k) => !k.clusterStrength);
  if (!checkpoint.records.some(missing)) return checkpoint;
  return {
    ...checkpoint,
    records: checkpoint.records.map((r) =>
      missing(r)
        ? { ...r, kernelMasks: summariseKernelMasks(population[r.individual], config.synthesis.truncation) }
        : r,
    ),
  };
}
