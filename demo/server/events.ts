/**
 * Events are rows (so `Last-Event-ID` resumes across restarts and processes) and NOTIFY only
 * wakes listeners: every process LISTENs once and re-reads what its open streams have not seen.
 */
import { AGENT_CHANNEL } from './agentEvents';
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
  const pendingKeys = new Set<string>();
  let wakeAgents = false;
  /** The NOTIFY on its way to PostgreSQL, and the next one, still gathering keys. */
  let sending: Promise<unknown> = Promise.resolve();
  let gathering: Promise<void> | undefined;
  // Site keys have no spaces, so the first space separates them from the owner.
  const keyOf = (site: string, owner: string) => `${site} ${owner}`;

  return {
    async start() {
      stopListening = await db.listen(CHANNEL, (payload) => {
        for (const key of payload.split('\n')) for (const wake of streams.get(key) ?? []) wake();
      });
    },
    async stop() {
      await stopListening?.();
    },
    /** Records an event inside the caller's transaction; call `wake` after commit. */
    async record(q: Queryable, site: string, owner: string, data: { type: string } & Record<string, unknown>) {
      await q.query('insert into events (site, owner, type, data) values ($1, $2, $3, $4)', [site, owner, data.type, data]);
    },
    /**
     * Tells every process that (site, owner) has new events, and with `agents` the console streams
     * too. Wakes go out after the writers' commits, as one statement for all the wakes asked for
     * while the previous one was on its way (at least one turn of the event loop): a NOTIFY inside a
     * transaction would hold PostgreSQL's notify lock through that commit's WAL flush, so concurrent
     * commits could not share a flush, and each NOTIFY is a commit of its own. Under load the
     * batches grow by themselves (about one NOTIFY per pool round trip, not one per few posts); when
     * idle a wake leaves at once.
     */
    wake(site: string, owner: string, { agents = false } = {}): Promise<void> {
      pendingKeys.add(keyOf(site, owner));
      wakeAgents ||= agents;
      // The previous NOTIFY's failure is reported to its own callers; this one is sent regardless.
      gathering ??= sending.catch(() => undefined).then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(async () => {
        const payloads = pack([...pendingKeys]);
        const channels = payloads.map(() => CHANNEL);
        if (wakeAgents) {
          channels.push(AGENT_CHANNEL);
          payloads.push('');
        }
        pendingKeys.clear();
        wakeAgents = false;
        gathering = undefined;
        sending = db.query('select pg_notify(channel, payload) from unnest($1::text[], $2::text[]) as n (channel, payload)', [
          channels, payloads,
        ], 'kefu_notify');
        await sending;
      });
      return gathering;
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

/** Joins keys with newlines into payloads under PostgreSQL's 8,000-byte NOTIFY limit. */
function pack(keys: string[]): string[] {
  const payloads: string[] = [];
  let current = '';
  for (const key of keys) {
    if (current && current.length + key.length + 1 > 7_900) {
      payloads.push(current);
      current = '';
    }
    current = current ? `${current}\n${key}` : key;
  }
  if (current) payloads.push(current);
  return payloads;
}
