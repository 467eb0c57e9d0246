/**
 * The widget's storage under the shopper's consent (design §2, §5.6). Until consent is given
 * (`consent: 'pending'`), everything lives in memory and IndexedDB is not even opened (opening
 * creates the database). `grant()` moves what memory holds into the site's own database;
 * `deny()` deletes that database and carries on in memory; `wipe()` (logout) clears both.
 */
import { memoryStorage, openStorage, type Storage } from '../offline/storage';

export interface ConsentStorage extends Storage {
  /** Whether the shopper consented (always, unless the site asked for `consent: 'pending'`). */
  readonly granted: boolean;
  /** Opens IndexedDB when consent is given; memory otherwise. */
  open(): Promise<void>;
  grant(): Promise<void>;
  deny(): Promise<void>;
  /** Clears memory and deletes the site's database (`kefu:<site>`): logout and denied consent. */
  wipe(): Promise<void>;
}

export function createConsentStorage(site: string, pending: boolean): ConsentStorage {
  let current: Storage = memoryStorage();
  // Opened once and kept: after a wipe it reopens (and recreates the database) on its next use.
  let database: Storage | undefined;
  // Keys written to memory, so a grant can move them (memory storage cannot list its keys).
  const keys = new Map<string, IDBValidKey>();
  const note = (key: IDBValidKey) => current !== database && keys.set(JSON.stringify(key), key);
  // Every call waits for a move or a wipe under way, so nothing lands in the store being left.
  let gate: Promise<unknown> = Promise.resolve();
  const queue = <T>(fn: () => Promise<T>, exclusive?: boolean): Promise<T> => {
    const run = gate.then(fn);
    if (exclusive) gate = run.catch(() => undefined);
    return run;
  };

  const open = () =>
    queue(async () => {
      if (pending || current === database) return;
      const durable = (database ??= await openStorage(site));
      for (const key of keys.values()) {
        const value = await current.get(key);
        if (value !== undefined) await durable.set(key, value);
      }
      keys.clear();
      current = durable;
    }, true);

  const wipe = () =>
    queue(async () => {
      keys.clear();
      if (pending || current !== database) current = memoryStorage();
      await deleteDatabase(`kefu:${site}`);
    }, true);

  return {
    get durable() {
      return current.durable;
    },
    get granted() {
      return !pending;
    },
    get: (key) => queue(() => current.get(key)),
    set: (key, value) => queue(() => (note(key), current.set(key, value))),
    del: (key) => queue(() => current.del(key)),
    list: (prefix) => queue(() => current.list(prefix)),
    batch: (entries) => queue(() => (entries.forEach((entry) => note(Array.isArray(entry) ? entry[0] : entry.key)), current.batch(entries))),
    update: (key, fn) => queue(() => (note(key), current.update(key, fn))),
    open,
    grant() {
      pending = false;
      return open();
    },
    deny() {
      pending = true;
      return wipe();
    },
    wipe,
  };
}

/**
 * Deletes database `name` (nothing happens if it does not exist). The store's own connection gives
 * way on `versionchange` and reopens on its next use (offline/storage.ts), so this never blocks.
 */
export function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB == 'undefined') return resolve();
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  });
}
