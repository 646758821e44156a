/** Node-only: a folder laid out as `mnist/` and `cifar-10/`. Not re-exported from index.ts. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError } from './errors';
import { readGzOrPlain, type DataSource } from './sources';

export function folderSource(dir: string): DataSource {
  const root = path.resolve(dir);
  const where = `folder ${root}`;
  return {
    describe: () => where,
    read: (name) =>
      readGzOrPlain(name, where, async (candidate) => {
        const file = path.join(root, candidate);
        try {
          const buf = await readFile(file);
          return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' || code === 'ENOTDIR') return null;
          throw new DatasetError(file, `cannot read (${code ?? String(err)})`, 'Check the path and its permissions.', {
            cause: err,
          });
        }
      }),
  };
}
