/// <reference lib="webworker" />
/** The "try it" panel's Worker: classify-controller.ts wired to IndexedDB, fetch and the datasets. */
import { loadDataset } from '../data';
import { idbStorage } from '../storage/idb';
import { ClassifyController } from './classify-controller';
import { dataSource } from './files';
import type { ClassifyCommand, ClassifyEvent } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

const controller = new ClassifyController({
  post: (event: ClassifyEvent) => self.postMessage(event),
  storage: idbStorage,
  fetch: (url) => fetch(url),
  data: { source: dataSource, load: (dataset, split, source) => loadDataset(dataset, split, source) },
});
self.onmessage = (e: MessageEvent<ClassifyCommand>) => controller.handle(e.data);
