/**
 * `npm run report`: turns the raw runs under results/ into docs/RESULTS.md and its SVG figures.
 *
 * Layout read: results/<experiment>/<mode>/seed<N>/run.json. Each experiment becomes a section
 * with mean ± std over seeds per generation, the first generation whose accuracy dropped ≥ 3
 * points below the ancestor, plots in the style of the paper's Figures 4–5, and the paper's
 * numbers beside ours. results/NOTES.md (hand-written: what was calibrated and why) opens the report.
 * The same seed summaries go to public/reproduced.json, which the lab overlays on its charts.
 * Sweep folders under results/ (with a sweep.json) make the "Beyond the paper" section
 * (beyond-report.ts), opened by results/BEYOND.md; each of their groups of settings is also an
 * experiment of public/reproduced.json.
 *
 * Usage: npm run report -- [resultsDir] [docsDir] [publicDir]
 *        npm run report -- SWEEPDIR [outDir]   (a folder made by npm run sweep: see sweep-report.ts)
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJsonText, parseRunReport } from '../experiment/artefacts';
import { defaultConfig, type DatasetName } from '../experiment/config';
import { datasetTitle, trainingImages } from '../experiment/datasets';
import { PAPER_POINTS } from '../experiment/paper';
import type { RunReport } from '../experiment/records';
import {
  firstDropGeneration,
  runCurve,
  summariseSeeds,
  type ReproducedCurves,
  type SeedSummaryPoint,
  type Stat,
} from '../experiment/summary';
import { beyondSection, writeBeyondFigures } from './beyond-report';
import { svgPlot, type PlotSeries } from './svg-plot';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MODE_COLOURS: Record<string, string> = { asexual: '#d62728', sexual: '#1f77b4', multiparent: '#2ca02c' };

export interface Experiment {
  name: string;
  dataset: RunReport['config']['dataset'];
  modes: Map<string, { seeds: number[]; runs: RunReport[] }>;
}

/** Run files of the reproduction's layout; sweep folders (with a sweep.json) are the "Beyond the paper" section's. */
async function findRuns(dir: string): Promise<string[]> {
  if (!existsSync(dir) || existsSync(path.join(dir, 'sweep.json'))) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => findRuns(path.join(dir, e.name))));
  return [...(entries.some((e) => e.name === 'run.json') ? [path.join(dir, 'run.json')] : []), ...nested.flat()];
}

export async function loadExperiments(resultsDir: string): Promise<Experiment[]> {
  const experiments = new Map<string, Experiment>();
  for (const file of (await findRuns(resultsDir)).sort()) {
    // Through the artefact gate: a damaged run.json is named, with the field, instead of skewing a table.
    const shown = path.relative(process.cwd(), file) || file;
    const report = parseRunReport(parseJsonText(await readFile(file, 'utf8'), shown), { name: shown });
    const rel = path.relative(resultsDir, path.dirname(file)).split(path.sep);
    if (rel.length < 3) throw new Error(`${file}: expected results/<experiment>/<mode>/seed<N>/run.json`);
    const name = rel.slice(0, -2).join('/');
    const mode = rel[rel.length - 2];
    const exp = experiments.get(name) ?? { name, dataset: report.config.dataset, modes: new Map() };
    const group = exp.modes.get(mode) ?? { seeds: [], runs: [] };
    group.seeds.push(report.config.seed);
    group.runs.push(report);
    exp.modes.set(mode, group);
    experiments.set(name, exp);
  }
  return [...experiments.values()];
}

export const pct = (s: Stat) => `${(100 * s.mean).toFixed(2)} ± ${(100 * s.std).toFixed(2)}`;
export const times = (s: Stat) => `${s.mean.toFixed(2)} ± ${s.std.toFixed(2)}`;

export function generationTable(modes: [string, SeedSummaryPoint[]][]): string {
  const lines = [
    '| mode | gen | seeds | accuracy % (mean ± std) | best-of-population accuracy % | synaptic eff. × | cluster eff. × |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const [mode, summary] of modes)
    for (const p of summary)
      lines.push(
        `| ${mode} | ${p.generation} | ${p.accuracy.n} | ${pct(p.accuracy)} | ${pct(p.bestAccuracy)} | ${times(p.synapticEfficiency)} | ${times(p.clusterEfficiency)} |`,
      );
  return lines.join('\n');
}

export function dropTable(modes: [string, SeedSummaryPoint[]][], points: number): string {
  const lines = [
    `| mode | ancestor accuracy % | first gen with ≥ ${points}-point drop | accuracy % there | synaptic eff. there | cluster eff. there |`,
    '|---|---|---|---|---|---|',
  ];
  for (const [mode, summary] of modes) {
    const curve = summary.map((p) => ({ ...p, accuracy: p.accuracy.mean }));
    const drop = firstDropGeneration(curve, points);
    const ancestor = summary.find((p) => p.generation === 1);
    lines.push(
      drop
        ? `| ${mode} | ${ancestor ? pct(ancestor.accuracy) : '—'} | ${drop.generation} | ${pct(summary.find((p) => p.generation === drop.generation)!.accuracy)} | ${times(drop.synapticEfficiency)} | ${times(drop.clusterEfficiency)} |`
        : `| ${mode} | ${ancestor ? pct(ancestor.accuracy) : '—'} | none within ${summary.at(-1)?.generation ?? 0} generations | — | — | — |`,
    );
  }
  return lines.join('\n');
}

export function paperTable(dataset: Experiment['dataset']): string {
  if (!PAPER_POINTS[dataset].length) return `The paper reports no runs on ${datasetTitle(dataset)}.`;
  const lines = ['| mode | gen | accuracy % | synaptic eff. × | cluster eff. × | note |', '|---|---|---|---|---|---|'];
  for (const p of PAPER_POINTS[dataset])
    lines.push(
      `| ${p.mode} | ${p.generation} | ${(100 * p.testAccuracy).toFixed(1)} | ${p.synapticEfficiency} | ${p.clusterEfficiency} | ${p.note ?? ''} |`,
    );
  return lines.join('\n');
}

export function plots(exp: Experiment, modes: [string, SeedSummaryPoint[]][]): Record<string, string> {
  const metric = (key: 'accuracy' | 'synapticEfficiency' | 'clusterEfficiency', scale: number): PlotSeries[] => [
    ...modes.map(([mode, summary]) => ({
      label: `${mode} (mean ± std, ${summary[0]?.accuracy.n ?? 0} seeds)`,
      color: MODE_COLOURS[mode] ?? '#555',
      points: summary.map((p) => ({ x: p.generation, y: p[key].mean * scale, err: p[key].std * scale })),
    })),
    ...(['asexual', 'sexual'] as const).map((mode) => ({
      label: `paper, ${mode}`,
      color: MODE_COLOURS[mode],
      markersOnly: true,
      points: PAPER_POINTS[exp.dataset]
        .filter((p) => p.mode === mode)
        .map((p) => ({ x: p.generation, y: (key === 'accuracy' ? p.testAccuracy : p[key]) * scale })),
    })),
  ];
  return {
    accuracy: svgPlot(metric('accuracy', 100), {
      title: `${exp.name}: test accuracy`,
      xLabel: 'generation',
      yLabel: 'test accuracy (%)',
    }),
    synaptic: svgPlot(metric('synapticEfficiency', 1), {
      title: `${exp.name}: synaptic efficiency`,
      xLabel: 'generation',
      yLabel: 'synaptic efficiency (×, log)',
      logY: true,
    }),
    cluster: svgPlot(metric('clusterEfficiency', 1), {
      title: `${exp.name}: cluster efficiency`,
      xLabel: 'generation',
      yLabel: 'cluster efficiency (×, log)',
      logY: true,
    }),
  };
}

export function describeConfig(run: RunReport): string {
  const c = run.config;
  const s = c.synthesis;
  return [
    `dataset ${c.dataset}, train subset ${c.trainSubset ?? 'full'}, test ${c.testSubset ?? 'full 10k'}`,
    `ancestor ${c.ancestorEpochs} epochs, offspring ${c.epochsPerGeneration} epochs, ${c.training.optimizer} lr ${c.training.learningRate}, batch ${c.training.batchSize}`,
    `budget ${s.budget.mode} ρ=${s.budget.rho} (N_ref ${s.budget.reference}), normalisers Z=${s.clusterNormaliser} z=${s.synapseNormaliser}, truncation ${JSON.stringify(s.truncation)}, ${s.strength}, ${s.inheritance}`,
    `mating weights ${c.mating.cluster ? c.mating.cluster.join('/') : 'equal'} (cluster), ${c.mating.synapse ? c.mating.synapse.join('/') : 'equal'} (synapse); backend ${run.environment.backend}`,
  ].join('; ');
}

const FIGURE_NAME = /-(accuracy|synaptic|cluster)\.svg$/;
/** The issue asks for the 3-point drop; the paper compares CIFAR-10 at its ~10-point drop (ALGORITHM.md §4). */
export const DROP_POINTS: Record<DatasetName, readonly number[]> = {
  mnist: [3],
  cifar10: [3, 10],
  'fashion-mnist': [3],
  kmnist: [3],
  'emnist-digits': [3],
  idx: [3],
  images: [3],
};
/** Settings that say which run it is, not how the algorithm was set up. */
const NOT_SETTINGS = new Set([
  'mode',
  'population',
  'parents',
  'seed',
  'backend',
  'trainSubset',
  'testSubset',
  'generations',
]);

/** Dotted paths where `actual` differs from `expected` (fields `actual` lacks are not compared). */
function changedPaths(actual: unknown, expected: unknown, prefix = ''): string[] {
  if (actual === undefined) return [];
  const isObject = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
  if (isObject(actual) && isObject(expected))
    return Object.keys(actual)
      .filter((k) => prefix || !NOT_SETTINGS.has(k))
      .flatMap((k) => changedPaths(actual[k], expected[k], prefix ? `${prefix}.${k}` : k));
  return JSON.stringify(actual) === JSON.stringify(expected) ? [] : [prefix];
}

/** E.g. "10 % MNIST, 3 seeds, 13 generations, defaults" (or the settings that differ from them). */
export function describeExperiment(exp: Experiment): string {
  const runs = [...exp.modes.values()].flatMap((g) => g.runs);
  const c = runs[0].config;
  const data = datasetTitle(c.dataset);
  const full = trainingImages(c.dataset);
  const share =
    c.trainSubset === null
      ? `full ${data}`
      : full === null
        ? `${c.trainSubset} images of ${data}`
        : `${Number(((100 * c.trainSubset) / full).toPrecision(3))} % ${data}`;
  const counts = [...exp.modes.values()].map((g) => new Set(g.seeds).size);
  const [lo, hi] = [Math.min(...counts), Math.max(...counts)];
  const seeds = lo === hi ? `${lo} seed${lo === 1 ? '' : 's'}` : `${lo}–${hi} seeds`;
  const generations = Math.max(...runs.map((r) => r.config.generations));
  const changed = [
    ...new Set(runs.flatMap((r) => changedPaths(r.config, defaultConfig(r.config.dataset, r.config.mode)))),
  ];
  return [
    share,
    c.testSubset === null ? '' : `test subset ${c.testSubset}`,
    seeds,
    `${generations} generations`,
    changed.length ? `changed: ${changed.join(', ')}` : 'defaults',
  ]
    .filter(Boolean)
    .join(', ');
}

/** JSON with numbers to 6 significant digits: a small file, and diffs that show real changes. */
const compactJson = (x: unknown) =>
  JSON.stringify(
    x,
    (_, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v),
    1,
  ) + '\n';

export async function writeReport(
  resultsDir: string,
  docsDir: string,
  publicDir = path.join(REPO_ROOT, 'public'),
): Promise<string> {
  const experiments = await loadExperiments(resultsDir);
  // A mistyped folder must not replace the report (and its figures) with an empty one.
  if (!experiments.length)
    throw new Error(`${resultsDir} holds no runs (results/<experiment>/<mode>/seed<N>/run.json); nothing was written`);
  const reproduced: ReproducedCurves = { generatedAt: new Date().toISOString(), experiments: [] };
  const figuresDir = path.join(docsDir, 'figures');
  await mkdir(figuresDir, { recursive: true });
  // Figures of experiments that were renamed or removed would linger: this report owns its names.
  for (const f of await readdir(figuresDir)) if (FIGURE_NAME.test(f)) await rm(path.join(figuresDir, f));
  const notesFile = path.join(resultsDir, 'NOTES.md');
  const sections: string[] = [
    '# Reproducing the paper: results',
    '',
    '_Generated by `npm run report` from the raw runs in `results/`; edit `results/NOTES.md` for the narrative, not this file._',
    '',
    existsSync(notesFile) ? (await readFile(notesFile, 'utf8')).trim() : '',
  ];
  for (const exp of experiments) {
    const modes = [...exp.modes.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([mode, g]) => [mode, summariseSeeds(g.runs.map((r) => runCurve(r.records)))] as [string, SeedSummaryPoint[]],
      );
    reproduced.experiments.push({
      name: exp.name,
      dataset: exp.dataset,
      description: describeExperiment(exp),
      modes: Object.fromEntries(
        modes.map(([mode, points]) => [mode, { seeds: [...exp.modes.get(mode)!.seeds].sort((a, b) => a - b), points }]),
      ),
    });
    const slug = exp.name.replace(/[^a-z0-9]+/gi, '-');
    const figs = plots(exp, modes);
    for (const [kind, svg] of Object.entries(figs)) await writeFile(path.join(figuresDir, `${slug}-${kind}.svg`), svg);
    const anyRun = [...exp.modes.values()][0].runs[0];
    sections.push(
      '',
      `## ${exp.name}`,
      '',
      `Configuration: ${describeConfig(anyRun)}.`,
      '',
      `Seeds: ${[...exp.modes.entries()].map(([m, g]) => `${m} ${g.seeds.join(', ')}`).join('; ')}.`,
      '',
      ...DROP_POINTS[exp.dataset].flatMap((points) => [
        `### First generation with accuracy ≥ ${points} points below the ancestor (seed means)`,
        '',
        dropTable(modes, points),
        '',
      ]),
      '### The paper',
      '',
      paperTable(exp.dataset),
      '',
      `![accuracy](figures/${slug}-accuracy.svg) ![synaptic efficiency](figures/${slug}-synaptic.svg) ![cluster efficiency](figures/${slug}-cluster.svg)`,
      '',
      '### Per generation',
      '',
      generationTable(modes),
    );
  }
  const beyondNotes = path.join(resultsDir, 'BEYOND.md');
  const beyond = await beyondSection(resultsDir, existsSync(beyondNotes) ? await readFile(beyondNotes, 'utf8') : '');
  if (beyond.experiments.length) {
    await writeBeyondFigures(beyond, figuresDir);
    reproduced.experiments.push(...beyond.experiments);
    sections.push('', beyond.markdown);
  }
  const markdown = sections.join('\n') + '\n';
  await writeFile(path.join(docsDir, 'RESULTS.md'), markdown);
  await mkdir(publicDir, { recursive: true });
  await writeFile(path.join(publicDir, 'reproduced.json'), compactJson(reproduced));
  return markdown;
}

/** `npm run report -- DIR` on a sweep folder: its own report, in DIR/report (or the folder given next). */
async function reportSweep(sweepDir: string, outDir: string | undefined) {
  const { writeSweepReport } = await import('./sweep-report');
  const out = path.resolve(outDir ?? path.join(sweepDir, 'report'));
  process.stdout.write(await writeSweepReport(sweepDir, out));
  process.stderr.write(`wrote ${path.join(out, 'RESULTS.md')} and its figures from the sweep in ${sweepDir}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  if (process.argv[2] && existsSync(path.join(process.argv[2], 'sweep.json')))
    reportSweep(path.resolve(process.argv[2]), process.argv[3]).catch((e: Error) => {
      process.stderr.write(`error: ${e.message}\n`);
      process.exit(2);
    });
  else {
    const resultsDir = path.resolve(process.argv[2] ?? path.join(REPO_ROOT, 'results'));
    const docsDir = path.resolve(process.argv[3] ?? path.join(REPO_ROOT, 'docs'));
    const publicDir = path.resolve(process.argv[4] ?? path.join(REPO_ROOT, 'public'));
    writeReport(resultsDir, docsDir, publicDir).then(
      () =>
        process.stderr.write(
          `wrote ${path.join(docsDir, 'RESULTS.md')}, its figures and ${path.join(publicDir, 'reproduced.json')} from ${resultsDir}\n`,
        ),
      (e: Error) => {
        process.stderr.write(`error: ${e.message}\n`);
        process.exit(2);
      },
    );
  }
}
