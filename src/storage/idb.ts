/**
 * A minimal promise wrapper around IndexedDB, used by both the page (sessions and their records)
 * and the Worker (checkpoints with typed arrays, which IndexedDB stores natively, so the page
 * never has to copy genomes), and `auto`'s measured backend choices (backend-choices.ts). Object
 * stores with out-of-line keys. It imports nothing of the project: the page's and the Worker's
 * entries hand `idbStorage` to their controllers, whose tests use an in-memory `KeyValueStorage`.
 */

const DB_NAME = 'evolab';
// 2: the 'backend' store (backend-choices.ts).
const DB_VERSION = 2;
export type StoreName = 'sessions' | 'checkpoints' | 'backend';

/** Asynchronous key-value storage in named stores: what the controllers need of IndexedDB. */
export interface KeyValueStorage {
  get<T>(store: StoreName, key: string): Promise<T | undefined>;
  put(store: StoreName, key: string, value: unknown): Promise<unknown>;
  delete(store: StoreName, key: string): Promise<unknown>;
  /** Deletes every key that starts with `prefix` (a run's networks of every generation). */
  deletePrefix(store: StoreName, prefix: string): Promise<unknown>;
  /** Every key and value of a store, in key order (the Saved sessions list). */
  entries(store: StoreName): Promise<[string, unknown][]>;
}

let opening: Promise<IDBDatabase> | null = null;

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function openDb(): Promise<IDBDatabase> {
  if (opening) return opening;
  if (typeof indexedDB === 'undefined') return Promise.reject(new Error('IndexedDB is not available in this browser'));
  opening = new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      for (const name of ['sessions', 'checkpoints', 'backend'] as const)
        if (!db.objectStoreNames.contains(name)) db.createObjectStore(name);
    };
    req.onsuccess = () => {
      const db = req.result;
      // Another tab upgrading the schema: let it, and reopen on next use.
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      resolve(db);
    };
    req.onerror = () => {
      opening = null;
      reject(req.error ?? new Error('could not open IndexedDB'));
    };
    req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab of EvoLab; close it and reload'));
  });
  return opening;
}

async function withStore<T>(
  store: StoreName,
  mode: IDBTransactionMode,
  fn: (s: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await openDb();
  const tx = db.transaction(store, mode);
  const result = request(fn(tx.objectStore(store)));
  // Resolve only once the transaction committed, so a reload right after cannot lose the write.
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted (is the disk full?)'));
  });
  return result;
}

/** Keys and values read in one transaction, so that they match. */
async function allEntries(store: StoreName): Promise<[string, unknown][]> {
  const db = await openDb();
  const s = db.transaction(store, 'readonly').objectStore(store);
  const [keys, values] = await Promise.all([request(s.getAllKeys()), request(s.getAll())]);
  return keys.map((k, i) => [String(k), values[i]]);
}

export const idbStorage: KeyValueStorage = {
  get: <T>(store: StoreName, key: string) =>
    withStore(store, 'readonly', (s) => s.get(key) as IDBRequest<T | undefined>),
  put: (store, key, value) => withStore(store, 'readwrite', (s) => s.put(value, key)),
  delete: (store, key) => withStore(store, 'readwrite', (s) => s.delete(key)),
  deletePrefix: (store, prefix) =>
    withStore(store, 'readwrite', (s) => s.delete(IDBKeyRange.bound(prefix, `${prefix}\uffff`))),
  entries: allEntries,
};
