import { promisifyRequest, type UseStore } from 'idb-keyval';

/** A namespaced key-value store: IndexedDB when the browser allows it, memory otherwise. */
export interface Storage {
  /** False when IndexedDB is unavailable and nothing survives a reload. */
  readonly durable: boolean;
  get<T>(key: IDBValidKey): Promise<T | undefined>;
  set(key: IDBValidKey, value: unknown): Promise<void>;
  del(key: IDBValidKey): Promise<void>;
  /** Values whose array key starts with `prefix` (in key order from IndexedDB, in insertion order from memory). */
  list<T>(prefix: string): Promise<T[]>;
  /** Puts (a value), deletes (`undefined`) and merges in one transaction: all or nothing. */
  batch(entries: Entry[]): Promise<void>;
  /** Reads and writes one key in one transaction, so two tabs never interleave (the outbox's lease). */
  update<T>(key: IDBValidKey, fn: (value: T | undefined) => T | undefined): Promise<void>;
}

/** A put (`[key, value]`), a delete (`[key]`) or a merge: one of a batch's writes. */
export type Entry = [IDBValidKey, unknown?] | Merge;

/**
 * Reads `key` and writes what `merge` answers for its value, within the batch's transaction, after
 * its puts and deletes (one merge per key in a batch).
 */
export interface Merge {
  key: IDBValidKey;
  merge(value: unknown): [IDBValidKey, unknown?][];
}

/** Opens the site's own database (`kefu:<namespace>`), never idb-keyval's shared default one. */
export async function openStorage(namespace: string): Promise<Storage> {
  try {
    const storage = idbStorage(reopeningStore(`kefu:${namespace}`));
    await storage.get('probe'); // Private modes, blocked and missing IndexedDB fail here, not later.
    return storage;
  } catch (error) {
    // Not hidden: the store says `durable: false` and the UI tells the shopper.
    console.warn('[kefu] IndexedDB unavailable, keeping data in memory:', error);
    return memoryStorage();
  }
}

/**
 * idb-keyval's `createStore`, made sturdier: the connection gives way when another one upgrades or
 * deletes the database (`versionchange`: otherwise that one stays blocked), and a connection the
 * browser closed (`close`, or an `InvalidStateError` on a new transaction) is reopened.
 */
function reopeningStore(name: string): UseStore {
  let db: Promise<IDBDatabase> | undefined;
  const open = () =>
    (db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name);
      request.onupgradeneeded = () => request.result.createObjectStore('kv');
      request.onsuccess = () => {
        const connection = request.result;
        connection.onclose = connection.onversionchange = () => {
          connection.close();
          db = undefined;
        };
        resolve(connection);
      };
      request.onerror = () => reject(request.error);
    }).catch((error) => {
      db = undefined;
      throw error;
    }));
  return async (mode, callback) => {
    let tx: IDBTransaction;
    try {
      tx = (await open()).transaction('kv', mode);
    } catch {
      // Closed under us (InvalidStateError): once more on a fresh connection, which throws if it fails too.
      db = undefined;
      tx = (await open()).transaction('kv', mode);
    }
    return callback(tx.objectStore('kv'));
  };
}

function idbStorage(store: UseStore): Storage {
  const batch = (entries: Entry[]) =>
    store('readwrite', async (s) => {
      const apply = ([key, value]: [IDBValidKey, unknown?]) => (value === undefined ? s.delete(key) : s.put(value, key));
      const merges = entries.filter((entry): entry is Merge => {
        if (!Array.isArray(entry)) return true;
        apply(entry);
        return false;
      });
      if (merges.length) {
        // The transaction stays active through the microtasks of its requests' success events.
        const values = await Promise.all(merges.map((entry) => promisifyRequest(s.get(entry.key))));
        merges.forEach((entry, i) => entry.merge(values[i]).forEach(apply));
      }
      return promisifyRequest(s.transaction);
    });
  return {
    durable: true,
    get: (key) => store('readonly', (s) => promisifyRequest(s.get(key))),
    set: (key, value) => batch([[key, value]]),
    del: (key) => batch([[key]]),
    list: (prefix) =>
      store('readonly', (s) => promisifyRequest(s.getAll(IDBKeyRange.bound([prefix], [prefix, []])))),
    batch,
    update: (key, fn) => batch([updating(key, fn)]),
  };
}

const updating = <T>(key: IDBValidKey, fn: (value: T | undefined) => T | undefined): Merge =>
  ({ key, merge: (value) => [[key, fn(value as T | undefined)]] });

/** The fallback: same interface, lost on reload (the UI says so). */
export function memoryStorage(): Storage {
  const map = new Map<string, { key: IDBValidKey; value: unknown }>();
  const id = (key: IDBValidKey) => JSON.stringify(key);
  const apply = ([key, value]: [IDBValidKey, unknown?]) => {
    if (value === undefined) map.delete(id(key));
    else map.set(id(key), { key, value: structuredClone(value) });
  };
  const batch = async (entries: Entry[]) => {
    for (const entry of entries) if (Array.isArray(entry)) apply(entry);
    for (const entry of entries) if (!Array.isArray(entry)) entry.merge(structuredClone(map.get(id(entry.key))?.value)).forEach(apply);
  };
  return {
    durable: false,
    get: async (key) => structuredClone(map.get(id(key))?.value) as never,
    set: (key, value) => batch([[key, value]]),
    del: (key) => batch([[key]]),
    list: async (prefix) =>
      [...map.values()].filter((entry) => (entry.key as unknown[])[0] === prefix).map((entry) => structuredClone(entry.value)) as never,
    batch,
    update: (key, fn) => batch([updating(key, fn)]),
  };
}
