/**
 * The comparison in this browser's storage: its session (setup and records) is saved after
 * changes, read back after a reload, and deleted on reset with the Workers' checkpoints.
 */
import { ArtefactError } from '../../experiment/artefacts';
import { ancestorKey, checkpointKey, genomesPrefix } from '../../worker/protocol';
import { restoreRun, toStored, type StoredSession } from '../state';
import { parseStoredSession, sessionToStore } from '../stored-session';
import type { LabDeps, Notify } from './ports';

/**
 * JSON of whatever a damaged store holds: binary data and cycles become notes (a value shared by
 * two fields, which IndexedDB keeps, is written twice), so exporting never fails.
 */
function safeJson(value: unknown): string {
  const inside = new Set<object>();
  const plain = (v: unknown): unknown => {
    if (typeof v === 'bigint') return String(v);
    if (!v || typeof v !== 'object') return v;
    if (ArrayBuffer.isView(v)) return `(binary data, ${v.byteLength} bytes)`;
    if (inside.has(v)) return '(a reference to a field that contains it)';
    inside.add(v);
    const out = Array.isArray(v) ? v.map(plain) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    inside.delete(v);
    return out;
  };
  return JSON.stringify(plain(value), null, 1);
}

/** The run ids of a session, read as far as it can be (to delete their checkpoints with it). */
function runIdsOf(raw: unknown): string[] {
  const runs = (raw as { runs?: unknown })?.runs;
  return Array.isArray(runs)
    ? runs.map((r) => (r as { id?: unknown })?.id).filter((id): id is string => typeof id === 'string')
    : [];
}

/** Saves wait this long for more changes (ms); a finished generation is saved at once. */
export const PERSIST_DELAY_MS = 300;

export function createPersistence({ store, storage, notify }: Pick<LabDeps, 'store' | 'storage'> & { notify: Notify }) {
  const { getState: get, setState: set } = store;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const savedListeners: (() => void)[] = [];

  async function saveNow() {
    const { sessionId, setup, runs, ancestorStored, sessionName } = get();
    if (!sessionId) return;
    const session: StoredSession = {
      id: sessionId,
      setup,
      runs: runs.map(toStored),
      ancestorStored,
      savedAt: new Date().toISOString(),
      ...(sessionName ? { name: sessionName } : {}),
    };
    try {
      await storage.put('sessions', sessionId, sessionToStore(session));
      const saved = new Map(session.runs.map((r) => [r.id, Math.max(0, ...r.records.map((x) => x.generation))]));
      set((s) => ({
        runs: s.runs.map((r) =>
          saved.has(r.id) && saved.get(r.id)! > r.savedGeneration ? { ...r, savedGeneration: saved.get(r.id)! } : r,
        ),
      }));
      for (const listener of savedListeners) listener();
    } catch (e) {
      notify(
        'error',
        `Could not save the runs in this browser (IndexedDB): ${(e as Error).message}. Export them to keep them.`,
      );
    }
  }

  /** Deletes a session, its shared ancestor and its runs' checkpoints; false if the storage refused. */
  async function forget(sessionId: string, runIds: readonly string[]): Promise<boolean> {
    try {
      await Promise.all([
        storage.delete('sessions', sessionId),
        storage.delete('checkpoints', ancestorKey(sessionId)),
        ...runIds.map((id) => storage.delete('checkpoints', checkpointKey(id))),
        // Each generation's networks, kept for export.
        ...runIds.map((id) => storage.deletePrefix('checkpoints', genomesPrefix(id))),
      ]);
      return true;
    } catch (e) {
      notify('error', `Could not delete the saved runs: ${(e as Error).message}`);
      return false;
    }
  }

  return {
    /** Calls `listener` after each save of the page's session. */
    onSaved(listener: () => void): void {
      savedListeners.push(listener);
    },

    /** Saves the session after `delayMs` unless another change comes first. */
    schedule(delayMs = PERSIST_DELAY_MS): void {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        void saveNow();
      }, delayMs);
    },

    /** Saves now what a scheduled save would have saved (before the page shows something else). */
    flush(): void {
      if (timer === undefined) return;
      clearTimeout(timer);
      timer = undefined;
      void saveNow();
    },

    /** Reads back the session a link names (after a reload: its runs were interrupted). */
    async restore(sessionId: string): Promise<void> {
      let raw: unknown;
      try {
        raw = await storage.get<unknown>('sessions', sessionId);
      } catch (e) {
        notify('error', `Could not read saved runs from IndexedDB: ${(e as Error).message}`);
        return;
      }
      if (raw === undefined) {
        notify(
          'info',
          'This link names a saved session that is not in this browser; its setup is loaded, without results.',
        );
        return;
      }
      let stored: StoredSession;
      try {
        // Through the artefact gate: a damaged or newer session is refused here, not in a component.
        stored = parseStoredSession(raw, sessionId);
      } catch (e) {
        const problem =
          e instanceof ArtefactError ? e.message : `the saved session ${sessionId} cannot be read: ${String(e)}`;
        // It is not adopted (saving would overwrite it); it stays stored until the person deletes it.
        set({ damagedSession: { id: sessionId, problem } });
        notify('error', `${problem}. It is kept as it is: export it to keep its results, or delete it.`);
        return;
      }
      set({
        sessionId: stored.id,
        setup: stored.setup,
        runs: stored.runs.map(restoreRun),
        ancestorStored: stored.ancestorStored,
        sessionName: stored.name ?? null,
      });
      if (get().runs.some((r) => r.status === 'interrupted'))
        notify(
          'info',
          'The page was reloaded during a run: every finished generation is kept. Press Resume to continue.',
        );
    },

    /** A stored session as it is in this browser, as JSON text (for a damaged one too). */
    async exportSession(sessionId: string): Promise<{ filename: string; text: string } | null> {
      try {
        const raw = await storage.get<unknown>('sessions', sessionId);
        if (raw === undefined) {
          notify('error', `The saved session ${sessionId} is not in this browser any more.`);
          return null;
        }
        return { filename: `evolab-session-${sessionId.replace(/[^\w.-]+/g, '-')}.json`, text: safeJson(raw) };
      } catch (e) {
        notify('error', `Could not read the saved session ${sessionId}: ${(e as Error).message}`);
        return null;
      }
    },

    /** Deletes a session that could not be read, with the checkpoints of the runs it names. */
    async deleteDamaged(): Promise<void> {
      const damaged = get().damagedSession;
      if (!damaged) return;
      const raw = await storage.get<unknown>('sessions', damaged.id).catch(() => undefined);
      if (!(await forget(damaged.id, runIdsOf(raw)))) return;
      set({ damagedSession: null });
      notify('info', `The saved session ${damaged.id} was deleted.`);
    },

    /** Deletes a session, its shared ancestor and its runs' checkpoints. */
    forget,
  };
}

export type Persistence = ReturnType<typeof createPersistence>;
