/**
 * The lab's saved session (IndexedDB) through the artefact gate (experiment/artefacts.ts): its
 * format and schema version, then every field the page renders, so that a damaged or future
 * session is refused with a message naming the field, never a blank page. Sessions saved before
 * versions existed (version 0) read as they are.
 */
import {
  openArtefact,
  readConfigChanges,
  readDataSummary,
  readEnvironment,
  readRecords,
  readStoredConfig,
  Reader,
  stamped,
} from '../experiment/artefacts';
import { settingProblem, type Setting } from '../experiment/setting';
import { settingById } from '../experiment/settings-table';
import { defaultSetup, LAB_SETTINGS, LAB_TOP_SETTINGS, type LabSetup, type RunVariant } from './setup';
import type { RunStatus, StoredRun, StoredSession } from './state';

const STATUSES: readonly RunStatus[] = [
  'ready',
  'starting',
  'waiting',
  'running',
  'paused',
  'stopping',
  'stopped',
  'completed',
  'interrupted',
  'error',
];

const at = (field: string, key: string | number) => (typeof key === 'number' ? `${field}[${key}]` : `${field}.${key}`);

/** A setting's stored value, checked against its row; absent (saved before the setting existed): its default. */
function setting(r: Reader, o: Record<string, unknown>, s: Setting, field: string, fallback: unknown): unknown {
  const value = o[s.id];
  if (value === undefined) return fallback;
  const problem = settingProblem(s, value);
  if (problem) r.fail(at(field, s.id), `is not a valid value: ${problem}`);
  return value;
}

function readSetup(r: Reader, v: unknown, field: string): LabSetup {
  const o = r.object(v, field);
  const dataset = setting(r, o, settingById('dataset'), field, 'mnist') as LabSetup['dataset'];
  const defaults = defaultSetup(dataset);
  const top = Object.fromEntries(
    LAB_TOP_SETTINGS.map((s) => [s.id, setting(r, o, s, field, defaults[s.id as keyof LabSetup])]),
  );
  const m = r.object(o.mating ?? defaults.mating, at(field, 'mating'));
  const mating = Object.fromEntries(
    LAB_SETTINGS.filter((s) => s.lab?.group === 'mating').map((s) => [
      s.id,
      setting(r, m, s, at(field, 'mating'), defaults.mating[s.id as keyof LabSetup['mating']]),
    ]),
  );
  const linked = m.linked === undefined ? true : r.boolean(m.linked, at(at(field, 'mating'), 'linked'));
  // Fields this gate does not know (a newer part of the page's setup) are kept as they were stored.
  return {
    ...defaults,
    ...o,
    ...top,
    mating: { ...(mating as Omit<LabSetup['mating'], 'linked'>), linked },
    ancestor: r.oneOf(o.ancestor ?? 'shipped', at(field, 'ancestor'), ['shipped', 'train'] as const),
    runs: r.array(o.runs, at(field, 'runs'), { max: 32 }).map((x, i) => readVariant(r, x, at(at(field, 'runs'), i))),
  };
}

function readVariant(r: Reader, v: unknown, field: string): RunVariant {
  const o = r.object(v, field);
  const variant: RunVariant = { mode: r.oneOf(o.mode, at(field, 'mode'), ['asexual', 'sexual'] as const) };
  const rows = { alpha: settingById('alphaCluster'), beta: settingById('betaCluster'), rho: settingById('rho') };
  for (const key of ['alpha', 'beta', 'rho'] as const) {
    if (o[key] === undefined) continue;
    const problem = settingProblem(rows[key], o[key]);
    if (problem) r.fail(at(field, key), `is not a valid value: ${problem}`);
    variant[key] = o[key] as number;
  }
  return variant;
}

function readRun(r: Reader, v: unknown, field: string): StoredRun {
  const o = r.object(v, field);
  const f = (key: string) => at(field, key);
  const nullable = <T>(x: unknown, read: (x: unknown) => T): T | null =>
    x === null || x === undefined ? null : read(x);
  const generation = (key: string) => r.number(o[key] ?? 0, f(key), { integer: true, min: 0 });
  return {
    ...(o as Partial<StoredRun>),
    id: r.string(o.id, f('id'), { nonEmpty: true, max: 200 }),
    variant: readVariant(r, o.variant, f('variant')),
    label: r.string(o.label, f('label'), { max: 200 }),
    colour: r.string(o.colour, f('colour'), { max: 50 }),
    config: readStoredConfig(r, o.config, f('config')),
    status: r.oneOf(o.status, f('status'), STATUSES),
    backend: nullable(o.backend, (x) => {
      const b = r.object(x, f('backend'));
      return {
        backend: r.string(b.backend, at(f('backend'), 'backend')),
        reason: r.string(b.reason, at(f('backend'), 'reason')),
        tried: r
          .array(b.tried ?? [], at(f('backend'), 'tried'))
          .map((t, i) => r.string(t, at(at(f('backend'), 'tried'), i))),
      };
    }),
    environment: nullable(o.environment, (x) => readEnvironment(r, x, f('environment'))),
    // What the run learnt from (issue 20); absent in sessions saved before it was kept.
    data: nullable(o.data, (x) => readDataSummary(r, x, f('data'))),
    ancestor: nullable(o.ancestor, (x) => {
      const a = r.object(x, f('ancestor'));
      return {
        synapses: r.number(a.synapses, at(f('ancestor'), 'synapses'), { integer: true, min: 0 }),
        kernels: r.number(a.kernels, at(f('ancestor'), 'kernels'), { integer: true, min: 0 }),
      };
    }),
    records: readRecords(r, o.records, f('records')),
    configChanges: readConfigChanges(r, o.configChanges ?? [], f('configChanges')),
    storedGeneration: generation('storedGeneration'),
    savedGeneration: generation('savedGeneration'),
    trainsAncestor: o.trainsAncestor === undefined ? false : r.boolean(o.trainsAncestor, f('trainsAncestor')),
    error: nullable(o.error, (x) => r.string(x, f('error'))),
  };
}

/** The longest name a saved session may have. */
export const SESSION_NAME_MAX = 120;

/** Reads a stored session, or throws an ArtefactError naming `saved session <id>` and the field. */
export function parseStoredSession(json: unknown, id: string): StoredSession {
  const name = `the saved session ${id}`;
  const doc = openArtefact(json, 'session', name);
  const r: Reader = new Reader(name);
  const runs = r.array(doc.runs, 'runs', { max: 32 }).map((x, i) => readRun(r, x, `runs[${i}]`));
  const ids = new Set<string>();
  runs.forEach((run, i) => {
    if (ids.has(run.id)) r.fail(`runs[${i}].id`, `repeats the run ${run.id}`);
    ids.add(run.id);
  });
  return {
    ...(doc as Partial<StoredSession>),
    id: r.string(doc.id, 'id', { nonEmpty: true, max: 200 }),
    setup: readSetup(r, doc.setup, 'setup'),
    runs,
    ancestorStored: doc.ancestorStored === undefined ? false : r.boolean(doc.ancestorStored, 'ancestorStored'),
    savedAt: doc.savedAt === undefined ? '' : r.string(doc.savedAt, 'savedAt'),
    ...(doc.name === undefined ? {} : { name: r.string(doc.name, 'name', { max: SESSION_NAME_MAX }) }),
  };
}

/** A session as IndexedDB keeps it: with its format name and schema version. */
export const sessionToStore = (session: StoredSession) => stamped('session', session);
