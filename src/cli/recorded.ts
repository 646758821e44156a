/**
 * `npm run recorded`: copies finished runs from results/ into public/recorded/ with the index the
 * lab reads (recorded-index.ts), so that a class can replay a whole comparison without training.
 * Every run goes through the artefact gate first and is written compact, stamped with its format.
 *
 * What it ships is listed in experiment/recordings.ts.
 *
 * Usage: npm run recorded -- [resultsDir] [outDir]
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJsonText, parseRunReport, serialiseRunReport } from '../experiment/artefacts';
import { RECORDED_DIR, serialiseRecordedIndex, type RecordedEntry } from '../experiment/recorded-index';
import { RECORDINGS } from '../experiment/recordings';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** "results/mnist-10pct-defaults (asexual/seed1, sexual/seed1)": the folder the runs share, and each run's path in it. */
function sourceLine(sources: string[]): string {
  const dirs = sources.map((s) => path.posix.dirname(s).split('/'));
  const common: string[] = [];
  for (let i = 0; dirs.every((d) => d.length > i + 1 && d[i] === dirs[0][i]); i++) common.push(dirs[0][i]);
  const rest = dirs.map((d) => d.slice(common.length).join('/'));
  return `results/${common.join('/')} (${rest.join(', ')})`;
}

export async function writeRecorded(resultsDir: string, outDir: string): Promise<RecordedEntry[]> {
  const entries: RecordedEntry[] = [];
  for (const rec of RECORDINGS) {
    const files: string[] = [];
    let generations = 0;
    let dataset: RecordedEntry['dataset'] | null = null;
    await mkdir(path.join(outDir, rec.id), { recursive: true });
    for (const run of rec.runs) {
      const source = path.join(resultsDir, run.source);
      const name = path.relative(REPO_ROOT, source);
      const report = parseRunReport(parseJsonText(await readFile(source, 'utf8'), name), { name });
      const file = `${rec.id}/${run.file}.json`;
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
      source: sourceLine(rec.runs.map((r) => r.source)),
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
