/** An in-memory KeyValueStorage for the controllers' tests: copies values as IndexedDB does, and can be made to fail. */
import type { KeyValueStorage, StoreName } from '../storage/idb';

export class MemoryStorage implements KeyValueStorage {
  readonly stores: Record<StoreName, Map<string, unknown>> = {
    sessions: new Map(),
    checkpoints: new Map(),
    backend: new Map(),
  };
  /** When set, every call rejects with it (a full disk, a blocked database). */
  failure: Error | null = null;

  async get<T>(store: StoreName, key: string): Promise<T | undefined> {
    this.check();
    const value = this.stores[store].get(key);
    return value === undefined ? undefined : (structuredClone(value) as T);
  }

  async put(store: StoreName, key: string, value: unknown): Promise<string> {
    this.check();
    this.stores[store].set(key, structuredClone(value));
    return key;
  }

  async delete(store: StoreName, key: string): Promise<undefined> {
    this.check();
    this.stores[store].delete(key);
    return undefined;
  }

  async deletePrefix(store: StoreName, prefix: string): Promise<undefined> {
    this.check();
    for (const key of [...this.stores[store].keys()]) if (key.startsWith(prefix)) this.stores[store].delete(key);
    return undefined;
  }

  async entries(store: StoreName): Promise<[string, unknown][]> {
    this.check();
    return [...this.stores[store].entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, structuredClone(v)]);
  }

  keys(store: StoreName): string[] {
    return [...this.stores[store].keys()];
  }

  private check() {
    if (this.failure) throw this.failure;
  }
}
