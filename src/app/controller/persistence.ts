/**
 * The comparison in this browser's storage: its session (setup and records) is saved after
 * changes, read back after a reload, and deleted on reset with the Workers' checkpoints.
 */
import { ancestorKey, checkpointKey } from '../../worker/protocol';
import { restoreRun, toStored, type StoredSession } from '../state';
import type { LabDeps, Notify } from './ports';

/** Saves wait this long for more changes (ms); a finished generation is saved at once. */
export const PERSIST_DELAY_MS = 300;

export function createPersistence({ store, storage, notify }: Pick<LabDeps, 'store' | 'storage'> & { notify: Notify }) {
  const { getState: get, setState: set } = store;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function saveNow() {
    const { sessionId, setup, runs, ancestorStored } = get();
    if (!sessionId) return;
    const session: StoredSession = {
      id: sessionId,
      setup,
      runs: runs.map(toStored),
      ancestorStored,
      savedAt: new Date().toISOString(),
    };
    try {
      await storage.put('sessions', sessionId, session);
      const saved = new Map(session.runs.map((r) => [r.id, Math.max(0, ...r.records.map((x) => x.generation))]));
      set((s) => ({
        runs: s.runs.map((r) =>
          saved.has(r.id) && saved.get(r.id)! > r.savedGeneration ? { ...r, savedGeneration: saved.get(r.id)! } : r,
        ),
      }));
    } catch (e) {
      notify(
        'error',
        `Could not save the runs in this browser (IndexedDB): ${(e as Error).message}. Export them to keep them.`,
      );
    }
  }

  return {
    /** Saves the session after `delayMs` unless another change comes first. */
    schedule(delayMs = PERSIST_DELAY_MS): void {
      clearTimeout(timer);
      timer = setTimeout(() => void saveNow(), delayMs);
    },

    /** Reads back the session a link names (after a reload: its runs were interrupted). */
    async restore(sessionId: string): Promise<void> {
      try {
        const stored = await storage.get<StoredSession>('sessions', sessionId);
        if (stored) {
          set({
            sessionId: stored.id,
            setup: stored.setup,
            runs: stored.runs.map(restoreRun),
            ancestorStored: stored.ancestorStored,
          });
          if (get().runs.some((r) => r.status === 'interrupted'))
            notify(
              'info',
              'The page was reloaded during a run: every finished generation is kept. Press Resume to continue.',
            );
        } else
          notify(
            'info',
            'This link names a saved session that is not in this browser; its setup is loaded, without results.',
          );
      } catch (e) {
        notify('error', `Could not read saved runs from IndexedDB: ${(e as Error).message}`);
      }
    },

    /** Deletes a session, its shared ancestor and its runs' checkpoints. */
    async forget(sessionId: string, runIds: readonly string[]): Promise<void> {
      try {
        await Promise.all([
          storage.delete('sessions', sessionId),
          storage.delete('checkpoints', ancestorKey(sessionId)),
          ...runIds.map((id) => storage.delete('checkpoints', checkpointKey(id))),
        ]);
      } catch (e) {
        notify('error', `Could not delete the saved runs: ${(e as Error).message}`);
      }
    },
  };
}

export type Persistence = ReturnType<typeof createPersistence>;
