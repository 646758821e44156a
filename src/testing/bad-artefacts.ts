/**
 * The lab's part of the bad-input corpus, generated at test time: saved sessions as a damaged or
 * future IndexedDB could hold them, files a person could give the lab to import, and stored
 * checkpoints a Worker could be asked to resume from. Each case names the kind of message.
 */
import { ARTEFACTS, serialiseComparison, serialiseRunReport } from '../experiment/artefacts';
import { resolveConfig } from '../experiment/config';
import type { RunReport } from '../experiment/records';
import { serialiseCheckpoint } from '../experiment/serialise';
import { configFor, defaultSetup } from '../app/setup';
import { newRun, toStored, type StoredSession } from '../app/state';
import { validCheckpoint } from './checkpoints';
import { networkRecord } from './records';

type Json = Record<string, unknown>;
// Structured clones, as IndexedDB would give them back; damage is done on plain objects.
const clone = <T>(x: T): T => structuredClone(x);

/** A saved session as today's lab writes it (before schema versions: no format or version). */
export function savedSession(id: string, runs = 2): StoredSession {
  const setup = { ...defaultSetup(), rho: 0.35 };
  return {
    id,
    setup,
    runs: setup.runs.slice(0, runs).map((variant, i) => ({
      ...toStored(newRun(`${id}-${i}`, variant, variant.mode, '#000', configFor(setup, variant))),
      status: 'completed',
      storedGeneration: 2,
      savedGeneration: 2,
      records: [1, 2].map((generation) => networkRecord({ generation, mode: variant.mode })),
    })),
    ancestorStored: true,
    savedAt: '2026-01-01T00:00:00.000Z',
  };
}

export interface ValueCase {
  name: string;
  value: unknown;
  message: RegExp;
}

const damage = (name: string, message: RegExp, change: (s: Json & { runs: Json[]; setup: Json }) => unknown) => {
  const s = clone(savedSession('bad')) as unknown as Json & { runs: Json[]; setup: Json };
  const value = change(s) ?? s;
  return { name, value: value === 'null' ? null : value, message };
};

/** Saved sessions the lab must refuse (and keep, untouched, for export or deletion). */
export function sessionCorpus(): ValueCase[] {
  const record = (s: { runs: Json[] }) => (s.runs[0].records as Json[])[0];
  return [
    damage('null', /the saved session bad: is not an EvoLab saved session \(it holds null/, () => 'null'),
    damage('text', /is not an EvoLab saved session \(it holds "garbage"/, () => 'garbage'),
    damage('a list', /is not an EvoLab saved session \(it holds a list of 3/, () => [1, 2, 3]),
    damage('no runs', /the saved session bad: runs is missing/, (s) => ({ ...s, runs: undefined })),
    damage('runs not a list', /runs must be a list \(got an object\)/, (s) => ({ ...s, runs: { 0: s.runs[0] } })),
    damage(
      'from a newer EvoLab',
      /was made by a newer EvoLab \(session version 4; this one reads up to version 1\)/,
      (s) => ({
        ...s,
        format: ARTEFACTS.session.format,
        version: 4,
      }),
    ),
    damage('another kind of document', /is an EvoLab checkpoint, not an EvoLab saved session/, () =>
      serialiseCheckpoint(validCheckpoint(resolveConfig({}), 1)),
    ),
    damage('no setup', /setup is missing/, (s) => ({ ...s, setup: undefined })),
    damage(
      'unknown dataset',
      /setup\.dataset is not a valid value: Dataset must be one of mnist, cifar10, fashion-mnist, .* \(got "svhn"\)/,
      (s) => {
        s.setup.dataset = 'svhn';
      },
    ),
    damage(
      'budget out of range',
      /setup\.rho is not a valid value: Synapse budget ρ must be more than 0 and at most 1 \(got 5\)/,
      (s) => {
        s.setup.rho = 5;
      },
    ),
    damage('setup runs not a list', /setup\.runs must be a list/, (s) => {
      s.setup.runs = 'asexual,sexual';
    }),
    damage('unknown run mode', /setup\.runs\[1\]\.mode must be one of asexual, sexual \(got "clone"\)/, (s) => {
      (s.setup.runs as Json[])[1] = { mode: 'clone' };
    }),
    damage(
      'NaN accuracy (the page showed "Gen NaN %")',
      /runs\[0\]\.records\[0\]\.testAccuracy must be a number from 0 to 1 \(got NaN\)/,
      (s) => {
        record(s).testAccuracy = NaN;
      },
    ),
    damage(
      'accuracy as text',
      /runs\[0\]\.records\[0\]\.testAccuracy must be a number from 0 to 1 \(got "97 %"\)/,
      (s) => {
        record(s).testAccuracy = '97 %';
      },
    ),
    damage('no accuracy', /runs\[0\]\.records\[0\]\.testAccuracy is missing/, (s) => {
      delete record(s).testAccuracy;
    }),
    damage('negative synapse count', /runs\[0\]\.records\[0\]\.synapses must be a whole number ≥ 0 \(got -4\)/, (s) => {
      record(s).synapses = -4;
    }),
    damage(
      'kernel mask of the wrong length',
      /runs\[0\]\.records\[0\]\.kernelMasks\[1\]\.aliveHex must be 256 hexadecimal digits/,
      (s) => {
        ((record(s).kernelMasks as Json[])[1] as Json).aliveHex = 'ff';
      },
    ),
    damage('records not a list', /runs\[0\]\.records must be a list/, (s) => {
      s.runs[0].records = { length: 2 };
    }),
    damage('a record twice', /runs\[0\]\.records\[1\] repeats generation 1, network 0/, (s) => {
      s.runs[0].records = [record(s), record(s)];
    }),
    damage('run without its config', /runs\[1\]\.config is missing/, (s) => {
      delete s.runs[1].config;
    }),
    damage('run config without its training subset', /runs\[0\]\.config\.trainSubset is missing/, (s) => {
      delete (s.runs[0].config as Json).trainSubset;
    }),
    damage('unknown status', /runs\[0\]\.status must be one of ready, .* \(got "exploded"\)/, (s) => {
      s.runs[0].status = 'exploded';
    }),
    damage('environment of the wrong type', /runs\[0\]\.environment\.backend must be text \(got 5\)/, (s) => {
      s.runs[0].environment = { backend: 5 };
    }),
    damage('two runs with one id', /runs\[1\]\.id repeats the run bad-0/, (s) => {
      s.runs[1].id = 'bad-0';
    }),
    damage('a record that refers to itself', /runs\[0\]\.records\[0\]\.perLayer must be a list/, (s) => {
      record(s).perLayer = record(s);
    }),
  ];
}

const report = (): RunReport => {
  const c = validCheckpoint(resolveConfig({ mode: 'asexual', generations: 3, trainSubset: 100 }), 2);
  return {
    config: c.config,
    environment: c.environment,
    ancestor: c.ancestor,
    records: c.records,
    configChanges: [],
    finished: false,
  };
};

/** Files a person could give the lab to import (the next step's import reads them with parseImport). */
export function importCorpus(): ValueCase[] {
  const run = JSON.parse(JSON.stringify(serialiseRunReport(report()))) as Json & { records: Json[] };
  const comparison = JSON.parse(
    JSON.stringify(serialiseComparison([{ label: 'a', colour: '#f00', report: report() }])),
  ) as Json & {
    runs: Json[];
  };
  const withRun = (change: (r: typeof run) => void) => {
    const r = clone(run);
    change(r);
    return r;
  };
  return [
    { name: 'null', value: null, message: /is not an EvoLab run report \(run\.json\) \(it holds null/ },
    { name: 'a number', value: 42, message: /is not an EvoLab run report \(run\.json\) \(it holds 42/ },
    {
      name: 'an object of nothing known',
      value: { hello: 'world' },
      message: /is not an EvoLab run report \(run\.json\) \(it has none of its fields: config, records\)/,
    },
    {
      name: 'a checkpoint',
      value: serialiseCheckpoint(validCheckpoint(resolveConfig({}), 1)),
      message:
        /is an EvoLab checkpoint, not an EvoLab run report \(run\.json\)\. Open a run\.json written by npm run evolve/,
    },
    {
      name: 'a saved session',
      value: savedSession('x'),
      message: /is an EvoLab saved session, not an EvoLab run report/,
    },
    {
      name: 'another format',
      value: { format: 'tfjs-layers-model' },
      message: /format is "tfjs-layers-model": this is not an EvoLab run report/,
    },
    {
      name: 'a run from a newer EvoLab',
      value: { ...run, version: 2 },
      message: /was made by a newer EvoLab \(run version 2/,
    },
    {
      name: 'a comparison from a newer EvoLab',
      value: { ...comparison, version: 9 },
      message: /was made by a newer EvoLab \(comparison version 9/,
    },
    { name: 'a comparison of no runs', value: { ...comparison, runs: [] }, message: /runs is empty/ },
    {
      name: 'a comparison run without its report',
      value: { ...comparison, runs: [{ label: 'a', colour: '#f00' }] },
      message: /runs\[0\]\.report is missing/,
    },
    {
      name: 'a comparison with a damaged record',
      value: (() => {
        const c = clone(comparison);
        ((c.runs[0].report as Json).records as Json[])[1].testAccuracy = null;
        return c;
      })(),
      message: /runs\[0\]\.report\.records\[1\]\.testAccuracy must be a number from 0 to 1 \(got null\)/,
    },
    {
      name: 'an accuracy above 1',
      value: withRun((r) => (r.records[0].testAccuracy = 97.2)),
      message: /records\[0\]\.testAccuracy must be a number from 0 to 1 \(got 97\.2\)/,
    },
    {
      name: 'an efficiency as text',
      value: withRun((r) => (r.records[1].synapticEfficiency = 'Infinity')),
      message: /records\[1\]\.synapticEfficiency must be a number ≥ 0 \(got "Infinity"\)/,
    },
    {
      name: 'a generation of 0',
      value: withRun((r) => (r.records[0].generation = 0)),
      message: /records\[0\]\.generation must be a whole number ≥ 1 \(got 0\)/,
    },
    { name: 'no finished flag', value: withRun((r) => delete (r as Json).finished), message: /finished is missing/ },
    {
      name: 'a mode that does not exist',
      value: withRun((r) => (r.records[0].mode = 'cloning')),
      message: /records\[0\]\.mode must be one of asexual, sexual, multiparent/,
    },
  ];
}

/** Stored checkpoints a Worker may be asked to start from (IndexedDB keeps typed arrays as they are). */
export function storedCheckpointCorpus(): ValueCase[] {
  const config = resolveConfig({ mode: 'sexual', generations: 4, seed: 3 });
  const good = () => validCheckpoint(config, 2) as unknown as Json & { population: Json[] };
  const changed = (change: (c: ReturnType<typeof good>) => void) => {
    const c = good();
    change(c);
    return c;
  };
  return [
    { name: 'an empty object', value: {}, message: /is not an EvoLab checkpoint \(it has no version field\)/ },
    {
      name: 'no config (it failed on "reading \'dataset\'")',
      value: changed((c) => delete (c as Json).config),
      message: /config is missing/,
    },
    { name: 'no population', value: changed((c) => delete (c as Json).population), message: /population is missing/ },
    {
      name: 'weights of the wrong length',
      value: changed((c) => (((c.population[1].layers as Json[])[0] as Json).weights = new Float32Array(10))),
      message: /population\[1\]\.layers\[0\]\.weights holds 10 numbers, expected 800/,
    },
    {
      name: 'weights of another type',
      value: changed((c) => (((c.population[0].layers as Json[])[0] as Json).weights = [1, 2, 3])),
      message: /population\[0\]\.layers\[0\]\.weights must be base64 text \(got a list of 3\)/,
    },
    {
      name: 'an output layer of 9 classes',
      value: changed((c) => ((c.population[0].output as Json).outUnits = 9)),
      message: /population\[0\]\.output\.outUnits is 9, expected 10 classes/,
    },
    {
      name: 'records with NaN',
      value: changed((c) => ((c.records as Json[])[0].testAccuracy = NaN)),
      message: /records\[0\]\.testAccuracy must be a number from 0 to 1 \(got NaN\)/,
    },
  ];
}
