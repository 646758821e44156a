/** Messages between a ThreadPeer and its worker thread (gradient-thread.ts). */
import type { Batch } from '../data/dataset';
import type { NetworkBlueprint } from './gradient-peer';

export type ThreadRequest =
  | { type: 'load'; key: string; blueprint: NetworkBlueprint }
  | { type: 'gradients'; weights: Float32Array[]; part: Batch }
  | { type: 'predict'; weights: Float32Array[]; part: Batch };

export type ThreadReply =
  | { type: 'ready'; backend: string }
  | { type: 'loaded'; key: string }
  | { type: 'gradients'; loss: number; grads: Float32Array[] }
  | { type: 'predictions'; classes: Int32Array }
  | { type: 'error'; message: string };
