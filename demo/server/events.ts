/**
 * Events are rows (so `Last-Event-ID` resumes across restarts and processes) and NOTIFY only
 * wakes listeners: every process LISTENs once and re-reads what its open streams have not seen.
 */
import type { Db, Queryable } from './db';

const CHANNEL = 'kefu_events';

export interface StoredEvent {
  id: string;
  data: Record<string, unknown>;
}

type Wake = () => void;

export function createEventBus(db: Db) {
  const streams = new Map<string, Set<Wake>>();
  let stopListening: (() => Promise<void>) | undefined;
  // Site keys have no spaces, so the first space separates them from the owner.
  const keyOf = (site: string, owner: string) => `${site} ${owner}`;

  return {
    async start() {
      stopListening = await db.listen(CHANNEL, (payload) => {
        for (const wake of streams.get(payload) ?? []) wake();
      });
    },
    async stop() {
      await stopListening?.();
    },
    /** Records an event inside the caller's transaction; call `wake` after commit. */
    async record(q: Queryable, site: string, owner: string, data: { type: string } & Record<string, unknown>) {
      await q.query('insert into events (site, owner, type, data) values ($1, $2, $3, $4)', [site, owner, data.type, data]);
    },
    /** Tells every process that (site, owner) has new events. */
    wake(site: string, owner: string) {
      return db.notify(CHANNEL, keyOf(site, owner));
    },
    /** Events after `afterId`, oldest first. */
    async read(site: string, owner: string, afterId: string, limit = 200): Promise<StoredEvent[]> {
      // Order by the bigint column, not the text alias: as text, "10" sorts before "9".
      const rows = await db.query<{ id: string; data: Record<string, unknown> }>(
        'select id::text as id, data from events where site = $1 and owner = $2 and events.id > $3 order by events.id limit $4',
        [site, owner, afterId, limit],
      );
      return rows;
    },
    /** The newest event id, where a stream without `Last-Event-ID` starts. */
    async head(site: string, owner: string): Promise<string> {
      const [row] = await db.query<{ id: string }>(
        'select coalesce(max(id), 0)::text as id from events where site = $1 and owner = $2',
        [site, owner],
      );
      return row?.id ?? '0';
    },
    watch(site: string, owner: string, wake: Wake): () => void {
      const key = keyOf(site, owner);
      if (!streams.has(key)) streams.set(key, new Set());
      streams.get(key)!.add(wake);
      return () => {
        const set = streams.get(key);
        set?.delete(wake);
        if (set?.size === 0) streams.delete(key);
      };
    },
  };
}

export type EventBus = ReturnType<typeof createEventBus>;
