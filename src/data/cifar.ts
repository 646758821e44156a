/**
 * CIFAR-10 binary batches: records of 1 label byte + 1024 R + 1024 G + 1024 B bytes, each plane
 * 32×32 row-major. tfjs wants NHWC, so the planes are interleaved while decoding.
 */
import { checkLabels } from './checks';
import { DatasetError } from './errors';

export const CIFAR_SIDE = 32;
export const CIFAR_PLANE = CIFAR_SIDE * CIFAR_SIDE;
export const CIFAR_IMAGE_BYTES = 3 * CIFAR_PLANE;
export const CIFAR_RECORD_BYTES = 1 + CIFAR_IMAGE_BYTES; // 3073
export const CIFAR_BATCH_RECORDS = 10_000;

export const CIFAR10_CLASS_NAMES: readonly string[] = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

export interface CifarBatch {
  readonly count: number;
  /** NHWC, 32×32×3 per image. */
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
}

/**
 * Checks a batch's length and returns its record count. `expectedRecords` is 10,000 for the
 * standard batches; pass null to accept any whole number of records.
 */
export function checkCifarBatch(
  bytes: Uint8Array,
  file: string,
  expectedRecords: number | null = CIFAR_BATCH_RECORDS,
): number {
  if (bytes.length === 0) throw new DatasetError(file, 'empty file (expected CIFAR-10 binary records)');
  const count = Math.floor(bytes.length / CIFAR_RECORD_BYTES);
  const extra = bytes.length % CIFAR_RECORD_BYTES;
  if (extra !== 0) {
    throw new DatasetError(
      file,
      `length ${bytes.length} bytes is not a multiple of the ${CIFAR_RECORD_BYTES}-byte CIFAR-10 record ` +
        `(${count} whole records and ${extra} bytes left over; truncated, or not a CIFAR-10 binary batch)`,
    );
  }
  if (expectedRecords !== null && count !== expectedRecords) {
    throw new DatasetError(file, `has ${count} records (expected ${expectedRecords} per standard CIFAR-10 batch)`);
  }
  return count;
}

/**
 * Decodes a checked batch into `pixels`/`labels` starting at image `at`, so several batches can
 * fill one preallocated dataset without an extra copy of 150 MB.
 */
export function decodeCifarInto(
  bytes: Uint8Array,
  file: string,
  pixels: Uint8Array,
  labels: Uint8Array,
  at: number,
): void {
  const count = bytes.length / CIFAR_RECORD_BYTES;
  if (!Number.isInteger(count) || (at + count) * CIFAR_IMAGE_BYTES > pixels.length || at + count > labels.length) {
    throw new RangeError(`decodeCifarInto(${file}): ${count} records do not fit at image ${at}`);
  }
  for (let n = 0; n < count; n++) {
    const rec = n * CIFAR_RECORD_BYTES;
    labels[at + n] = bytes[rec];
    const r = rec + 1;
    const g = r + CIFAR_PLANE;
    const b = g + CIFAR_PLANE;
    let dst = (at + n) * CIFAR_IMAGE_BYTES;
    for (let p = 0; p < CIFAR_PLANE; p++) {
      pixels[dst++] = bytes[r + p];
      pixels[dst++] = bytes[g + p];
      pixels[dst++] = bytes[b + p];
    }
  }
  checkLabels(labels.subarray(at, at + count), file, CIFAR10_CLASS_NAMES.length, 'record');
}

/** Parses one CIFAR-10 binary batch into NHWC pixels and labels. */
export function parseCifarBatch(
  bytes: Uint8Array,
  file: string,
  expectedRecords: number | null = CIFAR_BATCH_RECORDS,
): CifarBatch {
  const count = checkCifarBatch(bytes, file, expectedRecords);
  const pixels = new Uint8Array(count * CIFAR_IMAGE_BYTES);
  const labels = new Uint8Array(count);
  decodeCifarInto(bytes, file, pixels, labels, 0);
  return { count, pixels, labels };
}

/** Class names from batches.meta.txt: one per line; blank lines (e.g. the trailing one) skipped. */
export function parseCifarMeta(bytes: Uint8Array, file: string): string[] {
  const names = new TextDecoder('utf-8')
    .decode(bytes)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  if (names.length !== CIFAR10_CLASS_NAMES.length) {
    throw new DatasetError(
      file,
      `lists ${names.length} class names (expected ${CIFAR10_CLASS_NAMES.length}, one per line)`,
    );
  }
  return names;
}
