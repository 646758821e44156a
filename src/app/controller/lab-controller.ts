/**
 * The lab's controller: what the components call. It keeps the store, the Workers, the address
 * and the saved session in step; the parts live beside it (run-workers, persistence,
 * data-checks, address, notices). Nothing here touches tensors.
 */
import { fieldLabel, listInWords } from '../plain-words';
import { pageSource, sessionSource } from '../replay';
import { FROZEN_DURING_RUN, type LabSetup } from '../setup';
import { isActive } from '../state';
import type { LabState } from '../store';
import { queryToSetup } from '../url';
import { createAddress } from './address';
import { isFolderKind } from '../../experiment/datasets';
import { genomesPrefix } from '../../worker/protocol';
import { folderFromFiles } from '../dropped-folder';
import { createDataChecks } from './data-checks';
import { createModelExports } from './model-exports';
import { createNotices } from './notices';
import { createOpenRun, sortDroppedFiles } from './open-run';
import { createPersistence } from './persistence';
import type { LabDeps } from './ports';
import { createReplay } from './replay';
import { createRunWorkers } from './run-workers';
import { createSavedSessions } from './saved-sessions';

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
  const replay = createReplay({
    ...deps,
    notify,
    writeAddress: () => address.write(),
    flushSave: () => persistence.flush(),
  });
  const openRun = createOpenRun({ ...deps, notify, replay });
  const saved = createSavedSessions({ ...deps, notify, persistence });

  /** Runs with Workers (or about to have them): another session cannot replace them. */
  const going = () => get().runs.some((r) => isActive(r.status));
  /** Starting runs ends a replay first (the header offers it only once the replay is closed). */
  const live =
    <A extends unknown[]>(action: (...args: A) => void) =>
    (...args: A) => {
      if (get().replay) {
        notify('info', 'Close the replay to run a comparison of your own.');
        return;
      }
      action(...args);
    };

  async function resetLab(): Promise<void> {
    // During a replay, "reset" means leaving it: the runs under it stay as they were.
    if (get().replay) return replay.close();
    runs.terminateAll();
    models.clear();
    const { sessionId, runs: current } = get();
    set({
      sessionId: null,
      sessionName: null,
      runs: [],
      ancestorStored: false,
      view: { ...get().view, generation: null, individual: {} },
    });
    address.write();
    // forget() also deletes each generation's networks kept for export; runs never saved may have some too.
    if (sessionId)
      await persistence.forget(
        sessionId,
        current.map((r) => r.id),
      );
    else
      await Promise.all(
        current.map((r) => deps.storage.deletePrefix('checkpoints', genomesPrefix(r.id)).catch(() => {})),
      );
    void saved.refresh();
  }

  return {
    notify,
    dismissNotice: dismiss,
    checkData: data.checkData,
    addDroppedFiles: data.addDroppedFiles,
    addDroppedFolder: data.addDroppedFolder,
    checkAvailability: data.checkAvailability,
    exportModel: models.exportModel,
    loadReproduced: data.loadReproduced,
    startComparison: live(runs.startComparison),
    resumeComparison: live(runs.resumeComparison),
    pauseAll: runs.pauseAll,
    stepGeneration: live(runs.stepGeneration),
    continueAll: runs.continueAll,
    stopAfterGeneration: runs.stopAfterGeneration,
    /** The stored session (this one, or the damaged one the link names) as JSON text to download. */
    exportSession: (sessionId: string) => persistence.exportSession(sessionId),
    /** Deletes the saved session that could not be read; the lab goes on with a new one. */
    async deleteDamagedSession(): Promise<void> {
      await persistence.deleteDamaged();
      address.write();
      void saved.refresh();
    },

    /**
     * Start-up: the setup from the address, the saved session it names (or the recorded
     * comparison `?replay=` names), what the site serves, and the sessions this browser keeps.
     */
    async initLab(): Promise<void> {
      const query = new URLSearchParams(deps.location.search);
      const parsed = queryToSetup(deps.location.search);
      const present = query.get('present') === '1';
      set({ setup: parsed.setup, view: { ...get().view, present } });
      for (const p of parsed.problems) notify('error', `In the link: ${p}`);
      if (parsed.session) await persistence.restore(parsed.session);
      set({ restoring: false });
      const recorded = query.get('replay');
      if (recorded && !parsed.session) void openRun.openRecorded(recorded);
      else address.write();
      void data.checkData();
      void data.checkShippedAncestor();
      void data.loadReproduced();
      void data.checkAvailability();
      void saved.refresh();
    },

    /** Files dropped on the page: runs (JSON) open in replay, the others go to the data checks. */
    async dropFiles(files: readonly File[]): Promise<void> {
      const sorted = await sortDroppedFiles(files);
      // A folder dataset takes a zip dropped anywhere, as on "Data" (a folder needs the panel's own drop).
      const folder = isFolderKind(get().setup.dataset) ? folderFromFiles(sorted.data) : null;
      await Promise.all([
        sorted.runs.length ? openRun.openFiles(sorted.runs) : null,
        folder?.kind === 'zip'
          ? data.addDroppedFolder(folder)
          : sorted.data.length
            ? data.addDroppedFiles(sorted.data)
            : null,
      ]);
    },
    openRunFiles: openRun.openFiles,
    openRecorded: openRun.openRecorded,
    loadRecordedIndex: openRun.loadRecordedIndex,

    /** The header's tool panels: "Open a run…" or "Saved sessions" (listed afresh when opened). */
    showPanel(panel: 'open' | 'saved' | null): void {
      set((s) => ({ view: { ...s.view, panel }, openProblems: panel === 'open' ? s.openProblems : [] }));
      if (panel === 'saved') void saved.refresh();
      if (panel === 'open') void openRun.loadRecordedIndex();
    },

    /** Replays the runs on the page from their first generation. */
    replayPage(): void {
      const { setup, runs: current } = get();
      replay.open(pageSource(setup, current));
    },
    replayPlay: replay.play,
    replayPause: replay.pause,
    replaySeek: replay.seek,
    replaySpeed: replay.setSpeed,
    closeReplay: replay.close,

    refreshSessions: saved.refresh,
    renameSession: saved.rename,
    sessionsOlderThan: saved.olderThan,

    /** Deletes saved sessions; the page's own goes as Reset would take it. */
    async deleteSessions(ids: readonly string[]): Promise<void> {
      // The session under a replay is the page's own: the replay closes, then it goes.
      const below = replay.sessionBelow();
      if (below && ids.includes(below)) replay.close();
      const own = get().sessionId;
      const others = ids.filter((id) => id !== own);
      if (own && ids.includes(own)) await resetLab();
      if (get().damagedSession && ids.includes(get().damagedSession!.id)) set({ damagedSession: null });
      const done = await saved.remove(others);
      const count = done + (own && ids.includes(own) ? 1 : 0);
      notify('info', `${count === 1 ? 'One saved session was' : `${count} saved sessions were`} deleted.`);
      address.write();
    },

    /** Makes a saved session the page's own again (as its link would after a reload): resumable. */
    async openSession(id: string): Promise<void> {
      if (get().sessionId === id && !get().replay) return set((s) => ({ view: { ...s.view, panel: null } }));
      if (going()) {
        notify('error', 'Runs are going: stop them or wait until they finish before opening another session.');
        return;
      }
      persistence.flush();
      replay.discard();
      runs.terminateAll();
      set((s) => ({
        sessionId: null,
        sessionName: null,
        runs: [],
        ancestorStored: false,
        damagedSession: null,
        view: { ...s.view, generation: null, individual: {}, panel: null },
      }));
      await persistence.restore(id);
      address.write();
    },

    /** Replays a saved session's runs (the page's own session is left as it is). */
    async replaySession(id: string): Promise<void> {
      const session = await saved.read(id);
      if (!session) return;
      const summary = get().saved.sessions.find((s) => s.id === id);
      const title =
        summary?.name ?? `the session of ${session.savedAt ? new Date(session.savedAt).toLocaleString() : id}`;
      if (replay.open(sessionSource(session, title))) set((s) => ({ view: { ...s.view, panel: null } }));
    },

    /** Presenter mode on or off; it stays in the address (`present=1`), so a reload keeps it. */
    setPresenting(present: boolean): void {
      set({ view: { ...get().view, present } });
      address.write();
    },

    updateSetup(change: (s: LabSetup) => LabSetup): void {
      if (get().replay) {
        notify('info', 'A replay shows the settings its runs were made with: close the replay to change them.');
        return;
      }
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
    resetLab,
  };
}

export type LabController = ReturnType<typeof createLab>;
