/**
 * The lab's controller: starts one Worker per run, folds their events into the store at a
 * bounded rate, keeps the URL and IndexedDB in step, and handles dropped files. Components call
 * these functions; nothing here touches tensors.
 */
import { idbDelete, idbGet, idbPut } from '../worker/idb';
import { servedFiles, standardFileFor } from '../worker/files';
import {
  ancestorKey,
  checkpointKey,
  type AncestorMeta,
  type WorkerCommand,
  type WorkerEvent,
} from '../worker/protocol';
import {
  configFor,
  liveSettingsFor,
  runColours,
  runLabel,
  setupProblems,
  FROZEN_DURING_RUN,
  type LabSetup,
} from './setup';
import {
  isActive,
  newRun,
  planAncestors,
  reduceRun,
  restoreRun,
  resumable,
  toStored,
  type RunState,
  type StoredSession,
} from './state';
import { useLab, type LabState } from './store';
import { CpuTurns, peersOverride, peersPerRun, trainingSlots } from './cpu';
import { parseReproduced } from './reproduced';
import { queryToSetup, setupToQuery } from './url';

const get = useLab.getState;
const set = useLab.setState;

/** Progress messages per second each Worker may send. */
const PROGRESS_RATE = 6;
/** Worker events are folded into the store in batches, at most this often (ms). */
const FLUSH_MS = 150;

const workers = new Map<string, Worker>();
/** How long a Worker trains before letting another one have the core (when they take turns). */
const SLICE_MS = 1500;
let cpu = new CpuTurns(trainingSlots(typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 2));
// Read once at load: the page rewrites its address from the setup later.
const PEERS_OVERRIDE = typeof location !== 'undefined' ? peersOverride(location.search) : null;
let noticeId = 0;

function makeWorker(name: string): Worker {
  return new Worker(new URL('../worker/run.worker.ts', import.meta.url), { type: 'module', name });
}

export function notify(kind: 'error' | 'info', text: string) {
  set((s) => ({ notices: [...s.notices.filter((n) => n.text !== text), { id: ++noticeId, kind, text }] }));
}

export function dismissNotice(id: number) {
  set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
}

const randomId = () =>
  typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID().slice(0, 13)
    : Math.random().toString(36).slice(2, 12);

// ---------- start-up -------------------------------------------------------------------------

export async function initLab(): Promise<void> {
  const parsed = queryToSetup(location.search);
  set({ setup: parsed.setup });
  for (const p of parsed.problems) notify('error', `In the link: ${p}`);
  if (parsed.session) {
    try {
      const stored = await idbGet<StoredSession>('sessions', parsed.session);
      if (stored) {
        set({
          sessionId: stored.id,
          setup: stored.setup,
          runs: stored.runs.map(restoreRun),
          ancestorStored: stored.ancestorStored,
        });
        if (get().runs.some((r) => r.status === 'interrupted'))
          notify(
            'info',
            'The page was reloaded during a run: every finished generation is kept. Press Resume to continue.',
          );
      } else
        notify(
          'info',
          'This link names a saved session that is not in this browser; its setup is loaded, without results.',
        );
    } catch (e) {
      notify('error', `Could not read saved runs from IndexedDB: ${(e as Error).message}`);
    }
  }
  set({ restoring: false });
  writeUrl();
  void checkData();
  void checkShippedAncestor();
  void loadReproduced();
}

/** Our reproduction runs, once: when the file is missing or unreadable the overlay is simply not offered. */
async function loadReproduced() {
  try {
    const res = await fetch('/reproduced.json');
    // Dev and preview servers answer unknown paths with index.html.
    if (!res.ok || (res.headers.get('content-type') ?? '').includes('text/html')) return;
    const curves = parseReproduced(await res.json());
    if (curves) set({ reproduced: curves });
  } catch {
    /* optional */
  }
}

// ---------- setup and URL --------------------------------------------------------------------

let urlTimer: ReturnType<typeof setTimeout> | undefined;
function writeUrl() {
  clearTimeout(urlTimer);
  urlTimer = setTimeout(() => {
    const { setup, sessionId } = get();
    const query = setupToQuery(setup, sessionId);
    const url = `${location.pathname}${query ? `?${query}` : ''}${location.hash}`;
    if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, '', url);
  }, 120);
}

/** True once runs exist with results or Workers: the ancestor-defining settings are then fixed. */
export const setupLocked = (s: Pick<LabState, 'runs'>) =>
  s.runs.some((r) => r.records.length > 0 || isActive(r.status));

export function updateSetup(change: (s: LabSetup) => LabSetup) {
  const before = get().setup;
  const after = change(structuredClone(before));
  if (setupLocked(get())) {
    const frozen = FROZEN_DURING_RUN.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    if (frozen.length) {
      notify(
        'info',
        `${frozen.join(', ')} cannot change once runs have results; press Reset to start a new comparison`,
      );
      for (const k of frozen) (after as unknown as Record<string, unknown>)[k] = before[k];
    }
  }
  set({ setup: after });
  writeUrl();
  if (after.dataset !== before.dataset) {
    set((s) => ({ data: { ...s.data, dropped: [], checks: [] } }));
    void checkData();
    void checkShippedAncestor();
  }
  scheduleLiveSettings();
  schedulePersist();
}

let liveTimer: ReturnType<typeof setTimeout> | undefined;
/** Sliders moved during a run: send the new settings; the runner applies them from the next generation. */
function scheduleLiveSettings() {
  clearTimeout(liveTimer);
  liveTimer = setTimeout(() => {
    const { runs, setup } = get();
    for (const run of runs) {
      const w = workers.get(run.id);
      if (w && isActive(run.status)) send(w, { type: 'change-settings', patch: liveSettingsFor(setup, run.variant) });
    }
  }, 250);
}

const send = (w: Worker, cmd: WorkerCommand) => w.postMessage(cmd);

// ---------- runs ------------------------------------------------------------------------------

export function startComparison() {
  const { setup, data } = get();
  const problems = setupProblems(setup);
  if (problems.length) {
    for (const p of problems) notify('error', p);
    return;
  }
  if (data.missing.length) {
    notify('error', `The dataset files ${data.missing.join(', ')} are missing: see "Data" for what to do.`);
    return;
  }
  const colours = runColours(setup.runs);
  const sessionId = randomId();
  const runs = setup.runs.map((v, i) => newRun(`${sessionId}-${i}`, v, runLabel(v), colours[i], configFor(setup, v)));
  set({ sessionId, runs, ancestorStored: false, view: { ...get().view, generation: null } });
  writeUrl();
  // In a task of its own: the click's re-render and the Workers' creation stay two short tasks.
  setTimeout(launch, 0);
}

/** Starts a Worker for every run that is not finished: fresh, or from its stored checkpoint. */
export function resumeComparison() {
  const { setup } = get();
  const problems = setupProblems(setup);
  if (problems.length) {
    for (const p of problems) notify('error', p);
    return;
  }
  setTimeout(launch, 0);
}

function launch() {
  const { setup, sessionId, runs, ancestorStored, shippedAncestor, data } = get();
  if (!sessionId) return;
  const toStart = runs.filter((r) => !workers.has(r.id) && resumable(r, setup.generations));
  if (!toStart.length) return;
  const shippedUrl =
    setup.ancestor === 'shipped' && shippedAncestor === 'present'
      ? new URL(`/ancestors/${setup.dataset}.json`, location.origin).href
      : null;
  const plan = planAncestors(toStart, { sessionId, ancestorStored, shippedUrl });
  const wasmBaseUrl = new URL('/tfjs-wasm/', location.origin).href;
  const dataBaseUrl = new URL('/data/', location.origin).href;
  const starting = new Map<string, RunState>();
  set({ paused: false });
  for (const run of toStart) {
    const source = plan.get(run.id)!;
    const config = configFor(setup, run.variant);
    const w = makeWorker(`evolab ${run.label}`);
    workers.set(run.id, w);
    w.onmessage = (e: MessageEvent<WorkerEvent>) => enqueue(run.id, e.data);
    w.onerror = (e) =>
      enqueue(run.id, {
        type: 'error',
        kind: 'internal',
        message: `the Worker failed: ${e.message || 'see the browser console'}`,
      });
    send(w, {
      type: 'start',
      runId: run.id,
      config,
      data: { baseUrl: dataBaseUrl, files: data.dropped },
      ancestor: source,
      wasmBaseUrl,
      live: liveSettingsFor(setup, run.variant),
      progressPerSecond: PROGRESS_RATE,
      shareCpu: true,
      peers: PEERS_OVERRIDE ?? peersPerRun(cpu.slots, runs.length),
    });
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
  schedulePersist();
}

/** Pauses every Worker between two batches; one still starting pauses as soon as its runner exists. */
export function pauseAll() {
  for (const w of workers.values()) send(w, { type: 'pause' });
  set({ paused: true });
}

export function continueAll() {
  for (const w of workers.values()) send(w, { type: 'resume' });
  set({ paused: false });
}

export function stopAfterGeneration() {
  for (const w of workers.values()) send(w, { type: 'stop-after-generation' });
  set((s) => ({
    runs: s.runs.map((r) => (workers.has(r.id) && isActive(r.status) ? { ...r, status: 'stopping' } : r)),
  }));
}

/** Ends every Worker and forgets the comparison's results (they stay exportable until then). */
export async function resetLab() {
  for (const w of workers.values()) w.terminate();
  workers.clear();
  cpu = new CpuTurns(cpu.slots);
  queue = [];
  const { sessionId, runs } = get();
  set({ sessionId: null, runs: [], ancestorStored: false, view: { ...get().view, generation: null, individual: {} } });
  writeUrl();
  if (sessionId) {
    try {
      await Promise.all([
        idbDelete('sessions', sessionId),
        idbDelete('checkpoints', ancestorKey(sessionId)),
        ...runs.map((r) => idbDelete('checkpoints', checkpointKey(r.id))),
      ]);
    } catch (e) {
      notify('error', `Could not delete the saved runs: ${(e as Error).message}`);
    }
  }
}

// ---------- Worker events ----------------------------------------------------------------------

let queue: { runId: string; ev: WorkerEvent }[] = [];
let flushTimer: ReturnType<typeof setTimeout> | undefined;

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
  const now = performance.now();
  let persist: 'no' | 'soon' | 'now' = 'no';
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
        persist = 'now';
      else if (persist === 'no' && ev.type === 'run' && ev.event.type !== 'progress') persist = 'soon';
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
  if (persist !== 'no') schedulePersist(persist === 'now' ? 0 : 300);
}

/** Hands time slices to Workers, and marks the ones waiting for their turn. */
function grant(ids: string[]) {
  for (const id of ids) workers.get(id)?.postMessage({ type: 'grant', sliceMs: SLICE_MS } satisfies WorkerCommand);
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
      send(w, { type: 'ancestor', source: { kind: 'stored', key } });
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

// ---------- persistence --------------------------------------------------------------------------

let persistTimer: ReturnType<typeof setTimeout> | undefined;
function schedulePersist(delayMs = 300) {
  clearTimeout(persistTimer);
  persistTimer = setTimeout(() => void persistNow(), delayMs);
}

async function persistNow() {
  const { sessionId, setup, runs, ancestorStored } = get();
  if (!sessionId) return;
  const session: StoredSession = {
    id: sessionId,
    setup,
    runs: runs.map(toStored),
    ancestorStored,
    savedAt: new Date().toISOString(),
  };
  try {
    await idbPut('sessions', sessionId, session);
    const saved = new Map(session.runs.map((r) => [r.id, Math.max(0, ...r.records.map((x) => x.generation))]));
    set((s) => ({
      runs: s.runs.map((r) =>
        saved.has(r.id) && saved.get(r.id)! > r.savedGeneration ? { ...r, savedGeneration: saved.get(r.id)! } : r,
      ),
    }));
  } catch (e) {
    notify(
      'error',
      `Could not save the runs in this browser (IndexedDB): ${(e as Error).message}. Export them to keep them.`,
    );
  }
}

// ---------- data -------------------------------------------------------------------------------

async function isServed(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { method: 'HEAD', cache: 'no-store' });
    // Dev and preview servers answer unknown paths with index.html.
    return res.ok && !(res.headers.get('content-type') ?? '').includes('text/html');
  } catch {
    return false;
  }
}

export async function checkData() {
  const dataset = get().setup.dataset;
  set((s) => ({ data: { ...s.data, served: 'checking' } }));
  const files = servedFiles(dataset);
  const served = await Promise.all(
    files.map(
      async (f) =>
        (await isServed(`/data/${f.path}${f.gzip ? '.gz' : ''}`)) ||
        (await isServed(`/data/${f.path}${f.gzip ? '' : '.gz'}`)),
    ),
  );
  if (get().setup.dataset !== dataset) return;
  const notServed = files.filter((_, i) => !served[i]).map((f) => f.name);
  set((s) => ({
    data: {
      ...s.data,
      served: notServed.length ? 'missing' : 'present',
      notServed,
      missing: stillMissing(dataset, notServed, s.data.dropped),
    },
  }));
}

function stillMissing(dataset: LabSetup['dataset'], notServed: string[], dropped: File[]): string[] {
  const droppedPaths = new Set(dropped.map((f) => standardFileFor(dataset, f.name)?.path));
  return notServed.filter((name) => !droppedPaths.has(standardFileFor(dataset, name)?.path));
}

/** Checks dropped files in a Worker (gunzipping 10 MB would block the page), keeps the good ones. */
export async function addDroppedFiles(files: File[]) {
  if (!files.length) return;
  const dataset = get().setup.dataset;
  set((s) => ({ data: { ...s.data, checking: true } }));
  const w = makeWorker('evolab file check');
  try {
    const { results } = await new Promise<Extract<WorkerEvent, { type: 'files-checked' }>>((resolve, reject) => {
      w.onmessage = (e: MessageEvent<WorkerEvent>) => {
        if (e.data.type === 'files-checked') resolve(e.data);
      };
      w.onerror = (e) => reject(new Error(e.message || 'the file-check Worker failed'));
      send(w, { type: 'check-files', dataset, files });
    });
    const good = files.filter((_, i) => results[i]?.ok);
    for (const r of results) if (!r.ok) notify('error', `Dropped file refused: ${r.message}`);
    if (get().setup.dataset !== dataset) return;
    set((s) => {
      const dropped = s.data.dropped.filter((d) => !good.some((g) => g.name === d.name)).concat(good);
      return {
        data: {
          ...s.data,
          dropped,
          checks: [...results, ...s.data.checks].slice(0, 20),
          missing: stillMissing(dataset, s.data.notServed, dropped),
        },
      };
    });
  } catch (e) {
    notify('error', `Could not check the dropped files: ${(e as Error).message}`);
  } finally {
    set((s) => ({ data: { ...s.data, checking: false } }));
    w.terminate();
  }
}

async function checkShippedAncestor() {
  const dataset = get().setup.dataset;
  const present = await isServed(`/ancestors/${dataset}.json`);
  let meta: AncestorMeta | null = null;
  if (present) {
    try {
      const res = await fetch(`/ancestors/${dataset}.meta.json`);
      if (res.ok && !(res.headers.get('content-type') ?? '').includes('text/html'))
        meta = (await res.json()) as AncestorMeta;
    } catch {
      /* the description is optional */
    }
  }
  if (get().setup.dataset === dataset) set({ shippedAncestor: present ? 'present' : 'absent', shippedMeta: meta });
}

/** Export helpers need the active Worker count (e.g. to warn before reset). */
export const activeWorkers = () => workers.size;
