/**
 * The console's service figures (`GET /v1/agent/insights`) and the alerts low ratings raise.
 * Figures come from grouped SQL over the per-day rollups, the keyed facts and the timed facts that
 * migration 8 keeps in step with `service_facts` (facts.ts), with `grouping sets` giving the groups
 * and the total in one pass; nothing is loaded row by row. Percentiles are exact `percentile_cont`,
 * the same on PGlite and PostgreSQL.
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

/**
 * The SQL of each grouping's key over the keyed rows (`service_keyed`, `service_durations`,
 * `service_overdue`: facts carry their subject's keys, migration 8). A conversation no person
 * answered was the bot's; a ticket no agent moved is unassigned; a help session is self-service.
 */
const KEYS: Record<InsightsGroupBy, string> = {
  day: `to_char(at at time zone 'UTC', 'YYYY-MM-DD')`,
  flow: 'flow',
  topic: 'topic',
  page: 'page',
  device: 'device',
  agent: 'agent',
};

/** How long after its last fact a help session ends, and how long the shopper has to escalate it (also in migration 8). */
export const HELP_WINDOW = '30 minutes';
/** The upper bounds of the response-time buckets: 1 s, 10 s, 30 s, 1 min, 5 min, 15 min, 1 h, 4 h, 1 day, 3 days. */
export const BUCKET_BOUNDS_MS = [1, 10, 30, 60, 300, 900, 3600, 14_400, 86_400, 259_200].map((s) => s * 1000);
/** The content gaps listed, most frequent first. */
const GAPS = 20;

/** The additive figures of a group (or the total, `is_total` 1), busiest first. */
interface CountsRow {
  key: string | null;
  is_total: number;
  ratings: number;
  average: number | null;
  satisfied: number;
  dissatisfied: number;
  conversations: number;
  handoffs: number;
  tickets: number;
  help_sessions: number;
  self_served: number;
  searches: number;
  unanswered: number;
}

/** The timed figures of a group: first responses and resolutions, counted with their exact median and p90. */
interface DurationsRow {
  key: string | null;
  bot_count: number;
  bot_median: number | null;
  bot_p90: number | null;
  agent_count: number;
  agent_median: number | null;
  agent_p90: number | null;
  resolution_count: number;
  resolution_median: number | null;
  resolution_p90: number | null;
}

type FiguresRow = CountsRow & Partial<DurationsRow> & { past_due?: number };

/**
 * The range split at UTC midnights: whole days `[fromDay, toDay)` are read from the rollups, the
 * part days `[from, fromDay)` and `[toDay, to)` from the facts. A range inside one day is all facts.
 */
function daysOf(request: InsightsRequest) {
  const fromDay = Math.ceil(request.from.getTime() / DAY_MS) * DAY_MS;
  const toDay = Math.floor(request.to.getTime() / DAY_MS) * DAY_MS;
  const [first, last] = fromDay < toDay ? [new Date(fromDay), new Date(toDay)] : [request.to, request.to];
  return { fromDay: first, toDay: last, days: [first, last].map((day) => iso(day).slice(0, 10)) };
}

/**
 * The figures of the range, per group and in total. Facts are dated when they happened; tickets
 * still open past their `dueAt` are dated at it, so a breach counts in the range it happened in.
 *
 * Self-service: a help session (the Help tab's facts under one session id, see facts.ts) is dated
 * at its first fact and counted once it has ended, 30 minutes after its last fact. It was
 * self-served unless the same shopper (owner) started a conversation or filed a ticket from one
 * minute before its first fact to 30 minutes after its last (`escalated`, kept by migration 8). A
 * visitor who signs in afterwards is another owner, so a chat they start signed in does not count
 * against their anonymous session.
 *
 * Five aggregate queries: the additive figures (whole days from `service_rollups`), the timed ones
 * per group and in total with the distribution (exact percentiles over `service_durations`), the
 * tickets past due (a distinct count) and the content gaps; their rows meet by group key.
 */
export async function insights(q: Queryable, request: InsightsRequest): Promise<Insights> {
  const [counts, inTotal, perGroup, pastDue, gaps] = await Promise.all([
    countRows(q, request), totalDurations(q, request), groupDurations(q, request), pastDueRows(q, request), contentGaps(q, request),
  ]);
  const timed = durationRows([...inTotal.rows, ...perGroup]);
  const timedOf = new Map(timed.map((row) => [row.key, row]));
  const pastDueOf = new Map(pastDue.map((row) => [row.key, row.past_due]));
  const rows: FiguresRow[] = counts.map((row) => ({ ...row, ...timedOf.get(row.key), past_due: pastDueOf.get(row.key) ?? 0 }));
  const [total, ...groups] = rows;
  return {
    from: iso(request.from),
    to: iso(request.to),
    groupBy: request.groupBy,
    total: total ? figures(total) : figures(null),
    groups: groups.map((row) => ({ key: row.key ?? 'unknown', ...figures(row) })),
    contentGaps: gaps.map((row) => ({ query: row.query, count: row.count, lastSeen: iso(row.last_seen) })),
    distribution: inTotal.distribution,
  };
}

/**
 * The additive figures and each group's number of facts (its rank): the rollups of the whole days,
 * the keyed facts and ended help sessions of the part days, less the sessions of the whole days not
 * ended yet, plus the tickets past due (facts of their own). The total has key null (`is_total` 1).
 */
function countRows(q: Queryable, request: InsightsRequest) {
  const key = KEYS[request.groupBy];
  const { fromDay, toDay, days } = daysOf(request);
  const site = `($3::text is null or site = $3)`;
  return q.query<CountsRow>(
    `with parts as (
       select key, facts, ratings, score_sum, satisfied, dissatisfied, conversations, handoffs, tickets,
         help_sessions, self_served, searches, unanswered
       from service_rollups where dim = $6 and day >= $7::date and day < $8::date and ${site}
       union all
       select ${key}, count(*), count(*) filter (where kind = 'rating'), coalesce(sum(score) filter (where kind = 'rating'), 0),
         count(*) filter (where kind = 'rating' and score >= 4), count(*) filter (where kind = 'rating' and score <= 2),
         count(*) filter (where kind = 'conversation_started'), count(*) filter (where kind = 'conversation_started' and handed_off),
         count(*) filter (where kind = 'ticket_created'),
         count(*) filter (where kind = 'help_session'), count(*) filter (where kind = 'help_session' and not escalated),
         count(*) filter (where kind = 'help_search'), count(*) filter (where kind = 'help_search' and results = 0)
       from (select * from service_keyed where at >= $1 and at < $4 and ${site}
             union all select * from service_keyed where at >= $5 and at < $2 and ${site}) part_days
       where ended_at is null or ended_at <= now() - interval '${HELP_WINDOW}'
       group by 1
       union all
       select ${key}, -count(*), 0, 0, 0, 0, 0, 0, 0, -count(*), -count(*) filter (where not escalated), 0, 0
       from service_keyed
       where kind = 'help_session' and ended_at > now() - interval '${HELP_WINDOW}' and at >= $4 and at < $5 and ${site}
       group by 1
       union all
       select ${key}, count(*), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
       from service_overdue where at >= $1 and at < least($2, now()) and ${site}
       group by 1
     )
     select key, grouping(key) as is_total,
       sum(ratings)::int as ratings, (sum(score_sum)::numeric / nullif(sum(ratings), 0))::float8 as average,
       sum(satisfied)::int as satisfied, sum(dissatisfied)::int as dissatisfied,
       sum(conversations)::int as conversations, sum(handoffs)::int as handoffs, sum(tickets)::int as tickets,
       sum(help_sessions)::int as help_sessions, sum(self_served)::int as self_served,
       sum(searches)::int as searches, sum(unanswered)::int as unanswered
     from parts
     group by grouping sets ((key), ())
     having grouping(key) = 1 or sum(facts) > 0
     order by grouping(key) desc, ${request.groupBy === 'day' ? 'key' : 'sum(facts) desc, key'}
     limit ${MAX_GROUPS + 1}`,
    [request.from, request.to, request.site, fromDay, toDay, request.groupBy, ...days],
  );
}

type Series = 'bot' | 'agent' | 'resolution';
interface TimedRow {
  key: string | null;
  series: Series;
  count: number;
  percentiles: [number | null, number | null];
}

const MEDIAN = 0.5;
const P90 = 0.9;

/**
 * First responses (bot, person) and resolutions per group and in total (key null), a row per key:
 * their count and exact median and p90 over the timed facts alone, as `percentile_cont` computes
 * them. Both queries (groupDurations, totalDurations) read migration 11's indexes in duration
 * order, so neither sorts the range; PostgreSQL runs them side by side.
 */
function durationRows(rows: TimedRow[]): DurationsRow[] {
  const byKey = new Map<string | null, DurationsRow>();
  for (const row of rows) {
    const figures = byKey.get(row.key) ?? { key: row.key } as DurationsRow;
    figures[`${row.series}_count`] = row.count;
    [figures[`${row.series}_median`], figures[`${row.series}_p90`]] = row.percentiles;
    byKey.set(row.key, figures);
  }
  return [...byKey.values()];
}

/**
 * Per group: `percentile_cont` of both fractions at once over the rows asked for in (series, key,
 * duration) order, which the grouping's index gives without sorting, so the aggregate's own sort
 * of each group finds its rows in order (four times faster at 90 days than sorting them). A day is
 * grouped as a date, the key of its index.
 */
async function groupDurations(q: Queryable, request: InsightsRequest): Promise<TimedRow[]> {
  const day = request.groupBy === 'day';
  const key = day ? `(at at time zone 'UTC')::date` : KEYS[request.groupBy];
  return q.query<TimedRow>(
    `select ${day ? `to_char(key, 'YYYY-MM-DD')` : 'key'} as key, series, count(*)::int as count,
       percentile_cont(array[${MEDIAN}, ${P90}]) within group (order by duration_ms) as percentiles
     from (select ${key} as key, series, duration_ms
           from service_durations where at >= $1 and at < $2 and ($3::text is null or site = $3)
           order by series, key, duration_ms) timed
     group by series, key`,
    [request.from, request.to, request.site],
  );
}

/**
 * In total, without reading every timed fact of the range, and the response-time distribution
 * (counts per bucket of `BUCKET_BOUNDS_MS`). The buckets are the rollups' (grouping `bucket`, key
 * `series:bucket`) of the whole days plus the part days' timed facts; a series' count is the sum of
 * its buckets; each percentile is the interpolation `percentile_cont` makes between the two facts
 * around its rank, found by walking `service_durations_total` in duration order (from the top for
 * the p90) and stopping there: about 60 % of the range's index entries instead of all of them. One
 * statement, so the counts and the walks see one snapshot, in which the rollups and the facts
 * agree (triggers keep them in step in the writing transaction).
 */
async function totalDurations(q: Queryable, request: InsightsRequest): Promise<{ rows: TimedRow[]; distribution: ResponseDistribution }> {
  const { fromDay, toDay, days } = daysOf(request);
  const site = (table: string) => `($3::text is null or ${table}.site = $3)`;
  const walk = (direction: 'asc' | 'desc', offset: string) =>
    `array(select d.duration_ms::float8 from service_durations d
           where d.series = c.series and d.at >= $1 and d.at < $2 and ${site('d')}
           order by d.duration_ms ${direction} offset ${offset} limit 2)`;
  const rows = await q.query<{ series: Series; count: number; low: number[]; high: number[]; buckets: Record<string, number> }>(
    `with buckets as (
       select key, split_part(key, ':', 1) as series, split_part(key, ':', 2)::int as bucket, sum(n)::int as n
       from (select r.key, r.facts from service_rollups r
             where r.dim = 'bucket' and r.day >= $6::date and r.day < $7::date and ${site('r')}
             union all
             select t.series || ':' || width_bucket(t.duration_ms, $8::bigint[]), count(*) from service_durations t
             where ((t.at >= $1 and t.at < $4) or (t.at >= $5 and t.at < $2)) and ${site('t')} group by 1) parts (key, n)
       group by key
     ), counts as (
       select series, sum(n)::int as n, jsonb_object_agg(bucket, n) as buckets from buckets group by series having sum(n) > 0
     )
     select c.series, c.n as count, c.buckets,
       ${walk('asc', `floor(${MEDIAN}::float8 * (c.n - 1))::int`)} as low,
       ${walk('desc', `(c.n - 1 - ceil(${P90}::float8 * (c.n - 1)))::int`)} as high
     from counts c`,
    [request.from, request.to, request.site, fromDay, toDay, ...days, BUCKET_BOUNDS_MS],
  );
  const empty = () => BUCKET_BOUNDS_MS.map(() => 0).concat(0);
  const distribution = { boundsMs: BUCKET_BOUNDS_MS, bot: empty(), agent: empty(), resolution: empty() };
  const timed = rows.map(({ series, count, low, high, buckets }): TimedRow => {
    for (const [bucket, n] of Object.entries(buckets)) distribution[series][Number(bucket)] = n;
    const whole = (fraction: number) => Number.isInteger(fraction * (count - 1));
    // Walking up from ⌊rank⌋: [⌊rank⌋, next]; walking down from ⌈rank⌉: [⌈rank⌉, previous].
    const median = interpolate(MEDIAN, count, low[0], whole(MEDIAN) ? low[0] : low[1]);
    const p90 = interpolate(P90, count, whole(P90) ? high[0] : high[1], high[0]);
    return { key: null, series, count, percentiles: [median, p90] };
  });
  return { rows: timed, distribution };
}

/**
 * `percentile_cont`'s value from the facts at the floor and the ceiling of the fraction's rank, in
 * its double arithmetic (so it is the same number): `floor + (rank − ⌊rank⌋) × (ceiling − floor)`,
 * rank = fraction × (count − 1). Null only if a walk came back short, which agreeing rollups rule out.
 */
function interpolate(fraction: number, count: number, atFloor: number | undefined, atCeiling: number | undefined): number | null {
  if (atFloor === undefined || atCeiling === undefined) return null;
  const rank = fraction * (count - 1);
  return atFloor + (rank - Math.floor(rank)) * (atCeiling - atFloor);
}

/** Tickets that broke their promise per group and in total (key null): moved late, or open past `dueAt`; each once. */
function pastDueRows(q: Queryable, request: InsightsRequest) {
  const key = KEYS[request.groupBy];
  return q.query<{ key: string | null; past_due: number }>(
    `select key, count(distinct subject_id)::int as past_due
     from (select ${key} as key, subject_id from service_overdue
           where at >= $1 and at < least($2, now()) and ($3::text is null or site = $3)
           union all
           select ${key}, subject_id from service_keyed
           where kind = 'ticket_transition' and late and at >= $1 and at < $2 and ($3::text is null or site = $3)) breaches
     group by grouping sets ((key), ())`,
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
