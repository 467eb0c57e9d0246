import type { Storage } from './storage';

/** A copy read from the cache, and the refresh under way. */
export interface Cached<T> {
  /** The stored copy (`stale`), or the value just loaded when there was none. */
  value: T;
  /** When `value` was loaded (ms since the epoch): "as of 10:42" while offline. */
  at: number;
  stale: boolean;
  /** The fresh value once loaded (also stored); rejects when loading fails (offline, say). */
  fresh: Promise<T>;
}

interface Entry {
  key: [string, string, string];
  value: unknown;
  at: number;
}

/**
 * The offline reading cache (design §5.6): FAQ articles, the last conversations, orders and tickets,
 * stale-while-revalidate. Scoped per site by the storage (the site's own database) and per user by
 * `scope` (a key prefix, e.g. `u:<id>` or `v:<visitorId>`), so one shopper never reads another's copy.
 */
export function createCache(storage: Storage, scope: string) {
  const loads = new Map<string, Promise<unknown>>();
  const key = (name: string): Entry['key'] => ['cache', scope, name];
  const put = (name: string, value: unknown) => storage.set(key(name), { key: key(name), value, at: Date.now() } satisfies Entry);

  /** Loads, stores and answers a fresh value; one load per name at a time. */
  function refresh<T>(name: string, load: () => Promise<T>): Promise<T> {
    let fresh = loads.get(name) as Promise<T> | undefined;
    if (!fresh) {
      fresh = load().then(async (value) => {
        // A copy that cannot be kept (quota) is no reason to refuse the fresh value.
        await put(name, value).catch((error) => console.warn('[kefu] cache:', error));
        return value;
      });
      loads.set(name, fresh);
      void fresh.finally(() => loads.delete(name)).catch(() => undefined); // The caller gets the failure through `fresh`.
    }
    return fresh;
  }

  return {
    /**
     * Answers the stored copy at once and refreshes it (`fresh`); without a copy, waits for the
     * load, and rejects with its failure.
     */
    async read<T>(name: string, load: () => Promise<T>): Promise<Cached<T>> {
      const stored = await storage.get<Entry>(key(name));
      const fresh = refresh(name, load);
      if (!stored) return { value: await fresh, at: Date.now(), stale: false, fresh };
      // Nobody may await the refresh of a copy on show; its failure is still `fresh`'s to tell.
      fresh.catch(() => undefined);
      return { value: stored.value as T, at: stored.at, stale: true, fresh };
    },
    /** Stores a value the widget got elsewhere (a ticket it just created, say). */
    put,
    /** Forgets the copies of one user scope (this one by default), or of every scope with `'*'`: logout. */
    async wipe(which = scope) {
      const gone = (await storage.list<Entry>('cache')).filter((entry) => which == '*' || entry.key[1] == which);
      await (storage.batch
        ? storage.batch(gone.map((entry) => [entry.key]))
        : Promise.all(gone.map((entry) => storage.del(entry.key))));
    },
  };
}

export type Cache = ReturnType<typeof createCache>;
