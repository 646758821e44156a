/**
 * A run Worker's gradient peer on another core (worker-peer.ts): its own tfjs, backend and
 * network replica. Its settings come in the Worker's name, so it can start its backend at once.
 */
import { startBackend } from '../experiment/environment';
import type { BackendPreference } from '../nn/model/backend';
import { serveGradientRequests } from '../nn/parallel/gradient-server';
import type { PeerReply, PeerRequest } from '../nn/parallel/peer-protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const { backend, wasmBaseUrl } = JSON.parse(scope.name) as { backend: BackendPreference; wasmBaseUrl: string };
void serveGradientRequests(
  {
    post: (m: PeerReply, transfer?: ArrayBuffer[]) => scope.postMessage(m, transfer ?? []),
    listen: (on: (m: PeerRequest) => void) =>
      scope.addEventListener('message', (e: MessageEvent<PeerRequest>) => on(e.data)),
  },
  async () => (await startBackend(backend, { wasmBaseUrl })).backend,
);
