/** Reads a standard split from any DataSource into an ImageDataset (NHWC uint8). */
import { CIFAR_BATCH_RECORDS, CIFAR_IMAGE_BYTES, checkCifarBatch, decodeCifarInto, parseCifarMeta } from './cifar';
import type { DatasetName, ImageDataset, Split } from './dataset';
import { DatasetError, MissingFileError } from './errors';
import { isGzip, maybeGunzip } from './gzip';
import { sha256Hex } from './hash';
import { parseIdxImages, parseIdxLabels } from './idx';
import { CIFAR10_META, MANIFESTS, type StandardFile } from './manifest';
import { REGISTRY, datasetWithFileHash, type RegisteredDataset } from './registry';
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

/** Kaggle's MNIST and other copies write `train-images.idx3-ubyte` for `train-images-idx3-ubyte`. */
const dottedVariant = (path: string): string | null => {
  const at = path.lastIndexOf('-idx');
  return at > path.lastIndexOf('/') ? `${path.slice(0, at)}.${path.slice(at + 1)}` : null;
};

async function readStandard(source: DataSource, f: StandardFile): Promise<ReadFile> {
  let path = f.path;
  let stored: Uint8Array;
  try {
    stored = await source.read(path);
  } catch (err) {
    const variant = dottedVariant(f.path);
    if (!(err instanceof MissingFileError) || !variant) throw err;
    // The message names the standard file, which is what the person should look for.
    stored = await source.read(variant).catch((e: unknown) => Promise.reject(e instanceof MissingFileError ? err : e));
    path = variant;
  }
  const label = isGzip(stored) ? `${path}.gz` : path;
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
  return loadRegistered(REGISTRY[name], split, source, onProgress);
}

/** Reads a split of any registered dataset (registry.ts); openDataset's path for a name. */
export function loadRegistered(
  m: RegisteredDataset,
  split: Split,
  source: DataSource,
  onProgress?: OnProgress,
): Promise<ImageDataset> {
  const progress = onProgress ?? (() => {});
  return m.format === 'idx' ? loadIdx(m, split, source, progress) : loadCifar(m, split, source, progress);
}

/** Refuses another registered dataset's labels (e.g. Fashion-MNIST's files opened as MNIST). */
async function checkIdentity(m: RegisteredDataset, labels: ReadFile): Promise<void> {
  const other = datasetWithFileHash(await sha256Hex(labels.bytes));
  if (other && other.entry.name !== m.name) {
    throw new DatasetError(
      labels.label,
      `holds ${other.entry.title}'s labels, not ${m.title}'s (its SHA-256 is that of ${other.file.path})`,
      `Choose the dataset "${other.entry.name}" for these files, or point at the ${m.title} files.`,
    );
  }
}

/** EMNIST stores images column by column; this turns each one upright in place. */
function transposeImages(pixels: Uint8Array, count: number, side: number): void {
  const tmp = new Uint8Array(side * side);
  for (let n = 0; n < count; n++) {
    const img = pixels.subarray(n * side * side, (n + 1) * side * side);
    for (let r = 0; r < side; r++) for (let c = 0; c < side; c++) tmp[c * side + r] = img[r * side + c];
    img.set(tmp);
  }
}

async function loadIdx(
  m: RegisteredDataset,
  split: Split,
  source: DataSource,
  progress: OnProgress,
): Promise<ImageDataset> {
  const { count: expected, files } = m.splits[split];
  const [imagesFile, labelsFile] = files;
  progress({ file: imagesFile.path, done: 0, total: 2 });
  const imgs = await readStandard(source, imagesFile);
  const images = parseIdxImages(imgs.bytes, imgs.label, { rows: m.height, cols: m.width, dataset: m.title });
  progress({ file: labelsFile.path, done: 1, total: 2 });
  const labs = await readStandard(source, labelsFile);
  const labels = parseIdxLabels(labs.bytes, labs.label, m.classNames.length);
  await checkIdentity(m, labs);
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
      `has ${images.count} images (expected ${expected} for the standard ${m.title} ${split} split)`,
    );
  }
  if (m.transposed) transposeImages(images.pixels, images.count, m.height);
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
  m: RegisteredDataset,
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
async function readClassNames(source: DataSource, m: RegisteredDataset): Promise<readonly string[]> {
  try {
    const { label, bytes } = await readStandard(source, CIFAR10_META);
    return parseCifarMeta(bytes, label);
  } catch (err) {
    if (err instanceof MissingFileError) return m.classNames;
    throw err;
  }
}
