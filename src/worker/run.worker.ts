/// <reference lib="webworker" />
/**
 * One run per dedicated module Worker (run-controller.ts does the work); this file wires it to
 * the real backend, data, IndexedDB and Worker. The page never trains: this Worker is the only
 * place in the browser where tensors exist.
 */
import { openDataset } from '../data';
import { environmentInfo, startBackend } from '../experiment/environment';
import { ExperimentRunner } from '../experiment/runner';
import type { CachedSelection } from '../nn/model/backend-chooser';
import { storedBackendChoices } from '../storage/backend-choices';
import { idbStorage } from '../storage/idb';
import { checkFile, checkFolder, dataSource, openDroppedFolder } from './files';
import { exportNetworkFiles } from './model-files';
import { macrotaskScheduler } from './macrotask';
import type { WorkerCommand, WorkerEvent } from './protocol';
import { RunController } from './run-controller';
import { startWorkerPeers } from './worker-peer';

declare const self: DedicatedWorkerGlobalScope;

const controller = new RunController({
  post: (event: WorkerEvent) => self.postMessage(event),
  backend: {
    // `auto`: measurements are cached in IndexedDB, and taken under a lock so that the runs of a
    // comparison measure once and agree (the first measures, the others find its choice).
    start: (preference, options) =>
      startBackend(preference, options, {
        cache: storedBackendChoices<CachedSelection>(idbStorage),
        exclusive: <T>(fn: () => Promise<T>) =>
          self.navigator.locks ? (self.navigator.locks.request('evolab-backend-choice', fn) as Promise<T>) : fn(),
        cores: self.navigator.hardwareConcurrency,
      }),
    describe: environmentInfo,
  },
  startPeers: startWorkerPeers,
  data: {
    source: dataSource,
    load: (dataset, split, source, onProgress) => openDataset(source, dataset, split, { onProgress }),
    openFolder: openDroppedFolder,
    check: checkFile,
    checkFolder,
  },
  exportNetwork: exportNetworkFiles,
  storage: idbStorage,
  fetch: (url) => fetch(url),
  createRunner: (config, options) => new ExperimentRunner(config, options),
  now: () => performance.now(),
  macrotask: macrotaskScheduler(),
  delay: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  warn: (message) => console.warn(message),
});
self.onmessage = (e: MessageEvent<WorkerCommand>) => controller.handle(e.data);
