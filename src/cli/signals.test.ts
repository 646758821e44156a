/**
 * Ctrl-C under the real npm script, 20 times at moments drawn from a seeded generator over the
 * length of a tiny run: each run either finished, or stopped after a finished generation, and
 * left files (checkpoint.json never behind run.json and generations.csv) that resume to the same
 * records as an uninterrupted run. The signal goes to the process group, as a terminal sends it.
 * The moments are random; what is checked does not depend on when they fall.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../evolution';
import { parseCheckpoint, parseRunReport } from '../experiment/artefacts';
import type { NetworkRecord } from '../experiment/records';
import { datasetsDir } from '../testing/data';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TRIALS = 20;
/** Two trials at a time: the machine's two cores, each run on one thread. */
const PARALLEL = 2;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  ms: number;
}

/** When to press Ctrl-C: `ms` after the start, or after the first stderr line that matches `after`. */
interface Moment {
  ms: number;
  after?: RegExp;
}

/** Runs a command; `mark` is when (ms after the start) its first stderr line matching `mark` came. */
function run(
  command: string,
  args: string[],
  moment?: Moment,
  mark = /^backend /m,
): Promise<Exit & { markMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // Its own process group, so that the signal reaches npm, the shell and node as Ctrl-C does.
    const child = spawn(command, args, { cwd: ROOT, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let markMs = NaN;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const press = () =>
      (timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGINT');
        } catch {
          /* it has already finished */
        }
      }, moment!.ms));
    if (moment && !moment.after) press();
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (Number.isNaN(markMs) && mark.test(stderr)) markMs = performance.now() - started;
      if (moment?.after && !timer && moment.after.test(stderr)) press();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, ms: performance.now() - started, markMs });
    });
  });
}

let root: string;
let data: string;
const args = (out: string) => [
  '--data-dir',
  data,
  '--mode',
  'sexual',
  '--generations',
  '3',
  '--epochs',
  '1',
  '--ancestor-epochs',
  '1',
  '--train-subset',
  '100',
  '--test-subset',
  '100',
  '--seed',
  '7',
  '--threads',
  '1',
  '--out',
  out,
];
const npmEvolve = (out: string) => ['run', 'evolve', '--silent', '--', ...args(out)];
const node = (argv: string[]): [string, string[]] => [
  process.execPath,
  ['--import', 'tsx', 'src/cli/evolve.ts', ...argv],
];

/** A record without what depends on the machine's speed. */
const numbers = ({ trainSeconds: _t, imagesPerSecond: _i, inferenceImagesPerSecond: _s, ...r }: NetworkRecord) => r;

async function report(dir: string) {
  const file = path.join(dir, 'run.json');
  return parseRunReport(JSON.parse(await readFile(file, 'utf8')), { name: file });
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'evolab-signals-'));
  // Plain IDX files: every process then reads them without gunzipping 10 MB.
  data = path.join(root, 'data');
  await mkdir(path.join(data, 'mnist'), { recursive: true });
  const source = path.join(datasetsDir(), 'mnist');
  for (const f of await readdir(source))
    if (f.endsWith('.gz'))
      await writeFile(path.join(data, 'mnist', f.slice(0, -3)), gunzipSync(await readFile(path.join(source, f))));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('Ctrl-C under npm run evolve', () => {
  it(`at ${TRIALS} random moments: every run finished its generation, and resumes to the uninterrupted records`, async () => {
    const started = performance.now();
    const reference = await run(...node(args(path.join(root, 'reference'))));
    expect(reference.code, reference.stderr).toBe(0);
    const expected = (await report(path.join(root, 'reference'))).records.map(numbers);
    expect(expected.map((r) => r.generation)).toEqual([1, 2, 2, 3, 3]);

    const rng = new Rng(20261206);
    // A few moments anywhere from the start (npm, loading, the backend); most while it trains and
    // writes, from the line that says training starts to a little after the reference ended.
    const training = reference.ms - reference.markMs;
    expect(training).toBeGreaterThan(0);
    const moments: Moment[] = Array.from({ length: TRIALS }, (_, i) =>
      i % 5 === 0
        ? { ms: Math.round(rng.next() * reference.markMs * 1.5) }
        : { ms: Math.round(rng.next() * training * 1.1), after: /^backend /m },
    );
    const when = (m: Moment) => `${m.ms} ms after ${m.after ? 'training began' : 'the start'}`;
    const outcomes: string[] = [];
    const trial = async (i: number) => {
      const out = path.join(root, `trial${i}`);
      const r = await run('npm', npmEvolve(out), moments[i]);
      const at = when(moments[i]);
      const heard = /SIGINT: stopping after the generation in progress/.test(r.stderr);
      // npm, which also got the signal, ends itself by it once node has exited; node's own end is
      // told by its last line: never killed, never quitting without finishing a generation.
      expect(r.stderr).not.toMatch(/quitting|error:|already stopping/);
      if (!r.stderr.trim()) {
        // The signal came while npm was starting, before node ran: nothing was done.
        expect(r.signal).toBe('SIGINT');
        expect(existsSync(out) ? await readdir(out) : []).toEqual([]);
        outcomes.push(`${at}: stopped npm before node started`);
        return;
      }
      if (/\ndone: /.test(r.stderr)) {
        // Finished before the signal, or during the last generation, which it then finished.
        expect((await report(out)).records.map(numbers)).toEqual(expected);
        outcomes.push(`${at}: finished ${heard ? 'the last generation' : 'before the signal'}`);
        return;
      }
      expect(heard, r.stderr).toBe(true);
      expect(r.stderr).toMatch(/\nstopped (after generation \d+|before training)/);
      if (!existsSync(path.join(out, 'checkpoint.json'))) {
        // Stopped before the first generation: nothing written, nothing to lose.
        expect(r.stderr).toMatch(/stopped before training: nothing was written/);
        expect(existsSync(out) ? await readdir(out) : []).toEqual([]);
        outcomes.push(`${at}: stopped before training`);
        return;
      }
      const file = path.join(out, 'checkpoint.json');
      const checkpoint = parseCheckpoint(JSON.parse(await readFile(file, 'utf8')), { name: file });
      const partial = await report(out);
      const csvRows = (await readFile(path.join(out, 'generations.csv'), 'utf8')).trim().split('\n').length - 1;
      expect(Math.max(...partial.records.map((x) => x.generation))).toBe(checkpoint.generation);
      expect(csvRows).toBe(partial.records.length);
      expect(r.stderr).toMatch(new RegExp(`stopped after generation ${checkpoint.generation}:`));
      const resumed = await run(...node(['--resume', out, '--data-dir', data, '--threads', '1', '--quiet']));
      expect(resumed.code, resumed.stderr).toBe(0);
      expect((await report(out)).records.map(numbers)).toEqual(expected);
      outcomes.push(`${at}: stopped after generation ${checkpoint.generation}, resumed`);
    };
    for (let i = 0; i < TRIALS; i += PARALLEL)
      await Promise.all(Array.from({ length: Math.min(PARALLEL, TRIALS - i) }, (_, k) => trial(i + k)));
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    console.log(
      `${TRIALS} Ctrl-C trials in ${seconds} s (reference run ${(reference.ms / 1000).toFixed(1)} s):\n  ${outcomes.join('\n  ')}`,
    );
    expect(outcomes).toHaveLength(TRIALS);
  }, 900_000);
});
