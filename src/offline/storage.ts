import { createStore, del, get, promisifyRequest, set, type UseStore } from 'idb-keyval';

/** A namespaced key-value store: IndexedDB when the browser allows it, memory otherwise. */
export interface Storage {
  /** False when IndexedDB is unavailable and nothing survives a reload. */
  readonly durable: boolean;
  get<T>(key: IDBValidKey): Promise<T | undefined>;
  set(key: IDBValidKey, value: unknown): Promise<void>;
  del(key: IDBValidKey): Promise<void>;
  /** Values whose array key starts with `prefix`, in key order. */
  list<T>(prefix: string): Promise<T[]>;
}

/** Opens the site's own database (`kefu:<namespace>`), never idb-keyval's shared default one. */
export async function openStorage(namespace: string): Promise<Storage> {
  try {
    if (typeof indexedDB === 'undefined') throw new Error('no IndexedDB');
    const store = createStore(`kefu:${namespace}`, 'kv');
    await get('probe', store); // Private modes and blocked storage fail here, not later.
    return idbStorage(store);
  } catch {
    return memoryStorage();
  }
}

function idbStorage(store: UseStore): Storage {
  return {
    durable: true,
    get: (key) => get(key, store),
    set: (key, value) => set(key, value, store),
    del: (key) => del(key, store),
    list: (prefix) =>
      store('readonly', (s) => promisifyRequest(s.getAll(IDBKeyRange.bound([prefix], [prefix, []])))),
  };
}

/** The fallback: same interface, lost on reload (the UI says so). */
export function memoryStorage(): Storage {
  const map = new Map<string, { key: IDBValidKey; value: unknown }>();
  const id = (key: IDBValidKey) => JSON.stringify(key);
  return {
    durable: false,
    get: async (key) => map.get(id(key))?.value as never,
    set: async (key, value) => void map.set(id(key), { key, value: structuredClone(value) }),
    del: async (key) => void map.delete(id(key)),
    list: async (prefix) =>
      [...map.values()]
        .filter((entry) => Array.isArray(entry.key) && entry.key[0] === prefix)
        .sort((a, b) => compareKeys(a.key, b.key))
        .map((entry) => structuredClone(entry.value)) as never,
  };
}

/** IndexedDB's key order for the keys this project uses (numbers before strings, arrays by item). */
function compareKeys(a: IDBValidKey, b: IDBValidKey): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const order = compareKeys(a[i] as IDBValidKey, b[i] as IDBValidKey);
      if (order) return order;
    }
    return a.length - b.length;
  }
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
