/** Reads a standard split from any DataSource into an ImageDataset (NHWC uint8). */
import { CIFAR_BATCH_RECORDS, CIFAR_IMAGE_BYTES, checkCifarBatch, decodeCifarInto, parseCifarMeta } from './cifar';
import type { DatasetName, ImageDataset, Split } from './dataset';
import { DatasetError, MissingFileError } from './errors';
import { isGzip, maybeGunzip } from './gzip';
import { parseIdxImages, parseIdxLabels } from './idx';
import { CIFAR10_META, MANIFESTS, type DatasetManifest, type StandardFile } from './manifest';
import type { DataSource } from './sources';

export interface LoadProgress {
  /** The file about to be read (or, when done === total, the last one read). */
  readonly file: string;
  readonly done: number;
  readonly total: number;
}

type OnProgress = (p: LoadProgress) => void;

interface ReadFile {
  /** Name for messages: the path plus `.gz` when the stored bytes were gzip. */
  readonly label: string;
  readonly bytes: Uint8Array;
}

async function readStandard(source: DataSource, f: StandardFile): Promise<ReadFile> {
  const stored = await source.read(f.path);
  const label = isGzip(stored) ? `${f.path}.gz` : f.path;
  return { label, bytes: await maybeGunzip(stored, label) };
}

export async function loadDataset(
  name: DatasetName,
  split: Split,
  source: DataSource,
  onProgress?: OnProgress,
): Promise<ImageDataset> {
  // Names may come from a URL or a JS caller, so check them at run time too.
  if (!Object.hasOwn(MANIFESTS, name)) {
    throw new Error(`loadDataset: unknown dataset ${JSON.stringify(name)} (expected "mnist" or "cifar10")`);
  }
  if (split !== 'train' && split !== 'test') {
    throw new Error(`loadDataset: unknown split ${JSON.stringify(split)} (expected "train" or "test")`);
  }
  const m = MANIFESTS[name];
  const progress = onProgress ?? (() => {});
  return m.format === 'idx' ? loadIdx(m, split, source, progress) : loadCifar(m, split, source, progress);
}

async function loadIdx(
  m: DatasetManifest,
  split: Split,
  source: DataSource,
  progress: OnProgress,
): Promise<ImageDataset> {
  const { count: expected, files } = m.splits[split];
  const [imagesFile, labelsFile] = files;
  progress({ file: imagesFile.path, done: 0, total: 2 });
  const imgs = await readStandard(source, imagesFile);
  const images = parseIdxImages(imgs.bytes, imgs.label, { rows: m.height, cols: m.width, dataset: 'MNIST' });
  progress({ file: labelsFile.path, done: 1, total: 2 });
  const labs = await readStandard(source, labelsFile);
  const labels = parseIdxLabels(labs.bytes, labs.label, m.classNames.length);
  progress({ file: labelsFile.path, done: 2, total: 2 });

  if (labels.length !== images.count) {
    throw new DatasetError(
      labs.label,
      `has ${labels.length} labels but ${imgs.label} has ${images.count} images; the two files must come from the same release`,
    );
  }
  if (images.count !== expected) {
    throw new DatasetError(
      imgs.label,
      `has ${images.count} images (expected ${expected} for the standard MNIST ${split} split)`,
    );
  }
  return {
    name: m.name,
    split,
    count: images.count,
    height: m.height,
    width: m.width,
    channels: m.channels,
    pixels: images.pixels,
    labels,
    classNames: m.classNames,
  };
}

async function loadCifar(
  m: DatasetManifest,
  split: Split,
  source: DataSource,
  progress: OnProgress,
): Promise<ImageDataset> {
  const { count, files } = m.splits[split];
  const total = files.length + 1;
  // Filled batch by batch so only one raw batch is held at a time next to the result.
  const pixels = new Uint8Array(count * CIFAR_IMAGE_BYTES);
  const labels = new Uint8Array(count);
  for (let i = 0; i < files.length; i++) {
    progress({ file: files[i].path, done: i, total });
    const { label, bytes } = await readStandard(source, files[i]);
    checkCifarBatch(bytes, label, CIFAR_BATCH_RECORDS);
    decodeCifarInto(bytes, label, pixels, labels, i * CIFAR_BATCH_RECORDS);
  }
  progress({ file: CIFAR10_META.path, done: files.length, total });
  const classNames = await readClassNames(source, m);
  progress({ file: CIFAR10_META.path, done: total, total });
  return {
    name: m.name,
    split,
    count,
    height: m.height,
    width: m.width,
    channels: m.channels,
    pixels,
    labels,
    classNames,
  };
}

/** batches.meta.txt is optional (users may drop only the batches): fall back to the standard names. */
async function readClassNames(source: DataSource, m: DatasetManifest): Promise<readonly string[]> {
  try {
    const { label, bytes } = await readStandard(source, CIFAR10_META);
    return parseCifarMeta(bytes, label);
  } catch (err) {
    if (err instanceof MissingFileError) return m.classNames;
    throw err;
  }
}
