/**
 * The dataset registry: every dataset EvoLab knows by name, as data (files, sizes, checksums,
 * class names, image shape, where `npm run data` fetches it), so adding one is an entry here,
 * not new code. Browser-safe.
 *
 * API for the lab and the CLI (all exported from `src/data/index.ts`):
 * - `listDatasets()`: a summary of each registered dataset, for a menu or `--help`.
 * - `datasetInfo(name)`: one summary; throws a plain Error listing the known names otherwise.
 * - `registeredDataset(name)`: the full entry (files, checksums, fetch plan).
 * - `openDataset(source, spec, split, options?)` (open.ts): one split as an ImageDataset, the
 *   shape `loadDataset` returns. `spec` is a registered name, `{ kind: 'idx' }` (any folder of the
 *   four IDX files) or `{ kind: 'images' }` (one sub-folder of PNG/JPEG files per class).
 * - `openDatasetSplits(source, spec, options?)` (open.ts): both splits, checked against each
 *   other (same image size, same classes). Image folders decode once for both.
 * - Sources: `urlSource`, `fileListSource`, `memorySource`, `zipSource` (sources.ts, zip.ts) and,
 *   in Node only, `folderSource` (node-source.ts), which accepts a data root holding `mnist/`,
 *   `fashion-mnist/`… or a folder holding one dataset's files directly.
 * - Image decoding sits behind `ImageDecoder` (images.ts): Node passes `nodeImageDecoder`
 *   (node-decoder.ts); the browser will pass one built on createImageBitmap.
 *
 * Checksums: `sha256` is of the decompressed file (it holds whatever gzip wrapper a copy has);
 * null when no published or verifiable value exists, and then `fetch` may still carry the
 * SHA-256 of the official download (`.gz` or archive), which `npm run data` checks instead.
 */
import { CIFAR10, MNIST, type DatasetManifest, type SplitFiles, type StandardFile } from './manifest';
import type { Split } from './dataset';

export type RegisteredName = 'mnist' | 'cifar10' | 'fashion-mnist' | 'kmnist' | 'emnist-digits';

/** Where `npm run data` gets a dataset when it is not on this machine. */
export type FetchPlan =
  | {
      /** Each standard file as `<mirror><base name>.gz`, mirrors tried in order. */
      readonly kind: 'files';
      readonly mirrors: readonly string[];
      /** SHA-256 and size of each official `.gz`, by base name (without `.gz`). */
      readonly gz: Readonly<Record<string, { readonly sha256: string; readonly bytes: number }>>;
    }
  | {
      /** One archive holding every file; `entries` maps a base name to its path inside. */
      readonly kind: 'tar.gz' | 'zip';
      readonly url: string;
      readonly sha256: string | null;
      readonly bytes: number;
      readonly entries: Readonly<Record<string, string>>;
    };

export interface RegisteredDataset extends Omit<DatasetManifest, 'name'> {
  readonly name: RegisteredName;
  /** As people write it, e.g. `Fashion-MNIST`; used in messages. */
  readonly title: string;
  readonly description: string;
  readonly homepage: string;
  readonly license: string;
  /** EMNIST stores each image transposed (column-major); the reader turns it upright. */
  readonly transposed: boolean;
  readonly fetch: FetchPlan;
  /** Folders where a system package puts the files (Debian's dataset-fashion-mnist). */
  readonly systemFolders: readonly string[];
}

const gz = (path: string, sha256: string | null): StandardFile => ({ path, sha256, gzip: true });

/** The IDX file names of a split under `folder`, images then labels. */
function idxSplit(folder: string, prefix: string, count: number, sha: [string | null, string | null]): SplitFiles {
  return {
    count,
    files: [gz(`${folder}/${prefix}-images-idx3-ubyte`, sha[0]), gz(`${folder}/${prefix}-labels-idx1-ubyte`, sha[1])],
  };
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export const MNIST_ENTRY: RegisteredDataset = {
  ...MNIST,
  name: 'mnist',
  title: 'MNIST',
  description: 'Handwritten digits, 28×28 grey; the paper’s first dataset.',
  homepage: 'http://yann.lecun.com/exdb/mnist/',
  license: 'CC BY-SA 3.0 (Yann LeCun and Corinna Cortes)',
  transposed: false,
  fetch: {
    kind: 'files',
    mirrors: ['https://storage.googleapis.com/cvdf-datasets/mnist/', 'https://ossci-datasets.s3.amazonaws.com/mnist/'],
    gz: {
      'train-images-idx3-ubyte': {
        sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
        bytes: 9_912_422,
      },
      'train-labels-idx1-ubyte': {
        sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
        bytes: 28_881,
      },
      't10k-images-idx3-ubyte': {
        sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
        bytes: 1_648_877,
      },
      't10k-labels-idx1-ubyte': {
        sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
        bytes: 4_542,
      },
    },
  },
  systemFolders: [],
};

export const CIFAR10_ENTRY: RegisteredDataset = {
  ...CIFAR10,
  name: 'cifar10',
  title: 'CIFAR-10',
  description: 'Small colour photos in 10 classes, 32×32 RGB; the paper’s second dataset.',
  homepage: 'https://www.cs.toronto.edu/~kriz/cifar.html',
  license: 'no licence stated; cite Krizhevsky 2009',
  transposed: false,
  fetch: {
    kind: 'tar.gz',
    url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
    sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd',
    bytes: 170_052_171,
    entries: Object.fromEntries(
      [...CIFAR10.splits.train.files, ...CIFAR10.splits.test.files, ...CIFAR10.extra].map((f) => {
        const base = f.path.slice(f.path.lastIndexOf('/') + 1);
        return [base, `cifar-10-batches-bin/${base}`];
      }),
    ),
  },
  systemFolders: [],
};

export const FASHION_MNIST_ENTRY: RegisteredDataset = {
  name: 'fashion-mnist',
  title: 'Fashion-MNIST',
  description: 'Zalando’s clothing images, 28×28 grey: a harder drop-in replacement for MNIST.',
  homepage: 'https://github.com/zalandoresearch/fashion-mnist',
  license: 'MIT (Zalando SE)',
  folder: 'fashion-mnist',
  format: 'idx',
  height: 28,
  width: 28,
  channels: 1,
  classNames: [
    'T-shirt/top',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot',
  ],
  // Decompressed SHA-256 of Debian's dataset-fashion-mnist files; they equal the values several
  // independent projects publish for the official release (see the registry test).
  splits: {
    train: idxSplit('fashion-mnist', 'train', 60_000, [
      'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
      'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
    ]),
    test: idxSplit('fashion-mnist', 't10k', 10_000, [
      '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
      '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
    ]),
  },
  extra: [],
  transposed: false,
  fetch: {
    kind: 'files',
    mirrors: [
      'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
      'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
    ],
    // tensorflow-datasets' url_checksums/fashion_mnist.txt and torchvision's prototype datasets.
    gz: {
      'train-images-idx3-ubyte': {
        sha256: '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
        bytes: 26_421_880,
      },
      'train-labels-idx1-ubyte': {
        sha256: 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
        bytes: 29_515,
      },
      't10k-images-idx3-ubyte': {
        sha256: '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
        bytes: 4_422_102,
      },
      't10k-labels-idx1-ubyte': {
        sha256: '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
        bytes: 5_148,
      },
    },
  },
  systemFolders: ['/usr/share/datasets/fashion-mnist'],
};

export const KMNIST_ENTRY: RegisteredDataset = {
  name: 'kmnist',
  title: 'Kuzushiji-MNIST',
  description: 'Cursive Japanese (Kuzushiji) characters, one per row of Hiragana, 28×28 grey.',
  homepage: 'https://github.com/rois-codh/kmnist',
  license: 'CC BY-SA 4.0 (CODH)',
  folder: 'kmnist',
  format: 'idx',
  height: 28,
  width: 28,
  channels: 1,
  classNames: ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo'],
  // No verifiable SHA-256 of the decompressed files was found; the downloads are checked instead.
  splits: {
    train: idxSplit('kmnist', 'train', 60_000, [null, null]),
    test: idxSplit('kmnist', 't10k', 10_000, [null, null]),
  },
  extra: [],
  transposed: false,
  fetch: {
    kind: 'files',
    mirrors: ['https://codh.rois.ac.jp/kmnist/dataset/kmnist/'],
    // tensorflow-datasets' url_checksums/kmnist.txt; torchvision's prototype datasets agree.
    gz: {
      'train-images-idx3-ubyte': {
        sha256: '51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4',
        bytes: 18_165_135,
      },
      'train-labels-idx1-ubyte': {
        sha256: 'e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17',
        bytes: 29_497,
      },
      't10k-images-idx3-ubyte': {
        sha256: 'edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5',
        bytes: 3_041_136,
      },
      't10k-labels-idx1-ubyte': {
        sha256: '20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c',
        bytes: 5_120,
      },
    },
  },
  systemFolders: [],
};

export const EMNIST_DIGITS_ENTRY: RegisteredDataset = {
  name: 'emnist-digits',
  title: 'EMNIST Digits',
  description: 'Handwritten digits from NIST SD 19 in MNIST’s format, 240,000 training images, 28×28 grey.',
  homepage: 'https://www.nist.gov/itl/products-and-services/emnist-dataset',
  license: 'no licence stated (NIST); cite Cohen et al. 2017',
  folder: 'emnist-digits',
  format: 'idx',
  height: 28,
  width: 28,
  channels: 1,
  classNames: DIGITS,
  // No verifiable SHA-256 of the decompressed files was found; the archive is checked instead.
  splits: {
    train: idxSplit('emnist-digits', 'emnist-digits-train', 240_000, [null, null]),
    test: idxSplit('emnist-digits', 'emnist-digits-test', 40_000, [null, null]),
  },
  extra: [],
  transposed: true,
  fetch: {
    kind: 'zip',
    // All of EMNIST in one archive (562 MB); only the four digits files are kept.
    url: 'https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip',
    // tensorflow-datasets' url_checksums/emnist.txt (torchvision checks the same file by MD5).
    sha256: 'fb9bb67e33772a9cc0b895e4ecf36d2cf35be8b709693c3564cea2a019fcda8e',
    bytes: 561_753_746,
    entries: Object.fromEntries(
      ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 'test-images-idx3-ubyte', 'test-labels-idx1-ubyte'].map(
        (f) => [`emnist-digits-${f}`, `gzip/emnist-digits-${f}.gz`],
      ),
    ),
  },
  systemFolders: [],
};

export const REGISTRY: Readonly<Record<RegisteredName, RegisteredDataset>> = {
  mnist: MNIST_ENTRY,
  cifar10: CIFAR10_ENTRY,
  'fashion-mnist': FASHION_MNIST_ENTRY,
  kmnist: KMNIST_ENTRY,
  'emnist-digits': EMNIST_DIGITS_ENTRY,
};

export const REGISTERED_NAMES = Object.keys(REGISTRY) as RegisteredName[];

export const isRegisteredName = (name: unknown): name is RegisteredName =>
  typeof name === 'string' && Object.hasOwn(REGISTRY, name);

/** A plain, serialisable summary for menus, `--help` and messages. */
export interface DatasetInfo {
  readonly name: RegisteredName;
  readonly title: string;
  readonly description: string;
  readonly homepage: string;
  readonly license: string;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly classNames: readonly string[];
  readonly counts: Readonly<Record<Split, number>>;
  /** The data root's sub-folder, e.g. `fashion-mnist`. */
  readonly folder: string;
  /**
   * 'files': every file's decompressed SHA-256 is known (any copy can be verified);
   * 'download': only the official download's (copies that are not it are checked by structure);
   * 'partial': some files have no hash (CIFAR-10's batches.meta.txt, checked by content).
   */
  readonly checksums: 'files' | 'partial' | 'download';
  /** Bytes `npm run data` downloads when the files are not on this machine. */
  readonly downloadBytes: number;
}

const allFiles = (e: RegisteredDataset): StandardFile[] => [
  ...e.splits.train.files,
  ...e.splits.test.files,
  ...e.extra,
];

function summarise(e: RegisteredDataset): DatasetInfo {
  const known = allFiles(e).filter((f) => f.sha256 !== null).length;
  const downloadBytes =
    e.fetch.kind === 'files' ? Object.values(e.fetch.gz).reduce((s, g) => s + g.bytes, 0) : e.fetch.bytes;
  return {
    name: e.name,
    title: e.title,
    description: e.description,
    homepage: e.homepage,
    license: e.license,
    height: e.height,
    width: e.width,
    channels: e.channels,
    classNames: e.classNames,
    counts: { train: e.splits.train.count, test: e.splits.test.count },
    folder: e.folder,
    checksums: known === allFiles(e).length ? 'files' : known > 0 ? 'partial' : 'download',
    downloadBytes,
  };
}

export const listDatasets = (): DatasetInfo[] => REGISTERED_NAMES.map((n) => summarise(REGISTRY[n]));

function unknown(name: unknown): Error {
  return new Error(`unknown dataset ${JSON.stringify(name)} (known: ${REGISTERED_NAMES.join(', ')})`);
}

export function registeredDataset(name: string): RegisteredDataset {
  if (!isRegisteredName(name)) throw unknown(name);
  return REGISTRY[name];
}

export const datasetInfo = (name: string): DatasetInfo => summarise(registeredDataset(name));

/** Every standard file of an entry: train, test, then shared files. */
export const registeredFiles = allFiles;

/** The entry whose file has this decompressed SHA-256 (to tell one dataset's files from another's). */
export function datasetWithFileHash(sha256: string): { entry: RegisteredDataset; file: StandardFile } | null {
  for (const name of REGISTERED_NAMES) {
    const file = allFiles(REGISTRY[name]).find((f) => f.sha256 === sha256);
    if (file) return { entry: REGISTRY[name], file };
  }
  return null;
}
