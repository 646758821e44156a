/**
 * `npm run recorded`: copies finished runs from results/ into public/recorded/ with the index the
 * lab reads (recorded-index.ts), so that a class can replay a whole comparison without training.
 * Every run goes through the artefact gate first and is written compact, stamped with its format.
 *
 * Usage: npm run recorded -- [resultsDir] [outDir]
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJsonText, parseRunReport, serialiseRunReport } from '../experiment/artefacts';
import { RECORDED_DIR, serialiseRecordedIndex, type RecordedEntry } from '../experiment/recorded-index';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What the site ships: seed 1 of the reproduction's default comparisons (docs/RESULTS.md). */
export const RECORDINGS = [
  {
    id: 'mnist-10pct-defaults-seed1',
    name: 'MNIST, asexual vs sexual (seed 1)',
    description:
      'The default comparison on 10 % of MNIST: 13 generations of each, from the same ancestor, as npm run evolve made them (no training in the browser).',
    experiment: 'mnist-10pct-defaults',
    runs: ['asexual/seed1', 'sexual/seed1'],
  },
  {
    id: 'mnist-full-defaults-seed1',
    name: 'MNIST, full training set, asexual vs sexual (seed 1)',
    description:
      'The same comparison trained on all 60,000 MNIST images: 13 generations of each, from the same ancestor.',
    experiment: 'mnist-full-defaults',
    runs: ['asexual/seed1', 'sexual/seed1'],
  },
  {
    id: 'cifar10-5k-defaults-seed1',
    name: 'CIFAR-10, asexual vs sexual (seed 1)',
    description:
      'The default comparison on 5,000 CIFAR-10 images: 10 generations of each, where the paper saw sexual synthesis ahead.',
    experiment: 'cifar10-5k-defaults',
    runs: ['asexual/seed1', 'sexual/seed1'],
  },
] as const;

export async function writeRecorded(resultsDir: string, outDir: string): Promise<RecordedEntry[]> {
  const entries: RecordedEntry[] = [];
  for (const rec of RECORDINGS) {
    const files: string[] = [];
    let generations = 0;
    let dataset: RecordedEntry['dataset'] | null = null;
    await mkdir(path.join(outDir, rec.id), { recursive: true });
    for (const run of rec.runs) {
      const source = path.join(resultsDir, rec.experiment, run, 'run.json');
      const name = path.relative(REPO_ROOT, source);
      const report = parseRunReport(parseJsonText(await readFile(source, 'utf8'), name), { name });
      const file = `${rec.id}/${run.split('/')[0]}.json`;
      await writeFile(path.join(outDir, file), JSON.stringify(serialiseRunReport(report)));
      files.push(file);
      generations = Math.max(generations, ...report.records.map((r) => r.generation));
      dataset = report.config.dataset;
    }
    entries.push({
      id: rec.id,
      name: rec.name,
      description: rec.description,
      dataset: dataset!,
      generations,
      source: `results/${rec.experiment} (${rec.runs.join(', ')})`,
      files,
    });
  }
  await writeFile(
    path.join(outDir, 'index.json'),
    `${JSON.stringify(serialiseRecordedIndex({ recorded: entries }), null, 1)}\n`,
  );
  return entries;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [resultsDir = path.join(REPO_ROOT, 'results'), outDir = path.join(REPO_ROOT, RECORDED_DIR)] =
    process.argv.slice(2);
  writeRecorded(resultsDir, outDir).then(
    (entries) => console.log(`Wrote ${entries.length} recorded comparison(s) to ${path.relative(REPO_ROOT, outDir)}/`),
    (e: Error) => {
      console.error(e.message);
      process.exitCode = 1;
    },
  );
}
