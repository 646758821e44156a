/**
 * `npm run evolve` on datasets beyond MNIST and CIFAR-10, as a person runs it: Fashion-MNIST from
 * Debian's folder, any IDX folder, a folder of one's own pictures, and what goes wrong.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../experiment/records';
import { fashionMnistDir, idxBytes } from '../testing/data';
import { writePictureFolder } from '../testing/pictures';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

async function evolve(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(TSX, ['src/cli/evolve.ts', ...args], {
      cwd: REPO_ROOT,
      maxBuffer: 1 << 24,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const SHORT = ['--epochs', '1', '--ancestor-epochs', '1', '--threads', '1', '--mode', 'asexual'];
const report = async (dir: string) => JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8')) as RunReport;

/** An IDX folder: `classes` classes of rows × cols grey images, 6 per class to train on and 2 to test. */
async function idxFolder(dir: string, rows: number, cols: number, classes: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  const split = async (prefix: string, per: number) => {
    const labels = Array.from({ length: classes * per }, (_, i) => i % classes);
    const body = Uint8Array.from({ length: labels.length * rows * cols }, (_, k) => {
      const [n, p] = [Math.floor(k / (rows * cols)), k % (rows * cols)];
      return (p % classes === labels[n] ? 200 : 20) + (k % 7);
    });
    await writeFile(path.join(dir, `${prefix}-images-idx3-ubyte`), idxBytes(2051, [labels.length, rows, cols], body));
    await writeFile(path.join(dir, `${prefix}-labels-idx1-ubyte`), idxBytes(2049, [labels.length], labels));
  };
  await split('train', 6);
  await split('t10k', 2);
  return dir;
}

describe('npm run evolve on other datasets', () => {
  it('evolves Fashion-MNIST from Debian’s folder, named by --dataset, with or without --data-dir', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'evolab-fashion-'));
    const common = [
      ...SHORT,
      ...['--ancestor-epochs', '3', '--dataset', 'fashion-mnist', '--train-subset', '300', '--test-subset', '200'],
    ];
    const given = await evolve([
      ...common,
      '--generations',
      '2',
      '--data-dir',
      fashionMnistDir(),
      '--out',
      path.join(root, 'a'),
    ]);
    expect(given.stderr).toMatch(/done:/);
    const r = await report(path.join(root, 'a'));
    expect(r.config.dataset).toBe('fashion-mnist');
    expect(r.data).toMatchObject({ name: 'fashion-mnist', height: 28, width: 28, channels: 1, trainImages: 60_000 });
    expect(r.data?.classNames.slice(0, 2)).toEqual(['T-shirt/top', 'Trouser']);
    expect(r.records.map((x) => x.generation)).toEqual([1, 2]);
    // Far better than chance (10 %) after three epochs on 300 images.
    expect(r.records[0].testAccuracy).toBeGreaterThan(0.4);
    expect(r.records[1].exportBytes).toBeLessThan(r.records[0].exportBytes!);

    // Without --data-dir the system package's folder is found.
    if (fashionMnistDir() === '/usr/share/datasets/fashion-mnist') {
      const found = await evolve([...common, '--generations', '1', '--out', path.join(root, 'b')]);
      expect(found.stderr).toMatch(/loading fashion-mnist from folder \/usr\/share\/datasets\/fashion-mnist/);
      expect((await report(path.join(root, 'b'))).records[0].testAccuracy).toBe(r.records[0].testAccuracy);
    }
  }, 300_000);

  it('evolves a folder of one’s own pictures, the network sized to them, and exports it with its class names', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'evolab-pictures-'));
    const pictures = await writePictureFolder(path.join(root, 'shapes'), {
      classes: ['left', 'top', 'right'],
      perClass: 10,
      colour: true,
    });
    const described = await evolve(['--describe', '--dataset', 'images', '--data-dir', pictures]);
    expect(described.code).toBe(0);
    expect(JSON.parse(described.stdout)).toMatchObject({
      dataset: 'images',
      input: { height: 32, width: 32, channels: 3 },
      classes: 3,
      synapses: 144_736,
    });
    const out = path.join(root, 'run');
    const run = await evolve([
      ...SHORT,
      '--dataset',
      'images',
      '--data-dir',
      pictures,
      '--generations',
      '2',
      '--out',
      out,
    ]);
    expect(run.stderr).toMatch(/done:/);
    const r = await report(out);
    // 10 pictures per class: 2 held out for testing, 8 to train on.
    expect(r.data).toEqual({
      name: 'shapes',
      height: 32,
      width: 32,
      channels: 3,
      classNames: ['left', 'right', 'top'],
      trainImages: 24,
      testImages: 6,
    });
    expect(r.records.every((x) => x.testImages === 6)).toBe(true);
    const exported = await evolve(['--export-model', '2', '--run', out, '--out', path.join(root, 'model')]);
    expect(exported.code).toBe(0);
    const model = JSON.parse(await readFile(path.join(root, 'model', 'model.json'), 'utf8'));
    expect(model.userDefinedMetadata).toMatchObject({ dataset: 'shapes', classNames: ['left', 'right', 'top'] });
    expect(JSON.parse(exported.stdout).exported.layers.at(-1)).toMatchObject({
      name: 'fc2',
      kernel: [expect.any(Number), 3],
    });
  }, 300_000);

  it('evolves any IDX folder, fc1 sized to its images', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'evolab-idx-'));
    const dir = await idxFolder(path.join(root, 'glyphs'), 20, 20, 4);
    const described = JSON.parse((await evolve(['--describe', '--dataset', 'idx', '--data-dir', dir])).stdout);
    expect(described).toMatchObject({ input: { height: 20, width: 20, channels: 1 }, classes: 4 });
    expect(described.layers.at(-1)).toMatchObject({ name: 'fc1', shape: '64 × 64 × 3×3' });
    const run = await evolve([
      ...SHORT,
      '--dataset',
      'idx',
      '--data-dir',
      dir,
      '--generations',
      '2',
      '--out',
      path.join(root, 'run'),
    ]);
    expect(run.stderr).toMatch(/done:/);
    const r = await report(path.join(root, 'run'));
    expect(r.data).toMatchObject({ name: 'glyphs', height: 20, width: 20, classNames: ['0', '1', '2', '3'] });
    expect(r.records[0].synapses).toBe(800 + 25_600 + 51_200 + 64 * 64 * 9);
  }, 300_000);

  it('explains what is wrong with the data or the flags', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'evolab-bad-data-'));
    const out = path.join(root, 'out');
    const tiny = await idxFolder(path.join(root, 'tiny'), 6, 6, 2);
    const lonely = await writePictureFolder(path.join(root, 'lonely'), {
      classes: ['cat'],
      perClass: 8,
      colour: false,
    });
    const few = await writePictureFolder(path.join(root, 'few'), {
      classes: ['cat', 'dog'],
      perClass: 3,
      colour: false,
    });
    const cases: [string[], RegExp][] = [
      [
        ['--dataset', 'images'],
        /--dataset images reads your own pictures: give a folder with one sub-folder of PNG or JPEG pictures per class .* --data-dir DIR/,
      ],
      [['--dataset', 'idx'], /--dataset idx reads any IDX dataset: give the folder holding its four files/],
      [
        ['--dataset', 'svhn', '--data-dir', root],
        /Dataset must be one of mnist, cifar10, fashion-mnist, .* \(got "svhn"\)/,
      ],
      [['--dataset', 'images', '--data-dir', path.join(root, 'nowhere')], /--data-dir .*nowhere does not exist/],
      [
        ['--dataset', 'idx', '--data-dir', tiny],
        /cannot be learnt by the network: images are 6×6 pixels; .* at least 8/,
      ],
      [['--dataset', 'images', '--data-dir', lonely], /has a single class \(cat\)/],
      [['--dataset', 'images', '--data-dir', few], /has 3 pictures \(at least 6 needed per class/],
      [['--dataset', 'kmnist', '--data-dir', tmpdir()], /train-images-idx3-ubyte/],
    ];
    for (const [args, message] of cases) {
      const r = await evolve([...args, ...SHORT, '--generations', '1', '--quiet', '--out', out]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
  }, 300_000);
});
