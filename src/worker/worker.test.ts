import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { checkFile, standardFileFor, standardFileNames } from './files';
import { ProgressThrottle } from './throttle';
import type { ProgressEvent } from './protocol';

const file = (name: string, bytes: Uint8Array) => ({ name, arrayBuffer: async () => new Uint8Array(bytes).buffer }); // a copy: a Buffer may share a pool

describe('dropped files', () => {
  it('knows the standard names', () => {
    expect(standardFileNames('mnist')).toContain('t10k-labels-idx1-ubyte.gz');
    expect(standardFileFor('mnist', 'some/dir/t10k-labels-idx1-ubyte')?.split).toBe('test');
    expect(standardFileFor('cifar10', 'data_batch_3.bin.gz')).toMatchObject({ split: 'train', index: 2 });
    expect(standardFileFor('mnist', 'cat.png')).toBeNull();
  });

  it('refuses a corrupted gzip, a wrong name and a truncated file, and accepts a good one', async () => {
    const corrupt = await checkFile(
      'mnist',
      file('train-images-idx3-ubyte.gz', Uint8Array.from([0x1f, 0x8b, 8, 0, 9, 9, 9, 9])),
    );
    expect(corrupt.ok).toBe(false);
    expect(corrupt.message).toMatch(/gzip/);
    expect((await checkFile('mnist', file('cat.png', new Uint8Array(4)))).message).toMatch(/not one of the standard/);
    const labels = new Uint8Array(8 + 10_000);
    new DataView(labels.buffer).setUint32(0, 2049);
    new DataView(labels.buffer).setUint32(4, 10_000);
    const good = await checkFile('mnist', file('t10k-labels-idx1-ubyte.gz', gzipSync(labels)));
    expect(good).toMatchObject({ ok: true });
    const short = await checkFile('mnist', file('t10k-labels-idx1-ubyte', labels.subarray(0, 500)));
    expect(short.ok).toBe(false);
  });
});

describe('progress throttle', () => {
  const ev = (batch: number, extra: Partial<ProgressEvent> = {}): ProgressEvent => ({
    type: 'progress',
    generation: 2,
    generations: 3,
    individual: 0,
    population: 1,
    phase: 'train',
    epoch: 1,
    epochs: 1,
    batch,
    batches: 100,
    loss: batch,
    ...extra,
  });
  it('sends at a bounded rate but keeps every loss', () => {
    let t = 0;
    const th = new ProgressThrottle(100, () => t);
    const sent = [];
    for (let b = 1; b <= 100; b++) {
      t += 10;
      const out = th.offer(ev(b));
      if (out) sent.push(out);
    }
    expect(sent.length).toBeLessThanOrEqual(12);
    expect(sent.flatMap((s) => s.losses)).toHaveLength(100); // the last batch of an epoch always goes
    expect(th.offer(ev(0, { phase: 'evaluate', loss: null }))).not.toBeNull(); // a phase change always goes
  });
});
