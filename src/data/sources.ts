/**
 * Where the files come from. Every source looks for `name.gz` first, then `name`, so the
 * compressed files of `npm run data` and uncompressed copies both work. Browser-safe: the Node
 * folder source lives in node-source.ts so bundles never pull in node:fs.
 */
import { DatasetError, MissingFileError } from './errors';

export interface DataSource {
  /** For messages, e.g. `folder /home/me/data` or `URL /data/`. */
  describe(): string;
  /** Bytes of `name.gz` or else `name` (names like `mnist/train-images-idx3-ubyte`), as stored. */
  read(name: string): Promise<Uint8Array>;
  /**
   * Every file's path relative to the source's root (`/`-separated), when the source can tell
   * (folders, dropped files, zips; not URLs). IDX and image-folder datasets use it to find files
   * by pattern; without it they try the standard names. A folder with no files in it is
   * listed as its path with a trailing `/` (an empty class is an error, not nothing).
   */
  list?(): Promise<string[]>;
}

export const MISSING_HINT = 'Run `npm run data` or drop the files on the page.';

/** The `.gz`-then-plain lookup shared by all sources; `tryOne` returns null when a name is absent. */
export async function readGzOrPlain(
  name: string,
  where: string,
  tryOne: (candidate: string) => Promise<Uint8Array | null>,
): Promise<Uint8Array> {
  for (const candidate of [`${name}.gz`, name]) {
    const bytes = await tryOne(candidate);
    if (bytes) return bytes;
  }
  throw new MissingFileError(name, `file not found (looked for ${name}.gz and ${name} in ${where})`, MISSING_HINT);
}

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/** Dev servers answer unknown paths with index.html (200), so HTML counts as "not there". */
function looksLikeHtml(res: Response, bytes: Uint8Array): boolean {
  if ((res.headers.get('content-type') ?? '').toLowerCase().includes('text/html')) return true;
  let i = 0;
  while (
    i < bytes.length &&
    i < 64 &&
    (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)
  )
    i++;
  return bytes[i] === 0x3c; // '<': no IDX, gzip or CIFAR file starts like that
}

/** Files served over HTTP, normally same-origin under `/data/` (public/data in the repo). */
export function urlSource(baseUrl: string, fetchImpl: FetchLike = (url, init) => fetch(url, init)): DataSource {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const where = `URL ${base}`;
  return {
    describe: () => where,
    read: (name) =>
      readGzOrPlain(name, where, async (candidate) => {
        const url = base + candidate;
        let res: Response;
        let bytes: Uint8Array;
        try {
          res = await fetchImpl(url);
          if (res.status === 404 || res.status === 410) return null;
          if (!res.ok) {
            throw new DatasetError(candidate, `HTTP ${res.status} ${res.statusText} from ${url}`, MISSING_HINT);
          }
          bytes = new Uint8Array(await res.arrayBuffer());
        } catch (err) {
          if (err instanceof DatasetError) throw err;
          const detail = err instanceof Error ? err.message : String(err);
          throw new DatasetError(
            candidate,
            `could not fetch ${url} (${detail})`,
            `Is the server running and serving ${base}? ${MISSING_HINT}`,
            { cause: err },
          );
        }
        return looksLikeHtml(res, bytes) ? null : bytes;
      }),
  };
}

/** What a browser File (or anything similar) offers. */
export interface NamedBlob {
  readonly name: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

const basename = (path: string): string => path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);

/** Files the user dropped on the page, matched by base name (folders are flattened). */
export function fileListSource(files: readonly NamedBlob[]): DataSource {
  const shown = files.slice(0, 6).map((f) => basename(f.name));
  const where = `the ${files.length} dropped file${files.length === 1 ? '' : 's'}${
    files.length ? ` (${shown.join(', ')}${files.length > shown.length ? ', …' : ''})` : ''
  }`;
  return {
    describe: () => where,
    list: async () => files.map((f) => f.name),
    read: (name) =>
      readGzOrPlain(name, where, async (candidate) => {
        const wanted = basename(candidate);
        const matches = files.filter((f) => basename(f.name) === wanted);
        if (matches.length === 0) return null;
        if (matches.length > 1) {
          throw new DatasetError(
            wanted,
            `${matches.length} dropped files have this name`,
            'Drop only one copy of each file.',
          );
        }
        try {
          return new Uint8Array(await matches[0].arrayBuffer());
        } catch (err) {
          const detail = err instanceof Error ? err.message : String(err);
          throw new DatasetError(wanted, `could not read the dropped file (${detail})`, 'Try dropping it again.', {
            cause: err,
          });
        }
      }),
  };
}

/** A dropped file with its path inside the dropped folder (`flowers/rose/1.png`). */
export interface PathFile {
  readonly path: string;
  readonly file: NamedBlob;
}

/**
 * Files of a dropped folder, by exact relative path (image folders need the class folders, which
 * fileListSource flattens). `where` names the folder in messages.
 */
export function pathFileSource(files: readonly PathFile[], where: string): DataSource {
  const byPath = new Map(files.map((f) => [f.path, f.file]));
  return {
    describe: () => where,
    list: async () => [...byPath.keys()],
    read: (name) =>
      readGzOrPlain(name, where, async (candidate) => {
        const file = byPath.get(candidate);
        if (!file) return null;
        try {
          return new Uint8Array(await file.arrayBuffer());
        } catch (err) {
          const detail = err instanceof Error ? err.message : String(err);
          throw new DatasetError(candidate, `could not read the dropped file (${detail})`, 'Try dropping it again.', {
            cause: err,
          });
        }
      }),
  };
}

/**
 * Files held in memory, by exact relative path (e.g. a zip's entries, or files built in a test).
 * Unlike fileListSource it keeps folders, which image-folder datasets need (class = folder).
 */
export function memorySource(
  files: ReadonlyMap<string, Uint8Array> | Readonly<Record<string, Uint8Array>>,
  where: string,
): DataSource {
  const map = files instanceof Map ? files : new Map(Object.entries(files));
  return {
    describe: () => where,
    read: (name) => readGzOrPlain(name, where, async (candidate) => map.get(candidate) ?? null),
    list: async () => [...map.keys()],
  };
}
