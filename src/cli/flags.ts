/**
 * `npm run evolve`'s flags: one per row of the settings table that names a CLI flag, a few that
 * set two rows at once (--alpha, --beta, --normaliser), and the runner's own (--out, --resume, …).
 * Parsing only: evolve.ts runs what they say.
 */
import { availableParallelism } from 'node:os';
import { MODES, settingDefault, type DatasetName, type DeepPartial, type RunConfig } from '../experiment/config';
import { allowedText, parseSettingText, setPath, settingText, type Setting } from '../experiment/setting';
import { ALL_SETTINGS, settingById, type SettingId } from '../experiment/settings-table';
import { closest } from '../experiment/artefact-reader';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

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

/**
 * --threads: a positive whole number, or auto (every core). More threads than cores only make
 * each step wait for the others (and each holds a replica of the network and the data): they
 * are capped at the cores, with a warning.
 */
export function parseThreads(
  value: string | undefined,
  cores = availableParallelism(),
): { threads: number; warning: string | null } {
  if (value === undefined || value.trim().toLowerCase() === 'auto') return { threads: cores, warning: null };
  const n = Number(value.trim());
  if (!value.trim() || !Number.isInteger(n) || n < 1)
    throw new UsageError(`--threads must be a positive whole number or auto (got ${JSON.stringify(value)})`);
  if (n > cores)
    return {
      threads: cores,
      warning: `--threads ${value.trim()} is more than the ${cores} core${cores > 1 ? 's' : ''} here: using ${cores}`,
    };
  return { threads: n, warning: null };
}

/** A number as an option's value may start with a dash (--seed -1 is refused by its range, not mistaken for an option). */
const NUMBER = /^-(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * argv → the flags and positionals, or a UsageError that names the option: unknown options get
 * the nearest known one, a boolean given a value, a missing value; an option given twice with
 * two values is a warning. (node:util's parseArgs says less, with advice about '--'.)
 */
export function parseCliArgs(argv: readonly string[]): { flags: CliFlags; positionals: string[]; warnings: string[] } {
  const flags: CliFlags = {};
  const positionals: string[] = [];
  const warnings: string[] = [];
  const names = Object.keys(CLI_OPTIONS);
  const unknown = (option: string) => {
    const bare = option.replace(/^-+/, '').split('=')[0];
    const near = bare ? closest(bare, names) : null;
    return new UsageError(`unknown option ${option.split('=')[0]}${near ? ` (did you mean --${near}?)` : ''}`);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h') {
      flags.help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-' || NUMBER.test(arg)) {
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) throw unknown(arg);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const option = Object.hasOwn(CLI_OPTIONS, name) ? CLI_OPTIONS[name] : undefined;
    if (!option) throw unknown(arg);
    let value: string | boolean;
    if (option.type === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value (got ${arg}); give --${name} alone`);
      value = true;
    } else if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`--${name} needs a value`);
      if (next.startsWith('--') || (next.startsWith('-') && next !== '-' && !NUMBER.test(next)))
        throw new UsageError(`--${name} needs a value (got the option ${next.split('=')[0]} instead)`);
      value = next;
      i++;
    }
    if (typeof value === 'string' && !value.trim()) throw new UsageError(`--${name} needs a value (got an empty one)`);
    const before = flags[name];
    // The last one wins (scripts add overrides after a base), but a person is told.
    if (before !== undefined && before !== value)
      warnings.push(`--${name} is given twice (${String(before)}, then ${String(value)}): using ${String(value)}`);
    flags[name] = value;
  }
  return { flags, positionals, warnings };
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
      Continue a run from OUTDIR/checkpoint.json. It keeps its settings: only Generations and the
      live settings (e.g. --rho, --epochs) may change, recorded from the next generation.

  npm run evolve -- --export-model GEN[:NET] --run RUNDIR --out DIR [--data-dir DIR]
      Export a network of a run (by default the most accurate of generation GEN) as a
      TensorFlow.js LayersModel: DIR/model.json and DIR/group1-shard1of1.bin, for
      tf.loadLayersModel. Dead filters are removed, so it is smaller and faster than the
      ancestor; its size and speed are printed beside the ancestor's.

  npm run evolve -- --ancestor-from ANCDIR ... --out OUTDIR
      A new run (its own mode and settings) whose generation 1 is the trained ancestor in
      ANCDIR/checkpoint.json (a run made with --generations 1), so runs can share one ancestor.

  Ctrl-C (or SIGTERM) finishes the generation in progress, saves it and stops (exit status 130);
  pressed twice more, it quits once the file being written is complete. Every problem with the
  input is one line on stderr and exit status 2.
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
