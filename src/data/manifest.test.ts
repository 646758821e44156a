import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CIFAR_BATCH_RECORDS } from './cifar';
import { CIFAR10, MANIFESTS, MNIST, standardFiles } from './manifest';
import { datasetsDir } from '../testing/data';

describe('manifest', () => {
  it('lists the standard file names and counts', () => {
    expect(standardFiles(MNIST).map((f) => f.path)).toEqual([
      'mnist/train-images-idx3-ubyte',
      'mnist/train-labels-idx1-ubyte',
      'mnist/t10k-images-idx3-ubyte',
      'mnist/t10k-labels-idx1-ubyte',
    ]);
    expect(standardFiles(CIFAR10).map((f) => path.basename(f.path))).toEqual([
      'data_batch_1.bin',
      'data_batch_2.bin',
      'data_batch_3.bin',
      'data_batch_4.bin',
      'data_batch_5.bin',
      'test_batch.bin',
      'batches.meta.txt',
    ]);
    expect([MNIST.splits.train.count, MNIST.splits.test.count]).toEqual([60000, 10000]);
    for (const split of ['train', 'test'] as const) {
      expect(CIFAR10.splits[split].count).toBe(CIFAR10.splits[split].files.length * CIFAR_BATCH_RECORDS);
    }
    expect(Object.keys(MANIFESTS)).toEqual(['mnist', 'cifar10']);
  });

  it('carries the same decompressed SHA-256 values as shared/datasets/README.md', () => {
    const readme = readFileSync(path.join(datasetsDir(), 'README.md'), 'utf8');
    // Table rows: | name.gz | gz bytes | sha256 of the .gz | sha256 after gunzip ... |
    const published = new Map<string, string>();
    for (const m of readme.matchAll(/^\| ([\w.-]+)\.gz \| [\d,]+ \| [0-9a-f]{64} \| ([0-9a-f]{64})/gm)) {
      published.set(m[1], m[2]);
    }
    const ours = [...standardFiles(MNIST), ...standardFiles(CIFAR10)].filter((f) => f.sha256 !== null);
    expect(published.size).toBe(ours.length);
    for (const f of ours) expect(f.sha256, f.path).toBe(published.get(path.basename(f.path)));
  });
});
