/**
 * The replay controller: moves a replay (replay.ts) from generation to generation on a timer,
 * at the chosen speed, and lets the person play, pause, seek and close it. Opening a replay sets
 * the store's runs and setup to the replayed ones; closing it puts back what the page showed
 * before. Nothing is saved while replaying (the replay has no session), and no Worker runs.
 */
import { clampGeneration, runsAt, startReplay, type ReplaySource } from '../replay';
import { isActive } from '../state';
import type { LabState } from '../store';
import type { LabStore, Notify } from './ports';

/** What the page showed before the replay, put back when it closes. */
type Before = Pick<LabState, 'setup' | 'sessionId' | 'runs' | 'ancestorStored' | 'paused' | 'sessionName'> & {
  generation: number | null;
  individual: Record<string, number>;
};

interface Deps {
  store: LabStore;
  notify: Notify;
  /** Rewrites the page's address (address.ts). */
  writeAddress(): void;
  /** Saves a save still scheduled for the page's own session, before the replay takes its place. */
  flushSave(): void;
}

export function createReplay({ store, notify, writeAddress, flushSave }: Deps) {
  const { getState: get, setState: set } = store;
  let before: Before | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** Shows generation g (every run's records up to it). */
  function show(g: number, playing?: boolean) {
    set((s) => {
      if (!s.replay) return {};
      const generation = clampGeneration(s.replay, g);
      return {
        replay: { ...s.replay, generation, playing: playing ?? s.replay.playing },
        runs: generation === s.replay.generation && s.runs.length ? s.runs : runsAt(s.replay.runs, generation),
      };
    });
  }

  function schedule() {
    clearTimeout(timer);
    const r = get().replay;
    if (r?.playing) timer = setTimeout(tick, 1000 / r.speed);
  }

  function tick() {
    const r = get().replay;
    if (!r?.playing) return;
    const next = r.generation + 1;
    show(next, next < r.last);
    schedule();
  }

  return {
    /**
     * Replays `source` from its first generation (playing at once unless `play` is false).
     * Refused while runs are going: their Workers' events would have no run to go to.
     */
    open(source: ReplaySource, { play = true } = {}): boolean {
      const s = get();
      if (!s.replay && s.runs.some((r) => isActive(r.status))) {
        notify(
          'error',
          'Runs are going: stop them (Stop after this generation) or wait until they finish, then open the replay.',
        );
        return false;
      }
      let state;
      try {
        state = startReplay(source, play, s.replay?.speed);
      } catch (e) {
        notify('error', `Cannot replay ${source.title}: ${(e as Error).message}`);
        return false;
      }
      if (!s.replay) flushSave();
      // A replay opened from another keeps what the page showed before the first.
      before ??= {
        setup: s.setup,
        sessionId: s.sessionId,
        runs: s.runs,
        ancestorStored: s.ancestorStored,
        paused: s.paused,
        sessionName: s.sessionName,
        generation: s.view.generation,
        individual: s.view.individual,
      };
      set({
        replay: state,
        runs: runsAt(state.runs, state.generation),
        setup: state.setup,
        sessionId: null,
        sessionName: null,
        ancestorStored: false,
        paused: false,
        view: { ...s.view, generation: null, individual: {} },
      });
      writeAddress();
      schedule();
      return true;
    },

    /** Plays on from the generation shown (from the start when it is at the end). */
    play(): void {
      const r = get().replay;
      if (!r) return;
      show(r.generation >= r.last ? r.first : r.generation, true);
      schedule();
    },

    pause(): void {
      if (!get().replay) return;
      clearTimeout(timer);
      show(get().replay!.generation, false);
    },

    /** Shows generation g; playing goes on from there. At the end, playing stops. */
    seek(g: number): void {
      const r = get().replay;
      if (!r) return;
      const generation = clampGeneration(r, g);
      show(generation, r.playing && generation < r.last);
      schedule();
    },

    /** Generations a second; the next step comes after the new interval. */
    setSpeed(speed: number): void {
      const r = get().replay;
      if (!r || !(speed > 0)) return;
      set({ replay: { ...r, speed } });
      schedule();
    },

    /** Ends the replay: the page shows again what it showed before it. */
    close(): void {
      clearTimeout(timer);
      if (!get().replay) return;
      const b = before;
      before = null;
      set((s) => ({
        replay: null,
        ...(b
          ? {
              setup: b.setup,
              sessionId: b.sessionId,
              runs: b.runs,
              ancestorStored: b.ancestorStored,
              paused: b.paused,
              sessionName: b.sessionName,
              view: { ...s.view, generation: b.generation, individual: b.individual },
            }
          : { runs: [] }),
      }));
      writeAddress();
    },

    /** The session the page had before the replay (it comes back when the replay closes), or null. */
    sessionBelow: (): string | null => before?.sessionId ?? null,

    /** Ends the replay without putting anything back (the page opens something else in its place). */
    discard(): void {
      clearTimeout(timer);
      before = null;
      if (get().replay) set({ replay: null, runs: [], sessionId: null, sessionName: null });
    },
  };
}

export type ReplayController = ReturnType<typeof createReplay>;
