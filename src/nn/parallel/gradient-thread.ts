/** Entry of a Node worker thread serving a ThreadPeer (thread-peer.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend, type BackendPreference } from '../model/backend';
import { serveGradientRequests } from './gradient-server';
import type { PeerReply, PeerRequest } from './peer-protocol';

const port = parentPort;
if (!port) throw new Error('gradient-thread.ts runs only as a worker thread (ThreadPeer.start)');
await serveGradientRequests(
  {
    post: (m: PeerReply, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer ?? []),
    listen: (on: (m: PeerRequest) => void) => port.on('message', on),
  },
  async () => (await selectBackend((workerData as { backend: BackendPreference }).backend)).backend,
);
