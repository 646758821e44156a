/**
 * Headless runner: `npm run evolve -- --help`.
 * Trains the ancestor and evolves it, writing OUTDIR/run.json, OUTDIR/generations.csv and
 * OUTDIR/checkpoint.json after every generation, so an interrupted run loses nothing.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeArchitecture, lenetSpecs } from '../evolution';
import { loadDataset } from '../data';
import { folderSource } from '../data/node-source';
import { ConfigError, MODES, resolveConfig, type DeepPartial, type RunConfig } from '../experiment/config';
import { recordsToCsv, type Checkpoint, type RunEvent, type RunReport } from '../experiment/records';
import { ExperimentRunner } from '../experiment/runner';
import type { BackendPreference } from '../nn/model/backend';
import { ThreadPeer } from '../nn/parallel/thread-peer';
import { deserialiseCheckpoint, serialiseCheckpoint } from '../experiment/serialise';
import { environmentInfo, startBackend } from '../experiment/environment';

const HELP = `EvoLab headless runner

  npm run evolve -- --describe --dataset mnist|cifar10
      Print the ancestor's architecture as JSON (per-layer and total synapses and kernels).

  npm run evolve -- --dataset mnist --data-dir DIR --mode asexual|sexual|multiparent \\
                    --generations N --epochs E --train-subset K --test-subset K --seed S --out OUTDIR
      Train the ancestor (generation 1) and evolve it to generation N (generations are numbered
      as in the paper: N=13 means the ancestor and 12 offspring generations).
      Writes OUTDIR/run.json, OUTDIR/generations.csv and OUTDIR/checkpoint.json after each generation.

  npm run evolve -- ... --mode asexual,sexual --out OUTDIR
      Several modes at once, one process each, splitting the cores: OUTDIR/asexual/, OUTDIR/sexual/.

  npm run evolve -- --resume OUTDIR [--data-dir DIR] [--generations N]
      Continue a run from OUTDIR/checkpoint.json.

Options (defaults from ALGORITHM.md):
  --data-dir DIR          folder with the standard files (mnist/ or cifar-10/ inside it, or the files themselves)
  --epochs E              training epochs per offspring generation (mnist 2, cifar10 5)
  --ancestor-epochs E     training epochs of the ancestor (mnist 10, cifar10 20)
  --population N          networks per generation (asexual 1, sexual 2)
  --parents M             parents per offspring (multiparent mode)
  --rho R                 environmental synapse budget ρ (0.7)
  --budget-mode M         cap | target | constant (cap)
  --alpha A --beta B      mating weights of parents A and B, cluster and synapse level (0.5, 0.5)
  --alpha-c/--beta-c/--alpha-s/--beta-s   the same, per level
  --inheritance I         inherit | reinit (inherit)
  --normaliser N          mean | max: the cluster and synapse normalisers Z and z (mean)
  --batch-size B          (64)    --lr L (0.001)    --optimizer adam|sgd (adam)
  --backend B             auto | wasm | cpu | webgl | webgpu (auto: wasm in Node)
  --threads T             cores that share every training step and evaluation, as worker threads
                          each with its own wasm (auto: all cores, split between the modes of --mode a,b);
                          results differ from 1 thread by floating-point summation order only
  --config FILE           a JSON run configuration (the "config" of a run.json works); flags override it
  --quiet                 no progress on stderr
`;

const options = {
  help: { type: 'boolean' },
  describe: { type: 'boolean' },
  dataset: { type: 'string' },
  'data-dir': { type: 'string' },
  mode: { type: 'string' },
  generations: { type: 'string' },
  epochs: { type: 'string' },
  'ancestor-epochs': { type: 'string' },
  'train-subset': { type: 'string' },
  'test-subset': { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'string' },
  population: { type: 'string' },
  parents: { type: 'string' },
  rho: { type: 'string' },
  'budget-mode': { type: 'string' },
  alpha: { type: 'string' },
  beta: { type: 'string' },
  'alpha-c': { type: 'string' },
  'beta-c': { type: 'string' },
  'alpha-s': { type: 'string' },
  'beta-s': { type: 'string' },
  inheritance: { type: 'string' },
  normaliser: { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  optimizer: { type: 'string' },
  backend: { type: 'string' },
  config: { type: 'string' },
  quiet: { type: 'boolean' },
  threads: { type: 'string' },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof options }>>['values'];

class UsageError extends Error {}

function numberFlag(flags: Flags, name: keyof Flags): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value))
    throw new UsageError(`--${name} expects a number (got ${JSON.stringify(raw)})`);
  return value;
}

/** Flags → a partial config; only the flags given are set, so a --config file or checkpoint keeps the rest. */
export function configFromFlags(flags: Flags, base: DeepPartial<RunConfig> = {}): DeepPartial<RunConfig> {
  const cfg: DeepPartial<RunConfig> = structuredClone(base);
  const set = <K extends keyof RunConfig>(key: K, value: RunConfig[K] | undefined) => {
    if (value !== undefined) (cfg as Record<string, unknown>)[key] = value;
  };
  set('dataset', flags.dataset as RunConfig['dataset'] | undefined);
  if (flags.mode !== undefined && flags.mode !== cfg.mode) {
    // A new mode brings its own population and parent count unless they are given too.
    cfg.mode = flags.mode as RunConfig['mode'];
    delete cfg.population;
    delete cfg.parents;
  }
  set('generations', numberFlag(flags, 'generations'));
  set('epochsPerGeneration', numberFlag(flags, 'epochs'));
  set('ancestorEpochs', numberFlag(flags, 'ancestor-epochs'));
  set('trainSubset', numberFlag(flags, 'train-subset'));
  set('testSubset', numberFlag(flags, 'test-subset'));
  set('seed', numberFlag(flags, 'seed'));
  set('population', numberFlag(flags, 'population'));
  set('parents', numberFlag(flags, 'parents'));
  set('backend', flags.backend as RunConfig['backend'] | undefined);
  const training = { ...(cfg.training ?? {}) };
  if (flags['batch-size'] !== undefined) training.batchSize = numberFlag(flags, 'batch-size');
  if (flags.lr !== undefined) training.learningRate = numberFlag(flags, 'lr');
  if (flags.optimizer !== undefined) training.optimizer = flags.optimizer as 'adam' | 'sgd';
  cfg.training = training;
  const synthesis = { ...(cfg.synthesis ?? {}), budget: { ...(cfg.synthesis?.budget ?? {}) } };
  if (flags.rho !== undefined) synthesis.budget.rho = numberFlag(flags, 'rho');
  if (flags['budget-mode'] !== undefined) synthesis.budget.mode = flags['budget-mode'] as 'cap';
  if (flags.inheritance !== undefined) synthesis.inheritance = flags.inheritance as 'inherit';
  if (flags.normaliser !== undefined) {
    synthesis.clusterNormaliser = flags.normaliser as 'mean';
    synthesis.synapseNormaliser = flags.normaliser as 'mean';
  }
  cfg.synthesis = synthesis;
  const alpha = numberFlag(flags, 'alpha');
  const beta = numberFlag(flags, 'beta');
  const pair = (a: number | undefined, b: number | undefined, level: 'cluster' | 'synapse') => {
    const aa = a ?? alpha;
    const bb = b ?? beta;
    if (aa === undefined && bb === undefined) return;
    cfg.mating = { ...(cfg.mating ?? {}), [level]: [aa ?? 0.5, bb ?? 0.5] };
  };
  pair(numberFlag(flags, 'alpha-c'), numberFlag(flags, 'beta-c'), 'cluster');
  pair(numberFlag(flags, 'alpha-s'), numberFlag(flags, 'beta-s'), 'synapse');
  return cfg;
}

async function writeJsonAtomic(file: string, value: unknown) {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, JSON.stringify(value, null, 1));
  await rename(tmp, file);
}

async function writeOutputs(outDir: string, report: RunReport, checkpoint?: Checkpoint) {
  await writeJsonAtomic(path.join(outDir, 'run.json'), report);
  await writeFile(path.join(outDir, 'generations.csv'), recordsToCsv(report.records));
  if (checkpoint) await writeJsonAtomic(path.join(outDir, 'checkpoint.json'), serialiseCheckpoint(checkpoint));
}

function progressPrinter(quiet: boolean) {
  let lastLine = 0;
  const tty = process.stderr.isTTY;
  return (event: RunEvent) => {
    if (quiet) return;
    if (event.type === 'progress') {
      const now = Date.now();
      const lastBatch = event.batch === event.batches;
      if (!lastBatch && now - lastLine < (tty ? 200 : 5000)) return;
      lastLine = now;
      const what =
        event.phase === 'train'
          ? `epoch ${event.epoch}/${event.epochs} batch ${event.batch}/${event.batches} loss ${event.loss?.toFixed(4) ?? '—'}`
          : event.phase;
      const line = `gen ${event.generation}/${event.generations} net ${event.individual + 1}/${event.population} ${what}`;
      process.stderr.write(tty ? `\r${line.padEnd(90)}` : `${line}\n`);
    } else if (event.type === 'generation') {
      if (tty) process.stderr.write('\r'.padEnd(92) + '\r');
      for (const r of event.records) {
        process.stderr.write(
          `generation ${r.generation} net ${r.individual}: accuracy ${(100 * r.testAccuracy).toFixed(2)}%  synapses ${r.synapses} (${r.synapticEfficiency.toFixed(2)}×)  kernels ${r.kernels} (${r.clusterEfficiency.toFixed(2)}×)  ${r.imagesPerSecond.toFixed(0)} img/s\n`,
        );
      }
    } else if (event.type === 'started') {
      process.stderr.write(`backend ${event.environment.backend}: ${event.environment.backendReason}\n`);
    }
  };
}

/**
 * `--mode a,b`: one child process per mode, run at once, each with its share of the cores
 * (--threads). Each child writes OUTDIR/<mode>/; its stderr lines are prefixed with [mode].
 * Returns the worst exit code.
 */
async function runModesInParallel(argv: string[], modes: string[], outDir: string): Promise<number> {
  const bad = modes.filter((m) => !(MODES as readonly string[]).includes(m));
  if (bad.length || new Set(modes).size !== modes.length)
    throw new UsageError(`--mode takes distinct modes among ${MODES.join(', ')} (got ${modes.join(',')})`);
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.split('=')[0];
    if (name === '--mode' || name === '--out') {
      if (!a.includes('=')) i++;
      continue;
    }
    rest.push(a);
  }
  // The processes split the cores between them unless --threads says otherwise.
  if (!argv.some((a) => a.split('=')[0] === '--threads'))
    rest.push('--threads', String(Math.max(1, Math.floor(availableParallelism() / modes.length))));
  const codes = await Promise.all(
    modes.map(
      (mode) =>
        new Promise<number>((resolve) => {
          const child = spawn(
            process.execPath,
            [...process.execArgv, process.argv[1], ...rest, '--mode', mode, '--out', path.join(outDir, mode)],
            {
              stdio: ['ignore', 'inherit', 'pipe'],
            },
          );
          let partial = '';
          child.stderr.on('data', (chunk: Buffer) => {
            const lines = (partial + chunk.toString()).split(/\r?\n|\r/);
            partial = lines.pop() ?? '';
            for (const line of lines) if (line.trim()) process.stderr.write(`[${mode}] ${line}\n`);
          });
          child.on('close', (code) => {
            if (partial.trim()) process.stderr.write(`[${mode}] ${partial}\n`);
            resolve(code ?? 1);
          });
          child.on('error', (e) => {
            process.stderr.write(`[${mode}] could not start: ${e.message}\n`);
            resolve(1);
          });
        }),
    ),
  );
  return Math.max(...codes);
}

function parseThreads(value: string | undefined): number {
  if (value === undefined || value === 'auto') return availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--threads must be a positive integer or auto (got ${value})`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values: flags, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  if (positionals.length) throw new UsageError(`unexpected argument(s): ${positionals.join(' ')}`);
  if (flags.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (flags.mode?.includes(',') && !flags.describe) {
    if (flags.resume)
      throw new UsageError('--resume continues one run: give it one mode (resume each OUTDIR/<mode> separately)');
    if (!flags.out)
      throw new UsageError('say where to write the results: --out OUTDIR (each mode writes OUTDIR/<mode>)');
    return runModesInParallel(
      argv,
      flags.mode.split(',').map((m) => m.trim()),
      flags.out,
    );
  }
  if (flags.describe) {
    const dataset = flags.dataset ?? 'mnist';
    if (dataset !== 'mnist' && dataset !== 'cifar10')
      throw new UsageError(`--dataset must be mnist or cifar10 (got ${dataset})`);
    process.stdout.write(
      JSON.stringify({ dataset, ...describeArchitecture(lenetSpecs(dataset === 'mnist' ? 1 : 3)) }, null, 2) + '\n',
    );
    return 0;
  }

  let checkpoint: Checkpoint | undefined;
  let base: DeepPartial<RunConfig> = {};
  const outDir = flags.resume ?? flags.out;
  if (!outDir)
    throw new UsageError('say where to write the results: --out OUTDIR (or --resume OUTDIR to continue a run)');
  if (flags.resume) {
    const file = path.join(flags.resume, 'checkpoint.json');
    checkpoint = deserialiseCheckpoint(
      JSON.parse(
        await readFile(file, 'utf8').catch(() => {
          throw new UsageError(`cannot resume: ${file} does not exist; start a run with --out ${flags.resume}`);
        }),
      ),
    );
    base = checkpoint.config;
  } else if (flags.config) {
    const parsed = JSON.parse(await readFile(flags.config, 'utf8'));
    base = parsed.config ?? parsed;
  }
  const config = resolveConfig(configFromFlags(flags, base));
  if (checkpoint) checkpoint = { ...checkpoint, config };
  const dataDir = flags['data-dir'];
  if (!dataDir)
    throw new UsageError('say where the dataset files are: --data-dir DIR (e.g. public/data after npm run data)');

  const threads = parseThreads(flags.threads);
  await mkdir(outDir, { recursive: true });
  const backend = await startBackend(config.backend);
  // A resumed run keeps where it started, but says how many threads this session used.
  const environment = { ...(checkpoint?.environment ?? environmentInfo(backend)), threads };
  const peers = threads > 1 ? await ThreadPeer.startMany(threads - 1, backend.backend as BackendPreference) : [];
  // The source holds mnist/ and cifar-10/ (the layout of npm run data's public/data and of shared/datasets).
  const source = folderSource(dataDir);
  const quiet = flags.quiet ?? false;
  if (!quiet) process.stderr.write(`loading ${config.dataset} from ${source.describe()}…\n`);
  const [train, test] = [
    await loadDataset(config.dataset, 'train', source),
    await loadDataset(config.dataset, 'test', source),
  ];

  const printer = progressPrinter(quiet);
  let lastReport: RunReport | null = null;
  const runner = new ExperimentRunner(config, {
    train,
    test,
    environment,
    checkpoint,
    peers,
    emit: printer,
    onCheckpoint: async (c) => {
      lastReport = {
        config: c.config,
        environment: c.environment,
        ancestor: c.ancestor,
        records: c.records,
        configChanges: c.configChanges,
        finished: false,
      };
      await writeOutputs(outDir, lastReport, c);
    },
  });
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    process.stderr.write('\nstopping after this generation (Ctrl-C again to abort)…\n');
    runner.stopAfterGeneration();
  });
  const report = await runner.run();
  await writeOutputs(outDir, report);
  process.stderr.write(
    `${interrupted ? 'stopped' : 'done'}: ${path.join(outDir, 'run.json')}, ${path.join(outDir, 'generations.csv')}\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known =
      error instanceof UsageError || error instanceof ConfigError || (error as Error)?.name === 'DatasetError';
    process.stderr.write(`error: ${(error as Error)?.message ?? String(error)}\n`);
    if (error instanceof UsageError) process.stderr.write('run `npm run evolve -- --help` for the options\n');
    if (!known && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exit(known ? 2 : 1);
  },
);
