/**
 * The lab's controller: what the components call. It keeps the store, the Workers, the address
 * and the saved session in step; the parts live beside it (run-workers, persistence,
 * data-checks, address, notices). Nothing here touches tensors.
 */
import { fieldLabel, listInWords } from '../plain-words';
import { FROZEN_DURING_RUN, type LabSetup } from '../setup';
import { isActive } from '../state';
import type { LabState } from '../store';
import { queryToSetup } from '../url';
import { createAddress } from './address';
import { genomesKey } from '../../worker/protocol';
import { createDataChecks } from './data-checks';
import { createModelExports } from './model-exports';
import { createNotices } from './notices';
import { createPersistence } from './persistence';
import type { LabDeps } from './ports';
import { createRunWorkers } from './run-workers';

export { randomSessionId } from './run-workers';
export type { LabDeps } from './ports';

/** True once runs exist with results or Workers: the ancestor-defining settings are then fixed. */
export const setupLocked = (s: Pick<LabState, 'runs'>) =>
  s.runs.some((r) => r.records.length > 0 || isActive(r.status));

export function createLab(deps: LabDeps) {
  const { getState: get, setState: set } = deps.store;
  const { notify, dismiss } = createNotices(deps.store);
  const address = createAddress(deps);
  const persistence = createPersistence({ ...deps, notify });
  const data = createDataChecks({ ...deps, notify });
  const models = createModelExports({ ...deps, notify });
  const runs = createRunWorkers({
    ...deps,
    notify,
    persist: (delayMs) => persistence.schedule(delayMs),
    writeAddress: () => address.write(),
  });

  return {
    notify,
    dismissNotice: dismiss,
    checkData: data.checkData,
    addDroppedFiles: data.addDroppedFiles,
    addDroppedFolder: data.addDroppedFolder,
    checkAvailability: data.checkAvailability,
    exportModel: models.exportModel,
    loadReproduced: data.loadReproduced,
    startComparison: runs.startComparison,
    resumeComparison: runs.resumeComparison,
    pauseAll: runs.pauseAll,
    stepGeneration: runs.stepGeneration,
    continueAll: runs.continueAll,
    stopAfterGeneration: runs.stopAfterGeneration,
    /** The stored session (this one, or the damaged one the link names) as JSON text to download. */
    exportSession: (sessionId: string) => persistence.exportSession(sessionId),
    /** Deletes the saved session that could not be read; the lab goes on with a new one. */
    async deleteDamagedSession(): Promise<void> {
      await persistence.deleteDamaged();
      address.write();
    },

    /** Start-up: the setup from the address, the saved session it names, and what the site serves. */
    async initLab(): Promise<void> {
      const parsed = queryToSetup(deps.location.search);
      const present = new URLSearchParams(deps.location.search).get('present') === '1';
      set({ setup: parsed.setup, view: { ...get().view, present } });
      for (const p of parsed.problems) notify('error', `In the link: ${p}`);
      if (parsed.session) await persistence.restore(parsed.session);
      set({ restoring: false });
      address.write();
      void data.checkData();
      void data.checkShippedAncestor();
      void data.loadReproduced();
      void data.checkAvailability();
    },

    /** Presenter mode on or off; it stays in the address (`present=1`), so a reload keeps it. */
    setPresenting(present: boolean): void {
      set({ view: { ...get().view, present } });
      address.write();
    },

    updateSetup(change: (s: LabSetup) => LabSetup): void {
      const before = get().setup;
      const after = change(structuredClone(before));
      if (setupLocked(get())) {
        const frozen = FROZEN_DURING_RUN.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
        if (frozen.length) {
          notify(
            'info',
            `${listInWords(frozen.map(fieldLabel))} cannot change once runs have results; press Reset to start a new comparison`,
          );
          for (const k of frozen) (after as unknown as Record<string, unknown>)[k] = before[k];
        }
      }
      set({ setup: after });
      address.write();
      if (after.dataset !== before.dataset) {
        set((s) => ({ data: { ...s.data, dropped: [], checks: [], folder: null, folderCheck: null } }));
        void data.checkData();
        void data.checkShippedAncestor();
      }
      runs.scheduleLiveSettings();
      persistence.schedule();
    },

    /** Ends every Worker and forgets the comparison's results (they stay exportable until then). */
    async resetLab(): Promise<void> {
      runs.terminateAll();
      models.clear();
      const { sessionId, runs: current } = get();
      set({
        sessionId: null,
        runs: [],
        ancestorStored: false,
        view: { ...get().view, generation: null, individual: {} },
      });
      address.write();
      if (sessionId)
        await persistence.forget(
          sessionId,
          current.map((r) => r.id),
        );
      // Each generation's networks, kept for export.
      await Promise.all(
        current.flatMap((r) =>
          [...new Set(r.records.map((x) => x.generation))].map((g) =>
            deps.storage.delete('checkpoints', genomesKey(r.id, g)).catch(() => {}),
          ),
        ),
      );
    },
  };
}

export type LabController = ReturnType<typeof createLab>;
