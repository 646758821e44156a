/**
 * `npm run evolve`'s flags: one per row of the settings table that names a CLI flag, a few that
 * set two rows at once (--alpha, --beta, --normaliser), and the runner's own (--out, --resume, …).
 * Parsing only: evolve.ts runs what they say.
 */
import { availableParallelism } from 'node:os';
import { MODES, settingDefault, type DatasetName, type DeepPartial, type RunConfig } from '../experiment/config';
import { allowedText, parseSettingText, setPath, settingText, type Setting } from '../experiment/setting';
import { ALL_SETTINGS, settingById, type SettingId } from '../experiment/settings-table';

export class UsageError extends Error {}

/** The runner's own flags, with what --help says of them. */
const RUNNER_FLAGS = {
  help: { type: 'boolean', help: 'print this help' },
  describe: { type: 'boolean', help: 'print the ancestor’s architecture (of --dataset) as JSON' },
  'data-dir': {
    type: 'string',
    value: 'DIR',
    help: 'where the dataset is: a folder with its standard files (mnist/, fashion-mnist/, cifar-10/… inside it, or the files themselves; Fashion-MNIST is also found in Debian’s /usr/share/datasets/fashion-mnist); for --dataset idx, the folder of its four IDX files; for --dataset images, a folder with one sub-folder of PNG or JPEG pictures per class (or train/ and test/ holding them)',
  },
  out: { type: 'string', value: 'OUTDIR', help: 'where to write run.json, generations.csv and checkpoint.json' },
  resume: { type: 'string', value: 'OUTDIR', help: 'continue the run in OUTDIR from its checkpoint.json' },
  'ancestor-from': {
    type: 'string',
    value: 'DIR',
    help: 'start a new run (its own mode and settings) whose generation 1 is the trained ancestor in DIR/checkpoint.json (a run made with --generations 1)',
  },
  config: {
    type: 'string',
    value: 'FILE',
    help: 'a JSON run configuration (the "config" of a run.json works); flags override it',
  },
  threads: {
    type: 'string',
    value: 'T',
    help: 'cores that share every training step and evaluation, as worker threads each with its own wasm (auto: all cores, split between the modes of --mode a,b); results differ from 1 thread by floating-point summation order only',
  },
  quiet: { type: 'boolean', help: 'no progress on stderr' },
  'export-model': {
    type: 'string',
    value: 'GEN[:NET]',
    help: 'export network NET (default: the most accurate) of generation GEN of the run in --run RUNDIR as a TensorFlow.js LayersModel (model.json and its weights, compacted: dead filters removed) into --out DIR; with --data-dir, also test it on the run’s test images',
  },
  run: { type: 'string', value: 'RUNDIR', help: 'the run folder --export-model reads (its run.json and genomes/)' },
} as const;

/** Flags that set several settings to one value. */
const SHORTHANDS: readonly { flag: string; value: string; sets: readonly SettingId[]; help: string }[] = [
  { flag: 'alpha', value: 'A', sets: ['alphaCluster', 'alphaSynapse'], help: 'mating weight α at both levels' },
  { flag: 'beta', value: 'B', sets: ['betaCluster', 'betaSynapse'], help: 'mating weight β at both levels' },
  {
    flag: 'normaliser',
    value: 'N',
    sets: ['clusterNormaliser', 'synapseNormaliser'],
    help: 'the cluster and synapse normalisers Z and z together',
  },
];

const SETTING_FLAGS = ALL_SETTINGS.filter((s) => s.cli !== undefined);

/** Options for node:util parseArgs. Settings are strings, parsed by their row's kind. */
export const CLI_OPTIONS: Record<string, { type: 'string' | 'boolean' }> = Object.fromEntries([
  ...Object.entries(RUNNER_FLAGS).map(([flag, o]) => [flag, { type: o.type }]),
  ...SETTING_FLAGS.map((s) => [s.cli, { type: 'string' }]),
  ...SHORTHANDS.map((s) => [s.flag, { type: 'string' }]),
]);

/** What parseArgs gives for CLI_OPTIONS, with the flags evolve.ts reads itself spelled out. */
export type CliFlags = {
  help?: boolean;
  describe?: boolean;
  quiet?: boolean;
  'data-dir'?: string;
  out?: string;
  resume?: string;
  'ancestor-from'?: string;
  'export-model'?: string;
  run?: string;
  config?: string;
  threads?: string;
  dataset?: string;
  mode?: string;
} & { [flag: string]: string | boolean | undefined };

/** A flag's text → the setting's value; numbers must be numbers, the rest is validation's to judge. */
function flagValue(s: Setting, flag: string, raw: string): unknown {
  if (s.kind === 'integer' || s.kind === 'number') {
    if (s.kind === 'integer' && s.all && raw.trim().toLowerCase() === 'all') return null;
    // A fraction for a whole number is validation's to report, naming the setting and its range.
    const parsed = parseSettingText({ ...s, kind: 'number' }, raw);
    if (!parsed.ok) throw new UsageError(`--${flag} expects a number (got ${JSON.stringify(raw)})`);
    return parsed.value;
  }
  const parsed = parseSettingText(s, raw);
  return parsed.ok ? parsed.value : raw;
}

/** Flags → a partial config; only the flags given are set, so a --config file or checkpoint keeps the rest. */
export function configFromFlags(flags: CliFlags, base: DeepPartial<RunConfig> = {}): DeepPartial<RunConfig> {
  const cfg: DeepPartial<RunConfig> = structuredClone(base);
  if (flags.mode !== undefined && flags.mode !== cfg.mode) {
    // A new mode brings its own population and parent count unless they are given too.
    delete cfg.population;
    delete cfg.parents;
  }
  const values = new Map<Setting, unknown>();
  for (const short of SHORTHANDS) {
    const raw = flags[short.flag];
    if (typeof raw === 'string')
      for (const id of short.sets) values.set(settingById(id), flagValue(settingById(id), short.flag, raw));
  }
  // A row's own flag wins over a shorthand (--alpha-c over --alpha).
  for (const s of SETTING_FLAGS) {
    const raw = flags[s.cli!];
    if (typeof raw === 'string') values.set(s, flagValue(s, s.cli!, raw));
  }
  // A mating weight given by flag starts its level's list afresh: the other parent's weight is 0.5.
  for (const s of values.keys()) {
    const list = s.path.match(/^(.*)\.\d+$/)?.[1];
    if (list) setPath(cfg, list, [0.5, 0.5]);
  }
  for (const [s, value] of values) setPath(cfg, s.path, value);
  return cfg;
}

/** --threads: a positive whole number, or auto (every core). */
export function parseThreads(value: string | undefined): number {
  if (value === undefined || value === 'auto') return availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--threads must be a positive integer or auto (got ${value})`);
  return n;
}

const wrap = (text: string, width: number, indent: string): string => {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${indent}`);
};

const FLAG_COLUMN = 26;
const option = (flag: string, value: string | undefined, text: string) => {
  const head = `  --${flag}${value ? ` ${value}` : ''}`;
  const pad = head.length <= FLAG_COLUMN - 2 ? head.padEnd(FLAG_COLUMN) : `${head}\n${' '.repeat(FLAG_COLUMN)}`;
  return `${pad}${wrap(text, 100 - FLAG_COLUMN, ' '.repeat(FLAG_COLUMN))}\n`;
};

/** "13", "mnist 2, cifar10 5", "asexual 1, sexual 2, multiparent 3": where the defaults differ. */
function defaultsText(s: Setting): string {
  // The dataset and the mode are what the other defaults depend on.
  if (s.id === 'dataset' || s.id === 'mode') return settingText(settingDefault(s, 'mnist'));
  const text = (dataset: DatasetName, mode: (typeof MODES)[number]) => settingText(settingDefault(s, dataset, mode));
  const byDataset = (['mnist', 'cifar10'] as const).map((d) => `${d} ${text(d, 'sexual')}`);
  const byMode = MODES.map((m) => `${m} ${text('mnist', m)}`);
  if (new Set(byMode.map((x) => x.split(' ')[1])).size > 1) return byMode.join(', ');
  if (new Set(byDataset.map((x) => x.split(' ')[1])).size > 1) return byDataset.join(', ');
  if (s.kind === 'text') return settingDefault(s, 'mnist') === '' ? 'off' : text('mnist', 'sexual');
  return s.kind === 'boolean' ? (settingDefault(s, 'mnist') ? 'true' : 'false') : text('mnist', 'sexual');
}

const metavar = (s: Setting) =>
  s.kind === 'choice'
    ? s.choices.map((c) => c.value).join('|')
    : s.kind === 'boolean'
      ? 'true|false'
      : s.kind === 'integer'
        ? `N${s.all ? '|all' : ''}`
        : s.kind === 'text'
          ? 'TEXT'
          : 'X';

const USAGE = `EvoLab headless runner

  npm run evolve -- --describe --dataset mnist|cifar10|fashion-mnist|… [--data-dir DIR]
      Print the ancestor's architecture as JSON (per-layer and total synapses and kernels);
      for --dataset idx or images, of the images in --data-dir.

  npm run evolve -- --dataset images --data-dir PICTURES --out OUTDIR ...
      Your own pictures, one sub-folder per class (PNG or JPEG, any size: each is cropped to its
      centred square and resized to 28×28 grey, or 32×32 RGB when any is in colour); a fifth of
      each class is held out for testing unless PICTURES has train/ and test/ folders.

  npm run evolve -- --dataset mnist --data-dir DIR --mode asexual|sexual|multiparent|magnitude|… \\
                    --generations N --epochs E --train-subset K --test-subset K --seed S --out OUTDIR
      Train the ancestor (generation 1) and evolve it to generation N (generations are numbered
      as in the paper: N=13 means the ancestor and 12 offspring generations).
      Writes OUTDIR/run.json, OUTDIR/generations.csv and OUTDIR/checkpoint.json after each generation,
      and each generation's networks to OUTDIR/genomes/gen-<N>.json (for --export-model).

  npm run evolve -- ... --mode asexual,sexual --out OUTDIR
      Several modes at once, one process each, splitting the cores: OUTDIR/asexual/, OUTDIR/sexual/.

  npm run evolve -- --resume OUTDIR [--data-dir DIR] [--generations N]
      Continue a run from OUTDIR/checkpoint.json.

  npm run evolve -- --export-model GEN[:NET] --run RUNDIR --out DIR [--data-dir DIR]
      Export a network of a run (by default the most accurate of generation GEN) as a
      TensorFlow.js LayersModel: DIR/model.json and DIR/group1-shard1of1.bin, for
      tf.loadLayersModel. Dead filters are removed, so it is smaller and faster than the
      ancestor; its size and speed are printed beside the ancestor's.

  npm run evolve -- --ancestor-from ANCDIR ... --out OUTDIR
      A new run (its own mode and settings) whose generation 1 is the trained ancestor in
      ANCDIR/checkpoint.json (a run made with --generations 1), so runs can share one ancestor.
`;

/** --help: the usage, the runner's flags, then every setting's flag with its label, range and default. */
export function helpText(): string {
  let text = `${USAGE}\nRunner options:\n`;
  for (const [flag, o] of Object.entries(RUNNER_FLAGS))
    text += option(flag, 'value' in o ? o.value : undefined, o.help);
  text += '\nSettings (defaults from ALGORITHM.md in brackets):\n';
  for (const s of SETTING_FLAGS) {
    const range = s.kind === 'choice' || s.kind === 'boolean' ? '' : `, ${allowedText(s)}`;
    text += option(s.cli!, metavar(s), `${s.label}${range} (${defaultsText(s)}). ${s.help}`);
  }
  text += '\nShorthands:\n';
  for (const short of SHORTHANDS)
    text += option(
      short.flag,
      short.value,
      `${short.help}: ${short.sets.map((id) => `--${settingById(id).cli}`).join(' ')}`,
    );
  return text;
}
