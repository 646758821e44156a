/**
 * A gradient peer on another core in Node: a worker thread with its own tfjs (and its own wasm
 * instance) holding a replica of the network being trained.
 */
import { Worker } from 'node:worker_threads';
import type { BackendPreference } from '../model/backend';
import type { PeerReply } from './peer-protocol';
import { PortPeer, startPeers } from './port-peer';

/**
 * Under tsx or vitest the entry is TypeScript source: the thread registers tsx's loader before
 * importing it (execArgv's --import does not reach worker threads on Node 20).
 */
function spawnThread(backend: BackendPreference): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./gradient-thread.js', import.meta.url), { workerData: { backend } });
  const entry = new URL('./gradient-thread.ts', import.meta.url).href;
  return new Worker(new URL('./gradient-thread-boot.mjs', import.meta.url), { workerData: { backend, entry } });
}

export const ThreadPeer = {
  /** Starts a thread on `backend` (the main thread's) and waits until its backend is ready. */
  async start(backend: BackendPreference): Promise<PortPeer> {
    const worker = spawnThread(backend);
    // Referenced only while a request is pending, so an idle peer never keeps Node alive.
    worker.unref();
    const peer = new PortPeer(
      {
        post: (m) => worker.postMessage(m),
        listen: (on) => worker.on('message', (m: PeerReply) => on(m)),
        onFailure: (fail) => {
          worker.on('error', (e) => fail(new Error(`gradient thread crashed: ${e.message}`)));
          worker.on('exit', (code) => fail(new Error(`gradient thread exited (code ${code})`)));
        },
        terminate: () => void worker.terminate(),
        busy: (busy) => (busy ? worker.ref() : worker.unref()),
      },
      'gradient thread',
    );
    await peer.ready();
    return peer;
  },

  /** Several peers, started together. */
  startMany(count: number, backend: BackendPreference): Promise<PortPeer[]> {
    return startPeers(count, () => ThreadPeer.start(backend));
  },
};
