/**
 * The headless runner as a person runs it: a child process with flags, files on disk. (Bad input
 * is tested in-process by bad-inputs.test.ts, Ctrl-C under npm by signals.test.ts.)
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, rmdirSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../experiment/records';
import { datasetsDir } from '../testing/data';
import type { CliIo } from './cli-io';
import { evolve as runEvolve } from './evolve';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
// As the npm script runs it: node with tsx's loader, no wrapper process in between.
const NODE_ARGS = ['--import', 'tsx', 'src/cli/evolve.ts'];

async function evolve(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [...NODE_ARGS, ...args], {
      cwd: REPO_ROOT,
      maxBuffer: 1 << 24,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('npm run evolve', () => {
  it('describes the ancestor of each dataset with the paper’s counts', async () => {
    const mnist = JSON.parse((await evolve(['--describe', '--dataset', 'mnist'])).stdout);
    expect(mnist).toMatchObject({ synapses: 143_136, kernels: 7_200 });
    expect(
      mnist.layers.map((l: { name: string; synapses: number; kernels: number }) => [l.name, l.synapses, l.kernels]),
    ).toEqual([
      ['conv1', 800, 32],
      ['conv2', 25_600, 1_024],
      ['conv3', 51_200, 2_048],
      ['fc1', 65_536, 4_096],
    ]);
    const cifar = JSON.parse((await evolve(['--describe', '--dataset', 'cifar10'])).stdout);
    expect(cifar).toMatchObject({ synapses: 144_736, kernels: 7_264 });
  });

  it('runs, writes run.json and generations.csv, and resumes to more generations', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'evolab-cli-'));
    const common = ['--data-dir', datasetsDir(), '--quiet'];
    const first = await evolve([
      ...common,
      '--dataset',
      'mnist',
      '--mode',
      'asexual',
      '--generations',
      '2',
      '--epochs',
      '1',
      '--ancestor-epochs',
      '1',
      '--train-subset',
      '200',
      '--test-subset',
      '100',
      '--seed',
      '5',
      '--out',
      out,
    ]);
    expect(first.stderr).toMatch(/done:/);
    expect(first.code).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')) as RunReport;
    expect(report.config).toMatchObject({
      dataset: 'mnist',
      mode: 'asexual',
      generations: 2,
      trainSubset: 200,
      testSubset: 100,
      seed: 5,
    });
    expect(report.environment.backend).toBe('wasm');
    // One run alone uses every core: each step is split across worker threads.
    expect(report.environment.threads).toBe(availableParallelism());
    expect(report.environment.wasmKernels).toBe('evolab-simd');
    expect(report.records.map((r) => r.generation)).toEqual([1, 2]);
    const csv = (await readFile(path.join(out, 'generations.csv'), 'utf8')).trim().split('\n');
    const header = csv[0].split(',');
    for (const column of [
      'generation',
      'mode',
      'individual',
      'test_accuracy',
      'synapses',
      'kernels',
      'synaptic_efficiency',
      'cluster_efficiency',
      'train_seconds',
    ])
      expect(header).toContain(column);
    expect(csv).toHaveLength(3);
    const row = Object.fromEntries(header.map((h, i) => [h, csv[2].split(',')[i]]));
    expect(Number(row.synapses)).toBe(report.records[1].synapses);
    expect(Number(row.test_accuracy)).toBeCloseTo(report.records[1].testAccuracy, 6);

    // More generations, and a live setting changed on the way: recorded from the next generation.
    const resumed = await evolve(['--resume', out, '--generations', '3', '--rho', '0.5', ...common]);
    expect(resumed.code).toBe(0);
    const after = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')) as RunReport;
    expect(after).toMatchObject({ format: 'evolab-run', version: 1, finished: true });
    expect(after.records.map((r) => r.generation)).toEqual([1, 2, 3]);
    expect(after.records.slice(0, 2)).toEqual(report.records);
    expect(after.records[2].synapses).toBeLessThan(after.records[1].synapses);
    expect(after.configChanges).toEqual([
      {
        generation: 3,
        changed: ['synthesis.budget.rho'],
        from: { 'synthesis.budget.rho': 0.7 },
        to: { 'synthesis.budget.rho': 0.5 },
      },
    ]);
    expect(after.config).toMatchObject({ generations: 3, seed: 5, synthesis: { budget: { rho: 0.5 } } });
  });

  it('starts a new run from another run’s ancestor, as if it had trained that ancestor itself', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'evolab-cli-ancestor-'));
    const common = ['--data-dir', datasetsDir(), '--quiet', '--threads', '1', '--dataset', 'mnist'];
    const small = ['--epochs', '1', '--ancestor-epochs', '1', '--train-subset', '200', '--test-subset', '100'];
    const ancestorDir = path.join(root, 'ancestor');
    const ancestor = await evolve([...common, ...small, '--generations', '1', '--seed', '3', '--out', ancestorDir]);
    expect(ancestor.code).toBe(0);
    const fromAncestor = await evolve([
      ...common,
      ...small,
      ...['--mode', 'sexual', '--generations', '2', '--seed', '3', '--ancestor-from', ancestorDir],
      ...['--out', path.join(root, 'from-ancestor')],
    ]);
    expect(fromAncestor.code).toBe(0);
    const whole = await evolve([
      ...common,
      ...small,
      ...['--mode', 'sexual', '--generations', '2', '--seed', '3', '--out', path.join(root, 'whole')],
    ]);
    expect(whole.code).toBe(0);
    const read = async (dir: string) =>
      JSON.parse(await readFile(path.join(root, dir, 'run.json'), 'utf8')) as RunReport;
    const [a, b] = [await read('from-ancestor'), await read('whole')];
    expect(a.config).toEqual(b.config);
    expect(a.records.map((r) => [r.generation, r.mode])).toEqual([
      [1, 'sexual'],
      [2, 'sexual'],
      [2, 'sexual'],
    ]);
    const numbers = (r: RunReport) =>
      r.records.map(({ trainSeconds, imagesPerSecond, inferenceImagesPerSecond, ...rest }) => rest);
    expect(numbers(a)).toEqual(numbers(b));
    expect(a.records[0].testAccuracy).toBe((await read('ancestor')).records[0].testAccuracy);

    const otherDataset = await evolve([
      ...common,
      ...['--dataset', 'cifar10', '--generations', '2', '--ancestor-from', ancestorDir, '--out', path.join(root, 'x')],
    ]);
    expect(otherDataset.code).toBe(2);
    expect(otherDataset.stderr).toMatch(/ancestor trained on mnist, but this run is on cifar10/);
    const notAncestor = await evolve([
      ...common,
      ...['--generations', '3', '--ancestor-from', path.join(root, 'whole'), '--out', path.join(root, 'y')],
    ]);
    expect(notAncestor.code).toBe(2);
    expect(notAncestor.stderr).toMatch(/holds generation 2, not a trained ancestor/);
    const missing = await evolve([
      ...common,
      '--ancestor-from',
      path.join(root, 'none'),
      '--out',
      path.join(root, 'z'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/holds no checkpoint\.json; train the ancestor first with --generations 1/);
  });

  it('runs several modes at once, one process each, into OUTDIR/<mode>', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'evolab-cli-modes-'));
    const r = await evolve([
      '--data-dir',
      datasetsDir(),
      '--dataset',
      'mnist',
      '--mode',
      'asexual,sexual',
      '--generations',
      '2',
      '--epochs',
      '1',
      '--ancestor-epochs',
      '1',
      '--train-subset',
      '100',
      '--test-subset',
      '50',
      '--seed',
      '6',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^\[asexual\] done:/m);
    expect(r.stderr).toMatch(/^\[sexual\] done:/m);
    for (const mode of ['asexual', 'sexual'] as const) {
      const report = JSON.parse(await readFile(path.join(out, mode, 'run.json'), 'utf8')) as RunReport;
      expect(report.config).toMatchObject({ mode, generations: 2, seed: 6 });
      // The two processes split the cores between them.
      expect(report.environment.threads).toBe(Math.max(1, Math.floor(availableParallelism() / 2)));
      expect(report.records.filter((x) => x.generation === 2)).toHaveLength(mode === 'sexual' ? 2 : 1);
    }
    const bad = await evolve(['--mode', 'asexual,cloning', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/distinct modes among asexual, sexual, multiparent/);
  });

  it('with several modes, forwards Ctrl-C to each mode’s process and waits for them to finish their generation', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'evolab-cli-modes-stop-'));
    // Long enough that neither finishes before the signal, whenever its backend came up.
    const argv = ['--data-dir', datasetsDir(), '--mode', 'asexual,sexual', '--generations', '13', '--epochs', '1'];
    const tiny = [
      '--ancestor-epochs',
      '1',
      '--train-subset',
      '100',
      '--test-subset',
      '50',
      '--seed',
      '6',
      '--out',
      out,
    ];
    // The signal goes to the parent alone (as `kill` would send it): the children hear it through it.
    const parent = spawn(process.execPath, [...NODE_ARGS, ...argv, ...tiny], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const exit = new Promise<number | null>((resolve) => parent.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) =>
      parent.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        // Both are training (their backends are up): stop them now.
        if ((stderr.match(/\] backend /g) ?? []).length === 2) resolve();
      }),
    );
    parent.kill('SIGINT');
    expect(await exit).toBe(130);
    for (const mode of ['asexual', 'sexual']) {
      expect(stderr).toMatch(new RegExp(`^\\[${mode}\\] SIGINT: stopping after the generation in progress`, 'm'));
      const last = Number(new RegExp(`^\\[${mode}\\] stopped after generation (\\d+):`, 'm').exec(stderr)?.[1]);
      const report = JSON.parse(await readFile(path.join(out, mode, 'run.json'), 'utf8')) as RunReport;
      expect(report).toMatchObject({ finished: false, config: { mode } });
      expect(Math.max(...report.records.map((r) => r.generation))).toBe(last);
    }
  });

  // Flags → config is tested in-process (flags.test.ts); here, what the process does with bad input.
  it('explains bad input on stderr and exits with status 2', async () => {
    const usage = await evolve(['--out', path.join(tmpdir(), 'evolab-nodata')]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe(
      'error: say where the dataset files are: --data-dir DIR (e.g. public/data after npm run data) (see npm run evolve -- --help)\n',
    );
    // A known error of the data (or the config) is explained without a stack trace.
    const missingFiles = await evolve([
      '--data-dir',
      tmpdir(),
      '--out',
      path.join(tmpdir(), 'evolab-nodata'),
      '--train-subset',
      '100',
      '--quiet',
    ]);
    expect(missingFiles.code).toBe(2);
    expect(missingFiles.stderr).toMatch(/^error: .*train-images-idx3-ubyte/);
    expect(missingFiles.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('npm run evolve, in-process', () => {
  it('when a write fails mid-run (a full disk, a folder in the way), keeps the last generation’s files and resumes from them', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'evolab-cli-write-'));
    const argv = ['--data-dir', datasetsDir(), '--mode', 'asexual', '--generations', '3', '--epochs', '1'];
    const tiny = [
      '--ancestor-epochs',
      '1',
      '--train-subset',
      '100',
      '--test-subset',
      '50',
      '--seed',
      '8',
      '--threads',
      '1',
    ];
    const lines: string[] = [];
    const io: CliIo = {
      stdout: () => {},
      stderr: (text) => {
        lines.push(text);
        // Generation 2 is done and about to be written: put a folder where its checkpoint goes.
        if (text.startsWith('generation 2 net 0')) mkdirSync(path.join(out, 'checkpoint.json.tmp'));
      },
      isTTY: false,
      cores: 1,
      onSignal: () => () => {},
      exit: () => {},
      now: () => 0,
    };
    expect(await runEvolve([...argv, ...tiny, '--out', out], io)).toBe(2);
    expect(lines.at(-1)).toMatch(
      /^error: could not write .*checkpoint\.json\.tmp \(it is a folder\); the files of the last finished generation are intact: fix this, then continue with --resume /,
    );
    const first = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')) as RunReport;
    expect(first.records.map((r) => r.generation)).toEqual([1]);
    expect(JSON.parse(await readFile(path.join(out, 'checkpoint.json'), 'utf8')).generation).toBe(1);
    rmdirSync(path.join(out, 'checkpoint.json.tmp'));
    expect(await runEvolve(['--resume', out, '--data-dir', datasetsDir(), '--threads', '1', '--quiet'], io)).toBe(0);
    const done = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')) as RunReport;
    expect(done.records.map((r) => r.generation)).toEqual([1, 2, 3]);
    expect(done.finished).toBe(true);
  });
});
