/**
 * The agent console's event feed (`GET /v1/agent/events`). Like the shoppers' events (`events.ts`),
 * events are rows in `agent_events`, so `Last-Event-ID` resumes across restarts and processes, and a
 * NOTIFY only wakes the open streams. Here the NOTIFY is sent inside the writer's transaction:
 * PostgreSQL delivers it at commit and drops it on rollback, so no writer has to remember a wake
 * after commit, and a stream never wakes before the row it should read is visible. The one
 * exception is the hot path, a shopper's message post (`kefu_post_messages`): a NOTIFY inside its
 * transaction would serialise every post's commit on PostgreSQL's notify lock, so it wakes the
 * console after commit through the event bus (`bus.wake(…, { agents: true })`).
 */
import type { AgentConversation, AgentTicket, Message } from '../../src/api/schemas';
import type { Db, Queryable } from './db';

export const AGENT_CHANNEL = 'kefu_agent_events';

/** What happened to a ticket, so the console can say it without diffing (`merged`: a visitor's, now a signed-in shopper's). */
export type TicketChange = 'created' | 'appealed' | 'commented' | 'transitioned' | 'merged';

/** The events of the console's feed; every one names its site. */
export type AgentEvent =
  | { type: 'message'; site: string; conversationId: string; message: Message }
  | { type: 'conversation'; site: string; conversation: AgentConversation }
  | { type: 'ticket'; site: string; change: TicketChange; ticket: AgentTicket };

export interface StoredAgentEvent {
  id: string;
  data: AgentEvent;
}

/** Records an event in the caller's transaction; the streams wake when it commits. */
export async function recordAgentEvent(q: Queryable, event: AgentEvent) {
  await q.query(
    `with event as (insert into agent_events (site, type, data) values ($1, $2, $3) returning id)
     select pg_notify('${AGENT_CHANNEL}', '') from event`,
    [event.site, event.type, event],
  );
}

type Wake = () => void;

/** The console streams of this process: one LISTEN, started by the first stream, wakes them all. */
export function createAgentFeed(db: Db) {
  const streams = new Set<Wake>();
  let listening: Promise<unknown> | undefined;

  return {
    /**
     * Registers a stream; resolves once this process listens, so a stream that reads after it
     * misses nothing committed later. Returns the unregister function.
     */
    async watch(wake: Wake): Promise<() => void> {
      listening ??= db
        .listen(AGENT_CHANNEL, () => {
          for (const each of streams) each();
        })
        .catch((error: unknown) => {
          listening = undefined; // The next stream tries again.
          throw error;
        });
      await listening;
      streams.add(wake);
      return () => void streams.delete(wake);
    },
    /** Events after `afterId`, oldest first, of one site or all. */
    read(afterId: string, site: string | null, limit = 200): Promise<StoredAgentEvent[]> {
      return db.query<StoredAgentEvent>(
        // Ordered by the column, not by the text alias `id` (where "10" sorts before "9").
        `select id::text as id, data from agent_events where id > $1 and ($2::text is null or site = $2)
         order by agent_events.id limit $3`,
        [afterId, site, limit],
      );
    },
    /** The newest event id, where a stream without `Last-Event-ID` starts. */
    async head(): Promise<string> {
      const [row] = await db.query<{ id: string }>('select coalesce(max(id), 0)::text as id from agent_events');
      return row?.id ?? '0';
    },
  };
}
