/**
 * One entry point for every kind of dataset (the API is described at the top of registry.ts):
 * a registered name, any IDX folder, or an image folder, each read into ImageDatasets.
 */
import type { ImageDataset, Split } from './dataset';
import { DatasetError } from './errors';
import { openImageFolder, type ImageFolderSpec } from './image-folder';
import { openIdxSplit, type IdxSpec } from './idx-folder';
import type { ImageDecoder } from './images';
import { loadRegistered, type LoadProgress } from './load';
import { registeredDataset, type RegisteredName } from './registry';
import type { DataSource } from './sources';

export type DatasetSpec =
  RegisteredName | { readonly kind: 'registered'; readonly name: RegisteredName } | IdxSpec | ImageFolderSpec;

export interface OpenOptions {
  readonly onProgress?: (p: LoadProgress) => void;
  /** Needed for image folders: nodeImageDecoder in Node, a createImageBitmap one in the browser. */
  readonly decoder?: ImageDecoder;
}

function decoderFor(options: OpenOptions | undefined): ImageDecoder {
  if (!options?.decoder) {
    throw new Error('openDataset: an image folder needs options.decoder (nodeImageDecoder in Node)');
  }
  return options.decoder;
}

const registeredName = (spec: DatasetSpec): string | null =>
  typeof spec === 'string' ? spec : spec.kind === 'registered' ? spec.name : null;

/** One split. For an image folder both splits are decoded; prefer openDatasetSplits there. */
export async function openDataset(
  source: DataSource,
  spec: DatasetSpec,
  split: Split,
  options?: OpenOptions,
): Promise<ImageDataset> {
  if (split !== 'train' && split !== 'test') {
    throw new Error(`openDataset: unknown split ${JSON.stringify(split)} (expected "train" or "test")`);
  }
  const name = registeredName(spec);
  if (name !== null) return loadRegistered(registeredDataset(name), split, source, options?.onProgress);
  const s = spec as IdxSpec | ImageFolderSpec;
  if (s.kind === 'idx') return openIdxSplit(source, s, split);
  if (s.kind === 'images') return (await openImageFolder(source, s, decoderFor(options), options?.onProgress))[split];
  throw new Error(`openDataset: unknown dataset kind ${JSON.stringify((s as { kind: unknown }).kind)}`);
}

/** Both splits, checked to fit together (same image shape, same classes). */
export async function openDatasetSplits(
  source: DataSource,
  spec: DatasetSpec,
  options?: OpenOptions,
): Promise<Record<Split, ImageDataset>> {
  if (typeof spec === 'object' && spec.kind === 'images') {
    return openImageFolder(source, spec, decoderFor(options), options?.onProgress);
  }
  const train = await openDataset(source, spec, 'train', options);
  const test = await openDataset(source, spec, 'test', options);
  const shape = (d: ImageDataset) => `${d.height}×${d.width}×${d.channels}`;
  if (shape(train) !== shape(test)) {
    throw new DatasetError(
      source.describe(),
      `test images are ${shape(test)} but training images are ${shape(train)} (height×width×channels)`,
      'Both splits must come from the same dataset.',
    );
  }
  if (train.classNames.length !== test.classNames.length) {
    throw new DatasetError(
      source.describe(),
      `the test split has ${test.classNames.length} classes but the training split ${train.classNames.length}`,
      'Both splits must come from the same dataset.',
    );
  }
  return { train, test };
}
