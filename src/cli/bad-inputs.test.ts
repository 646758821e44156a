/**
 * The bad-input corpus (src/testing/bad-inputs.ts), generated into a temporary folder: every case
 * runs `npm run evolve` in-process and must end with exit status 2 and one line on stderr that
 * says what was wrong (the kind of message each case names) and points at --help, without a
 * stack trace, leaving every other file as it was. `npm run report` gets damaged run.json files.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliCorpus, reportCorpus, snapshot } from '../testing/bad-inputs';
import { datasetsDir } from '../testing/data';
import type { CliIo } from './cli-io';
import { evolve } from './evolve';
import { writeReport } from './report';

const root = await mkdtemp(path.join(tmpdir(), 'evolab-bad-inputs-'));
const cases = await cliCorpus(root, datasetsDir());
const reports = await reportCorpus(root);
afterAll(() => rm(root, { recursive: true, force: true }));

function testIo() {
  const stderr: string[] = [];
  const stdout: string[] = [];
  const io: CliIo = {
    stdout: (t) => void stdout.push(t),
    stderr: (t) => void stderr.push(t),
    isTTY: false,
    cores: 2,
    onSignal: () => () => {},
    exit: (code) => {
      throw new Error(`exit(${code}) called`);
    },
    now: () => 0,
  };
  return { io, stderr, stdout };
}

describe('npm run evolve refuses bad input with one clear line and exit status 2', () => {
  it('has a corpus of at least 60 bad inputs across every kind of input', () => {
    expect([...new Set(cases.map((c) => c.group))].sort()).toEqual([
      'checkpoints',
      'configs',
      'datasets',
      'flags',
      'outdir',
    ]);
    expect(cases.length + reports.length).toBeGreaterThanOrEqual(60);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [`${c.group}: ${c.name}`, c] as const))('%s', async (_, c) => {
    const before = await Promise.all(c.unchanged.map(snapshot));
    const { io, stderr, stdout } = testIo();
    const code = await evolve(c.argv, io);
    const text = stderr.join('');
    expect(text).toMatch(c.message);
    expect(text).toMatch(/^error: [^\n]+ \(see npm run evolve -- --help\)\n$/);
    expect(text).not.toMatch(/\n\s+at /);
    expect(code).toBe(2);
    expect(stdout).toEqual([]);
    expect(await Promise.all(c.unchanged.map(snapshot))).toEqual(before);
    for (const p of c.absent) expect(await snapshot(p)).toEqual({ [p]: 'absent' });
  });
});

describe('npm run report refuses a damaged run.json, naming the file and the field', () => {
  it.each(reports.map((r) => [r.name, r] as const))('%s', async (_, r) => {
    const err = await writeReport(r.dir, path.join(r.dir, 'docs'), path.join(r.dir, 'public')).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(r.message);
    expect(await snapshot(path.join(r.dir, 'docs'))).toEqual({ [path.join(r.dir, 'docs')]: 'absent' });
  });
});
