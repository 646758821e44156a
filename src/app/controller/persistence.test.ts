/** A saved session read back after a reload, through the lab controller with fake storage. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NetworkRecord } from '../../experiment/records';
import { labHarness } from '../../testing/lab-harness';
import { networkRecord } from '../../testing/records';
import { configFor, defaultSetup } from '../setup';
import { newRun, toStored, type StoredSession } from '../state';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function savedSession(): StoredSession {
  const setup = { ...defaultSetup(), rho: 0.35 };
  const run = (i: number, status: 'running' | 'completed', generations: number) => ({
    ...toStored(newRun(`s-${i}`, setup.runs[i], `run ${i}`, '#000', configFor(setup, setup.runs[i]))),
    status,
    storedGeneration: generations,
    savedGeneration: 1,
    records: Array.from({ length: generations }, (_, g): NetworkRecord => networkRecord({ generation: g + 1 })),
  });
  return { id: 's', setup, runs: [run(0, 'running', 2), run(1, 'completed', 3)], ancestorStored: true, savedAt: '' };
}

describe('saved sessions', () => {
  it('reads back the session the link names: runs that were going are interrupted, with every saved generation', async () => {
    const h = labHarness({ search: '?session=s' });
    await h.storage.put('sessions', 's', savedSession());
    await h.lab.initLab();
    const { runs, setup, sessionId, ancestorStored } = h.state();
    expect({ sessionId, ancestorStored, rho: setup.rho }).toEqual({ sessionId: 's', ancestorStored: true, rho: 0.35 });
    expect(runs.map((r) => [r.status, r.savedGeneration])).toEqual([
      ['interrupted', 2],
      ['completed', 3],
    ]);
    expect(h.notices()).toEqual([
      'info: The page was reloaded during a run: every finished generation is kept. Press Resume to continue.',
    ]);
    // Resume starts the interrupted run from its own checkpoint, and leaves the completed one.
    h.lab.resumeComparison();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.workers.map((w) => w.sent('start')[0].ancestor)).toEqual([{ kind: 'stored', key: 'checkpoint:s-0' }]);
  });

  it('loads only the setup of a session this browser does not have', async () => {
    const h = labHarness({ search: '?rho=0.25&session=gone' });
    await h.lab.initLab();
    expect(h.state()).toMatchObject({ sessionId: null, runs: [], restoring: false });
    expect(h.state().setup.rho).toBe(0.25);
    expect(h.notices()).toEqual([
      'info: This link names a saved session that is not in this browser; its setup is loaded, without results.',
    ]);
  });

  it('says when the saved runs cannot be read', async () => {
    const h = labHarness({ search: '?session=s' });
    h.storage.failure = new Error('IndexedDB is blocked by another tab of EvoLab; close it and reload');
    await h.lab.initLab();
    expect(h.state().restoring).toBe(false);
    expect(h.notices()).toEqual([
      'error: Could not read saved runs from IndexedDB: IndexedDB is blocked by another tab of EvoLab; close it and reload',
    ]);
  });
});
