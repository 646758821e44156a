/**
 * What the lab's controller talks to. lab.ts hands in the browser's (the zustand store, Web
 * Workers, IndexedDB, the address bar, fetch); the tests hand in fakes.
 */
import type { StoreApi } from 'zustand';
import type { KeyValueStorage } from '../../storage/idb';
import type { WorkerCommand, WorkerEvent } from '../../worker/protocol';
import type { LabState } from '../store';

export type LabStore = Pick<StoreApi<LabState>, 'getState' | 'setState'>;

/** A run Worker (worker/run.worker.ts) as the controller sees it. */
export interface RunWorker {
  post(cmd: WorkerCommand): void;
  terminate(): void;
}

export interface WorkerListeners {
  event(ev: WorkerEvent): void;
  /** The Worker itself failed (e.g. its script did not load); `message` may be empty. */
  error(message: string): void;
}

export type CreateWorker = (name: string, on: WorkerListeners) => RunWorker;

export interface LabDeps {
  store: LabStore;
  createWorker: CreateWorker;
  /** Sessions (the page's) and checkpoints (the Workers'; the page only deletes them). */
  storage: KeyValueStorage;
  location: Pick<Location, 'origin' | 'pathname' | 'search' | 'hash'>;
  history: Pick<History, 'replaceState'>;
  fetch(url: string, init?: RequestInit): Promise<Response>;
  /** navigator.hardwareConcurrency: how many Workers may train at once (cpu.ts). */
  cores: number | undefined;
  /** Milliseconds on a monotonic clock (performance.now), for the time-left estimate. */
  now(): number;
  /** A new session id. */
  newId(): string;
  /** navigator.storage.estimate, where the browser has it (the Saved sessions list shows the storage used). */
  estimateStorage?(): Promise<{ usage?: number; quota?: number }>;
}

export type Notify = (kind: 'error' | 'info', text: string) => void;
