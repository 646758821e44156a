import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageDataset } from './dataset';
import { loadDataset } from './load';
import { CIFAR10, MANIFESTS, MNIST, standardFiles } from './manifest';
import { folderSource } from './node-source';
import { openDataset, openDatasetSplits } from './open';
import {
  datasetInfo,
  listDatasets,
  REGISTRY,
  registeredDataset,
  registeredFiles,
  EMNIST_DIGITS_ENTRY,
  KMNIST_ENTRY,
} from './registry';
import { memorySource } from './sources';
import { labelHistogram } from './subset';
import { datasetRejection, datasetsDir, fashionMnistDir, idxBytes } from '../testing/data';

const imageSum = (d: ImageDataset, n: number): number => {
  const per = d.height * d.width * d.channels;
  return d.pixels.subarray(n * per, (n + 1) * per).reduce((s, v) => s + v, 0);
};
const pixel = (d: ImageDataset, n: number, row: number, col: number): number =>
  d.pixels[(n * d.height + row) * d.width + col];

describe('the registry', () => {
  it('lists every dataset with its shape, counts and how far it can be verified', () => {
    const infos = listDatasets();
    expect(infos.map((d) => d.name)).toEqual(['mnist', 'cifar10', 'fashion-mnist', 'kmnist', 'emnist-digits']);
    const brief = Object.fromEntries(
      infos.map((d) => [d.name, [d.height, d.width, d.channels, d.counts.train, d.counts.test, d.checksums]]),
    );
    expect(brief).toEqual({
      mnist: [28, 28, 1, 60000, 10000, 'files'],
      cifar10: [32, 32, 3, 50000, 10000, 'partial'],
      'fashion-mnist': [28, 28, 1, 60000, 10000, 'files'],
      kmnist: [28, 28, 1, 60000, 10000, 'download'],
      'emnist-digits': [28, 28, 1, 240000, 40000, 'download'],
    });
    expect(datasetInfo('fashion-mnist').classNames).toEqual([
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
    ]);
    expect(datasetInfo('kmnist').classNames).toEqual(['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo']);
    expect(datasetInfo('emnist-digits').downloadBytes).toBe(561_753_746);
    expect(datasetInfo('mnist').downloadBytes).toBe(9_912_422 + 28_881 + 1_648_877 + 4_542);
    for (const info of infos) expect(info.classNames.length).toBe(10);
  });

  it('refuses an unknown name and lists the known ones', () => {
    expect(() => datasetInfo('fashion')).toThrow(
      'unknown dataset "fashion" (known: mnist, cifar10, fashion-mnist, kmnist, emnist-digits)',
    );
    expect(() => registeredDataset('__proto__')).toThrow(/unknown dataset "__proto__"/);
  });

  it('keeps MNIST and CIFAR-10 as the manifest has them', () => {
    expect(registeredFiles(REGISTRY.mnist)).toEqual(standardFiles(MNIST));
    expect(registeredFiles(REGISTRY.cifar10)).toEqual(standardFiles(CIFAR10));
    expect(Object.keys(MANIFESTS)).toEqual(['mnist', 'cifar10']);
  });

  it('never invents a checksum: KMNIST and EMNIST files have none, every hash is 64 hex digits', () => {
    for (const f of [...registeredFiles(KMNIST_ENTRY), ...registeredFiles(EMNIST_DIGITS_ENTRY)]) {
      expect(f.sha256, f.path).toBeNull();
    }
    for (const e of Object.values(REGISTRY)) {
      for (const f of registeredFiles(e)) if (f.sha256 !== null) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
      const plan = e.fetch;
      const hashes = plan.kind === 'files' ? Object.values(plan.gz).map((g) => g.sha256) : [plan.sha256 ?? ''];
      for (const h of hashes) expect(h, e.name).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('carries the decompressed SHA-256 of the files in Debian’s dataset-fashion-mnist', () => {
    const dir = fashionMnistDir();
    expect(readdirSync(dir).sort()).toEqual([
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
    ]);
    for (const f of registeredFiles(REGISTRY['fashion-mnist'])) {
      const raw = gunzipSync(readFileSync(path.join(dir, `${path.basename(f.path)}.gz`)));
      expect(createHash('sha256').update(raw).digest('hex'), f.path).toBe(f.sha256);
    }
  });
});

// Expected values below were computed independently with Python (gzip + numpy).
describe('registered readers on the real files', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'evolab-registry-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('Fashion-MNIST from Debian’s folder, which holds the files directly', async () => {
    const { train, test } = await openDatasetSplits(folderSource(fashionMnistDir()), 'fashion-mnist');
    expect([train.name, train.split, train.count, train.height, train.width, train.channels]).toEqual([
      'fashion-mnist',
      'train',
      60000,
      28,
      28,
      1,
    ]);
    expect(labelHistogram(train.labels)).toEqual(new Array(10).fill(6000));
    expect(labelHistogram(test.labels)).toEqual(new Array(10).fill(1000));
    expect(Array.from(train.labels.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect(Array.from(test.labels.subarray(0, 10))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
    expect([imageSum(train, 0), imageSum(train, 59999), imageSum(test, 0), imageSum(test, 9999)]).toEqual([
      76247, 16684, 33456, 24390,
    ]);
    expect(Array.from({ length: 8 }, (_, c) => pixel(train, 0, 14, 10 + c))).toEqual([
      0, 0, 237, 226, 217, 223, 222, 219,
    ]);
    expect(train.classNames[9]).toBe('Ankle boot');
  });

  it('Fashion-MNIST from a data root with a fashion-mnist/ folder', async () => {
    await symlink(fashionMnistDir(), path.join(tmp, 'fashion-mnist'));
    const test = await openDataset(folderSource(tmp), { kind: 'registered', name: 'fashion-mnist' }, 'test');
    expect([test.count, test.labels[0], imageSum(test, 0)]).toEqual([10000, 9, 33456]);
  });

  it('MNIST and CIFAR-10 from shared/datasets through openDataset', async () => {
    const src = folderSource(datasetsDir());
    const mnist = await openDataset(src, 'mnist', 'test');
    expect([mnist.name, mnist.count, imageSum(mnist, 0)]).toEqual(['mnist', 10000, 18454]);
    const cifar = await openDataset(src, 'cifar10', 'test');
    expect([cifar.name, cifar.count, cifar.channels, Array.from(cifar.labels.subarray(0, 3))]).toEqual([
      'cifar10',
      10000,
      3,
      [3, 8, 8],
    ]);
  });

  it('refuses Fashion-MNIST’s files opened as another dataset, naming the right one', async () => {
    const src = folderSource(fashionMnistDir());
    const err = await datasetRejection(loadDataset('mnist', 'test', src));
    expect(err.file).toBe('mnist/t10k-labels-idx1-ubyte.gz');
    expect(err.problem).toBe(
      "holds Fashion-MNIST's labels, not MNIST's (its SHA-256 is that of fashion-mnist/t10k-labels-idx1-ubyte)",
    );
    expect(err.hint).toBe('Choose the dataset "fashion-mnist" for these files, or point at the MNIST files.');
    const k = await datasetRejection(openDataset(src, 'kmnist', 'train'));
    expect(k.problem).toMatch(/^holds Fashion-MNIST's labels, not Kuzushiji-MNIST's/);
  });
});

/** `count` synthetic 28×28 images: image n has value n % 251 at (r, c) = (n % 28, 3), else 0. */
function syntheticIdx(count: number, classes = 10): { images: Uint8Array; labels: Uint8Array } {
  const body = new Uint8Array(count * 784);
  for (let n = 0; n < count; n++) body[n * 784 + (n % 28) * 28 + 3] = 1 + (n % 251);
  const labels = Uint8Array.from({ length: count }, (_, n) => (n * 7) % classes);
  return { images: idxBytes(2051, [count, 28, 28], body), labels: idxBytes(2049, [count], labels) };
}

describe('KMNIST and EMNIST digits on files built in their standard format', () => {
  it('KMNIST’s test split, gzipped labels and plain images named the dotted way (as Kaggle writes them)', async () => {
    const { images, labels } = syntheticIdx(10000);
    const src = memorySource(
      { 'kmnist/t10k-images.idx3-ubyte': images, 'kmnist/t10k-labels-idx1-ubyte.gz': gzipSync(labels) },
      'test files',
    );
    const d = await openDataset(src, 'kmnist', 'test');
    expect([d.name, d.count, d.height, d.width, d.channels]).toEqual(['kmnist', 10000, 28, 28, 1]);
    expect(d.classNames).toEqual(KMNIST_ENTRY.classNames);
    expect(Array.from(d.labels.subarray(0, 4))).toEqual([0, 7, 4, 1]);
    expect([pixel(d, 0, 0, 3), pixel(d, 29, 1, 3), pixel(d, 29, 3, 1)]).toEqual([1, 30, 0]);
  });

  it('KMNIST with the wrong number of images says what the standard split holds', async () => {
    const { images, labels } = syntheticIdx(100);
    const src = memorySource(
      { 'kmnist/train-images-idx3-ubyte': images, 'kmnist/train-labels-idx1-ubyte': labels },
      'test files',
    );
    const err = await datasetRejection(openDataset(src, 'kmnist', 'train'));
    expect(err.problem).toBe('has 100 images (expected 60000 for the standard Kuzushiji-MNIST train split)');
  });

  it('EMNIST digits: its own file names, and each image turned upright (EMNIST stores them transposed)', async () => {
    const { images, labels } = syntheticIdx(40000);
    const src = memorySource(
      {
        'emnist-digits/emnist-digits-test-images-idx3-ubyte.gz': gzipSync(images, { level: 1 }),
        'emnist-digits/emnist-digits-test-labels-idx1-ubyte': labels,
      },
      'test files',
    );
    const d = await openDataset(src, 'emnist-digits', 'test');
    expect([d.name, d.count, d.classNames.join('')]).toEqual(['emnist-digits', 40000, '0123456789']);
    // Stored at (row n % 28, column 3); upright at (row 3, column n % 28).
    expect([pixel(d, 0, 3, 0), pixel(d, 0, 0, 3), pixel(d, 29, 3, 1), pixel(d, 39999, 3, 39999 % 28)]).toEqual([
      1,
      0,
      30,
      1 + (39999 % 251),
    ]);
  });
});

describe('bad copies of the registered datasets', () => {
  it('a truncated copy of Fashion-MNIST’s test images says how much is missing', async () => {
    const raw = gunzipSync(readFileSync(path.join(fashionMnistDir(), 't10k-images-idx3-ubyte.gz')));
    const src = memorySource(
      {
        'fashion-mnist/t10k-images-idx3-ubyte': raw.subarray(0, raw.length - 784),
        'fashion-mnist/t10k-labels-idx1-ubyte.gz': readFileSync(
          path.join(fashionMnistDir(), 't10k-labels-idx1-ubyte.gz'),
        ),
      },
      'test files',
    );
    const err = await datasetRejection(openDataset(src, 'fashion-mnist', 'test'));
    expect(err.file).toBe('fashion-mnist/t10k-images-idx3-ubyte');
    expect(err.problem).toBe('truncated: expected 7840016 bytes, got 7839232');
  });

  it('EMNIST digits with 32×32 images and too few labels', async () => {
    const labels = syntheticIdx(40000).labels;
    const wrongSize = idxBytes(2051, [40000, 32, 32], new Uint8Array(40000 * 1024));
    const sized = await datasetRejection(
      openDataset(
        memorySource(
          {
            'emnist-digits/emnist-digits-test-images-idx3-ubyte': wrongSize,
            'emnist-digits/emnist-digits-test-labels-idx1-ubyte': labels,
          },
          'test files',
        ),
        'emnist-digits',
        'test',
      ),
    );
    expect(sized.problem).toBe('wrong image size 32×32 (expected 28×28 for EMNIST Digits)');
    const few = await datasetRejection(
      openDataset(
        memorySource(
          {
            'emnist-digits/emnist-digits-test-images-idx3-ubyte': syntheticIdx(40000).images,
            'emnist-digits/emnist-digits-test-labels-idx1-ubyte': idxBytes(2049, [39990], new Uint8Array(39990)),
          },
          'test files',
        ),
        'emnist-digits',
        'test',
      ),
    );
    expect(few.file).toBe('emnist-digits/emnist-digits-test-labels-idx1-ubyte');
    expect(few.problem).toMatch(/^has 39990 labels but .* has 40000 images/);
  });
});
