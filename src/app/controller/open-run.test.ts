/** "Open a run": every bad file gets one message naming it, and nothing else on the page changes. */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { importCorpus, savedSession } from '../../testing/bad-artefacts';
import { labHarness, type LabHarness } from '../../testing/lab-harness';
import { looksLikeRunFile, sortDroppedFiles } from './open-run';

const RUN = readFileSync(
  new URL('../../../public/recorded/mnist-10pct-defaults-seed1/sexual.json', import.meta.url),
  'utf8',
);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const file = (name: string, body: string | Uint8Array) =>
  new File([body as BlobPart], name, { type: 'application/json' });

/** What a bad file must leave as it was. */
const page = (h: LabHarness) => {
  const { setup, runs, sessionId, replay, notices } = h.state();
  return { setup, runs, sessionId, replay, notices };
};

/** Files that are not JSON at all, or not whole. */
const TEXT_CORPUS: { name: string; body: string | Uint8Array; message: RegExp }[] = [
  { name: 'empty.json', body: '', message: /^empty\.json: / },
  { name: 'words.json', body: 'hello, class', message: /^words\.json: .*JSON/ },
  { name: 'truncated.json', body: RUN.slice(0, 4000), message: /^truncated\.json: .*JSON/ },
  { name: 'gzip.json', body: new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]), message: /^gzip\.json: .*JSON/ },
  { name: 'table.json', body: 'generation,testAccuracy\n1,0.97\n', message: /^table\.json: .*JSON/ },
];

describe('opening a run file', () => {
  const corpus = importCorpus().filter((c) => c.name !== 'a saved session');
  it.each(corpus.map((c) => [c.name, c] as const))('%s: one message, naming the file and field', async (_, c) => {
    const h = labHarness({ search: '?rho=0.4' });
    await h.lab.initLab();
    const before = page(h);
    expect(await h.lab.openRunFiles([file('given.json', JSON.stringify(c.value))])).toBe(false);
    expect(h.state().openProblems).toHaveLength(1);
    expect(h.state().openProblems[0]).toMatch(/^given\.json: /);
    expect(h.state().openProblems[0]).toMatch(c.message);
    expect(page(h)).toEqual(before);
    expect(h.state().view.panel).toBe('open');
  });

  it.each(TEXT_CORPUS.map((c) => [c.name, c] as const))('%s: one message, the page as it was', async (_, c) => {
    const h = labHarness();
    await h.lab.initLab();
    const before = page(h);
    expect(await h.lab.openRunFiles([file(c.name, c.body)])).toBe(false);
    expect(h.state().openProblems).toHaveLength(1);
    expect(h.state().openProblems[0]).toMatch(c.message);
    expect(page(h)).toEqual(before);
  });

  it('opens the good files of several and names the bad one', async () => {
    const h = labHarness();
    await h.lab.initLab();
    expect(await h.lab.openRunFiles([file('good.json', RUN), file('bad.json', '{"records": 3')])).toBe(true);
    expect(h.state().replay?.origin).toEqual({ kind: 'file', names: ['good.json'] });
    expect(h.state().openProblems).toEqual([expect.stringMatching(/^bad\.json: /)]);
  });

  it('refuses runs of two datasets together', async () => {
    const h = labHarness();
    await h.lab.initLab();
    const cifar = JSON.parse(RUN) as { config: { dataset: string } };
    cifar.config.dataset = 'cifar10';
    expect(await h.lab.openRunFiles([file('m.json', RUN), file('c.json', JSON.stringify(cifar))])).toBe(false);
    expect(h.state().openProblems).toEqual([expect.stringMatching(/different datasets \(mnist, cifar10\)/)]);
    expect(h.state().replay).toBeNull();
  });

  it('opens a saved session’s export with its labels, and the same numbers', async () => {
    const h = labHarness();
    await h.lab.initLab();
    const session = savedSession('s');
    expect(await h.lab.openRunFiles([file('evolab-session-s.json', JSON.stringify(session))])).toBe(true);
    h.lab.replaySeek(99);
    expect(h.state().runs.map((r) => [r.label, r.records])).toEqual(session.runs.map((r) => [r.label, r.records]));
  });

  it('sorts dropped files: JSON opens as a run, dataset files go to the data checks', async () => {
    expect(looksLikeRunFile('x.bin', new TextEncoder().encode('  \n{"a":1}'))).toBe(true);
    expect(looksLikeRunFile('train-images-idx3-ubyte.gz', new Uint8Array([0x1f, 0x8b]))).toBe(false);
    expect(looksLikeRunFile('RUN.JSON', new Uint8Array([0x1f]))).toBe(true);
    const gz = new File([new Uint8Array([0x1f, 0x8b, 8])], 'train-images-idx3-ubyte.gz');
    const sorted = await sortDroppedFiles([gz, file('run.json', RUN)]);
    expect([sorted.runs.map((f) => f.name), sorted.data.map((f) => f.name)]).toEqual([
      ['run.json'],
      ['train-images-idx3-ubyte.gz'],
    ]);
    const h = labHarness();
    await h.lab.initLab();
    await h.lab.dropFiles([file('run.json', RUN)]);
    expect(h.state().replay?.runs).toHaveLength(1);
  });

  it('says when the site ships no recorded runs', async () => {
    const h = labHarness();
    await h.lab.initLab();
    h.lab.showPanel('open');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.state().recorded.status).toBe('failed');
    expect(h.state().recorded.error).toMatch(/^recorded\/index\.json: is not served by this site/);
  });
});
