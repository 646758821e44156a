/**
 * Instant replay (issue 16): finished runs — a recorded comparison the site ships, an imported
 * file, a saved session — shown generation by generation. A replay is a mode of the store: its
 * runs are the replayed runs cut at the generation shown, so every panel (charts, heatmaps,
 * mating view, verdict) draws them exactly as it draws a live run at that point. Pure: the
 * replay controller (controller/replay.ts) moves the generation on a timer.
 */
import type { Imported } from '../experiment/artefacts';
import type { RunConfig } from '../experiment/config';
import type { RunReport } from '../experiment/records';
import { settingProblem, getPath } from '../experiment/setting';
import {
  defaultSetup,
  isRunMode,
  LAB_SETTINGS,
  LAB_TOP_SETTINGS,
  runColours,
  runLabel,
  type LabSetup,
  type RunMode,
  type RunVariant,
} from './setup';
import { newRun, type RunState, type StoredSession } from './state';

/** Generations a second the replay can go at; the default shows 13 generations in about 6 s. */
export const REPLAY_SPEEDS = [0.5, 1, 2, 4, 8] as const;
export const DEFAULT_REPLAY_SPEED = 2;

export type ReplayOrigin =
  | { kind: 'recorded'; id: string }
  | { kind: 'file'; names: string[] }
  | { kind: 'session'; id: string }
  /** The runs that were on the page (a finished comparison, replayed from its start). */
  | { kind: 'page' };

/** What is replayed: whole runs and the setup they were made with. */
export interface ReplaySource {
  title: string;
  origin: ReplayOrigin;
  setup: LabSetup;
  runs: RunState[];
}

export interface ReplayState extends ReplaySource {
  /** The first generation (1, the ancestor) and the last any run reached. */
  first: number;
  last: number;
  /** Shown now: every run's records up to it. */
  generation: number;
  playing: boolean;
  /** Generations a second. */
  speed: number;
}

const lastOf = (run: Pick<RunState, 'records'>) => Math.max(0, ...run.records.map((r) => r.generation));

/** The generations a replay of these runs goes through, or null when no run has a finished generation. */
export function replayBounds(runs: readonly Pick<RunState, 'records'>[]): { first: number; last: number } | null {
  const all = runs.flatMap((r) => r.records.map((x) => x.generation));
  return all.length ? { first: Math.min(...all), last: Math.max(...all) } : null;
}

/**
 * The runs as they stood when generation `g` had just finished: records up to it, and a run that
 * went on afterwards is "running" (so the verdict waits, as it does in a live run); a run that
 * had ended by then shows how it ended. A run past its end keeps its own records (the same
 * reference, so nothing that draws it redraws).
 */
export function runsAt(runs: readonly RunState[], g: number): RunState[] {
  return runs.map((run) => {
    if (g >= lastOf(run)) return run;
    return { ...run, records: run.records.filter((r) => r.generation <= g), status: 'running' };
  });
}

/** A replayed run's state at its end: completed when it ran all its generations, else stopped. */
function ended(run: RunState, finished: boolean): RunState {
  return {
    ...run,
    status: finished ? 'completed' : 'stopped',
    // Nothing of a replay is in this browser's storage: no checkpoint to resume or classify with.
    storedGeneration: 0,
    savedGeneration: 0,
    trainsAncestor: false,
    progress: null,
    stage: null,
    error: null,
    loss: { key: '', points: [] },
    rate: null,
    etaSeconds: null,
    waitingForCpu: false,
  };
}

/** The run type a recorded run's configuration stands for ("multiparent" draws as sexual: several parents). */
function variantMode(config: RunConfig): RunMode {
  if (isRunMode(config.mode)) return config.mode;
  return config.parents > 1 ? 'sexual' : 'asexual';
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The lab's setup that made these runs, as far as the lab can say it: each shown setting from the
 * first sexual run's configuration, else the first run's (where the lab allows its value; else the
 * lab's default), the mating weights from the first sexual run, and one variant per run with the α/β or ρ where it differs.
 */
export function setupFromConfigs(configs: readonly RunConfig[]): LabSetup {
  // An asexual run's population and islands are always 1: the sexual run's are the comparison's.
  const first = configs.find((c) => variantMode(c) === 'sexual') ?? configs[0];
  const setup = defaultSetup(first.dataset);
  const valueOf = (config: RunConfig, path: string) => getPath(config, path);
  for (const s of LAB_TOP_SETTINGS) {
    const v = valueOf(first, s.path);
    if (v !== undefined && settingProblem(s, v) === null) (setup as unknown as Record<string, unknown>)[s.id] = v;
  }
  const sexual = configs.find((c) => Array.isArray(c.mating.cluster));
  if (sexual)
    for (const s of LAB_SETTINGS.filter((x) => x.lab?.group === 'mating')) {
      const v = valueOf(sexual, s.path);
      if (v !== undefined && settingProblem(s, v) === null)
        (setup.mating as unknown as Record<string, unknown>)[s.id] = v;
    }
  setup.mating.linked = sexual ? same(sexual.mating.cluster, sexual.mating.synapse) : true;
  setup.generations = Math.max(...configs.map((c) => c.generations));
  setup.runs = configs.map((c): RunVariant => {
    const v: RunVariant = { mode: variantMode(c) };
    if (c.synthesis.budget.rho !== setup.rho) v.rho = c.synthesis.budget.rho;
    const cluster = c.mating.cluster;
    if (v.mode === 'sexual' && cluster && cluster.length === 2) {
      if (cluster[0] !== setup.mating.alphaCluster) v.alpha = cluster[0];
      if (cluster[1] !== setup.mating.betaCluster) v.beta = cluster[1];
    }
    return v;
  });
  return setup;
}

/** Labels that tell runs apart: a repeated one gets its seed, or a number. */
function distinct(labels: string[], configs: readonly RunConfig[]): string[] {
  return labels.map((label, i) => {
    if (labels.filter((l) => l === label).length === 1) return label;
    const seeds = configs.filter((_, j) => labels[j] === label).map((c) => c.seed);
    return new Set(seeds).size === seeds.length ? `${label} (seed ${configs[i].seed})` : `${label} (${i + 1})`;
  });
}

export interface ReplayRunInput {
  report: RunReport;
  label?: string;
  colour?: string;
}

/** Runs to replay from run reports (imported or recorded), with their labels and colours where given. */
export function replaySource(
  title: string,
  origin: ReplayOrigin,
  inputs: readonly ReplayRunInput[],
  idPrefix = 'replay',
): ReplaySource {
  if (!inputs.length) throw new Error('there are no runs to replay');
  const configs = inputs.map((x) => x.report.config);
  const datasets = [...new Set(configs.map((c) => c.dataset))];
  if (datasets.length > 1)
    throw new Error(`the runs are of different datasets (${datasets.join(', ')}): open them one dataset at a time`);
  const setup = setupFromConfigs(configs);
  const colours = runColours(setup.runs);
  const labels = distinct(
    inputs.map((x, i) => x.label ?? runLabel(setup.runs[i])),
    configs,
  );
  const runs = inputs.map(({ report, colour }, i) =>
    ended(
      {
        ...newRun(`${idPrefix}-${i}`, setup.runs[i], labels[i], colour ?? colours[i], report.config),
        environment: report.environment,
        ancestor: report.ancestor,
        records: report.records,
        configChanges: report.configChanges,
      },
      report.finished,
    ),
  );
  return { title, origin, setup, runs };
}

/** The runs of an imported file (one run's report, or a comparison export). */
export function importedRuns(imported: Imported): ReplayRunInput[] {
  return imported.kind === 'run'
    ? [{ report: imported.report }]
    : imported.runs.map((r) => ({ report: r.report, label: r.label, colour: r.colour }));
}

/** A saved session's runs to replay (they keep their labels and colours). */
export function sessionSource(session: StoredSession, title: string): ReplaySource {
  const runs = session.runs
    .filter((r) => r.records.length)
    .map((r) => ended({ ...newRun(r.id, r.variant, r.label, r.colour, r.config), ...r }, r.status === 'completed'));
  return { title, origin: { kind: 'session', id: session.id }, setup: session.setup, runs };
}

/** The runs on the page, replayed from their first generation. */
export function pageSource(setup: LabSetup, runs: readonly RunState[]): ReplaySource {
  return {
    title: 'this comparison',
    origin: { kind: 'page' },
    setup,
    runs: runs.filter((r) => r.records.length).map((r) => ended(r, r.status === 'completed')),
  };
}

/** The replay's state at its start. */
export function startReplay(source: ReplaySource, playing: boolean, speed = DEFAULT_REPLAY_SPEED): ReplayState {
  const bounds = replayBounds(source.runs);
  if (!bounds) throw new Error('none of its runs has a finished generation');
  return { ...source, ...bounds, generation: bounds.first, playing, speed };
}

export const clampGeneration = (state: Pick<ReplayState, 'first' | 'last'>, g: number) =>
  Math.min(state.last, Math.max(state.first, Math.round(g)));
