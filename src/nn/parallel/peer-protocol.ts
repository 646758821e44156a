/** Messages between a PortPeer and the thread or Worker serving it (serveGradientRequests). */
import type { Batch } from '../../data/dataset';
import type { NetworkBlueprint } from '../model/gradient-peer';

export type PeerRequest =
  | { type: 'load'; key: string; blueprint: NetworkBlueprint }
  | { type: 'gradients'; weights: Float32Array[]; part: Batch }
  | { type: 'predict'; weights: Float32Array[]; part: Batch };

export type PeerReply =
  | { type: 'ready'; backend: string }
  | { type: 'loaded'; key: string }
  | { type: 'gradients'; loss: number; grads: Float32Array[] }
  | { type: 'predictions'; classes: Int32Array }
  | { type: 'error'; message: string };

/** The two ends of a message channel as both Node's worker_threads and Web Workers offer them. */
export interface PeerChannel<Out, In> {
  post(message: Out, transfer?: ArrayBuffer[]): void;
  listen(onMessage: (message: In) => void): void;
}
