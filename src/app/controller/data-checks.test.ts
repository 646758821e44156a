/** What the page learns about the data and the site's optional files, with a fake site and fake Workers. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { labHarness, MNIST_SERVED, type SiteFile } from '../../testing/lab-harness';
import { FOLDER_WANTED } from './data-checks';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const drop = (name: string) => new File(['bytes'], name);

describe('data checks', () => {
  it('finds the dataset served, gzipped or plain, and names the files that are not', async () => {
    const h = labHarness({ site: MNIST_SERVED });
    await h.lab.checkData();
    expect(h.state().data).toMatchObject({ served: 'present', notServed: [], missing: [] });

    // The training images served unzipped count; the test labels are not there at all.
    const site: Record<string, SiteFile> = { ...MNIST_SERVED, '/data/mnist/train-images-idx3-ubyte': {} };
    delete site['/data/mnist/train-images-idx3-ubyte.gz'];
    delete site['/data/mnist/t10k-labels-idx1-ubyte.gz'];
    const partly = labHarness({ site });
    await partly.lab.checkData();
    expect(partly.state().data).toMatchObject({
      served: 'missing',
      notServed: ['t10k-labels-idx1-ubyte.gz'],
      missing: ['t10k-labels-idx1-ubyte.gz'],
    });
  });

  it('drops the answer of a check when the dataset changed meanwhile', async () => {
    const h = labHarness({ site: MNIST_SERVED });
    const checking = h.lab.checkData();
    h.store.setState((s) => ({ setup: { ...s.setup, dataset: 'cifar10' } }));
    await checking;
    expect(h.state().data.served).toBe('checking');
  });

  it('checks dropped files in a Worker, keeps the good ones and refuses the others', async () => {
    const h = labHarness({ site: {} });
    await h.lab.checkData();
    expect(h.state().data.missing).toHaveLength(4);
    const files = [drop('t10k-labels-idx1-ubyte.gz'), drop('train-images-idx3-ubyte')];
    const checking = h.lab.addDroppedFiles(files);
    expect(h.state().data.checking).toBe(true);
    const [w] = h.workers;
    expect(w.name).toBe('evolab file check');
    expect(w.commands).toEqual([{ type: 'check-files', dataset: 'mnist', files }]);
    w.emit({
      type: 'files-checked',
      results: [
        { name: 't10k-labels-idx1-ubyte.gz', ok: true, message: 'MNIST test labels, 10000' },
        { name: 'train-images-idx3-ubyte', ok: false, message: 'train-images-idx3-ubyte: has 5 images' },
      ],
    });
    await checking;
    expect(h.state().data.dropped).toEqual([files[0]]);
    expect(h.state().data.missing).not.toContain('t10k-labels-idx1-ubyte.gz');
    expect(h.state().data.missing).toHaveLength(3);
    expect(h.state().data.checks.map((c) => c.ok)).toEqual([true, false]);
    expect(h.state().data.checking).toBe(false);
    expect(h.notices()).toEqual(['error: Dropped file refused: train-images-idx3-ubyte: has 5 images']);
    expect(w.terminated).toBe(true);
  });

  it('lets runs start once every file is served or dropped, and hands the dropped ones to their Workers', async () => {
    const site: Record<string, SiteFile> = { ...MNIST_SERVED };
    delete site['/data/mnist/t10k-labels-idx1-ubyte.gz'];
    const h = labHarness({ site });
    await h.lab.checkData();
    h.lab.startComparison();
    expect(h.notices()).toEqual([
      'error: The dataset files t10k-labels-idx1-ubyte.gz are missing: see "Data" for what to do.',
    ]);
    const file = drop('t10k-labels-idx1-ubyte.gz');
    const checking = h.lab.addDroppedFiles([file]);
    h.workers[0].emit({ type: 'files-checked', results: [{ name: file.name, ok: true, message: '' }] });
    await checking;
    h.lab.startComparison();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.workers.slice(1).map((w) => w.sent('start')[0].data)).toEqual([
      { baseUrl: 'http://lab.test/data/', files: [file], folder: null },
      { baseUrl: 'http://lab.test/data/', files: [file], folder: null },
    ]);
  });

  it('replaces a dropped file by a newer one of the same name', async () => {
    const h = labHarness();
    for (const version of ['old', 'new']) {
      const file = new File([version], 't10k-labels-idx1-ubyte.gz');
      const checking = h.lab.addDroppedFiles([file]);
      h.workers.at(-1)!.emit({ type: 'files-checked', results: [{ name: file.name, ok: true, message: '' }] });
      await checking;
    }
    expect(h.state().data.dropped).toHaveLength(1);
    expect(await h.state().data.dropped[0].text()).toBe('new');
  });

  it('says when the file-check Worker fails', async () => {
    const h = labHarness();
    const checking = h.lab.addDroppedFiles([drop('t10k-labels-idx1-ubyte.gz')]);
    h.workers[0].fail();
    await checking;
    expect(h.notices()).toEqual(['error: Could not check the dropped files: the file-check Worker failed']);
    expect(h.state().data).toMatchObject({ checking: false, dropped: [] });
    expect(h.workers[0].terminated).toBe(true);
  });

  it('does not apply a check that finished after the dataset changed', async () => {
    const h = labHarness();
    const checking = h.lab.addDroppedFiles([drop('t10k-labels-idx1-ubyte.gz')]);
    h.lab.updateSetup((s) => ({ ...s, dataset: 'cifar10' }));
    h.workers[0].emit({
      type: 'files-checked',
      results: [{ name: 't10k-labels-idx1-ubyte.gz', ok: true, message: '' }],
    });
    await checking;
    expect(h.state().data.dropped).toEqual([]);
  });

  it('finds the shipped ancestor and its description', async () => {
    const meta = { dataset: 'mnist', testAccuracy: 0.98 };
    const h = labHarness({
      site: {
        '/ancestors/mnist.json': { type: 'application/json' },
        '/ancestors/mnist.meta.json': { type: 'application/json', body: JSON.stringify(meta) },
      },
    });
    await h.lab.initLab();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.state()).toMatchObject({ shippedAncestor: 'present', shippedMeta: meta });

    const none = labHarness();
    await none.lab.initLab();
    await vi.advanceTimersByTimeAsync(0);
    expect(none.state()).toMatchObject({ shippedAncestor: 'absent', shippedMeta: null });
  });

  it('offers our reproduced runs only when the site serves them', async () => {
    const stat = { mean: 0.9, std: 0.01, n: 3 };
    const point = {
      generation: 1,
      accuracy: stat,
      bestAccuracy: stat,
      synapticEfficiency: stat,
      clusterEfficiency: stat,
    };
    const reproduced = {
      generatedAt: '2026-12-01',
      experiments: [{ name: 'mnist-13', dataset: 'mnist', modes: { sexual: { seeds: [1, 2, 3], points: [point] } } }],
    };
    const h = labHarness({
      site: { '/reproduced.json': { type: 'application/json', body: JSON.stringify(reproduced) } },
    });
    await h.lab.loadReproduced();
    expect(h.state().reproduced?.experiments.map((e) => e.name)).toEqual(['mnist-13']);

    const none = labHarness(); // the server answers with its index.html
    await none.lab.loadReproduced();
    expect(none.state().reproduced).toBeNull();
  });

  it('lists which registered datasets the site serves in full', async () => {
    const h = labHarness({ site: { ...MNIST_SERVED, '/data/fashion-mnist/train-images-idx3-ubyte.gz': {} } });
    await h.lab.checkAvailability();
    expect(h.state().data.available).toEqual({
      mnist: true,
      cifar10: false,
      'fashion-mnist': false,
      kmnist: false,
      'emnist-digits': false,
    });
  });

  it('offers a shipped ancestor only for the dataset its description names, and none for one’s own folder', async () => {
    const site = {
      '/ancestors/fashion-mnist.json': { type: 'application/json' },
      '/ancestors/fashion-mnist.meta.json': { type: 'application/json', body: JSON.stringify({ dataset: 'mnist' }) },
    };
    const h = labHarness({ site, search: '?dataset=fashion-mnist' });
    await h.lab.initLab();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.state()).toMatchObject({ shippedAncestor: 'absent', shippedMeta: null });

    const own = labHarness({
      site: { '/ancestors/images.json': { type: 'application/json' } },
      search: '?dataset=images',
    });
    await own.lab.initLab();
    await vi.advanceTimersByTimeAsync(0);
    expect(own.state().shippedAncestor).toBe('absent');
    expect(own.fetch.mock.calls.map(([url]) => url)).not.toContain('/ancestors/images.json');
  });

  it('takes a zip dropped anywhere on the page as the folder of one’s own pictures', async () => {
    const h = labHarness({ search: '?dataset=images&runs=asexual' });
    await h.lab.initLab();
    await vi.advanceTimersByTimeAsync(0);
    const zip = new File(['PK\x03\x04'], 'pets.zip');
    const dropping = h.lab.dropFiles([zip]);
    await vi.waitFor(() => expect(h.workers.at(-1)?.name).toBe('evolab folder check'));
    const checker = h.workers.at(-1)!;
    expect(checker.commands).toEqual([
      { type: 'check-folder', dataset: 'images', folder: { kind: 'zip', name: 'pets', file: zip } },
    ]);
    checker.emit({ type: 'folder-checked', ok: true, message: 'pets: 2 classes' });
    await dropping;
    expect(h.state().data).toMatchObject({ missing: [], folder: { kind: 'zip', name: 'pets' } });
  });

  it('waits for a dropped folder for one’s own pictures, opens it in a Worker, and hands it to the runs', async () => {
    const h = labHarness({ search: '?dataset=images&runs=asexual' });
    await h.lab.initLab();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.state().data).toMatchObject({ served: 'missing', missing: [FOLDER_WANTED.images], folder: null });
    h.lab.startComparison();
    expect(h.notices()).toEqual([
      'error: Drop a folder (or zip) with one sub-folder of pictures per class on "Data" first.',
    ]);

    const bad = { kind: 'zip' as const, name: 'one', file: new File(['PK'], 'one.zip') };
    const refusing = h.lab.addDroppedFolder(bad);
    const checker = h.workers.at(-1)!;
    expect(checker.name).toBe('evolab folder check');
    expect(checker.commands).toEqual([{ type: 'check-folder', dataset: 'images', folder: bad }]);
    checker.emit({ type: 'folder-checked', ok: false, message: 'one/: has a single class (cat)' });
    await refusing;
    expect(h.notices().at(-1)).toBe('error: Dropped zip refused: one/: has a single class (cat)');
    expect(h.state().data).toMatchObject({ folder: null, folderCheck: { ok: false }, checking: false });
    expect(checker.terminated).toBe(true);

    const good = { kind: 'files' as const, name: 'pets', files: [{ path: 'pets/cat/1.png', file: drop('1.png') }] };
    const opening = h.lab.addDroppedFolder(good);
    h.workers.at(-1)!.emit({ type: 'folder-checked', ok: true, message: 'pets: 2 classes' });
    await opening;
    expect(h.state().data).toMatchObject({
      folder: good,
      missing: [],
      folderCheck: { ok: true, message: 'pets: 2 classes' },
    });

    h.lab.startComparison();
    await vi.advanceTimersByTimeAsync(0);
    const start = h.workers.at(-1)!.sent('start')[0];
    expect(start.config.dataset).toBe('images');
    expect(start.data.folder).toBe(good);
    expect(start.ancestor).toEqual({ kind: 'train', storeAs: expect.any(String) });

    // Another dataset forgets the folder.
    h.lab.resetLab();
    h.lab.updateSetup((s) => ({ ...s, dataset: 'idx' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(h.state().data).toMatchObject({ folder: null, folderCheck: null, missing: [FOLDER_WANTED.idx] });
  });
});
