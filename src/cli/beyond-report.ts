/**
 * The "Beyond the paper" section of docs/RESULTS.md (issue 19): the sweeps kept under results/
 * (folders with a sweep.json) compared method by method. A method is a mode plus the settings a
 * point gave besides seed and mode (e.g. "sexual · budgetScope=layer"); each table is mean ± std
 * over its seeds:
 *   - accuracy at equal synaptic and cluster efficiency (interpolated, experiment/compare.ts),
 *   - efficiencies at the first ≥ 3-point drop, and where the drop is exactly 3 points, against
 *     asexual synthesis (the defaults, and the same settings where the sweep has them),
 *   - what the steps removed: with whole kernels and filters (what the cluster efficiency
 *     rewards) or as single synapses, and the filters left per layer,
 * and figures of accuracy (as the drop from the ancestor, so that the paper's points compare)
 * against each efficiency, with the paper's points.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  accuracyAtEfficiency,
  dropPoint,
  removalSummary,
  type DropPoint,
  type EfficiencyKey,
} from '../experiment/compare';
import { parseJsonText, parseRunReport } from '../experiment/artefacts';
import { PAPER_POINTS } from '../experiment/paper';
import type { RunReport } from '../experiment/records';
import {
  mean,
  runCurve,
  std,
  summariseSeeds,
  type GenerationPoint,
  type ReproducedExperiment,
} from '../experiment/summary';
import { describeExperiment, type Experiment } from './report';
import { svgPlot, type PlotSeries } from './svg-plot';

export interface Method {
  /** "sexual", or "sexual · budgetScope=layer". */
  label: string;
  mode: string;
  /** The point settings besides seed and mode, as in ids ("" for none). */
  group: string;
  runs: RunReport[];
}

export interface SweepMethods {
  name: string;
  dataset: RunReport['config']['dataset'];
  methods: Method[];
  /** Points whose run.json is missing or unfinished. */
  unfinished: string[];
}

/** Point settings that do not make another method: the seed, the mode, where the data is, and how long it ran. */
const NOT_GROUPS = new Set(['seed', 'mode', 'dataDir', 'generations']);
const BASELINES = ['asexual', 'sexual', 'magnitude', 'magnitude-layerwise', 'random'];
const BASE_COLOURS: Record<string, string> = {
  asexual: '#d62728',
  sexual: '#1f77b4',
  magnitude: '#2ca02c',
  'magnitude-layerwise': '#8c8c00',
  random: '#7f7f7f',
};
const GROUP_COLOURS = ['#9467bd', '#ff7f0e', '#17becf', '#e377c2', '#8c564b', '#bcbd22', '#393b79', '#637939'];
/** Where the tables read accuracy off: synaptic and cluster efficiencies the runs pass. */
export const EFFICIENCY_TARGETS: Record<EfficiencyKey, number[]> = {
  synapticEfficiency: [10, 20, 50],
  clusterEfficiency: [2, 3, 5],
};

interface SweepFile {
  name: string;
  points: { id: string; dir: string; settings: Record<string, unknown> }[];
}

/** The sweep folders directly under `resultsDir`. */
export async function findSweeps(resultsDir: string): Promise<string[]> {
  if (!existsSync(resultsDir)) return [];
  const entries = await readdir(resultsDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && existsSync(path.join(resultsDir, e.name, 'sweep.json')))
    .map((e) => path.join(resultsDir, e.name))
    .sort();
}

export async function loadSweepMethods(sweepDir: string): Promise<SweepMethods> {
  const record = JSON.parse(await readFile(path.join(sweepDir, 'sweep.json'), 'utf8')) as SweepFile;
  const methods = new Map<string, Method>();
  const unfinished: string[] = [];
  let dataset: RunReport['config']['dataset'] | null = null;
  for (const point of record.points) {
    const file = path.join(sweepDir, point.dir, 'run.json');
    const run = existsSync(file)
      ? parseRunReport(parseJsonText(await readFile(file, 'utf8'), file), { name: file })
      : null;
    if (!run?.finished) {
      unfinished.push(point.id);
      continue;
    }
    dataset ??= run.config.dataset;
    const group = Object.entries(point.settings)
      .filter(([k]) => !NOT_GROUPS.has(k))
      .map(([k, v]) => `${k}=${showValue(v)}`)
      .join(',');
    const label = group ? `${run.config.mode} · ${group}` : run.config.mode;
    const method = methods.get(label) ?? { label, mode: run.config.mode, group, runs: [] };
    if (!method.runs.some((r) => r.config.seed === run.config.seed)) method.runs.push(run);
    methods.set(label, method);
  }
  const rank = (m: Method) => (m.group ? 1 : 0) * 100 + (BASELINES.indexOf(m.mode) + 1 || 50);
  return {
    name: record.name,
    dataset: dataset ?? 'mnist',
    methods: [...methods.values()].sort((a, b) => a.group.localeCompare(b.group) || rank(a) - rank(b)),
    unfinished,
  };
}

/** A setting's value as a label shows it: text as written (0.5@8), lists joined by "+". */
const showValue = (v: unknown): string =>
  (typeof v === 'string' ? v : Array.isArray(v) ? v.join('+') : JSON.stringify(v)).replace(/\|/g, '/');

const curveOf = (run: RunReport): GenerationPoint[] => runCurve(run.records);

/** "12.34 ± 0.56" of the values, or "—"; `(n of N)` when some runs gave none. */
export function meanStd(values: (number | null)[], digits = 2, scale = 1): string {
  const xs = values.filter((v): v is number => v !== null).map((v) => v * scale);
  if (!xs.length) return '—';
  const text = `${mean(xs).toFixed(digits)} ± ${std(xs).toFixed(digits)}`;
  return xs.length < values.length ? `${text} (${xs.length} of ${values.length})` : text;
}

function accuracyTable(methods: Method[], key: EfficiencyKey): string {
  const targets = EFFICIENCY_TARGETS[key];
  const lines = [
    `| method | seeds | ${targets.map((t) => `accuracy % at ${t}×`).join(' | ')} |`,
    `|---|---|${targets.map(() => '---|').join('')}`,
  ];
  for (const m of methods)
    lines.push(
      `| ${m.label} | ${m.runs.length} | ${targets
        .map((t) =>
          meanStd(
            m.runs.map((r) => accuracyAtEfficiency(curveOf(r), key, t)),
            2,
            100,
          ),
        )
        .join(' | ')} |`,
    );
  return lines.join('\n');
}

interface DropStats {
  /** Per run: the drop point, or the last generation (a lower bound) when it never dropped. */
  points: { drop: DropPoint | null; last: GenerationPoint }[];
}

const dropStats = (m: Method, points: number): DropStats => ({
  points: m.runs.map((r) => {
    const curve = curveOf(r);
    return { drop: dropPoint(curve, points), last: curve[curve.length - 1] };
  }),
});

/** Mean over seeds; a seed that never dropped counts with its last generation, and the mean shows "≥". */
function censoredMean(s: DropStats, pick: (d: DropPoint) => number, fallback: (p: GenerationPoint) => number) {
  const values = s.points.map((p) => (p.drop ? pick(p.drop) : fallback(p.last)));
  const censored = s.points.filter((p) => !p.drop).length;
  return { mean: mean(values), std: std(values), censored, n: values.length };
}

const showCensored = (x: { mean: number; std: number; censored: number }, digits = 1) =>
  `${x.censored ? '≥ ' : ''}${x.mean.toFixed(digits)} ± ${x.std.toFixed(digits)}`;

/** The asexual method the table compares a method with: same settings if the sweep has them, else the defaults'. */
function asexualOf(methods: Method[], m: Method): { same: Method | null; plain: Method | null } {
  const plain = methods.find((x) => x.mode === 'asexual' && !x.group) ?? null;
  const same = m.group ? (methods.find((x) => x.mode === 'asexual' && x.group === m.group) ?? null) : null;
  return { same, plain };
}

function dropTable(methods: Method[], points: number): string {
  const lines = [
    `| method | seeds | first gen ≥ ${points} points below (per seed) | synaptic eff. there × | cluster eff. there × | synaptic eff. at exactly ${points} points × | cluster eff. at exactly ${points} points × | synaptic × asexual | synaptic × asexual, same settings |`,
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const m of methods) {
    const s = dropStats(m, points);
    const synapticAt = censoredMean(
      s,
      (d) => d.synapticAtDrop,
      (p) => p.synapticEfficiency,
    );
    const ratio = (other: Method | null) => {
      if (!other || other === m) return '—';
      const o = censoredMean(
        dropStats(other, points),
        (d) => d.synapticAtDrop,
        (p) => p.synapticEfficiency,
      );
      const r = synapticAt.mean / o.mean;
      return `${r.toFixed(2)}${synapticAt.censored || o.censored ? ' (censored)' : ''}`;
    };
    const { same, plain } = asexualOf(methods, m);
    const cells = [
      m.label,
      m.runs.length,
      s.points.map((p) => (p.drop ? p.drop.generation : `>${p.last.generation}`)).join(', '),
      showCensored(
        censoredMean(
          s,
          (d) => d.synapticEfficiency,
          (p) => p.synapticEfficiency,
        ),
      ),
      showCensored(
        censoredMean(
          s,
          (d) => d.clusterEfficiency,
          (p) => p.clusterEfficiency,
        ),
        2,
      ),
      showCensored(synapticAt),
      showCensored(
        censoredMean(
          s,
          (d) => d.clusterAtDrop,
          (p) => p.clusterEfficiency,
        ),
        2,
      ),
      ratio(plain),
      ratio(same),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function lastGenerationTable(methods: Method[]): string {
  const lines = [
    '| method | seeds | ancestor accuracy % | last gen | accuracy % | best of population % | synaptic eff. × | cluster eff. × |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const m of methods) {
    const curves = m.runs.map(curveOf);
    const last = curves.map((c) => c[c.length - 1]);
    lines.push(
      `| ${m.label} | ${m.runs.length} | ${meanStd(
        curves.map((c) => c[0].accuracy),
        2,
        100,
      )} | ${[...new Set(last.map((p) => p.generation))].join(', ')} | ${meanStd(
        last.map((p) => p.accuracy),
        2,
        100,
      )} | ${meanStd(
        last.map((p) => p.bestAccuracy),
        2,
        100,
      )} | ${meanStd(
        last.map((p) => p.synapticEfficiency),
        1,
      )} | ${meanStd(
        last.map((p) => p.clusterEfficiency),
        2,
      )} |`,
    );
  }
  return lines.join('\n');
}

function removalTable(methods: Method[]): string {
  const layers = methods[0]?.runs[0] ? removalSummary(methods[0].runs[0].records).lastFilters.map((l) => l.name) : [];
  const lines = [
    `| method | removed with whole kernels % | with whole filters % | kernels removed | filters removed | alive in all parents % | ${layers.map((l) => `${l} filters left`).join(' | ')} |`,
    `|---|---|---|---|---|---|${layers.map(() => '---|').join('')}`,
  ];
  for (const m of methods) {
    const s = m.runs.map((r) => removalSummary(r.records));
    lines.push(
      `| ${m.label} | ${meanStd(
        s.map((x) => x.withKernels),
        1,
        100,
      )} | ${meanStd(
        s.map((x) => x.withFilters),
        1,
        100,
      )} | ${meanStd(
        s.map((x) => x.kernels),
        0,
      )} | ${meanStd(
        s.map((x) => x.filters),
        1,
      )} | ${meanStd(
        s.map((x) => x.aliveInAllParents),
        1,
        100,
      )} | ${layers
        .map((l) =>
          meanStd(
            s.map((x) => x.lastFilters.find((f) => f.name === l)?.filters ?? null),
            1,
          ),
        )
        .join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/** One line per method: seed-mean accuracy change (points) against seed-mean efficiency, per generation. */
export function methodSeries(methods: Method[], key: EfficiencyKey): PlotSeries[] {
  const groups = [...new Set(methods.map((m) => m.group).filter(Boolean))];
  return methods.map((m) => {
    const summary = summariseSeeds(m.runs.map(curveOf));
    const ancestor = summary[0].accuracy.mean;
    return {
      label: `${m.label} (${m.runs.length} seed${m.runs.length === 1 ? '' : 's'})`,
      // A group's evolution runs share its colour (asexual dashed); a pruning baseline in a group keeps its own, dashed.
      color:
        m.group && (m.mode === 'asexual' || m.mode === 'sexual')
          ? GROUP_COLOURS[groups.indexOf(m.group) % GROUP_COLOURS.length]
          : (BASE_COLOURS[m.mode] ?? '#555'),
      dashed: !!m.group && m.mode !== 'sexual',
      points: summary.map((p) => ({
        x: p[key].mean,
        y: 100 * (p.accuracy.mean - ancestor),
        err: 100 * p.accuracy.std,
      })),
    };
  });
}

export function paperSeries(dataset: SweepMethods['dataset'], key: EfficiencyKey): PlotSeries[] {
  const ancestor = PAPER_POINTS[dataset].find((p) => p.mode === 'ancestor')!.testAccuracy;
  return (['asexual', 'sexual'] as const).map((mode) => ({
    label: `paper, ${mode}`,
    color: BASE_COLOURS[mode],
    markersOnly: true,
    points: PAPER_POINTS[dataset]
      .filter((p) => p.mode === mode)
      .map((p) => ({ x: p[key], y: 100 * (p.testAccuracy - ancestor) })),
  }));
}

const KEY_NAMES: Record<EfficiencyKey, string> = {
  synapticEfficiency: 'synaptic',
  clusterEfficiency: 'cluster',
};

export interface BeyondSection {
  markdown: string;
  /** Figure file name → SVG. */
  figures: Record<string, string>;
  /** The sweeps' groups as experiments of public/reproduced.json (one per group of settings). */
  experiments: ReproducedExperiment[];
}

/** The section for the sweeps under `resultsDir`; `narrative` (results/BEYOND.md) opens it. */
export async function beyondSection(resultsDir: string, narrative: string): Promise<BeyondSection> {
  const sweeps = await Promise.all((await findSweeps(resultsDir)).map(loadSweepMethods));
  const figures: Record<string, string> = {};
  const experiments: ReproducedExperiment[] = [];
  const parts: string[] = ['## Beyond the paper', '', narrative.trim()];
  for (const sweep of sweeps) {
    if (!sweep.methods.length) continue;
    const asExperiment = (name: string, methods: Method[]): Experiment => ({
      name,
      dataset: sweep.dataset,
      modes: new Map(methods.map((m) => [m.mode, { seeds: m.runs.map((r) => r.config.seed), runs: m.runs }])),
    });
    parts.push(
      '',
      `### ${sweep.name}`,
      '',
      `${describeExperiment(asExperiment(sweep.name, sweep.methods)).replace(/, (changed: .*|defaults)$/, '')}; ${sweep.methods.length} methods, seeds ${[...new Set(sweep.methods.flatMap((m) => m.runs.map((r) => r.config.seed)))].sort((a, b) => a - b).join(', ')}. Raw runs: \`results/${sweep.name}/points/\`; spec: \`results/${sweep.name}/spec.json\`.`,
      ...(sweep.unfinished.length ? ['', `Not finished, so left out: ${sweep.unfinished.join('; ')}.`] : []),
      '',
      '#### At the last generation',
      '',
      lastGenerationTable(sweep.methods),
      '',
      '#### Accuracy at equal synaptic efficiency (interpolated per seed)',
      '',
      accuracyTable(sweep.methods, 'synapticEfficiency'),
      '',
      '#### Accuracy at equal cluster efficiency (interpolated per seed)',
      '',
      accuracyTable(sweep.methods, 'clusterEfficiency'),
    );
    for (const points of sweep.dataset === 'cifar10' ? [3, 10] : [3])
      parts.push(
        '',
        `#### Efficiency at the first ≥ ${points}-point drop (per seed, then mean ± std)`,
        '',
        `"≥": some seeds never dropped ${points} points, and count with their last generation. "× asexual": the ratio of the synaptic efficiencies at exactly ${points} points to asexual synthesis'.`,
        '',
        dropTable(sweep.methods, points),
      );
    parts.push(
      '',
      '#### What the steps removed (summed over the generations, mean over seeds)',
      '',
      'A synapse, kernel or filter counts as removed when some parent had it and the offspring has not (so a sexual step counts against both parents). "With whole kernels": the share of the removed synapses whose kernel died with them, the removals the cluster efficiency counts; the rest were removed singly. The last columns: filters alive in each layer at the last generation.',
      '',
      removalTable(sweep.methods),
    );
    const sets: [string, Method[]][] = [
      ['baselines', sweep.methods.filter((m) => !m.group)],
      ['extensions', sweep.methods.filter((m) => m.group || m.mode === 'asexual' || m.mode === 'sexual')],
    ];
    const images: string[] = [];
    for (const [set, methods] of sets) {
      if (!methods.length || (set === 'extensions' && methods.every((m) => !m.group))) continue;
      for (const key of ['synapticEfficiency', 'clusterEfficiency'] as const) {
        const file = `beyond-${sweep.name}-${set}-vs-${KEY_NAMES[key]}.svg`;
        figures[file] = svgPlot([...methodSeries(methods, key), ...paperSeries(sweep.dataset, key)], {
          title: `${sweep.name}, ${set}: accuracy against ${KEY_NAMES[key]} efficiency`,
          xLabel: `${KEY_NAMES[key]} efficiency (×, log)`,
          yLabel: 'test accuracy − ancestor’s (points)',
          logX: true,
        });
        images.push(`![${set}: accuracy against ${KEY_NAMES[key]} efficiency](figures/${file})`);
      }
    }
    parts.push('', images.join(' '));
    const byGroup = new Map<string, Method[]>();
    for (const m of sweep.methods) byGroup.set(m.group, [...(byGroup.get(m.group) ?? []), m]);
    for (const [group, methods] of byGroup) {
      const exp = asExperiment(group ? `${sweep.name}: ${group}` : sweep.name, methods);
      experiments.push({
        name: exp.name,
        dataset: exp.dataset,
        description: describeExperiment(exp),
        modes: Object.fromEntries(
          methods.map((m) => [
            m.mode,
            {
              seeds: m.runs.map((r) => r.config.seed).sort((a, b) => a - b),
              points: summariseSeeds(m.runs.map(curveOf)),
            },
          ]),
        ),
      });
    }
  }
  return { markdown: parts.join('\n'), figures, experiments };
}

/** Writes the figures into `figuresDir`. */
export async function writeBeyondFigures(section: BeyondSection, figuresDir: string): Promise<void> {
  for (const [file, svg] of Object.entries(section.figures)) await writeFile(path.join(figuresDir, file), svg);
}
