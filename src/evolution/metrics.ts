/**
 * Counting and efficiency (ALGORITHM.md §3). Only evolved layers count; the output layer is
 * excluded from synapse and kernel totals (that is what reproduces the paper's 143,136 / 7,200).
 *   synapse: counts if its mask bit is 1
 *   kernel:  counts if ≥ 1 of its synapses is alive
 *   effective kernel: also needs its input channel alive, i.e. the previous layer's filter of
 *     that index has ≥ 1 live synapse (the first layer reads image channels, always alive)
 *   cluster: a filter with ≥ 1 live synapse
 */
import {
  kernelCount,
  kernelSize,
  synapseCount,
  synapsesPerFilter,
  type Genome,
  type LayerGenes,
  type LayerSpec,
} from './genome';
import { assertGenomeConsistent } from './shape';

export interface LayerCounts {
  name: string;
  synapses: number;
  kernels: number;
  effectiveKernels: number;
  clusters: number;
}

export interface NetworkCounts {
  synapses: number;
  kernels: number;
  effectiveKernels: number;
  clusters: number;
  perLayer: LayerCounts[];
}

export interface NetworkMetrics extends NetworkCounts {
  /** Ancestor count / own count (Infinity once nothing is left). */
  synapticEfficiency: number;
  clusterEfficiency: number;
  /** Sparse storage of the evolved layers: 4 B per live weight and live bias + a 1- or 2-byte index per live weight. */
  storageBytes: number;
  /** The physically compacted dense network, output layer included. */
  denseBytes: number;
  /** The output layer's part of denseBytes (it is dense, so add it to storageBytes for a whole-model figure). */
  outputBytes: number;
}

/** Per filter: does it have ≥ 1 live synapse. */
export function liveFilters(layer: LayerGenes): Uint8Array {
  const per = synapsesPerFilter(layer.spec);
  const alive = new Uint8Array(layer.spec.filters);
  for (let f = 0; f < alive.length; f++)
    for (let j = f * per, end = j + per; j < end; j++)
      if (layer.mask[j]) {
        alive[f] = 1;
        break;
      }
  return alive;
}

function assertChained(genome: Genome): void {
  for (let l = 1; l < genome.layers.length; l++) {
    const prev = genome.layers[l - 1].spec;
    const cur = genome.layers[l].spec;
    if (cur.inChannels !== prev.filters)
      throw new Error(
        `Layer ${cur.name} reads ${cur.inChannels} channels but ${prev.name} has ${prev.filters} filters`,
      );
  }
}

function countLayer(layer: LayerGenes, inputAlive: Uint8Array | null): LayerCounts {
  const { spec, mask } = layer;
  const ks = kernelSize(spec);
  let synapses = 0;
  let kernels = 0;
  let effectiveKernels = 0;
  let clusters = 0;
  for (let f = 0, j = 0; f < spec.filters; f++) {
    let filterLive = 0;
    for (let c = 0; c < spec.inChannels; c++) {
      let kernelLive = 0;
      for (const end = j + ks; j < end; j++) kernelLive += mask[j];
      if (!kernelLive) continue;
      filterLive += kernelLive;
      kernels++;
      if (!inputAlive || inputAlive[c]) effectiveKernels++;
    }
    synapses += filterLive;
    if (filterLive) clusters++;
  }
  return { name: spec.name, synapses, kernels, effectiveKernels, clusters };
}

export function countNetwork(genome: Genome): NetworkCounts {
  assertGenomeConsistent(genome);
  assertChained(genome);
  const perLayer = genome.layers.map((layer, l) =>
    countLayer(layer, l === 0 ? null : liveFilters(genome.layers[l - 1])),
  );
  const sum = (key: 'synapses' | 'kernels' | 'effectiveKernels' | 'clusters') =>
    perLayer.reduce((a, c) => a + c[key], 0);
  return {
    synapses: sum('synapses'),
    kernels: sum('kernels'),
    effectiveKernels: sum('effectiveKernels'),
    clusters: sum('clusters'),
    perLayer,
  };
}

/** Bytes of one sparse index: a position inside a kernel fits a byte when the kernel has ≤ 256 positions. */
export const indexBytes = (spec: LayerSpec): number => (kernelSize(spec) <= 256 ? 1 : 2);

export function networkMetrics(genome: Genome, ancestor: { synapses: number; kernels: number }): NetworkMetrics {
  const counts = countNetwork(genome);
  let storageBytes = 0;
  let denseBytes = 0;
  let liveInputs = genome.layers[0].spec.inChannels;
  counts.perLayer.forEach((c, l) => {
    const spec = genome.layers[l].spec;
    storageBytes += (4 + indexBytes(spec)) * c.synapses + 4 * c.clusters;
    denseBytes += 4 * (c.clusters * liveInputs * kernelSize(spec) + c.clusters);
    liveInputs = c.clusters;
  });
  const outputBytes = 4 * (liveInputs * genome.output.outUnits + genome.output.outUnits);
  return {
    ...counts,
    synapticEfficiency: ancestor.synapses / counts.synapses,
    clusterEfficiency: ancestor.kernels / counts.kernels,
    storageBytes,
    denseBytes: denseBytes + outputBytes,
    outputBytes,
  };
}

export interface ArchitectureLayer {
  name: string;
  kind: LayerSpec['kind'];
  shape: string;
  synapses: number;
  kernels: number;
  clusters: number;
}

export interface ArchitectureDescription {
  layers: ArchitectureLayer[];
  synapses: number;
  kernels: number;
  clusters: number;
  /** The unevolved classifier's weights (not counted in the totals), when outUnits is given. */
  outputWeights?: number;
}

/** Counts of a dense ancestor straight from its specs, for `--describe`. */
export function describeArchitecture(specs: readonly LayerSpec[], outUnits?: number): ArchitectureDescription {
  const layers = specs.map((s) => ({
    name: s.name,
    kind: s.kind,
    shape: `${s.filters} × ${s.inChannels} × ${s.kernelH}×${s.kernelW}`,
    synapses: synapseCount(s),
    kernels: kernelCount(s),
    clusters: s.filters,
  }));
  const total = (key: 'synapses' | 'kernels' | 'clusters') => layers.reduce((a, l) => a + l[key], 0);
  const description: ArchitectureDescription = {
    layers,
    synapses: total('synapses'),
    kernels: total('kernels'),
    clusters: total('clusters'),
  };
  if (outUnits !== undefined && specs.length) description.outputWeights = specs[specs.length - 1].filters * outUnits;
  return description;
}
