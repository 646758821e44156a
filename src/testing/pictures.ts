/**
 * A class's pictures as a teacher would collect them, made in the test: PNG files of mixed sizes
 * in one sub-folder per class, each class a bright shape in its own place on a dark, noisy
 * background (so a network can learn them in an epoch or two).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encode as encodePng } from 'fast-png';
import { Rng } from '../evolution/rng';

export interface PictureFolderOptions {
  classes: readonly string[];
  perClass: number;
  /** RGB pictures (the network then takes 32×32×3); grey otherwise (28×28×1). */
  colour: boolean;
  seed?: number;
}

/** The pictures as files: `<class>/<n>.png`, bytes. */
export function pictureFiles({
  classes,
  perClass,
  colour,
  seed = 1,
}: PictureFolderOptions): { path: string; bytes: Uint8Array }[] {
  const rng = new Rng(seed);
  const files: { path: string; bytes: Uint8Array }[] = [];
  classes.forEach((name, k) => {
    for (let n = 0; n < perClass; n++) {
      // Mixed sizes and aspect ratios: the reader crops the centred square and resizes it.
      const width = 36 + 4 * (n % 4);
      const height = 36 + 3 * ((n + k) % 3);
      const channels = colour ? 3 : 1;
      const data = new Uint8Array(width * height * channels);
      const side = Math.min(width, height);
      const [x0, y0] = [Math.floor((width - side) / 2), Math.floor((height - side) / 2)];
      // Class k lights a band of the square: its own quarter (left, top, right, bottom…).
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) {
          const u = (x - x0) / side;
          const v = (y - y0) / side;
          const on = [u < 0.35, v < 0.35, u > 0.65, v > 0.65][k % 4] && u >= 0 && u <= 1 && v >= 0 && v <= 1;
          for (let c = 0; c < channels; c++) {
            const tint = colour ? [1, 0.6 + 0.4 * (k % 2), 0.3][c] : 1;
            data[(y * width + x) * channels + c] = Math.round((on ? 170 + rng.int(80) : rng.int(60)) * tint);
          }
        }
      files.push({ path: `${name}/${n + 1}.png`, bytes: encodePng({ width, height, data, channels, depth: 8 }) });
    }
  });
  return files;
}

/** Writes the pictures under `dir` (one sub-folder per class); returns `dir`. */
export async function writePictureFolder(dir: string, options: PictureFolderOptions): Promise<string> {
  for (const f of pictureFiles(options)) {
    await mkdir(path.join(dir, path.dirname(f.path)), { recursive: true });
    await writeFile(path.join(dir, f.path), f.bytes);
  }
  return dir;
}
