import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MissingFileError } from './errors';
import { loadDataset } from './load';
import { folderSource } from './node-source';
import { fileListSource, urlSource, type FetchLike } from './sources';
import { datasetRejection, datasetsDir, fashionMnistDir } from '../testing/data';

const bytes = (...v: number[]) => new Uint8Array(v);
const GZ = bytes(0x1f, 0x8b, 8, 0);
const PLAIN = bytes(0, 0, 8, 1);

/** A fetch that serves `files` (path → response) and records what was asked. */
function fakeFetch(files: Record<string, () => Response>): FetchLike & { calls: string[] } {
  const calls: string[] = [];
  const f = async (url: string) => {
    calls.push(url);
    return files[url]?.() ?? new Response('no such file', { status: 404, statusText: 'Not Found' });
  };
  return Object.assign(f, { calls });
}

const failure = datasetRejection;

describe('urlSource', () => {
  it('prefers name.gz and does not ask for the plain file then', async () => {
    const fetch = fakeFetch({
      '/data/mnist/x.gz': () => new Response(GZ),
      '/data/mnist/x': () => new Response(PLAIN),
    });
    expect(await urlSource('/data', fetch).read('mnist/x')).toEqual(GZ);
    expect(fetch.calls).toEqual(['/data/mnist/x.gz']);
  });

  it('falls back to the plain name after a 404', async () => {
    const fetch = fakeFetch({ '/data/mnist/x': () => new Response(PLAIN) });
    expect(await urlSource('/data/', fetch).read('mnist/x')).toEqual(PLAIN);
    expect(fetch.calls).toEqual(['/data/mnist/x.gz', '/data/mnist/x']);
  });

  it('treats a dev server’s index.html fallback as not found', async () => {
    const html = () => new Response('<!doctype html><html></html>', { headers: { 'content-type': 'text/html' } });
    const untyped = () => new Response('\n  <html><body>app</body></html>');
    const fetch = fakeFetch({ '/data/mnist/x.gz': html, '/data/mnist/x': untyped });
    const err = await failure(urlSource('/data/', fetch).read('mnist/x'));
    expect(err).toBeInstanceOf(MissingFileError);
    expect(err.name).toBe('DatasetError');
    expect(err.message).toBe(
      'mnist/x: file not found (looked for mnist/x.gz and mnist/x in URL /data/). ' +
        'Run `npm run data` or drop the files on the page.',
    );
  });

  it('reports a server error and a network failure with the URL', async () => {
    const broken = fakeFetch({
      '/d/x.gz': () => new Response('oops', { status: 500, statusText: 'Internal Server Error' }),
    });
    expect((await failure(urlSource('/d', broken).read('x'))).problem).toBe(
      'HTTP 500 Internal Server Error from /d/x.gz',
    );
    const offline: FetchLike = async () => {
      throw new TypeError('Failed to fetch');
    };
    const err = await failure(urlSource('/d', offline).read('x'));
    expect(err.message).toMatch(/^x\.gz: could not fetch \/d\/x\.gz \(Failed to fetch\)\. Is the server running/);
  });
});

describe('fileListSource', () => {
  const file = (name: string, content: Uint8Array) => ({ name, arrayBuffer: async () => content.slice().buffer });

  it('matches dropped files by base name, .gz first', async () => {
    const src = fileListSource([
      file('t10k-labels-idx1-ubyte', PLAIN),
      file('some/folder/t10k-labels-idx1-ubyte.gz', GZ),
    ]);
    expect(await src.read('mnist/t10k-labels-idx1-ubyte')).toEqual(GZ);
    expect(await fileListSource([file('t10k-labels-idx1-ubyte', PLAIN)]).read('mnist/t10k-labels-idx1-ubyte')).toEqual(
      PLAIN,
    );
  });

  it('says which files were dropped when one is missing, and refuses duplicates', async () => {
    const err = await failure(fileListSource([file('a.gz', GZ)]).read('mnist/b'));
    expect(err).toBeInstanceOf(MissingFileError);
    expect(err.problem).toBe('file not found (looked for mnist/b.gz and mnist/b in the 1 dropped file (a.gz))');
    const dup = fileListSource([file('x/a.gz', GZ), file('y/a.gz', GZ)]);
    expect((await failure(dup.read('mnist/a'))).message).toMatch(/^a\.gz: 2 dropped files have this name/);
  });
});

describe('folderSource', () => {
  it('reads the shared MNIST labels as stored (.gz)', async () => {
    const dir = datasetsDir();
    const got = await folderSource(dir).read('mnist/t10k-labels-idx1-ubyte');
    expect(got).toEqual(new Uint8Array(readFileSync(path.join(dir, 'mnist/t10k-labels-idx1-ubyte.gz'))));
    expect(got.constructor).toBe(Uint8Array);
  });

  it('reports a missing file with the folder it looked in', async () => {
    const dir = datasetsDir();
    const err = await failure(folderSource(dir).read('mnist/nope'));
    expect(err).toBeInstanceOf(MissingFileError);
    expect(err.problem).toBe(`file not found (looked for mnist/nope.gz and mnist/nope in folder ${path.resolve(dir)})`);
  });
});

describe('folderSource layouts', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'evolab-folder-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('reads a folder that holds one dataset’s files directly (Debian’s Fashion-MNIST)', async () => {
    const dir = fashionMnistDir();
    const got = await folderSource(dir).read('fashion-mnist/t10k-labels-idx1-ubyte');
    expect(got).toEqual(new Uint8Array(readFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'))));
    // The README's promise for --data-dir: MNIST's own folder works as well as the data root.
    const mnist = await loadDataset('mnist', 'test', folderSource(path.join(datasetsDir(), 'mnist')));
    expect([mnist.count, mnist.labels[0]]).toEqual([10000, 7]);
  });

  it('prefers the dataset’s sub-folder, and says where it looked in both layouts', async () => {
    await mkdir(path.join(tmp, 'root/mnist'), { recursive: true });
    await writeFile(path.join(tmp, 'root/mnist/x'), 'nested');
    await writeFile(path.join(tmp, 'root/x'), 'flat');
    const src = folderSource(path.join(tmp, 'root'));
    expect(new TextDecoder().decode(await src.read('mnist/x'))).toBe('nested');
    expect(new TextDecoder().decode(await src.read('kmnist/x'))).toBe('flat');
    const err = await failure(src.read('kmnist/y'));
    expect(err).toBeInstanceOf(MissingFileError);
    expect(err.problem).toBe(
      `file not found (folder ${path.join(tmp, 'root')} has no kmnist/ folder, and no y.gz or y directly in it)`,
    );
  });

  it('lists every file below it, hidden ones left out and empty folders marked with /', async () => {
    await mkdir(path.join(tmp, 'list/cat/deeper'), { recursive: true });
    await mkdir(path.join(tmp, 'list/dog'), { recursive: true });
    await mkdir(path.join(tmp, 'list/.git'), { recursive: true });
    await writeFile(path.join(tmp, 'list/cat/deeper/a.png'), '');
    await writeFile(path.join(tmp, 'list/cat/.hidden.png'), '');
    await writeFile(path.join(tmp, 'list/.git/config'), '');
    await writeFile(path.join(tmp, 'list/README'), '');
    expect(await folderSource(path.join(tmp, 'list')).list!()).toEqual(['README', 'cat/deeper/a.png', 'dog/']);
  });
});
