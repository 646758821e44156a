/**
 * Photos to network inputs, independent of how they were decoded: an ImageDecoder turns file
 * bytes into RGBA (Node: nodeImageDecoder; the browser: createImageBitmap and a canvas), and
 * `toNetworkInput` crops, resizes and converts them. Browser-safe.
 *
 * Choices (the same everywhere, so a dataset opened in Node and in the page is identical):
 * - transparent pixels are put over white (drawings on a transparent background stay visible);
 * - the centred square is kept (no stretching), then resized by area averaging;
 * - grey = Rec. 601 luma, 0.299 R + 0.587 G + 0.114 B, rounded.
 */

export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** 4 bytes per pixel (R, G, B, A), row-major, like a canvas's ImageData. */
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** PNG and JPEG by their first bytes (names can lie). */
export const isPng = (b: Uint8Array): boolean =>
  b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
export const isJpeg = (b: Uint8Array): boolean => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** What a decoder says of a file that is not a picture it reads. */
export const UNREADABLE_HINT = 'Open it in an image viewer; re-save it as PNG or JPEG, or remove it.';

export interface ImageDecoder {
  /** Decodes PNG or JPEG bytes; throws a DatasetError naming `file` when it cannot. */
  decode(bytes: Uint8Array, file: string): Promise<RgbaImage>;
}

export interface NetworkInput {
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
}

/** Grey pictures become MNIST-shaped, colour ones CIFAR-shaped: the shipped ancestors' two inputs. */
export const GREY_INPUT: NetworkInput = { height: 28, width: 28, channels: 1 };
export const COLOUR_INPUT: NetworkInput = { height: 32, width: 32, channels: 3 };

/** How far apart R, G and B may be for a pixel to count as grey (JPEG's chroma rounding). */
export const GREY_TOLERANCE = 3;

/** The pixel's colour put over white. */
function over(data: RgbaImage['data'], p: number, c: number): number {
  const a = data[p + 3];
  return a === 255 ? data[p + c] : (data[p + c] * a + 255 * (255 - a)) / 255;
}

/** True when every pixel is grey (R, G and B within GREY_TOLERANCE of each other). */
export function isGreyImage(img: RgbaImage): boolean {
  const { data } = img;
  for (let p = 0; p < img.width * img.height * 4; p += 4) {
    const r = over(data, p, 0);
    const g = over(data, p, 1);
    const b = over(data, p, 2);
    if (Math.max(r, g, b) - Math.min(r, g, b) > GREY_TOLERANCE) return false;
  }
  return true;
}

/** For each output index, the source indices it covers and their weights (summing to 1). */
function areaWeights(srcStart: number, srcLength: number, outLength: number): { index: number; weight: number }[][] {
  const scale = srcLength / outLength;
  return Array.from({ length: outLength }, (_, o) => {
    const from = o * scale;
    const to = from + scale;
    const taps: { index: number; weight: number }[] = [];
    for (let s = Math.floor(from); s < Math.min(Math.ceil(to), srcLength); s++) {
      const w = Math.min(to, s + 1) - Math.max(from, s);
      if (w > 1e-9) taps.push({ index: srcStart + s, weight: w / scale });
    }
    return taps;
  });
}

/** The image's centred square, resized to `input` and converted to its channels: HWC bytes. */
export function toNetworkInput(img: RgbaImage, input: NetworkInput): Uint8Array {
  const side = Math.min(img.width, img.height);
  const rows = areaWeights(Math.floor((img.height - side) / 2), side, input.height);
  const cols = areaWeights(Math.floor((img.width - side) / 2), side, input.width);
  const out = new Uint8Array(input.height * input.width * input.channels);
  const rgb = [0, 0, 0];
  for (let y = 0; y < input.height; y++) {
    for (let x = 0; x < input.width; x++) {
      rgb[0] = rgb[1] = rgb[2] = 0;
      for (const r of rows[y]) {
        for (const c of cols[x]) {
          const p = (r.index * img.width + c.index) * 4;
          const w = r.weight * c.weight;
          for (let k = 0; k < 3; k++) rgb[k] += w * over(img.data, p, k);
        }
      }
      const at = (y * input.width + x) * input.channels;
      if (input.channels === 1) {
        out[at] = Math.min(255, Math.round(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]));
      } else {
        for (let k = 0; k < 3; k++) out[at + k] = Math.min(255, Math.round(rgb[k]));
      }
    }
  }
  return out;
}
