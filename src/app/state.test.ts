import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../experiment/config';
import type { NetworkRecord, RunReport } from '../experiment/records';
import type { ProgressEvent, WorkerEvent } from '../worker/protocol';
import { newRun, planAncestors, reduceRun, restoreRun, toStored } from './state';

const config = resolveConfig({ mode: 'sexual', generations: 3, epochsPerGeneration: 1, ancestorEpochs: 1 });
const record = (generation: number, individual: number): NetworkRecord =>
  ({ generation, individual, testAccuracy: 0.5, parents: [] }) as unknown as NetworkRecord;
const progress = (p: Partial<ProgressEvent>): WorkerEvent => ({
  type: 'run',
  event: {
    type: 'progress',
    generation: 2,
    generations: 3,
    individual: 0,
    population: 2,
    phase: 'train',
    epoch: 1,
    epochs: 1,
    batch: 1,
    batches: 10,
    loss: 2,
    ...p,
  },
  losses: [{ x: 0.1, loss: 2 }],
});

describe('run reducer', () => {
  it('keeps how auto chose, and a stopping run stays stopping when a new runner takes over', () => {
    let run = newRun('r', { mode: 'sexual' }, 'sexual', '#00f', config);
    const selection = { how: 'measured' as const, chosen: 'wasm', timings: [], summary: 'wasm 2,400 img/s → wasm' };
    run = reduceRun(
      run,
      { type: 'backend', backend: 'wasm', reason: 'r', tried: [], preference: 'auto', selection },
      0,
    );
    expect(run.backend).toEqual({ backend: 'wasm', reason: 'r', tried: [], selection });
    run = { ...run, status: 'stopping' };
    const started: WorkerEvent = {
      type: 'run',
      event: { type: 'started', config, environment: { backend: 'wasm' } as never, fromGeneration: 3 },
    };
    expect(reduceRun(run, started, 0).status).toBe('stopping');
    expect(reduceRun({ ...run, status: 'starting' }, started, 0).status).toBe('running');
  });

  it('follows a run from start to finish', () => {
    let run = newRun('r', { mode: 'sexual' }, 'sexual', '#00f', config);
    run = reduceRun(run, { type: 'stage', stage: 'backend', message: 'Starting' }, 0);
    expect(run.status).toBe('starting');
    run = reduceRun(run, { type: 'backend', backend: 'wasm', reason: 'why', tried: [], preference: 'auto' }, 0);
    run = reduceRun(
      run,
      { type: 'run', event: { type: 'started', config, environment: { backend: 'wasm' } as never, fromGeneration: 1 } },
      0,
    );
    expect(run.status).toBe('running');
    run = reduceRun(run, { type: 'run', event: { type: 'generation', generation: 1, records: [record(1, 0)] } }, 0);
    run = reduceRun(run, progress({ batch: 1 }), 1000);
    run = reduceRun(run, progress({ batch: 5 }), 5000);
    expect(run.loss.points).toHaveLength(2);
    expect(run.etaSeconds).not.toBeNull();
    // A new network starts a new loss line.
    run = reduceRun(run, progress({ individual: 1, batch: 1 }), 6000);
    expect(run.loss.key).toBe('2/1');
    expect(run.loss.points).toHaveLength(1);
    run = reduceRun(
      run,
      {
        type: 'run',
        event: {
          type: 'config-changed',
          generation: 3,
          config,
          changed: ['synthesis.budget.rho'],
          from: { 'synthesis.budget.rho': 0.7 },
          to: { 'synthesis.budget.rho': 0.5 },
        },
      },
      0,
    );
    // Kept with the values before and after (the exports rebuild the starting configuration from them).
    expect(run.configChanges).toEqual([
      {
        generation: 3,
        changed: ['synthesis.budget.rho'],
        from: { 'synthesis.budget.rho': 0.7 },
        to: { 'synthesis.budget.rho': 0.5 },
      },
    ]);
    const report = {
      config,
      records: [record(1, 0), record(2, 0), record(2, 1)],
      configChanges: run.configChanges,
      ancestor: { synapses: 1, kernels: 1 },
      environment: {},
    } as unknown as RunReport;
    run = reduceRun(run, { type: 'checkpoint', generation: 2, report, stored: true }, 0);
    expect(run.records.map((r) => `${r.generation}/${r.individual}`)).toEqual(['1/0', '2/0', '2/1']);
    expect(run.storedGeneration).toBe(2);
    run = reduceRun(run, { type: 'done', report: { ...report, finished: true } }, 0);
    expect(run.status).toBe('completed');
  });

  it('restores a run that was going as interrupted, with its saved generations', () => {
    const run = {
      ...newRun('r', { mode: 'asexual' }, 'asexual', '#f00', config),
      status: 'running' as const,
      records: [record(1, 0), record(2, 0)],
    };
    const back = restoreRun(toStored(run));
    expect(back.status).toBe('interrupted');
    expect(back.savedGeneration).toBe(2);
    expect(back.progress).toBeNull();
  });

  it('records an error', () => {
    const run = reduceRun(
      newRun('r', { mode: 'asexual' }, 'a', '#f00', config),
      { type: 'error', kind: 'dataset', message: 'broken' },
      0,
    );
    expect([run.status, run.error]).toEqual(['error', 'broken']);
  });
});

describe('where each run gets its ancestor', () => {
  const runs = [
    { id: 'a', storedGeneration: 0 },
    { id: 'b', storedGeneration: 0 },
    { id: 'c', storedGeneration: 0 },
  ];
  it('has the first run train it and the others wait for it', () => {
    const plan = planAncestors(runs, { sessionId: 's', ancestorStored: false, shippedUrl: null });
    expect(plan.get('a')).toEqual({ kind: 'train', storeAs: 'ancestor:s' });
    expect(plan.get('b')).toEqual({ kind: 'wait' });
    expect(plan.get('c')).toEqual({ kind: 'wait' });
  });
  it('uses the shipped ancestor for every run', () => {
    const plan = planAncestors(runs, {
      sessionId: 's',
      ancestorStored: false,
      shippedUrl: 'http://x/ancestors/mnist.json',
    });
    expect([...plan.values()].every((s) => s.kind === 'url')).toBe(true);
  });
  it('resumes from a run’s own checkpoint, else from the stored ancestor', () => {
    const plan = planAncestors(
      [
        { id: 'a', storedGeneration: 3 },
        { id: 'b', storedGeneration: 0 },
      ],
      { sessionId: 's', ancestorStored: true, shippedUrl: null },
    );
    expect(plan.get('a')).toEqual({ kind: 'stored', key: 'checkpoint:a' });
    expect(plan.get('b')).toEqual({ kind: 'stored', key: 'ancestor:s' });
  });
});
