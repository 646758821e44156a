/**
 * A gradient peer on another core: a Node worker thread with its own tfjs (and its own wasm
 * instance) holding a replica of the network being trained. Node only.
 */
import { Worker } from 'node:worker_threads';
import type { Batch } from '../data/dataset';
import type { BackendPreference } from './backend';
import type { GradientPeer, NetworkBlueprint, PartGradients } from './gradient-peer';
import type { ThreadReply, ThreadRequest } from './thread-protocol';

/**
 * Under tsx or vitest the entry is TypeScript source: the thread registers tsx's loader before
 * importing it (execArgv's --import does not reach worker threads on Node 20).
 */
function spawnThread(backend: BackendPreference): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./gradient-thread.js', import.meta.url), { workerData: { backend } });
  const entry = new URL('./gradient-thread.ts', import.meta.url).href;
  return new Worker(new URL('./gradient-thread-boot.mjs', import.meta.url), { workerData: { backend, entry } });
}

type Waiter = { resolve: (m: ThreadReply) => void; reject: (e: Error) => void };

export class ThreadPeer implements GradientPeer {
  private key: string | null = null;
  private waiting: Waiter | null = null;
  private failure: Error | null = null;

  private constructor(private readonly worker: Worker) {
    // Referenced only while a request is pending, so an idle peer never keeps Node alive.
    worker.unref();
    worker.on('message', (m: ThreadReply) => {
      const w = this.waiting;
      this.waiting = null;
      worker.unref();
      if (!w) return;
      if (m.type === 'error') w.reject(new Error(`gradient thread: ${m.message}`));
      else w.resolve(m);
    });
    const fail = (e: Error): void => {
      this.failure = e;
      this.waiting?.reject(e);
      this.waiting = null;
    };
    worker.on('error', (e) => fail(new Error(`gradient thread crashed: ${e.message}`)));
    worker.on('exit', (code) => fail(new Error(`gradient thread exited (code ${code})`)));
  }

  /** Starts a thread on `backend` (the main thread's) and waits until its backend is ready. */
  static async start(backend: BackendPreference): Promise<ThreadPeer> {
    const peer = new ThreadPeer(spawnThread(backend));
    try {
      await peer.request(null);
    } catch (error) {
      peer.dispose();
      throw error;
    }
    return peer;
  }

  /** Several peers, started together. */
  static async startMany(count: number, backend: BackendPreference): Promise<ThreadPeer[]> {
    const started = await Promise.allSettled(Array.from({ length: count }, () => ThreadPeer.start(backend)));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      for (const s of started) if (s.status === 'fulfilled') s.value.dispose();
      throw (failed as PromiseRejectedResult).reason;
    }
    return started.map((s) => (s as PromiseFulfilledResult<ThreadPeer>).value);
  }

  get loaded(): string | null {
    return this.key;
  }

  /** Sends `message` (null: just wait for the next reply) and resolves with the thread's answer. */
  private request(message: ThreadRequest | null): Promise<ThreadReply> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiting) return Promise.reject(new Error('gradient thread: one request at a time'));
    return new Promise<ThreadReply>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.worker.ref();
      if (message) this.worker.postMessage(message);
    });
  }

  async load(key: string, blueprint: NetworkBlueprint): Promise<void> {
    this.key = null;
    await this.request({ type: 'load', key, blueprint });
    this.key = key;
  }

  async gradients(weights: Float32Array[], part: Batch): Promise<PartGradients> {
    const m = await this.request({ type: 'gradients', weights, part });
    if (m.type !== 'gradients') throw new Error(`gradient thread: expected gradients, got ${m.type}`);
    return { loss: m.loss, grads: m.grads };
  }

  async predict(weights: Float32Array[], part: Batch): Promise<Int32Array> {
    const m = await this.request({ type: 'predict', weights, part });
    if (m.type !== 'predictions') throw new Error(`gradient thread: expected predictions, got ${m.type}`);
    return m.classes;
  }

  dispose(): void {
    this.failure ??= new Error('gradient thread: disposed');
    void this.worker.terminate();
  }
}
