/**
 * The Saved sessions list: every session this browser's IndexedDB holds (name, date, dataset,
 * generations, size), the damaged ones with their problem, and what the storage uses. Sessions
 * can be renamed, exported and deleted (one, several, or all older than a date); opening and
 * replaying them goes through the lab controller.
 */
import { ArtefactError } from '../../experiment/artefacts';
import { ancestorKey, checkpointKey } from '../../worker/protocol';
import type { StoredSession } from '../state';
import { parseStoredSession, SESSION_NAME_MAX } from '../stored-session';
import type { SessionSummary } from '../store';
import type { LabDeps, Notify } from './ports';
import type { Persistence } from './persistence';

/**
 * About how many bytes a stored value takes (its text and numbers as JSON would write them, typed
 * arrays as their bytes): enough to tell a 50 kB session from a 5 MB one.
 */
export function approximateBytes(value: unknown): number {
  const inside = new Set<object>();
  const walk = (v: unknown): number => {
    if (v === null || v === undefined) return 4;
    if (typeof v === 'string') return v.length + 2;
    if (typeof v === 'number' || typeof v === 'bigint') return String(v).length;
    if (typeof v === 'boolean') return 5;
    if (typeof v !== 'object') return 0;
    if (ArrayBuffer.isView(v)) return v.byteLength;
    if (v instanceof ArrayBuffer) return v.byteLength;
    if (inside.has(v)) return 0;
    inside.add(v);
    let n = 2;
    if (Array.isArray(v)) for (const x of v) n += walk(x) + 1;
    else for (const [k, x] of Object.entries(v)) n += k.length + 4 + walk(x);
    inside.delete(v);
    return n;
  };
  return walk(value);
}

const lastGeneration = (runs: readonly { records: readonly { generation: number }[] }[]) =>
  Math.max(0, ...runs.flatMap((r) => r.records.map((x) => x.generation)));

/** What a session the gate refused still says of itself, read as far as it can be. */
function leniently(raw: unknown) {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const setup = (o.setup && typeof o.setup === 'object' ? o.setup : {}) as Record<string, unknown>;
  const runs = Array.isArray(o.runs) ? (o.runs as unknown[]) : [];
  const text = (x: unknown) => (typeof x === 'string' ? x : null);
  return {
    name: text(o.name)?.slice(0, SESSION_NAME_MAX) ?? null,
    savedAt: text(o.savedAt) ?? '',
    dataset: text(setup.dataset),
    runIds: runs.map((r) => text((r as { id?: unknown } | null)?.id)).filter((x): x is string => !!x),
    labels: runs.map((r) => text((r as { label?: unknown } | null)?.label)).filter((x): x is string => !!x),
  };
}

/** One stored session as the list shows it: through the gate, or with the gate's message. */
export function summarise(id: string, raw: unknown): { summary: SessionSummary; runIds: string[] } {
  const bytes = approximateBytes(raw);
  try {
    const s = parseStoredSession(raw, id);
    return {
      summary: {
        id,
        name: s.name ?? null,
        savedAt: s.savedAt,
        dataset: s.setup.dataset,
        generations: lastGeneration(s.runs),
        runs: s.runs.map((r) => r.label),
        bytes,
        problem: null,
      },
      runIds: s.runs.map((r) => r.id),
    };
  } catch (e) {
    const l = leniently(raw);
    const problem = e instanceof ArtefactError ? e.message : `the saved session ${id} cannot be read: ${String(e)}`;
    return {
      summary: { ...l, id, generations: 0, runs: l.labels, bytes, problem },
      runIds: l.runIds,
    };
  }
}

/** Newest first; sessions without a date (saved before dates were kept, or damaged) last. */
const newestFirst = (a: SessionSummary, b: SessionSummary) =>
  a.savedAt === b.savedAt ? (a.id < b.id ? -1 : 1) : a.savedAt > b.savedAt ? -1 : 1;

type Deps = Pick<LabDeps, 'store' | 'storage' | 'estimateStorage'> & { notify: Notify; persistence: Persistence };

export function createSavedSessions({ store, storage, estimateStorage, notify, persistence }: Deps) {
  const { getState: get, setState: set } = store;
  /** The run ids of each listed session, to find (and delete) their checkpoints. */
  let runIds = new Map<string, string[]>();
  let generation = 0;

  async function usage(): Promise<{ used: number; quota: number } | null> {
    try {
      const e = await estimateStorage?.();
      return e && typeof e.usage === 'number' && typeof e.quota === 'number' ? { used: e.usage, quota: e.quota } : null;
    } catch {
      return null;
    }
  }

  /** Adds each session's checkpoints to its size, one at a time (they hold whole networks). */
  async function measureCheckpoints(list: SessionSummary[], asOf: number) {
    const sizes = new Map<string, number>();
    for (const s of list) {
      let bytes = s.bytes ?? 0;
      for (const key of [ancestorKey(s.id), ...(runIds.get(s.id) ?? []).map(checkpointKey)]) {
        const value = await storage.get<unknown>('checkpoints', key).catch(() => undefined);
        if (value !== undefined) bytes += approximateBytes(value);
      }
      sizes.set(s.id, bytes);
    }
    if (asOf !== generation) return;
    set((st) => ({
      saved: {
        ...st.saved,
        sessions: st.saved.sessions.map((s) => (sizes.has(s.id) ? { ...s, bytes: sizes.get(s.id)! } : s)),
      },
    }));
  }

  async function refresh(): Promise<void> {
    const asOf = ++generation;
    set((s) => ({ saved: { ...s.saved, status: s.saved.status === 'ready' ? 'ready' : 'loading' } }));
    let entries: [string, unknown][];
    try {
      entries = await storage.entries('sessions');
    } catch (e) {
      if (asOf === generation)
        set((s) => ({
          saved: {
            ...s.saved,
            status: 'failed',
            error: `Could not read the saved sessions from IndexedDB: ${(e as Error).message}`,
          },
        }));
      return;
    }
    const read = entries.map(([id, raw]) => summarise(id, raw));
    const sessions = read.map((x) => x.summary).sort(newestFirst);
    const used = await usage();
    if (asOf !== generation) return;
    runIds = new Map(read.map((x) => [x.summary.id, x.runIds]));
    // Sizes from the last listing stay until the checkpoints are measured again.
    const before = new Map(get().saved.sessions.map((s) => [s.id, s.bytes]));
    set({
      saved: {
        status: 'ready',
        sessions: sessions.map((s) => ({ ...s, bytes: Math.max(s.bytes ?? 0, before.get(s.id) ?? 0) })),
        usage: used,
        error: null,
      },
    });
    void measureCheckpoints(sessions, asOf);
  }

  // While the list is shown, the page's own session saving (a new generation, a new setup)
  // changes its row: list them again. Opening the panel lists them too (showPanel).
  persistence.onSaved(() => {
    if (get().view.panel === 'saved') void refresh();
  });

  return {
    refresh,

    /** A session through the gate, or null (with a message) when it is gone or damaged. */
    async read(id: string): Promise<StoredSession | null> {
      try {
        const raw = await storage.get<unknown>('sessions', id);
        if (raw === undefined) {
          notify('error', `The saved session ${id} is not in this browser any more.`);
          return null;
        }
        return parseStoredSession(raw, id);
      } catch (e) {
        notify('error', (e as Error).message);
        return null;
      }
    },

    /** Names a session (an empty name takes the name away); the page's own session keeps it as it saves. */
    async rename(id: string, name: string): Promise<boolean> {
      const trimmed = name.trim().slice(0, SESSION_NAME_MAX);
      if (get().sessionId === id) {
        set({ sessionName: trimmed || null });
        persistence.schedule(0);
      } else {
        try {
          const raw = await storage.get<Record<string, unknown>>('sessions', id);
          if (raw === undefined) throw new Error('it is not in this browser any more');
          parseStoredSession(raw, id); // only a readable session is renamed
          const { name: _old, ...rest } = raw;
          await storage.put('sessions', id, trimmed ? { ...rest, name: trimmed } : rest);
        } catch (e) {
          notify('error', `Could not rename the saved session ${id}: ${(e as Error).message}`);
          return false;
        }
      }
      set((s) => ({
        saved: {
          ...s.saved,
          sessions: s.saved.sessions.map((x) => (x.id === id ? { ...x, name: trimmed || null } : x)),
        },
      }));
      return true;
    },

    /** Deletes sessions with their checkpoints (not the page's own: the lab controller resets that). */
    async remove(ids: readonly string[]): Promise<number> {
      let done = 0;
      for (const id of ids) if (await persistence.forget(id, runIds.get(id) ?? [])) done++;
      await refresh();
      return done;
    },

    /** The listed sessions last saved before `cutoff` (an ISO time); those without a date count as old. */
    olderThan(cutoff: string): string[] {
      return get()
        .saved.sessions.filter((s) => s.savedAt < cutoff)
        .map((s) => s.id);
    },

    /** The stored session as JSON text, exactly as this browser holds it (a damaged one too). */
    exportFile: (id: string) => persistence.exportSession(id),
  };
}

export type SavedSessions = ReturnType<typeof createSavedSessions>;
