/**
 * The datasets a run can name (the settings table's dataset row): every registered dataset
 * (data/registry.ts) plus two kinds read from whatever folder is given, any IDX dataset ('idx')
 * and an image folder ('images'). Pure and page-safe: the lab, the Worker and the CLI share it.
 */
import {
  isRegisteredName,
  listDatasets,
  REGISTERED_NAMES,
  registeredDataset,
  type RegisteredName,
} from '../data/registry';
import type { DatasetSpec } from '../data/open';

/** The kinds read from a folder of the person's own; they have no shape or classes until read. */
export type FolderDatasetKind = 'idx' | 'images';
export type DatasetName = RegisteredName | FolderDatasetKind;

// The page reads the registry through here (it may not import data/).
export { listDatasets, registeredDataset, REGISTERED_NAMES, type RegisteredName };

export const FOLDER_KINDS: readonly FolderDatasetKind[] = ['idx', 'images'];
export const DATASET_NAMES: readonly DatasetName[] = [...REGISTERED_NAMES, ...FOLDER_KINDS];

export const isDatasetName = (x: unknown): x is DatasetName => isRegisteredName(x) || x === 'idx' || x === 'images';
export const isFolderKind = (x: unknown): x is FolderDatasetKind => x === 'idx' || x === 'images';

/** The dataset row's choices: the registry's entries (as data), then the two folder kinds. */
export const DATASET_CHOICES: readonly { value: DatasetName; label: string }[] = [
  ...listDatasets().map((d) => ({
    value: d.name,
    label: `${d.title} (${d.height}×${d.width}, ${d.channels === 1 ? 'grey' : 'colour'})`,
  })),
  { value: 'idx', label: 'Any IDX dataset (its four files)' },
  { value: 'images', label: 'Your own pictures (one folder per class)' },
];

/** As a sentence names it: "MNIST", "Fashion-MNIST", "an IDX dataset", "your pictures". */
export function datasetTitle(name: DatasetName): string {
  if (name === 'idx') return 'the IDX dataset';
  if (name === 'images') return 'your pictures';
  return registeredDataset(name).title;
}

/** The image shape and classes of a registered dataset; null for a folder kind (known once read). */
export function knownDataShape(
  name: DatasetName,
): { height: number; width: number; channels: number; classNames: readonly string[] } | null {
  if (isFolderKind(name)) return null;
  const e = registeredDataset(name);
  return { height: e.height, width: e.width, channels: e.channels, classNames: e.classNames };
}

/** What data/open.ts opens for a run's dataset; `label` names a folder dataset in records (its folder's name). */
export function datasetSpec(name: DatasetName, label?: string): DatasetSpec {
  if (name === 'idx') return { kind: 'idx', ...(label ? { name: label } : {}) };
  if (name === 'images') return { kind: 'images', ...(label ? { name: label } : {}) };
  return name;
}

/** The training-set size of a registered dataset (for estimates), or null. */
export const trainingImages = (name: DatasetName): number | null =>
  isFolderKind(name) ? null : registeredDataset(name).splits.train.count;

/** What a run learnt from, as read (records and checkpoints keep it: an IDX or image folder has no fixed shape). */
export interface DataSummary {
  /** The dataset's name: a registered one, or a folder dataset's own (its folder's name). */
  name: string;
  height: number;
  width: number;
  channels: number;
  classNames: string[];
  trainImages: number;
  testImages: number;
}
