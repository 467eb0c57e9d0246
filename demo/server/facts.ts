/**
 * Service facts: every thing that happens in the service, recorded once as a row to aggregate
 * (`service_facts`), in the transaction of the write that made it happen. The thing it happened to
 * (a conversation, ticket or article) is a `service_subjects` row carrying the dimensions the
 * console groups by — flow, topic, page, device, agent — so a figure is one grouped SQL query
 * (insights.ts), never rows loaded into memory.
 *
 * A low rating (1–2) also raises an alert for the console (`alerts`, and an `alert` event on the
 * agent feed), closing the loop: an agent sees the complaint live and can follow it up.
 */
import { randomUUID } from 'node:crypto';
import type { HelpEventBatch, PageContext, Rating, TicketStatus } from '../../src/api/schemas';
import { isClosed } from '../../src/api/ticketFlow';
import type { Queryable } from './db';
import { alertById } from './insights';
import { notFound } from './problem';

export type SubjectType = 'conversation' | 'ticket' | 'article' | 'help';

/** A rating at or below this raises an alert. */
export const ALERT_SCORE = 2;

/** The path of a page (no origin, query or fragment): what the console groups pages by. */
export function pageOf(page: string | undefined): string | null {
  if (!page) return null;
  try {
    return new URL(page, 'https://kefu.invalid').pathname.slice(0, 512);
  } catch {
    return page.slice(0, 512);
  }
}

interface Fact {
  site: string;
  subjectType: SubjectType;
  subjectId: string;
  kind: 'conversation_started' | 'first_response' | 'handoff' | 'conversation_closed' | 'ticket_created' | 'ticket_transition' | 'rating';
  actor?: string | null;
  /** Milliseconds from the subject's start (or the asking) to this fact, where the fact measures a wait. */
  durationSql?: string;
  score?: number | null;
  comment?: string | null;
  status?: string | null;
  dueAt?: Date | null;
  late?: boolean | null;
}

async function insertFact(q: Queryable, fact: Fact) {
  await q.query(
    `insert into service_facts (site, subject_type, subject_id, kind, actor, score, comment, status, due_at, late)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      fact.site, fact.subjectType, fact.subjectId, fact.kind, fact.actor ?? null, fact.score ?? null, fact.comment ?? null,
      fact.status ?? null, fact.dueAt ?? null, fact.late ?? null,
    ],
  );
}

/** A new conversation: its dimensions from the page context the widget sent, and whether the shopper is signed in. */
export async function conversationStarted(
  q: Queryable, conversation: { site: string; owner: string; id: string; context: PageContext | null | undefined; signedIn: boolean },
) {
  const context = conversation.context ?? {};
  const [fresh] = await q.query(
    `insert into service_subjects (site, subject_type, subject_id, flow, topic, page, device, locale, signed_in, owner)
     values ($1, 'conversation', $2, 'chat', $3, $4, $5, $6, $7, $8)
     on conflict do nothing returning subject_id`,
    [
      conversation.site, conversation.id, context.tags?.[0] ?? null, pageOf(context.page), context.device ?? null,
      context.locale ?? null, conversation.signedIn, conversation.owner,
    ],
  );
  // A retried create answers the same conversation; it started once.
  if (fresh) await insertFact(q, { site: conversation.site, subjectType: 'conversation', subjectId: conversation.id, kind: 'conversation_started' });
}

/**
 * The first answer of the bot, or of a person, in a conversation (each recorded once), timed from
 * when the shopper asked — for a person, from the handoff when there was one. The bot's answer also
 * names the conversation's topic (the best article's first tag) when the page sent none.
 */
export async function firstResponse(
  q: Queryable, site: string, conversationId: string, actor: 'bot' | 'agent', options: { articleId?: string } = {},
) {
  const column = actor === 'bot' ? 'bot_answered_at' : 'agent_answered_at';
  const since = actor === 'bot' ? 'coalesce(asked_at, created_at)' : 'coalesce(handoff_at, asked_at, created_at)';
  await q.query(
    `with answered as (
       update service_subjects set ${column} = now(),
         agent = ${actor === 'agent' ? "coalesce(agent, 'agent')" : 'agent'},
         topic = coalesce(topic, (select coalesce(tags[1], id) from articles where site = $1 and id = $3))
       where site = $1 and subject_type = 'conversation' and subject_id = $2 and ${column} is null
       returning ${since} as since
     )
     insert into service_facts (site, subject_type, subject_id, kind, actor, duration_ms)
     select $1::text, 'conversation', $2::text, 'first_response', $4::text,
       greatest(0, round(extract(epoch from (now() - since)) * 1000))::bigint from answered`,
    [site, conversationId, options.articleId ?? null, actor],
  );
}

/** The conversation went to the queue for a person. */
export async function handedOff(q: Queryable, site: string, conversationId: string) {
  await q.query(
    `update service_subjects set handoff_at = coalesce(handoff_at, now())
     where site = $1 and subject_type = 'conversation' and subject_id = $2`,
    [site, conversationId],
  );
  await insertFact(q, { site, subjectType: 'conversation', subjectId: conversationId, kind: 'handoff' });
}

/** The conversation was closed: its resolution time runs from its start. */
export async function conversationClosed(q: Queryable, site: string, conversationId: string, actor: string) {
  await q.query(
    `insert into service_facts (site, subject_type, subject_id, kind, actor, duration_ms)
     select $1::text, 'conversation', $2::text, 'conversation_closed', $3::text,
       greatest(0, round(extract(epoch from (now() - created_at)) * 1000))::bigint
     from conversations where id = $2`,
    [site, conversationId, actor],
  );
}

/**
 * A new ticket: grouped by its kind (the flow) and category (the topic); page and device come from
 * `origin` when it follows up on something. Its `owner` is the shopper who filed it (none for an
 * agent's follow-up), which the self-service rate reads.
 */
export async function ticketCreated(
  q: Queryable, ticketId: string, actor: 'shopper' | 'agent', origin?: { subjectType: SubjectType; subjectId: string },
) {
  await q.query(
    `insert into service_subjects (site, subject_type, subject_id, flow, topic, page, device, locale, signed_in, owner)
     select t.site, 'ticket', t.id, t.kind, t.category, o.page, o.device, o.locale, t.owner like 'u:%',
       case when $4::text = 'shopper' then t.owner end
     from tickets t left join service_subjects o on o.site = t.site and o.subject_type = $2::text and o.subject_id = $3::text
     where t.id = $1
     on conflict do nothing`,
    [ticketId, origin?.subjectType ?? null, origin?.subjectId ?? null, actor],
  );
  await q.query(
    `insert into service_facts (site, subject_type, subject_id, kind, actor, status, due_at)
     select site, 'ticket', id, 'ticket_created', $2::text, status, due_at from tickets where id = $1`,
    [ticketId, actor],
  );
}

/**
 * A ticket moved (call it before or after `moveTicket`, with the row as it was before): whether
 * the promise then running (`dueAt`) was broken, and when the move closes the ticket, its resolution time.
 */
export async function ticketMoved(
  q: Queryable,
  before: { id: string; site: string; due_at: Date | null; created_at: Date; appealable: boolean },
  to: TicketStatus, actor: string, appealable = before.appealable,
) {
  await q.query(
    `insert into service_facts (site, subject_type, subject_id, kind, actor, status, due_at, late, duration_ms)
     values ($1, 'ticket', $2, 'ticket_transition', $3, $4, $5::timestamptz, $5::timestamptz < now(),
       case when $6::boolean then greatest(0, round(extract(epoch from (now() - $7::timestamptz)) * 1000))::bigint end)`,
    [before.site, before.id, actor, to, before.due_at, isClosed(to, appealable), before.created_at],
  );
  if (actor === 'agent') {
    await q.query(
      `update service_subjects set agent = 'agent' where site = $1 and subject_type = 'ticket' and subject_id = $2 and agent is null`,
      [before.site, before.id],
    );
  }
}

/**
 * A rating (new or replacing the shopper's earlier one of the subject). An article gets its subject
 * row on its first rating. A score of 1–2 raises (or re-opens) the subject's alert and tells the console.
 */
export async function rated(q: Queryable, site: string, owner: string, rating: Rating) {
  const { type, id } = rating.subject;
  if (type === 'article') {
    await q.query(
      `insert into service_subjects (site, subject_type, subject_id, flow, topic)
       select site, 'article', id, 'help', coalesce(tags[1], id) from articles where site = $1 and id = $2
       on conflict do nothing`,
      [site, id],
    );
  }
  await insertFact(q, {
    site, subjectType: type, subjectId: id, kind: 'rating', actor: 'shopper', score: rating.score, comment: rating.comment ?? null,
  });
  if (rating.score > ALERT_SCORE) return;
  const [row] = await q.query<{ id: string }>(
    `insert into alerts (id, site, owner, rating_id, subject_type, subject_id, score, comment)
     values ($1, $2, $3, $4, $5, $6, $7, $8)
     on conflict (rating_id) do update set score = excluded.score, comment = excluded.comment,
       status = 'open', resolved_at = null, created_at = now()
     returning id`,
    [`al_${randomUUID()}`, site, owner, rating.id, type, id, rating.score, rating.comment ?? null],
  );
  await announceAlert(q, row!.id);
}

/**
 * An `alert` event on the console's feed, in the caller's transaction (the same row-and-NOTIFY as
 * agentEvents.ts, whose NOTIFY PostgreSQL delivers at commit).
 */
export async function announceAlert(q: Queryable, alertId: string) {
  const alert = await alertById(q, alertId);
  await q.query(
    `with event as (insert into agent_events (site, type, data) values ($1, 'alert', $2) returning id)
     select pg_notify('kefu_agent_events', '') from event`,
    [alert.site, { type: 'alert', site: alert.site, alert }],
  );
  return alert;
}

/** A search as the console groups it: NFKC, lower case, inner spaces collapsed, trimmed. */
export function normalQuery(query: string): string {
  return query.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * A batch of help facts from the widget, dated on arrival. The help session is a subject owned by
 * the shopper who started it: its dimensions come from its first batch, each batch moves its end
 * (`ended_at`) on. A session id another shopper started answers 404, so nobody can attribute facts
 * to someone else's session. Views of articles the site does not have are left out; answers how
 * many facts were kept.
 */
export async function helpFacts(q: Queryable, auth: { site: string; owner: string }, batch: HelpEventBatch): Promise<number> {
  const context = batch.context ?? {};
  const [mine] = await q.query(
    `insert into service_subjects (site, subject_type, subject_id, flow, page, device, locale, signed_in, owner, ended_at)
     values ($1, 'help', $2, 'help', $3, $4, $5, $6, $7, now())
     on conflict (site, subject_type, subject_id) do update set ended_at = now()
       where service_subjects.owner = excluded.owner
     returning subject_id`,
    [auth.site, batch.session, pageOf(context.page), context.device ?? null, context.locale ?? null, auth.owner.startsWith('u:'), auth.owner],
  );
  if (!mine) throw notFound('Help session');
  const searches = batch.events.filter((event) => event.type === 'search');
  const views = batch.events.filter((event) => event.type === 'view');
  const [searched] = await q.query<{ n: number }>(
    `with kept as (
       insert into service_facts (site, subject_type, subject_id, kind, actor, query, results)
       select $1::text, 'help', $2::text, 'help_search', 'shopper', query, results
       from unnest($3::text[], $4::int[]) as e (query, results)
       returning 1
     ) select count(*)::int as n from kept`,
    [auth.site, batch.session, searches.map((event) => normalQuery(event.query)), searches.map((event) => event.results)],
  );
  const [viewed] = await q.query<{ n: number }>(
    `with kept as (
       insert into service_facts (site, subject_type, subject_id, kind, actor, article_id)
       select $1::text, 'help', $2::text, 'article_viewed', 'shopper', a.id
       from unnest($3::text[]) with ordinality as e (id, n) join articles a on a.site = $1 and a.id = e.id
       order by e.n
       returning 1
     ) select count(*)::int as n from kept`,
    [auth.site, batch.session, views.map((event) => event.articleId)],
  );
  return searched!.n + viewed!.n;
}
