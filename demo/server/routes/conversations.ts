import { Hono } from 'hono';
import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import {
  ConversationCreate, HandoffRequest, MESSAGE_BATCH, MessageBatchItem, MessageCreate, type Conversation, type FieldError, type Message,
} from '../../../src/api/schemas';
import { agentConversation } from '../agentConversations';
import { recordAgentEvent } from '../agentEvents';
import { localeOf, log, type BotReply, type Deps, type Env } from '../context';
import type { Queryable } from '../db';
import { conversationStarted, handedOff } from '../facts';
import { groupCommit } from '../groupCommit';
import { messageId } from '../ids';
import type { IdempotencyClaim, Idempotent } from '../idempotency';
import { checkBody, notFound, problemBody, ProblemError, readBody } from '../problem';
import {
  CONVERSATION_COLUMNS, MESSAGE_COLUMNS, toConversation, toMessage, type ConversationRow, type MessageRow,
} from '../rows';
import type { Auth } from '../tokens';

const PAGE = 100;
/** A batch's shape alone: each message is checked on its own, so a bad one fails only itself. */
const BatchEnvelope = v.strictObject({ messages: v.pipe(v.array(v.unknown()), v.minLength(1), v.maxLength(MESSAGE_BATCH)) });

/** Conversations and their messages; the bot answers in the same statement as the question. */
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
    const id = c.req.param('id');
    return idempotent.storedBy(c, body, (claim, auth) => sendMessage(claim, auth, id, body, localeOf(c)));
  });

  // The outbox's flush: a lane's queued messages in one request, each under its own key and with the
  // answer its single post would have had, so one refused message does not fail the others.
  app.post('/conversations/:id/messages/batch', async (c) => {
    const { messages } = await readBody(c, BatchEnvelope);
    c.get('charge')?.(messages.length - 1);
    const auth = c.get('auth');
    const conversation = await ownConversation(db, auth, c.req.param('id'));
    const single = `POST /v1/conversations/${conversation.id}/messages`;
    const results = [];
    for (const [index, raw] of messages.entries()) {
      try {
        const { key, message } = checkBody(MessageBatchItem, raw, `messages.${index}`);
        const answer = await idempotent.item(auth, key, single, message,
          (claim) => sendMessage(claim, auth, conversation.id, message, localeOf(c), `messages.${index}.message.`));
        results.push(answer.status === 201 ? { status: 201, message: answer.body } : { status: answer.status, problem: answer.body });
      } catch (error) {
        if (!(error instanceof ProblemError)) throw error; // Worth a retry: the whole request fails (see MessageBatchResult).
        results.push({ status: error.status, problem: problemBody(error) });
      }
    }
    return c.json({ results });
  });

  // Posts in flight together share one call and one commit (groupCommit.ts); a call that fails as a
  // whole (a race on a key or a message, a lost connection) rolled back all of its posts, so each is
  // tried again alone, in order, and gets the answer its single post gets.
  const submit = groupCommit<Post, Posted>(async (posts) => {
    try {
      return await postMessages(db, posts);
    } catch (error) {
      if (posts.length === 1) return [{ status: 'rejected', reason: error }];
      const results: PromiseSettledResult<Posted>[] = [];
      for (const post of posts) results.push(...await postMessages(db, [post]).catch((reason: unknown) => [{ status: 'rejected' as const, reason }]));
      return results;
    }
  }, GROUP_COMMIT);

  /** A shopper's message, stored with the bot's answer; the streams (and the console) wake after commit. */
  async function sendMessage(
    claim: IdempotencyClaim, auth: Auth, id: string, body: MessageCreate, locale: ReturnType<typeof localeOf>, at = '',
  ) {
    // Pure and cheap, so worked out before the database is asked whether the bot still holds the conversation.
    const answer = bot.reply(body.text, locale);
    const post = postOf(claim, id, body, answer, at);
    // An explicit request for a person also goes to the queue, in the same transaction, so it is posted on its own.
    const posted = answer.handoff
      ? await db.tx(async (q) => {
          const result = settled((await postMessages(q, [post]))[0]!);
          if (result.fresh && result.status === 'bot') await queueForAgent(q, auth, id);
          return result;
        })
      : await submit(post);
    if (posted.fresh) bus.wake(auth.site, auth.owner, { agents: true }).catch((error) => log('error', 'notify failed', { error: String(error) }));
    return posted.message;
  }

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

/** Posts per call at most (groupCommit.ts): at about 0.2 ms of PostgreSQL CPU a post, a full call is some 13 ms of work. */
const GROUP_COMMIT = { max: 64 };

/** A shopper's message as `kefu_post_messages` (migration 12) takes it; `at` prefixes its field errors (a batch item's). */
interface Post {
  row: {
    site: string; owner: string; conversation: string; message_id: string; client_id: string; body: string;
    key: string; fingerprint: string; bot_id: string; bot_text: string; bot_extra: { articleIds: string[]; actions: BotReply['actions'] };
    bot_article: string | null; attachments: string[];
  };
  at: string;
}

/** A stored post: `fresh` is false when the message was stored before (same clientId under another key), and then nothing happened twice. */
interface Posted {
  message: Message;
  fresh: boolean;
  status: Conversation['status'];
}

function postOf(claim: IdempotencyClaim, conversationId: string, body: MessageCreate, answer: BotReply, at: string): Post {
  return {
    row: {
      site: claim.site, owner: claim.owner, conversation: conversationId, message_id: messageId(), client_id: body.clientId,
      body: body.text, key: claim.key, fingerprint: claim.fingerprint, bot_id: messageId(), bot_text: answer.text,
      bot_extra: { articleIds: answer.articleIds, actions: answer.actions }, bot_article: answer.articleIds[0] ?? null,
      attachments: body.attachmentIds ?? [],
    },
    at,
  };
}

/**
 * Stores shoppers' messages with everything that goes with each — events for the shopper's streams
 * and the console, the facts, the bot's answer while the bot holds the conversation, the key's
 * idempotency row — in one prepared statement (`kefu_post_messages`, migration 12), and settles each
 * post on its own: a missing conversation, refused attachments or a key with an answer already
 * stored nothing for that post and fail only it.
 */
async function postMessages(q: Queryable, posts: Post[]): Promise<PromiseSettledResult<Posted>[]> {
  const rows = await q.query<{
    outcome: 'posted' | 'missing' | 'refused' | 'taken';
    message: Message | null; fresh: boolean | null; status: Conversation['status'] | null; refused: FieldError[] | null;
  }>(
    'select outcome, message, fresh, status, refused from kefu_post_messages($1::jsonb)',
    [JSON.stringify(posts.map((post) => post.row))],
    'kefu_post_messages',
  );
  return rows.map((row, i): PromiseSettledResult<Posted> => {
    switch (row.outcome) {
      case 'posted':
        return { status: 'fulfilled', value: { message: row.message!, fresh: row.fresh!, status: row.status! } };
      case 'missing':
        return { status: 'rejected', reason: notFound('Conversation') };
      case 'refused': {
        const errors = row.refused!.map((e) => ({ ...e, path: posts[i]!.at + e.path }));
        return { status: 'rejected', reason: new ProblemError(400, 'Bad Request', 'Some attachments cannot be accepted', errors) };
      }
      case 'taken':
        // The route looks the key's answer up and replays it (or answers 422 for another body).
        return { status: 'rejected', reason: new ProblemError(409, 'Conflict', 'This Idempotency-Key is taken') };
    }
  });
}

/** A settled post's value, or its failure thrown. */
function settled<R>(result: PromiseSettledResult<R>): R {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
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

export async function insertMessage(
  q: Queryable, conversationId: string, author: Message['author'], text: string, clientId: string | null,
  extra: Record<string, unknown> = {},
): Promise<Message> {
  const [row] = await q.query<MessageRow>(
    `insert into messages (id, conversation_id, client_id, author, text, extra) values ($1, $2, $3, $4, $5, $6)
     returning ${MESSAGE_COLUMNS}`,
    [messageId(), conversationId, clientId, author, text, extra],
  );
  return toMessage(row!);
}
