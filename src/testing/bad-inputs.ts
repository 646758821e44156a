/**
 * The bad-input corpus of `npm run evolve`, generated at test time into a temporary folder (never
 * committed): damaged datasets, hostile flags, damaged or mismatched checkpoints, bad --config
 * files and bad output folders. Each case names the kind of message it must get; the test
 * (cli/bad-inputs.test.ts) runs it in-process and checks that nothing else changed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { MAX_GUNZIPPED_BYTES } from '../data/gzip';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC } from '../data/idx';
import { serialiseRunReport } from '../experiment/artefacts';
import { resolveConfig, type RunConfig } from '../experiment/config';
import type { Checkpoint, RunReport } from '../experiment/records';
import { serialiseCheckpoint } from '../experiment/serialise';
import { validCheckpoint } from './checkpoints';

export type Group = 'flags' | 'datasets' | 'checkpoints' | 'configs' | 'outdir' | 'reports';

export interface CliCase {
  group: Group;
  name: string;
  argv: string[];
  /** The kind of message: what it must say. */
  message: RegExp;
  /** Folders and files whose contents must be the same afterwards. */
  unchanged: string[];
  /** Paths that must not exist afterwards (a new run's OUTDIR that failed before writing). */
  absent: string[];
}

/** Every file under `target` (or the file itself) with a hash of its content; folders as entries too. */
export async function snapshot(target: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const info = await stat(target).catch(() => null);
  if (!info) return { [target]: 'absent' };
  if (!info.isDirectory()) {
    if (!info.isFile()) return { [target]: 'special' };
    return {
      [target]: createHash('sha256')
        .update(await readFile(target))
        .digest('hex'),
    };
  }
  out[target] = 'folder';
  for (const e of await readdir(target, { withFileTypes: true })) {
    const p = path.join(target, e.name);
    if (e.isDirectory() || e.isFile()) Object.assign(out, await snapshot(p));
    else out[p] = 'special';
  }
  return out;
}

function idxImages(count: number, rows = 28, cols = 28, magic = IDX_IMAGES_MAGIC, truncateBy = 0): Uint8Array {
  const bytes = new Uint8Array(16 + count * rows * cols - truncateBy);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, magic);
  view.setUint32(4, count);
  view.setUint32(8, rows);
  view.setUint32(12, cols);
  for (let i = 16; i < bytes.length; i++) bytes[i] = (i * 37) & 255;
  return bytes;
}

function idxLabels(count: number, label = (i: number) => i % 10): Uint8Array {
  const bytes = new Uint8Array(8 + count);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, IDX_LABELS_MAGIC);
  view.setUint32(4, count);
  for (let i = 0; i < count; i++) bytes[8 + i] = label(i);
  return bytes;
}

const gz = (b: Uint8Array) => new Uint8Array(gzipSync(b));

/** A data root with mnist/ holding `files` (name → bytes, a 'dir', 'fifo' or 'loop'). */
async function dataRoot(
  root: string,
  name: string,
  files: Record<string, Uint8Array | 'dir' | 'fifo' | 'loop'>,
  folder = 'mnist',
): Promise<string> {
  const dir = path.join(root, 'data', name);
  await mkdir(path.join(dir, folder), { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    const p = path.join(dir, folder, file);
    if (content === 'dir') await mkdir(p);
    else if (content === 'fifo') spawnSync('mkfifo', [p]);
    else if (content === 'loop') {
      await symlink(`${p}.b`, p);
      await symlink(p, `${p}.b`);
    } else await writeFile(p, content);
  }
  return dir;
}

/** The settings of the corpus' runs: tiny, so that a case that trained by mistake would still end. */
const TINY = ['--generations', '3', '--epochs', '1', '--ancestor-epochs', '1', '--train-subset', '100'];
const TINY_TEST = ['--test-subset', '100', '--threads', '1', '--quiet'];

/** The checkpoint the resume cases start from, as its JSON: an asexual MNIST run at generation 2 of 3. */
export const corpusRunConfig = (): RunConfig =>
  resolveConfig({
    mode: 'asexual',
    generations: 3,
    ancestorEpochs: 1,
    epochsPerGeneration: 1,
    trainSubset: 100,
    testSubset: 100,
    seed: 5,
  });

/** run.json of a checkpoint's run. */
export const reportOf = (c: Checkpoint, finished: boolean): RunReport => ({
  config: c.config,
  environment: c.environment,
  ancestor: c.ancestor,
  records: c.records,
  configChanges: c.configChanges,
  finished,
});

type JsonObject = Record<string, unknown> & {
  population: { layers: Record<string, unknown>[]; output: Record<string, unknown> }[];
};

export async function cliCorpus(root: string, realData: string): Promise<CliCase[]> {
  const cases: CliCase[] = [];
  const fresh = (name: string) => path.join(root, 'out', name);
  const add = (
    group: Group,
    name: string,
    argv: string[],
    message: RegExp,
    { unchanged = [], absent = [] }: { unchanged?: string[]; absent?: string[] } = {},
  ) => cases.push({ group, name, argv, message, unchanged, absent });

  // ---- flags: every one fails before anything is created ------------------------------------
  const out = fresh('flags');
  /** A new tiny run with `argv` added; a flag of argv replaces the tiny run's own. */
  const newRun = (...argv: string[]) => {
    const base = [...TINY, ...TINY_TEST];
    const given = new Set(argv.filter((a) => a.startsWith('--')));
    const kept = base.filter((a, i) => !given.has(a) && !given.has(base[i - 1] ?? ''));
    return ['--data-dir', realData, '--out', out, ...kept, ...argv];
  };
  const flag = (name: string, argv: string[], message: RegExp) => add('flags', name, argv, message, { absent: [out] });
  flag('unknown option', newRun('--foo'), /unknown option --foo/);
  flag('misspelt option', newRun('--generation', '3'), /unknown option --generation \(did you mean --generations\?\)/);
  flag('single-dash option', ['-x'], /unknown option -x/);
  flag('single-dash long option', ['-out', out], /unknown option -out \(did you mean --out\?\)/);
  flag('wrong case', newRun('--Seed', '2'), /unknown option --Seed \(did you mean --seed\?\)/);
  flag('boolean with a value', newRun('--quiet=yes'), /--quiet takes no value/);
  flag('--help with a value', ['--help=1'], /--help takes no value/);
  flag(
    'missing value at the end',
    ['--data-dir', realData, '--out', out, '--generations'],
    /--generations needs a value \(see/,
  );
  flag(
    'option instead of a value',
    ['--out', '--generations', '3'],
    /--out needs a value \(got the option --generations/,
  );
  flag('empty value', newRun('--seed', ''), /--seed needs a value \(got an empty one\)/);
  flag(
    'negative generations',
    newRun('--generations', '-1'),
    /Generations must be a whole number from 1 to 200 \(got -1\)/,
  );
  flag('zero generations', newRun('--generations', '0'), /Generations must be .* \(got 0\)/);
  flag('fractional epochs', newRun('--epochs', '1.5'), /Epochs per generation must be a whole number/);
  flag('word for a number', newRun('--generations', 'many'), /--generations expects a number \(got "many"\)/);
  flag('infinite number', newRun('--rho', 'Infinity'), /--rho expects a number/);
  flag('seed too large', newRun('--seed', '4294967296'), /Seed must be a whole number from 0 to 4294967295/);
  flag(
    'unknown dataset',
    newRun('--dataset', 'imagenet'),
    /Dataset must be one of mnist, cifar10, fashion-mnist, .* \(got "imagenet"\)/,
  );
  flag('unknown mode', newRun('--mode', 'cloning'), /Mode must be one of asexual, sexual, multiparent/);
  flag('bad boolean', newRun('--hard-bound', 'maybe'), /Hard budget bound must be true or false/);
  flag('rho out of range', newRun('--rho', '1.5'), /Synapse budget ρ must be more than 0 and at most 1 \(got 1\.5\)/);
  flag(
    'subset larger than the dataset',
    newRun('--dataset', 'cifar10', '--train-subset', '55000'),
    /cannot be more than the 50000 train images of cifar10/,
  );
  flag(
    'too many parents',
    newRun('--mode', 'multiparent', '--parents', '9'),
    /Parents per offspring must be a whole number from 1 to 8/,
  );
  flag('stray argument', newRun('runs/x'), /unexpected argument "runs\/x"/);
  flag('no --out', ['--data-dir', realData, ...TINY], /say where to write the results: --out OUTDIR/);
  flag('no --data-dir', ['--out', out, ...TINY], /say where the dataset files are: --data-dir DIR/);
  flag('threads zero', newRun('--threads', '0'), /--threads must be a positive whole number or auto \(got "0"\)/);
  flag('threads negative', newRun('--threads', '-2'), /--threads must be a positive whole number/);
  flag('threads fractional', newRun('--threads', '1.5'), /--threads must be a positive whole number/);
  flag('threads word', newRun('--threads', 'many'), /--threads must be a positive whole number/);
  flag('modes repeated', ['--mode', 'asexual,asexual', '--out', out], /--mode takes distinct modes/);
  flag('modes with an empty one', ['--mode', 'asexual,', '--out', out], /--mode takes distinct modes/);
  flag('modes without --out', ['--mode', 'asexual,sexual'], /--out OUTDIR \(each mode writes OUTDIR\/<mode>\)/);
  flag(
    'modes with a bad setting',
    ['--mode', 'asexual,sexual', '--data-dir', realData, '--out', out, '--generations', '0'],
    /invalid run configuration: Generations must be a whole number from 1 to 200 \(got 0\)/,
  );
  flag(
    'modes without data',
    ['--mode', 'asexual,sexual', '--data-dir', path.join(root, 'no-data'), '--out', out],
    /--data-dir .*no-data does not exist/,
  );
  flag(
    'describe an unknown dataset',
    ['--describe', '--dataset', 'svhn'],
    /--dataset must be one of mnist, cifar10, fashion-mnist, .*, idx, images \(got svhn\)/,
  );

  // ---- output folders -------------------------------------------------------------------------
  const outCase = (name: string, dir: string, message: RegExp, keep: string[] = []) =>
    add('outdir', name, ['--data-dir', realData, '--out', dir, ...TINY, ...TINY_TEST], message, { unchanged: keep });
  const aFile = path.join(root, 'a-file.txt');
  await writeFile(aFile, 'not a folder\n');
  add(
    'outdir',
    'modes into a file',
    ['--mode', 'asexual,sexual', '--data-dir', realData, '--out', aFile, ...TINY],
    /--out .*a-file\.txt\/asexual: a part of the path is a file, not a folder/,
    { unchanged: [aFile] },
  );
  outCase('--out is a file', aFile, /--out .*a-file\.txt is a file, not a folder/, [aFile]);
  outCase('--out under a file', path.join(aFile, 'run'), /a part of the path is a file, not a folder/, [aFile]);
  outCase(
    '--out in /proc (Node’s mkdir would hang)',
    '/proc/evolab-x',
    /cannot create the folder \(\/proc does not accept new folders\)/,
  );
  outCase('--out read-only', '/sys', /--out \/sys: cannot write there \(permission denied\)/);
  outCase(
    '--out under a read-only folder',
    '/sys/evolab-x/run',
    /--out \/sys\/evolab-x\/run: cannot create \/sys\/evolab-x \(permission denied\)/,
  );
  const dangling = path.join(root, 'dangling');
  await symlink(path.join(root, 'nowhere'), dangling);
  outCase('--out is a dangling symbolic link', dangling, /symbolic link to a folder that does not exist/);
  outCase('--out name too long', path.join(root, 'x'.repeat(300)), /the name is too long/);
  const runJsonDir = path.join(root, 'out', 'run-json-folder');
  await mkdir(path.join(runJsonDir, 'run.json'), { recursive: true });
  outCase('run.json is a folder', runJsonDir, /run\.json is a folder; move it away/, [runJsonDir]);
  const tmpDir = path.join(root, 'out', 'tmp-folder');
  await mkdir(path.join(tmpDir, 'checkpoint.json.tmp'), { recursive: true });
  outCase('checkpoint.json.tmp is a folder', tmpDir, /checkpoint\.json\.tmp is a folder/, [tmpDir]);

  // ---- checkpoints: the run to resume is never changed by a refused resume --------------------
  const checkpoint = validCheckpoint(corpusRunConfig(), 2);
  const good = serialiseCheckpoint(checkpoint);
  const report = serialiseRunReport(reportOf(checkpoint, false));
  const goodJson = JSON.stringify(good);
  let runs = 0;
  const resumeCase = async (
    name: string,
    content: string | Buffer | ((c: JsonObject) => unknown) | null,
    message: RegExp,
    extra: string[] = [],
    group: Group = 'checkpoints',
  ) => {
    const dir = path.join(root, 'runs', `run${++runs}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'run.json'), JSON.stringify(report));
    if (content !== null) {
      const text =
        typeof content === 'function' ? JSON.stringify(content(JSON.parse(goodJson) as JsonObject) ?? null) : content;
      await writeFile(path.join(dir, 'checkpoint.json'), text);
    }
    const data = extra.includes('--data-dir') ? [] : ['--data-dir', realData];
    add(group, name, ['--resume', dir, ...data, '--threads', '1', '--quiet', ...extra], message, {
      unchanged: [dir],
    });
  };
  const damaged = (why: string) =>
    new RegExp(`checkpoint\\.json: ${why}.*It cannot be resumed; the results so far are in .*run\\.json`);
  await resumeCase('no checkpoint yet', null, /holds no checkpoint\.json .*start the run with --out/);
  await resumeCase('empty checkpoint', '', damaged('is empty'));
  await resumeCase(
    'truncated checkpoint',
    goodJson.slice(0, goodJson.length / 2),
    damaged('is not complete JSON: it ends too early'),
  );
  await resumeCase(
    'checkpoint with a stray comma',
    goodJson.replace('"generation":2', '"generation":2,,'),
    damaged('is not valid JSON at line 1, column'),
  );
  await resumeCase(
    'checkpoint of binary zeros',
    Buffer.alloc(64),
    damaged('is not JSON text \\(it holds binary data\\)'),
  );
  await resumeCase('checkpoint gzip-compressed', gzipSync(goodJson), /is gzip-compressed; decompress it first/);
  await resumeCase('checkpoint null', 'null', damaged('is not an EvoLab checkpoint \\(it holds null'));
  await resumeCase('checkpoint {}', '{}', damaged('is not an EvoLab checkpoint \\(it has no version field\\)'));
  await resumeCase('checkpoint a list', '[1,2]', damaged('is not an EvoLab checkpoint \\(it holds a list'));
  await resumeCase(
    'a run.json as checkpoint',
    JSON.stringify(report),
    damaged('is an EvoLab run report \\(run\\.json\\), not an EvoLab checkpoint'),
  );
  await resumeCase(
    'checkpoint from a newer EvoLab',
    (c) => ({ ...c, version: 7 }),
    damaged('was made by a newer EvoLab \\(checkpoint version 7'),
  );
  await resumeCase('checkpoint without its config', (c) => ({ ...c, config: undefined }), damaged('config is missing'));
  await resumeCase(
    'checkpoint config without trainSubset',
    (c) => {
      delete (c.config as Record<string, unknown>).trainSubset;
      return c;
    },
    damaged('config\\.trainSubset is missing'),
  );
  await resumeCase(
    'checkpoint config with a bad value',
    (c) => ({ ...c, config: { ...(c.config as object), seed: -3 } }),
    damaged('config is not a valid run configuration: Seed must be'),
  );
  await resumeCase(
    'weights not base64',
    (c) => {
      c.population[0].layers[2].weights = 'abc$%^&*';
      return c;
    },
    damaged('population\\[0\\]\\.layers\\[2\\]\\.weights is not base64'),
  );
  await resumeCase(
    'weights cut short',
    (c) => {
      c.population[0].layers[1].weights = (c.population[0].layers[1].weights as string).slice(0, 400);
      return c;
    },
    damaged('population\\[0\\]\\.layers\\[1\\]\\.weights holds 75 numbers, expected 25600'),
  );
  await resumeCase(
    'short output layer',
    (c) => {
      c.population[0].output.weights = (c.population[0].output.weights as string).slice(0, 800);
      return c;
    },
    damaged('population\\[0\\]\\.output\\.weights holds 150 numbers, expected 640'),
  );
  await resumeCase(
    'NaN weights',
    (c) => {
      const nan = new Float32Array(640).fill(NaN);
      c.population[0].output.weights = Buffer.from(nan.buffer).toString('base64');
      return c;
    },
    damaged('population\\[0\\]\\.output\\.weights holds a value that is not a finite number'),
  );
  await resumeCase(
    'mask with a 2',
    (c) => {
      const mask = Buffer.from(c.population[0].layers[0].mask as string, 'base64');
      mask[5] = 2;
      c.population[0].layers[0].mask = mask.toString('base64');
      return c;
    },
    damaged('population\\[0\\]\\.layers\\[0\\]\\.mask holds 2 at 5'),
  );
  await resumeCase('empty population', (c) => ({ ...c, population: [] }), damaged('population is empty'));
  await resumeCase(
    'population of the wrong size',
    (c) => ({ ...c, population: [c.population[0], c.population[0]] }),
    damaged('population holds 2 network\\(s\\), but generation 2 of this run has 1'),
  );
  await resumeCase(
    'missing layer spec',
    (c) => {
      delete c.population[0].layers[3].spec;
      return c;
    },
    damaged('population\\[0\\]\\.layers\\[3\\]\\.spec is missing'),
  );
  await resumeCase(
    'a CIFAR-10 network in an MNIST run',
    (c) => ({ ...c, config: { ...(c.config as object), dataset: 'cifar10' } }),
    damaged('population\\[0\\]\\.layers\\[0\\]\\.spec\\.inChannels is 1, but this run.s images have 3 channel'),
  );
  await resumeCase(
    'records with a text accuracy',
    (c) => {
      (c.records as Record<string, unknown>[])[1].testAccuracy = 'high';
      return c;
    },
    damaged('records\\[1\\]\\.testAccuracy must be a number from 0 to 1 \\(got "high"\\)'),
  );
  await resumeCase(
    'records behind the checkpoint',
    (c) => ({ ...c, records: (c.records as unknown[]).slice(0, 1) }),
    damaged('records end at generation 1, but the checkpoint is of generation 2'),
  );
  await resumeCase(
    'generation not a number',
    (c) => ({ ...c, generation: 'two' }),
    damaged('generation must be a whole number'),
  );
  await resumeCase('checkpoint is a folder', null, /checkpoint .*checkpoint\.json is a folder, not a file/);
  await mkdir(path.join(root, 'runs', `run${runs}`, 'checkpoint.json'));
  // Settings a resume must not change, listed by their labels.
  const mismatch = (name: string, extra: string[], message: RegExp) =>
    resumeCase(`resume with another ${name}`, goodJson, message, extra);
  await mismatch(
    'mode',
    ['--mode', 'sexual'],
    /with other settings than its own \(Mode asexual → sexual, .*Start a new run with --out/,
  );
  await mismatch('seed', ['--seed', '6'], /other settings than its own \(Seed 5 → 6\)/);
  await mismatch('training subset', ['--train-subset', '200'], /\(Training images 100 → 200\)/);
  await mismatch('dataset', ['--dataset', 'cifar10'], /\(Dataset mnist → cifar10\)/);
  await mismatch('batch size', ['--batch-size', '32'], /\(Batch size 64 → 32\)/);
  await resumeCase('resume with a --config', goodJson, /--config cannot change a resumed run/, ['--config', aFile]);
  await resumeCase('resume into another --out', goodJson, /give --resume OUTDIR or --out OUTDIR, not both/, [
    '--out',
    fresh('other'),
  ]);
  await resumeCase('resume to fewer generations', goodJson, /with --generations 1: it already has 2 generations/, [
    '--generations',
    '1',
  ]);
  await resumeCase(
    'resume with a bad live value',
    goodJson,
    /cannot resume .* with these flags: Synapse budget ρ must be/,
    ['--rho', '0'],
  );
  add(
    'checkpoints',
    'resume a folder that does not exist',
    ['--resume', fresh('nowhere'), '--data-dir', realData],
    /cannot resume .*nowhere: it does not exist/,
    { absent: [fresh('nowhere')] },
  );
  add(
    'checkpoints',
    'resume a file',
    ['--resume', aFile, '--data-dir', realData],
    /cannot resume .*a-file\.txt: it is a file/,
    { unchanged: [aFile] },
  );
  const multi = path.join(root, 'runs', 'multi');
  for (const mode of ['asexual', 'sexual']) {
    await mkdir(path.join(multi, mode), { recursive: true });
    await writeFile(path.join(multi, mode, 'checkpoint.json'), goodJson);
  }
  add(
    'checkpoints',
    'resume the folder of several modes',
    ['--resume', multi, '--data-dir', realData],
    /cannot resume .*multi: it holds one run per mode \(asexual, sexual\); resume each: --resume .*multi\/asexual, --resume .*multi\/sexual/,
    { unchanged: [multi] },
  );
  const busy = path.join(root, 'runs', 'busy');
  await mkdir(busy, { recursive: true });
  await writeFile(path.join(busy, 'checkpoint.json'), goodJson);
  await writeFile(path.join(busy, '.evolab-run.lock'), `${process.ppid}\n`);
  add(
    'checkpoints',
    'resume a run that is running',
    ['--resume', busy, '--data-dir', realData, '--threads', '1'],
    /is in use by another EvoLab run \(process \d+\)/,
    { unchanged: [busy] },
  );

  // ---- --config files ---------------------------------------------------------------------------
  const configCase = async (name: string, content: string | Buffer | null, message: RegExp, file?: string) => {
    const f = file ?? path.join(root, 'configs', `${name.replace(/\W+/g, '-')}.json`);
    await mkdir(path.dirname(f), { recursive: true });
    if (content !== null) await writeFile(f, content);
    const o = fresh(`config-${cases.length}`);
    add('configs', name, ['--config', f, '--data-dir', realData, '--out', o, '--threads', '1', '--quiet'], message, {
      unchanged: existsSync(f) || content !== null ? [f] : [],
      absent: [o],
    });
  };
  await configCase('missing config file', null, /--config .*: cannot read it \(it does not exist\)/);
  await configCase('config is a folder', null, /--config .* is a folder, not a file/, path.join(root, 'configs'));
  await configCase('config is a device', null, /--config \/dev\/null is not a regular file/, '/dev/null');
  await configCase('empty config', '', /empty-config\.json: is empty/);
  await configCase(
    'malformed config',
    '{"generations": 3,}',
    /malformed-config\.json: is not valid JSON at line 1, column/,
  );
  await configCase('truncated config', '{"generations": 3', /is not complete JSON: it ends too early/);
  await configCase('config null', 'null', /config-null\.json: is not a run configuration \(it holds null/);
  await configCase('config a list', '[{"generations": 3}]', /is not a run configuration \(it holds a list/);
  await configCase('config a number', '42', /is not a run configuration \(it holds 42/);
  await configCase('misspelt key', '{"generation": 3}', /generation is not a setting \(did you mean generations\?\)/);
  await configCase(
    'misspelt nested key',
    '{"synthesis": {"budget": {"roh": 0.5}}}',
    /synthesis\.budget\.roh is not a setting \(did you mean synthesis\.budget\.rho\?\)/,
  );
  await configCase(
    'unknown key far from any',
    '{"colour": "red"}',
    /colour is not a setting\. The settings of a run configuration are dataset, mode/,
  );
  await configCase('object given a number', '{"training": 5}', /training must be an object of settings \(got 5\)/);
  await configCase(
    'value out of range',
    '{"generations": 0}',
    /with the flags given is not a valid run configuration: Generations must be/,
  );
  await configCase(
    'value of the wrong type',
    '{"seed": "one"}',
    /Seed must be a whole number from 0 to 4294967295 \(got "one"\)/,
  );
  await configCase(
    'truncation of an unknown kind',
    '{"synthesis": {"truncation": {"kind": "median"}}}',
    /synthesis\.truncation\.kind must be one of mean/,
  );
  await configCase(
    'config from a newer EvoLab',
    '{"format": "evolab-config", "version": 3}',
    /was made by a newer EvoLab \(config version 3/,
  );
  await configCase(
    'another format',
    '{"format": "keras-model"}',
    /format is "keras-model": this is not an EvoLab run configuration/,
  );
  await configCase(
    'a comparison export as config',
    JSON.stringify({ runs: [] }),
    /is an EvoLab comparison export, not an EvoLab run configuration/,
  );
  await configCase(
    'run.json with an extra field',
    JSON.stringify({ config: {}, records: [], notes: 'x' }),
    /notes is not a field of a run\.json or checkpoint/,
  );
  await configCase('binary config', Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x80]), /is not text \(it is not UTF-8\)/);

  // ---- datasets: a new run into a fresh OUTDIR, which is removed again --------------------------
  const dataCase = async (
    name: string,
    files: Record<string, Uint8Array | 'dir' | 'fifo' | 'loop'>,
    message: RegExp,
    argv: string[] = [],
    folder?: string,
  ) => {
    const dir = await dataRoot(root, `d${cases.length}`, files, folder);
    const o = fresh(`data-${cases.length}`);
    add('datasets', name, ['--data-dir', dir, '--out', o, ...TINY, ...TINY_TEST, ...argv], message, {
      unchanged: [dir],
      absent: [o],
    });
  };
  const images = 'train-images-idx3-ubyte';
  const labels = 'train-labels-idx1-ubyte';
  await dataCase('no dataset files', {}, /train-images-idx3-ubyte: file not found/);
  await dataCase(
    'empty images file',
    { [images]: new Uint8Array(0) },
    /train-images-idx3-ubyte: too short for an IDX images header: 0 bytes/,
  );
  await dataCase(
    'truncated gzip',
    { [`${images}.gz`]: gz(idxImages(100)).subarray(0, 500) },
    /train-images-idx3-ubyte\.gz: corrupt or truncated gzip data/,
  );
  // Zeros compress a thousandfold: 300 KB that would fill 270 MB of memory, and more with more zeros.
  await dataCase(
    'a gzip bomb',
    { [`${images}.gz`]: gz(new Uint8Array(MAX_GUNZIPPED_BYTES + 2 ** 20)) },
    /train-images-idx3-ubyte\.gz: it decompresses to more than 256 MB, more than any dataset file/,
  );
  await dataCase(
    'gzip with junk after it',
    { [`${images}.gz`]: new Uint8Array([...gz(idxImages(10)), 1, 2, 3, 4, 5]) },
    /corrupt or truncated gzip data/,
  );
  await dataCase(
    'labels file named as images',
    { [images]: idxLabels(100) },
    /bad magic number 2049 \(expected 2051 for IDX images; 2049 means IDX labels\)/,
  );
  await dataCase(
    'images of the wrong size',
    { [images]: idxImages(100, 32, 32) },
    /wrong image size 32×32 \(expected 28×28 for MNIST\)/,
  );
  await dataCase(
    'images cut short',
    { [images]: idxImages(100, 28, 28, IDX_IMAGES_MAGIC, 500) },
    /train-images-idx3-ubyte: truncated: expected 78416 bytes, got 77916/,
  );
  await dataCase(
    'random bytes',
    { [images]: new Uint8Array(5000).map((_, i) => (i * 91) & 255) },
    /bad magic number \d+ \(expected 2051 for IDX images\)/,
  );
  await dataCase(
    'labels out of range',
    { [images]: idxImages(100), [labels]: idxLabels(100, (i) => (i === 7 ? 12 : 1)) },
    /train-labels-idx1-ubyte: label 12 at index 7 is out of range \(expected 0–9\)/,
  );
  await dataCase(
    'labels fewer than images',
    { [images]: idxImages(100), [labels]: idxLabels(99) },
    /train-labels-idx1-ubyte: has 99 labels but .*100 images/,
  );
  await dataCase(
    'a small release',
    { [images]: idxImages(100), [labels]: idxLabels(100) },
    /has 100 images \(expected 60000/,
  );
  await dataCase('images file is a folder', { [images]: 'dir' }, /train-images-idx3-ubyte: file not found/);
  await dataCase(
    'images file is a pipe (readFile would block)',
    { [images]: 'fifo' },
    /train-images-idx3-ubyte: is not a regular file \(a pipe or a device\?\)/,
  );
  await dataCase(
    'images file is a symbolic-link loop',
    { [images]: 'loop' },
    /train-images-idx3-ubyte: cannot read \(ELOOP\)/,
  );
  await dataCase(
    'CIFAR-10 batch of the wrong size',
    { 'data_batch_1.bin': new Uint8Array(3073 * 10) },
    /data_batch_1\.bin: has 10 records \(expected 10000/,
    ['--dataset', 'cifar10'],
    'cifar-10',
  );
  await dataCase(
    'CIFAR-10 files where MNIST is asked for',
    { 'data_batch_1.bin': new Uint8Array(10) },
    /file not found \(folder .* has no mnist\/ folder/,
    [],
    'cifar-10',
  );
  add(
    'datasets',
    '--data-dir does not exist',
    ['--data-dir', path.join(root, 'no-data'), '--out', fresh('nd'), ...TINY],
    /--data-dir .*no-data does not exist/,
    { absent: [fresh('nd')] },
  );
  add(
    'datasets',
    '--data-dir is a file',
    ['--data-dir', aFile, '--out', fresh('nf'), ...TINY],
    /--data-dir .*a-file\.txt is a file/,
    { unchanged: [aFile], absent: [fresh('nf')] },
  );
  await resumeCase(
    'resume with a damaged dataset',
    goodJson,
    /train-images-idx3-ubyte\.gz: corrupt or truncated gzip data/,
    ['--data-dir', await dataRoot(root, 'resume-data', { [`${images}.gz`]: gz(idxImages(20)).subarray(0, 100) })],
    'datasets',
  );
  return cases;
}

/** run.json files of a results folder that `npm run report` must refuse, naming the file and field. */
export async function reportCorpus(root: string): Promise<{ name: string; dir: string; message: RegExp }[]> {
  const good = serialiseRunReport(reportOf(validCheckpoint(corpusRunConfig(), 2), true));
  const cases: { name: string; content: string; message: RegExp }[] = [
    {
      name: 'truncated run.json',
      content: JSON.stringify(good).slice(0, 300),
      message: /run\.json: is not complete JSON/,
    },
    {
      name: 'NaN accuracy',
      content: JSON.stringify(good).replace('"testAccuracy":0.9', '"testAccuracy":"NaN"'),
      message: /run\.json: records\[0\]\.testAccuracy must be a number from 0 to 1 \(got "NaN"\)/,
    },
    {
      name: 'no records',
      content: JSON.stringify({ ...good, records: undefined }),
      message: /run\.json: records is missing/,
    },
    {
      name: 'a checkpoint as run.json',
      content: JSON.stringify(serialiseCheckpoint(validCheckpoint(corpusRunConfig(), 1))),
      message: /run\.json: is an EvoLab checkpoint, not an EvoLab run report/,
    },
    {
      name: 'run.json from a newer EvoLab',
      content: JSON.stringify({ ...good, version: 4 }),
      message: /run\.json: was made by a newer EvoLab \(run version 4/,
    },
  ];
  const out: { name: string; dir: string; message: RegExp }[] = [
    // A mistyped folder used to replace the report and delete its figures.
    {
      name: 'a results folder with no runs',
      dir: path.join(root, 'results', 'empty'),
      message: /holds no runs .*nothing was written/,
    },
  ];
  for (const [i, c] of cases.entries()) {
    const dir = path.join(root, 'results', `r${i}`);
    await mkdir(path.join(dir, 'exp', 'asexual', 'seed1'), { recursive: true });
    await writeFile(path.join(dir, 'exp', 'asexual', 'seed1', 'run.json'), c.content);
    out.push({ name: c.name, dir, message: c.message });
  }
  return out;
}
