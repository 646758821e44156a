/**
 * Sweeps as a person runs them: `npm run sweep` on this machine and through a real one-node Slurm
 * cluster (scripts/slurm-cluster.sh, brought up for this file), on the real MNIST files.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../experiment/records';
import type { SweepRecord } from '../sweep/folder';
import { parseAttempts, type UnitStatus } from '../sweep/status';
import { datasetsDir } from '../testing/data';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
let clusterDir = '';
let env: NodeJS.ProcessEnv = process.env;
let root = '';

async function sweep(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/sweep.ts', ...args], {
      cwd: REPO_ROOT,
      env,
      maxBuffer: 1 << 24,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const readJson = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file, 'utf8')) as T;
const record = (dir: string) => readJson<SweepRecord>(path.join(dir, 'sweep.json'));
const unit = (r: SweepRecord, id: string) => [...r.ancestors, ...r.points].find((u) => u.id === id)!;
/** A run's numbers: every field of every record but the timings. */
const numbers = (report: RunReport) =>
  report.records.map(({ trainSeconds, imagesPerSecond, inferenceImagesPerSecond, ...rest }) => rest);
const squeue = async () => (await run('squeue', ['-h', '-o', '%i %T'], { env })).stdout.trim();

/** Resolves once `file` holds a line that `test` accepts (the sweep's own record of an event). */
async function whenLine(file: string, test: (line: string) => boolean): Promise<void> {
  for (;;) {
    const text = existsSync(file) ? await readFile(file, 'utf8') : '';
    if (text.split('\n').some(test)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const GRID = ['mode=asexual,seed=1', 'mode=sexual,seed=1', 'mode=asexual,seed=2', 'mode=sexual,seed=2'];
const BROKEN = 'mode=sexual,seed=2,dataDir=unreadable';

beforeAll(async () => {
  for (const tool of ['sbatch', 'squeue', 'slurmctld', 'slurmd', 'munged'])
    if (!['/usr/bin', '/usr/sbin'].some((d) => existsSync(path.join(d, tool))))
      throw new Error(`${tool} is missing: run scripts/setup.sh (it installs munge slurmctld slurmd slurm-client)`);
  const { stdout } = await run('bash', [path.join(REPO_ROOT, 'scripts/slurm-cluster.sh'), 'up']);
  const conf = /export SLURM_CONF=(\S+)/.exec(stdout)?.[1];
  if (!conf) throw new Error(`slurm-cluster.sh up printed no SLURM_CONF: ${stdout}`);
  clusterDir = path.dirname(conf);
  env = { ...process.env, SLURM_CONF: conf };
  root = await mkdtemp(path.join(tmpdir(), 'evolab-sweep-'));
  // The broken point reads from a folder without the dataset until a test puts it there.
  await mkdir(path.join(root, 'unreadable'));
  await writeFile(
    path.join(root, 'spec.json'),
    JSON.stringify({
      name: 'tiny',
      dataDir: datasetsDir(),
      base: {
        dataset: 'mnist',
        trainSubset: 300,
        testSubset: 100,
        generations: 2,
        ancestorEpochs: 1,
        epochsPerGeneration: 1,
      },
      axes: { seed: [1, 2], mode: ['asexual', 'sexual'] },
      points: [{ seed: 2, mode: 'sexual', dataDir: 'unreadable' }],
    }),
  );
});

afterAll(async () => {
  if (clusterDir) await run('bash', [path.join(REPO_ROOT, 'scripts/slurm-cluster.sh'), 'down', clusterDir]);
});

describe('npm run sweep', () => {
  const local = () => path.join(root, 'local');
  const slurm = () => path.join(root, 'slurm');

  it('runs locally: one ancestor per seed, the failing point reported with its error, the others finished', async () => {
    const result = await sweep([path.join(root, 'spec.json'), '--out', local(), '--jobs', '2', '--threads', '1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/4 of 5 points finished/);
    const r = await record(local());
    expect(r.executor).toBe('local');
    expect(r.ancestors.map((a) => [a.id, a.state])).toEqual([
      ['seed=1', 'finished'],
      ['seed=2', 'finished'],
    ]);
    expect(r.points.map((p) => [p.id, p.state, p.ancestor])).toEqual([
      ['mode=asexual,seed=1', 'finished', 'seed=1'],
      ['mode=sexual,seed=1', 'finished', 'seed=1'],
      ['mode=asexual,seed=2', 'finished', 'seed=2'],
      ['mode=sexual,seed=2', 'finished', 'seed=2'],
      [BROKEN, 'failed', 'seed=2'],
    ]);
    for (const u of [...r.ancestors, ...r.points]) expect(u).toMatchObject({ attempts: 1, pid: expect.any(Number) });
    expect(unit(r, BROKEN)).toMatchObject({ exitCode: 2, exitReason: 'exit code 2' });
    expect(unit(r, BROKEN).error).toMatch(/^error: mnist\/train-images-idx3-ubyte: file not found/);
    // Within a seed both modes start from the same trained ancestor.
    const ancestor = await readJson<RunReport>(path.join(local(), 'ancestors/seed=2/run.json'));
    for (const id of ['mode=asexual,seed=2', 'mode=sexual,seed=2']) {
      const point = await readJson<RunReport>(path.join(local(), 'points', id, 'run.json'));
      expect(point.records[0]).toEqual({ ...ancestor.records[0], mode: point.config.mode });
      expect(point.records.at(-1)!.generation).toBe(2);
    }
    const status = await sweep(['--status', local()]);
    expect(status.stdout).toMatch(new RegExp(`^${BROKEN}\\s+failed\\s+\\S+ pid \\d+`, 'm'));
  }, 300_000);

  it('submits the same sweep as Slurm job arrays, with the same results number for number', async () => {
    const result = await sweep([
      ...[path.join(root, 'spec.json'), '--out', slurm(), '--executor', 'slurm'],
      ...['--cpus-per-task', '1', '--time', '10', '--sbatch-option=--comment=evolab-test', '--wait', '--poll', '0.5'],
    ]);
    expect(result.code).toBe(1);
    const r = await record(slurm());
    expect(r.executor).toBe('slurm');
    // The ancestors' array first, then the points' arrays, each task after its own ancestor's.
    const [ancestors, ...pointArrays] = r.slurm!.submissions;
    expect(ancestors).toMatchObject({ phase: 'ancestors', tasks: { 0: 'ancestors/seed=1', 1: 'ancestors/seed=2' } });
    for (const s of pointArrays) expect(s).toMatchObject({ phase: 'points', dependsOn: ancestors.arrayJobId });
    // Every unit ran as an array task, recorded with its job and task ids.
    for (const u of [...r.ancestors, ...r.points]) {
      const submission = r.slurm!.submissions.find((s) => Object.values(s.tasks).includes(u.dir))!;
      expect(u.slurm).toEqual({
        jobId: expect.any(Number),
        arrayJobId: submission.arrayJobId,
        taskId: Number(Object.keys(submission.tasks).find((k) => submission.tasks[k] === u.dir)),
      });
    }
    for (const id of GRID) {
      expect(unit(r, id).state).toBe('finished');
      const [a, b] = await Promise.all(
        [local(), slurm()].map((d) => readJson<RunReport>(path.join(d, 'points', id, 'run.json'))),
      );
      expect(numbers(b)).toEqual(numbers(a));
    }
    expect(unit(r, BROKEN)).toMatchObject({ state: 'failed', exitCode: 2 });
    expect(unit(r, BROKEN).error).toMatch(/^error: mnist\/train-images-idx3-ubyte: file not found/);
    expect(await squeue()).toBe('');
  }, 300_000);

  it('reruns only the failed point, once its data can be read, with both executors', async () => {
    await symlink(path.join(datasetsDir(), 'mnist'), path.join(root, 'unreadable', 'mnist'));
    const before = await record(slurm());
    const rerun = await sweep([
      path.join(root, 'spec.json'),
      '--out',
      slurm(),
      '--executor',
      'slurm',
      '--wait',
      '--poll',
      '0.5',
    ]);
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toMatch(/submitted 0 ancestor\(s\) and 1 point\(s\)/);
    const after = await record(slurm());
    expect(after.summary).toMatchObject({ finished: 5, failed: 0 });
    const same = (u: UnitStatus) => ({ attempts: u.attempts, slurm: u.slurm });
    for (const u of [...after.ancestors, ...after.points].filter((x) => x.id !== BROKEN))
      expect(same(u)).toEqual(same(unit(before, u.id)));
    expect(unit(after, BROKEN).attempts).toBe(2);
    expect(unit(after, BROKEN).slurm!.arrayJobId).not.toBe(unit(before, BROKEN).slurm!.arrayJobId);
    expect(after.slurm!.submissions.filter((s) => s.round === 2)).toHaveLength(1);

    const localRerun = await sweep([path.join(root, 'spec.json'), '--out', local(), '--jobs', '2', '--threads', '1']);
    expect(localRerun.code).toBe(0);
    const l = await record(local());
    expect([...l.ancestors, ...l.points].map((u) => [u.id, u.attempts])).toEqual([
      ['seed=1', 1],
      ['seed=2', 1],
      ...GRID.map((id) => [id, 1]),
      [BROKEN, 2],
    ]);
    // Another data folder, the same data: the same run as the grid's point.
    const [fixed, grid] = await Promise.all(
      [BROKEN, 'mode=sexual,seed=2'].map((id) => readJson<RunReport>(path.join(slurm(), 'points', id, 'run.json'))),
    );
    expect(numbers(fixed)).toEqual(numbers(grid));

    const report = await run(process.execPath, ['--import', 'tsx', 'src/cli/report.ts', slurm()], { cwd: REPO_ROOT });
    expect(report.stdout).toMatch(/^\| tiny \| asexual \| 2 \| \d+\.\d\d ± \d+\.\d\d \| 2 \|/m);
    expect(report.stdout).toMatch(/^\| sexual \| 2 \| 2 \|/m);
    expect(report.stdout).toContain(
      `repeats of a seed already counted (they differ only in their data folder): ${BROKEN}`,
    );
    expect(existsSync(path.join(slurm(), 'report', 'figures', 'tiny-accuracy.svg'))).toBe(true);
  }, 300_000);

  it('--cancel leaves no job of the sweep in the Slurm queue, and stops a local sweep', async () => {
    const spec = path.join(root, 'long.json');
    await writeFile(
      spec,
      JSON.stringify({
        name: 'long',
        dataDir: datasetsDir(),
        base: { dataset: 'mnist', trainSubset: 1000, testSubset: 100, generations: 3, ancestorEpochs: 50 },
        axes: { seed: [1, 2, 3], mode: ['asexual', 'sexual'] },
      }),
    );
    const dir = path.join(root, 'cancel-slurm');
    const submitted = await sweep([spec, '--out', dir, '--executor', 'slurm']);
    expect(submitted.code).toBe(0);
    await whenLine(path.join(dir, 'ancestors/seed=1/attempts.jsonl'), (l) => l.includes('"start"'));
    expect(await squeue()).not.toBe('');
    const cancelled = await sweep(['--cancel', dir]);
    expect(cancelled.code).toBe(0);
    expect(await squeue()).toBe('');
    const r = await record(dir);
    expect(unit(r, 'seed=1')).toMatchObject({ state: 'interrupted', signal: 'TERM' });
    expect(r.points.map((p) => p.state)).toEqual(new Array(6).fill('cancelled'));

    const localDir = path.join(root, 'cancel-local');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/sweep.ts', spec, '--out', localDir, '--quiet'], {
      cwd: REPO_ROOT,
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await whenLine(path.join(localDir, 'ancestors/seed=1/attempts.jsonl'), (l) => l.includes('"start"'));
    expect((await sweep(['--cancel', localDir])).code).toBe(0);
    expect(await exited).toBe(1);
    expect(existsSync(path.join(localDir, 'sweep.lock'))).toBe(false);
    const attempts = parseAttempts(await readFile(path.join(localDir, 'ancestors/seed=1/attempts.jsonl'), 'utf8'));
    // Killed by SIGTERM, or (when the runner had started) stopped by it cleanly: exit status 143.
    expect(attempts[0].end?.signal === 'TERM' || attempts[0].end?.exitCode === 143).toBe(true);
    expect(() => process.kill(attempts[0].start.pid, 0)).toThrow();
    expect(unit(await record(localDir), 'seed=1').state).toBe('interrupted');
  }, 300_000);
});
