import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageDataset } from './dataset';
import { naturalCompare, planImageFolder } from './image-folder';
import { COLOUR_INPUT, GREY_INPUT, isGreyImage, toNetworkInput, type RgbaImage } from './images';
import { nodeImageDecoder } from './node-decoder';
import { folderSource } from './node-source';
import { openDataset, openDatasetSplits } from './open';
import { memorySource } from './sources';
import { zipSource } from './zip';
import { datasetFailure, datasetRejection, zipBytes } from '../testing/data';

/**
 * An 8-bit PNG written by hand (zlib from Node, not the decoder's library): `channels` 1 grey,
 * 2 grey + alpha, 3 RGB, 4 RGBA; `pixel(x, y)` gives the channel values.
 */
function png(width: number, height: number, channels: 1 | 2 | 3 | 4, pixel: (x: number, y: number) => number[]) {
  const chunk = (type: string, data: Uint8Array) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    out.set(data, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = { 1: 0, 2: 4, 3: 2, 4: 6 }[channels];
  const raw = Buffer.alloc(height * (1 + width * channels));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), y * (1 + width * channels) + 1 + x * channels);
  }
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(raw)),
      chunk('IEND', new Uint8Array(0)),
    ]),
  );
}

const solidGrey = (w: number, h: number, v: number) => png(w, h, 1, () => [v]);
const solidRgb = (w: number, h: number, rgb: number[]) => png(w, h, 3, () => rgb);
function solidJpeg(w: number, h: number, rgb: number[]): Uint8Array {
  const data = new Uint8Array(w * h * 4);
  for (let p = 0; p < w * h; p++) data.set([...rgb, 255], 4 * p);
  return new Uint8Array(jpeg.encode({ width: w, height: h, data }, 95).data);
}

const SIZES = [
  [20, 30],
  [64, 64],
  [100, 50],
  [7, 9],
];

/** `count` pictures per class under `<prefix><class>/`, of varied sizes. */
function classFolders(classes: Record<string, (w: number, h: number) => Uint8Array>, count: number, prefix = '') {
  const files: Record<string, Uint8Array> = {};
  for (const [name, make] of Object.entries(classes)) {
    for (let i = 0; i < count; i++) {
      const [w, h] = SIZES[i % SIZES.length];
      files[`${prefix}${name}/img${i}.png`] = make(w, h);
    }
  }
  return files;
}

const opened = (files: Record<string, Uint8Array>, spec: object = {}) =>
  openDatasetSplits(
    memorySource(files, 'the test pictures'),
    { kind: 'images', ...spec },
    { decoder: nodeImageDecoder },
  );

const valuesOf = (d: ImageDataset, n: number) => {
  const per = d.height * d.width * d.channels;
  return new Set(d.pixels.subarray(n * per, (n + 1) * per));
};

describe('turning pictures into network inputs', () => {
  const rgba = (width: number, height: number, px: (x: number, y: number) => number[]): RgbaImage => {
    const data = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(px(x, y), 4 * (y * width + x));
    return { width, height, data };
  };

  it('keeps the centred square, averages areas, and converts to grey by Rec. 601', () => {
    // 56 wide, 84 high: the middle 56 rows are kept; left half white, right half black.
    const img = rgba(56, 84, (x, y) =>
      y < 14 || y >= 70 ? [255, 0, 0, 255] : x < 28 ? [255, 255, 255, 255] : [0, 0, 0, 255],
    );
    const out = toNetworkInput(img, GREY_INPUT);
    expect(out.length).toBe(784);
    expect(Array.from(out.subarray(14 * 28, 15 * 28))).toEqual([...new Array(14).fill(255), ...new Array(14).fill(0)]);
    expect(
      toNetworkInput(
        rgba(1, 1, () => [255, 0, 0, 255]),
        GREY_INPUT,
      )[0],
    ).toBe(76); // 0.299 × 255
    const checker = rgba(2, 2, (x, y) => ((x + y) % 2 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
    expect(Array.from(toNetworkInput(checker, { height: 1, width: 1, channels: 1 }))).toEqual([128]);
  });

  it('puts transparent pixels over white, and upscales small pictures', () => {
    const out = toNetworkInput(
      rgba(2, 2, (x, y) => (x === 0 && y === 0 ? [0, 0, 0, 0] : [10, 20, 30, 255])),
      { height: 4, width: 4, channels: 3 },
    );
    expect(Array.from(out.subarray(0, 3))).toEqual([255, 255, 255]); // (0, 0): transparent → white
    expect(Array.from(out.subarray(3 * 3, 3 * 3 + 3))).toEqual([10, 20, 30]); // (0, 3)
    expect(Array.from(out.subarray(4 * 3, 4 * 3 + 3))).toEqual([255, 255, 255]); // (1, 0)
  });

  it('tells grey pictures from colour ones, allowing JPEG’s small rounding', async () => {
    const grey = await nodeImageDecoder.decode(solidJpeg(16, 16, [120, 120, 120]), 'g.jpg');
    const tinted = await nodeImageDecoder.decode(solidJpeg(16, 16, [120, 135, 120]), 't.jpg');
    expect([isGreyImage(grey), isGreyImage(tinted)]).toEqual([true, false]);
  });

  it('decodes every PNG colour type and bit depth to RGBA', async () => {
    const decode = (bytes: Uint8Array) => nodeImageDecoder.decode(bytes, 'x.png').then((i) => Array.from(i.data));
    expect(await decode(png(1, 1, 2, () => [200, 128]))).toEqual([200, 200, 200, 128]);
    expect(await decode(png(1, 1, 4, () => [1, 2, 3, 4]))).toEqual([1, 2, 3, 4]);
    const palette = encodePng({
      width: 2,
      height: 1,
      depth: 8,
      channels: 1,
      data: new Uint8Array([1, 0]),
      palette: [
        [9, 8, 7],
        [250, 0, 5],
      ],
    });
    expect(await decode(palette)).toEqual([250, 0, 5, 255, 9, 8, 7, 255]);
    const sixteen = encodePng({ width: 2, height: 1, depth: 16, channels: 1, data: new Uint16Array([65535, 0x8000]) });
    expect(await decode(sixteen)).toEqual([255, 255, 255, 255, 128, 128, 128, 255]);
    const oneBit = encodePng({ width: 3, height: 1, depth: 1, channels: 1, data: new Uint8Array([0b10100000]) });
    expect(await decode(oneBit)).toEqual([255, 255, 255, 255, 0, 0, 0, 255, 255, 255, 255, 255]);
  });

  it('orders names as a file browser does', () => {
    expect(['class10', 'class2', 'b', 'a1'].sort(naturalCompare)).toEqual(['a1', 'b', 'class2', 'class10']);
  });
});

describe('an image-folder dataset', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'evolab-images-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('class folders only: a fixed stratified holdout; grey pictures of mixed sizes become 28×28 grey', async () => {
    const files = classFolders({ light: (w, h) => solidGrey(w, h, 220), dark: (w, h) => solidGrey(w, h, 30) }, 10);
    files['dark/notes.txt'] = new TextEncoder().encode('ignored');
    files['.DS_Store'] = new Uint8Array([0]);
    const { train, test } = await opened(files, { name: 'shades' });
    expect([train.name, train.height, train.width, train.channels]).toEqual(['shades', 28, 28, 1]);
    expect(train.classNames).toEqual(['dark', 'light']);
    expect([train.count, test.count]).toEqual([16, 4]);
    expect(Array.from(test.labels)).toEqual([0, 0, 1, 1]);
    for (let n = 0; n < train.count; n++) expect(valuesOf(train, n)).toEqual(new Set([train.labels[n] ? 220 : 30]));
  });

  it('the holdout is the same every time, changes with the seed, and mostly survives an added picture', () => {
    const paths = Object.keys(classFolders({ a: () => new Uint8Array(), b: () => new Uint8Array() }, 20));
    const testOf = (p: string[], seed = 0) =>
      planImageFolder(p, { kind: 'images', seed }, 'x').splits.test.map((pic) => pic.path);
    const first = testOf(paths);
    expect(first.length).toBe(8);
    expect(testOf([...paths].reverse())).toEqual(first);
    const wrapped = testOf(paths.map((p) => `pets/${p}`));
    expect(wrapped).toEqual(first.map((p) => `pets/${p}`));
    expect(testOf(paths, 1)).not.toEqual(first);
    const after = testOf([...paths, 'a/img99.png']);
    expect(first.filter((p) => !after.includes(p)).length).toBeLessThanOrEqual(1);
  });

  it('train/ and test/ folders on disk inside a wrapping folder; colour PNG and JPEG become 32×32 RGB', async () => {
    const root = path.join(tmp, 'download', 'my-pets');
    const write = async (rel: string, bytes: Uint8Array) => {
      await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await writeFile(path.join(root, rel), bytes);
    };
    for (const [split, count] of [
      ['train', 6],
      ['test', 2],
    ] as const) {
      for (let i = 0; i < count; i++) {
        await write(`${split}/class10/r${i}.png`, solidRgb(40 + i, 30, [255, 0, 0]));
        await write(`${split}/class2/b${i}.JPG`, solidJpeg(24, 24 + i, [0, 0, 255]));
      }
    }
    const d = await openDataset(folderSource(path.dirname(root)), { kind: 'images' }, 'train', {
      decoder: nodeImageDecoder,
    });
    expect([d.name, d.split, d.count, d.height, d.width, d.channels]).toEqual(['images', 'train', 12, 32, 32, 3]);
    expect(d.classNames).toEqual(['class2', 'class10']);
    const first = (label: number) => d.labels.indexOf(label) * 32 * 32 * 3;
    expect(Array.from(d.pixels.subarray(first(1), first(1) + 3))).toEqual([255, 0, 0]);
    const blue = Array.from(d.pixels.subarray(first(0), first(0) + 3));
    expect(blue.map((v, k) => Math.abs(v - [0, 0, 255][k]) <= 4)).toEqual([true, true, true]);
  });

  it('a zip of class folders', async () => {
    const files = classFolders(
      { a: (w, h) => solidRgb(w, h, [0, 200, 0]), b: (w, h) => solidGrey(w, h, 90) },
      6,
      'set/',
    );
    const zip = zipBytes(Object.entries(files).map(([name, data]) => ({ name, data, deflate: true })));
    const { train, test } = await openDatasetSplits(
      zipSource(zip, 'set.zip'),
      { kind: 'images', input: GREY_INPUT },
      {
        decoder: nodeImageDecoder,
      },
    );
    expect([train.count, test.count, train.channels, train.classNames]).toEqual([10, 2, 1, ['a', 'b']]);
    expect(valuesOf(test, 0)).toEqual(new Set([Math.round(0.587 * 200)]));
    expect(COLOUR_INPUT).toEqual({ height: 32, width: 32, channels: 3 });
  });
});

describe('an image-folder dataset: bad input', () => {
  const two = (extra: Record<string, Uint8Array> = {}) => ({
    ...classFolders({ a: (w, h) => solidGrey(w, h, 1), b: (w, h) => solidGrey(w, h, 2) }, 6),
    ...extra,
  });

  it('an unreadable picture is named', async () => {
    const garbage = await datasetRejection(opened(two({ 'a/broken.png': new TextEncoder().encode('no picture') })));
    expect([garbage.file, garbage.problem]).toEqual([
      'a/broken.png',
      'not a PNG or JPEG image (its first bytes say neither)',
    ]);
    const cut = solidGrey(30, 30, 5);
    const truncated = await datasetRejection(opened(two({ 'b/cut.png': cut.subarray(0, 40) })));
    expect(truncated.file).toBe('b/cut.png');
    expect(truncated.problem).toMatch(/^cannot decode this PNG \(/);
  });

  it('an empty class folder, or one with no pictures in it', async () => {
    const empty = await datasetRejection(opened(two({ 'c/': new Uint8Array() })));
    expect([empty.file, empty.problem]).toEqual(['c/', 'has no PNG or JPEG pictures (every sub-folder is a class)']);
    const notes = await datasetRejection(opened(two({ 'docs/readme.txt': new Uint8Array(1) })));
    expect(notes.file).toBe('docs/');
  });

  it('too few pictures in a class, and a single class', async () => {
    const few = classFolders({ a: (w, h) => solidGrey(w, h, 1) }, 6);
    Object.assign(few, classFolders({ b: (w, h) => solidGrey(w, h, 1) }, 3));
    const err = await datasetRejection(opened(few));
    expect([err.file, err.problem]).toEqual([
      'b/',
      'has 3 pictures (at least 6 needed per class: 5 to train on and 1 to test)',
    ]);
    const single = await datasetRejection(opened(classFolders({ cats: (w, h) => solidGrey(w, h, 1) }, 8)));
    expect(single.problem).toBe('has a single class (cats)');
    expect(single.hint).toMatch(/at least two classes/);
  });

  it('train/ without test/, a class missing from test/, and loose pictures', async () => {
    const onlyTrain = classFolders({ a: (w, h) => solidGrey(w, h, 1), b: (w, h) => solidGrey(w, h, 2) }, 6, 'train/');
    expect((await datasetRejection(opened(onlyTrain))).problem).toBe('has a train/ folder but no test/ folder');
    const noB = { ...onlyTrain, ...classFolders({ a: (w, h) => solidGrey(w, h, 1) }, 2, 'test/') };
    const missing = await datasetRejection(opened(noB));
    expect([missing.file, missing.problem]).toEqual([
      'test/b/',
      'is missing: class "b" has pictures in train/ but none in test/',
    ]);
    const loose = await datasetRejection(opened(two({ 'stray.png': solidGrey(4, 4, 0) })));
    expect([loose.file, loose.problem]).toEqual([
      'stray.png',
      'is not in a class folder (1 picture lies directly in the top folder)',
    ]);
  });

  it('a picture format other than PNG or JPEG, and a missing decoder', async () => {
    const gif = await datasetRejection(opened(two({ 'a/anim.gif': new Uint8Array(10) })));
    expect([gif.file, gif.problem]).toEqual(['a/anim.gif', 'is not a PNG or JPEG picture']);
    await expect(openDataset(memorySource(two(), 'x'), { kind: 'images' }, 'train')).rejects.toThrow(
      'openDataset: an image folder needs options.decoder (nodeImageDecoder in Node)',
    );
    expect(datasetFailure(() => planImageFolder(['a/readme.txt'], { kind: 'images' }, 'folder x')).problem).toBe(
      'holds no PNG or JPEG pictures',
    );
  });
});
