/**
 * The lab's setup: what the person controls, what lives in the URL, and how it becomes one
 * RunConfig per compared run. Pure: no React, no Worker.
 */
import {
  resolveConfig,
  settingDefault,
  type DatasetName,
  type DeepPartial,
  type RunConfig,
} from '../experiment/config';
import { getPath, setPath, type Setting, type SettingValue } from '../experiment/setting';
import { ALL_SETTINGS, type LabTopRow } from '../experiment/settings-table';
import type { LiveSettings } from '../worker/protocol';
import { inFormWords } from './plain-words';

/** The run types of "Add a run": the paper's two modes and the pruning baselines (issue 19). */
export type RunMode = 'asexual' | 'sexual' | 'magnitude' | 'magnitude-layerwise' | 'random';

export const RUN_MODES: readonly { value: RunMode; label: string }[] = [
  { value: 'sexual', label: 'sexual' },
  { value: 'asexual', label: 'asexual' },
  { value: 'magnitude', label: 'magnitude pruning' },
  { value: 'magnitude-layerwise', label: 'layer-wise magnitude pruning' },
  { value: 'random', label: 'random pruning' },
];

export const isRunMode = (x: string): x is RunMode => RUN_MODES.some((m) => m.value === x);

/** One run to compare. Unset fields follow the shared controls. */
export interface RunVariant {
  mode: RunMode;
  alpha?: number;
  beta?: number;
  rho?: number;
}

/** The mating weights: the table's rows of the mating group, and whether the levels move together. */
export interface MatingSliders {
  alphaCluster: number;
  betaCluster: number;
  alphaSynapse: number;
  betaSynapse: number;
  /** Cluster- and synapse-level weights move together unless separated under "advanced". */
  linked: boolean;
}

/** One field per setting the lab shows (settings-table.ts), named by its id. */
export type LabSettings = { [S in LabTopRow as S['id']]: SettingValue<S> };

export type LabSetup = LabSettings & {
  mating: MatingSliders;
  /** Use the ancestor shipped under /ancestors/ when there is one, or always train it here. */
  ancestor: 'shipped' | 'train';
  runs: RunVariant[];
};

/** Every setting the lab shows, and those at the top level of LabSetup (not the mating weights). */
export const LAB_SETTINGS: readonly Setting[] = ALL_SETTINGS.filter((s) => s.lab);
export const LAB_TOP_SETTINGS: readonly Setting[] = LAB_SETTINGS.filter((s) => s.lab?.group !== 'mating');
const isMating = (s: Setting) => s.lab?.group === 'mating';

export const DEFAULT_RUNS: RunVariant[] = [{ mode: 'asexual' }, { mode: 'sexual' }];

/** The lab's default of a setting: its own (browser-sized subsets) or the sexual run's. */
export function labDefault(s: Setting, dataset: DatasetName): unknown {
  return s.lab?.default ? s.lab.default(dataset) : settingDefault(s, dataset, 'sexual');
}

/** A setting's value in the setup; a setup saved before the setting existed gets its default. */
export function labValue(setup: LabSetup, s: Setting): unknown {
  const value = (isMating(s) ? setup.mating : setup)[s.id as keyof object];
  return value === undefined ? labDefault(s, setup.dataset) : value;
}

/** The setup with one setting changed. */
export function withLabValue(setup: LabSetup, s: Setting, value: unknown): LabSetup {
  return isMating(s)
    ? { ...setup, mating: { ...setup.mating, [s.id]: value } }
    : ({ ...setup, [s.id]: value } as LabSetup);
}

export function defaultSetup(dataset: DatasetName = 'mnist'): LabSetup {
  const defaults = (rows: readonly Setting[]) => Object.fromEntries(rows.map((s) => [s.id, labDefault(s, dataset)]));
  return {
    ...(defaults(LAB_TOP_SETTINGS) as LabSettings),
    mating: { ...(defaults(LAB_SETTINGS.filter(isMating)) as Omit<MatingSliders, 'linked'>), linked: true },
    ancestor: 'shipped',
    runs: DEFAULT_RUNS.map((r) => ({ ...r })),
  };
}

/** Colours of the paper's figures: asexual red, sexual blue; further runs get other distinct hues. */
export const ASEXUAL_RED = '#d62728';
export const SEXUAL_BLUE = '#1f5fbf';
/** The first plain run of each mode keeps its mode's colour; the pruning baselines in greys and green. */
const MODE_COLOURS: Record<RunMode, string> = {
  asexual: ASEXUAL_RED,
  sexual: SEXUAL_BLUE,
  magnitude: '#2e7d32',
  'magnitude-layerwise': '#7a6a00',
  random: '#6e6e6e',
};
const EXTRA_COLOURS = ['#1b7f3b', '#8a3ffc', '#b85c00', '#007d79', '#9f1853', '#5a5a5a'];

export function runColours(variants: readonly RunVariant[]): string[] {
  const seen = new Set<RunMode>();
  let extra = 0;
  return variants.map((v) => {
    if (!isCustom(v) && !seen.has(v.mode)) {
      seen.add(v.mode);
      return MODE_COLOURS[v.mode];
    }
    return EXTRA_COLOURS[extra++ % EXTRA_COLOURS.length];
  });
}

const isCustom = (v: RunVariant) => v.alpha !== undefined || v.beta !== undefined || v.rho !== undefined;

export function runLabel(v: RunVariant): string {
  const parts: string[] = [];
  if (v.alpha !== undefined || v.beta !== undefined) parts.push(`α ${fmt(v.alpha ?? 0.5)}, β ${fmt(v.beta ?? 0.5)}`);
  if (v.rho !== undefined) parts.push(`ρ ${fmt(v.rho)}`);
  const name = RUN_MODES.find((m) => m.value === v.mode)?.label ?? v.mode;
  return parts.length ? `${name} (${parts.join(', ')})` : name;
}

const fmt = (x: number) => String(Number(x.toFixed(3)));

/** The mating weights of a sexual run: the variant's own α/β (both levels) or the sliders. */
function matingOf(setup: LabSetup, v: RunVariant): { cluster: number[]; synapse: number[] } {
  if (v.alpha !== undefined || v.beta !== undefined) {
    const pair = [v.alpha ?? setup.mating.alphaCluster, v.beta ?? setup.mating.betaCluster];
    return { cluster: pair, synapse: pair.slice() };
  }
  const m = setup.mating;
  return m.linked
    ? { cluster: [m.alphaCluster, m.betaCluster], synapse: [m.alphaCluster, m.betaCluster] }
    : { cluster: [m.alphaCluster, m.betaCluster], synapse: [m.alphaSynapse, m.betaSynapse] };
}

/** The partial config of one run; resolveConfig fills and checks the rest. */
export function partialConfigFor(setup: LabSetup, v: RunVariant): DeepPartial<RunConfig> {
  const sexual = v.mode === 'sexual';
  const partial: DeepPartial<RunConfig> = { mode: v.mode, parents: sexual ? 2 : 1 };
  for (const s of LAB_TOP_SETTINGS) setPath(partial, s.path, labValue(setup, s));
  // The population, its islands and the mating weights are the sexual runs': the others are one line of descent.
  if (!sexual) {
    partial.population = 1;
    partial.islands = 1;
  }
  if (v.rho !== undefined) setPath(partial, 'synthesis.budget.rho', v.rho);
  partial.mating = { ...partial.mating, ...(sexual ? matingOf(setup, v) : { cluster: null, synapse: null }) };
  return partial;
}

export function configFor(setup: LabSetup, v: RunVariant): RunConfig {
  return resolveConfig(partialConfigFor(setup, v));
}

/** Every problem with the setup, as sentences naming the controls as the form labels them (empty when every run's config is valid). */
export function setupProblems(setup: LabSetup): string[] {
  const problems = new Set<string>();
  if (setup.runs.length === 0) problems.add('add at least one run to compare');
  for (const v of setup.runs) {
    try {
      configFor(setup, v);
    } catch (e) {
      const list = (e as { problems?: string[] }).problems ?? [(e as Error).message];
      for (const p of list) problems.add(inFormWords(p, setup));
    }
  }
  return [...problems];
}

/** What may change while a run goes (applies from its next generation): the live settings. */
export function liveSettingsFor(setup: LabSetup, v: RunVariant): LiveSettings {
  const partial = partialConfigFor(setup, v);
  const live: LiveSettings = {};
  for (const s of LAB_SETTINGS) {
    if (!s.live || (isMating(s) && v.mode !== 'sexual')) continue;
    // A mating weight travels with its whole list (one weight per parent).
    const path = s.path.replace(/\.\d+$/, '');
    setPath(live, path, getPath(partial, path));
  }
  return live;
}

/** Setup fields that fix the ancestor and the data: they cannot change once runs have results. */
export const FROZEN_DURING_RUN: readonly (keyof LabSetup)[] = [
  ...LAB_TOP_SETTINGS.filter((s) => !s.live).map((s) => s.id as keyof LabSetup),
  'ancestor',
  'runs',
];
