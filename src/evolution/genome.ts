/**
 * The genome: everything needed to rebuild a network, on plain typed arrays.
 *
 * Weight layout of an evolved layer is filter-major ("OIHW"):
 *   index = ((filter * inChannels + inChannel) * kernelH + ky) * kernelW + kx
 * so a cluster (filter) is one contiguous block and a kernel (filter, inChannel) is a
 * contiguous block inside it. The nn layer converts to and from tfjs' own layouts.
 */

export type LayerKind = 'conv' | 'dense';

export interface LayerSpec {
  readonly name: string;
  /** 'dense' layers are viewed as a valid convolution over a kernelH×kernelW map (fc1: 4×4). */
  readonly kind: LayerKind;
  /** Clusters: output channels of a conv layer, units of a dense layer. */
  readonly filters: number;
  /** Kernels per filter. */
  readonly inChannels: number;
  readonly kernelH: number;
  readonly kernelW: number;
}

export interface LayerGenes {
  readonly spec: LayerSpec;
  /** Filter-major weights; masked-out entries are exactly 0. */
  weights: Float32Array;
  /** 1 = synapse alive, 0 = dead. Same length as weights. */
  mask: Uint8Array;
  /** One bias per filter; the bias of a dead filter is 0. */
  bias: Float32Array;
}

/** The final classifier: dense and never evolved (ALGORITHM.md §1.4 "Layers evolved"). */
export interface OutputGenes {
  readonly inUnits: number;
  readonly outUnits: number;
  /** Row-major [inUnits][outUnits], as tfjs' dense kernel. */
  weights: Float32Array;
  bias: Float32Array;
}

export interface Genome {
  /** Evolved layers, input to output. */
  layers: LayerGenes[];
  output: OutputGenes;
}

export const kernelSize = (s: LayerSpec): number => s.kernelH * s.kernelW;
export const synapsesPerFilter = (s: LayerSpec): number => s.inChannels * s.kernelH * s.kernelW;
export const synapseCount = (s: LayerSpec): number => s.filters * synapsesPerFilter(s);
export const kernelCount = (s: LayerSpec): number => s.filters * s.inChannels;

/**
 * The paper's ancestor (ALGORITHM.md §3): Caffe's cifar10_quick topology.
 * conv 32@5×5 → conv 32@5×5 → conv 64@5×5 → fc 64 (viewed as 64 filters of 64 kernels of 4×4) → fc 10.
 */
export function lenetSpecs(inputChannels: number): LayerSpec[] {
  return [
    { name: 'conv1', kind: 'conv', filters: 32, inChannels: inputChannels, kernelH: 5, kernelW: 5 },
    { name: 'conv2', kind: 'conv', filters: 32, inChannels: 32, kernelH: 5, kernelW: 5 },
    { name: 'conv3', kind: 'conv', filters: 64, inChannels: 32, kernelH: 5, kernelW: 5 },
    { name: 'fc1', kind: 'dense', filters: 64, inChannels: 64, kernelH: 4, kernelW: 4 },
  ];
}

export const LENET_CLASSES = 10;

/** A genome with every synapse alive and all weights zero; initialisation fills the weights. */
export function emptyGenome(specs: readonly LayerSpec[], outUnits: number): Genome {
  const last = specs[specs.length - 1];
  return {
    layers: specs.map((spec) => ({
      spec,
      weights: new Float32Array(synapseCount(spec)),
      mask: new Uint8Array(synapseCount(spec)).fill(1),
      bias: new Float32Array(spec.filters),
    })),
    output: {
      inUnits: last.filters,
      outUnits,
      weights: new Float32Array(last.filters * outUnits),
      bias: new Float32Array(outUnits),
    },
  };
}

export function cloneGenome(g: Genome): Genome {
  return {
    layers: g.layers.map((l) => ({
      spec: l.spec,
      weights: l.weights.slice(),
      mask: l.mask.slice(),
      bias: l.bias.slice(),
    })),
    output: { ...g.output, weights: g.output.weights.slice(), bias: g.output.bias.slice() },
  };
}
