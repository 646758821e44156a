/**
 * MNIST's IDX format: a big-endian header (magic, then one uint32 per dimension) followed by
 * the uint8 body. Every length is checked before any byte is read, so a bad file fails here
 * with its name rather than later as a shape error inside tfjs.
 */
import { checkLabels } from './checks';
import { DatasetError } from './errors';

export const IDX_IMAGES_MAGIC = 2051; // 0x00000803: uint8, 3 dimensions
export const IDX_LABELS_MAGIC = 2049; // 0x00000801: uint8, 1 dimension
export const IDX_COLOUR_IMAGES_MAGIC = 2052; // 0x00000804: uint8, 4 dimensions (count, rows, cols, channels)

export interface IdxImages {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /** count × rows × cols, row-major: already NHWC with one channel. */
  readonly pixels: Uint8Array;
}

const KIND: Record<number, string> = {
  [IDX_IMAGES_MAGIC]: 'IDX images',
  [IDX_LABELS_MAGIC]: 'IDX labels',
  [IDX_COLOUR_IMAGES_MAGIC]: 'IDX images with channels',
};

function readHeader(bytes: Uint8Array, file: string, magic: number, dims: number, expected = KIND[magic]): number[] {
  const headerBytes = 4 * (1 + dims);
  if (bytes.length < headerBytes) {
    throw new DatasetError(
      file,
      `too short for an ${expected} header: ${bytes.length} bytes (need at least ${headerBytes})`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const found = view.getUint32(0);
  if (found !== magic) {
    const other = KIND[found] ? `; ${found} means ${KIND[found]}` : '';
    throw new DatasetError(file, `bad magic number ${found} (expected ${magic} for ${expected}${other})`);
  }
  return Array.from({ length: dims }, (_, i) => view.getUint32(4 * (1 + i)));
}

function checkBodyLength(bytes: Uint8Array, file: string, expected: number): void {
  if (bytes.length < expected) {
    throw new DatasetError(file, `truncated: expected ${expected} bytes, got ${bytes.length}`);
  }
  if (bytes.length > expected) {
    throw new DatasetError(
      file,
      `${bytes.length - expected} unexpected bytes after the data: expected ${expected} bytes, got ${bytes.length}`,
    );
  }
}

/**
 * Parses an IDX image file. `expectSize` (MNIST: 28×28) is checked before the body length so a
 * file of other-sized images is reported as such, not as "truncated".
 */
export function parseIdxImages(
  bytes: Uint8Array,
  file: string,
  expectSize?: { rows: number; cols: number; dataset: string },
): IdxImages {
  const [count, rows, cols] = readHeader(bytes, file, IDX_IMAGES_MAGIC, 3);
  if (expectSize && (rows !== expectSize.rows || cols !== expectSize.cols)) {
    throw new DatasetError(
      file,
      `wrong image size ${rows}×${cols} (expected ${expectSize.rows}×${expectSize.cols} for ${expectSize.dataset})`,
    );
  }
  checkBodyLength(bytes, file, 16 + count * rows * cols);
  // A copy with its own buffer: it can be transferred to a Worker without dragging the header along.
  return { count, rows, cols, pixels: bytes.slice(16) };
}

/** Parses an IDX label file; every label must be below `numClasses`. */
export function parseIdxLabels(bytes: Uint8Array, file: string, numClasses = 10): Uint8Array {
  const [count] = readHeader(bytes, file, IDX_LABELS_MAGIC, 1);
  checkBodyLength(bytes, file, 8 + count);
  const labels = bytes.slice(8);
  checkLabels(labels, file, numClasses, 'index');
  return labels;
}

export interface IdxImagesWithChannels extends IdxImages {
  readonly channels: number;
}

/**
 * Parses IDX images of any size: magic 2051 (count × rows × cols, one channel) or 2052
 * (count × rows × cols × channels, already NHWC), for datasets other than the registered ones.
 */
export function parseIdxImagesAnySize(bytes: Uint8Array, file: string): IdxImagesWithChannels {
  const magic = bytes.length >= 4 ? new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) : IDX_IMAGES_MAGIC;
  const colour = magic === IDX_COLOUR_IMAGES_MAGIC;
  const dims = colour ? 4 : 3;
  const [count, rows, cols, channels = 1] = readHeader(bytes, file, colour ? magic : IDX_IMAGES_MAGIC, dims);
  if (rows === 0 || cols === 0 || channels === 0) {
    throw new DatasetError(file, `has empty images (${rows}×${cols}×${channels})`);
  }
  if (channels !== 1 && channels !== 3) {
    throw new DatasetError(file, `has ${channels} channels per pixel (expected 1, grey, or 3, RGB)`);
  }
  checkBodyLength(bytes, file, 4 * (1 + dims) + count * rows * cols * channels);
  return { count, rows, cols, channels, pixels: bytes.slice(4 * (1 + dims)) };
}
