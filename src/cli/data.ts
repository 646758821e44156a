/**
 * `npm run data`: puts the standard MNIST and CIFAR-10 files under public/data/ (git-ignored,
 * served same-origin by the app), from DATA_DIR when given, else from the public mirrors, and
 * verifies every file's SHA-256 after gunzip. Files already present and verified are left alone.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { CIFAR10_CLASS_NAMES, parseCifarMeta } from '../data/cifar';
import type { DatasetName } from '../data/dataset';
import { DatasetError } from '../data/errors';
import { gunzip, isGzip, maybeGunzip } from '../data/gzip';
import { sha256Hex } from '../data/hash';
import { MANIFESTS, standardFiles, type StandardFile } from '../data/manifest';
import { folderSource } from '../data/node-source';
import type { FetchLike } from '../data/sources';
import { CIFAR10_TARBALL, CIFAR10_TAR_FOLDER, DownloadError, MNIST_MIRRORS, download } from './download';
import { tarEntries } from './tar';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEFAULT_TIMEOUT_MS = 30_000;

const USAGE = `usage: npm run data -- [--dataset mnist|cifar10|all] [--out DIR]

Puts the standard MNIST and CIFAR-10 files under DIR/mnist/ and DIR/cifar-10/
(default: public/data in the repo, which the app serves) and verifies each file's
SHA-256 after gunzip. Files already present and verified are skipped.

  DATA_DIR=FOLDER   copy from a local folder laid out as mnist/ and cifar-10/
                    (files .gz or plain), e.g. DATA_DIR=../shared/datasets npm run data
  otherwise         download MNIST from ${MNIST_MIRRORS[0]}
                    and CIFAR-10 from ${CIFAR10_TARBALL}
  EVOLAB_FETCH_TIMEOUT_MS   give up on a download after this long without data (default ${DEFAULT_TIMEOUT_MS})`;

const NO_NETWORK_HINT =
  'No network? Set DATA_DIR to a folder laid out as mnist/ and cifar-10/, e.g. DATA_DIR=../shared/datasets npm run data';

export interface DataCliOptions {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fetchImpl?: FetchLike;
  readonly cwd?: string;
  readonly log?: (line: string) => void;
  readonly error?: (line: string) => void;
}

type Action = 'kept' | 'copied' | 'downloaded' | 'FAILED';
interface Row {
  readonly file: string;
  readonly action: Action;
  readonly detail: string;
}

/** A download that failed: the summary then suggests DATA_DIR once instead of on every row. */
class NetworkFailure extends Error {}

/** Where a missing file comes from; returns the decompressed bytes and, if at hand, a gzip of them. */
type Obtain = (f: StandardFile) => Promise<{ raw: Uint8Array; gz?: Uint8Array; from: string }>;

const storedName = (f: StandardFile): string => (f.gzip ? `${f.path}.gz` : f.path);

/** Null when `raw` is the standard file, else what is wrong with it. */
async function checkContent(f: StandardFile, raw: Uint8Array, label: string): Promise<string | null> {
  if (f.sha256 === null) {
    // batches.meta.txt has no canonical hash: it is right when it lists the standard classes.
    try {
      const names = parseCifarMeta(raw, label);
      return names.join() === CIFAR10_CLASS_NAMES.join()
        ? null
        : `class names ${names.join(', ')} are not the standard ones`;
    } catch (err) {
      return (err as Error).message;
    }
  }
  const actual = await sha256Hex(raw);
  return actual === f.sha256 ? null : `sha256 after gunzip is ${actual}, expected ${f.sha256}`;
}

async function readIfExists(file: string): Promise<Uint8Array | null> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Write-then-rename, so an interrupted run never leaves a half-written file that looks present. */
async function writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.partial-${process.pid}`;
  await writeFile(tmp, bytes);
  await rename(tmp, file);
}

function fromFolder(dir: string): Obtain {
  const source = folderSource(dir);
  return async (f) => {
    const stored = await source.read(f.path);
    const gz = isGzip(stored);
    return { raw: await maybeGunzip(stored, gz ? `${f.path}.gz` : f.path), gz: gz ? stored : undefined, from: dir };
  };
}

function fromMnistMirrors(fetchImpl: FetchLike, timeoutMs: number, log: (s: string) => void): Obtain {
  const unreachable = new Set<string>(); // a host that failed once is not retried for every file
  return async (f) => {
    const reasons: string[] = [];
    let network = true; // false once a mirror answered with a bad file rather than not at all
    for (const mirror of MNIST_MIRRORS) {
      const url = mirror + path.posix.basename(f.path) + '.gz';
      if (unreachable.has(mirror)) continue;
      try {
        const gz = await download(url, { fetchImpl, timeoutMs, log });
        return { raw: await gunzip(gz, url), gz, from: url };
      } catch (err) {
        if (err instanceof DownloadError && err.status === undefined) unreachable.add(mirror);
        if (!(err instanceof DownloadError)) network = false;
        reasons.push((err as Error).message);
      }
    }
    const reason = reasons.join('; ') || 'every mirror was unreachable earlier in this run';
    throw network ? new NetworkFailure(reason) : new Error(reason);
  };
}

function fromCifarTarball(fetchImpl: FetchLike, timeoutMs: number, log: (s: string) => void): Obtain {
  let entries: Promise<Map<string, Uint8Array>> | null = null; // one download for all seven files
  const unpack = async (): Promise<Map<string, Uint8Array>> => {
    let gz: Uint8Array;
    try {
      gz = await download(CIFAR10_TARBALL, { fetchImpl, timeoutMs, log });
    } catch (err) {
      throw new NetworkFailure((err as Error).message, { cause: err });
    }
    const map = new Map<string, Uint8Array>();
    for (const e of tarEntries(await gunzip(gz, CIFAR10_TARBALL))) {
      if (e.name.startsWith(CIFAR10_TAR_FOLDER)) map.set(e.name.slice(CIFAR10_TAR_FOLDER.length), e.data);
    }
    return map;
  };
  return async (f) => {
    entries ??= unpack();
    const name = path.posix.basename(f.path);
    const raw = (await entries).get(name);
    if (!raw) throw new Error(`${CIFAR10_TARBALL} has no ${CIFAR10_TAR_FOLDER}${name}`);
    return { raw, from: CIFAR10_TARBALL };
  };
}

function table(rows: readonly Row[]): string[] {
  const w = Math.max(4, ...rows.map((r) => r.file.length));
  const a = Math.max(6, ...rows.map((r) => r.action.length));
  return [
    `${'file'.padEnd(w)}  ${'result'.padEnd(a)}  detail`,
    ...rows.map((r) => `${r.file.padEnd(w)}  ${r.action.padEnd(a)}  ${r.detail}`),
  ];
}

export async function runDataCli(opts: DataCliOptions): Promise<number> {
  const log = opts.log ?? ((s: string) => process.stdout.write(`${s}\n`));
  const error = opts.error ?? ((s: string) => process.stderr.write(`${s}\n`));
  const cwd = opts.cwd ?? process.cwd();
  const fetchImpl: FetchLike = opts.fetchImpl ?? ((url, init) => fetch(url, init));

  let values: { dataset?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...opts.argv],
      options: { dataset: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    error(`error: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    log(USAGE);
    return 0;
  }
  const choice = values.dataset ?? 'all';
  if (choice !== 'all' && !Object.hasOwn(MANIFESTS, choice)) {
    error(`error: --dataset must be mnist, cifar10 or all, not ${JSON.stringify(choice)}\n${USAGE}`);
    return 2;
  }
  const datasets: DatasetName[] = choice === 'all' ? ['mnist', 'cifar10'] : [choice as DatasetName];
  const out = values.out ? path.resolve(cwd, values.out) : path.join(REPO_ROOT, 'public', 'data');
  const dataDir = opts.env.DATA_DIR ? path.resolve(cwd, opts.env.DATA_DIR) : null;
  if (dataDir && !existsSync(dataDir)) {
    error(
      `error: DATA_DIR=${opts.env.DATA_DIR} does not exist (resolved to ${dataDir}); point it at a folder holding mnist/ and cifar-10/`,
    );
    return 1;
  }
  const timeoutMs = Number(opts.env.EVOLAB_FETCH_TIMEOUT_MS ?? DEFAULT_TIMEOUT_MS);
  if (!(timeoutMs > 0)) {
    error(
      `error: EVOLAB_FETCH_TIMEOUT_MS must be a positive number of milliseconds, not ${opts.env.EVOLAB_FETCH_TIMEOUT_MS}`,
    );
    return 2;
  }

  log(`data → ${out} (source: ${dataDir ? `DATA_DIR ${dataDir}` : 'public mirrors'})`);
  const rows: Row[] = [];
  let offline = false;
  for (const name of datasets) {
    const obtain: Obtain = dataDir
      ? fromFolder(dataDir)
      : name === 'mnist'
        ? fromMnistMirrors(fetchImpl, timeoutMs, log)
        : fromCifarTarball(fetchImpl, timeoutMs, log);
    for (const f of standardFiles(MANIFESTS[name])) {
      const rel = storedName(f);
      const target = path.join(out, rel);
      let stale = '';
      const existing = await readIfExists(target);
      if (existing) {
        let problem: string | null;
        try {
          problem = await checkContent(f, await maybeGunzip(existing, rel), rel);
        } catch (err) {
          problem = err instanceof DatasetError ? err.problem : (err as Error).message;
        }
        if (!problem) {
          rows.push({ file: rel, action: 'kept', detail: 'already present, verified' });
          continue;
        }
        stale = ` (replaced a copy that failed verification: ${problem})`;
      }
      try {
        const got = await obtain(f);
        const problem = await checkContent(f, got.raw, rel);
        if (problem) throw new Error(`${got.from}: ${problem}; not installed`);
        const bytes = f.gzip ? (got.gz ?? gzipSync(got.raw, { level: 6 })) : got.raw;
        await writeAtomically(target, bytes);
        rows.push({
          file: rel,
          action: dataDir ? 'copied' : 'downloaded',
          detail: `from ${got.from}, verified${stale}`,
        });
      } catch (err) {
        if (err instanceof NetworkFailure) offline = true;
        // A DatasetError's hint is written for the app ("run npm run data"), so leave it out here.
        const detail = err instanceof DatasetError ? `${err.file}: ${err.problem}` : (err as Error).message;
        rows.push({ file: rel, action: 'FAILED', detail });
      }
    }
  }

  // Failure details go to stderr only, below the table, so they are not printed twice.
  for (const line of table(rows.map((r) => (r.action === 'FAILED' ? { ...r, detail: 'see below' } : r)))) log(line);
  const failed = rows.filter((r) => r.action === 'FAILED');
  if (failed.length) {
    error(`error: ${failed.length} of ${rows.length} files could not be installed:`);
    for (const r of failed) error(`  ${r.file}: ${r.detail}`);
    error(
      offline
        ? NO_NETWORK_HINT
        : 'Fix or replace the source files (the expected SHA-256 values are in src/data/manifest.ts) and run again.',
    );
    return 1;
  }
  return 0;
}

const invokedDirectly =
  process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  runDataCli({ argv: process.argv.slice(2), env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
