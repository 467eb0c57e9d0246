/**
 * One shopper across touchpoints (design §3): when a device's anonymous visitor signs in, what the
 * visitor owns moves to the signed-in shopper, in one transaction and once.
 *
 * The rules, each enforced here or by the caller (`routes/sessions.ts`):
 * - only the holder of the anonymous session's own token can merge it (the caller passes a visitor
 *   read from a verified bearer token of this site, never a bare `visitorId` from the body);
 * - a visitor merges once: its `shoppers` row is locked, checked and marked `merged_into`, so a
 *   second sign-in with the same anonymous token (with another user's token, say) moves nothing;
 * - only `v:<visitorId>` rows move, only to `u:<userId>`: nothing moves out of a signed-in shopper,
 *   and nothing the visitor writes after the merge follows it anywhere;
 * - a unique key both sides hold resolves towards the signed-in shopper: a client id (the same
 *   client write stored under both, when an outbox retry raced the sign-in) gets a fresh one on the
 *   visitor's row; of two ratings of one subject the newer stays (as when rating again); an
 *   Idempotency-Key the shopper already used keeps the shopper's stored answer.
 *
 * Service subjects keep `signed_in` as it was when they started: insights describe the visit as it
 * happened (an anonymous chat), not who the shopper turned out to be.
 */
import type { Queryable } from './db';
import type { EventBus } from './events';
import { agentConversation } from './agentConversations';
import { recordAgentEvent } from './agentEvents';
import { announceTicket } from './tickets';

/** Tables whose rows belong to one shopper by `owner`, and whose `client_id` is unique per shopper. */
const CLIENT_KEYED = ['conversations', 'tickets', 'ratings', 'uploads'] as const;

export interface Merged {
  conversations: string[];
  tickets: string[];
}

/**
 * Moves everything `v:<visitorId>` owns on `site` to `u:<userId>`, once, in the caller's
 * transaction, and tells the shopper's every widget and the console what moved (the caller wakes
 * the shopper's streams after commit). An unknown or already merged visitor moves nothing.
 */
export async function mergeVisitor(
  q: Queryable, bus: EventBus, site: string, visitorId: string, userId: string,
): Promise<Merged> {
  const from = `v:${visitorId}`;
  const to = `u:${userId}`;
  const [visitor] = await q.query<{ merged_into: string | null }>(
    'select merged_into from shoppers where site = $1 and owner = $2 for update',
    [site, from],
  );
  if (!visitor || visitor.merged_into) return { conversations: [], tickets: [] };

  const params = [site, from, to];
  for (const table of CLIENT_KEYED) {
    await q.query(
      `update ${table} mine set client_id = gen_random_uuid()::text
       where mine.site = $1 and mine.owner = $2
         and exists (select 1 from ${table} theirs where theirs.site = $1 and theirs.owner = $3 and theirs.client_id = mine.client_id)`,
      params,
    );
  }
  await q.query(
    `delete from ratings older using ratings newer
     where older.site = $1 and newer.site = $1 and older.owner in ($2, $3) and newer.owner in ($2, $3)
       and older.owner <> newer.owner
       and older.subject_type = newer.subject_type and older.subject_id = newer.subject_id
       and (newer.created_at, newer.id) > (older.created_at, older.id)`,
    params,
  );
  await q.query(
    `delete from idempotency mine where mine.site = $1 and mine.owner = $2
       and exists (select 1 from idempotency theirs where theirs.site = $1 and theirs.owner = $3 and theirs.key = mine.key)`,
    params,
  );

  const move = (table: string) =>
    q.query<{ id: string }>(`update ${table} set owner = $3 where site = $1 and owner = $2 returning id`, params);
  const conversations = (await move('conversations')).map((row) => row.id);
  const tickets = (await move('tickets')).map((row) => row.id);
  for (const table of ['ratings', 'uploads', 'alerts']) await move(table);
  await q.query('update idempotency set owner = $3 where site = $1 and owner = $2', params);
  await q.query(
    'update shoppers set merged_into = $3, merged_at = now() where site = $1 and owner = $2',
    params,
  );

  for (const id of conversations) {
    const conversation = await agentConversation(q, id);
    const { shopper: _shopper, context: _context, lastMessage: _last, ...own } = conversation;
    await bus.record(q, site, to, { type: 'conversation', conversation: own });
    await recordAgentEvent(q, { type: 'conversation', site, conversation });
  }
  for (const id of tickets) await announceTicket(q, bus, id, 'merged');
  return { conversations, tickets };
}
