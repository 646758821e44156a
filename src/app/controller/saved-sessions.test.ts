/** The Saved sessions list over fake storage: listing, sizes, rename, delete, open and replay. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { savedSession } from '../../testing/bad-artefacts';
import { labHarness } from '../../testing/lab-harness';
import { checkpointKey, genomesKey } from '../../worker/protocol';
import { sessionToStore } from '../stored-session';
import { approximateBytes } from './saved-sessions';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

async function withSessions() {
  const h = labHarness({ estimateStorage: async () => ({ usage: 2_500_000, quota: 1e9 }) });
  const older = { ...savedSession('older'), savedAt: '2026-01-01T00:00:00.000Z' };
  const newer = { ...savedSession('newer', 1), savedAt: '2026-03-01T00:00:00.000Z', name: 'Lesson 2' };
  await h.storage.put('sessions', 'older', sessionToStore(older));
  await h.storage.put('sessions', 'newer', sessionToStore(newer));
  await h.storage.put('sessions', 'damaged', { setup: { dataset: 'mnist' }, runs: 'oops', savedAt: '2026-02-01' });
  await h.storage.put('checkpoints', checkpointKey('older-0'), { weights: new Float32Array(250_000) });
  // Each generation's networks, kept for export; another run's stay when this one goes.
  for (const key of [genomesKey('older-0', 1), genomesKey('older-1', 2), genomesKey('newer-0', 1)])
    await h.storage.put('checkpoints', key, { packed: 'genomes' });
  await h.lab.initLab();
  await vi.advanceTimersByTimeAsync(0);
  return h;
}

describe('the Saved sessions list', () => {
  it('lists every stored session newest first, with dataset, generations, size, a damaged one’s problem, and the storage used', async () => {
    const h = await withSessions();
    const { saved } = h.state();
    expect(saved.status).toBe('ready');
    expect(saved.usage).toEqual({ used: 2_500_000, quota: 1e9 });
    expect(saved.sessions.map((s) => [s.id, s.name, s.dataset, s.generations])).toEqual([
      ['newer', 'Lesson 2', 'mnist', 2],
      ['damaged', null, 'mnist', 0],
      ['older', null, 'mnist', 2],
    ]);
    expect(saved.sessions[1].problem).toMatch(/^the saved session damaged: runs must be a list/);
    // The checkpoint (a million bytes of weights) counts in its session's size.
    const older = saved.sessions[2].bytes!;
    expect(older).toBeGreaterThan(1_000_000);
    expect(saved.sessions[0].bytes!).toBeLessThan(older - 1_000_000 + 1);
  });

  it('renames a session in storage (and an empty name takes it away)', async () => {
    const h = await withSessions();
    expect(await h.lab.renameSession('older', '  Lesson 1  ')).toBe(true);
    expect(h.storage.stores.sessions.get('older')).toMatchObject({ name: 'Lesson 1' });
    expect(h.state().saved.sessions.find((s) => s.id === 'older')!.name).toBe('Lesson 1');
    await h.lab.renameSession('older', '');
    expect(h.storage.stores.sessions.get('older')).not.toHaveProperty('name');
    expect(await h.lab.renameSession('damaged', 'x')).toBe(false);
    expect(h.notices().at(-1)).toMatch(/^error: Could not rename the saved session damaged: /);
  });

  it('deletes sessions with their checkpoints, and those older than a date', async () => {
    const h = await withSessions();
    expect(h.lab.sessionsOlderThan('2026-02-15T00:00:00.000Z')).toEqual(['damaged', 'older']);
    await h.lab.deleteSessions(['older']);
    expect(h.storage.keys('sessions').sort()).toEqual(['damaged', 'newer']);
    expect(h.storage.keys('checkpoints')).toEqual([genomesKey('newer-0', 1)]);
    expect(h.state().saved.sessions.map((s) => s.id)).toEqual(['newer', 'damaged']);
    expect(h.notices().at(-1)).toBe('info: One saved session was deleted.');
    await h.lab.deleteSessions(['newer', 'damaged']);
    expect(h.storage.keys('sessions')).toEqual([]);
    expect(h.storage.keys('checkpoints')).toEqual([]);
    expect(h.notices().at(-1)).toBe('info: 2 saved sessions were deleted.');
  });

  it('opens a session to resume it, and replays another without losing the page’s own', async () => {
    const h = await withSessions();
    await h.lab.openSession('older');
    expect(h.state()).toMatchObject({ sessionId: 'older', replay: null });
    expect(h.state().runs.map((r) => r.status)).toEqual(['completed', 'completed']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.location.search).toMatch(/session=older/);
    await h.lab.replaySession('newer');
    expect(h.state().replay).toMatchObject({ title: 'Lesson 2', origin: { kind: 'session', id: 'newer' } });
    expect(h.state().sessionId).toBeNull();
    // Deleting the session under the replay closes the replay, then deletes it.
    h.lab.closeReplay();
    expect(h.state().sessionId).toBe('older');
    await h.lab.deleteSessions(['older']);
    expect(h.state()).toMatchObject({ sessionId: null, runs: [] });
    expect(h.storage.keys('sessions').sort()).toEqual(['damaged', 'newer']);
  });

  it('keeps the page’s own session’s new name as it saves', async () => {
    const h = await withSessions();
    await h.lab.openSession('older');
    await h.lab.renameSession('older', 'Friday');
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.storage.stores.sessions.get('older')).toMatchObject({ name: 'Friday' });
    expect(h.state().sessionName).toBe('Friday');
  });

  it('lists the page’s own session again while shown, as it saves a new generation', async () => {
    const h = await withSessions();
    await h.lab.openSession('older');
    h.lab.showPanel('saved');
    await vi.advanceTimersByTimeAsync(0);
    const row = () => h.state().saved.sessions.find((s) => s.id === 'older')!;
    expect(row().generations).toBe(2);
    // A third generation arrives and is saved; nobody opens the panel again.
    const record = { ...h.state().runs[0].records.at(-1)!, generation: 3 };
    h.store.setState((s) => ({
      runs: s.runs.map((r, i) => (i === 0 ? { ...r, records: [...r.records, record] } : r)),
    }));
    // (Renaming the page's own session is one way to have it saved.)
    await h.lab.renameSession('older', 'Friday');
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.state().runs[0].savedGeneration).toBe(3);
    expect(row().generations).toBe(3);
    // With the panel closed, saving does not read the list again.
    h.lab.showPanel(null);
    const entries = vi.spyOn(h.storage, 'entries');
    h.store.setState((s) => ({
      runs: s.runs.map((r, i) => (i === 0 ? { ...r, records: [...r.records, { ...record, generation: 4 }] } : r)),
    }));
    await h.lab.renameSession('older', 'Saturday');
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.state().runs[0].savedGeneration).toBe(4);
    expect(entries).not.toHaveBeenCalled();
  });

  it('says when the storage cannot be read', async () => {
    const h = labHarness();
    await h.lab.initLab();
    h.storage.failure = new Error('IndexedDB is blocked');
    await h.lab.refreshSessions();
    expect(h.state().saved).toMatchObject({
      status: 'failed',
      error: 'Could not read the saved sessions from IndexedDB: IndexedDB is blocked',
    });
  });

  it('measures typed arrays by their bytes', () => {
    expect(approximateBytes({ w: new Float32Array(1000) })).toBeGreaterThanOrEqual(4000);
    expect(approximateBytes({ w: new Float32Array(1000) })).toBeLessThan(4100);
  });
});
