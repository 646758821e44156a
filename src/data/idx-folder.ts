/**
 * Any IDX dataset: four files (train and test images and labels), found by name in whatever
 * folder the source is rooted at. Image size, channels and class count come from the files.
 * Names may be gzipped or plain and written any of the usual ways: `train-images-idx3-ubyte`,
 * `train-images.idx3-ubyte`, `t10k-…`/`test-…`, or with a prefix (`emnist-digits-train-…`).
 */
import type { ImageDataset, Split } from './dataset';
import { DatasetError, MissingFileError } from './errors';
import { isGzip, maybeGunzip } from './gzip';
import { parseIdxImagesAnySize, parseIdxLabels } from './idx';
import type { DataSource } from './sources';

export interface IdxSpec {
  readonly kind: 'idx';
  /** The dataset's name in records and messages (default 'idx'). */
  readonly name?: string;
  /** One name per class, label 0 first; default '0', '1', … */
  readonly classNames?: readonly string[];
  /** Only files whose name contains this, e.g. 'emnist-letters' in EMNIST's folder of all splits. */
  readonly match?: string;
  /** Images stored column by column (EMNIST): turn them upright. */
  readonly transposed?: boolean;
}

/** Fewest images each class must have in a split: a class the network never sees cannot be learnt. */
export const MIN_IMAGES_PER_CLASS: Readonly<Record<Split, number>> = { train: 5, test: 1 };

type Kind = 'images' | 'labels';
interface Found {
  /** Name to read (without `.gz`). */
  readonly name: string;
  /** As the person would recognise it (with `.gz` when the bytes were gzip). */
  readonly label: string;
  readonly bytes: Uint8Array;
}

const SPLIT_WORDS: Record<Split, string> = { train: 'training', test: 'test' };
const STANDARD_NAMES: Record<Split, Record<Kind, string[]>> = {
  train: {
    images: ['train-images-idx3-ubyte', 'train-images.idx3-ubyte'],
    labels: ['train-labels-idx1-ubyte', 'train-labels.idx1-ubyte'],
  },
  test: {
    images: ['t10k-images-idx3-ubyte', 't10k-images.idx3-ubyte', 'test-images-idx3-ubyte'],
    labels: ['t10k-labels-idx1-ubyte', 't10k-labels.idx1-ubyte', 'test-labels-idx1-ubyte'],
  },
};

const baseName = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** What an IDX file's name says it holds, or null when it is not an IDX file's name. */
export function idxRole(path: string): { split: Split; kind: Kind } | null {
  const name = baseName(path).toLowerCase().replace(/\.gz$/, '');
  if (!/idx[1-4]|\.idx$|ubyte$/.test(name)) return null;
  const kind: Kind | null = /label|idx1/.test(name) ? 'labels' : /image|idx3|idx4/.test(name) ? 'images' : null;
  const split: Split | null = /(^|[^a-z0-9])(t10k|test)/.test(name)
    ? 'test'
    : /(^|[^a-z0-9])train/.test(name)
      ? 'train'
      : null;
  return kind && split ? { split, kind } : null;
}

async function readFound(source: DataSource, name: string): Promise<Found> {
  const stored = await source.read(name);
  const label = isGzip(stored) ? `${name}.gz` : name;
  return { name, label, bytes: await maybeGunzip(stored, label) };
}

/** Finds and reads the file for one role, by listing the source or else by the standard names. */
async function readRole(source: DataSource, spec: IdxSpec, split: Split, kind: Kind): Promise<Found> {
  const what = `${SPLIT_WORDS[split]} ${kind}`;
  const expected = `a file named like ${STANDARD_NAMES[split][kind][0]}${spec.match ? ` containing "${spec.match}"` : ''} (.gz or plain)`;
  if (source.list) {
    const all = await source.list();
    const names = new Set<string>();
    for (const p of all) {
      const role = idxRole(p);
      if (!role || role.split !== split || role.kind !== kind) continue;
      if (spec.match && !baseName(p).includes(spec.match)) continue;
      names.add(p.replace(/\.gz$/i, ''));
    }
    if (names.size > 1) {
      throw new DatasetError(
        STANDARD_NAMES[split][kind][0],
        `${names.size} files in ${source.describe()} look like the ${what}: ${[...names].sort().join(', ')}`,
        'Point at the folder of one dataset, or say which files to use (match).',
      );
    }
    if (names.size === 1) return readFound(source, [...names][0]);
    const idxFiles = all.filter((p) => idxRole(p)).map(baseName);
    throw new MissingFileError(
      STANDARD_NAMES[split][kind][0],
      `no ${what} in ${source.describe()}: expected ${expected}` +
        (idxFiles.length ? `; found only ${idxFiles.sort().join(', ')}` : '; it holds no IDX files'),
      'An IDX dataset needs four files: training and test images and labels.',
    );
  }
  for (const name of STANDARD_NAMES[split][kind]) {
    try {
      return await readFound(source, name);
    } catch (err) {
      if (!(err instanceof MissingFileError)) throw err;
    }
  }
  throw new MissingFileError(
    STANDARD_NAMES[split][kind][0],
    `no ${what} in ${source.describe()} (looked for ${STANDARD_NAMES[split][kind].join(', ')}, each .gz or plain)`,
    'An IDX dataset needs four files: training and test images and labels.',
  );
}

/** Labels must be 0…K−1 with every class present; returns K. */
function classCount(
  train: Found & { labels: Uint8Array },
  test: Found & { labels: Uint8Array },
  names?: readonly string[],
): number {
  let max = 0;
  for (const l of train.labels) max = Math.max(max, l);
  for (const l of test.labels) max = Math.max(max, l);
  const count = names ? names.length : max + 1;
  if (names && max >= names.length) {
    const f = train.labels.includes(max) ? train : test;
    throw new DatasetError(f.label, `has label ${max}, but only ${names.length} class names were given`);
  }
  if (count < 2) {
    throw new DatasetError(
      train.label,
      `has a single class (every label is ${max})`,
      'A classifier needs at least two classes.',
    );
  }
  for (const [split, f] of [
    ['train', train],
    ['test', test],
  ] as const) {
    const hist = new Array<number>(count).fill(0);
    for (const l of f.labels) hist[l]++;
    const few = hist.findIndex((n) => n < MIN_IMAGES_PER_CLASS[split]);
    if (few >= 0) {
      throw new DatasetError(
        f.label,
        `has ${hist[few]} ${SPLIT_WORDS[split]} image${hist[few] === 1 ? '' : 's'} of class ${few}` +
          `${names ? ` (${names[few]})` : ''} (at least ${MIN_IMAGES_PER_CLASS[split]} needed per class; ` +
          `labels must run from 0 to ${count - 1} with every class present)`,
        'Add images of that class, or relabel the classes without gaps.',
      );
    }
  }
  return count;
}

function transpose(pixels: Uint8Array, count: number, rows: number, cols: number, channels: number): Uint8Array {
  const out = new Uint8Array(pixels.length);
  const per = rows * cols * channels;
  for (let n = 0; n < count; n++) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        for (let k = 0; k < channels; k++) {
          // Stored as cols × rows; the image is rows × cols once upright.
          out[n * per + (r * cols + c) * channels + k] = pixels[n * per + (c * rows + r) * channels + k];
        }
      }
    }
  }
  return out;
}

/** One split of an IDX dataset; the other split's labels are read too, for the class count. */
export async function openIdxSplit(source: DataSource, spec: IdxSpec, split: Split): Promise<ImageDataset> {
  const other: Split = split === 'train' ? 'test' : 'train';
  const labelsOf = async (s: Split) => {
    const f = await readRole(source, spec, s, 'labels');
    return { ...f, labels: parseIdxLabels(f.bytes, f.label, 256) };
  };
  const mine = await labelsOf(split);
  const theirs = await labelsOf(other);
  const numClasses = classCount(split === 'train' ? mine : theirs, split === 'train' ? theirs : mine, spec.classNames);
  const imgs = await readRole(source, spec, split, 'images');
  const images = parseIdxImagesAnySize(imgs.bytes, imgs.label);
  if (images.count !== mine.labels.length) {
    throw new DatasetError(
      mine.label,
      `has ${mine.labels.length} labels but ${imgs.label} has ${images.count} images; the two files must come from the same release`,
    );
  }
  const [height, width] = spec.transposed ? [images.cols, images.rows] : [images.rows, images.cols];
  return {
    name: spec.name ?? 'idx',
    split,
    count: images.count,
    height,
    width,
    channels: images.channels,
    pixels: spec.transposed ? transpose(images.pixels, images.count, height, width, images.channels) : images.pixels,
    labels: mine.labels,
    classNames: spec.classNames ?? Array.from({ length: numClasses }, (_, i) => String(i)),
  };
}
