/**
 * One Worker per run: starts them, folds their events into the store at a bounded rate, hands
 * out CPU turns, relays the shared ancestor, and passes the person's pause, continue, stop and
 * slider changes on.
 */
import { isFolderKind } from '../../experiment/datasets';
import type { WorkerCommand, WorkerEvent } from '../../worker/protocol';
import { CpuTurns, peersOverride, peersPerRun, trainingSlots } from '../cpu';
import { configFor, liveSettingsFor, runColours, runLabel, setupProblems } from '../setup';
import { isActive, newRun, planAncestors, reduceRun, resumable, type RunState } from '../state';
import type { LabDeps, Notify, RunWorker } from './ports';

/** Progress messages per second each Worker may send. */
export const PROGRESS_RATE = 6;
/** Worker events are folded into the store in batches, at most this often (ms). */
export const FLUSH_MS = 150;
/** How long a Worker trains before letting another one have the core (when they take turns). */
export const SLICE_MS = 1500;
/** Slider changes reach the Workers once the slider rests this long (ms). */
export const LIVE_SETTINGS_DELAY_MS = 250;
/** Saves after events other than a finished generation wait this long (ms). */
const EVENT_PERSIST_DELAY_MS = 300;

type Deps = Pick<LabDeps, 'store' | 'createWorker' | 'location' | 'cores' | 'now' | 'newId'> & {
  notify: Notify;
  /** Saves the session after `delayMs` (persistence.ts). */
  persist(delayMs?: number): void;
  /** Rewrites the page's address from the setup (address.ts). */
  writeAddress(): void;
};

/** A short random session id. */
export const randomSessionId = () =>
  typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID().slice(0, 13)
    : Math.random().toString(36).slice(2, 12);

export function createRunWorkers(deps: Deps) {
  const { store, notify, persist, writeAddress } = deps;
  const { getState: get, setState: set } = store;
  const workers = new Map<string, RunWorker>();
  let cpu = new CpuTurns(trainingSlots(deps.cores));
  // Read once at start: the page rewrites its address from the setup later.
  const forcedPeers = peersOverride(deps.location.search);
  let queue: { runId: string; ev: WorkerEvent }[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let liveTimer: ReturnType<typeof setTimeout> | undefined;

  const sendAll = (cmd: WorkerCommand) => {
    for (const w of workers.values()) w.post(cmd);
  };

  function noticeProblems(): boolean {
    const problems = setupProblems(get().setup);
    for (const p of problems) notify('error', p);
    return problems.length > 0;
  }

  /** Starts a Worker for every run that can go on; with `step`, each pauses after one generation. */
  function launch(step = false) {
    const { setup, sessionId, runs, ancestorStored, shippedAncestor, data } = get();
    if (!sessionId) return;
    const toStart = runs.filter((r) => !workers.has(r.id) && resumable(r, setup.generations));
    if (!toStart.length) return;
    const origin = deps.location.origin;
    const shippedUrl =
      setup.ancestor === 'shipped' && shippedAncestor === 'present'
        ? new URL(`/ancestors/${setup.dataset}.json`, origin).href
        : null;
    const plan = planAncestors(toStart, { sessionId, ancestorStored, shippedUrl });
    const wasmBaseUrl = new URL('/tfjs-wasm/', origin).href;
    const dataBaseUrl = new URL('/data/', origin).href;
    const starting = new Map<string, RunState>();
    set({ paused: step });
    for (const run of toStart) {
      const source = plan.get(run.id)!;
      const config = configFor(setup, run.variant);
      const w = deps.createWorker(`evolab ${run.label}`, {
        event: (ev) => enqueue(run.id, ev),
        error: (message) =>
          enqueue(run.id, {
            type: 'error',
            kind: 'internal',
            message: `the Worker failed: ${message || 'see the browser console'}`,
          }),
      });
      workers.set(run.id, w);
      w.post({
        type: 'start',
        runId: run.id,
        config,
        data: { baseUrl: dataBaseUrl, files: data.dropped, folder: data.folder },
        ancestor: source,
        wasmBaseUrl,
        live: liveSettingsFor(setup, run.variant),
        progressPerSecond: PROGRESS_RATE,
        shareCpu: true,
        peers: forcedPeers ?? peersPerRun(cpu.slots, runs.length),
      });
      if (step) w.post({ type: 'step' });
      starting.set(run.id, {
        ...run,
        status: 'starting',
        error: null,
        trainsAncestor: source.kind === 'train',
        rate: null,
        etaSeconds: null,
        stage: { stage: 'backend', message: 'Starting the Worker…' },
      });
    }
    set((s) => ({ runs: s.runs.map((r) => starting.get(r.id) ?? r) }));
    persist();
  }

  function enqueue(runId: string, ev: WorkerEvent) {
    if (!workers.has(runId)) return; // a terminated Worker's last words
    if (ev.type === 'cpu-wanted') return grant(cpu.want(runId));
    if (ev.type === 'cpu-released') return grant(cpu.forget(runId));
    if (ev.type === 'done' || ev.type === 'error') grant(cpu.forget(runId));
    queue.push({ runId, ev });
    if (ev.type === 'ancestor-ready') handleAncestorReady(ev.key);
    if (flushTimer === undefined) flushTimer = setTimeout(flush, FLUSH_MS);
  }

  /** Folds all queued events into the store in one update, so React renders once per batch. */
  function flush() {
    flushTimer = undefined;
    const batch = queue;
    queue = [];
    if (!batch.length) return;
    const now = deps.now();
    let save: 'no' | 'soon' | 'now' = 'no';
    const ended: string[] = [];
    const failed: { id: string; message: string }[] = [];
    set((s) => {
      const byId = new Map(s.runs.map((r) => [r.id, r]));
      for (const { runId, ev } of batch) {
        const run = byId.get(runId);
        if (!run) continue;
        byId.set(runId, reduceRun(run, ev, now));
        // A finished generation is saved at once, so that a reload right after keeps it.
        if (
          ev.type === 'checkpoint' ||
          ev.type === 'done' ||
          ev.type === 'error' ||
          (ev.type === 'run' && ev.event.type === 'generation')
        )
          save = 'now';
        else if (save === 'no' && ev.type === 'run' && ev.event.type !== 'progress') save = 'soon';
        if (ev.type === 'done' || ev.type === 'error') ended.push(runId);
        if (ev.type === 'error') failed.push({ id: runId, message: ev.message });
      }
      return { runs: s.runs.map((r) => byId.get(r.id) ?? r) };
    });
    for (const id of ended) {
      workers.get(id)?.terminate();
      workers.delete(id);
    }
    for (const f of failed) {
      const run = get().runs.find((r) => r.id === f.id);
      notify('error', `${run?.label ?? 'A run'}: ${f.message}`);
      // Runs waiting for an ancestor that will never come cannot go on either.
      if (run?.trainsAncestor && !get().ancestorStored)
        failWaiting(`the shared ancestor could not be trained (${f.message})`);
    }
    if (save !== 'no') persist(save === 'now' ? 0 : EVENT_PERSIST_DELAY_MS);
  }

  /** Hands time slices to Workers, and marks the ones waiting for their turn. */
  function grant(ids: string[]) {
    for (const id of ids) workers.get(id)?.post({ type: 'grant', sliceMs: SLICE_MS });
    const waiting = (r: RunState) => workers.has(r.id) && cpu.isWaiting(r.id);
    if (get().runs.some((r) => r.waitingForCpu !== waiting(r)))
      set((s) => ({
        runs: s.runs.map((r) => (r.waitingForCpu !== waiting(r) ? { ...r, waitingForCpu: waiting(r) } : r)),
      }));
  }

  function handleAncestorReady(key: string) {
    set({ ancestorStored: true });
    for (const run of get().runs) {
      const w = workers.get(run.id);
      if (w && !run.trainsAncestor && run.storedGeneration === 0)
        w.post({ type: 'ancestor', source: { kind: 'stored', key } });
    }
  }

  function failWaiting(message: string) {
    const waiting = get().runs.filter((r) => workers.has(r.id) && !r.trainsAncestor && r.storedGeneration === 0);
    for (const r of waiting) {
      workers.get(r.id)?.terminate();
      workers.delete(r.id);
      grant(cpu.forget(r.id));
    }
    set((s) => ({
      runs: s.runs.map((r) =>
        waiting.some((w) => w.id === r.id) ? { ...r, status: 'error', error: message, stage: null } : r,
      ),
    }));
  }

  /** Tells every active Worker the setup's live settings (the sliders' values). */
  function sendLiveSettings() {
    liveTimer = undefined;
    const { runs, setup } = get();
    for (const run of runs) {
      const w = workers.get(run.id);
      if (w && isActive(run.status)) w.post({ type: 'change-settings', patch: liveSettingsFor(setup, run.variant) });
    }
  }

  /**
   * A slider moved just before Continue or Next generation is sent first (its resting delay may
   * not be over), so that it applies from the generation these start, as the page says.
   */
  function flushLiveSettings() {
    if (liveTimer === undefined) return;
    clearTimeout(liveTimer);
    sendLiveSettings();
  }

  function start(step: boolean): void {
    if (noticeProblems()) return;
    const { setup, data } = get();
    if (data.missing.length) {
      notify(
        'error',
        isFolderKind(setup.dataset)
          ? `Drop ${data.missing.join(', ')} on "Data" first.`
          : `The dataset files ${data.missing.join(', ')} are missing: see "Data" for what to do.`,
      );
      return;
    }
    const colours = runColours(setup.runs);
    const sessionId = deps.newId();
    const runs = setup.runs.map((v, i) => newRun(`${sessionId}-${i}`, v, runLabel(v), colours[i], configFor(setup, v)));
    set({ sessionId, runs, ancestorStored: false, view: { ...get().view, generation: null } });
    writeAddress();
    // In a task of its own: the click's re-render and the Workers' creation stay two short tasks.
    setTimeout(() => launch(step), 0);
  }

  return {
    /** A new comparison: one run per variant of the setup, each in a Worker of its own. */
    startComparison: (): void => start(false),

    /** Starts a Worker for every run that is not finished: fresh, or from its stored checkpoint. */
    resumeComparison(): void {
      if (noticeProblems()) return;
      setTimeout(() => launch(false), 0);
    },

    /**
     * "Next generation": every run finishes one more generation (the one in progress), then
     * pauses. Before a comparison starts (or after it stopped), it starts the runs that way.
     */
    stepGeneration(): void {
      const { sessionId, runs, setup } = get();
      if (runs.some((r) => workers.has(r.id) && isActive(r.status))) {
        flushLiveSettings();
        sendAll({ type: 'step' });
        set({ paused: true });
      } else if (sessionId && runs.some((r) => resumable(r, setup.generations))) {
        if (!noticeProblems()) setTimeout(() => launch(true), 0);
      } else start(true);
    },

    /** Pauses every Worker between two batches; one still starting pauses as soon as its runner exists. */
    pauseAll(): void {
      sendAll({ type: 'pause' });
      set({ paused: true });
    },

    continueAll(): void {
      flushLiveSettings();
      sendAll({ type: 'resume' });
      set({ paused: false });
    },

    stopAfterGeneration(): void {
      sendAll({ type: 'stop-after-generation' });
      set((s) => ({
        runs: s.runs.map((r) => (workers.has(r.id) && isActive(r.status) ? { ...r, status: 'stopping' } : r)),
      }));
    },

    /** Sliders moved during a run: send the new settings; the runner applies them from the next generation. */
    scheduleLiveSettings(): void {
      clearTimeout(liveTimer);
      liveTimer = setTimeout(sendLiveSettings, LIVE_SETTINGS_DELAY_MS);
    },

    /** Ends every Worker; events they still send are ignored. */
    terminateAll(): void {
      for (const w of workers.values()) w.terminate();
      workers.clear();
      cpu = new CpuTurns(cpu.slots);
      queue = [];
    },
  };
}
