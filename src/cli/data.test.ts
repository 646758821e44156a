import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { EMNIST_DIGITS_ENTRY, KMNIST_ENTRY, type FetchPlan, type RegisteredDataset } from '../data/registry';
import type { FetchLike } from '../data/sources';
import { runDataCli } from './data';
import { CIFAR10_TARBALL, MNIST_MIRRORS } from './download';
import { datasetsDir, fashionMnistDir, idxBytes, zipBytes } from '../testing/data';

const DATA = datasetsDir();
const MNIST_FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
];

async function run(
  argv: string[],
  env: Record<string, string | undefined>,
  fetchImpl?: FetchLike,
  registry?: Record<string, RegisteredDataset>,
) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDataCli({
    argv,
    env,
    fetchImpl,
    registry,
    log: (s) => out.push(s),
    error: (s) => err.push(s),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The table row for `file`: [result, detail]. */
function row(output: string, file: string): string[] {
  const line = output.split('\n').find((l) => l.startsWith(`${file} `));
  if (!line) throw new Error(`no row for ${file} in:\n${output}`);
  const [result, ...detail] = line.slice(file.length).trim().split(/\s+/);
  return [result, detail.join(' ')];
}

const failingFetch =
  (calls: string[]): FetchLike =>
  async (url) => {
    calls.push(url);
    throw new TypeError('fetch failed', { cause: new Error(`getaddrinfo ENOTFOUND ${new URL(url).host}`) });
  };

describe('npm run data', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'evolab-data-cli-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('copies MNIST from DATA_DIR, verifies it, and skips verified files on the next run', async () => {
    const out = path.join(tmp, 'public-data');
    const first = await run(['--dataset', 'mnist', '--out', out], { DATA_DIR: DATA });
    expect(first.code, first.err).toBe(0);
    for (const name of MNIST_FILES) {
      expect(row(first.out, `mnist/${name}.gz`)[0]).toBe('copied');
      // The .gz wrapper is kept as is, so the copy is byte-identical.
      expect(
        readFileSync(path.join(out, 'mnist', `${name}.gz`)).equals(
          readFileSync(path.join(DATA, 'mnist', `${name}.gz`)),
        ),
      ).toBe(true);
    }
    expect(existsSync(path.join(out, 'cifar-10'))).toBe(false);
    const before = (await stat(path.join(out, 'mnist/train-images-idx3-ubyte.gz'))).mtimeMs;

    const second = await run(['--dataset=mnist', `--out=${out}`], { DATA_DIR: DATA });
    expect(second.code).toBe(0);
    for (const name of MNIST_FILES)
      expect(row(second.out, `mnist/${name}.gz`)).toEqual(['kept', 'already present, verified']);
    expect((await stat(path.join(out, 'mnist/train-images-idx3-ubyte.gz'))).mtimeMs).toBe(before);

    // A damaged copy in the output is noticed and replaced.
    await writeFile(path.join(out, 'mnist/t10k-labels-idx1-ubyte.gz'), 'garbage');
    const third = await run(['--dataset', 'mnist', '--out', out], { DATA_DIR: DATA });
    expect(third.code).toBe(0);
    expect(row(third.out, 'mnist/t10k-labels-idx1-ubyte.gz')[1]).toMatch(/replaced a copy that failed verification/);
    expect(row(third.out, 'mnist/t10k-images-idx3-ubyte.gz')[0]).toBe('kept');
  });

  it('gzips plain files from DATA_DIR and refuses a copy whose checksum is wrong', async () => {
    const src = path.join(tmp, 'other-data');
    await mkdir(path.join(src, 'mnist'), { recursive: true });
    for (const name of MNIST_FILES.slice(0, 2)) {
      await copyFile(path.join(DATA, 'mnist', `${name}.gz`), path.join(src, 'mnist', `${name}.gz`));
    }
    const images = gunzipSync(readFileSync(path.join(DATA, 'mnist/t10k-images-idx3-ubyte.gz')));
    await writeFile(path.join(src, 'mnist/t10k-images-idx3-ubyte'), images);
    const labels = gunzipSync(readFileSync(path.join(DATA, 'mnist/t10k-labels-idx1-ubyte.gz')));
    labels[8] = (labels[8] + 1) % 10; // one wrong label: still a valid IDX file, but not the standard one
    await writeFile(path.join(src, 'mnist/t10k-labels-idx1-ubyte'), labels);

    const out = path.join(tmp, 'out-2');
    const r = await run(['--dataset', 'mnist', '--out', out], { DATA_DIR: src });
    expect(r.code).toBe(1);
    expect(row(r.out, 'mnist/t10k-images-idx3-ubyte.gz')[0]).toBe('copied');
    expect(gunzipSync(readFileSync(path.join(out, 'mnist/t10k-images-idx3-ubyte.gz'))).equals(images)).toBe(true);
    expect(row(r.out, 'mnist/t10k-labels-idx1-ubyte.gz')[0]).toBe('FAILED');
    expect(r.err).toMatch(
      /mnist\/t10k-labels-idx1-ubyte\.gz: .*sha256 after gunzip is [0-9a-f]{64}, expected ff7bcfd4/,
    );
    expect(r.err).toMatch(/Fix or replace the source files/);
    expect(existsSync(path.join(out, 'mnist/t10k-labels-idx1-ubyte.gz'))).toBe(false);
  });

  it('without DATA_DIR and without network, fails fast and says to set DATA_DIR', async () => {
    const calls: string[] = [];
    const out = path.join(tmp, 'offline');
    const r = await run(['--out', out], {}, failingFetch(calls));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /could not download https:\/\/storage\.googleapis\.com\/cvdf-datasets\/mnist\/train-images-idx3-ubyte\.gz \(fetch failed: getaddrinfo ENOTFOUND/,
    );
    expect(r.err).toMatch(/No network\? Set DATA_DIR to a folder laid out as mnist\/ and cifar-10\//);
    expect(r.err).toContain('11 of 11 files could not be installed');
    // Each unreachable host is tried once, not once per file.
    expect(calls).toEqual([
      `${MNIST_MIRRORS[0]}train-images-idx3-ubyte.gz`,
      `${MNIST_MIRRORS[1]}train-images-idx3-ubyte.gz`,
      CIFAR10_TARBALL,
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it('gives up on a download that stalls', async () => {
    const hanging: FetchLike = () => new Promise<Response>(() => {});
    const r = await run(
      ['--dataset', 'mnist', '--out', path.join(tmp, 'stalled')],
      { EVOLAB_FETCH_TIMEOUT_MS: '30' },
      hanging,
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/nothing received for 0\.03 s/);
    expect(r.err).toMatch(/Set DATA_DIR/);
  });

  it('downloads MNIST from the second mirror when the first answers 404', async () => {
    const calls: string[] = [];
    const mirror: FetchLike = async (url) => {
      calls.push(url);
      if (!url.startsWith(MNIST_MIRRORS[1])) return new Response('', { status: 404, statusText: 'Not Found' });
      return new Response(readFileSync(path.join(DATA, 'mnist', path.basename(url))));
    };
    const out = path.join(tmp, 'downloaded');
    const r = await run(['--dataset', 'mnist', '--out', out], {}, mirror);
    expect(r.code, r.err).toBe(0);
    for (const name of MNIST_FILES) {
      expect(row(r.out, `mnist/${name}.gz`)).toEqual(['downloaded', `from ${MNIST_MIRRORS[1]}${name}.gz, verified`]);
    }
    expect(calls.length).toBe(8); // a 404 does not mark the host unreachable
  });

  it('unpacks the CIFAR-10 tarball and still refuses batches that are not the standard ones', async () => {
    const src = path.join(tmp, 'tar-src', 'cifar-10-batches-bin');
    await mkdir(src, { recursive: true });
    for (const f of ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch']) {
      await writeFile(path.join(src, `${f}.bin`), Buffer.alloc(3073, 1));
    }
    await copyFile(path.join(DATA, 'cifar-10/batches.meta.txt'), path.join(src, 'batches.meta.txt'));
    const tarFile = path.join(tmp, 'cifar.tar');
    execFileSync('tar', ['-cf', tarFile, '-C', path.dirname(src), 'cifar-10-batches-bin']);
    const tarball = gzipSync(readFileSync(tarFile), { level: 1 });
    const calls: string[] = [];
    const fake: FetchLike = async (url) => {
      calls.push(url);
      return new Response(tarball);
    };
    const out = path.join(tmp, 'cifar-out');
    const r = await run(['--dataset', 'cifar10', '--out', out], {}, fake);
    expect(r.code).toBe(1);
    expect(calls).toEqual([CIFAR10_TARBALL]); // one download for all seven files
    expect(row(r.out, 'cifar-10/batches.meta.txt')[0]).toBe('downloaded');
    expect(await readFile(path.join(out, 'cifar-10/batches.meta.txt'), 'utf8')).toMatch(/^airplane\nautomobile\n/);
    expect(row(r.out, 'cifar-10/data_batch_3.bin.gz')[0]).toBe('FAILED');
    expect(r.err).toMatch(/cifar-10\/data_batch_3\.bin\.gz: .*sha256 after gunzip is [0-9a-f]{64}, expected bbe85965/);
    expect(existsSync(path.join(out, 'cifar-10/data_batch_3.bin.gz'))).toBe(false);
  });

  it('names the missing file and the folder when DATA_DIR lacks it', async () => {
    const src = path.join(tmp, 'partial-data');
    await mkdir(path.join(src, 'mnist'), { recursive: true });
    const r = await run(['--dataset', 'mnist', '--out', path.join(tmp, 'out-partial')], { DATA_DIR: src });
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `mnist/t10k-labels-idx1-ubyte.gz: mnist/t10k-labels-idx1-ubyte: file not found (looked for ` +
        `mnist/t10k-labels-idx1-ubyte.gz and mnist/t10k-labels-idx1-ubyte in folder ${src})`,
    );
    expect(r.err).not.toMatch(/No network/);
  });

  it('rejects a DATA_DIR that does not exist', async () => {
    const r = await run(['--out', path.join(tmp, 'x')], { DATA_DIR: path.join(tmp, 'no-such-folder') });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/DATA_DIR=.*no-such-folder does not exist/);
  });

  it('runs as a script and rejects bad options with the usage (exit code 2)', async () => {
    const repo = fileURLToPath(new URL('../..', import.meta.url));
    const tsx = path.join(repo, 'node_modules/.bin/tsx');
    const result = await promisify(execFile)(tsx, ['src/cli/data.ts', '--dataset', 'fashion'], { cwd: repo }).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(result?.code).toBe(2);
    expect(result?.stderr).toMatch(
      /--dataset must be mnist, cifar10, fashion-mnist, kmnist, emnist-digits or all \(or several, comma-separated\), not "fashion"/,
    );
    expect(result?.stderr).toMatch(/usage: npm run data/);
  });
});

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A registered dataset with small splits (so a test can build its files), and optionally another source. */
function smaller(e: RegisteredDataset, train: number, test: number, fetch: FetchPlan = e.fetch): RegisteredDataset {
  return {
    ...e,
    splits: { train: { ...e.splits.train, count: train }, test: { ...e.splits.test, count: test } },
    fetch,
  };
}

/** A dataset's four IDX files (decompressed), by base name, with `train`/`test` images. */
function idxFiles(e: RegisteredDataset, train: number, test: number): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const [split, count] of [
    ['train', train],
    ['test', test],
  ] as const) {
    const [images, labels] = e.splits[split].files.map((f) => path.basename(f.path));
    files.set(images, idxBytes(2051, [count, 28, 28], new Uint8Array(count * 784).fill(count)));
    files.set(
      labels,
      idxBytes(
        2049,
        [count],
        Uint8Array.from({ length: count }, (_, i) => i % 10),
      ),
    );
  }
  return files;
}

describe('npm run data for the other registered datasets', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'evolab-data-more-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('takes Fashion-MNIST from Debian’s folder before the network, verified by its checksums', async () => {
    const calls: string[] = [];
    const out = path.join(tmp, 'fashion');
    const r = await run(['--dataset', 'fashion-mnist', '--out', out], {}, failingFetch(calls));
    expect(r.code, r.err).toBe(0);
    expect(calls).toEqual([]);
    for (const name of MNIST_FILES) {
      expect(row(r.out, `fashion-mnist/${name}.gz`)).toEqual(['copied', `from ${fashionMnistDir()}, verified`]);
    }
    expect(
      readFileSync(path.join(out, 'fashion-mnist/t10k-labels-idx1-ubyte.gz')).equals(
        readFileSync(path.join(fashionMnistDir(), 't10k-labels-idx1-ubyte.gz')),
      ),
    ).toBe(true);
  });

  it('takes several datasets at once: MNIST from DATA_DIR, Fashion-MNIST from Debian’s folder after it', async () => {
    const r = await run(['--dataset', 'mnist,fashion-mnist', '--out', path.join(tmp, 'both')], { DATA_DIR: DATA });
    expect(r.code, r.err).toBe(0);
    expect(row(r.out, 'mnist/train-images-idx3-ubyte.gz')).toEqual(['copied', `from ${DATA}, verified`]);
    expect(row(r.out, 'fashion-mnist/train-images-idx3-ubyte.gz')).toEqual([
      'copied',
      `from ${fashionMnistDir()}, verified`,
    ]);
  });

  it('refuses a KMNIST download that is not the official .gz (its files have no published hash)', async () => {
    const fake = idxFiles(KMNIST_ENTRY, 60000, 10000);
    const calls: string[] = [];
    const mirror: FetchLike = async (url) => {
      calls.push(url);
      return new Response(gzipSync(fake.get(path.basename(url, '.gz'))!, { level: 1 }));
    };
    const r = await run(['--dataset', 'kmnist', '--out', path.join(tmp, 'kmnist-bad')], {}, mirror);
    expect(r.code).toBe(1);
    expect(calls[0]).toBe('https://codh.rois.ac.jp/kmnist/dataset/kmnist/train-images-idx3-ubyte.gz');
    expect(r.err).toMatch(
      /kmnist\/train-images-idx3-ubyte\.gz: .*sha256 of the download is [0-9a-f]{64}, expected 51467d22d8cc7292.* \(the official \.gz\); not installed/,
    );
    expect(r.err).toContain('4 of 4 files could not be installed');
  });

  it('installs KMNIST whose download matches the official .gz, and keeps it on the next run', async () => {
    const files = idxFiles(KMNIST_ENTRY, 30, 10);
    const gz = new Map([...files].map(([name, raw]) => [name, gzipSync(raw)]));
    const plan: FetchPlan = {
      kind: 'files',
      mirrors: ['https://mirror.test/kmnist/'],
      gz: Object.fromEntries([...gz].map(([name, bytes]) => [name, { sha256: sha256(bytes), bytes: bytes.length }])),
    };
    const registry = { kmnist: smaller(KMNIST_ENTRY, 30, 10, plan) };
    const mirror: FetchLike = async (url) => new Response(gz.get(path.basename(url, '.gz'))!.slice());
    const out = path.join(tmp, 'kmnist-good');
    const r = await run(['--dataset', 'kmnist', '--out', out], {}, mirror, registry);
    expect(r.code, r.err).toBe(0);
    expect(row(r.out, 'kmnist/t10k-labels-idx1-ubyte.gz')).toEqual([
      'downloaded',
      'from https://mirror.test/kmnist/t10k-labels-idx1-ubyte.gz, verified (official .gz)',
    ]);
    const again = await run(['--dataset', 'kmnist', '--out', out], {}, failingFetch([]), registry);
    expect(row(again.out, 'kmnist/train-images-idx3-ubyte.gz')).toEqual([
      'kept',
      'already present, verified (official .gz)',
    ]);
  });

  it('copies KMNIST from DATA_DIR by its structure, and refuses a copy with the wrong count', async () => {
    const src = path.join(tmp, 'kmnist-src'); // the files directly in it, plain
    await mkdir(src);
    for (const [name, raw] of idxFiles(KMNIST_ENTRY, 30, 7)) await writeFile(path.join(src, name), raw);
    const registry = { kmnist: smaller(KMNIST_ENTRY, 30, 10) };
    const r = await run(
      ['--dataset', 'kmnist', '--out', path.join(tmp, 'kmnist-copy')],
      { DATA_DIR: src },
      undefined,
      registry,
    );
    expect(r.code).toBe(1);
    expect(row(r.out, 'kmnist/train-images-idx3-ubyte.gz')).toEqual([
      'copied',
      `from ${src}, structure checked (no published checksum for this copy)`,
    ]);
    expect(r.err).toContain(
      'kmnist/t10k-images-idx3-ubyte.gz: ' + `${src}: has 7 images (expected 10 for the test split); not installed`,
    );
  });

  it('refuses another dataset’s files copied as KMNIST', async () => {
    const r = await run(['--dataset', 'kmnist', '--out', path.join(tmp, 'kmnist-fashion')], {
      DATA_DIR: fashionMnistDir(),
    });
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `kmnist/t10k-labels-idx1-ubyte.gz: ${fashionMnistDir()}: is Fashion-MNIST's fashion-mnist/t10k-labels-idx1-ubyte, not a Kuzushiji-MNIST file; not installed`,
    );
    expect(r.err).toContain('4 of 4 files could not be installed');
  });

  it('unpacks EMNIST digits from the official zip, and refuses a zip that is not it', async () => {
    const files = idxFiles(EMNIST_DIGITS_ENTRY, 40, 20);
    const zip = zipBytes([
      { name: 'gzip/' },
      { name: 'gzip/emnist-letters-train-images-idx3-ubyte.gz', data: gzipSync(new Uint8Array(9)) },
      ...[...files].map(([name, raw]) => ({ name: `gzip/${name}.gz`, data: gzipSync(raw) })),
    ]);
    const calls: string[] = [];
    const server: FetchLike = async (url) => {
      calls.push(url);
      return new Response(zip.slice());
    };
    const bad = await run(['--dataset', 'emnist-digits', '--out', path.join(tmp, 'emnist-bad')], {}, server);
    expect(bad.code).toBe(1);
    expect(calls).toEqual(['https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip']); // one download for all four
    expect(bad.err).toMatch(/sha256 is [0-9a-f]{64}, expected fb9bb67e33772a9c/);

    const plan = { ...EMNIST_DIGITS_ENTRY.fetch, sha256: sha256(zip) } as FetchPlan;
    const registry = { 'emnist-digits': smaller(EMNIST_DIGITS_ENTRY, 40, 20, plan) };
    const out = path.join(tmp, 'emnist');
    const r = await run(['--dataset', 'emnist-digits', '--out', out], {}, server, registry);
    expect(r.code, r.err).toBe(0);
    expect(row(r.out, 'emnist-digits/emnist-digits-test-labels-idx1-ubyte.gz')).toEqual([
      'downloaded',
      'from https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip, verified (official archive)',
    ]);
    const got = gunzipSync(readFileSync(path.join(out, 'emnist-digits/emnist-digits-train-images-idx3-ubyte.gz')));
    expect(got.equals(files.get('emnist-digits-train-images-idx3-ubyte')!)).toBe(true);
  });
});
