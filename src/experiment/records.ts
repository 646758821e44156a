/**
 * What a run reports: one record per network per generation, and the typed events the runner
 * emits. The same records go to the CLI's run.json and, later, to the browser lab.
 */
import type { Genome, NetworkMetrics, SynthesisStats } from '../evolution';
import type { BackendSelection } from '../nn/model/backend-chooser';
export type { BackendSelection, BackendTiming } from '../nn/model/backend-chooser';
import type { EvolutionMode, RunConfig } from './config';
import type { DataSummary } from './datasets';

/** Which kernels (filter × input channel) are alive in one evolved layer, as a hex bitmap. */
export interface KernelMaskSummary {
  layer: string;
  filters: number;
  inChannels: number;
  /** Bit (f·inChannels + c) set = kernel alive; most significant bit of each hex digit first. */
  aliveHex: string;
  aliveKernels: number;
  aliveFilters: number;
  /**
   * Per filter: its truncated strength S(c) as a parent (ALGORITHM.md §1.4), 5 significant
   * digits; the page blends parents' strengths into the mated cluster probabilities with them.
   * Absent in runs recorded before it existed.
   */
  clusterStrength?: number[];
}

export interface NetworkRecord {
  generation: number;
  mode: EvolutionMode;
  individual: number;
  /** Indices of the parents in the previous generation; [] for the ancestor. */
  parents: number[];
  testAccuracy: number;
  testImages: number;
  synapses: number;
  kernels: number;
  effectiveKernels: number;
  clusters: number;
  synapticEfficiency: number;
  clusterEfficiency: number;
  storageBytes: number;
  denseBytes: number;
  perLayer: NetworkMetrics['perLayer'];
  trainSeconds: number;
  trainImages: number;
  imagesPerSecond: number;
  epochLosses: number[];
  /** Null for the ancestor, which is trained, not synthesised. */
  synthesis: Omit<SynthesisStats, 'perLayer'> | null;
  /**
   * Its real size and speed (issue 20): bytes of its compacted TensorFlow.js export (model.json +
   * weights), the weights and biases stored, and images per second through that model (one batch of
   * test images, one thread). Absent in runs recorded before, or when not measured.
   */
  exportBytes?: number;
  exportParameters?: number;
  inferenceImagesPerSecond?: number;
  kernelMasks: KernelMaskSummary[];
}

export interface EnvironmentInfo {
  backend: string;
  backendReason: string;
  runtime: string;
  tfjsVersion: string;
  startedAt: string;
  /**
   * Cores each training step was split across (data-parallel threads, Node only). Results with
   * different counts differ by floating-point summation order only. Absent in older runs: 1.
   */
  threads?: number;
  /**
   * On wasm: whether EvoLab's SIMD kernels ran (Winograd convolutions, fused Adam) or only tfjs'
   * own, whose results differ by float rounding. Absent in older runs and on other backends.
   */
  wasmKernels?: 'evolab-simd' | 'tfjs';
  /** How `auto` chose the backend: the measured speeds, a cached measurement, or the only candidate. */
  backendSelection?: BackendSelection;
  /** Backend changes during the run (a lost GPU device): after which generation, from what to what, why. */
  backendChanges?: BackendChange[];
}

/** The run went on on another backend from the checkpoint of `afterGeneration` (0: from the start). */
export interface BackendChange {
  afterGeneration: number;
  from: string;
  to: string;
  reason: string;
}

export type RunPhase = 'train' | 'evaluate' | 'synthesise';

export type RunEvent =
  | { type: 'started'; config: RunConfig; environment: EnvironmentInfo; fromGeneration: number }
  | {
      type: 'progress';
      generation: number;
      generations: number;
      individual: number;
      population: number;
      phase: RunPhase;
      epoch: number;
      epochs: number;
      batch: number;
      batches: number;
      loss: number | null;
    }
  | { type: 'generation'; generation: number; records: NetworkRecord[] }
  | ({ type: 'config-changed'; config: RunConfig } & ConfigChange)
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'finished'; reason: 'completed' | 'stopped'; generations: number };

/**
 * Settings changed while a run went, applying from `generation`: the dotted paths in RunConfig,
 * with each one's value before and after (`from`/`to` are absent in runs recorded before they
 * were kept; such a change says what changed but not from what).
 */
export interface ConfigChange {
  generation: number;
  changed: string[];
  from?: Record<string, unknown>;
  to?: Record<string, unknown>;
}

/** The state from which a run can resume: the last finished generation and its networks. */
export interface Checkpoint {
  version: 1;
  config: RunConfig;
  environment: EnvironmentInfo;
  /** The images the run learnt from (shape, classes); absent in runs recorded before it existed. */
  data?: DataSummary;
  ancestor: { synapses: number; kernels: number };
  /** The last finished generation; its networks are `population`. */
  generation: number;
  population: Genome[];
  records: NetworkRecord[];
  configChanges: ConfigChange[];
}

/** The contents of run.json. */
export interface RunReport {
  /** The configuration at the end (after every change in configChanges). */
  config: RunConfig;
  /**
   * The configuration the run started with, where it differs from `config` by mid-run changes
   * (the lab's exports write it; absent: the same as `config`).
   */
  startingConfig?: RunConfig;
  environment: EnvironmentInfo;
  /** The images the run learnt from; absent in runs recorded before it existed. */
  data?: DataSummary;
  ancestor: { synapses: number; kernels: number };
  records: NetworkRecord[];
  configChanges: ConfigChange[];
  finished: boolean;
}

export const CSV_COLUMNS = [
  'generation',
  'mode',
  'individual',
  'parents',
  'test_accuracy',
  'synapses',
  'kernels',
  'effective_kernels',
  'synaptic_efficiency',
  'cluster_efficiency',
  'storage_bytes',
  'retention',
  'env_factor_k',
  'mean_probability',
  'train_seconds',
  'images_per_second',
  'final_loss',
  // What this network was synthesised with (a ρ schedule's ρ, fitness-weighted α/β), beside the
  // settings in force that the lab's export appends; empty for the ancestor and in older runs.
  'synthesis_rho',
  'synthesis_mating_weights',
  'alive_in_all_parents',
  'removed_synapses',
  'removed_with_kernels',
  'removed_kernels',
  'removed_filters',
  'floor_added',
  // Issue 20; empty in runs recorded before.
  'export_bytes',
  'export_parameters',
  'inference_images_per_second',
] as const;

export function recordsToCsv(records: readonly NetworkRecord[]): string {
  const rows = records.map((r) =>
    [
      r.generation,
      r.mode,
      r.individual,
      r.parents.join(' '),
      r.testAccuracy.toFixed(6),
      r.synapses,
      r.kernels,
      r.effectiveKernels,
      r.synapticEfficiency.toFixed(4),
      r.clusterEfficiency.toFixed(4),
      r.storageBytes,
      r.synthesis ? r.synthesis.retention.toFixed(4) : '',
      r.synthesis ? r.synthesis.k.toFixed(6) : '',
      r.synthesis ? r.synthesis.meanProbability.toFixed(6) : '',
      r.trainSeconds.toFixed(2),
      r.imagesPerSecond.toFixed(1),
      r.epochLosses.length ? r.epochLosses[r.epochLosses.length - 1].toFixed(5) : '',
      r.synthesis?.rho ?? '',
      r.synthesis?.matingWeights ? r.synthesis.matingWeights.synapse.map((w) => w.toFixed(4)).join(' ') : '',
      r.synthesis ? r.synthesis.aliveInAllParents.toFixed(4) : '',
      r.synthesis?.removed?.synapses ?? '',
      r.synthesis?.removed?.inRemovedKernels ?? '',
      r.synthesis?.removed?.kernels ?? '',
      r.synthesis?.removed?.filters ?? '',
      r.synthesis?.floorAdded ?? '',
      r.exportBytes ?? '',
      r.exportParameters ?? '',
      r.inferenceImagesPerSecond?.toFixed(1) ?? '',
    ].join(','),
  );
  return [CSV_COLUMNS.join(','), ...rows].join('\n') + '\n';
}
