/**
 * Genomes for tests: small hand-made layers for the hand-computed cases, and LeNet genomes
 * (Glorot-initialised, randomly masked, with dead filters) for the network tests.
 */
import {
  emptyGenome,
  lenetSpecs,
  LENET_CLASSES,
  type Genome,
  type LayerGenes,
  type LayerSpec,
} from '../evolution/genome';
import { Rng } from '../evolution/rng';

/** 2 filters × 1 channel × 1×2 kernels: the tiny layer of the hand-computed cases. */
export const TINY_SPEC: LayerSpec = { name: 'tiny', kind: 'conv', filters: 2, inChannels: 1, kernelH: 1, kernelW: 2 };

export function layer(
  spec: LayerSpec,
  weights: number[],
  mask: number[],
  bias: number[] = new Array<number>(spec.filters).fill(0),
): LayerGenes {
  return { spec, weights: Float32Array.from(weights), mask: Uint8Array.from(mask), bias: Float32Array.from(bias) };
}

/** Two layers (2 filters × 1 × 1×2, then 3 filters × 2 × 1×1) and a 3 → 2 output layer. */
export const SMALL_SPECS: LayerSpec[] = [
  TINY_SPEC,
  { name: 'second', kind: 'dense', filters: 3, inChannels: 2, kernelH: 1, kernelW: 1 },
];

export function smallGenome(l1: LayerGenes, l2: LayerGenes, outWeights: number[], outBias: number[]): Genome {
  return {
    layers: [l1, l2],
    output: { inUnits: 3, outUnits: 2, weights: Float32Array.from(outWeights), bias: Float32Array.from(outBias) },
  };
}

/** Uniform Glorot init of every layer; biases 0; all synapses alive. */
export function glorotGenome(inputChannels: number, seed: number): Genome {
  const g = emptyGenome(lenetSpecs(inputChannels), LENET_CLASSES);
  const rng = new Rng(seed);
  const fill = (w: Float32Array, fanIn: number, fanOut: number): void => {
    const a = Math.sqrt(6 / (fanIn + fanOut));
    for (let i = 0; i < w.length; i++) w[i] = (rng.next() * 2 - 1) * a;
  };
  for (const l of g.layers) {
    const k = l.spec.kernelH * l.spec.kernelW;
    fill(l.weights, l.spec.inChannels * k, l.spec.filters * k);
  }
  fill(g.output.weights, g.output.inUnits, g.output.outUnits);
  return g;
}

/** Random mask with keep probability p (masked weights zeroed, dead-filter biases zeroed). */
export function randomlyMasked(g: Genome, p: number, seed: number): Genome {
  const rng = new Rng(seed);
  for (const l of g.layers) {
    for (let i = 0; i < l.mask.length; i++) {
      l.mask[i] = rng.next() < p ? 1 : 0;
      if (!l.mask[i]) l.weights[i] = 0;
    }
    const per = l.mask.length / l.spec.filters;
    for (let f = 0; f < l.spec.filters; f++) {
      const live = l.mask.subarray(f * per, (f + 1) * per).some((m) => m === 1);
      l.bias[f] = live ? (rng.next() - 0.5) * 0.2 : 0;
    }
  }
  return g;
}

/** Kills whole filters: all synapses of `filters` in layer `layer` masked, biases 0. */
export function killFilters(g: Genome, layer: number, filters: number[]): void {
  const l = g.layers[layer];
  const per = l.mask.length / l.spec.filters;
  for (const f of filters) {
    l.mask.fill(0, f * per, (f + 1) * per);
    l.weights.fill(0, f * per, (f + 1) * per);
    l.bias[f] = 0;
  }
}
