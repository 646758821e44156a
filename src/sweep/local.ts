/**
 * The local executor: a pool of `node --import tsx src/cli/evolve.ts` processes that splits the
 * cores (`jobs` runs at a time, `threads` each). Ancestors run first; a point starts when its
 * ancestor has finished. Finished units are skipped, so running the sweep again redoes only what
 * failed or was interrupted (from its last checkpoint where there is one).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, openSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { acquireLock, recordAttemptEnd, refreshRecord, writeRecord, type SweepRecord } from './folder';
import type { SweepPlan, SweepUnit } from './points';
import { ATTEMPT_HEADER, type UnitStatus } from './status';

/** The headless runner's arguments for one unit: a fresh start, from its ancestor, or a resume. */
export function evolveArgs(sweepDir: string, unit: SweepUnit, threads: number | string): string[] {
  const runDir = path.join(sweepDir, unit.dir);
  const start = existsSync(path.join(runDir, 'checkpoint.json'))
    ? ['--resume', runDir]
    : [
        ...['--config', path.join(runDir, 'config.json'), '--out', runDir],
        ...(unit.ancestor ? ['--ancestor-from', path.join(sweepDir, 'ancestors', unit.ancestor)] : []),
      ];
  return [...start, '--data-dir', unit.dataDir, '--threads', String(threads)];
}

export const EVOLVE_ENTRY = ['--import', 'tsx', 'src/cli/evolve.ts'];

export interface LocalOptions {
  jobs: number;
  threads: number;
  repoRoot: string;
  /** Called whenever a unit starts or ends. */
  onChange?: (record: SweepRecord) => void;
  /** Resolves when the sweep should stop (Ctrl-C, --cancel): running units are sent SIGTERM. */
  stop?: Promise<void>;
}

export async function runLocal(
  dir: string,
  plan: SweepPlan,
  initial: SweepRecord,
  options: LocalOptions,
): Promise<SweepRecord> {
  const release = await acquireLock(dir);
  const running = new Map<string, ChildProcess>();
  const startedHere = new Set<string>();
  const view = { active: (u: UnitStatus) => (running.has(u.dir) ? ('running' as const) : null) };
  let record: SweepRecord = {
    ...initial,
    executor: 'local',
    local: {
      jobs: options.jobs,
      threads: options.threads,
      host: hostname(),
      pid: process.pid,
      startedAt: new Date().toISOString(),
    },
  };
  const units = new Map([...plan.ancestors, ...plan.points].map((u) => [u.dir, u]));
  let stopping = false;
  // The loop sleeps until a run ends or the sweep is stopped; a wake-up before the sleep is kept.
  let woken = false;
  let resolveSleep: (() => void) | null = null;
  const wake = () => {
    woken = true;
    resolveSleep?.();
  };
  const sleep = async () => {
    if (!woken) await new Promise<void>((resolve) => (resolveSleep = resolve));
    woken = false;
    resolveSleep = null;
  };
  void options.stop?.then(() => {
    stopping = true;
    for (const child of running.values()) child.kill('SIGTERM');
    wake();
  });

  // One refresh at a time: each rewrites sweep.json.
  let updating = Promise.resolve();
  const update = () =>
    (updating = updating.then(async () => {
      record = await refreshRecord(dir, record, view);
      await writeRecord(dir, record);
      options.onChange?.(record);
    }));

  const start = async (unit: SweepUnit) => {
    startedHere.add(unit.dir);
    const runDir = path.join(dir, unit.dir);
    const log = path.join(runDir, 'evolve.log');
    appendFileSync(
      log,
      `${ATTEMPT_HEADER} ${new Date().toISOString()} on ${hostname()} (local sweep, pid ${process.pid}) ===\n`,
    );
    const fd = openSync(log, 'a');
    const child = spawn(process.execPath, [...EVOLVE_ENTRY, ...evolveArgs(dir, unit, options.threads)], {
      cwd: options.repoRoot,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    running.set(unit.dir, child);
    // Written at once, so that it precedes the end line however soon the run ends.
    appendFileSync(
      path.join(runDir, 'attempts.jsonl'),
      JSON.stringify({
        event: 'start',
        at: new Date().toISOString(),
        host: hostname(),
        pid: child.pid ?? 0,
        executor: 'local',
      }) + '\n',
    );
    let ended = false;
    const finish = async (code: number | null, signal: NodeJS.Signals | null) => {
      if (ended) return;
      ended = true;
      await recordAttemptEnd(dir, unit, {
        event: 'end',
        at: new Date().toISOString(),
        exitCode: code,
        signal: signal ? signal.replace(/^SIG/, '') : null,
      });
      running.delete(unit.dir);
      await update();
      wake();
    };
    child.once('exit', (code, signal) => void finish(code, signal));
    child.once('error', (e) => {
      appendFileSync(log, `error: could not start ${process.execPath}: ${e.message}\n`);
      void finish(127, null);
    });
    await update();
  };

  try {
    await update();
    for (;;) {
      const status = new Map([...record.ancestors, ...record.points].map((u) => [u.dir, u]));
      const ancestorOf = (u: SweepUnit) => status.get(`ancestors/${u.ancestor}`);
      const pending = [...units.values()].filter((u) => {
        const s = status.get(u.dir)!;
        return s.state !== 'finished' && !startedHere.has(u.dir) && !running.has(u.dir);
      });
      // An ancestor is needed only while one of its points is still to run.
      const needed = new Set(pending.filter((u) => u.kind === 'point').map((u) => `ancestors/${u.ancestor}`));
      const ready = pending.filter((u) =>
        u.kind === 'ancestor' ? needed.has(u.dir) : ancestorOf(u)?.state === 'finished',
      );
      if (!stopping) for (const unit of ready.slice(0, Math.max(0, options.jobs - running.size))) await start(unit);
      if (running.size === 0) break;
      await sleep();
    }
    await update();
    return record;
  } finally {
    await release();
  }
}
