import { Hono } from 'hono';
import { randomUUID } from 'node:crypto';
import { ConversationCreate, HandoffRequest, MessageCreate, type Message } from '../../../src/api/schemas';
import { agentConversation } from '../agentConversations';
import { recordAgentEvent } from '../agentEvents';
import { localeOf, type Deps, type Env } from '../context';
import type { Queryable } from '../db';
import { conversationStarted, firstResponse, handedOff, shopperAsked } from '../facts';
import type { Idempotent } from '../idempotency';
import { notFound, ProblemError, readBody } from '../problem';
import {
  CONVERSATION_COLUMNS, MESSAGE_COLUMNS, toConversation, toMessage, type ConversationRow, type MessageRow,
} from '../rows';
import type { Auth } from '../tokens';

const PAGE = 100;

/** Conversations and their messages; the bot answers in the same transaction as the question. */
export function conversationRoutes({ db, bus, bot }: Deps, idempotent: Idempotent) {
  const app = new Hono<Env>();

  app.get('/conversations', async (c) => {
    const { site, owner } = c.get('auth');
    const rows = await db.query<ConversationRow>(
      `select ${CONVERSATION_COLUMNS} from conversations where site = $1 and owner = $2 order by updated_at desc limit 50`,
      [site, owner],
    );
    return c.json({ conversations: rows.map(toConversation) });
  });

  app.post('/conversations', async (c) => {
    const body = await readBody(c, ConversationCreate);
    return idempotent(c, body, async (q, auth) => {
      const [row] = await q.query<ConversationRow>(
        `insert into conversations (id, site, owner, client_id, context) values ($1, $2, $3, $4, $5)
         on conflict (site, owner, client_id) do update set client_id = excluded.client_id
         returning ${CONVERSATION_COLUMNS}`,
        [`c_${randomUUID()}`, auth.site, auth.owner, body.clientId, body.context ?? null],
      );
      await conversationStarted(q, { site: auth.site, owner: auth.owner, id: row!.id, context: body.context, signedIn: auth.userId !== null });
      return toConversation(row!);
    });
  });

  app.get('/conversations/:id/messages', async (c) => {
    const conversation = await ownConversation(db, c.get('auth'), c.req.param('id'));
    return c.json(await messagePage(db, conversation.id, c.req.query('after')));
  });

  app.post('/conversations/:id/messages', async (c) => {
    const body = await readBody(c, MessageCreate);
    const locale = localeOf(c);
    return idempotent(c, body, async (q, auth) => {
      const conversation = await ownConversation(q, auth, c.req.param('id'));
      const message = await insertShopperMessage(q, conversation.id, body.text, body.clientId);
      // Sent before under another Idempotency-Key: answer with that message, and nothing happens twice.
      if (!message.fresh) return message.message;
      await bus.record(q, auth.site, auth.owner, { type: 'message', message: message.message });
      await recordAgentEvent(q, { type: 'message', site: auth.site, conversationId: conversation.id, message: message.message });
      await shopperAsked(q, auth.site, conversation.id);
      if (conversation.status === 'bot') {
        const answer = bot.reply(body.text, locale);
        const reply = await insertMessage(q, conversation.id, 'bot', answer.text, null, {
          articleIds: answer.articleIds,
          actions: answer.actions,
        });
        await bus.record(q, auth.site, auth.owner, { type: 'message', message: reply });
        await firstResponse(q, auth.site, conversation.id, 'bot', { articleId: answer.articleIds[0] });
        // An explicit request for a person goes straight to the queue.
        if (answer.handoff) await queueForAgent(q, auth, conversation.id);
      }
      await q.query('update conversations set updated_at = now() where id = $1', [conversation.id]);
      return message.message;
    });
  });

  app.post('/conversations/:id/handoff', async (c) => {
    const auth = c.get('auth');
    const text = await c.req.text();
    if (text.trim()) await readBody(c, HandoffRequest, text);
    const conversation = await db.tx(async (q) => {
      const current = await ownConversation(q, auth, c.req.param('id'));
      if (current.status === 'closed') throw new ProblemError(409, 'Conflict', 'This conversation is closed');
      return current.status === 'bot' ? await queueForAgent(q, auth, current.id) : toConversation(current);
    });
    await bus.wake(auth.site, auth.owner);
    return c.json(conversation);
  });

  /** bot → queued, with a system message saying so; a no-op for a conversation already with people. */
  async function queueForAgent(q: Queryable, auth: Auth, id: string) {
    const [row] = await q.query<ConversationRow>(
      `update conversations set status = 'queued', updated_at = now() where id = $1 and status = 'bot'
       returning ${CONVERSATION_COLUMNS}`,
      [id],
    );
    if (!row) return toConversation((await ownConversation(q, auth, id)));
    const conversation = toConversation(row);
    await handedOff(q, auth.site, id);
    await bus.record(q, auth.site, auth.owner, { type: 'conversation', conversation });
    const notice = await insertMessage(q, id, 'system', 'handoff_queued', null);
    await bus.record(q, auth.site, auth.owner, { type: 'message', message: notice });
    // The console learns of the newly queued shopper, with context and last word, in this transaction.
    await recordAgentEvent(q, { type: 'conversation', site: auth.site, conversation: await agentConversation(q, id) });
    return conversation;
  }

  return app;
}

/** The conversation if this shopper owns it; anything else is the same 404 as a missing id. */
export async function ownConversation(q: Queryable, auth: Auth, id: string) {
  const [row] = await q.query<ConversationRow>(
    `select ${CONVERSATION_COLUMNS} from conversations where id = $1 and site = $2 and owner = $3`,
    [id, auth.site, auth.owner],
  );
  if (!row) throw notFound('Conversation');
  return row;
}

/** One page of a conversation's messages after the message `after` (from the start when absent). */
export async function messagePage(q: Queryable, conversationId: string, after = '') {
  const rows = await q.query<MessageRow>(
    `select ${MESSAGE_COLUMNS} from messages where conversation_id = $1
       and seq > coalesce((select seq from messages where id = $2 and conversation_id = $1), 0)
     order by seq limit ${PAGE + 1}`,
    [conversationId, after],
  );
  const page = rows.slice(0, PAGE).map(toMessage);
  return { messages: page, next: rows.length > PAGE ? page.at(-1)!.id : null };
}

/** Inserts the shopper's message once per client id; `fresh` is false when it already existed. */
async function insertShopperMessage(q: Queryable, conversationId: string, text: string, clientId: string) {
  const [row] = await q.query<MessageRow>(
    `insert into messages (id, conversation_id, client_id, author, text) values ($1, $2, $3, 'shopper', $4)
     on conflict (conversation_id, client_id) where client_id is not null do nothing
     returning ${MESSAGE_COLUMNS}`,
    [`m_${randomUUID()}`, conversationId, clientId, text],
  );
  if (row) return { message: toMessage(row), fresh: true };
  const [existing] = await q.query<MessageRow>(
    `select ${MESSAGE_COLUMNS} from messages where conversation_id = $1 and client_id = $2`,
    [conversationId, clientId],
  );
  return { message: toMessage(existing!), fresh: false };
}

export async function insertMessage(
  q: Queryable, conversationId: string, author: Message['author'], text: string, clientId: string | null,
  extra: Record<string, unknown> = {},
): Promise<Message> {
  const [row] = await q.query<MessageRow>(
    `insert into messages (id, conversation_id, client_id, author, text, extra) values ($1, $2, $3, $4, $5, $6)
     returning ${MESSAGE_COLUMNS}`,
    [`m_${randomUUID()}`, conversationId, clientId, author, text, extra],
  );
  return toMessage(row!);
}
