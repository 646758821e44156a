/**
 * Node-only ImageDecoder for PNG and JPEG, on two pure-JS libraries: fast-png (every PNG colour
 * type, bit depth and interlacing) and jpeg-js (baseline and progressive JPEG). The format is
 * told by the file's first bytes, not its name. Not re-exported from index.ts: the browser
 * decodes with createImageBitmap instead, so bundles never carry these.
 */
import { convertIndexedToRgb, decode as decodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { DatasetError } from './errors';
import { isJpeg, isPng, UNREADABLE_HINT, type ImageDecoder, type RgbaImage } from './images';

export { isJpeg, isPng };

/** Unpacks 1-, 2- or 4-bit samples (rows padded to whole bytes) and scales them to 0–255. */
function unpack(data: Uint8Array, width: number, height: number, channels: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height * channels);
  const perRow = Math.ceil((width * channels * depth) / 8);
  const max = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < width * channels; i++) {
      const bit = i * depth;
      const byte = data[y * perRow + (bit >> 3)];
      out[y * width * channels + i] = Math.round((((byte >> (8 - depth - (bit & 7))) & max) * 255) / max);
    }
  }
  return out;
}

function pngToRgba(bytes: Uint8Array): RgbaImage {
  const png = decodePng(bytes);
  const { width, height } = png;
  let channels = png.channels;
  let samples: Uint8Array;
  if (png.palette) {
    samples = convertIndexedToRgb(png) as Uint8Array;
    channels = samples.length / (width * height);
  } else if (png.depth === 16) {
    samples = Uint8Array.from(png.data as Uint16Array, (v) => v >> 8);
  } else if (png.depth < 8) {
    samples = unpack(png.data as Uint8Array, width, height, channels, png.depth);
  } else {
    samples = png.data as Uint8Array;
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const s = p * channels;
    const grey = channels <= 2;
    rgba[4 * p] = samples[s];
    rgba[4 * p + 1] = grey ? samples[s] : samples[s + 1];
    rgba[4 * p + 2] = grey ? samples[s] : samples[s + 2];
    rgba[4 * p + 3] = channels === 2 ? samples[s + 1] : channels === 4 ? samples[s + 3] : 255;
  }
  return { width, height, data: rgba };
}

export const nodeImageDecoder: ImageDecoder = {
  async decode(bytes, file) {
    const kind = isPng(bytes) ? 'PNG' : isJpeg(bytes) ? 'JPEG' : null;
    if (!kind) {
      throw new DatasetError(file, 'not a PNG or JPEG image (its first bytes say neither)', UNREADABLE_HINT);
    }
    try {
      if (kind === 'PNG') return pngToRgba(bytes);
      // Limits keep a huge or hostile file from taking all memory.
      const img = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: 100,
        maxMemoryUsageInMB: 1024,
      });
      return { width: img.width, height: img.height, data: img.data };
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      throw new DatasetError(file, `cannot decode this ${kind} (${detail})`, UNREADABLE_HINT, { cause: err });
    }
  },
};
