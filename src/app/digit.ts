/**
 * A digit drawn on the page made to look like an MNIST image: MNIST's digits were scaled to fit
 * a 20×20 box (keeping their shape) and placed in the 28×28 image so that their centre of mass
 * falls on pixel (14, 14), in pixel indices (measured on the test set: 14.0 ± 0.5). Pure: ink in, pixels in [0, 1] out.
 */

export const MNIST_SIZE = 28;
const BOX = 20;

/** How much ink each pixel of an RGBA canvas holds: dark on light paper is ink; transparent is paper. */
export function inkFromRgba(rgba: ArrayLike<number>, width: number, height: number): Float32Array {
  const ink = new Float32Array(width * height);
  for (let i = 0; i < ink.length; i++) {
    const lum = (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]) / 255;
    ink[i] = (1 - lum) * (rgba[4 * i + 3] / 255);
  }
  return ink;
}

/** The drawing as a 28×28 MNIST-style image (row-major, ink = 1), or null when nothing is drawn. */
export function mnistDigit(ink: Float32Array, width: number, height: number, threshold = 0.05): Float32Array | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (ink[y * width + x] > threshold) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const s = BOX / Math.max(bw, bh);
  const tw = Math.max(1, Math.min(BOX, Math.round(bw * s)));
  const th = Math.max(1, Math.min(BOX, Math.round(bh * s)));
  const box = new Float32Array(tw * th);
  if (s < 1) {
    // Shrinking: each target pixel is the mean ink of the source pixels that fall in it.
    const count = new Float32Array(tw * th);
    for (let y = y0; y <= y1; y++)
      for (let x = x0; x <= x1; x++) {
        const t = Math.min(th - 1, Math.floor((y - y0) * s)) * tw + Math.min(tw - 1, Math.floor((x - x0) * s));
        box[t] += ink[y * width + x];
        count[t]++;
      }
    for (let i = 0; i < box.length; i++) box[i] = count[i] ? box[i] / count[i] : 0;
  } else {
    for (let ty = 0; ty < th; ty++)
      for (let tx = 0; tx < tw; tx++) {
        const x = Math.min(x1, x0 + Math.floor((tx + 0.5) / s));
        const y = Math.min(y1, y0 + Math.floor((ty + 0.5) / s));
        box[ty * tw + tx] = ink[y * width + x];
      }
  }
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < th; y++)
    for (let x = 0; x < tw; x++) {
      const v = box[y * tw + x];
      mass += v;
      mx += v * x;
      my += v * y;
    }
  const clamp = (v: number, hi: number) => Math.max(0, Math.min(hi, v));
  const ox = clamp(Math.round(MNIST_SIZE / 2 - mx / mass), MNIST_SIZE - tw);
  const oy = clamp(Math.round(MNIST_SIZE / 2 - my / mass), MNIST_SIZE - th);
  const out = new Float32Array(MNIST_SIZE * MNIST_SIZE);
  for (let y = 0; y < th; y++)
    for (let x = 0; x < tw; x++) out[(y + oy) * MNIST_SIZE + x + ox] = Math.min(1, box[y * tw + x]);
  return out;
}
