/**
 * Headless runner: `npm run evolve -- --help`.
 * Trains the ancestor and evolves it, writing OUTDIR/checkpoint.json, OUTDIR/run.json,
 * OUTDIR/generations.csv and OUTDIR/genomes/gen-<N>.json after every generation, so an
 * interrupted run loses nothing and any generation can be exported (--export-model,
 * export-model.ts).
 *
 * `evolve(argv, io)` is the whole command: it returns the exit status instead of exiting, so
 * tests run it in-process with their own io (cli-io.ts). Every problem the person can fix is one
 * line on stderr and status 2; Ctrl-C finishes the generation in progress (stop-signals.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeArchitecture, lenetSpecsFor } from '../evolution';
import { DATASET_NAMES, isDatasetName, knownDataShape, type DatasetName } from '../experiment/datasets';
import { summariseData } from '../experiment/run-data';
import { generationFile } from '../experiment/genome-history';
import { AncestorMismatchError, checkpointFromAncestor } from '../experiment/ancestor-from';
import { ArtefactError, parseCheckpoint, parseConfigFile } from '../experiment/artefacts';
import { ConfigError, MODES, resolveConfig, type DeepPartial, type RunConfig } from '../experiment/config';
import type { Checkpoint, RunEvent, RunReport } from '../experiment/records';
import { changeText, planResume, type ResumePlan } from '../experiment/resume-changes';
import { ALL_SETTINGS } from '../experiment/settings-table';
import { CliError, describeError, processIo, type CliIo, type StopSignal } from './cli-io';
import { configFromFlags, helpText, parseCliArgs, parseThreads, UsageError, type CliFlags } from './flags';
import { prepareOutDir, readJsonFile, writeGenomes, writeOutputs, type PreparedOutDir } from './output-files';
import { dataFolder, loadRunData } from './run-data';
import { DUPLICATE_MS, SIGNAL_NUMBERS, StopSignals } from './stop-signals';

function progressPrinter(io: CliIo, quiet: boolean) {
  let lastLine = -Infinity;
  const tty = io.isTTY;
  return (event: RunEvent) => {
    if (quiet) return;
    if (event.type === 'progress') {
      const now = io.now();
      const lastBatch = event.batch === event.batches;
      if (!lastBatch && now - lastLine < (tty ? 200 : 5000)) return;
      lastLine = now;
      const what =
        event.phase === 'train'
          ? `epoch ${event.epoch}/${event.epochs} batch ${event.batch}/${event.batches} loss ${event.loss?.toFixed(4) ?? '—'}`
          : event.phase;
      const line = `gen ${event.generation}/${event.generations} net ${event.individual + 1}/${event.population} ${what}`;
      io.stderr(tty ? `\r${line.padEnd(90)}` : `${line}\n`);
    } else if (event.type === 'generation') {
      if (tty) io.stderr('\r'.padEnd(92) + '\r');
      for (const r of event.records) {
        io.stderr(
          `generation ${r.generation} net ${r.individual}: accuracy ${(100 * r.testAccuracy).toFixed(2)}%  synapses ${r.synapses} (${r.synapticEfficiency.toFixed(2)}×)  kernels ${r.kernels} (${r.clusterEfficiency.toFixed(2)}×)  ${r.imagesPerSecond.toFixed(0)} img/s\n`,
        );
      }
    } else if (event.type === 'config-changed') {
      io.stderr(`generation ${event.generation}: settings changed (${event.changed.join(', ')})\n`);
    } else if (event.type === 'started') {
      io.stderr(`backend ${event.environment.backend}: ${event.environment.backendReason}\n`);
    }
  };
}

/**
 * `--mode a,b`: one child process per mode, run at once, each with its share of the cores
 * (--threads). Each child writes OUTDIR/<mode>/; its stderr lines are prefixed with [mode].
 * The children have their own process group, so a Ctrl-C reaches each once, through this parent,
 * which forwards every stop signal and waits for all of them. Returns the worst exit code.
 */
async function runModesInParallel(
  argv: string[],
  flags: CliFlags,
  modes: string[],
  outDir: string,
  io: CliIo,
): Promise<number> {
  const bad = modes.filter((m) => !(MODES as readonly string[]).includes(m));
  if (bad.length || new Set(modes).size !== modes.length)
    throw new UsageError(`--mode takes distinct modes among ${MODES.join(', ')} (got ${modes.join(',')})`);
  // What each process would refuse, refused here once, before anything starts.
  let dataset: DatasetName = 'mnist';
  for (const mode of modes) dataset = (await newRunConfig({ ...flags, mode })).dataset;
  await checkDataDir(dataset, flags['data-dir']);
  for (const mode of modes) await (await prepareOutDir(path.join(outDir, mode), { resume: false })).cleanUp();
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
    rest.push('--threads', String(Math.max(1, Math.floor(io.cores / modes.length))));
  const children = new Set<ChildProcess>();
  let lastPress = -Infinity;
  const stopListening = io.onSignal((signal: StopSignal) => {
    const now = io.now();
    if (now - lastPress < DUPLICATE_MS) return;
    lastPress = now;
    for (const child of children) child.kill(signal);
  });
  try {
    const codes = await Promise.all(
      modes.map(
        (mode) =>
          new Promise<number>((resolve) => {
            const child = spawn(
              process.execPath,
              [...process.execArgv, ENTRY, ...rest, '--mode', mode, '--out', path.join(outDir, mode)],
              { stdio: ['ignore', 'inherit', 'pipe'], detached: true },
            );
            children.add(child);
            let partial = '';
            child.stderr?.on('data', (chunk: Buffer) => {
              const lines = (partial + chunk.toString()).split(/\r?\n|\r/);
              partial = lines.pop() ?? '';
              for (const line of lines) if (line.trim()) io.stderr(`[${mode}] ${line}\n`);
            });
            child.on('close', (code, signal) => {
              children.delete(child);
              if (partial.trim()) io.stderr(`[${mode}] ${partial}\n`);
              if (signal) io.stderr(`[${mode}] ended by ${signal}\n`);
              resolve(code ?? 128 + (SIGNAL_NUMBERS[signal as StopSignal] ?? 9));
            });
            child.on('error', (e) => {
              children.delete(child);
              io.stderr(`[${mode}] could not start: ${e.message}\n`);
              resolve(1);
            });
          }),
      ),
    );
    return Math.max(...codes);
  } finally {
    stopListening();
  }
}

const LIVE_LABELS = ALL_SETTINGS.filter((s) => s.live && s.id !== 'generations').map((s) => s.label);

/** The checkpoint to resume and the settings it continues with, or a clear refusal. */
async function planResumeOf(
  dir: string,
  flags: CliFlags,
): Promise<{ checkpoint: Checkpoint; config: RunConfig; plan: ResumePlan }> {
  const info = await stat(dir).catch(() => null);
  if (!info) throw new CliError(`cannot resume ${dir}: it does not exist`);
  if (!info.isDirectory()) throw new CliError(`cannot resume ${dir}: it is a file; give the run's folder (its OUTDIR)`);
  const file = path.join(dir, 'checkpoint.json');
  if (!(await stat(file).catch(() => null))) {
    // The OUTDIR of --mode a,b holds one run per mode.
    const modes = MODES.filter((m) => existsSync(path.join(dir, m, 'checkpoint.json')));
    if (modes.length)
      throw new CliError(
        `cannot resume ${dir}: it holds one run per mode (${modes.join(', ')}); resume each: ${modes.map((m) => `--resume ${path.join(dir, m)}`).join(', ')}`,
      );
    throw new CliError(
      `cannot resume ${dir}: it holds no checkpoint.json (a run writes it after its first generation); start the run with --out ${dir}`,
    );
  }
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(await readJsonFile(file, 'checkpoint'), { name: file });
  } catch (e) {
    if (e instanceof ArtefactError)
      throw e.withHint(
        `It cannot be resumed; the results so far are in ${path.join(dir, 'run.json')}. Start the run again with another --out`,
      );
    throw e;
  }
  let requested: RunConfig;
  try {
    requested = resolveConfig(configFromFlags(flags, checkpoint.config));
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(`cannot resume ${dir} with these flags: ${e.problems.join('; ')}`);
    throw e;
  }
  const plan = planResume(checkpoint.config, requested);
  if (plan.refused.length)
    throw new CliError(
      `cannot resume ${dir} with other settings than its own (${plan.refused.map(changeText).join(', ')}): a resumed run keeps them, so that its records describe one run. ` +
        `Start a new run with --out for these; a resume may change Generations and the live settings (${LIVE_LABELS.join(', ')})`,
    );
  if (plan.generations < checkpoint.generation)
    throw new CliError(
      `cannot resume ${dir} with --generations ${plan.generations}: it already has ${checkpoint.generation} generations`,
    );
  return { checkpoint, config: { ...checkpoint.config, generations: plan.generations }, plan };
}

/**
 * --ancestor-from DIR: the checkpoint a new run starts from, holding DIR's trained ancestor
 * (generation 1), so that runs of several modes or settings share one ancestor.
 */
async function ancestorStartOf(dir: string, config: RunConfig, io: CliIo, quiet: boolean): Promise<Checkpoint> {
  const file = path.join(dir, 'checkpoint.json');
  if (!(await stat(file).catch(() => null)))
    throw new CliError(
      `--ancestor-from ${dir}: it holds no checkpoint.json; train the ancestor first with --generations 1 --out ${dir}`,
    );
  if (config.generations < 2)
    throw new CliError('--ancestor-from starts from generation 1: give --generations 2 or more');
  const source = parseCheckpoint(await readJsonFile(file, 'checkpoint'), { name: file });
  try {
    const { checkpoint, notes } = checkpointFromAncestor(source, config, file);
    if (!quiet) for (const note of notes) io.stderr(`note: ${note}\n`);
    return checkpoint;
  } catch (e) {
    if (e instanceof AncestorMismatchError) throw new CliError(e.message);
    throw e;
  }
}

/** The settings of a new run: a --config file (through the artefact gate), then the flags. */
async function newRunConfig(flags: CliFlags): Promise<RunConfig> {
  let base: DeepPartial<RunConfig> = {};
  if (flags.config) base = parseConfigFile(await readJsonFile(flags.config, '--config'), { name: flags.config });
  try {
    return resolveConfig(configFromFlags(flags, base));
  } catch (e) {
    if (e instanceof ConfigError && flags.config)
      throw new CliError(
        `${flags.config} with the flags given is not a valid run configuration: ${e.problems.join('; ')}`,
      );
    throw e;
  }
}

/**
 * --data-dir, or where a system package puts the dataset (Debian's dataset-fashion-mnist): a data
 * root (mnist/, fashion-mnist/… inside) or a folder holding one dataset's files; run-data.ts reads both.
 */
async function checkDataDir(dataset: DatasetName, given: string | undefined): Promise<string> {
  const dir = dataFolder(dataset, given);
  if (dir === null) {
    if (dataset === 'idx')
      throw new UsageError(
        '--dataset idx reads any IDX dataset: give the folder holding its four files (train and test images and labels) with --data-dir DIR',
      );
    if (dataset === 'images')
      throw new UsageError(
        '--dataset images reads your own pictures: give a folder with one sub-folder of PNG or JPEG pictures per class (or train/ and test/ folders holding them) with --data-dir DIR',
      );
    throw new UsageError('say where the dataset files are: --data-dir DIR (e.g. public/data after npm run data)');
  }
  const info = await stat(dir).catch(() => null);
  if (!info)
    throw new CliError(
      `--data-dir ${dir} does not exist; give the folder holding mnist/, fashion-mnist/… or a dataset's files`,
    );
  if (!info.isDirectory()) throw new CliError(`--data-dir ${dir} is a file; give the folder holding the dataset files`);
  return dir;
}

export async function evolve(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    return await main(argv, io);
  } catch (error) {
    const { line, code } = describeError(error);
    io.stderr(line);
    return code;
  }
}

async function main(argv: string[], io: CliIo): Promise<number> {
  const { flags, positionals, warnings } = parseCliArgs(argv);
  for (const w of warnings) io.stderr(`warning: ${w}\n`);
  if (flags.help) {
    io.stdout(helpText());
    return 0;
  }
  if (positionals.length)
    throw new UsageError(
      `unexpected argument ${JSON.stringify(positionals[0])}: every option is --name value (quote a value with spaces)`,
    );
  if (flags['export-model'] !== undefined) {
    // tfjs loads only for an export.
    const { exportModelCommand } = await import('./export-model');
    return exportModelCommand(flags, io);
  }
  if (flags.mode?.includes(',') && !flags.describe) {
    if (flags.resume)
      throw new UsageError('--resume continues one run: give it one mode (resume each OUTDIR/<mode> separately)');
    if (!flags.out)
      throw new UsageError('say where to write the results: --out OUTDIR (each mode writes OUTDIR/<mode>)');
    parseThreads(flags.threads, io.cores);
    return runModesInParallel(
      argv,
      flags,
      flags.mode.split(',').map((m) => m.trim()),
      flags.out,
      io,
    );
  }
  if (flags.describe) {
    const dataset = flags.dataset ?? 'mnist';
    if (!isDatasetName(dataset))
      throw new UsageError(`--dataset must be one of ${DATASET_NAMES.join(', ')} (got ${dataset})`);
    // A folder dataset's image size (and so fc1's shape) is known once its files are read.
    const shape = knownDataShape(dataset) ?? summariseData(await loadRunData(dataset, flags['data-dir']));
    const input = { height: shape.height, width: shape.width, channels: shape.channels };
    io.stdout(
      JSON.stringify(
        { dataset, input, classes: shape.classNames.length, ...describeArchitecture(lenetSpecsFor(input)) },
        null,
        2,
      ) + '\n',
    );
    return 0;
  }
  if (flags.resume && flags.out && path.resolve(flags.resume) !== path.resolve(flags.out))
    throw new UsageError('give --resume OUTDIR or --out OUTDIR, not both: a resumed run goes on writing where it was');
  if (flags.resume && flags.config)
    throw new UsageError(
      '--config cannot change a resumed run: it keeps its checkpoint’s settings (give --generations or a live setting as a flag)',
    );
  const outDir = flags.resume ?? flags.out;
  if (!outDir)
    throw new UsageError('say where to write the results: --out OUTDIR (or --resume OUTDIR to continue a run)');
  const { threads, warning } = parseThreads(flags.threads, io.cores);
  // Listening from before the first thing written: a Ctrl-C at any moment from here is handled.
  const stop = new StopSignals(io, { unit: 'the generation in progress' });
  try {
    return await run({ flags, io, stop, outDir, threads, warning });
  } finally {
    stop.dispose();
  }
}

async function run({
  flags,
  io,
  stop,
  outDir,
  threads,
  warning,
}: {
  flags: CliFlags;
  io: CliIo;
  stop: StopSignals;
  outDir: string;
  threads: number;
  warning: string | null;
}): Promise<number> {
  let checkpoint: Checkpoint | undefined;
  let plan: ResumePlan | undefined;
  let config: RunConfig;
  if (flags.resume && flags['ancestor-from'])
    throw new UsageError('--ancestor-from starts a new run and --resume continues one: give only one of them');
  if (flags.resume) ({ checkpoint, config, plan } = await planResumeOf(flags.resume, flags));
  else config = await newRunConfig(flags);
  // A new run that starts from another run's ancestor: it has a checkpoint but is not resumed.
  const fromAncestor = flags['ancestor-from'] !== undefined;
  if (fromAncestor) checkpoint = await ancestorStartOf(flags['ancestor-from']!, config, io, flags.quiet ?? false);
  const resumed = !!checkpoint && !fromAncestor;
  const stoppedBeforeStart = () => {
    io.stderr('stopped before training: nothing was written\n');
    return 128 + SIGNAL_NUMBERS[stop.stopped!];
  };
  if (stop.stopped) return stoppedBeforeStart();

  // A complete run asked for no more generations: its files are rewritten from its checkpoint.
  if (checkpoint && checkpoint.generation >= config.generations) {
    if (plan?.live.length)
      throw new CliError(
        `${outDir} is complete at generation ${checkpoint.generation}: give --generations N to evolve it further with the changed settings`,
      );
    const out = await prepareOutDir(outDir, { resume: true });
    try {
      await stop.write(() => writeOutputs(out.dir, reportOf(checkpoint, config, true)));
    } finally {
      await out.release();
    }
    io.stderr(
      `${outDir} is already complete at generation ${checkpoint.generation}; give --generations N to evolve it further\n`,
    );
    return 0;
  }

  const dataDir = await checkDataDir(config.dataset, flags['data-dir']);
  if (warning) io.stderr(`warning: ${warning}\n`);
  const out = await prepareOutDir(outDir, { resume: resumed });
  let wrote = false;
  try {
    return await train({
      config,
      checkpoint,
      resumed,
      plan,
      dataDir,
      out,
      threads,
      flags,
      io,
      stop,
      onWrite: () => (wrote = true),
    });
  } catch (e) {
    if (!wrote && !resumed) await out.cleanUp();
    throw e;
  } finally {
    await out.release();
  }
}

function reportOf(c: Checkpoint, config: RunConfig, finished: boolean): RunReport {
  return {
    config,
    environment: c.environment,
    ...(c.data ? { data: c.data } : {}),
    ancestor: c.ancestor,
    records: c.records,
    configChanges: c.configChanges,
    finished,
  };
}

async function train(job: {
  config: RunConfig;
  checkpoint: Checkpoint | undefined;
  /** False for a new run, also one that starts from another run's ancestor (--ancestor-from). */
  resumed: boolean;
  plan: ResumePlan | undefined;
  dataDir: string;
  out: PreparedOutDir;
  threads: number;
  flags: CliFlags;
  io: CliIo;
  stop: StopSignals;
  onWrite: () => void;
}): Promise<number> {
  const { config, plan, out, threads, io, stop } = job;
  const quiet = job.flags.quiet ?? false;
  const stoppedEarly = async () => {
    // A new run leaves no trace (its OUTDIR goes again if it made it); a resumed one is as it was.
    if (!job.resumed) await out.cleanUp();
    io.stderr(
      `stopped before training: nothing was written${job.resumed ? ' (the run can be resumed as before)' : ''}\n`,
    );
    return 128 + SIGNAL_NUMBERS[stop.stopped!];
  };
  if (stop.stopped) return stoppedEarly();
  const { train: trainSet, test } = await loadRunData(config.dataset, job.dataDir, (line) => {
    if (!quiet) io.stderr(`${line}\n`);
  });
  if (stop.stopped) return stoppedEarly();
  // tfjs and the thread peers load only now: a problem with the input is reported before they start.
  const { ExperimentRunner } = await import('../experiment/runner');
  const { environmentInfo, startBackend } = await import('../experiment/environment');
  const { ThreadPeer } = await import('../nn/parallel/thread-peer');
  const { measuredNetwork } = await import('../experiment/backend-network');
  // `auto` (issue 21): times the run's network on every usable backend, wasm with its threads;
  // in Node only wasm is (cpu is never timed: far slower), so it says so and measures nothing.
  const backend = await startBackend(config.backend, {
    network: measuredNetwork(config),
    ...(threads > 1 ? { helpers: { count: threads - 1, start: () => ThreadPeer.startMany(threads - 1, 'wasm') } } : {}),
  });
  // A resumed run keeps where it started, but says how many threads this session used.
  const environment = {
    ...(job.resumed && job.checkpoint ? job.checkpoint.environment : environmentInfo(backend)),
    threads,
  };
  const peers =
    backend.helpers ?? (threads > 1 ? await ThreadPeer.startMany(threads - 1, backend.backend as 'wasm' | 'cpu') : []);
  try {
    if (stop.stopped) return stoppedEarly();
    // The generation the run starts from (another run's ancestor) is kept like the ones it makes, for export.
    const start = job.checkpoint;
    let startKept = !start || existsSync(path.join(out.dir, generationFile(start.generation)));
    const runner = new ExperimentRunner(config, {
      train: trainSet,
      test,
      environment,
      checkpoint: job.checkpoint ? { ...job.checkpoint, config } : undefined,
      peers,
      emit: progressPrinter(io, quiet),
      onCheckpoint: async (c) => {
        if (!startKept && start) await stop.write(() => writeGenomes(out.dir, start));
        startKept = true;
        await stop.write(() => writeOutputs(out.dir, reportOf(c, c.config, false), c));
        job.onWrite();
      },
    });
    if (plan?.live.length) {
      runner.changeSettings(plan.patch);
      io.stderr(`from generation ${job.checkpoint!.generation + 1}: ${plan.live.map(changeText).join(', ')}\n`);
    }
    stop.onStop(() => runner.stopAfterGeneration());
    const report = await runner.run();
    await stop.write(() => writeOutputs(out.dir, report));
    const files = `${path.join(out.dir, 'run.json')}, ${path.join(out.dir, 'generations.csv')}`;
    if (report.finished) {
      io.stderr(`done: ${files}\n`);
      return 0;
    }
    const last = Math.max(...report.records.map((r) => r.generation));
    io.stderr(
      `stopped after generation ${last}: ${files}; continue with npm run evolve -- --resume ${out.dir} --data-dir ${job.dataDir}\n`,
    );
    return 128 + SIGNAL_NUMBERS[stop.stopped ?? 'SIGINT'];
  } finally {
    for (const p of peers) p.dispose();
  }
}

const ENTRY = fileURLToPath(import.meta.url);

if (process.argv[1] && path.resolve(process.argv[1]) === ENTRY) {
  void evolve(process.argv.slice(2)).then((code) => process.exit(code));
}
