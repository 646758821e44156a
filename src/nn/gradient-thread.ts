/**
 * Entry of a Node worker thread that serves a ThreadPeer (thread-peer.ts): it selects the same
 * tfjs backend as the main thread and answers load/gradients requests with a ReplicaPeer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend, type BackendPreference } from './backend';
import { ReplicaPeer } from './replica-peer';
import type { ThreadReply, ThreadRequest } from './thread-protocol';

const port = parentPort;
if (!port) throw new Error('gradient-thread.ts runs only as a worker thread (new ThreadPeer)');
const reply = (m: ThreadReply, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

const peer = new ReplicaPeer();
try {
  const choice = await selectBackend((workerData as { backend: BackendPreference }).backend);
  reply({ type: 'ready', backend: choice.backend });
} catch (error) {
  reply({ type: 'error', message: `the gradient thread could not start a tfjs backend: ${(error as Error).message}` });
}

// Requests are handled one at a time in arrival order: the main thread awaits every answer.
port.on('message', async (m: ThreadRequest) => {
  try {
    if (m.type === 'load') {
      await peer.load(m.key, m.blueprint);
      reply({ type: 'loaded', key: m.key });
    } else if (m.type === 'predict') {
      const classes = await peer.predict(m.weights, m.part);
      reply({ type: 'predictions', classes }, [classes.buffer as ArrayBuffer]);
    } else {
      const r = await peer.gradients(m.weights, m.part);
      const grads = r.grads.map((g) => (g.byteOffset === 0 && g.byteLength === g.buffer.byteLength ? g : g.slice()));
      reply({ type: 'gradients', loss: r.loss, grads }, grads.map((g) => g.buffer as ArrayBuffer));
    }
  } catch (error) {
    reply({ type: 'error', message: (error as Error).message ?? String(error) });
  }
});
