/** The serving side of a PortPeer: a replica that answers load, gradients and predict requests. */
import type { PeerChannel, PeerReply, PeerRequest } from './peer-protocol';
import { ReplicaPeer } from './replica-peer';

/** Starts the backend with `startBackend`, says 'ready', then answers requests in arrival order. */
export async function serveGradientRequests(
  channel: PeerChannel<PeerReply, PeerRequest>,
  startBackend: () => Promise<string>,
): Promise<void> {
  const peer = new ReplicaPeer();
  const reply = (m: PeerReply, transfer: ArrayBuffer[] = []): void => channel.post(m, transfer);
  try {
    reply({ type: 'ready', backend: await startBackend() });
  } catch (error) {
    reply({ type: 'error', message: `could not start a tfjs backend: ${(error as Error).message}` });
    return;
  }
  // One request at a time: the network awaits every answer before it sends the next.
  channel.listen(async (m) => {
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
        reply(
          { type: 'gradients', loss: r.loss, grads },
          grads.map((g) => g.buffer as ArrayBuffer),
        );
      }
    } catch (error) {
      reply({ type: 'error', message: (error as Error).message ?? String(error) });
    }
  });
}
