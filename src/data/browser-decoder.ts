/**
 * The browser's ImageDecoder (a Worker's, or the page's): the platform decodes PNG and JPEG
 * (createImageBitmap) and a canvas gives the RGBA pixels (OffscreenCanvas, so it works in a
 * Worker). Colours are taken as stored (no colour-space conversion, alpha not premultiplied), as
 * Node's decoder does; semi-transparent pixels may round differently by one level.
 */
import { DatasetError } from './errors';
import { isJpeg, isPng, UNREADABLE_HINT, type ImageDecoder } from './images';

export const browserImageDecoder: ImageDecoder = {
  async decode(bytes, file) {
    const kind = isPng(bytes) ? 'PNG' : isJpeg(bytes) ? 'JPEG' : null;
    if (!kind) throw new DatasetError(file, 'not a PNG or JPEG image (its first bytes say neither)', UNREADABLE_HINT);
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type: `image/${kind.toLowerCase()}` }), {
        premultiplyAlpha: 'none',
        colorSpaceConversion: 'none',
      });
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      throw new DatasetError(file, `cannot decode this ${kind} (${detail})`, UNREADABLE_HINT, { cause: err });
    }
    try {
      const { width, height } = bitmap;
      if (width === 0 || height === 0) return { width, height, data: new Uint8ClampedArray(0) };
      const canvas = new OffscreenCanvas(width, height);
      const context = canvas.getContext('2d', { willReadFrequently: true });
      if (!context) throw new DatasetError(file, 'cannot be read: this browser has no 2D canvas in Workers');
      context.drawImage(bitmap, 0, 0);
      return { width, height, data: context.getImageData(0, 0, width, height).data };
    } finally {
      bitmap.close();
    }
  },
};
