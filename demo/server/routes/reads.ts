import { Hono } from 'hono';
import { AgentReadRequest, ReadRequest, type Reader } from '../../../src/api/schemas';
import { agentConversation, agentConversationRow } from '../agentConversations';
import { log, type Deps, type Env } from '../context';
import type { Queryable } from '../db';
import { ProblemError, readBody } from '../problem';
import { CONVERSATION_COLUMNS, toConversation, type ConversationRow } from '../rows';
import { ownConversation } from './conversations';

/**
 * Read state, one position per conversation and reader (the shopper, on whichever device, and the
 * agent): the last message read. Marking is idempotent by nature — a position only moves forward,
 * so a repeat or an older message changes nothing — and a move is a `read` event on every open
 * widget of the shopper, so the unread badge clears on the other device and "Read" shows under the
 * shopper's messages the agent has seen.
 */
export function readRoutes({ db, bus }: Deps) {
  const app = new Hono<Env>();
  app.post('/conversations/:id/read', async (c) => {
    const body = await readBody(c, ReadRequest);
    const auth = c.get('auth');
    const { conversation, moved } = await db.tx(async (q) => {
      const own = await ownConversation(q, auth, c.req.param('id'));
      return markRead(q, bus, { site: auth.site, owner: auth.owner, id: own.id }, 'shopper', body.messageId);
    });
    if (moved) wake(bus, auth.site, auth.owner);
    return c.json(toConversation(conversation));
  });
  return app;
}

/** `POST /v1/agent/conversations/:id/read`, mounted behind the agent token by `agentRoutes`. */
export function agentReadRoutes({ db, bus }: Deps) {
  const app = new Hono();
  app.post('/conversations/:id/read', async (c) => {
    const text = await c.req.text();
    const body = text.trim() ? await readBody(c, AgentReadRequest, text) : {};
    const { owner, moved } = await db.tx(async (q) => {
      const row = await agentConversationRow(q, c.req.param('id'));
      return { owner: row, ...(await markRead(q, bus, row, 'agent', body.messageId)) };
    });
    if (moved) wake(bus, owner.site, owner.owner);
    return c.json(await agentConversation(db, owner.id));
  });
  return app;
}

/**
 * Moves `reader`'s position in the conversation to `messageId` (the last message when absent) if
 * that is further on, and records the `read` event for its shopper in the same transaction.
 */
async function markRead(
  q: Queryable, bus: Deps['bus'], conversation: { site: string; owner: string; id: string }, reader: Reader, messageId?: string,
): Promise<{ conversation: ConversationRow; moved: boolean }> {
  const [message] = await q.query<{ id: string; seq: string }>(
    `select id, seq from messages where conversation_id = $1 and ($2::text is null or id = $2) order by seq desc limit 1`,
    [conversation.id, messageId ?? null],
  );
  if (messageId && !message) {
    throw new ProblemError(400, 'Bad Request', 'The body does not match the contract', [
      { path: 'messageId', message: 'is not a message of this conversation' },
    ]);
  }
  const [moved] = message
    ? await q.query<ConversationRow>(
        `update conversations set ${reader}_read = $2, ${reader}_read_seq = $3
         where id = $1 and coalesce(${reader}_read_seq, 0) < $3 returning ${CONVERSATION_COLUMNS}`,
        [conversation.id, message.id, message.seq],
      )
    : [];
  if (moved) {
    await bus.record(q, conversation.site, conversation.owner, {
      type: 'read', conversationId: conversation.id, reader, messageId: message!.id,
    });
    return { conversation: moved, moved: true };
  }
  const [current] = await q.query<ConversationRow>(`select ${CONVERSATION_COLUMNS} from conversations where id = $1`, [conversation.id]);
  return { conversation: current!, moved: false };
}

/** The shopper's streams learn of the move; the event is stored, so a missed wake only delays it. */
function wake(bus: Deps['bus'], site: string, owner: string) {
  bus.wake(site, owner).catch((error) => log('error', 'notify failed', { error: String(error) }));
}
