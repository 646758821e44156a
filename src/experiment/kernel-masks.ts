/** Kernel-level alive/dead bitmaps of a genome, compact enough to stream to the page and store in run.json. */
import { kernelSize, liveFilters, type Genome, type LayerGenes } from '../evolution';
import type { KernelMaskSummary } from './records';

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

export function summariseKernelMasks(genome: Genome): KernelMaskSummary[] {
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
    };
  });
}
