import { describe, expect, it } from 'vitest';
import { servedFiles, standardFileFor, standardFileNames } from './dataset-files';

describe('standard dataset files', () => {
  it('knows the standard names', () => {
    expect(standardFileNames('mnist')).toContain('t10k-labels-idx1-ubyte.gz');
    expect(standardFileFor('mnist', 'some/dir/t10k-labels-idx1-ubyte')?.split).toBe('test');
    expect(standardFileFor('cifar10', 'data_batch_3.bin.gz')).toMatchObject({ split: 'train', index: 2 });
    expect(standardFileFor('mnist', 'cat.png')).toBeNull();
  });

  it('says where each file is served and under which name', () => {
    expect(servedFiles('mnist')).toContainEqual({
      name: 't10k-labels-idx1-ubyte.gz',
      path: 'mnist/t10k-labels-idx1-ubyte',
      gzip: true,
    });
    expect(servedFiles('cifar10').find((f) => f.name === 'batches.meta.txt')).toMatchObject({ gzip: false });
  });
});
