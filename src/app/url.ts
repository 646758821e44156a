/**
 * The setup ⇄ URL query, keyed by the settings table's URL keys. Only values that differ from the
 * dataset's defaults are written, so a shared link stays short and readable; unknown or malformed
 * values are reported, never fatal. Lab-only state is spelled out here: the linked mating weights,
 * the ancestor's source, the runs to compare and the session.
 */
import type { DatasetName } from '../experiment/config';
import { parseSettingText, settingText, type Setting } from '../experiment/setting';
import { settingById } from '../experiment/settings-table';
import {
  defaultSetup,
  isRunMode,
  LAB_TOP_SETTINGS,
  labValue,
  RUN_MODES,
  withLabValue,
  type LabSetup,
  type RunVariant,
} from './setup';

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
    if (!isRunMode(mode)) {
      problems.push(`runs: "${item}" must start with one of ${RUN_MODES.map((m) => m.value).join(', ')}`);
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

const MATING = {
  alpha: settingById('alphaCluster'),
  beta: settingById('betaCluster'),
  alphaS: settingById('alphaSynapse'),
  betaS: settingById('betaSynapse'),
};

export function setupToQuery(setup: LabSetup, session: string | null = null): string {
  const d = defaultSetup(setup.dataset);
  const q = new URLSearchParams();
  const put = (s: Setting, value: unknown, def: unknown) => {
    if (value !== def) q.set(s.url!, settingText(value));
  };
  // The dataset is compared with the lab's default dataset, every other setting with its dataset's default.
  for (const s of LAB_TOP_SETTINGS)
    put(s, labValue(setup, s), s.id === 'dataset' ? defaultSetup().dataset : labValue(d, s));
  const m = setup.mating;
  put(MATING.alpha, m.alphaCluster, d.mating.alphaCluster);
  put(MATING.beta, m.betaCluster, d.mating.betaCluster);
  if (!m.linked) {
    q.set('linked', '0');
    q.set(MATING.alphaS.url, settingText(m.alphaSynapse));
    q.set(MATING.betaS.url, settingText(m.betaSynapse));
  }
  if (setup.ancestor !== d.ancestor) q.set('ancestor', setup.ancestor);
  const runs = encodeRuns(setup.runs);
  if (runs !== encodeRuns(d.runs)) q.set('runs', runs);
  if (session) q.set('session', session);
  return q.toString();
}

export function queryToSetup(query: string): ParsedUrl {
  const q = new URLSearchParams(query);
  const problems: string[] = [];
  /** The setting's value in the query, or undefined when absent or malformed (then reported). */
  const read = (s: Setting): unknown => {
    const raw = q.get(s.url!);
    if (raw === null) return undefined;
    const parsed = parseSettingText(s, raw);
    if (parsed.ok) return parsed.value;
    problems.push(`${s.url}=${raw} ${parsed.reason}; using the default`);
    return undefined;
  };
  const dataset = (read(settingById('dataset')) ?? 'mnist') as DatasetName;
  let setup = defaultSetup(dataset);
  for (const s of LAB_TOP_SETTINGS) {
    if (s.id === 'dataset') continue;
    const value = read(s);
    if (value !== undefined) setup = withLabValue(setup, s, value);
  }
  const m = setup.mating;
  const alpha = read(MATING.alpha) as number | undefined;
  const beta = read(MATING.beta) as number | undefined;
  if (alpha !== undefined) m.alphaCluster = m.alphaSynapse = alpha;
  if (beta !== undefined) m.betaCluster = m.betaSynapse = beta;
  if (q.get('linked') === '0') {
    m.linked = false;
    m.alphaSynapse = (read(MATING.alphaS) as number | undefined) ?? m.alphaSynapse;
    m.betaSynapse = (read(MATING.betaS) as number | undefined) ?? m.betaSynapse;
  }
  const ancestor = q.get('ancestor');
  if (ancestor === 'shipped' || ancestor === 'train') setup.ancestor = ancestor;
  else if (ancestor !== null) problems.push(`ancestor=${ancestor} must be one of shipped, train; using the default`);
  const runs = q.get('runs');
  if (runs !== null) {
    const decoded = decodeRuns(runs);
    problems.push(...decoded.problems);
    if (decoded.runs.length) setup.runs = decoded.runs;
  }
  const session = q.get('session');
  return { setup, session: session && /^[\w-]{1,64}$/.test(session) ? session : null, problems };
}
