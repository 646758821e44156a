/** The index of recorded runs goes through the artefact gate: bad entries are named. */
import { describe, expect, it } from 'vitest';
import { parseRecordedIndex, serialiseRecordedIndex, type RecordedEntry } from './recorded-index';

const entry: RecordedEntry = {
  id: 'mnist-seed1',
  name: 'MNIST',
  description: 'two runs',
  dataset: 'mnist',
  generations: 13,
  source: 'results/x',
  files: ['mnist-seed1/asexual.json', 'mnist-seed1/sexual.json'],
};
const index = (change: Partial<Record<keyof RecordedEntry, unknown>>) =>
  serialiseRecordedIndex({ recorded: [{ ...entry, ...change } as RecordedEntry] });
const parse = (json: unknown) => parseRecordedIndex(json, { name: 'index.json' });

describe('the recorded-runs index', () => {
  it('reads what it writes', () => {
    expect(parse(JSON.parse(JSON.stringify(index({}))))).toEqual({ recorded: [entry] });
  });

  it.each([
    [
      'a path that leaves the folder',
      { files: ['../secret.json'] },
      /recorded\[0\]\.files\[0\] is "\.\.\/secret\.json"/,
    ],
    ['an absolute path', { files: ['/etc/x.json'] }, /files\[0\]/],
    ['no files', { files: [] }, /recorded\[0\]\.files/],
    ['an id with capitals', { id: 'Mnist' }, /recorded\[0\]\.id is "Mnist"/],
    ['an unknown dataset', { dataset: 'imagenet' }, /recorded\[0\]\.dataset must be one of mnist, cifar10/],
    ['no generations', { generations: 0 }, /recorded\[0\]\.generations/],
  ])('refuses %s', (_, change, message) => {
    expect(() => parse(index(change))).toThrow(message);
  });

  it('refuses a repeated id and another format', () => {
    const twice = serialiseRecordedIndex({ recorded: [entry, entry] });
    expect(() => parse(twice)).toThrow(/recorded\[1\]\.id repeats mnist-seed1/);
    expect(() => parse({ format: 'evolab-run', version: 1 })).toThrow(/^index\.json: /);
  });
});
