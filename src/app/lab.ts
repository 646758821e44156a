/**
 * The lab's controller (controller/lab-controller.ts) wired to the browser: the store, run
 * Workers, IndexedDB, the address bar and fetch. Components import its functions from here.
 */
import { idbStorage } from '../storage/idb';
import type { WorkerEvent } from '../worker/protocol';
import { createLab, randomSessionId } from './controller/lab-controller';
import { useLab } from './store';

const lab = createLab({
  store: useLab,
  createWorker: (name, on) => {
    const w = new Worker(new URL('../worker/run.worker.ts', import.meta.url), { type: 'module', name });
    w.onmessage = (e: MessageEvent<WorkerEvent>) => on.event(e.data);
    w.onerror = (e) => on.error(e.message);
    return { post: (cmd) => w.postMessage(cmd), terminate: () => w.terminate() };
  },
  storage: idbStorage,
  location,
  history,
  fetch: (url, init) => fetch(url, init),
  cores: navigator.hardwareConcurrency,
  now: () => performance.now(),
  newId: randomSessionId,
  estimateStorage: navigator.storage?.estimate ? () => navigator.storage.estimate() : undefined,
});

export const {
  initLab,
  notify,
  dismissNotice,
  updateSetup,
  setPresenting,
  startComparison,
  resumeComparison,
  pauseAll,
  stepGeneration,
  continueAll,
  stopAfterGeneration,
  resetLab,
  addDroppedFiles,
  addDroppedFolder,
  exportModel,
  checkData,
  loadReproduced,
  exportSession,
  deleteDamagedSession,
  dropFiles,
  openRunFiles,
  openRecorded,
  loadRecordedIndex,
  showPanel,
  replayPage,
  replayPlay,
  replayPause,
  replaySeek,
  replaySpeed,
  closeReplay,
  refreshSessions,
  renameSession,
  sessionsOlderThan,
  deleteSessions,
  openSession,
  replaySession,
} = lab;
export { setupLocked } from './controller/lab-controller';
