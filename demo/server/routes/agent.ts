import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { createHash, timingSafeEqual } from 'node:crypto';
import * as v from 'valibot';
import { randomUUID } from 'node:crypto';
import {
  AgentReply, AlertStatus, ConversationStatus, FollowUpCreate, TicketKind, TicketStatus, TicketTransition,
  type ConversationStatus as Status,
} from '../../../src/api/schemas';
import { canTransition, initialStatus, nextStatuses } from '../../../src/api/ticketFlow';
import {
  agentConversation, agentConversationPage, agentConversationRow, toAgentConversations, type AgentConversationRow,
} from '../agentConversations';
import { createAgentFeed, recordAgentEvent } from '../agentEvents';
import { bearerOf, log, type Deps } from '../context';
import type { Queryable } from '../db';
import type { Idempotent } from '../idempotency';
import { announceAlert, conversationClosed, firstResponse, ticketCreated, ticketMoved } from '../facts';
import { alertPage, alertRow, insights, insightsRequest, toAlerts } from '../insights';
import { badQuery, pageOf, pageRequest } from '../paging';
import { ProblemError, readBody } from '../problem';
import { CONVERSATION_COLUMNS, toConversation, type ConversationRow } from '../rows';
import { addTimeline, announceTicket, moveTicket, promisedHours, ticketById, ticketPage, toAgentTickets } from '../tickets';
import { insertMessage, messagePage } from './conversations';
import { agentReadRoutes } from './reads';
import { serveUpload } from './uploads';

const ALL_CONVERSATIONS = ConversationStatus.options;
const WAITING_FOR_PEOPLE: Status[] = ['queued', 'agent'];
const FEED_BATCH = 200;

/**
 * The agent API (`/v1/agent/*`, bearer `KEFU_AGENT_TOKEN`): the console reads the queue, answers
 * shoppers, moves tickets along their state machines and follows everything on one event stream.
 * Every change reaches the shopper's own streams too: recorded in the same transaction, woken after.
 */
export function agentRoutes(deps: Deps, idempotent: Idempotent) {
  const { db, bus, config } = deps;
  const app = new Hono();
  const feed = createAgentFeed(db);
  /** The shopper's streams learn of the change; the events are stored, so a missed wake only delays. */
  const wake = (site: string, owner: string) =>
    bus.wake(site, owner).catch((error) => log('error', 'notify failed', { error: String(error) }));

  app.use('*', async (c, next) => {
    if (!sameSecret(config.agentToken, bearerOf(c))) {
      throw new ProblemError(401, 'Unauthorized', 'The agent token is missing or wrong', undefined, { 'WWW-Authenticate': 'Bearer' });
    }
    await next();
  });
  app.route('/', agentReadRoutes(deps));

  app.get('/conversations', async (c) => {
    const statuses = listQuery(c, 'status', ConversationStatus, { all: ALL_CONVERSATIONS }) ?? WAITING_FOR_PEOPLE;
    const paging = pageRequest(c, 50);
    const rows = await agentConversationPage(db, { statuses, site: c.req.query('site') || null }, paging);
    const { page, next } = pageOf(rows, paging.limit);
    return c.json({ conversations: await toAgentConversations(db, page), next });
  });

  app.get('/conversations/:id/messages', async (c) => {
    const conversation = await agentConversationRow(db, c.req.param('id'));
    return c.json(await messagePage(db, conversation.id, c.req.query('after')));
  });

  app.post('/conversations/:id/messages', async (c) => {
    const body = await readBody(c, AgentReply);
    let answered: AgentConversationRow | undefined;
    const response = await idempotent.asAgent(c, body, async (q) => {
      const conversation = await openConversation(q, c.req.param('id'));
      const message = await insertMessage(q, conversation.id, 'agent', body.text, null);
      await bus.record(q, conversation.site, conversation.owner, { type: 'message', message });
      await recordAgentEvent(q, { type: 'message', site: conversation.site, conversationId: conversation.id, message });
      await firstResponse(q, conversation.site, conversation.id, 'agent');
      // Answering takes the conversation from the queue (or from the bot, which then stays quiet).
      await setStatus(q, conversation, 'agent');
      answered = conversation;
      return message;
    });
    if (answered) await wake(answered.site, answered.owner);
    return response;
  });

  app.post('/conversations/:id/typing', async (c) => {
    const conversation = await openConversation(db, c.req.param('id'), false);
    await bus.record(db, conversation.site, conversation.owner, { type: 'typing', conversationId: conversation.id, author: 'agent' });
    await wake(conversation.site, conversation.owner);
    return c.body(null, 204);
  });

  app.post('/conversations/:id/close', async (c) => {
    const closed = await db.tx(async (q) => {
      const conversation = await agentConversationRow(q, c.req.param('id'), true);
      if (conversation.status !== 'closed') await conversationClosed(q, conversation.site, conversation.id, 'agent');
      await setStatus(q, conversation, 'closed');
      return conversation;
    });
    await wake(closed.site, closed.owner);
    return c.json(await agentConversation(db, closed.id));
  });

  // Chat images and ticket evidence of any shopper, with the shopper's route's safe headers.
  app.get('/uploads/:id', async (c) =>
    serveUpload(c, await db.query('select name, type, data from uploads where id = $1', [c.req.param('id')])));

  app.get('/tickets', async (c) => {
    const statuses = listQuery(c, 'status', TicketStatus);
    const kinds = listQuery(c, 'kind', TicketKind);
    const paging = pageRequest(c, 50);
    const rows = await ticketPage(db, { site: c.req.query('site') || undefined, statuses, kinds }, paging);
    const { page, next } = pageOf(rows, paging.limit);
    return c.json({ tickets: await toAgentTickets(db, page), next });
  });

  app.post('/tickets/:id/transition', async (c) => {
    const body = await readBody(c, TicketTransition);
    const { row, agentTicket } = await db.tx(async (q) => {
      const row = await ticketById(q, c.req.param('id'), true);
      if (!canTransition(row.kind, row.status, body.to, 'agent')) {
        const allowed = nextStatuses(row.kind, row.status, 'agent');
        throw new ProblemError(409, 'Conflict', `A ${row.kind} ticket cannot move from ${row.status} to ${body.to}; `
          + (allowed.length ? `from ${row.status} an agent may move it to ${allowed.join(', ')}` : `no agent step follows ${row.status}`));
      }
      await ticketMoved(q, row, body.to, 'agent');
      await moveTicket(q, row, body.to, 'agent', { note: body.note });
      return { row, ...(await announceTicket(q, bus, row.id, 'transitioned')) };
    });
    await wake(row.site, row.owner);
    return c.json(agentTicket);
  });

  app.get('/insights', async (c) => c.json(await insights(db, insightsRequest(c))));

  app.get('/alerts', async (c) => {
    const statuses = listQuery(c, 'status', AlertStatus, { all: AlertStatus.options }) ?? ['open'];
    const paging = pageRequest(c, 50);
    const rows = await alertPage(db, { statuses, site: c.req.query('site') || null }, paging);
    const { page, next } = pageOf(rows, paging.limit);
    return c.json({ alerts: await toAlerts(db, page), next });
  });

  app.post('/alerts/:id/resolve', async (c) => {
    const alert = await db.tx(async (q) => {
      const row = await alertRow(q, c.req.param('id'), true);
      if (row.status === 'resolved') return (await toAlerts(q, [row]))[0]!;
      await q.query(`update alerts set status = 'resolved', resolved_at = now() where id = $1`, [row.id]);
      return announceAlert(q, row.id);
    });
    return c.json(alert);
  });

  /**
   * A follow-up complaint for the shopper who gave the low rating: theirs (same site and owner), so
   * it appears in their Tickets and on their streams like one they filed, and only there.
   */
  app.post('/alerts/:id/follow-up', async (c) => {
    const text = await c.req.text();
    const body = text.trim() ? await readBody(c, FollowUpCreate, text) : {};
    let shopper: { site: string; owner: string } | undefined;
    const response = await idempotent.asAgent(c, body, async (q) => {
      const row = await alertRow(q, c.req.param('id'), true);
      if (row.follow_up_ticket_id) {
        throw new ProblemError(409, 'Conflict', `This alert already has a follow-up ticket (${row.follow_up_ticket_id})`);
      }
      const status = initialStatus('complaint');
      const id = `t_${randomUUID()}`;
      const description = body.description
        ?? `Following up on your ${row.score}-star rating of this ${row.subject_type}${row.comment ? `: “${row.comment}”` : '.'}`;
      await q.query(
        `insert into tickets (id, site, owner, client_id, kind, status, category, description, due_at)
         values ($1, $2, $3, $4, 'complaint', $5, $6, $7, now() + $8::int * interval '1 hour')`,
        [id, row.site, row.owner, randomUUID(), status, body.category ?? 'follow_up', description, promisedHours(status, true)],
      );
      await addTimeline(q, id, status, 'agent', 'Opened by an agent after your rating');
      await ticketCreated(q, id, 'agent', { subjectType: row.subject_type, subjectId: row.subject_id });
      await q.query('update alerts set follow_up_ticket_id = $2 where id = $1', [row.id, id]);
      await announceAlert(q, row.id);
      shopper = row;
      return (await announceTicket(q, bus, id, 'created')).agentTicket;
    });
    if (shopper) await wake(shopper.site, shopper.owner);
    return response;
  });

  app.get('/events', async (c) => {
    const site = c.req.query('site') || null;
    const lastEventId = c.req.header('Last-Event-ID') ?? '';
    // Watching and the starting point are settled before the response goes out, so a client that
    // has the headers knows every later event will reach it.
    let wakeStream = () => {};
    const unwatch = await feed.watch(() => wakeStream());
    let cursor: string;
    try {
      cursor = /^\d{1,18}$/.test(lastEventId) ? lastEventId : await feed.head();
    } catch (error) {
      unwatch();
      throw error;
    }
    return streamSSE(c, async (stream) => {
      let pending = Promise.resolve();
      // Wakes are chained so events go out once each and in order, however many NOTIFYs arrive.
      const drain = () => {
        pending = pending.then(async () => {
          // A long absence (Last-Event-ID far back) is sent in batches until caught up.
          for (let batch = FEED_BATCH; batch === FEED_BATCH;) {
            const events = await feed.read(cursor, site, FEED_BATCH);
            for (const event of events) {
              await stream.writeSSE({ id: event.id, data: JSON.stringify(event.data) });
              cursor = event.id;
            }
            batch = events.length;
          }
        });
        return pending;
      };
      wakeStream = () => void drain().catch(() => stream.abort());
      const ping = setInterval(() => void stream.write(': ping\n\n').catch(() => stream.abort()), 25_000);
      stream.onAbort(() => {
        unwatch();
        clearInterval(ping);
      });
      await stream.write('retry: 3000\n\n');
      await drain();
      await new Promise<void>((resolve) => stream.onAbort(resolve));
    });
  });

  /** The conversation (locked, unless told otherwise); a closed one takes no more replies. */
  async function openConversation(q: Queryable, id: string, lock = true) {
    const conversation = await agentConversationRow(q, id, lock);
    if (conversation.status === 'closed') throw new ProblemError(409, 'Conflict', 'This conversation is closed');
    return conversation;
  }

  /**
   * Moves a conversation to `status` (marking it active either way) and, when that changes its
   * status, tells its shopper and the console.
   */
  async function setStatus(q: Queryable, conversation: AgentConversationRow, status: Status) {
    const [row] = await q.query<ConversationRow>(
      `update conversations set status = $2, updated_at = now() where id = $1 returning ${CONVERSATION_COLUMNS}`,
      [conversation.id, status],
    );
    if (conversation.status === status) return;
    await bus.record(q, conversation.site, conversation.owner, { type: 'conversation', conversation: toConversation(row!) });
    await recordAgentEvent(q, { type: 'conversation', site: conversation.site, conversation: await agentConversation(q, conversation.id) });
  }

  return app;
}

/** Compares the bearer with the agent token in constant time (hashes first, so lengths leak nothing). */
function sameSecret(expected: string, given: string | undefined): boolean {
  if (!expected || !given) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(expected), digest(given));
}

/**
 * A comma-separated filter (`?status=queued,agent`) checked against a picklist; absent → undefined.
 * `aliases` name whole sets (`all`). A wrong value is a 400 naming the parameter.
 */
function listQuery<const T extends string>(
  c: Context, name: string, schema: v.PicklistSchema<T[], undefined>, aliases: Record<string, readonly T[]> = {},
): T[] | undefined {
  const raw = c.req.query(name);
  if (!raw) return undefined;
  const values: string[] = raw.split(',').flatMap((value): readonly string[] => aliases[value] ?? [value]);
  const wrong = values.find((value) => !v.is(schema, value));
  if (wrong !== undefined) {
    throw badQuery(name, `must be one of ${[...schema.options, ...Object.keys(aliases)].join(', ')} (got ${wrong.slice(0, 40)})`);
  }
  return values as T[];
}
