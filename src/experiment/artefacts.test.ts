/** The artefact gate: what it reads back, what it migrates, and what it refuses (the corpus tests the refusals at length). */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { emptyGenome, lenetSpecsFor } from '../evolution';
import { validCheckpoint } from '../testing/checkpoints';
import {
  ArtefactError,
  openArtefact,
  parseCheckpoint,
  parseConfigFile,
  parseJsonText,
  parseRunReport,
  serialiseRunReport,
  stamped,
} from './artefacts';
import { resolveConfig } from './config';
import { planResume } from './resume-changes';
import { serialiseCheckpoint } from './serialise';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const runJsonFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? runJsonFiles(path.join(dir, e.name)) : e.name === 'run.json' ? [path.join(dir, e.name)] : [],
  );

describe('the artefact gate', () => {
  it('reads every run.json committed under results/ and the shipped ancestors, written before schema versions', () => {
    const files = runJsonFiles(path.join(ROOT, 'results'));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const json = JSON.parse(readFileSync(file, 'utf8'));
      const report = parseRunReport(json, { name: file });
      expect(report.records.length, file).toBe(json.records.length);
      // Settings added since take their defaults; every stored one is kept.
      expect(report.config, file).toMatchObject(json.config);
    }
    for (const dataset of ['mnist', 'cifar10']) {
      const file = path.join(ROOT, 'public/ancestors', `${dataset}.json`);
      const c = parseCheckpoint(JSON.parse(readFileSync(file, 'utf8')), { name: file });
      expect(c).toMatchObject({ generation: 1, config: { dataset } });
      expect(c.population[0].layers[0].spec.inChannels).toBe(dataset === 'mnist' ? 1 : 3);
    }
  });

  it('reads a folder dataset’s networks by the data the run kept: its channels and classes (issue 20)', () => {
    const data = {
      name: 'leaves',
      height: 32,
      width: 32,
      channels: 3,
      classNames: ['oak', 'ash', 'elm', 'yew'],
      trainImages: 80,
      testImages: 20,
    };
    const c = {
      ...validCheckpoint(resolveConfig({ dataset: 'images', mode: 'asexual', generations: 3 }), 1),
      data,
      population: [emptyGenome(lenetSpecsFor(data), 4)],
    };
    const file = JSON.parse(JSON.stringify(serialiseCheckpoint(c)));
    const back = parseCheckpoint(file, { name: 'c.json' });
    expect(back.data).toEqual(data);
    expect(back.population[0].layers[0].spec.inChannels).toBe(3);
    expect(back.population[0].output.outUnits).toBe(4);
    const report = parseRunReport(
      serialiseRunReport({ ...c, records: c.records, finished: false } as Parameters<typeof serialiseRunReport>[0]),
      { name: 'run.json' },
    );
    expect(report.data).toEqual(data);
    // Without its data, a folder run's networks cannot be read; with another class count, they are refused.
    const { data: _dropped, ...noData } = file;
    expect(() => parseCheckpoint(noData, { name: 'c.json' })).toThrow(/c\.json: data is missing/);
    expect(() =>
      parseCheckpoint({ ...file, data: { ...data, classNames: ['oak', 'ash'] } }, { name: 'c.json' }),
    ).toThrow(/population\[0\]\.output\.outUnits is 4, expected 2 classes/);
  });

  it('round-trips a checkpoint through its file form and through IndexedDB’s typed arrays', () => {
    const c = validCheckpoint(resolveConfig({ mode: 'sexual', generations: 4 }), 3);
    c.population[1].layers[2].weights[7] = -0.25;
    // Typed arrays compared as bytes (toEqual walks 143,136 numbers per layer set one by one).
    const bytes = (a: Float32Array | Uint8Array) =>
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
    const arrays = (x: typeof c) =>
      x.population.map((g) =>
        [...g.layers.flatMap((l) => [l.weights, l.mask, l.bias]), g.output.weights, g.output.bias].map(bytes),
      );
    const rest = (x: typeof c) => ({ ...x, population: x.population.map((g) => g.layers.map((l) => l.spec)) });
    const file = JSON.parse(JSON.stringify(serialiseCheckpoint(c)));
    expect(file).toMatchObject({ format: 'evolab-checkpoint', version: 1 });
    for (const back of [
      parseCheckpoint(file, { name: 'c.json' }),
      parseCheckpoint(structuredClone(c), { name: 'db' }),
    ]) {
      expect(rest(back)).toEqual(rest(c));
      expect(arrays(back)).toEqual(arrays(c));
    }
  });

  it('writes a format and version, and never lets a body’s own header stand in for it', () => {
    const report = parseRunReport(JSON.parse(readFileSync(runJsonFiles(path.join(ROOT, 'results'))[0], 'utf8')), {
      name: 'r',
    });
    const written = serialiseRunReport(report);
    expect(Object.keys(written).slice(0, 2)).toEqual(['format', 'version']);
    expect(parseRunReport(JSON.parse(JSON.stringify(written)), { name: 'r' })).toEqual(report);
    expect(stamped('run', { format: 'evolab-checkpoint', version: 9, x: 1 })).toEqual({
      format: 'evolab-run',
      version: 1,
      x: 1,
    });
  });

  it('keeps each mid-run change’s values before and after, from which the starting settings are rebuilt', () => {
    const change = {
      generation: 3,
      changed: ['synthesis.budget.rho', 'mating.cluster'],
      from: { 'synthesis.budget.rho': 0.5, 'mating.cluster': null },
      to: { 'synthesis.budget.rho': 0.45, 'mating.cluster': [0.7, 0.3] },
    };
    const older = { generation: 2, changed: ['synthesis.budget.rho'] }; // recorded before values were kept
    const c = validCheckpoint(resolveConfig({ mode: 'sexual', generations: 4 }), 3);
    c.configChanges = [older, change];
    expect(
      parseCheckpoint(JSON.parse(JSON.stringify(serialiseCheckpoint(c))), { name: 'c.json' }).configChanges,
    ).toEqual([older, change]);
    const report = {
      ...parseRunReport(JSON.parse(readFileSync(runJsonFiles(path.join(ROOT, 'results'))[0], 'utf8')), { name: 'r' }),
    };
    report.configChanges = [older, change];
    expect(parseRunReport(JSON.parse(JSON.stringify(serialiseRunReport(report))), { name: 'r' }).configChanges).toEqual(
      [older, change],
    );
    // A value for a setting the change does not list is refused, naming it.
    const stray = { ...change, to: { ...change.to, seed: 7 } };
    expect(() =>
      parseRunReport(JSON.parse(JSON.stringify({ ...serialiseRunReport(report), configChanges: [stray] })), {
        name: 'r.json',
      }),
    ).toThrow('r.json: configChanges[0].to.seed is not among the changed settings');
    expect(() =>
      parseRunReport(
        { ...serialiseRunReport(report), configChanges: [{ ...change, from: [0.5] }] },
        { name: 'r.json' },
      ),
    ).toThrow('r.json: configChanges[0].from must be an object (got a list of 1)');
  });

  it('migrates an unversioned document and refuses a newer or another kind, naming the source', () => {
    expect(openArtefact({ config: {}, records: [] }, 'run', 'r.json')).toEqual({ config: {}, records: [] });
    expect(() => openArtefact({ format: 'evolab-run', version: 2 }, 'run', 'r.json')).toThrow(
      'r.json: was made by a newer EvoLab (run version 2; this one reads up to version 1). Update EvoLab to open it',
    );
    expect(() => openArtefact({ format: 'evolab-session' }, 'run', 'r.json')).toThrow(
      'r.json: is an EvoLab saved session, not an EvoLab run report (run.json)',
    );
    const e = (() => {
      try {
        openArtefact({ format: 'evolab-run', version: -1 }, 'run', 'r.json');
      } catch (err) {
        return err as ArtefactError;
      }
    })();
    expect(e).toBeInstanceOf(ArtefactError);
    expect({ source: e?.source, field: e?.field }).toEqual({ source: 'r.json', field: 'version' });
  });

  it('says where JSON text stops being JSON', () => {
    expect(() => parseJsonText('{\n  "a": 1,\n  "b" 2\n}', 'x.json')).toThrow(
      /^x\.json: is not valid JSON at line 3, column \d+\. Is this the right file\?$/,
    );
    expect(() => parseJsonText('{"a": [1, 2', 'x.json')).toThrow('x.json: is not complete JSON: it ends too early');
    expect(parseJsonText('\uFEFF{"a": 1}', 'x.json')).toEqual({ a: 1 });
  });

  it('takes a config file’s settings as given, and names a misspelt one with the nearest', () => {
    expect(parseConfigFile({ generations: 4, synthesis: { budget: { rho: 0.5 } } }, { name: 'c.json' })).toEqual({
      generations: 4,
      synthesis: { budget: { rho: 0.5 } },
    });
    expect(parseConfigFile({ config: { seed: 3 }, records: [], finished: true }, { name: 'run.json' })).toEqual({
      seed: 3,
    });
    expect(() => parseConfigFile({ training: { learningrate: 0.1 } }, { name: 'c.json' })).toThrow(
      /^c\.json: training\.learningrate is not a setting \(did you mean training\.learningRate\?\)/,
    );
  });
});

describe('a resume', () => {
  const stored = resolveConfig({ mode: 'sexual', generations: 5, seed: 2, trainSubset: 600 });
  it('may extend the run and change live settings (recorded), and lists what else differs by label', () => {
    const plan = planResume(stored, {
      ...stored,
      generations: 9,
      synthesis: { ...stored.synthesis, budget: { ...stored.synthesis.budget, rho: 0.5 } },
    });
    expect(plan.refused).toEqual([]);
    expect(plan.generations).toBe(9);
    expect(plan.patch).toEqual({ synthesis: { budget: { rho: 0.5 } } });
    const other = planResume(stored, {
      ...stored,
      seed: 3,
      trainSubset: 60,
      mating: { cluster: [0.7, 0.5], synapse: null, fitnessTemperature: 0 },
    });
    expect(other.refused.map((c) => c.setting.label)).toEqual(['Training images', 'Seed']);
    expect(other.live.map((c) => c.setting.label)).toEqual(['α cluster level']);
    expect(other.patch).toEqual({ mating: { cluster: [0.7, 0.5] } });
  });
});
