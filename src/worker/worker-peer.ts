/**
 * Gradient peers of a run Worker: nested module Workers (gradient.worker.ts) that share every
 * training step and evaluation of the run (nn/model/gradient-peer.ts), where the machine has cores
 * to spare (app/cpu.ts decides how many).
 */
import type { BackendPreference } from '../nn/model/backend';
import type { PeerReply } from '../nn/parallel/peer-protocol';
import { PortPeer, startPeers } from '../nn/parallel/port-peer';

function startWorkerPeer(backend: BackendPreference, wasmBaseUrl: string): Promise<PortPeer> {
  const worker = new Worker(new URL('./gradient.worker.ts', import.meta.url), {
    type: 'module',
    name: JSON.stringify({ backend, wasmBaseUrl }),
  });
  const peer = new PortPeer(
    {
      post: (m) => worker.postMessage(m),
      listen: (on) => worker.addEventListener('message', (e: MessageEvent<PeerReply>) => on(e.data)),
      onFailure: (fail) =>
        worker.addEventListener('error', (e) =>
          fail(new Error(`gradient Worker failed: ${e.message || 'see the browser console'}`)),
        ),
      terminate: () => worker.terminate(),
    },
    'gradient Worker',
  );
  return peer.ready().then(() => peer);
}

export function startWorkerPeers(count: number, backend: BackendPreference, wasmBaseUrl: string): Promise<PortPeer[]> {
  return startPeers(count, () => startWorkerPeer(backend, wasmBaseUrl));
}
