/**
 * `npm run data`: puts the standard files of the registered datasets (src/data/registry.ts)
 * under public/data/ (git-ignored, served same-origin by the app), from DATA_DIR when given,
 * else from a system package's folder (Debian's dataset-fashion-mnist) or the public mirrors,
 * and verifies every file: by the SHA-256 of its decompressed bytes where that is known, else
 * by the official download's SHA-256, else by its structure (and says so). Files already present
 * and verified are left alone.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { CIFAR10_CLASS_NAMES, parseCifarMeta } from '../data/cifar';
import { DatasetError, MissingFileError } from '../data/errors';
import { gunzip, isGzip, maybeGunzip } from '../data/gzip';
import { sha256Hex } from '../data/hash';
import { parseIdxImages, parseIdxLabels } from '../data/idx';
import type { StandardFile } from '../data/manifest';
import { folderSource } from '../data/node-source';
import {
  REGISTRY,
  datasetWithFileHash,
  registeredFiles,
  type FetchPlan,
  type RegisteredDataset,
} from '../data/registry';
import type { FetchLike } from '../data/sources';
import { zipEntries, zipRead } from '../data/zip';
import { DownloadError, download } from './download';
import { tarEntries } from './tar';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEFAULT_TIMEOUT_MS = 30_000;

const DEFAULT_DATASETS = ['mnist', 'cifar10'];

const mib = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MiB`;

function usage(registry: Readonly<Record<string, RegisteredDataset>>): string {
  const lines = Object.values(registry).map((e) => {
    const from = e.fetch.kind === 'files' ? e.fetch.mirrors[0] : e.fetch.url;
    const local = e.systemFolders.length ? `, or ${e.systemFolders.join(', ')} when installed` : '';
    const bytes = e.fetch.kind === 'files' ? Object.values(e.fetch.gz).reduce((s, g) => s + g.bytes, 0) : e.fetch.bytes;
    return `  ${e.name.padEnd(14)} ${e.title} → DIR/${e.folder}/ (${mib(bytes)} from ${from}${local})`;
  });
  return `usage: npm run data -- [--dataset NAME[,NAME…]|all] [--out DIR]

Puts a dataset's standard files under DIR/<folder>/ (default: public/data in the repo,
which the app serves) and verifies each one. Files already present and verified are
skipped. --dataset all (the default) means ${DEFAULT_DATASETS.join(' and ')}; name the others:
${lines.join('\n')}

  DATA_DIR=FOLDER   copy from a local folder laid out as mnist/, cifar-10/, fashion-mnist/…,
                    or holding one dataset's files directly (files .gz or plain),
                    e.g. DATA_DIR=../shared/datasets npm run data; no downloads then
  otherwise         from a system package's folder when there is one, else the URL above
  EVOLAB_FETCH_TIMEOUT_MS   give up on a download after this long without data (default ${DEFAULT_TIMEOUT_MS})`;
}

const NO_NETWORK_HINT =
  'No network? Set DATA_DIR to a folder laid out as mnist/ and cifar-10/, e.g. DATA_DIR=../shared/datasets npm run data';

export interface DataCliOptions {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fetchImpl?: FetchLike;
  readonly cwd?: string;
  readonly log?: (line: string) => void;
  readonly error?: (line: string) => void;
  /** The datasets to know (default: the registry); tests pass entries for their own fake archives. */
  readonly registry?: Readonly<Record<string, RegisteredDataset>>;
}

type Action = 'kept' | 'copied' | 'downloaded' | 'FAILED';
interface Row {
  readonly file: string;
  readonly action: Action;
  readonly detail: string;
}

/** A download that failed: the summary then suggests DATA_DIR once instead of on every row. */
class NetworkFailure extends Error {}

/**
 * Where a missing file comes from: the decompressed bytes, the gzip of them if at hand, and
 * whether the official archive it came from was verified (so the file needs no hash of its own).
 */
type Obtain = (
  f: StandardFile,
) => Promise<{ raw: Uint8Array; gz?: Uint8Array; from: string; downloaded?: boolean; archiveVerified?: boolean }>;

const storedName = (f: StandardFile): string => (f.gzip ? `${f.path}.gz` : f.path);
const baseName = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

interface Verdict {
  /** Null when the file is the standard one (as far as can be checked). */
  readonly problem: string | null;
  /** How it was checked, for the table. */
  readonly how: string;
}

/** Checks a file without a published hash by what it must hold: the right image size, count and labels. */
function checkStructure(e: RegisteredDataset, f: StandardFile, raw: Uint8Array, label: string): string | null {
  const split = e.splits.train.files.includes(f) ? 'train' : 'test';
  const expected = e.splits[split].count;
  try {
    if (e.format !== 'idx') return 'no way to check this file';
    const images = f === e.splits[split].files[0];
    const count = images
      ? parseIdxImages(raw, label, { rows: e.height, cols: e.width, dataset: e.title }).count
      : parseIdxLabels(raw, label, e.classNames.length).length;
    const what = images ? 'images' : 'labels';
    return count === expected ? null : `has ${count} ${what} (expected ${expected} for the ${split} split)`;
  } catch (err) {
    return err instanceof DatasetError ? err.problem : (err as Error).message;
  }
}

/** Whether `raw` (and the `.gz` it came in, if any) is the standard file. */
async function checkContent(
  e: RegisteredDataset,
  f: StandardFile,
  raw: Uint8Array,
  label: string,
  got: { gz?: Uint8Array; downloaded?: boolean; archiveVerified?: boolean } = {},
): Promise<Verdict> {
  const { gz, downloaded = false, archiveVerified = false } = got;
  if (f.sha256 !== null) {
    const actual = await sha256Hex(raw);
    return actual === f.sha256
      ? { problem: null, how: 'verified' }
      : { problem: `sha256 after gunzip is ${actual}, expected ${f.sha256}`, how: '' };
  }
  if (f.path.endsWith('batches.meta.txt')) {
    // batches.meta.txt has no canonical hash: it is right when it lists the standard classes.
    try {
      const names = parseCifarMeta(raw, label);
      return names.join() === CIFAR10_CLASS_NAMES.join()
        ? { problem: null, how: 'verified' }
        : { problem: `class names ${names.join(', ')} are not the standard ones`, how: '' };
    } catch (err) {
      return { problem: (err as Error).message, how: '' };
    }
  }
  // Another dataset's file (Fashion-MNIST's copied as KMNIST) would pass the structure check.
  const other = datasetWithFileHash(await sha256Hex(raw));
  if (other) return { problem: `is ${other.entry.title}'s ${other.file.path}, not a ${e.title} file`, how: '' };
  const official = e.fetch.kind === 'files' ? e.fetch.gz[baseName(f.path)] : undefined;
  const gzSha = official && gz ? await sha256Hex(gz) : null;
  if (official && gzSha === official.sha256) return { problem: null, how: 'verified (official .gz)' };
  if (official && downloaded) {
    // From the official mirror it must be the official file; only local copies may be re-gzipped.
    return { problem: `sha256 of the download is ${gzSha}, expected ${official.sha256} (the official .gz)`, how: '' };
  }
  const problem = checkStructure(e, f, raw, label);
  if (problem) return { problem, how: '' };
  return archiveVerified
    ? { problem: null, how: 'verified (official archive)' }
    : { problem: null, how: 'structure checked (no published checksum for this copy)' };
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

/** Asks each in turn, moving on only when a file is missing (a local folder before the network). */
function firstOf(obtains: Obtain[]): Obtain {
  return async (f) => {
    let missing: unknown = null;
    for (const obtain of obtains) {
      try {
        return await obtain(f);
      } catch (err) {
        if (!(err instanceof MissingFileError)) throw err;
        missing ??= err;
      }
    }
    throw missing;
  };
}

function fromMirrors(
  plan: Extract<FetchPlan, { kind: 'files' }>,
  fetchImpl: FetchLike,
  timeoutMs: number,
  log: (s: string) => void,
): Obtain {
  const unreachable = new Set<string>(); // a host that failed once is not retried for every file
  return async (f) => {
    const reasons: string[] = [];
    let network = true; // false once a mirror answered with a bad file rather than not at all
    for (const mirror of plan.mirrors) {
      const url = mirror + baseName(f.path) + '.gz';
      if (unreachable.has(mirror)) continue;
      try {
        const gz = await download(url, { fetchImpl, timeoutMs, log });
        return { raw: await gunzip(gz, url), gz, from: url, downloaded: true };
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

/** One download of an archive (tar.gz or zip) serves all of a dataset's files. */
function fromArchive(
  plan: Extract<FetchPlan, { kind: 'tar.gz' | 'zip' }>,
  fetchImpl: FetchLike,
  timeoutMs: number,
  log: (s: string) => void,
): Obtain {
  let archive: Promise<{ read(entry: string): Promise<Uint8Array | undefined>; verified: boolean }> | null = null;
  const open = async () => {
    let bytes: Uint8Array;
    try {
      bytes = await download(plan.url, { fetchImpl, timeoutMs, log });
    } catch (err) {
      throw new NetworkFailure((err as Error).message, { cause: err });
    }
    let verified = false;
    if (plan.kind === 'zip' && plan.sha256) {
      // Its files have no published hashes of their own, so the archive must be the official one.
      const actual = await sha256Hex(bytes);
      if (actual !== plan.sha256) throw new Error(`${plan.url}: sha256 is ${actual}, expected ${plan.sha256}`);
      verified = true;
    }
    if (plan.kind === 'zip') {
      const entries = new Map(zipEntries(bytes, plan.url).map((e) => [e.name, e]));
      return {
        verified,
        read: async (name: string) => {
          const e = entries.get(name);
          return e ? zipRead(bytes, e, plan.url) : undefined;
        },
      };
    }
    const map = new Map([...tarEntries(await gunzip(bytes, plan.url))].map((e) => [e.name, e.data]));
    return { verified, read: async (name: string) => map.get(name) };
  };
  return async (f) => {
    archive ??= open();
    const { read, verified } = await archive;
    const entry = plan.entries[baseName(f.path)];
    const data = entry === undefined ? undefined : await read(entry);
    if (!data) throw new Error(`${plan.url} has no ${entry ?? baseName(f.path)}`);
    const gz = isGzip(data);
    return {
      raw: gz ? await gunzip(data, entry) : data,
      gz: gz ? data : undefined,
      from: plan.url,
      downloaded: true,
      archiveVerified: verified,
    };
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
  const registry: Readonly<Record<string, RegisteredDataset>> = opts.registry ?? REGISTRY;

  let values: { dataset?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...opts.argv],
      options: { dataset: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    error(`error: ${(err as Error).message}\n${usage(registry)}`);
    return 2;
  }
  if (values.help) {
    log(usage(registry));
    return 0;
  }
  const chosen = (values.dataset ?? 'all').split(',').map((n) => n.trim());
  const unknown = chosen.find((n) => n !== 'all' && !Object.hasOwn(registry, n));
  if (unknown !== undefined) {
    error(
      `error: --dataset must be ${Object.keys(registry).join(', ')} or all (or several, comma-separated), not ${JSON.stringify(unknown)}\n${usage(registry)}`,
    );
    return 2;
  }
  const datasets = [...new Set(chosen.flatMap((n) => (n === 'all' ? DEFAULT_DATASETS : [n])))].map((n) => registry[n]);
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
  for (const e of datasets) {
    // A system package's copy (Debian's) is used before the network, and after DATA_DIR.
    const local = e.systemFolders.filter((d) => existsSync(d)).map(fromFolder);
    const remote =
      e.fetch.kind === 'files'
        ? fromMirrors(e.fetch, fetchImpl, timeoutMs, log)
        : fromArchive(e.fetch, fetchImpl, timeoutMs, log);
    const obtain = dataDir ? firstOf([fromFolder(dataDir), ...local]) : firstOf([...local, remote]);
    for (const f of registeredFiles(e)) {
      const rel = storedName(f);
      const target = path.join(out, rel);
      let stale = '';
      const existing = await readIfExists(target);
      if (existing) {
        let verdict: Verdict;
        try {
          const raw = await maybeGunzip(existing, rel);
          verdict = await checkContent(e, f, raw, rel, { gz: isGzip(existing) ? existing : undefined });
        } catch (err) {
          verdict = { problem: err instanceof DatasetError ? err.problem : (err as Error).message, how: '' };
        }
        if (!verdict.problem) {
          rows.push({ file: rel, action: 'kept', detail: `already present, ${verdict.how}` });
          continue;
        }
        stale = ` (replaced a copy that failed verification: ${verdict.problem})`;
      }
      try {
        const got = await obtain(f);
        const verdict = await checkContent(e, f, got.raw, rel, got);
        if (verdict.problem) throw new Error(`${got.from}: ${verdict.problem}; not installed`);
        const bytes = f.gzip ? (got.gz ?? gzipSync(got.raw, { level: 6 })) : got.raw;
        await writeAtomically(target, bytes);
        rows.push({
          file: rel,
          action: got.downloaded ? 'downloaded' : 'copied',
          detail: `from ${got.from}, ${verdict.how}${stale}`,
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
        : 'Fix or replace the source files (the expected SHA-256 values are in src/data/registry.ts and manifest.ts) and run again.',
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
