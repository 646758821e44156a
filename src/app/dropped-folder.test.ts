import { describe, expect, it } from 'vitest';
import { folderFromFiles } from './dropped-folder';

/** A File as the folder picker gives it: with its path inside the chosen folder. */
const picked = (path: string) =>
  Object.assign(new File(['x'], path.split('/').at(-1)!), { webkitRelativePath: path }) as File;

describe('a chosen or dropped folder', () => {
  it('keeps each file’s path and names the folder after its top folder', () => {
    const files = [picked('pets/cat/1.png'), picked('pets/dog/1.png')];
    expect(folderFromFiles(files)).toEqual({
      kind: 'files',
      name: 'pets',
      files: [
        { path: 'pets/cat/1.png', file: files[0] },
        { path: 'pets/dog/1.png', file: files[1] },
      ],
    });
  });

  it('takes a single zip as a zip, and loose files under their own names', () => {
    const zip = new File(['PK'], 'Flowers.ZIP');
    expect(folderFromFiles([zip])).toEqual({ kind: 'zip', name: 'Flowers', file: zip });
    const loose = [new File(['a'], 'train-images-idx3-ubyte.gz'), new File(['b'], 't10k-labels-idx1-ubyte')];
    expect(folderFromFiles(loose)).toMatchObject({
      kind: 'files',
      name: 'dropped files',
      files: [{ path: 'train-images-idx3-ubyte.gz' }, { path: 't10k-labels-idx1-ubyte' }],
    });
    expect(folderFromFiles([])).toBeNull();
  });
});
