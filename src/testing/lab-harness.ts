/**
 * The lab's controller (app/controller) with fakes around it: a store of its own, Workers that
 * record the commands they get and let the test deliver their events, in-memory storage, an
 * address bar, and a site that serves the files the test names. Use with vi.useFakeTimers().
 */
import { vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { createLab } from '../app/controller/lab-controller';
import type { RunWorker, WorkerListeners } from '../app/controller/ports';
import { initialState, type LabState } from '../app/store';
import type { WorkerCommand, WorkerEvent } from '../worker/protocol';
import { MemoryStorage } from './fake-storage';

export class FakeWorker implements RunWorker {
  readonly commands: WorkerCommand[] = [];
  terminated = false;

  constructor(
    readonly name: string,
    private readonly on: WorkerListeners,
  ) {}

  post(cmd: WorkerCommand): void {
    this.commands.push(cmd);
  }

  terminate(): void {
    this.terminated = true;
  }

  /** Delivers an event as if the Worker had posted it. */
  emit(ev: WorkerEvent): void {
    this.on.event(ev);
  }

  /** The Worker fails as a whole (its `error` event). */
  fail(message = ''): void {
    this.on.error(message);
  }

  sent<T extends WorkerCommand['type']>(type: T): Extract<WorkerCommand, { type: T }>[] {
    return this.commands.filter((c): c is Extract<WorkerCommand, { type: T }> => c.type === type);
  }
}

export interface SiteFile {
  body?: string;
  type?: string;
}

export interface LabHarnessOptions {
  /** The page's query at start-up, e.g. `?rho=0.3`. */
  search?: string;
  cores?: number;
  /** Paths the site serves (e.g. `/data/mnist/train-images-idx3-ubyte.gz`); others get index.html, as Vite answers. */
  site?: Record<string, SiteFile>;
  /** What navigator.storage.estimate() answers (absent: the browser does not have it). */
  estimateStorage?: () => Promise<{ usage?: number; quota?: number }>;
}

export const ORIGIN = 'http://lab.test';

export function labHarness(options: LabHarnessOptions = {}) {
  const store = createStore<LabState>()(() => initialState());
  const workers: FakeWorker[] = [];
  const storage = new MemoryStorage();
  const location = { origin: ORIGIN, pathname: '/', search: options.search ?? '', hash: '' };
  const history = {
    replaceState: vi.fn((_data: unknown, _unused: string, url?: string | URL | null) => {
      location.search = new URL(String(url), ORIGIN).search;
    }),
  };
  const site = new Map(Object.entries(options.site ?? {}));
  const fetch = vi.fn(async (url: string, init?: RequestInit) => {
    const file = site.get(url);
    if (!file) return new Response('<!doctype html>', { headers: { 'content-type': 'text/html' } });
    const body = init?.method === 'HEAD' ? null : (file.body ?? '');
    return new Response(body, { headers: { 'content-type': file.type ?? 'application/octet-stream' } });
  });
  const clock = { t: 0 };
  let sessions = 0;
  const lab = createLab({
    store,
    createWorker: (name, on) => {
      const w = new FakeWorker(name, on);
      workers.push(w);
      return w;
    },
    storage,
    location,
    history,
    fetch,
    cores: options.cores ?? 2,
    now: () => clock.t,
    newId: () => `session${++sessions}`,
    estimateStorage: options.estimateStorage,
  });
  /** Store updates, to count renders. */
  let updates = 0;
  store.subscribe(() => updates++);

  return {
    lab,
    store,
    state: () => store.getState(),
    workers,
    /** The Worker of a run, by its index in the comparison (the newest one for that run). */
    worker: (runIndex: number) => {
      const id = store.getState().runs[runIndex].id;
      const name = `evolab ${store.getState().runs[runIndex].label}`;
      const w = workers.filter((x) => x.name === name && x.sent('start').some((c) => c.runId === id)).at(-1);
      if (!w) throw new Error(`no Worker for run ${runIndex}`);
      return w;
    },
    storage,
    location,
    history,
    site,
    fetch,
    clock,
    updates: () => updates,
    notices: () => store.getState().notices.map((n) => `${n.kind}: ${n.text}`),
  };
}

export type LabHarness = ReturnType<typeof labHarness>;

/** The standard MNIST files as the site serves them after `npm run data`. */
export const MNIST_SERVED: Record<string, SiteFile> = Object.fromEntries(
  ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'].map(
    (f) => [`/data/mnist/${f}.gz`, { type: 'application/gzip' }],
  ),
);
