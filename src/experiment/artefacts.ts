/**
 * The one gate every stored artefact passes: checkpoints, run.json reports, --config files, the
 * lab's exports and its saved sessions. Each kind has a format name and a schema version; a
 * document is read field by field, migrated from older versions (the unversioned files written
 * before versions existed are version 0), and refused with one ArtefactError naming the file (or
 * session) and the field when it is damaged, of another kind, or made by a newer EvoLab.
 *
 * Pure (no tfjs, no Node): the CLI, the Worker and the page share it. The lab's saved session
 * (app/stored-session.ts) reads its own fields with the same Reader, after openArtefact.
 *
 * API:
 * - parseJsonText(text, name)                 JSON text → value, or where it stops being JSON
 * - parseCheckpoint(json, { name })           → Checkpoint (base64 or typed arrays)
 * - parseRunReport(json, { name })            → RunReport (run.json, a single run's export)
 * - parseComparison(json, { name })           → ComparisonExport (the lab's "all runs" export)
 * - parseImport(json, { name })               → either of the two above, told apart by content
 * - parseConfigFile(json, { name })           → a partial RunConfig (strict keys, "did you mean")
 * - parseRecordedIndex (recorded-index.ts)  → the lab's list of recorded runs to replay
 * - openArtefact(json, kind, name)            → the document's fields at the current version
 * - stamped(kind, body)                       → the body with its format and version, to write
 */
import { defaultConfig, type DeepPartial, type RunConfig } from './config';
import { knownDataShape } from './datasets';
import type { Checkpoint, RunReport } from './records';
import {
  channelsOf,
  checkSameArchitecture,
  readAncestor,
  readConfigChanges,
  readEnvironment,
  readDataSummary,
  readGenome,
  readRecords,
  readStoredConfig,
} from './artefact-schemas';
import { ArtefactError, child, closest, type Json, Reader, shown } from './artefact-reader';

export { ArtefactError, parseJsonText, Reader } from './artefact-reader';
export { readConfigChanges, readDataSummary, readRecords, readStoredConfig, readEnvironment } from './artefact-schemas';

export const ARTEFACTS = {
  checkpoint: { format: 'evolab-checkpoint', version: 1, title: 'an EvoLab checkpoint' },
  run: { format: 'evolab-run', version: 1, title: 'an EvoLab run report (run.json)' },
  comparison: { format: 'evolab-comparison', version: 1, title: 'an EvoLab comparison export' },
  config: { format: 'evolab-config', version: 1, title: 'an EvoLab run configuration' },
  session: { format: 'evolab-session', version: 1, title: 'an EvoLab saved session' },
  recorded: { format: 'evolab-recorded-index', version: 1, title: 'an EvoLab index of recorded runs' },
} as const;

export type ArtefactKind = keyof typeof ARTEFACTS;

/**
 * Migrations: MIGRATIONS[kind][v] turns version v into v + 1. Version 0 is the unversioned form
 * written before schema versions; version 1 has the same fields plus its header.
 */
const MIGRATIONS: { [K in ArtefactKind]: Record<number, (doc: Json) => Json> } = {
  checkpoint: {},
  run: { 0: (doc) => doc },
  comparison: { 0: (doc) => doc },
  config: { 0: (doc) => doc },
  session: { 0: (doc) => doc },
  // The index the lab serves (recorded-index.ts) always has its header; none was written without.
  recorded: { 0: (doc) => doc },
};

const HEADER_KEYS = ['format', 'version'];

/** Fields a document of the kind always has: one without any of them is something else. */
const KEY_FIELDS: Partial<Record<ArtefactKind, string[]>> = {
  run: ['config', 'records'],
  comparison: ['runs'],
  session: ['id', 'setup', 'runs'],
};

/** What a document without a format name looks like it is, for "is X, not Y". */
function sniff(doc: Json): ArtefactKind | null {
  if (('population' in doc || 'generation' in doc) && 'config' in doc) return 'checkpoint';
  if ('setup' in doc && Array.isArray(doc.runs)) return 'session';
  if (Array.isArray(doc.runs)) return 'comparison';
  if ('records' in doc && 'config' in doc) return 'run';
  return null;
}

/** The document's body at the current version of `kind`, or an ArtefactError saying why not. */
export function openArtefact(json: unknown, kind: ArtefactKind, name: string): Json {
  const r: Reader = new Reader(name);
  const want = ARTEFACTS[kind];
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    r.fail('', `is not ${want.title} (it holds ${shown(json)}, not an object)`);
  const doc = json as Json;
  let version: number;
  if (doc.format !== undefined) {
    const other = Object.entries(ARTEFACTS).find(([, a]) => a.format === doc.format);
    if (!other) r.fail('format', `is ${shown(doc.format)}: this is not ${want.title}`);
    if (other[0] !== kind) r.fail('', `is ${other[1].title}, not ${want.title}`);
  } else {
    const looks = sniff(doc);
    if (looks && looks !== kind) r.fail('', `is ${ARTEFACTS[looks].title}, not ${want.title}`);
  }
  const keys = KEY_FIELDS[kind];
  if (doc.format === undefined && keys && !keys.some((k) => k in doc))
    r.fail('', `is not ${want.title} (it has none of its fields: ${keys.join(', ')})`);
  if (doc.version === undefined) version = 0;
  else version = r.number(doc.version, 'version', { integer: true, min: 0 });
  if (version > want.version)
    r.fail(
      '',
      `was made by a newer EvoLab (${kind} version ${version}; this one reads up to version ${want.version})`,
      'Update EvoLab to open it',
    );
  let body: Json = Object.fromEntries(Object.entries(doc).filter(([k]) => !HEADER_KEYS.includes(k)));
  // Checkpoints carried `version: 1` from the start; they have no version 0.
  if (kind === 'checkpoint' && version === 0) r.fail('', 'is not an EvoLab checkpoint (it has no version field)');
  for (let v = version; v < want.version; v++) body = MIGRATIONS[kind][v](body);
  return body;
}

/** A document to write: the body with its format name and schema version first. */
export function stamped<T extends object>(kind: ArtefactKind, body: T): { format: string; version: number } & T {
  // A header the body carries (a checkpoint's version) is replaced, never kept over this one.
  const rest = Object.fromEntries(Object.entries(body).filter(([k]) => !HEADER_KEYS.includes(k))) as T;
  return { format: ARTEFACTS[kind].format, version: ARTEFACTS[kind].version, ...rest };
}

/** A registered dataset's class count; 10 (LeNet's) for a folder dataset recorded without its data. */
const classesOf = (dataset: RunConfig['dataset']) => knownDataShape(dataset)?.classNames.length ?? 10;

interface Named {
  /** The file or session, as messages name it. */
  name: string;
}

export function parseCheckpoint(json: unknown, { name }: Named): Checkpoint {
  const doc = openArtefact(json, 'checkpoint', name);
  const r: Reader = new Reader(name);
  if (doc.config === undefined)
    r.fail('config', 'is missing', 'A checkpoint without its settings cannot be continued as the run it was');
  const config = readStoredConfig(r, doc.config, 'config');
  const data = r.optional(doc.data, (x) => readDataSummary(r, x, 'data'));
  const channels = data?.channels ?? channelsOf(config.dataset);
  if (channels === undefined)
    r.fail(
      'data',
      'is missing',
      `A run of ${config.dataset} keeps the shape of its images; without it its networks cannot be read`,
    );
  const classes = data?.classNames.length ?? classesOf(config.dataset);
  const generation = r.number(doc.generation, 'generation', { integer: true, min: 1, max: 100_000 });
  // Generation 1 holds the ancestors (several when outbreeding), later ones the population.
  const size = generation === 1 ? config.ancestors : config.population;
  const population = r.array(doc.population, 'population', { min: 1 });
  if (population.length !== size)
    r.fail('population', `holds ${population.length} network(s), but generation ${generation} of this run has ${size}`);
  const genomes = population.map((g, i) => readGenome(r, g, child('population', i), channels, classes));
  checkSameArchitecture(r, genomes, 'population');
  const records = readRecords(r, doc.records, 'records');
  const last = Math.max(0, ...records.map((x) => x.generation));
  if (last !== generation)
    r.fail('records', `end at generation ${last}, but the checkpoint is of generation ${generation}`);
  return {
    version: 1,
    config,
    environment: readEnvironment(r, doc.environment, 'environment'),
    ...(data ? { data } : {}),
    ancestor: readAncestor(r, doc.ancestor, 'ancestor'),
    generation,
    population: genomes,
    records,
    configChanges: readConfigChanges(r, doc.configChanges ?? [], 'configChanges'),
  };
}

function readReportBody(r: Reader, doc: Json, field: string): RunReport {
  const at = (key: string) => child(field, key);
  const data = r.optional(doc.data, (x) => readDataSummary(r, x, at('data')));
  return {
    config: readStoredConfig(r, doc.config, at('config')),
    environment: readEnvironment(r, doc.environment, at('environment')),
    ...(data ? { data } : {}),
    ancestor: readAncestor(r, doc.ancestor, at('ancestor')),
    records: readRecords(r, doc.records, at('records')),
    configChanges: readConfigChanges(r, doc.configChanges ?? [], at('configChanges')),
    finished: r.boolean(doc.finished, at('finished')),
  };
}

export function parseRunReport(json: unknown, { name }: Named): RunReport {
  return readReportBody(new Reader(name), openArtefact(json, 'run', name), '');
}

export interface ComparisonExport {
  runs: { label: string; colour: string; report: RunReport }[];
}

export function parseComparison(json: unknown, { name }: Named): ComparisonExport {
  const doc = openArtefact(json, 'comparison', name);
  const r: Reader = new Reader(name);
  return {
    runs: r.array(doc.runs, 'runs', { min: 1 }).map((x, i) => {
      const at = child('runs', i);
      const o = r.object(x, at);
      return {
        label: r.string(o.label, child(at, 'label'), { max: 200 }),
        colour: r.string(o.colour, child(at, 'colour'), { max: 50 }),
        report: readReportBody(r, r.object(o.report, child(at, 'report')), child(at, 'report')),
      };
    }),
  };
}

/** A file a person gives the lab to open: one run's report or a whole comparison. */
export type Imported = { kind: 'run'; report: RunReport } | ({ kind: 'comparison' } & ComparisonExport);

export function parseImport(json: unknown, { name }: Named): Imported {
  const doc = json as Json;
  const comparison =
    doc && typeof doc === 'object' && (doc.format === ARTEFACTS.comparison.format || Array.isArray(doc.runs));
  if (comparison && !('setup' in doc)) return { kind: 'comparison', ...parseComparison(json, { name }) };
  try {
    return { kind: 'run', report: parseRunReport(json, { name }) };
  } catch (e) {
    if (e instanceof ArtefactError && e.field === '' && /^is (not |an EvoLab (checkpoint|saved))/.test(e.problem))
      throw e.withHint('Open a run.json written by npm run evolve, or a JSON file exported from the lab');
    throw e;
  }
}

/** Where a run configuration file may put values: RunConfig's shape (config.ts), from its defaults. */
function allowedPaths(): Map<string, 'leaf' | 'object'> {
  const paths = new Map<string, 'leaf' | 'object'>();
  const walk = (o: Json, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      const p = prefix ? `${prefix}.${k}` : k;
      // The truncation is one value of several kinds; its parameter depends on its kind.
      if (v && typeof v === 'object' && !Array.isArray(v) && p !== 'synthesis.truncation') {
        paths.set(p, 'object');
        walk(v as Json, p);
      } else paths.set(p, 'leaf');
    }
  };
  walk(defaultConfig() as unknown as Json, '');
  return paths;
}

const TRUNCATION_KEYS = ['kind', 'fraction', 'percentile'];
/** The other fields of a run.json or checkpoint, whose "config" a --config file may be. */
const DOCUMENT_KEYS = [
  'environment',
  'data',
  'ancestor',
  'records',
  'configChanges',
  'finished',
  'generation',
  'population',
];

/**
 * A --config file: a run configuration (any of its fields; the rest take their defaults), or a
 * run.json or checkpoint whose "config" is used. A key that is not a setting is an error with the
 * nearest setting named, so a misspelt key is never silently ignored.
 */
export function parseConfigFile(json: unknown, { name }: Named): DeepPartial<RunConfig> {
  const r: Reader = new Reader(name);
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    r.fail('', `is not a run configuration (it holds ${shown(json)}, not an object)`);
  const top = json as Json;
  let doc: Json;
  let field = '';
  if (top.format === ARTEFACTS.run.format || top.format === ARTEFACTS.checkpoint.format || 'config' in top) {
    const unknown = Object.keys(top).filter(
      (k) => k !== 'config' && !DOCUMENT_KEYS.includes(k) && !HEADER_KEYS.includes(k),
    );
    if (unknown.length)
      r.fail(unknown[0], 'is not a field of a run.json or checkpoint, whose "config" this file would give');
    doc = r.object(top.config, 'config');
    field = 'config';
  } else doc = openArtefact(top, 'config', name);
  checkKeys(r, doc, field, allowedPaths());
  // Values are checked once the flags are applied (they may fix what the file leaves out).
  return doc as DeepPartial<RunConfig>;
}

function checkKeys(r: Reader, doc: Json, field: string, allowed: Map<string, 'leaf' | 'object'>, prefix = ''): void {
  for (const [key, value] of Object.entries(doc)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const at = child(field, path);
    const kind = allowed.get(path);
    if (!kind) {
      const siblings = [...allowed.keys()]
        .filter(
          (p) => p.startsWith(prefix ? `${prefix}.` : '') && !p.slice(prefix ? prefix.length + 1 : 0).includes('.'),
        )
        .map((p) => p.slice(prefix ? prefix.length + 1 : 0));
      const near = closest(key, siblings);
      r.fail(
        at,
        `is not a setting${near ? ` (did you mean ${prefix ? `${prefix}.` : ''}${near}?)` : ''}`,
        `The settings of ${prefix || 'a run configuration'} are ${siblings.join(', ')}`,
      );
    }
    if (kind === 'object') {
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        r.fail(at, `must be an object of settings (got ${shown(value)})`);
      checkKeys(r, value as Json, field, allowed, path);
    }
    if (path === 'synthesis.truncation' && value && typeof value === 'object' && !Array.isArray(value))
      for (const k of Object.keys(value))
        if (!TRUNCATION_KEYS.includes(k))
          r.fail(child(at, k), `is not a setting of the truncation (it has ${TRUNCATION_KEYS.join(', ')})`);
  }
}

/** run.json as the CLI writes it and the lab exports it. */
export const serialiseRunReport = (report: RunReport) => stamped('run', report);

export const serialiseComparison = (runs: ComparisonExport['runs']) => stamped('comparison', { runs });
