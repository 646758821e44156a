/**
 * A gradient peer on another core, reached by messages: a Node worker thread (thread-peer.ts) or
 * a Web Worker (worker/worker-peer.ts), each with its own tfjs and a replica of the network.
 */
import type { Batch } from '../../data/dataset';
import type { GradientPeer, NetworkBlueprint, PartGradients } from '../model/gradient-peer';
import type { PeerChannel, PeerReply, PeerRequest } from './peer-protocol';

export interface PeerPort extends PeerChannel<PeerRequest, PeerReply> {
  /** Reports a crash or exit of the other side. */
  onFailure(fail: (error: Error) => void): void;
  terminate(): void;
  /** Called while a request is pending (Node: keep the process alive) and after it. */
  busy?(busy: boolean): void;
}

type Waiter = { resolve: (m: PeerReply) => void; reject: (e: Error) => void };

export class PortPeer implements GradientPeer {
  private key: string | null = null;
  private waiting: Waiter | null = null;
  private failure: Error | null = null;

  constructor(
    private readonly port: PeerPort,
    /** Names the peer in error messages, e.g. "gradient thread". */
    private readonly name: string,
  ) {
    port.listen((m) => {
      const w = this.waiting;
      this.waiting = null;
      port.busy?.(false);
      if (!w) return;
      if (m.type === 'error') w.reject(new Error(`${name}: ${m.message}`));
      else w.resolve(m);
    });
    port.onFailure((e) => {
      this.failure ??= e;
      this.waiting?.reject(e);
      this.waiting = null;
    });
  }

  /** Resolves when the other side has started its backend. */
  async ready(): Promise<void> {
    try {
      await this.request(null);
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  get loaded(): string | null {
    return this.key;
  }

  /** Sends `message` (null: just wait for the next reply) and resolves with the answer. */
  private request(message: PeerRequest | null): Promise<PeerReply> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiting) return Promise.reject(new Error(`${this.name}: one request at a time`));
    return new Promise<PeerReply>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.port.busy?.(true);
      if (message) this.port.post(message);
    });
  }

  async load(key: string, blueprint: NetworkBlueprint): Promise<void> {
    this.key = null;
    await this.request({ type: 'load', key, blueprint });
    this.key = key;
  }

  async gradients(weights: Float32Array[], part: Batch): Promise<PartGradients> {
    const m = await this.request({ type: 'gradients', weights, part });
    if (m.type !== 'gradients') throw new Error(`${this.name}: expected gradients, got ${m.type}`);
    return { loss: m.loss, grads: m.grads };
  }

  async predict(weights: Float32Array[], part: Batch): Promise<Int32Array> {
    const m = await this.request({ type: 'predict', weights, part });
    if (m.type !== 'predictions') throw new Error(`${this.name}: expected predictions, got ${m.type}`);
    return m.classes;
  }

  dispose(): void {
    this.failure ??= new Error(`${this.name}: disposed`);
    this.port.terminate();
  }
}

/** Starts `count` peers with `start`; if any fails, disposes the others and rethrows. */
export async function startPeers<P extends GradientPeer>(count: number, start: () => Promise<P>): Promise<P[]> {
  const started = await Promise.allSettled(Array.from({ length: count }, start));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    for (const s of started) if (s.status === 'fulfilled') s.value.dispose();
    throw (failed as PromiseRejectedResult).reason;
  }
  return started.map((s) => (s as PromiseFulfilledResult<P>).value);
}
