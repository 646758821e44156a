import { describe, expect, it } from 'vitest';
import {
  ATTEMPT_HEADER,
  deriveStatus,
  errorFromLog,
  parseAttempts,
  progressLine,
  secondsLeft,
  statusTable,
  type UnitObservation,
  type UnitStatus,
} from './status';

const base: UnitStatus = {
  kind: 'point',
  id: 'mode=sexual,seed=1',
  dir: 'points/mode=sexual,seed=1',
  settings: { mode: 'sexual', seed: 1 },
  ancestor: 'seed=1',
  work: 1000,
  state: 'waiting',
  attempts: 0,
};
const slurmStart = (arrayJobId: number, at = '2026-01-01T00:00:00Z') =>
  JSON.stringify({
    event: 'start',
    at,
    host: 'node7',
    pid: 42,
    executor: 'slurm',
    slurmJobId: arrayJobId + 3,
    slurmArrayJobId: arrayJobId,
    slurmArrayTaskId: 1,
  });
const end = (exitCode: number | null, signal: string | null = null, at = '2026-01-01T00:01:30Z') =>
  JSON.stringify({ event: 'end', at, exitCode, signal });
const observe = (lines: string[], rest: Partial<UnitObservation> = {}): UnitObservation => ({
  attempts: parseAttempts(lines.join('\n')),
  finished: false,
  log: '',
  active: null,
  ...rest,
});

describe('sweep unit status', () => {
  it('reads attempts, tolerating a torn last line', () => {
    const attempts = parseAttempts(`${slurmStart(7)}\n${end(2)}\n${slurmStart(9)}\n{"event":"en`);
    expect(attempts).toHaveLength(2);
    expect(attempts[0].end).toMatchObject({ exitCode: 2 });
    expect(attempts[1].end).toBeUndefined();
  });

  it('says where a unit ran, how long, and why it ended', () => {
    const finished = deriveStatus(base, observe([slurmStart(7), end(0)], { finished: true }));
    expect(finished).toMatchObject({
      state: 'finished',
      attempts: 1,
      host: 'node7',
      pid: 42,
      slurm: { jobId: 10, arrayJobId: 7, taskId: 1 },
      seconds: 90,
      exitCode: 0,
      exitReason: 'completed',
    });
    const log = `${ATTEMPT_HEADER} x ===\nerror: old problem\n${ATTEMPT_HEADER} y ===\nloading mnist…\nerror: mnist/train-images-idx3-ubyte: file not found\n  (looked in /data)\n`;
    const failed = deriveStatus(base, observe([slurmStart(7), end(2)], { log }));
    expect(failed).toMatchObject({ state: 'failed', exitReason: 'exit code 2' });
    expect(failed.error).toBe('error: mnist/train-images-idx3-ubyte: file not found\n  (looked in /data)');
    expect(deriveStatus(base, observe([slurmStart(7), end(null, 'TERM')]))).toMatchObject({
      state: 'interrupted',
      exitReason: 'stopped by SIGTERM (cancelled, out of time or interrupted)',
    });
    expect(deriveStatus(base, observe([slurmStart(7)])).state).toBe('interrupted');
    expect(deriveStatus(base, observe([slurmStart(7)], { active: 'running' })).state).toBe('running');
    expect(deriveStatus(base, observe([slurmStart(7), end(0)])).exitReason).toBe('stopped before its last generation');
    expect(deriveStatus(base, observe([])).state).toBe('waiting');
  });

  it('tells a unit that never started in its latest submission from one that failed before', () => {
    // Failed in job 7, resubmitted as job 9, which Slurm cancelled before it started.
    expect(deriveStatus(base, observe([slurmStart(7), end(2)], { submittedArrayJob: 9 }))).toMatchObject({
      state: 'cancelled',
      exitReason: 'left the queue without starting',
    });
    const ancestor = {
      ...base,
      kind: 'ancestor' as const,
      id: 'seed=1',
      state: 'failed' as const,
      error: 'error: disk full',
    };
    expect(deriveStatus(base, observe([], { submittedArrayJob: 9 }), ancestor)).toMatchObject({
      state: 'failed',
      error: 'ancestor seed=1 failed: error: disk full',
    });
    expect(deriveStatus(base, observe([slurmStart(9), end(1)], { submittedArrayJob: 9 })).state).toBe('failed');
    expect(deriveStatus(base, observe([], { submittedArrayJob: 9, active: 'queued' })).state).toBe('queued');
  });

  it('estimates the time left from the finished units’ rate', () => {
    const now = Date.parse('2026-01-01T00:10:00Z');
    const units: UnitStatus[] = [
      { ...base, id: 'a', state: 'finished', work: 1000, seconds: 100 },
      { ...base, id: 'b', state: 'running', work: 1000, startedAt: '2026-01-01T00:09:00Z' },
      { ...base, id: 'c', state: 'waiting', work: 2000 },
      { ...base, id: 'd', state: 'failed', work: 5000 },
    ];
    // 0.1 s per image: b has 40 s left, c 200 s; two at a time.
    expect(secondsLeft(units, now, 2)).toBe(120);
    expect(secondsLeft(units.slice(1), now, 2)).toBeNull();
    expect(progressLine(units, now, 2)).toBe('points 1/4 done · running 1 · failed 1 · ~2m 00s left');
    expect(progressLine([units[0]], now, 2)).toBe('points 1/1 done · running 0 · all ended');
  });

  it('tabulates every unit for --status', () => {
    const table = statusTable([
      deriveStatus(base, observe([slurmStart(7), end(0)], { finished: true })),
      { ...base, id: 'seed=2', kind: 'ancestor', state: 'waiting' },
    ]).split('\n');
    expect(table[0]).toMatch(/^unit\s+state\s+where\s+time\s+exit$/);
    expect(table[1]).toMatch(/^mode=sexual,seed=1\s+finished\s+node7 job 7_1 \(id 10\)\s+1m 30s\s+completed$/);
    expect(table[2]).toMatch(/^ancestor seed=2\s+waiting$/);
  });

  it('keeps the last attempt’s last lines when the log has no error line', () => {
    expect(errorFromLog('a\nb\nc\nd\n')).toBe('b\nc\nd');
  });
});
