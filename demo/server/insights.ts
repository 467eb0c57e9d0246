/**
 * The console's service figures (`GET /v1/agent/insights`) and the alerts low ratings raise.
 * Figures come from one grouped SQL query over `service_facts` (facts.ts) joined to the subjects'
 * dimensions, with `grouping sets` giving the groups and the total in one pass; nothing is loaded
 * row by row. Percentiles are `percentile_cont`, the same on PGlite and PostgreSQL.
 */
import type { Context } from 'hono';
import * as v from 'valibot';
import {
  InsightsQuery, type Alert, type InsightFigures, type Insights, type InsightsGroupBy, type ResponseDistribution,
} from '../../src/api/schemas';
import type { Queryable } from './db';
import { badQuery, unknownCursor, type PageRequest } from './paging';
import { notFound } from './problem';
import { iso } from './rows';
import { shoppersOf } from './shoppers';

const DAY_MS = 86_400_000;
/** The default range, and the longest one asked for at once. */
const DEFAULT_DAYS = 30;
const MAX_DAYS = 366;
/** Groups beyond this (pages are open-ended) are left out, the busiest kept. */
const MAX_GROUPS = 500;

export interface InsightsRequest {
  from: Date;
  to: Date;
  groupBy: InsightsGroupBy;
  site: string | null;
}

/**
 * Reads `?from=&to=&groupBy=&site=`: a date means that whole day (UTC), `to` is exclusive (a date
 * `to` includes its day); the default is the last 30 days by day. A wrong one is a 400 naming it.
 */
export function insightsRequest(c: Context, now = new Date()): InsightsRequest {
  const raw = c.req.query();
  const parsed = v.safeParse(InsightsQuery, raw);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const name = issue.path?.[0]?.key;
    const param = typeof name === 'string' ? name : Object.keys(raw).find((key) => !(key in InsightsQuery.entries)) ?? 'query';
    const message = name === undefined ? `is not a parameter of this endpoint (use ${Object.keys(InsightsQuery.entries).join(', ')})` : issue.message;
    throw badQuery(param, message);
  }
  const query = parsed.output;
  const to = query.to ? timeOf(query.to, 'to', true) : now;
  const from = query.from ? timeOf(query.from, 'from', false) : new Date(to.getTime() - DEFAULT_DAYS * DAY_MS);
  if (from >= to) throw badQuery('to', 'must be after from');
  if (to.getTime() - from.getTime() > MAX_DAYS * DAY_MS) throw badQuery('from', `must be at most ${MAX_DAYS} days before to`);
  return { from, to, groupBy: query.groupBy ?? 'day', site: query.site || null };
}

/** A date or timestamp as an instant; a date `to` is the end of its day. An impossible date (02-30) is a 400. */
function timeOf(text: string, name: string, end: boolean): Date {
  const dateOnly = text.length === 10;
  const time = new Date(dateOnly ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(time.getTime()) || (dateOnly && time.toISOString().slice(0, 10) !== text)) {
    throw badQuery(name, 'is not a real date');
  }
  return dateOnly && end ? new Date(time.getTime() + DAY_MS) : time;
}

/** The SQL of each grouping, over a fact `f` and its subject `s`. */
const DIMENSIONS: Record<InsightsGroupBy, string> = {
  day: `to_char(f.at at time zone 'UTC', 'YYYY-MM-DD')`,
  flow: `coalesce(s.flow, 'unknown')`,
  topic: `coalesce(s.topic, 'unknown')`,
  page: `coalesce(s.page, 'unknown')`,
  device: `coalesce(s.device, 'unknown')`,
  // A conversation no person answered was the bot's; a ticket no agent moved is unassigned.
  agent: `coalesce(s.agent, case f.subject_type when 'conversation' then 'bot' when 'help' then 'self-service' else 'unassigned' end)`,
};

/** How long after its last fact a help session ends, and how long the shopper has to escalate it. */
export const HELP_WINDOW = '30 minutes';
/** Facts are dated on arrival, a batch a few seconds late: a chat from this much before the first one still counts. */
const HELP_SKEW = '1 minute';
/** The upper bounds of the response-time buckets: 1 s, 10 s, 30 s, 1 min, 5 min, 15 min, 1 h, 4 h, 1 day, 3 days. */
export const BUCKET_BOUNDS_MS = [1, 10, 30, 60, 300, 900, 3600, 14_400, 86_400, 259_200].map((s) => s * 1000);
/** The content gaps listed, most frequent first. */
const GAPS = 20;

interface FiguresRow {
  key: string | null;
  is_total: number;
  ratings: number;
  average: number | null;
  satisfied: number;
  dissatisfied: number;
  conversations: number;
  handoffs: number;
  bot_count: number;
  bot_median: number | null;
  bot_p90: number | null;
  agent_count: number;
  agent_median: number | null;
  agent_p90: number | null;
  resolution_count: number;
  resolution_median: number | null;
  resolution_p90: number | null;
  tickets: number;
  past_due: number;
  help_sessions: number;
  self_served: number;
  searches: number;
  unanswered: number;
}

const durations = (filter: string, name: string) => `
  count(*) filter (where ${filter})::int as ${name}_count,
  percentile_cont(0.5) within group (order by duration_ms) filter (where ${filter}) as ${name}_median,
  percentile_cont(0.9) within group (order by duration_ms) filter (where ${filter}) as ${name}_p90`;

/**
 * The figures of the range, per group and in total. Facts are dated when they happened; tickets
 * still open past their `dueAt` are dated at it, so a breach counts in the range it happened in.
 *
 * Self-service: a help session (the Help tab's facts under one session id, see facts.ts) is dated
 * at its first fact and counted once it has ended, 30 minutes after its last fact. It was
 * self-served unless the same shopper (owner) started a conversation or filed a ticket from one
 * minute before its first fact to 30 minutes after its last. A visitor who signs in afterwards is
 * another owner, so a chat they start signed in does not count against their anonymous session.
 */
export async function insights(q: Queryable, request: InsightsRequest): Promise<Insights> {
  const [rows, gaps, distribution] = await Promise.all([
    figureRows(q, request), contentGaps(q, request), responseDistribution(q, request),
  ]);
  const [total, ...groups] = rows;
  return {
    from: iso(request.from),
    to: iso(request.to),
    groupBy: request.groupBy,
    total: total ? figures(total) : figures(null),
    groups: groups.map((row) => ({ key: row.key ?? 'unknown', ...figures(row) })),
    contentGaps: gaps.map((row) => ({ query: row.query, count: row.count, lastSeen: iso(row.last_seen) })),
    distribution,
  };
}

function figureRows(q: Queryable, request: InsightsRequest) {
  return q.query<FiguresRow>(
    `with facts as (
       select site, subject_type, subject_id, kind, at, actor, duration_ms, score, late, results, null::boolean as escalated
       from service_facts
       where at >= $1 and at < $2 and ($3::text is null or site = $3)
       union all
       select site, 'ticket', id, 'overdue', due_at, null, null, null, true, null, null
       from tickets
       where due_at >= $1 and due_at < least($2, now()) and ($3::text is null or site = $3)
       union all
       select h.site, 'help', h.subject_id, 'help_session', h.created_at, null, null, null, null, null,
         exists (select 1 from service_subjects e where e.site = h.site and e.owner = h.owner
                   and e.subject_type in ('conversation', 'ticket')
                   and e.created_at >= h.created_at - interval '${HELP_SKEW}' and e.created_at < h.ended_at + interval '${HELP_WINDOW}')
       from service_subjects h
       where h.subject_type = 'help' and h.created_at >= $1 and h.created_at < $2 and ($3::text is null or h.site = $3)
         and h.ended_at + interval '${HELP_WINDOW}' <= now()
     ),
     keyed as (
       select f.*, ${DIMENSIONS[request.groupBy]} as key, s.handoff_at is not null as handed_off
       from facts f
       left join service_subjects s on s.site = f.site and s.subject_type = f.subject_type and s.subject_id = f.subject_id
     )
     select key, grouping(key) as is_total,
       count(*) filter (where kind = 'rating')::int as ratings,
       avg(score) filter (where kind = 'rating')::float8 as average,
       count(*) filter (where kind = 'rating' and score >= 4)::int as satisfied,
       count(*) filter (where kind = 'rating' and score <= 2)::int as dissatisfied,
       count(*) filter (where kind = 'conversation_started')::int as conversations,
       count(*) filter (where kind = 'conversation_started' and handed_off)::int as handoffs,
       ${durations(`kind = 'first_response' and actor = 'bot'`, 'bot')},
       ${durations(`kind = 'first_response' and actor = 'agent'`, 'agent')},
       ${durations(`kind in ('conversation_closed', 'ticket_transition') and duration_ms is not null`, 'resolution')},
       count(*) filter (where kind = 'ticket_created')::int as tickets,
       count(distinct subject_id) filter (where kind = 'overdue' or (kind = 'ticket_transition' and late))::int as past_due,
       count(*) filter (where kind = 'help_session')::int as help_sessions,
       count(*) filter (where kind = 'help_session' and not escalated)::int as self_served,
       count(*) filter (where kind = 'help_search')::int as searches,
       count(*) filter (where kind = 'help_search' and results = 0)::int as unanswered
     from keyed
     group by grouping sets ((key), ())
     order by grouping(key) desc, ${request.groupBy === 'day' ? 'key' : 'count(*) desc, key'}
     limit ${MAX_GROUPS + 1}`,
    [request.from, request.to, request.site],
  );
}

/** The most frequent searches that found nothing (stored normalised, so spellings of one question meet). */
function contentGaps(q: Queryable, request: InsightsRequest) {
  return q.query<{ query: string; count: number; last_seen: Date }>(
    `select query, count(*)::int as count, max(at) as last_seen
     from service_facts
     where kind = 'help_search' and results = 0 and at >= $1 and at < $2 and ($3::text is null or site = $3)
     group by query
     order by count(*) desc, max(at) desc, query
     limit ${GAPS}`,
    [request.from, request.to, request.site],
  );
}

/** First responses (bot, person) and resolutions of the range counted per bucket of `BUCKET_BOUNDS_MS`. */
async function responseDistribution(q: Queryable, request: InsightsRequest): Promise<ResponseDistribution> {
  const rows = await q.query<{ bucket: number; bot: number; agent: number; resolution: number }>(
    `select width_bucket(duration_ms, $4::bigint[]) as bucket,
       count(*) filter (where kind = 'first_response' and actor = 'bot')::int as bot,
       count(*) filter (where kind = 'first_response' and actor = 'agent')::int as agent,
       count(*) filter (where kind in ('conversation_closed', 'ticket_transition'))::int as resolution
     from service_facts
     where kind in ('first_response', 'conversation_closed', 'ticket_transition') and duration_ms is not null
       and at >= $1 and at < $2 and ($3::text is null or site = $3)
     group by 1`,
    [request.from, request.to, request.site, BUCKET_BOUNDS_MS],
  );
  const empty = () => BUCKET_BOUNDS_MS.map(() => 0).concat(0);
  const counts = { boundsMs: BUCKET_BOUNDS_MS, bot: empty(), agent: empty(), resolution: empty() };
  for (const row of rows) {
    counts.bot[row.bucket] = row.bot;
    counts.agent[row.bucket] = row.agent;
    counts.resolution[row.bucket] = row.resolution;
  }
  return counts;
}

const share = (part: number, whole: number) => (whole ? part / whole : null);

function figures(row: FiguresRow | null): InsightFigures {
  const n = (value: number | null | undefined) => (value === null || value === undefined ? null : Number(value));
  return {
    ratings: {
      count: row?.ratings ?? 0,
      average: n(row?.average),
      satisfied: share(row?.satisfied ?? 0, row?.ratings ?? 0),
      dissatisfied: share(row?.dissatisfied ?? 0, row?.ratings ?? 0),
    },
    conversations: row?.conversations ?? 0,
    handoffs: row?.handoffs ?? 0,
    handoffRate: share(row?.handoffs ?? 0, row?.conversations ?? 0),
    firstResponse: {
      bot: { count: row?.bot_count ?? 0, medianMs: n(row?.bot_median), p90Ms: n(row?.bot_p90) },
      agent: { count: row?.agent_count ?? 0, medianMs: n(row?.agent_median), p90Ms: n(row?.agent_p90) },
    },
    resolution: { count: row?.resolution_count ?? 0, medianMs: n(row?.resolution_median), p90Ms: n(row?.resolution_p90) },
    ticketsCreated: row?.tickets ?? 0,
    ticketsPastDue: row?.past_due ?? 0,
    helpSessions: row?.help_sessions ?? 0,
    selfServed: row?.self_served ?? 0,
    selfServiceRate: share(row?.self_served ?? 0, row?.help_sessions ?? 0),
    searches: row?.searches ?? 0,
    searchesWithoutResult: row?.unanswered ?? 0,
  };
}

// --- alerts ------------------------------------------------------------------------------------
const ALERT_COLUMNS = 'id, site, owner, status, rating_id, subject_type, subject_id, score, comment, follow_up_ticket_id, created_at, resolved_at';
export interface AlertRow {
  id: string;
  site: string;
  owner: string;
  status: Alert['status'];
  rating_id: string;
  subject_type: Alert['subject']['type'];
  subject_id: string;
  score: number;
  comment: string | null;
  follow_up_ticket_id: string | null;
  created_at: Date;
  resolved_at: Date | null;
}

export async function toAlerts(q: Queryable, rows: AlertRow[]): Promise<Alert[]> {
  const shopperOf = await shoppersOf(q, rows);
  return rows.map((row) => ({
    id: row.id,
    site: row.site,
    status: row.status,
    ratingId: row.rating_id,
    score: row.score,
    comment: row.comment,
    subject: { type: row.subject_type, id: row.subject_id },
    shopper: shopperOf(row.site, row.owner),
    followUpTicketId: row.follow_up_ticket_id,
    createdAt: iso(row.created_at),
    resolvedAt: row.resolved_at ? iso(row.resolved_at) : null,
  }));
}

/** One alert's row (locked when asked); 404 when missing. */
export async function alertRow(q: Queryable, id: string, lock = false): Promise<AlertRow> {
  const [row] = await q.query<AlertRow>(`select ${ALERT_COLUMNS} from alerts where id = $1${lock ? ' for update' : ''}`, [id]);
  if (!row) throw notFound('Alert');
  return row;
}

export async function alertById(q: Queryable, id: string): Promise<Alert> {
  const [alert] = await toAlerts(q, [await alertRow(q, id)]);
  return alert!;
}

/** One page of alerts in these statuses (of one site or all), newest first. */
export async function alertPage(
  q: Queryable, filter: { statuses: Alert['status'][]; site: string | null }, { limit, cursor }: PageRequest,
) {
  if (cursor) {
    const [known] = await q.query(
      'select 1 from alerts where id = $1 and status = any($2) and ($3::text is null or site = $3)',
      [cursor, filter.statuses, filter.site],
    );
    if (!known) throw unknownCursor();
  }
  return q.query<AlertRow>(
    `select ${ALERT_COLUMNS} from alerts
     where status = any($1) and ($2::text is null or site = $2)
       and ($3::text is null or (created_at, id) < (select created_at, id from alerts where id = $3))
     order by created_at desc, id desc limit $4`,
    [filter.statuses, filter.site, cursor, limit + 1],
  );
}
