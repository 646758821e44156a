/** Small hand-made layers and genomes shared by this folder's tests. */
import type { Genome, LayerGenes, LayerSpec } from './genome';

/** 2 filters × 1 channel × 1×2 kernels: the tiny layer of the hand-computed cases. */
export const TINY_SPEC: LayerSpec = { name: 'tiny', kind: 'conv', filters: 2, inChannels: 1, kernelH: 1, kernelW: 2 };

export function layer(spec: LayerSpec, weights: number[], mask: number[], bias: number[] = new Array<number>(spec.filters).fill(0)): LayerGenes {
  return { spec, weights: Float32Array.from(weights), mask: Uint8Array.from(mask), bias: Float32Array.from(bias) };
}

/** Two layers (2 filters × 1 × 1×2, then 3 filters × 2 × 1×1) and a 3 → 2 output layer. */
export const SMALL_SPECS: LayerSpec[] = [
  TINY_SPEC,
  { name: 'second', kind: 'dense', filters: 3, inChannels: 2, kernelH: 1, kernelW: 1 },
];

export function smallGenome(l1: LayerGenes, l2: LayerGenes, outWeights: number[], outBias: number[]): Genome {
  return { layers: [l1, l2], output: { inUnits: 3, outUnits: 2, weights: Float32Array.from(outWeights), bias: Float32Array.from(outBias) } };
}
