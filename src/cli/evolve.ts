/**
 * Headless runner: `npm run evolve -- --help`.
 * Trains the ancestor and evolves it, writing OUTDIR/run.json, OUTDIR/generations.csv and
 * OUTDIR/checkpoint.json after every generation, so an interrupted run loses nothing.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeArchitecture, lenetSpecsFor } from '../evolution';
import { DATASET_NAMES, isDatasetName, knownDataShape } from '../experiment/datasets';
import { summariseData } from '../experiment/run-data';
import { loadRunData, requireDataFolder } from './run-data';
import { exportModelCommand } from './export-model';
import { generationFile, packGeneration } from '../experiment/genome-history';
import { ConfigError, MODES, resolveConfig, type DeepPartial, type RunConfig } from '../experiment/config';
import { CLI_OPTIONS, configFromFlags, helpText, parseThreads, UsageError, type CliFlags } from './flags';
import { recordsToCsv, type Checkpoint, type RunEvent, type RunReport } from '../experiment/records';
import { ExperimentRunner } from '../experiment/runner';
import type { BackendPreference } from '../nn/model/backend';
import { ThreadPeer } from '../nn/parallel/thread-peer';
import { deserialiseCheckpoint, serialiseCheckpoint } from '../experiment/serialise';
import { environmentInfo, startBackend } from '../experiment/environment';
import { AncestorMismatchError, checkpointFromAncestor } from '../experiment/ancestor-from';

async function writeJsonAtomic(file: string, value: unknown) {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, JSON.stringify(value, null, 1));
  await rename(tmp, file);
}

async function writeOutputs(outDir: string, report: RunReport, checkpoint?: Checkpoint) {
  await writeJsonAtomic(path.join(outDir, 'run.json'), report);
  await writeFile(path.join(outDir, 'generations.csv'), recordsToCsv(report.records));
  if (checkpoint) {
    await writeGenomes(outDir, checkpoint);
    await writeJsonAtomic(path.join(outDir, 'checkpoint.json'), serialiseCheckpoint(checkpoint));
  }
}

/** Each generation's networks, packed, so that any of them can be exported (--export-model). */
async function writeGenomes(outDir: string, c: Checkpoint) {
  await mkdir(path.join(outDir, 'genomes'), { recursive: true });
  await writeJsonAtomic(path.join(outDir, generationFile(c.generation)), packGeneration(c.generation, c.population));
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

/** --ancestor-from DIR: the checkpoint a new run starts from, holding DIR's trained ancestor. */
async function ancestorCheckpoint(flags: CliFlags, config: RunConfig, quiet: boolean): Promise<Checkpoint> {
  const dir = flags['ancestor-from']!;
  if (flags.resume)
    throw new UsageError('--ancestor-from starts a new run and --resume continues one: give only one of them');
  const file = path.join(dir, 'checkpoint.json');
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UsageError(
      `--ancestor-from: ${file} does not exist; train the ancestor first with --generations 1 --out ${dir}`,
    );
  });
  const { checkpoint, notes } = checkpointFromAncestor(deserialiseCheckpoint(JSON.parse(text)), config, file);
  if (!quiet) for (const note of notes) process.stderr.write(`note: ${note}\n`);
  return checkpoint;
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseArgs({ args: argv, options: CLI_OPTIONS, allowPositionals: true, strict: true });
  const flags = parsed.values as CliFlags;
  if (parsed.positionals.length) throw new UsageError(`unexpected argument(s): ${parsed.positionals.join(' ')}`);
  if (flags.help) {
    process.stdout.write(helpText());
    return 0;
  }
  if (flags['export-model'] !== undefined) return exportModelCommand(flags);
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
    if (!isDatasetName(dataset))
      throw new UsageError(`--dataset must be one of ${DATASET_NAMES.join(', ')} (got ${dataset})`);
    // A folder dataset's image size (and so fc1's shape) is known once its files are read.
    const shape = knownDataShape(dataset) ?? summariseData(await loadRunData(dataset, flags['data-dir']));
    const input = { height: shape.height, width: shape.width, channels: shape.channels };
    process.stdout.write(
      JSON.stringify(
        { dataset, input, classes: shape.classNames.length, ...describeArchitecture(lenetSpecsFor(input)) },
        null,
        2,
      ) + '\n',
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
  const startsFromAncestor = flags['ancestor-from'] !== undefined;
  if (startsFromAncestor) checkpoint = await ancestorCheckpoint(flags, config, flags.quiet ?? false);
  const dataDir = requireDataFolder(config.dataset, flags['data-dir']);

  const threads = parseThreads(flags.threads);
  await mkdir(outDir, { recursive: true });
  const backend = await startBackend(config.backend);
  // A resumed run keeps where it started, but says how many threads this session used.
  const environment = {
    ...(checkpoint && !startsFromAncestor ? checkpoint.environment : environmentInfo(backend)),
    threads,
  };
  const peers = threads > 1 ? await ThreadPeer.startMany(threads - 1, backend.backend as BackendPreference) : [];
  const quiet = flags.quiet ?? false;
  // A data root (mnist/, fashion-mnist/… inside) or one dataset's folder; run-data.ts says which.
  const { train, test } = await loadRunData(config.dataset, dataDir, (line) => {
    if (!quiet) process.stderr.write(`${line}\n`);
  });

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
  // The generation the run starts from (another run's ancestor) is kept like the ones it makes.
  if (checkpoint && !existsSync(path.join(outDir, generationFile(checkpoint.generation))))
    await writeGenomes(outDir, checkpoint);
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
      error instanceof UsageError ||
      error instanceof ConfigError ||
      error instanceof AncestorMismatchError ||
      (error as Error)?.name === 'DatasetError';
    process.stderr.write(`error: ${(error as Error)?.message ?? String(error)}\n`);
    if (error instanceof UsageError) process.stderr.write('run `npm run evolve -- --help` for the options\n');
    if (!known && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exit(known ? 2 : 1);
  },
);
