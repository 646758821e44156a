/**
 * An image-folder dataset: one sub-folder of PNG/JPEG files per class, the way a teacher
 * collects pictures. Two layouts:
 * - `train/<class>/…` and `test/<class>/…`: the person's own split, used as is;
 * - `<class>/…` only: a stratified holdout, the same for everyone and every run. Each class's
 *   files are ordered by a hash of their path and the seed, and the first `testFraction`
 *   (at least one) become the test split, so adding a picture moves at most one other between splits.
 * One wrapping folder around either layout (a zip's top folder) is looked through. Hidden
 * files and files that are not images (README, .DS_Store) are ignored.
 *
 * Network input (`input: 'auto'`, the default): 28×28 grey when every picture is grey, else
 * 32×32 RGB, the two inputs the shipped ancestors take (MNIST's and CIFAR-10's). Pictures of
 * mixed sizes are fine: each is cropped to its centred square and resized (images.ts).
 */
import type { ImageDataset, Split } from './dataset';
import { DatasetError } from './errors';
import { MIN_IMAGES_PER_CLASS } from './idx-folder';
import { COLOUR_INPUT, GREY_INPUT, isGreyImage, toNetworkInput, type ImageDecoder, type NetworkInput } from './images';
import type { LoadProgress } from './load';
import type { DataSource } from './sources';

export interface ImageFolderSpec {
  readonly kind: 'images';
  /** The dataset's name in records and messages (default 'images'). */
  readonly name?: string;
  /** The network input; 'auto' (default) picks GREY_INPUT or COLOUR_INPUT from the pictures. */
  readonly input?: NetworkInput | 'auto';
  /** Share of each class held out for testing when there are no train/ and test/ folders (default 0.2). */
  readonly testFraction?: number;
  /** Changes which pictures are held out (default 0). */
  readonly seed?: number;
}

export const DEFAULT_TEST_FRACTION = 0.2;
const IMAGE_EXTENSIONS = /\.(png|jpe?g)$/i;
const OTHER_IMAGE_EXTENSIONS = /\.(gif|bmp|webp|tiff?|heic|heif|avif)$/i;
const HINT = 'Put each class’s PNG or JPEG pictures in its own sub-folder (cat/, dog/, …).';

interface Picture {
  readonly path: string;
  readonly label: number;
}

/** Orders 'img2' before 'img10', so class order matches what people see in a file browser. */
export function naturalCompare(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    const na = /^\d/.test(pa[i]) && /^\d/.test(pb[i]);
    if (na && Number(pa[i]) !== Number(pb[i])) return Number(pa[i]) - Number(pb[i]);
    return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** FNV-1a, 32 bits: a stable per-file key for the holdout that needs no random-number state. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

const hidden = (p: string): boolean => p.split('/').some((s) => s.startsWith('.') || s === '__MACOSX');

/** The pictures of each split with their labels, and the class names, from the file list. */
export function planImageFolder(
  paths: readonly string[],
  spec: ImageFolderSpec,
  where: string,
): { classNames: string[]; splits: Record<Split, Picture[]> } {
  const visible = paths.filter((p) => !hidden(p));
  let files = visible;
  const unsupported = files.find((p) => OTHER_IMAGE_EXTENSIONS.test(p));
  if (unsupported) {
    throw new DatasetError(unsupported, 'is not a PNG or JPEG picture', 'Convert it to PNG or JPEG, or remove it.');
  }
  files = files.filter((p) => IMAGE_EXTENSIONS.test(p));
  if (files.length === 0) throw new DatasetError(where, 'holds no PNG or JPEG pictures', HINT);
  // Look through a single wrapping folder (a zip's top folder), but never through train/ or test/.
  let prefix = '';
  for (;;) {
    const first = new Set(files.map((p) => p.slice(prefix.length).split('/')[0]));
    const [only] = first;
    if (first.size !== 1 || /^(train|test)$/i.test(only)) break;
    const next = `${prefix}${only}/`;
    // A folder whose pictures lie directly in it is a class (a lone one), not a wrapper.
    if (files.some((p) => !p.slice(next.length).includes('/'))) break;
    prefix = next;
  }
  const rel = files.map((p) => p.slice(prefix.length));
  const loose = files.filter((_, i) => !rel[i].includes('/'));
  if (loose.length) {
    throw new DatasetError(
      loose[0],
      `is not in a class folder (${loose.length === 1 ? '1 picture lies' : `${loose.length} pictures lie`} directly in ${prefix || 'the top folder'})`,
      HINT,
    );
  }
  const top = new Set(rel.map((p) => p.split('/')[0]));
  const splitFolders = [...top].filter((t) => /^(train|test)$/i.test(t));
  // A class folder with no pictures (empty, or other files only) is a mistake worth naming.
  const depth = splitFolders.length ? 2 : 1;
  const classFolder = (r: string) => r.split('/').slice(0, depth).join('/');
  const withPictures = new Set(rel.map(classFolder));
  for (const p of visible) {
    if (!p.startsWith(prefix)) continue;
    const r = p.slice(prefix.length);
    if (r.split('/').length <= depth || (depth === 2 && !/^(train|test)\//i.test(r))) continue;
    if (!withPictures.has(classFolder(r))) {
      throw new DatasetError(
        `${prefix}${classFolder(r)}/`,
        'has no PNG or JPEG pictures (every sub-folder is a class)',
        'Add pictures to it, or remove the folder.',
      );
    }
  }
  const byClass = (entries: { path: string; rel: string }[]) => {
    const m = new Map<string, string[]>();
    for (const e of entries) {
      const parts = e.rel.split('/');
      if (parts.length < 2) {
        throw new DatasetError(e.path, 'is not in a class folder', HINT);
      }
      m.set(parts[0], [...(m.get(parts[0]) ?? []), e.path]);
    }
    return m;
  };

  let perSplit: Record<Split, Map<string, string[]>>;
  if (splitFolders.length) {
    const other = [...top].filter((t) => !/^(train|test)$/i.test(t));
    if (splitFolders.length !== 2 || other.length) {
      throw new DatasetError(
        `${where}/${prefix}`,
        splitFolders.length !== 2
          ? `has a ${splitFolders[0]}/ folder but no ${/^train$/i.test(splitFolders[0]) ? 'test' : 'train'}/ folder`
          : `mixes train/ and test/ with other folders (${other.join(', ')})`,
        'Either put the class folders inside both train/ and test/, or use class folders only (a share is then held out for testing).',
      );
    }
    const inSplit = (s: Split) =>
      byClass(
        files
          .map((path, i) => ({ path, rel: rel[i] }))
          .filter((e) => e.rel.split('/')[0].toLowerCase() === s)
          .map((e) => ({ path: e.path, rel: e.rel.slice(e.rel.indexOf('/') + 1) })),
      );
    perSplit = { train: inSplit('train'), test: inSplit('test') };
    for (const [s, o] of [
      ['test', 'train'],
      ['train', 'test'],
    ] as const) {
      const missing = [...perSplit[o].keys()].find((c) => !perSplit[s].has(c));
      if (missing) {
        throw new DatasetError(
          `${prefix}${s}/${missing}/`,
          `is missing: class "${missing}" has pictures in ${o}/ but none in ${s}/`,
          'Every class needs pictures in both train/ and test/.',
        );
      }
    }
  } else {
    const fraction = spec.testFraction ?? DEFAULT_TEST_FRACTION;
    if (!(fraction > 0 && fraction < 1)) {
      throw new RangeError(`image folder: testFraction must be between 0 and 1 (exclusive), not ${fraction}`);
    }
    const seed = spec.seed ?? 0;
    const all = byClass(files.map((path, i) => ({ path, rel: rel[i] })));
    perSplit = { train: new Map(), test: new Map() };
    for (const [c, list] of all) {
      const need = MIN_IMAGES_PER_CLASS.train + MIN_IMAGES_PER_CLASS.test;
      if (list.length < need) {
        throw new DatasetError(
          `${prefix}${c}/`,
          `has ${list.length} picture${list.length === 1 ? '' : 's'} (at least ${need} needed per class: ` +
            `${MIN_IMAGES_PER_CLASS.train} to train on and ${MIN_IMAGES_PER_CLASS.test} to test)`,
          'Add pictures to that class.',
        );
      }
      // Keyed by the path below any wrapping folder, so a zip and its unpacked folder split alike.
      const key = (p: string) => fnv1a(`${seed}:${p.slice(prefix.length)}`);
      const order = [...list].sort((a, b) => key(a) - key(b) || (a < b ? -1 : 1));
      const testCount = Math.max(MIN_IMAGES_PER_CLASS.test, Math.round(list.length * fraction));
      perSplit.test.set(c, order.slice(0, testCount));
      perSplit.train.set(c, order.slice(testCount));
    }
  }

  const classNames = [...perSplit.train.keys()].sort(naturalCompare);
  if (classNames.length < 2) {
    throw new DatasetError(
      `${where}/${prefix}`,
      `has a single class (${classNames[0]})`,
      'A classifier needs at least two classes: add a sub-folder of pictures for each.',
    );
  }
  if (classNames.length > 256) {
    throw new DatasetError(`${where}/${prefix}`, `has ${classNames.length} classes (at most 256 are supported)`);
  }
  const splits = { train: [] as Picture[], test: [] as Picture[] };
  for (const s of ['train', 'test'] as const) {
    classNames.forEach((c, label) => {
      const list = [...(perSplit[s].get(c) ?? [])].sort(naturalCompare);
      if (list.length < MIN_IMAGES_PER_CLASS[s]) {
        throw new DatasetError(
          `${prefix}${s}/${c}/`,
          `has ${list.length} picture${list.length === 1 ? '' : 's'} (at least ${MIN_IMAGES_PER_CLASS[s]} needed per class)`,
          'Add pictures to that class.',
        );
      }
      for (const path of list) splits[s].push({ path, label });
    });
  }
  return { classNames, splits };
}

/** Both splits of an image folder, each picture decoded once (input 'auto' needs to see them all). */
export async function openImageFolder(
  source: DataSource,
  spec: ImageFolderSpec,
  decoder: ImageDecoder,
  onProgress?: (p: LoadProgress) => void,
): Promise<Record<Split, ImageDataset>> {
  if (!source.list) {
    throw new Error(`image folder: ${source.describe()} cannot list its files; use a folder, dropped files or a zip`);
  }
  const { classNames, splits } = planImageFolder(await source.list(), spec, source.describe());
  const auto = spec.input === undefined || spec.input === 'auto';
  const inputs = auto ? [GREY_INPUT, COLOUR_INPUT] : [spec.input as NetworkInput];
  const total = splits.train.length + splits.test.length;
  let done = 0;
  let allGrey = true;
  const converted: Record<Split, Uint8Array[][]> = { train: [], test: [] };
  for (const s of ['train', 'test'] as const) {
    for (const pic of splits[s]) {
      onProgress?.({ file: pic.path, done, total });
      const img = await decoder.decode(await source.read(pic.path), pic.path);
      if (img.width === 0 || img.height === 0) throw new DatasetError(pic.path, 'is an empty picture (0 pixels)');
      if (auto && allGrey) allGrey = isGreyImage(img);
      converted[s].push(inputs.map((input) => toNetworkInput(img, input)));
      done++;
    }
  }
  onProgress?.({ file: splits.test.at(-1)?.path ?? '', done, total });
  const chosen = auto ? (allGrey ? 0 : 1) : 0;
  const input = inputs[chosen];
  const per = input.height * input.width * input.channels;
  const build = (s: Split): ImageDataset => {
    const pixels = new Uint8Array(splits[s].length * per);
    converted[s].forEach((variants, i) => pixels.set(variants[chosen], i * per));
    return {
      name: spec.name ?? 'images',
      split: s,
      count: splits[s].length,
      height: input.height,
      width: input.width,
      channels: input.channels,
      pixels,
      labels: Uint8Array.from(splits[s], (p) => p.label),
      classNames,
    };
  };
  return { train: build('train'), test: build('test') };
}
