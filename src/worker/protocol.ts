/**
 * The typed message protocol between the page and a run Worker (DESIGN.md: one direction of
 * flow). Everything here is structured-cloneable and free of tensors, so the page can import it
 * without pulling in tfjs.
 */
import type { BackendPreference, DatasetName, RunConfig } from '../experiment/config';
import type { DataSummary, FolderDatasetKind } from '../experiment/datasets';
import type { RegisteredName } from '../data/registry';
import type { BackendSelection, EnvironmentInfo, NetworkRecord, RunEvent, RunReport } from '../experiment/records';
import type { LiveSettings } from '../experiment/config';

export type { LiveSettings };

/**
 * A folder the person dropped or chose (its files with their paths inside it), or a zip: an IDX
 * dataset or an image folder, read in the Worker. `name` names the dataset in records.
 */
export type DroppedFolder =
  { kind: 'files'; name: string; files: { path: string; file: File }[] } | { kind: 'zip'; name: string; file: File };

/** Where a run's dataset comes from: the served folder, with dropped files taking precedence. */
export interface DataSpec {
  /** Absolute URL of the served data root, e.g. `http://host/data/` (mnist/ and cifar-10/ inside). */
  baseUrl: string;
  /** Files the person dropped on the page; matched by their standard names. */
  files: File[];
  /** The dropped folder or zip of an IDX or image-folder dataset ('idx', 'images'). */
  folder?: DroppedFolder | null;
}

/** A file the Worker made for the page to download (an exported model's). */
export interface ExportedFile {
  name: string;
  bytes: Uint8Array;
  type: string;
}

/** What an export made: its size, its layers as kept of the genome's, and its speed. */
export interface ExportSummary {
  generation: number;
  individual: number;
  bytes: number;
  parameters: number;
  layers: { name: string; filters: number; ofFilters: number }[];
  /** Images per second through the exported model in the Worker (one batch, one thread). */
  imagesPerSecond: number;
}

/** Where generation 1 (the ancestor) comes from. */
export type AncestorSource =
  /** Train it here; store its checkpoint under `storeAs` so other runs can start from it. */
  | { kind: 'train'; storeAs: string | null }
  /** A serialised checkpoint (of generation 1, or later) shipped as a static file. */
  | { kind: 'url'; url: string }
  /** A checkpoint in IndexedDB: this run's own latest one, or the shared ancestor. */
  | { kind: 'stored'; key: string }
  /** Prepare backend and data, then wait for an `ancestor` command. */
  | { kind: 'wait' };

export type WorkerCommand =
  | {
      type: 'start';
      runId: string;
      config: RunConfig;
      data: DataSpec;
      ancestor: AncestorSource;
      /** Absolute URL of the folder holding tfjs' .wasm files (must be absolute inside a Worker). */
      wasmBaseUrl: string;
      /** Settings the person changed since the checkpoint was written; applied from the next generation. */
      live?: LiveSettings;
      /** Progress messages per second at most (the page must stay responsive). */
      progressPerSecond?: number;
      /** Train only while granted a time slice (`grant`), asking with `cpu-wanted`; see app/cpu.ts. */
      shareCpu?: boolean;
      /** Nested Workers that share every step on other cores (wasm and cpu backends); default 0. */
      peers?: number;
    }
  /** The Worker may train for `sliceMs`, then asks again. */
  | { type: 'grant'; sliceMs: number }
  | { type: 'ancestor'; source: AncestorSource }
  | { type: 'pause' }
  | { type: 'resume' }
  /** "Next generation": run exactly one more generation (finish the one in progress), then pause. */
  | { type: 'step' }
  | { type: 'stop-after-generation' }
  | { type: 'change-settings'; patch: LiveSettings }
  /** Check dropped files without running anything; answered by `files-checked`. */
  | { type: 'check-files'; dataset: RegisteredName; files: File[] }
  /** Open a dropped folder or zip as a dataset (decoding every picture); answered by `folder-checked`. */
  | { type: 'check-folder'; dataset: FolderDatasetKind; folder: DroppedFolder }
  /**
   * Export one network as a TensorFlow.js LayersModel, read from the generation's genomes this
   * browser keeps (genomesKey); answered by `model-exported` or `export-failed`.
   */
  | {
      type: 'export-model';
      runId: string;
      record: NetworkRecord;
      run: { config: RunConfig; data?: DataSummary };
      wasmBaseUrl: string;
    };

/** What takes time before the first batch: shown as progress on the page. */
export type Stage = 'backend' | 'data' | 'ancestor' | 'warm-up';

export interface LossPoint {
  /** Epochs done within the current network's training, e.g. 1.5 = half-way through epoch 2. */
  x: number;
  loss: number;
}

export type ProgressEvent = Extract<RunEvent, { type: 'progress' }>;

export type WorkerEvent =
  | { type: 'stage'; stage: Stage; message: string; done?: number; total?: number }
  | {
      type: 'backend';
      backend: string;
      reason: string;
      tried: string[];
      preference: BackendPreference;
      /** How `auto` chose: the measured speeds (or a cached measurement, or the only candidate). */
      selection?: BackendSelection;
    }
  /** A run event from the runner; progress is thinned out, and carries the losses since the last one. */
  | { type: 'run'; event: RunEvent; losses?: LossPoint[] }
  /** After every finished generation, once its checkpoint is stored: the report so far (run.json). */
  | { type: 'checkpoint'; generation: number; report: RunReport; stored: boolean }
  /** The trained ancestor is stored under `key`; other runs may start from it. */
  | { type: 'ancestor-ready'; key: string }
  | { type: 'done'; report: RunReport }
  | { type: 'error'; kind: ErrorKind; message: string }
  /** Its time slice is used up (or it has none yet): the Worker waits for a `grant`. */
  | { type: 'cpu-wanted' }
  /** The Worker gives its slot back without wanting another now (e.g. it waits for the ancestor). */
  | { type: 'cpu-released' }
  | { type: 'files-checked'; results: FileCheck[] }
  /** The dropped folder as a dataset (`data`), or what is wrong with it. */
  | { type: 'folder-checked'; ok: boolean; message: string; data?: DataSummary }
  | { type: 'model-exported'; files: ExportedFile[]; summary: ExportSummary }
  | { type: 'export-failed'; message: string };

export type ErrorKind = 'dataset' | 'config' | 'backend' | 'ancestor' | 'internal';

export interface FileCheck {
  name: string;
  ok: boolean;
  /** What the file is (e.g. "MNIST training images, 60000 × 28×28") or what is wrong with it. */
  message: string;
}

export type { BackendSelection, EnvironmentInfo, RunEvent, RunReport };

/** What a shipped ancestor is (public/ancestors/<dataset>.meta.json, written by `npm run ancestors`). */
export type { AncestorMeta } from '../experiment/ancestor';

/** IndexedDB keys shared by the page and the Worker. */
export const checkpointKey = (runId: string) => `checkpoint:${runId}`;
export const ancestorKey = (sessionId: string) => `ancestor:${sessionId}`;
/** A generation's networks (experiment/genome-history.ts), kept so that any of them can be exported. */
/** The start of every genomesKey of a run. */
export const genomesPrefix = (runId: string) => `genomes:${runId}:`;
export const genomesKey = (runId: string, generation: number) => `${genomesPrefix(runId)}${generation}`;

/**
 * The "try it" panel's Worker (classify.worker.ts): classifies one image with the ancestor and
 * each run's newest network, read from their checkpoints, and hands out test images. Plain
 * arrays both ways; the page never sees a genome.
 */
export type NetworkSource =
  /** A serialised checkpoint served as a file (the shipped ancestor). */
  | { kind: 'url'; url: string }
  /** A checkpoint in IndexedDB (the shared ancestor, or a run's newest generation). */
  | { kind: 'stored'; key: string };

export interface NetworkToClassify {
  /** The page's name for it ("ancestor", or a run's id). */
  id: string;
  source: NetworkSource;
  /** The checkpoint's generation the page knows of: a stored checkpoint is read again once it moves on. */
  generation: number;
  /** The checkpoint's generation-1 network (it must be an ancestor's), or the most accurate of its newest generation. */
  pick: 'ancestor' | 'best';
}

export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

export type ClassifyCommand =
  /** `image` is NHWC in [0, 1]. */
  | { type: 'classify'; requestId: number; image: Float32Array; shape: ImageShape; networks: NetworkToClassify[] }
  | { type: 'test-image'; requestId: number; dataset: DatasetName; data: DataSpec; index: number };

export interface NetworkClassification {
  id: string;
  generation: number;
  individual: number;
  /** Its test accuracy as recorded, when the checkpoint holds its record. */
  testAccuracy: number | null;
  probabilities: number[];
  predicted: number;
  synapses: number;
  kernels: number;
}

export type ClassifyEvent =
  | {
      type: 'classified';
      requestId: number;
      results: NetworkClassification[];
      /** Networks that could not be read, and why. */
      problems: { id: string; message: string }[];
    }
  | {
      type: 'test-image';
      requestId: number;
      /** The index actually shown (wrapped into the test set). */
      index: number;
      count: number;
      label: number;
      classNames: string[];
      image: Float32Array;
      shape: ImageShape;
    }
  | { type: 'classify-error'; requestId: number; message: string };
