/** In-memory image datasets and mini-batches, independent of where the files came from. */

/** The lab's two datasets (loadDataset, MANIFESTS); registry.ts knows more (RegisteredName). */
export type DatasetName = 'mnist' | 'cifar10';
export type Split = 'train' | 'test';

export interface ImageDataset {
  /**
   * A registered name ('mnist', 'fashion-mnist', … see registry.ts), or the name given to an IDX
   * or image-folder dataset (by default its folder's name).
   */
  readonly name: string;
  readonly split: Split;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** NHWC, one byte per pixel channel, as in the files (0–255). */
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
  readonly classNames: readonly string[];
}

export interface Batch {
  /** NHWC floats scaled to [0, 1]. */
  readonly x: Float32Array;
  readonly labels: Uint8Array;
  readonly size: number;
}

export const imageSize = (d: Pick<ImageDataset, 'height' | 'width' | 'channels'>): number =>
  d.height * d.width * d.channels;

/** Copies the images at `indices[start..end)` into a float batch. */
export function makeBatch(d: ImageDataset, indices: ArrayLike<number>, start: number, end: number): Batch {
  const { pixels, labels, size } = makeByteBatch(d, indices, start, end);
  const x = new Float32Array(pixels.length);
  for (let p = 0; p < x.length; p++) x[p] = pixels[p] / 255;
  return { x, labels, size };
}

/** A batch's images as they are stored (NHWC bytes, 0–255), for a consumer that scales them itself. */
export interface ByteBatch {
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
  readonly size: number;
}

/** Copies the images at `indices[start..end)` as bytes: makeBatch without the scaling. */
export function makeByteBatch(d: ImageDataset, indices: ArrayLike<number>, start: number, end: number): ByteBatch {
  const size = Math.max(0, Math.min(end, indices.length) - start);
  const per = imageSize(d);
  const pixels = new Uint8Array(size * per);
  const labels = new Uint8Array(size);
  for (let b = 0; b < size; b++) {
    const i = indices[start + b];
    pixels.set(d.pixels.subarray(i * per, (i + 1) * per), b * per);
    labels[b] = d.labels[i];
  }
  return { pixels, labels, size };
}
