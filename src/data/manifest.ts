/**
 * The standard files of each dataset, as laid out under public/data (and /work/shared/datasets):
 * `<folder>/<name>` or `<folder>/<name>.gz`. SHA-256 values are of the decompressed files, which
 * are the canonical releases (shared/datasets/README.md), so they hold for any gzip wrapper.
 */
import { CIFAR10_CLASS_NAMES } from './cifar';
import type { DatasetName, Split } from './dataset';

export interface StandardFile {
  /** Path relative to the data root, without `.gz`, e.g. `mnist/train-images-idx3-ubyte`. */
  readonly path: string;
  /**
   * SHA-256 of the decompressed file, or null for batches.meta.txt, which has no canonical
   * published hash (it is checked by content instead).
   */
  readonly sha256: string | null;
  /** Kept as `.gz` when stored; batches.meta.txt is tiny and kept plain. */
  readonly gzip: boolean;
}

export interface SplitFiles {
  /** Number of images in the split. */
  readonly count: number;
  /** MNIST: [images, labels]; CIFAR-10: the binary batches in order. */
  readonly files: readonly StandardFile[];
}

export interface DatasetManifest {
  readonly name: DatasetName;
  readonly folder: string;
  readonly format: 'idx' | 'cifar';
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly classNames: readonly string[];
  readonly splits: Readonly<Record<Split, SplitFiles>>;
  /** Files shared by all splits (CIFAR-10's class names). */
  readonly extra: readonly StandardFile[];
}

const gz = (path: string, sha256: string): StandardFile => ({ path, sha256, gzip: true });

export const MNIST: DatasetManifest = {
  name: 'mnist',
  folder: 'mnist',
  format: 'idx',
  height: 28,
  width: 28,
  channels: 1,
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  splits: {
    train: {
      count: 60_000,
      files: [
        gz('mnist/train-images-idx3-ubyte', 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db'),
        gz('mnist/train-labels-idx1-ubyte', '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5'),
      ],
    },
    test: {
      count: 10_000,
      files: [
        gz('mnist/t10k-images-idx3-ubyte', '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7'),
        gz('mnist/t10k-labels-idx1-ubyte', 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2'),
      ],
    },
  },
  extra: [],
};

export const CIFAR10_META: StandardFile = { path: 'cifar-10/batches.meta.txt', sha256: null, gzip: false };

export const CIFAR10: DatasetManifest = {
  name: 'cifar10',
  folder: 'cifar-10',
  format: 'cifar',
  height: 32,
  width: 32,
  channels: 3,
  classNames: CIFAR10_CLASS_NAMES,
  splits: {
    train: {
      count: 50_000,
      files: [
        gz('cifar-10/data_batch_1.bin', 'cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5'),
        gz('cifar-10/data_batch_2.bin', 'a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed'),
        gz('cifar-10/data_batch_3.bin', 'bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67'),
        gz('cifar-10/data_batch_4.bin', '014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48'),
        gz('cifar-10/data_batch_5.bin', '755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add'),
      ],
    },
    test: {
      count: 10_000,
      files: [gz('cifar-10/test_batch.bin', '8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b')],
    },
  },
  extra: [CIFAR10_META],
};

export const MANIFESTS: Readonly<Record<DatasetName, DatasetManifest>> = { mnist: MNIST, cifar10: CIFAR10 };

/** Every standard file of a dataset, train then test then shared files. */
export const standardFiles = (m: DatasetManifest): StandardFile[] => [
  ...m.splits.train.files,
  ...m.splits.test.files,
  ...m.extra,
];
