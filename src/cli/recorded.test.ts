/** `npm run recorded`: what it writes is what the site ships, and the index passes the gate. */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseImport, parseJsonText } from '../experiment/artefacts';
import { parseRecordedIndex } from '../experiment/recorded-index';
import { writeRecorded } from './recorded';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('npm run recorded', () => {
  it('writes the runs and index that public/recorded ships, byte for byte', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'evolab-recorded-'));
    try {
      const entries = await writeRecorded(path.join(ROOT, 'results'), out);
      expect(entries.map((e) => [e.id, e.dataset, e.generations, e.files.length])).toEqual([
        ['mnist-10pct-defaults-seed1', 'mnist', 13, 2],
        ['mnist-full-defaults-seed1', 'mnist', 13, 2],
        ['cifar10-5k-defaults-seed1', 'cifar10', 10, 2],
        ['preset-pruning-seed1', 'mnist', 13, 3],
        ['preset-changing-environment-seed1', 'mnist', 13, 2],
        ['preset-outbreeding-seed1', 'mnist', 13, 2],
        ['preset-layer-budget-seed1', 'mnist', 13, 2],
        ['cifar10-5k-pruning-seed1', 'cifar10', 10, 3],
      ]);
      expect(entries[0].source).toBe('results/mnist-10pct-defaults (asexual/seed1, sexual/seed1)');
      expect(entries[3].source).toBe(
        'results/mnist-10pct-beyond/points (mode=asexual,seed=1, mode=magnitude,seed=1, mode=random,seed=1)',
      );
      expect(entries[3].files).toEqual([
        'preset-pruning-seed1/asexual.json',
        'preset-pruning-seed1/magnitude.json',
        'preset-pruning-seed1/random.json',
      ]);
      const shipped = path.join(ROOT, 'public/recorded');
      for (const f of ['index.json', ...entries.flatMap((e) => e.files)])
        expect(await readFile(path.join(out, f), 'utf8'), f).toBe(await readFile(path.join(shipped, f), 'utf8'));
      expect((await readdir(shipped)).sort()).toEqual(['index.json', ...entries.map((e) => e.id)].sort());
      const index = parseRecordedIndex(parseJsonText(await readFile(path.join(out, 'index.json'), 'utf8'), 'i'), {
        name: 'index.json',
      });
      for (const f of index.recorded.flatMap((e) => e.files)) {
        const run = parseImport(JSON.parse(await readFile(path.join(out, f), 'utf8')), { name: f });
        expect(run.kind).toBe('run');
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
