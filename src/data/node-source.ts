/**
 * Node-only: files in a folder. Not re-exported from index.ts. Two layouts are accepted, as
 * `--data-dir` promises:
 * - a data root with one sub-folder per dataset (`mnist/`, `cifar-10/`, `fashion-mnist/`…), the
 *   layout of `npm run data`'s public/data and of shared/datasets;
 * - a folder that holds one dataset's files directly (`/usr/share/datasets/fashion-mnist`):
 *   when `mnist/` is not there, `mnist/train-images-idx3-ubyte` is looked for as
 *   `train-images-idx3-ubyte`. loadDataset then checks that the labels are the dataset's own,
 *   so Fashion-MNIST's files are not taken for MNIST.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError, MissingFileError } from './errors';
import { MISSING_HINT, readGzOrPlain, type DataSource } from './sources';

/** More files than any dataset has: a guard against listing a whole disk by mistake. */
const MAX_LISTED_FILES = 1_000_000;

export function folderSource(dir: string): DataSource {
  const root = path.resolve(dir);
  const where = `folder ${root}`;
  const isDir = new Map<string, Promise<boolean>>();
  const dirExists = (rel: string): Promise<boolean> => {
    let known = isDir.get(rel);
    if (!known) {
      known = stat(path.join(root, rel)).then(
        (s) => s.isDirectory(),
        () => false,
      );
      isDir.set(rel, known);
    }
    return known;
  };

  const tryOne = async (candidate: string): Promise<Uint8Array | null> => {
    const file = path.join(root, candidate);
    try {
      // A pipe or a device of that name would block readFile forever (or never end).
      const info = await stat(file);
      if (!info.isFile() && !info.isDirectory())
        throw new DatasetError(
          file,
          'is not a regular file (a pipe or a device?)',
          'Put the dataset file itself there.',
        );
      const buf = await readFile(file);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (err) {
      if (err instanceof DatasetError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
      throw new DatasetError(file, `cannot read (${code ?? String(err)})`, 'Check the path and its permissions.', {
        cause: err,
      });
    }
  };

  return {
    describe: () => where,
    async read(name) {
      const slash = name.lastIndexOf('/');
      if (slash < 0 || (await dirExists(name.slice(0, slash)))) return readGzOrPlain(name, where, tryOne);
      // No such sub-folder: the folder may hold this dataset's files directly.
      const base = name.slice(slash + 1);
      try {
        return await readGzOrPlain(base, where, tryOne);
      } catch (err) {
        if (!(err instanceof MissingFileError)) throw err;
        throw new MissingFileError(
          name,
          `file not found (${where} has no ${name.slice(0, slash)}/ folder, and no ${base}.gz or ${base} directly in it)`,
          MISSING_HINT,
        );
      }
    },
    async list() {
      const out: string[] = [];
      const walk = async (rel: string): Promise<void> => {
        const entries = await readdir(path.join(root, rel), { withFileTypes: true });
        for (const e of entries) {
          if (e.name.startsWith('.')) continue;
          const child = rel ? `${rel}/${e.name}` : e.name;
          const kind = e.isSymbolicLink() ? await stat(path.join(root, child)).catch(() => null) : e;
          if (kind?.isDirectory()) {
            const before = out.length;
            await walk(child);
            if (out.length === before) out.push(`${child}/`);
          } else if (kind?.isFile()) out.push(child);
          if (out.length > MAX_LISTED_FILES) {
            throw new DatasetError(
              where,
              `holds more than ${MAX_LISTED_FILES.toLocaleString('en')} files`,
              'Point at the dataset’s own folder.',
            );
          }
        }
      };
      try {
        await walk('');
      } catch (err) {
        if (err instanceof DatasetError) throw err;
        const code = (err as NodeJS.ErrnoException).code;
        throw new DatasetError(where, `cannot list (${code ?? String(err)})`, 'Check the path and its permissions.', {
          cause: err,
        });
      }
      return out.sort();
    },
  };
}
