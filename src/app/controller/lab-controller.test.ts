/**
 * The lab controller's own duties, with fakes and fake timers: the setup from and to the
 * address, settings fixed once runs have results, notices, and reset.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { labHarness, MNIST_SERVED } from '../../testing/lab-harness';
import { ancestorKey, checkpointKey } from '../../worker/protocol';
import { setupToQuery } from '../url';
import { ADDRESS_DELAY_MS } from './address';
import { setupLocked } from './lab-controller';
import { FLUSH_MS } from './run-workers';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('lab controller', () => {
  it('takes the setup from the address, names what it could not read, and writes the address back', async () => {
    const h = labHarness({ search: '?rho=0.3&seed=many' });
    expect(h.state().restoring).toBe(true);
    await h.lab.initLab();
    expect(h.state().restoring).toBe(false);
    expect(h.state().setup.rho).toBe(0.3);
    expect(h.notices()).toHaveLength(1);
    expect(h.notices()[0]).toMatch(/^error: In the link: .*seed/);
    expect(h.history.replaceState).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(ADDRESS_DELAY_MS);
    expect(h.history.replaceState).toHaveBeenCalledTimes(1);
    expect(h.location.search).toBe(`?${setupToQuery(h.state().setup)}`);
    expect(h.location.search).not.toContain('seed');
  });

  it('rewrites the address once the setup rests, and only when it changed', async () => {
    const h = labHarness();
    await h.lab.initLab();
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.history.replaceState).not.toHaveBeenCalled(); // the defaults: an empty query, as it was
    h.lab.updateSetup((s) => ({ ...s, rho: 0.4 }));
    await vi.advanceTimersByTimeAsync(ADDRESS_DELAY_MS - 1);
    h.lab.updateSetup((s) => ({ ...s, rho: 0.5 }));
    await vi.advanceTimersByTimeAsync(ADDRESS_DELAY_MS);
    expect(h.history.replaceState).toHaveBeenCalledTimes(1);
    expect(new URLSearchParams(h.location.search).get('rho')).toBe('0.5');
    h.lab.updateSetup((s) => s);
    await vi.advanceTimersByTimeAsync(ADDRESS_DELAY_MS);
    expect(h.history.replaceState).toHaveBeenCalledTimes(1);
  });

  it('keeps presenter mode in the address (?present=1) and turns it on and off', async () => {
    const h = labHarness({ search: '?rho=0.3&present=1' });
    await h.lab.initLab();
    expect(h.state().view.present).toBe(true);
    await vi.advanceTimersByTimeAsync(ADDRESS_DELAY_MS);
    expect(new URLSearchParams(h.location.search).get('present')).toBe('1');
    expect(new URLSearchParams(h.location.search).get('rho')).toBe('0.3');
    h.lab.setPresenting(false);
    await vi.advanceTimersByTimeAsync(ADDRESS_DELAY_MS);
    expect(h.state().view.present).toBe(false);
    expect(h.location.search).toBe('?rho=0.3');
  });

  it('keeps the settings that define the ancestor once runs exist, and says so', async () => {
    const h = labHarness();
    expect(setupLocked(h.state())).toBe(false);
    h.lab.startComparison();
    await vi.advanceTimersByTimeAsync(0);
    expect(setupLocked(h.state())).toBe(true);
    const { seed } = h.state().setup;
    h.lab.updateSetup((s) => ({ ...s, seed: seed + 1, dataset: 'cifar10', rho: 0.2 }));
    expect(h.state().setup).toMatchObject({ seed, dataset: 'mnist', rho: 0.2 });
    expect(h.notices()).toEqual([
      'info: Dataset and Seed cannot change once runs have results; press Reset to start a new comparison',
    ]);
  });

  it('forgets the dropped files and checks the new dataset when the dataset changes', async () => {
    const h = labHarness();
    const dropped = new File(['x'], 'train-images-idx3-ubyte.gz');
    h.store.setState((s) => ({
      data: { ...s.data, dropped: [dropped], checks: [{ name: 'x', ok: true, message: '' }] },
    }));
    h.lab.updateSetup((s) => ({ ...s, dataset: 'cifar10' }));
    expect(h.state().data).toMatchObject({ dropped: [], checks: [], served: 'checking' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.state().data.served).toBe('missing');
    expect(h.state().data.notServed).toContain('data_batch_1.bin.gz');
    expect(h.fetch.mock.calls.map((c) => c[0])).toContain('/ancestors/cifar10.json');
  });

  it('shows one notice per text, newest last, until dismissed', () => {
    const h = labHarness();
    h.lab.notify('error', 'a');
    h.lab.notify('info', 'b');
    h.lab.notify('error', 'a');
    expect(h.notices()).toEqual(['info: b', 'error: a']);
    h.lab.dismissNotice(h.state().notices[0].id);
    expect(h.notices()).toEqual(['error: a']);
  });

  it('reset ends every Worker, deletes the session, its ancestor and its checkpoints, and keeps the setup', async () => {
    const h = labHarness({ site: MNIST_SERVED });
    await h.lab.initLab();
    h.lab.updateSetup((s) => ({ ...s, rho: 0.4 }));
    h.lab.startComparison();
    await vi.advanceTimersByTimeAsync(1000);
    const [a, b] = h.workers;
    // What the Workers would have stored, and another session's checkpoint.
    for (const key of [ancestorKey('session1'), checkpointKey('session1-0'), checkpointKey('other-0')])
      await h.storage.put('checkpoints', key, {});
    expect(h.storage.keys('sessions')).toEqual(['session1']);
    expect(h.location.search).toContain('session=session1');

    await h.lab.resetLab();
    expect([a.terminated, b.terminated]).toEqual([true, true]);
    expect(h.storage.keys('sessions')).toEqual([]);
    expect(h.storage.keys('checkpoints')).toEqual([checkpointKey('other-0')]);
    expect(h.state()).toMatchObject({ sessionId: null, runs: [], ancestorStored: false });
    expect(h.state().setup.rho).toBe(0.4);
    await vi.advanceTimersByTimeAsync(ADDRESS_DELAY_MS);
    expect(h.location.search).toBe('?rho=0.4');
    // What the ended Workers still send changes nothing.
    const before = h.updates();
    a.emit({ type: 'stage', stage: 'data', message: 'late' });
    await vi.advanceTimersByTimeAsync(FLUSH_MS * 2);
    expect(h.updates()).toBe(before);
  });

  it('says when the saved runs cannot be deleted', async () => {
    const h = labHarness();
    h.lab.startComparison();
    await vi.advanceTimersByTimeAsync(1000);
    h.storage.failure = new Error('the database is blocked');
    await h.lab.resetLab();
    expect(h.notices()).toEqual(['error: Could not delete the saved runs: the database is blocked']);
  });
});
