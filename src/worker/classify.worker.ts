/// <reference lib="webworker" />
/** The "try it" panel's Worker: classify-controller.ts wired to IndexedDB, fetch and the datasets. */
import { openDataset } from '../data';
import { isFolderKind } from '../experiment/datasets';
import { idbStorage } from '../storage/idb';
import { ClassifyController } from './classify-controller';
import { dataSource, openDroppedFolder } from './files';
import type { ClassifyCommand, ClassifyEvent } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

const controller = new ClassifyController({
  post: (event: ClassifyEvent) => self.postMessage(event),
  storage: idbStorage,
  fetch: (url) => fetch(url),
  data: {
    load: async (dataset, split, spec) =>
      isFolderKind(dataset)
        ? (await openDroppedFolder(dataset, spec.folder))[split]
        : openDataset(dataSource(spec), dataset, split),
  },
});
self.onmessage = (e: MessageEvent<ClassifyCommand>) => controller.handle(e.data);
