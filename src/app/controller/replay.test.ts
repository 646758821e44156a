/** Instant replay through the lab controller: files and recorded runs, played on fake timers. */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { labHarness, type LabHarness } from '../../testing/lab-harness';
import { DEFAULT_REPLAY_SPEED } from '../replay';

const RECORDED = new URL('../../../public/recorded/', import.meta.url);
const text = (file: string) => readFileSync(new URL(file, RECORDED), 'utf8');
const ASEXUAL = text('mnist-10pct-defaults-seed1/asexual.json');
const SEXUAL = text('mnist-10pct-defaults-seed1/sexual.json');
const INDEX = text('index.json');
const SITE = {
  '/recorded/index.json': { body: INDEX, type: 'application/json' },
  '/recorded/mnist-10pct-defaults-seed1/asexual.json': { body: ASEXUAL, type: 'application/json' },
  '/recorded/mnist-10pct-defaults-seed1/sexual.json': { body: SEXUAL, type: 'application/json' },
};

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const file = (name: string, body: string) => new File([body], name, { type: 'application/json' });
const shown = (h: LabHarness) => h.state().runs.map((r) => Math.max(...r.records.map((x) => x.generation)));
const statuses = (h: LabHarness) => h.state().runs.map((r) => r.status);

describe('instant replay', () => {
  it('plays two run.json files side by side, one generation per tick, and stops at the last with the runs completed', async () => {
    const h = labHarness();
    await h.lab.initLab();
    expect(await h.lab.openRunFiles([file('asexual.json', ASEXUAL), file('sexual.json', SEXUAL)])).toBe(true);
    const r = h.state().replay!;
    expect({ first: r.first, last: r.last, generation: r.generation, playing: r.playing, speed: r.speed }).toEqual({
      first: 1,
      last: 13,
      generation: 1,
      playing: true,
      speed: DEFAULT_REPLAY_SPEED,
    });
    expect(h.state().runs.map((x) => x.label)).toEqual(['asexual', 'sexual']);
    expect(h.state().setup.runs.map((v) => v.mode)).toEqual(['asexual', 'sexual']);
    expect(shown(h)).toEqual([1, 1]);
    expect(statuses(h)).toEqual(['running', 'running']);
    // One generation every 1/speed seconds: not before.
    await vi.advanceTimersByTimeAsync(1000 / DEFAULT_REPLAY_SPEED - 1);
    expect(shown(h)).toEqual([1, 1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(shown(h)).toEqual([2, 2]);
    await vi.advanceTimersByTimeAsync((11 * 1000) / DEFAULT_REPLAY_SPEED);
    expect(shown(h)).toEqual([13, 13]);
    expect(h.state().replay!.playing).toBe(false);
    expect(statuses(h)).toEqual(['completed', 'completed']);
    // Nothing is saved and no Worker started.
    expect(h.workers).toEqual([]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.storage.keys('sessions')).toEqual([]);
  });

  it('seeks, pauses, changes speed, and closes back to the page as it was', async () => {
    const h = labHarness({ search: '?rho=0.4' });
    await h.lab.initLab();
    await h.lab.openRunFiles([file('a.json', ASEXUAL)]);
    h.lab.replayPause();
    h.lab.replaySeek(7);
    expect(shown(h)).toEqual([7]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(shown(h)).toEqual([7]); // paused
    h.lab.replaySeek(99);
    expect(h.state().replay!.generation).toBe(13);
    h.lab.replaySeek(0);
    expect(h.state().replay!.generation).toBe(1);
    h.lab.replaySpeed(8);
    h.lab.replayPlay();
    await vi.advanceTimersByTimeAsync(125);
    expect(shown(h)).toEqual([2]);
    // The setup form is the replay's: editing it is refused with a message.
    h.lab.updateSetup((s) => ({ ...s, rho: 0.2 }));
    expect(h.notices().at(-1)).toMatch(/close the replay to change them/);
    h.lab.startComparison();
    expect(h.workers).toEqual([]);
    h.lab.closeReplay();
    expect(h.state()).toMatchObject({ replay: null, runs: [] });
    expect(h.state().setup.rho).toBe(0.4);
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.state().runs).toEqual([]);
  });

  it('plays at the end from the start again', async () => {
    const h = labHarness();
    await h.lab.initLab();
    await h.lab.openRunFiles([file('a.json', ASEXUAL)]);
    h.lab.replaySeek(13);
    expect(h.state().replay!.playing).toBe(false);
    h.lab.replayPlay();
    expect(h.state().replay!.generation).toBe(1);
    expect(h.state().replay!.playing).toBe(true);
  });

  it('opens the recorded comparison a ?replay= link names, and keeps it in the address', async () => {
    const h = labHarness({ search: '?replay=mnist-10pct-defaults-seed1', site: SITE });
    await h.lab.initLab();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.state().replay).toMatchObject({ title: 'MNIST, asexual vs sexual (seed 1)', last: 13 });
    expect(h.state().runs.map((r) => r.variant.mode)).toEqual(['asexual', 'sexual']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.location.search).toBe('?replay=mnist-10pct-defaults-seed1');
  });

  it('says so when the recorded run a link names is not on the site', async () => {
    const h = labHarness({ search: '?replay=nothing-here', site: SITE });
    await h.lab.initLab();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.state().replay).toBeNull();
    expect(h.state().openProblems).toEqual(['There is no recorded run "nothing-here" on this site.']);
    expect(h.state().view.panel).toBe('open');
  });

  it('is refused while runs of the page are going', async () => {
    const h = labHarness({ site: { ...SITE } });
    await h.lab.initLab();
    h.store.setState({
      runs: [{ ...(await openedRun()), status: 'running' }],
      sessionId: 'live',
    });
    expect(await h.lab.openRunFiles([file('a.json', ASEXUAL)])).toBe(false);
    expect(h.notices().at(-1)).toMatch(/^error: Runs are going/);
    expect(h.state().replay).toBeNull();
    expect(h.state().sessionId).toBe('live');
  });
});

describe('replaying the page’s own runs', () => {
  it('saves a save still scheduled first, and comes back to the session as it was', async () => {
    const h = labHarness();
    await h.lab.initLab();
    const run = { ...(await openedRun()), id: 'live-0', status: 'completed' as const };
    h.store.setState({ runs: [run], sessionId: 'live' });
    h.lab.updateSetup((s) => ({ ...s, rho: 0.55 })); // schedules a save, 300 ms on
    h.lab.replayPage();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.storage.stores.sessions.get('live')).toMatchObject({ setup: { rho: 0.55 } });
    expect(h.state().replay?.origin).toEqual({ kind: 'page' });
    expect(h.state().sessionId).toBeNull();
    h.lab.closeReplay();
    expect(h.state()).toMatchObject({ sessionId: 'live', replay: null });
    expect(h.state().runs.map((r) => r.id)).toEqual(['live-0']);
  });
});

/** A run state as a replay makes it (to stand for a live run in the store). */
async function openedRun() {
  const h = labHarness();
  await h.lab.initLab();
  await h.lab.openRunFiles([file('a.json', ASEXUAL)]);
  return h.state().replay!.runs[0];
}
