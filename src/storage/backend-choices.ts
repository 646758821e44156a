/**
 * The backends `auto` measured, per device and network shape (nn/model/backend-chooser.ts), kept
 * in IndexedDB so that later runs on this device start at once. All choices sit under one key, so
 * "Measure again" forgets them with one delete; the Worker writes them under a Web Lock.
 */
import type { KeyValueStorage } from './idb';

const KEY = 'choices';

export interface StoredChoices<T> {
  get(key: string): Promise<T | undefined>;
  put(key: string, value: T): Promise<void>;
}

export function storedBackendChoices<T>(storage: KeyValueStorage): StoredChoices<T> {
  const all = async () => (await storage.get<Record<string, T>>('backend', KEY)) ?? {};
  return {
    get: async (key) => (await all())[key],
    put: async (key, value) => {
      await storage.put('backend', KEY, { ...(await all()), [key]: value });
    },
  };
}

/** Forgets every measured choice: the next run measures again. */
export async function forgetBackendChoices(storage: KeyValueStorage): Promise<void> {
  await storage.delete('backend', KEY);
}
