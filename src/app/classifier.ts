/**
 * The page's side of the "try it" Worker (worker/classify.worker.ts): requests with ids, answers
 * as promises, and which networks to ask about (the ancestor and each run's newest). The Worker
 * is made on first use.
 */
import type { DatasetName } from '../experiment/config';
import {
  ancestorKey,
  checkpointKey,
  type ClassifyCommand,
  type ClassifyEvent,
  type DataSpec,
  type ImageShape,
  type NetworkToClassify,
} from '../worker/protocol';
import type { LabState } from './store';

export interface ClassifyWorker {
  post(cmd: ClassifyCommand): void;
}

type Answer<T extends ClassifyEvent['type']> = Extract<ClassifyEvent, { type: T }>;

export function createClassifier(spawn: (onEvent: (e: ClassifyEvent) => void) => ClassifyWorker) {
  let worker: ClassifyWorker | null = null;
  let next = 1;
  const pending = new Map<number, { resolve: (e: ClassifyEvent) => void; reject: (e: Error) => void }>();
  const onEvent = (e: ClassifyEvent) => {
    const p = pending.get(e.requestId);
    if (!p) return;
    pending.delete(e.requestId);
    if (e.type === 'classify-error') p.reject(new Error(e.message));
    else p.resolve(e);
  };
  function ask<T extends ClassifyEvent['type']>(cmd: ClassifyCommand): Promise<Answer<T>> {
    worker ??= spawn(onEvent);
    return new Promise((resolve, reject) => {
      pending.set(cmd.requestId, { resolve: resolve as (e: ClassifyEvent) => void, reject });
      worker!.post(cmd);
    });
  }
  return {
    classify(image: Float32Array, shape: ImageShape, networks: NetworkToClassify[]) {
      return ask<'classified'>({ type: 'classify', requestId: next++, image, shape, networks });
    },
    testImage(dataset: DatasetName, data: DataSpec, index: number) {
      return ask<'test-image'>({ type: 'test-image', requestId: next++, dataset, data, index });
    },
  };
}

export type Classifier = ReturnType<typeof createClassifier>;

/** What the page can name in the panel: its ancestor, and each run past generation 1. */
export interface TryItNetworks {
  ancestor: NetworkToClassify | null;
  /** Why there is no ancestor to ask, when there is none. */
  noAncestor: string | null;
  runs: { network: NetworkToClassify; label: string; colour: string }[];
}

export function tryItNetworks(
  s: Pick<LabState, 'sessionId' | 'ancestorStored' | 'shippedAncestor' | 'runs'> & {
    setup: Pick<LabState['setup'], 'ancestor' | 'dataset'>;
  },
  origin: string,
): TryItNetworks {
  let ancestor: NetworkToClassify | null = null;
  let noAncestor: string | null = null;
  if (s.sessionId && s.ancestorStored)
    ancestor = {
      id: 'ancestor',
      source: { kind: 'stored', key: ancestorKey(s.sessionId) },
      generation: 1,
      pick: 'ancestor',
    };
  else if (s.setup.ancestor === 'shipped' && s.shippedAncestor === 'present')
    ancestor = {
      id: 'ancestor',
      source: { kind: 'url', url: new URL(`/ancestors/${s.setup.dataset}.json`, origin).href },
      generation: 1,
      pick: 'ancestor',
    };
  else
    noAncestor =
      s.setup.ancestor === 'train'
        ? 'The ancestor is trained here when you press Start; it can answer once it is trained.'
        : 'No ancestor is shipped for this dataset; press Start to train one here.';
  const runs = s.runs
    .filter((r) => r.storedGeneration >= 2)
    .map((r) => ({
      network: {
        id: r.id,
        source: { kind: 'stored' as const, key: checkpointKey(r.id) },
        generation: r.storedGeneration,
        pick: 'best' as const,
      },
      label: r.label,
      colour: r.colour,
    }));
  return { ancestor, noAncestor, runs };
}
