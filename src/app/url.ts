/**
 * The setup ⇄ URL query. Only values that differ from the dataset's defaults are written, so a
 * shared link stays short and readable; unknown or malformed values are reported, never fatal.
 */
import type { BackendPreference, DatasetName } from '../experiment/config';
import { defaultSetup, type BudgetMode, type LabSetup, type RunVariant } from './setup';

const DATASETS: readonly DatasetName[] = ['mnist', 'cifar10'];
const BACKENDS: readonly BackendPreference[] = ['auto', 'webgpu', 'wasm', 'webgl', 'cpu'];
const BUDGETS: readonly BudgetMode[] = ['cap', 'target', 'constant'];

export interface ParsedUrl {
  setup: LabSetup;
  /** The stored session this link belongs to (its results are restored from IndexedDB). */
  session: string | null;
  problems: string[];
}

const num = (x: number) => String(Number(x.toPrecision(6)));

export function encodeRuns(runs: readonly RunVariant[]): string {
  return runs
    .map((r) =>
      [
        r.mode,
        r.alpha !== undefined ? `a${num(r.alpha)}` : '',
        r.beta !== undefined ? `b${num(r.beta)}` : '',
        r.rho !== undefined ? `r${num(r.rho)}` : '',
      ]
        .filter(Boolean)
        .join('_'),
    )
    .join(',');
}

export function decodeRuns(text: string): { runs: RunVariant[]; problems: string[] } {
  const runs: RunVariant[] = [];
  const problems: string[] = [];
  for (const item of text.split(',').filter(Boolean)) {
    const [mode, ...opts] = item.split('_');
    if (mode !== 'asexual' && mode !== 'sexual') {
      problems.push(`runs: "${item}" must start with asexual or sexual`);
      continue;
    }
    const v: RunVariant = { mode };
    for (const o of opts) {
      const value = Number(o.slice(1));
      const key = ({ a: 'alpha', b: 'beta', r: 'rho' } as const)[o[0] as 'a' | 'b' | 'r'];
      if (!key || o.length < 2 || !Number.isFinite(value))
        problems.push(`runs: cannot read "${o}" in "${item}" (expected a0.5, b0.5 or r0.7)`);
      else v[key] = value;
    }
    runs.push(v);
  }
  return { runs, problems };
}

export function setupToQuery(setup: LabSetup, session: string | null = null): string {
  const d = defaultSetup(setup.dataset);
  const q = new URLSearchParams();
  const put = (key: string, value: unknown, def: unknown) => {
    if (value !== def) q.set(key, value === null ? 'all' : typeof value === 'number' ? num(value) : String(value));
  };
  put('dataset', setup.dataset, 'mnist');
  put('generations', setup.generations, d.generations);
  put('epochs', setup.epochsPerGeneration, d.epochsPerGeneration);
  put('ancestorEpochs', setup.ancestorEpochs, d.ancestorEpochs);
  put('population', setup.population, d.population);
  put('train', setup.trainSubset, d.trainSubset);
  put('test', setup.testSubset, d.testSubset);
  put('seed', setup.seed, d.seed);
  put('backend', setup.backend, d.backend);
  put('batch', setup.batchSize, d.batchSize);
  put('rho', setup.rho, d.rho);
  put('budget', setup.budgetMode, d.budgetMode);
  const m = setup.mating;
  put('alpha', m.alphaCluster, d.mating.alphaCluster);
  put('beta', m.betaCluster, d.mating.betaCluster);
  if (!m.linked) {
    q.set('linked', '0');
    q.set('alphaS', num(m.alphaSynapse));
    q.set('betaS', num(m.betaSynapse));
  }
  put('ancestor', setup.ancestor, d.ancestor);
  const runs = encodeRuns(setup.runs);
  if (runs !== encodeRuns(d.runs)) q.set('runs', runs);
  if (session) q.set('session', session);
  return q.toString();
}

export function queryToSetup(query: string): ParsedUrl {
  const q = new URLSearchParams(query);
  const problems: string[] = [];
  const datasetRaw = q.get('dataset') ?? 'mnist';
  const dataset = DATASETS.includes(datasetRaw as DatasetName) ? (datasetRaw as DatasetName) : 'mnist';
  if (dataset !== datasetRaw) problems.push(`dataset=${datasetRaw} is not mnist or cifar10; using mnist`);
  const setup = defaultSetup(dataset);

  const int = (key: string, apply: (n: number) => void, allowAll = false) => {
    const raw = q.get(key);
    if (raw === null) return;
    if (allowAll && raw === 'all') return apply(NaN);
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(n))
      problems.push(`${key}=${raw} is not a whole number${allowAll ? ' (or "all")' : ''}; using the default`);
    else apply(n);
  };
  const real = (key: string, apply: (n: number) => void) => {
    const raw = q.get(key);
    if (raw === null) return;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) problems.push(`${key}=${raw} is not a number; using the default`);
    else apply(n);
  };
  const choice = <T extends string>(key: string, allowed: readonly T[], apply: (v: T) => void) => {
    const raw = q.get(key);
    if (raw === null) return;
    if (allowed.includes(raw as T)) apply(raw as T);
    else problems.push(`${key}=${raw} must be one of ${allowed.join(', ')}; using the default`);
  };

  int('generations', (n) => (setup.generations = n));
  int('epochs', (n) => (setup.epochsPerGeneration = n));
  int('ancestorEpochs', (n) => (setup.ancestorEpochs = n));
  int('population', (n) => (setup.population = n));
  int('train', (n) => (setup.trainSubset = Number.isNaN(n) ? null : n), true);
  int('test', (n) => (setup.testSubset = Number.isNaN(n) ? null : n), true);
  int('seed', (n) => (setup.seed = n));
  choice('backend', BACKENDS, (v) => (setup.backend = v));
  int('batch', (n) => (setup.batchSize = n));
  real('rho', (n) => (setup.rho = n));
  choice('budget', BUDGETS, (v) => (setup.budgetMode = v));
  real('alpha', (n) => (setup.mating.alphaCluster = setup.mating.alphaSynapse = n));
  real('beta', (n) => (setup.mating.betaCluster = setup.mating.betaSynapse = n));
  if (q.get('linked') === '0') {
    setup.mating.linked = false;
    real('alphaS', (n) => (setup.mating.alphaSynapse = n));
    real('betaS', (n) => (setup.mating.betaSynapse = n));
  }
  choice('ancestor', ['shipped', 'train'] as const, (v) => (setup.ancestor = v));
  const runs = q.get('runs');
  if (runs !== null) {
    const decoded = decodeRuns(runs);
    problems.push(...decoded.problems);
    if (decoded.runs.length) setup.runs = decoded.runs;
  }
  const session = q.get('session');
  return { setup, session: session && /^[\w-]{1,64}$/.test(session) ? session : null, problems };
}
