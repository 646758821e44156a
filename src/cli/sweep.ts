/**
 * Sweeps: `npm run sweep -- --help`. Runs a grid of headless runs (seeds × modes × settings ×
 * datasets) from a JSON spec, on this machine or as Slurm job arrays, into one folder that
 * `npm run report -- DIR` turns into tables and figures.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  liveLock,
  lockFile,
  prepareFolder,
  processAlive,
  readRecord,
  refreshRecord,
  SweepFolderError,
  writeRecord,
  type ExecutorView,
  type SlurmOptions,
  type SweepRecord,
} from '../sweep/folder';
import { EVOLVE_ENTRY, evolveArgs, runLocal } from '../sweep/local';
import { planSweep, type SweepPlan } from '../sweep/points';
import { cancelJobs, planArrays, SlurmError, slurmView, submitArrays } from '../sweep/slurm';
import { SpecError, validateSpec } from '../sweep/spec';
import { progressLine, statusTable, type UnitStatus } from '../sweep/status';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

const HELP = `EvoLab sweeps

  npm run sweep -- SPEC.json --out DIR [--data-dir DATA] [--jobs N] [--threads T]
      Run every point of the spec on this machine: N runs at a time with T threads each
      (default: split the cores, one thread per run). Ancestors (generation 1) are trained once
      per seed and dataset, then every mode starts from them. Run it again to redo only what
      failed or was interrupted (from its last checkpoint).

  npm run sweep -- SPEC.json --out DIR --executor slurm [--partition P] [--time T]
                    [--cpus-per-task C] [--mem M] [--sbatch-option=--qos=long ...] [--wait] [--dry-run]
      Submit the same work as Slurm job arrays (DIR and this folder must be on a filesystem the
      nodes share, with node on their PATH). --wait follows the jobs until they end; --dry-run
      prints the batch scripts and submits nothing.

  npm run sweep -- --status DIR      each point's state, where it ran and why it ended
  npm run sweep -- --cancel DIR      stop the sweep (local pool or Slurm jobs)
  npm run report -- DIR              tables and figures, mean ± std over seeds

The spec (JSON):
  { "name": "mnist-modes",                       (names the Slurm jobs)
    "dataDir": "../shared/datasets",             (mnist/ and cifar-10/; relative to the spec file)
    "base": { "dataset": "mnist", "trainSubset": 6000, "generations": 13 },
                                                 (a run configuration, as --config takes, or a file path)
    "axes": { "seed": [1, 2, 3], "mode": ["asexual", "sexual"], "rho": [0.6, 0.7] },
    "points": [ { "seed": 4, "mode": "sexual", "rho": 0.5 } ] }   (extra points beside the grid)
  Axes and points name settings as the settings table does (seed, mode, dataset, rho, trainSubset,
  learningRate, …), or by their evolve flag or config path (synthesis.budget.rho); alpha and beta
  set both levels; "dataDir" in a point sets where that point reads its data.
  Each point gets an id such as mode=sexual,seed=2,rho=0.6 and writes DIR/points/<id>/.
`;

const options = {
  help: { type: 'boolean' },
  out: { type: 'string' },
  'data-dir': { type: 'string' },
  executor: { type: 'string' },
  jobs: { type: 'string' },
  threads: { type: 'string' },
  partition: { type: 'string' },
  time: { type: 'string' },
  'cpus-per-task': { type: 'string' },
  mem: { type: 'string' },
  'sbatch-option': { type: 'string', multiple: true },
  wait: { type: 'boolean' },
  poll: { type: 'string' },
  'dry-run': { type: 'boolean' },
  status: { type: 'string' },
  cancel: { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof options }>>['values'];

class UsageError extends Error {}

function positiveInt(flags: Flags, name: 'jobs' | 'threads' | 'cpus-per-task'): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number ≥ 1 (got ${raw})`);
  return n;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

function loadPlan(specFile: string, dataDir: string | undefined): { plan: SweepPlan; spec: unknown } {
  const spec = readJson(specFile);
  const specDir = path.dirname(path.resolve(specFile));
  const valid = validateSpec(spec, (file) => readJson(path.resolve(specDir, file)));
  const plan = planSweep(valid, {
    dataDir: dataDir === undefined ? undefined : path.resolve(dataDir),
    resolvePath: (p) => path.resolve(specDir, p),
  });
  return { plan, spec };
}

/** Progress on stderr: a line that rewrites itself on a terminal; otherwise a line when the counts change, or every 30 s. */
function progressPrinter(quiet: boolean, parallel: () => number) {
  const tty = process.stderr.isTTY;
  let lastCounts = '';
  let lastAt = 0;
  return {
    show(record: SweepRecord) {
      if (quiet) return;
      const line = `sweep: ${progressLine([...record.ancestors, ...record.points], Date.now(), parallel())}`;
      const counts = line.replace(/ · [^·]*$/, '');
      const now = Date.now();
      if (tty) process.stderr.write(`\r${line.padEnd(100)}`);
      else if (counts !== lastCounts || now - lastAt > 30_000) {
        process.stderr.write(`${line}\n`);
        lastCounts = counts;
        lastAt = now;
      }
    },
    done() {
      if (!quiet && tty) process.stderr.write('\n');
    },
  };
}

/** The local view of a folder from another process: a unit runs while its run's process does. */
function localView(record: SweepRecord, lockHeld: boolean): ExecutorView {
  return {
    active: (u: UnitStatus) =>
      lockHeld && u.startedAt && u.endedAt === undefined && u.pid && processAlive(u.pid) ? 'running' : null,
  };
}

async function currentView(dir: string, record: SweepRecord): Promise<ExecutorView & { activeCount?: number }> {
  if (record.executor === 'slurm') return slurmView(record);
  // The record's units hold the last attempt's pid; read it fresh so a unit that started since counts.
  const fresh = await refreshRecord(dir, record, { active: () => null });
  const lockHeld = (await liveLock(dir)) !== null;
  const byDir = new Map([...fresh.ancestors, ...fresh.points].map((u) => [u.dir, u]));
  const view = localView(fresh, lockHeld);
  return { active: (u) => view.active(byDir.get(u.dir) ?? u) };
}

async function showStatus(dir: string): Promise<number> {
  let record = await readRecord(dir);
  record = await refreshRecord(dir, record, await currentView(dir, record));
  await writeRecord(dir, record);
  const units = [...record.ancestors, ...record.points];
  const parallel =
    record.executor === 'local' ? (record.local?.jobs ?? 1) : units.filter((u) => u.state === 'running').length;
  process.stdout.write(`${statusTable(units)}\n\n${record.executor}: ${progressLine(units, Date.now(), parallel)}\n`);
  for (const u of units.filter((x) => x.state === 'failed' && x.error))
    process.stdout.write(`\n${u.id}:\n  ${u.error!.split('\n').join('\n  ')}\n`);
  return 0;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function cancel(dir: string): Promise<number> {
  let record = await readRecord(dir);
  if (record.executor === 'slurm') {
    const cancelled = await cancelJobs(record);
    // scancel returns at once; the tasks leave the queue after their runs have stopped.
    for (let i = 0; i < 120; i++) {
      const view = await slurmView(record);
      if (view.activeCount === 0) break;
      await delay(500);
    }
    record = await refreshRecord(dir, record, await slurmView(record));
    await writeRecord(dir, record);
    process.stderr.write(
      cancelled.length ? `cancelled Slurm job(s) ${cancelled.join(', ')}\n` : 'no job of this sweep was queued\n',
    );
    return 0;
  }
  const lock = await liveLock(dir);
  if (!lock) {
    process.stderr.write(`no local sweep runs in ${dir}\n`);
    return 0;
  }
  process.kill(lock.pid, 'SIGTERM');
  for (let i = 0; i < 600 && existsSync(lockFile(dir)) && processAlive(lock.pid); i++) await delay(100);
  process.stderr.write(`stopped the local sweep (pid ${lock.pid}); run it again to continue\n`);
  return 0;
}

function slurmOptions(flags: Flags, previous?: SlurmOptions): SlurmOptions {
  return {
    cpusPerTask: positiveInt(flags, 'cpus-per-task') ?? previous?.cpusPerTask ?? 1,
    ...((flags.partition ?? previous?.partition) ? { partition: flags.partition ?? previous?.partition } : {}),
    ...((flags.time ?? previous?.time) ? { time: flags.time ?? previous?.time } : {}),
    ...((flags.mem ?? previous?.mem) ? { mem: flags.mem ?? previous?.mem } : {}),
    extra: flags['sbatch-option'] ?? previous?.extra ?? [],
  };
}

/** Refuses to start while tasks of an earlier Slurm submission are queued or running; returns the refreshed record. */
async function refuseWhileInSlurm(dir: string, record: SweepRecord): Promise<SweepRecord | null> {
  if (!record.slurm) return null;
  const fresh = await refreshRecord(dir, record, await slurmView(record));
  const active = [...fresh.ancestors, ...fresh.points].filter((u) => u.state === 'queued' || u.state === 'running');
  if (active.length) {
    await writeRecord(dir, fresh);
    throw new SweepFolderError(
      `${active.length} task(s) of this sweep are still queued or running in Slurm: rerun when they have ended, or stop them with npm run sweep -- --cancel ${dir}`,
    );
  }
  return fresh;
}

/** Units to run: points not finished, and the unfinished ancestors they need. */
function toRun(plan: SweepPlan, record: SweepRecord) {
  const state = new Map([...record.ancestors, ...record.points].map((u) => [u.dir, u.state]));
  const points = plan.points.filter((p) => state.get(p.dir) !== 'finished');
  const needed = new Set(points.map((p) => p.ancestor));
  const ancestors = plan.ancestors.filter((a) => needed.has(a.id) && state.get(a.dir) !== 'finished');
  return { ancestors, points };
}

async function runSweep(flags: Flags, specFile: string): Promise<number> {
  if (!flags.out) throw new UsageError('say where the sweep writes: --out DIR');
  const executor = flags.executor ?? 'local';
  if (executor !== 'local' && executor !== 'slurm')
    throw new UsageError(`--executor must be local or slurm (got ${executor})`);
  if (executor === 'slurm' && flags.threads !== undefined)
    throw new UsageError(
      'with --executor slurm, each run uses --cpus-per-task threads: give that instead of --threads',
    );
  if (
    executor === 'local' &&
    (flags.partition ?? flags.time ?? flags.mem ?? flags['cpus-per-task'] ?? flags['sbatch-option'])
  )
    throw new UsageError('--partition, --time, --cpus-per-task, --mem and --sbatch-option are for --executor slurm');
  const dir = path.resolve(flags.out);
  const { plan, spec } = loadPlan(specFile, flags['data-dir']);
  const quiet = flags.quiet ?? false;

  if (executor === 'local') {
    const cores = availableParallelism();
    const threadsFlag = positiveInt(flags, 'threads');
    const jobs = positiveInt(flags, 'jobs') ?? Math.max(1, Math.floor(cores / (threadsFlag ?? 1)));
    const threads = threadsFlag ?? Math.max(1, Math.floor(cores / jobs));
    if (flags['dry-run']) {
      process.stdout.write(
        `# ${plan.ancestors.length} ancestor(s), then ${plan.points.length} point(s); ${jobs} at a time, ${threads} thread(s) each\n`,
      );
      for (const unit of [...plan.ancestors, ...plan.points])
        process.stdout.write(`node ${[...EVOLVE_ENTRY, ...evolveArgs(dir, unit, threads)].join(' ')}\n`);
      return 0;
    }
    const initial = await prepareFolder(dir, plan, spec, path.resolve(specFile));
    await refuseWhileInSlurm(dir, initial);
    let stopRequested: () => void = () => {};
    const stop = new Promise<void>((resolve) => (stopRequested = resolve));
    const onSignal = (signal: string) => {
      process.stderr.write(`\n${signal}: stopping the runs (run the sweep again to continue them)…\n`);
      stopRequested();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const printer = progressPrinter(quiet, () => jobs);
    let lastRecord: SweepRecord | null = null;
    // The time left counts down between the runs' starts and ends too.
    const ticker = setInterval(() => lastRecord && printer.show(lastRecord), 1000);
    ticker.unref();
    const record = await runLocal(dir, plan, initial, {
      jobs,
      threads,
      repoRoot: REPO_ROOT,
      stop,
      onChange: (r) => {
        lastRecord = r;
        printer.show(r);
      },
    });
    clearInterval(ticker);
    printer.done();
    return summarise(dir, record);
  }

  if (flags['dry-run']) {
    const existing = existsSync(path.join(dir, 'sweep.json')) ? await readRecord(dir) : null;
    const state = existing ? await refreshRecord(dir, existing, { active: () => null }) : null;
    const work = state ? toRun(plan, state) : plan;
    const arrays = planArrays(work.ancestors, work.points);
    await submitArrays(arrays, {
      name: plan.name,
      sweepDir: dir,
      repoRoot: REPO_ROOT,
      options: slurmOptions(flags, existing?.slurm?.options),
      round: (existing?.slurm?.submissions.at(-1)?.round ?? 0) + 1,
      dryRun: true,
      print: (text) => process.stdout.write(text),
    });
    return 0;
  }
  let record = await prepareFolder(dir, plan, spec, path.resolve(specFile));
  const lock = await liveLock(dir);
  if (lock) throw new SweepFolderError(`a local sweep (pid ${lock.pid}) runs in ${dir}: wait for it or --cancel it`);
  record = (await refuseWhileInSlurm(dir, record)) ?? (await refreshRecord(dir, record, { active: () => null }));
  const merged = slurmOptions(flags, record.slurm?.options);
  const work = toRun(plan, record);
  const round = (record.slurm?.submissions.at(-1)?.round ?? 0) + 1;
  const submissions = await submitArrays(planArrays(work.ancestors, work.points), {
    name: plan.name,
    sweepDir: dir,
    repoRoot: REPO_ROOT,
    options: merged,
    round,
    dryRun: false,
    print: () => {},
  });
  record = {
    ...record,
    executor: 'slurm',
    slurm: { options: merged, submissions: [...(record.slurm?.submissions ?? []), ...submissions] },
  };
  record = await refreshRecord(dir, record, await slurmView(record));
  await writeRecord(dir, record);
  process.stderr.write(
    submissions.length
      ? `submitted ${work.ancestors.length} ancestor(s) and ${work.points.length} point(s) as Slurm array job(s) ${submissions.map((s) => s.arrayJobId).join(', ')}\n`
      : 'every point has finished: nothing to submit\n',
  );
  if (!flags.wait) {
    if (submissions.length) process.stderr.write(`follow them with npm run sweep -- --status ${dir}\n`);
    return 0;
  }
  const pollSeconds = flags.poll === undefined ? 5 : Number(flags.poll);
  if (!(pollSeconds > 0)) throw new UsageError(`--poll must be a number of seconds > 0 (got ${flags.poll})`);
  let running = 1;
  const printer = progressPrinter(quiet, () => Math.max(1, running));
  for (;;) {
    const view = await slurmView(record);
    record = await refreshRecord(dir, record, view);
    await writeRecord(dir, record);
    running = [...record.ancestors, ...record.points].filter((u) => u.state === 'running').length;
    printer.show(record);
    if (view.activeCount === 0) break;
    await delay(pollSeconds * 1000);
  }
  printer.done();
  return summarise(dir, record);
}

function summarise(dir: string, record: SweepRecord): number {
  const bad = record.points.filter((p) => p.state !== 'finished');
  for (const u of [...record.ancestors, ...record.points].filter((x) => x.state === 'failed' && x.error))
    process.stderr.write(`failed: ${u.kind === 'ancestor' ? 'ancestor ' : ''}${u.id}: ${u.error!.split('\n')[0]}\n`);
  process.stderr.write(
    bad.length
      ? `${record.points.length - bad.length} of ${record.points.length} points finished; run the sweep again to redo the others (npm run sweep -- --status ${dir} for details)\n`
      : `all ${record.points.length} points finished: npm run report -- ${dir}\n`,
  );
  return bad.length ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const { values: flags, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  if (flags.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (flags.status) return showStatus(path.resolve(flags.status));
  if (flags.cancel) return cancel(path.resolve(flags.cancel));
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length
        ? `give one spec file (got ${positionals.join(' ')})`
        : 'give a spec file: npm run sweep -- SPEC.json --out DIR',
    );
  return runSweep(flags, positionals[0]);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known =
      error instanceof UsageError ||
      error instanceof SpecError ||
      error instanceof SweepFolderError ||
      error instanceof SlurmError ||
      String((error as { code?: string })?.code).startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`error: ${(error as Error)?.message ?? String(error)}\n`);
    if (error instanceof UsageError || !known) process.stderr.write('run `npm run sweep -- --help` for the options\n');
    if (!known && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exit(known ? 2 : 1);
  },
);
