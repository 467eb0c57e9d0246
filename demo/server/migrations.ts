/**
 * Versioned migrations: append, never edit. Statements are separated by `;` at a line end (one
 * inside a `$$`-quoted function body does not count). Runs the same on PGlite and PostgreSQL.
 */
// Migration 8's SQL pieces, written once and used by its triggers, its views and its backfill.
// Part of migration 8: a later change is a new migration, never an edit here.

/** A subject's grouping keys (alias `s`, possibly no row): what insights.ts groups by. */
const m8Keys = (s: string, type: string, as: (name: string) => string = () => '') => `coalesce(${s}.flow, 'unknown')${as('flow')},
  coalesce(${s}.topic, 'unknown')${as('topic')}, coalesce(${s}.page, 'unknown')${as('page')}, coalesce(${s}.device, 'unknown')${as('device')},
  coalesce(${s}.agent, case ${type} when 'conversation' then 'bot' when 'help' then 'self-service' else 'unassigned' end)${as('agent')},
  ${s}.handoff_at is not null${as('handed_off')}`;
/** The same, each named as its column. */
const m8NamedKeys = (s: string, type: string) => m8Keys(s, type, (name) => ` as ${name}`);
const m8KeyColumns = 'flow, topic, page, device, agent, handed_off';

/**
 * The series a timed fact belongs to (bot or person first response, resolution), null for others; and
 * its response-time bucket (insights.ts BUCKET_BOUNDS_MS: 1 s, 10 s, 30 s, 1 min, 5 min, 15 min, 1 h, 4 h, 1 day, 3 days).
 */
const m8Series = (f: string) => `case when ${f}.duration_ms is null then null
  when ${f}.kind = 'first_response' and ${f}.actor in ('bot', 'agent') then ${f}.actor
  when ${f}.kind in ('conversation_closed', 'ticket_transition') then 'resolution' end`;
const m8Bucket = (ms: string) =>
  `width_bucket(${ms}, '{1000,10000,30000,60000,300000,900000,3600000,14400000,86400000,259200000}'::bigint[])`;

/** Rows to roll up, from facts (`rows` has service_facts' columns) with a sign. */
const m8FactRows = (sign: number, rows: string) =>
  `select ${sign} as sign, f.site, f.at, f.kind, f.score, f.results, null::boolean as escalated,
     ${m8Series('f')} || ':' || ${m8Bucket('f.duration_ms')} as bucket, ${m8KeyColumns} from ${rows} f`;
/** Rows to roll up, from help sessions among subjects (`rows` has service_subjects' columns), dated at their start. */
const m8SessionRows = (sign: number, rows: string) =>
  `select ${sign} as sign, h.site, h.created_at as at, 'help_session' as kind, null::int as score, null::int as results, h.escalated,
     null::text as bucket, ${m8NamedKeys('h', 'h.subject_type')}
   from ${rows} h where h.subject_type = 'help' and h.ended_at is not null`;

/** Adds signed rows (union of m8FactRows / m8SessionRows) to the per-day rollups of every grouping. */
const m8Apply = (rows: string) => `
insert into service_rollups as r (site, dim, day, key, facts, ratings, score_sum, satisfied, dissatisfied,
  conversations, handoffs, tickets, help_sessions, self_served, searches, unanswered)
select u.site, d.dim, (u.at at time zone 'UTC')::date, d.key,
  sum(u.sign),
  coalesce(sum(u.sign) filter (where u.kind = 'rating'), 0),
  coalesce(sum(u.sign * u.score) filter (where u.kind = 'rating'), 0),
  coalesce(sum(u.sign) filter (where u.kind = 'rating' and u.score >= 4), 0),
  coalesce(sum(u.sign) filter (where u.kind = 'rating' and u.score <= 2), 0),
  coalesce(sum(u.sign) filter (where u.kind = 'conversation_started'), 0),
  coalesce(sum(u.sign) filter (where u.kind = 'conversation_started' and u.handed_off), 0),
  coalesce(sum(u.sign) filter (where u.kind = 'ticket_created'), 0),
  coalesce(sum(u.sign) filter (where u.kind = 'help_session'), 0),
  coalesce(sum(u.sign) filter (where u.kind = 'help_session' and not u.escalated), 0),
  coalesce(sum(u.sign) filter (where u.kind = 'help_search'), 0),
  coalesce(sum(u.sign) filter (where u.kind = 'help_search' and u.results = 0), 0)
from (${rows}) u
cross join lateral (values ('day', to_char(u.at at time zone 'UTC', 'YYYY-MM-DD')), ('flow', u.flow), ('topic', u.topic),
  ('page', u.page), ('device', u.device), ('agent', u.agent), ('bucket', u.bucket)) as d (dim, key)
where d.key is not null
group by 1, 2, 3, 4
order by 2, 3, 1, 4 -- Rows locked in index order: concurrent posts never wait on each other in a cycle.
on conflict (dim, day, site, key) do update set facts = r.facts + excluded.facts, ratings = r.ratings + excluded.ratings,
  score_sum = r.score_sum + excluded.score_sum, satisfied = r.satisfied + excluded.satisfied,
  dissatisfied = r.dissatisfied + excluded.dissatisfied, conversations = r.conversations + excluded.conversations,
  handoffs = r.handoffs + excluded.handoffs, tickets = r.tickets + excluded.tickets,
  help_sessions = r.help_sessions + excluded.help_sessions, self_served = r.self_served + excluded.self_served,
  searches = r.searches + excluded.searches, unanswered = r.unanswered + excluded.unanswered`;

/** The timed facts (as they are now) of these fact ids into service_durations, keys and all. */
const m8Durations = (ids: string) => `
insert into service_durations as d (fact_id, site, at, series, duration_ms, ${m8KeyColumns})
select f.id, f.site, f.at,
  ${m8Series('f')}, f.duration_ms, ${m8KeyColumns}
from service_facts f
where f.id in (${ids}) and ${m8Series('f')} is not null
on conflict (fact_id) do update set site = excluded.site, at = excluded.at, series = excluded.series,
  duration_ms = excluded.duration_ms, flow = excluded.flow, topic = excluded.topic, page = excluded.page,
  device = excluded.device, agent = excluded.agent, handed_off = excluded.handed_off`;

/** Re-keys the facts of these subjects (`rows`) whose keys differ from the subjects' as they are now. */
const m8Rekey = (rows: string) => `
update service_facts f set (${m8KeyColumns}) = (${m8Keys('s', 'f.subject_type')})
from (select distinct site, subject_type, subject_id from ${rows} r0) c
left join service_subjects s using (site, subject_type, subject_id)
where f.site = c.site and f.subject_type = c.subject_type and f.subject_id = c.subject_id
  and (f.flow, f.topic, f.page, f.device, f.agent, f.handed_off) is distinct from (${m8Keys('s', 'f.subject_type')})`;

/** Re-decides escalation for the help sessions of the shoppers whose chats or tickets these are. */
const m8Recheck = (rows: string) => `
update service_subjects h set escalated = kefu_escalated(h)
where h.subject_type = 'help' and h.escalated is distinct from kefu_escalated(h)
  and (h.site, h.owner) in (select site, owner from ${rows} where subject_type in ('conversation', 'ticket') and owner is not null)`;

/** A subject's columns that change its rollups, its facts' keys or someone's escalation. */
const m8Relevant = (s: string) =>
  `(${s}.flow, ${s}.topic, ${s}.page, ${s}.device, ${s}.agent, ${s}.handoff_at is null, ${s}.created_at, ${s}.ended_at is null, ${s}.escalated, ${s}.owner)`;
/** The rows of `rows` without a row of `others` (same subject) equal in every relevant column. */
const m8Changed = (rows: string, others: string) =>
  `(select a.* from ${rows} a where not exists (select 1 from ${others} b where b.site = a.site
     and b.subject_type = a.subject_type and b.subject_id = a.subject_id and ${m8Relevant('b')} is not distinct from ${m8Relevant('a')}))`;

/**
 * A statement trigger (function `kefu_<name>` and trigger of the same name) running these
 * statements over the statement's transition table(s); nothing to do when `rows` is empty.
 */
const m8OnStatement = (name: string, event: string, table: string, referencing: string, rows: string, statements: string[]) => `
create function kefu_${name}() returns trigger language plpgsql as $$
begin
  if not exists (select 1 from ${rows}) then
    return null;
  end if;
  ${statements.join(';\n  ')};
  return null;
end
$$;
create trigger kefu_${name} after ${event} on ${table} referencing ${referencing} for each statement execute function kefu_${name}()`;

export const migrations: string[] = [
  `
create table settings (key text primary key, value text not null);
create table sites (
  key text primary key,
  secret text not null,
  origins text[] not null default '{}',
  locale text not null default 'en',
  name text not null default ''
);
create table conversations (
  id text primary key,
  site text not null references sites (key),
  owner text not null,
  client_id text not null,
  status text not null default 'bot',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (site, owner, client_id)
);
create index conversations_owner on conversations (site, owner, updated_at desc);
create table messages (
  seq bigserial primary key,
  id text not null unique,
  conversation_id text not null references conversations (id),
  client_id text,
  author text not null,
  text text not null,
  extra jsonb not null default '{}',
  created_at timestamptz not null default now()
);
create unique index messages_client on messages (conversation_id, client_id) where client_id is not null;
create index messages_thread on messages (conversation_id, seq);
create table idempotency (
  site text not null,
  owner text not null,
  key text not null,
  fingerprint text not null,
  status int not null,
  body jsonb not null,
  created_at timestamptz not null default now(),
  primary key (site, owner, key)
);
create table events (
  id bigserial primary key,
  site text not null,
  owner text not null,
  type text not null,
  data jsonb not null,
  created_at timestamptz not null default now()
);
create index events_owner on events (site, owner, id);
`,
  `
alter table conversations add column context jsonb;
create table shoppers (
  site text not null references sites (key),
  owner text not null,
  visitor_id text,
  user_id text,
  name text,
  email text,
  last_seen timestamptz not null default now(),
  primary key (site, owner)
);
create table orders (
  id text primary key,
  site text not null references sites (key),
  owner text not null,
  number text not null,
  status text not null,
  placed_at timestamptz not null,
  currency text not null,
  total bigint not null,
  refundable_until timestamptz,
  items jsonb not null,
  shipments jsonb not null default '[]'
);
create index orders_owner on orders (site, owner, placed_at desc);
create table tickets (
  id text primary key,
  site text not null references sites (key),
  owner text not null,
  client_id text not null,
  kind text not null,
  status text not null,
  order_id text references orders (id),
  items jsonb not null default '[]',
  category text not null,
  description text not null,
  amount bigint,
  currency text,
  attachment_ids text[] not null default '{}',
  appealable boolean not null default true,
  due_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (site, owner, client_id)
);
create index tickets_owner on tickets (site, owner, updated_at desc);
create index tickets_status on tickets (site, status, due_at);
create table ticket_timeline (
  seq bigserial primary key,
  ticket_id text not null references tickets (id),
  status text not null,
  actor text not null,
  note text,
  at timestamptz not null default now()
);
create index ticket_timeline_ticket on ticket_timeline (ticket_id, seq);
create table ticket_comments (
  seq bigserial primary key,
  id text not null unique,
  ticket_id text not null references tickets (id),
  client_id text,
  author text not null,
  text text not null,
  attachment_ids text[] not null default '{}',
  created_at timestamptz not null default now()
);
create unique index ticket_comments_client on ticket_comments (ticket_id, client_id) where client_id is not null;
create table ratings (
  id text primary key,
  site text not null references sites (key),
  owner text not null,
  client_id text not null,
  subject_type text not null,
  subject_id text not null,
  score int not null check (score between 1 and 5),
  comment text,
  created_at timestamptz not null default now(),
  unique (site, owner, client_id)
);
create index ratings_subject on ratings (site, subject_type, subject_id);
create table uploads (
  id text primary key,
  site text not null references sites (key),
  owner text not null,
  client_id text not null,
  name text not null,
  type text not null,
  size int not null,
  data bytea not null,
  created_at timestamptz not null default now(),
  unique (site, owner, client_id)
);
create table agent_events (
  id bigserial primary key,
  site text not null,
  type text not null,
  data jsonb not null,
  created_at timestamptz not null default now()
);
`,
  // 3: help-centre articles per site, and one rating per shopper and subject (a new rating of the
  // same subject replaces the earlier one, so older duplicates are dropped before the index).
  `
create table articles (
  site text not null references sites (key),
  id text not null,
  locale text not null,
  position int not null default 0,
  title text not null,
  body text not null,
  tags text[] not null default '{}',
  updated_at timestamptz not null default now(),
  primary key (site, id)
);
create index articles_site_locale on articles (site, locale, position);
delete from ratings older using ratings newer
  where newer.site = older.site and newer.owner = older.owner
    and newer.subject_type = older.subject_type and newer.subject_id = older.subject_id
    and (newer.created_at, newer.id) > (older.created_at, older.id);
create unique index ratings_one_per_subject on ratings (site, owner, subject_type, subject_id);
`,
  // 4: service facts for the console's insights (demo/server/facts.ts records them, insights.ts reads
  // them) and the alerts a low rating raises. A subject (conversation, ticket, article) carries the
  // dimensions the figures are grouped by; a fact is one thing that happened to it, dated, never
  // updated. Existing conversations, tickets and ratings are backfilled so old data counts too.
  `
create table service_subjects (
  site text not null,
  subject_type text not null,
  subject_id text not null,
  flow text not null,
  topic text,
  page text,
  device text,
  locale text,
  signed_in boolean,
  agent text,
  created_at timestamptz not null default now(),
  asked_at timestamptz,
  handoff_at timestamptz,
  bot_answered_at timestamptz,
  agent_answered_at timestamptz,
  primary key (site, subject_type, subject_id)
);
create table service_facts (
  id bigserial primary key,
  site text not null,
  subject_type text not null,
  subject_id text not null,
  kind text not null,
  at timestamptz not null default now(),
  actor text,
  duration_ms bigint,
  score int,
  comment text,
  status text,
  due_at timestamptz,
  late boolean
);
create index service_facts_at on service_facts (at, kind);
create index service_facts_site_at on service_facts (site, at);
create index service_facts_subject on service_facts (site, subject_type, subject_id, kind);
create table alerts (
  id text primary key,
  site text not null,
  owner text not null,
  rating_id text not null unique,
  subject_type text not null,
  subject_id text not null,
  score int not null,
  comment text,
  status text not null default 'open',
  follow_up_ticket_id text references tickets (id),
  created_at timestamptz not null default now(),
  resolved_at timestamptz
);
create index alerts_status on alerts (status, created_at desc);
insert into service_subjects (site, subject_type, subject_id, flow, page, device, locale, signed_in, created_at)
  select site, 'conversation', id, 'chat', context->>'page', context->>'device', context->>'locale', owner like 'u:%', created_at
  from conversations;
insert into service_subjects (site, subject_type, subject_id, flow, topic, signed_in, created_at)
  select site, 'ticket', id, kind, category, owner like 'u:%', created_at from tickets;
insert into service_subjects (site, subject_type, subject_id, flow, topic, created_at)
  select site, 'article', id, 'help', coalesce(tags[1], id), updated_at from articles;
insert into service_facts (site, subject_type, subject_id, kind, at)
  select site, 'conversation', id, 'conversation_started', created_at from conversations;
insert into service_facts (site, subject_type, subject_id, kind, at, status, due_at)
  select site, 'ticket', id, 'ticket_created', created_at, status, due_at from tickets;
insert into service_facts (site, subject_type, subject_id, kind, at, actor, score, comment)
  select site, subject_type, subject_id, 'rating', created_at, 'shopper', score, comment from ratings;
`,
  // 5: one shopper across touchpoints. A visitor merged into a signed-in shopper is marked on its
  // `shoppers` row (once: a second sign-in with the same anonymous token moves nothing), and each
  // conversation keeps how far the shopper and the agent have read (a message id and its seq, so a
  // read position only moves forward). Existing conversations count as read by their shopper, so
  // no old reply turns into an unread badge.
  `
alter table shoppers add column merged_into text;
alter table shoppers add column merged_at timestamptz;
alter table conversations add column shopper_read text;
alter table conversations add column shopper_read_seq bigint;
alter table conversations add column agent_read text;
alter table conversations add column agent_read_seq bigint;
update conversations c set shopper_read = m.id, shopper_read_seq = m.seq
  from (select distinct on (conversation_id) conversation_id, id, seq from messages order by conversation_id, seq desc) m
  where m.conversation_id = c.id;
`,
  // 6: a shopper's message post in one statement (routes/conversations.ts). It used to be a dozen
  // round trips in one transaction; each costs the server a socket write and PostgreSQL a parse,
  // which held the server to a few hundred posts a second. The SQL is that of the steps it replaces
  // (rows.ts toMessage, events.ts record, agentEvents.ts recordAgentEvent, facts.ts shopperAsked
  // and firstResponse, idempotency.ts); a change there changes here too, in a new migration.
  `
create function kefu_message_json(m messages) returns jsonb language sql immutable as $$
  select jsonb_build_object(
      'id', m.id, 'clientId', m.client_id, 'conversationId', m.conversation_id, 'author', m.author, 'text', m.text,
      'createdAt', to_char(m.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    || case when jsonb_array_length(coalesce(m.extra->'articleIds', '[]')) > 0
         then jsonb_build_object('articleIds', m.extra->'articleIds') else '{}' end
    || case when jsonb_array_length(coalesce(m.extra->'actions', '[]')) > 0
         then jsonb_build_object('actions', m.extra->'actions') else '{}' end
$$;
create function kefu_post_message(
  p_site text, p_owner text, p_conversation text, p_message_id text, p_client_id text, p_text text,
  p_key text, p_fingerprint text, p_bot_id text, p_bot_text text, p_bot_extra jsonb, p_bot_article text
) returns table (message jsonb, fresh boolean, status text) language plpgsql as $$
declare
  conversation conversations;
  shopper messages;
  bot messages;
  answer jsonb;
begin
  -- Ownership, and the conversation's row lock until commit: posts to one conversation take their
  -- seq (and event ids) one after the other, so readers paging by seq never skip one.
  select * into conversation from conversations c
    where c.id = p_conversation and c.site = p_site and c.owner = p_owner for update;
  if not found then
    return;
  end if;
  insert into messages (id, conversation_id, client_id, author, text)
    values (p_message_id, conversation.id, p_client_id, 'shopper', p_text)
    on conflict (conversation_id, client_id) where client_id is not null do nothing
    returning * into shopper;
  if found then
    answer := kefu_message_json(shopper);
    insert into events (site, owner, type, data)
      values (p_site, p_owner, 'message', jsonb_build_object('type', 'message', 'message', answer));
    insert into agent_events (site, type, data)
      values (p_site, 'message', jsonb_build_object(
        'type', 'message', 'site', p_site, 'conversationId', conversation.id, 'message', answer));
    update service_subjects set asked_at = now()
      where site = p_site and subject_type = 'conversation' and subject_id = conversation.id and asked_at is null;
    if conversation.status = 'bot' and p_bot_id is not null then
      insert into messages (id, conversation_id, client_id, author, text, extra)
        values (p_bot_id, conversation.id, null, 'bot', p_bot_text, p_bot_extra)
        returning * into bot;
      insert into events (site, owner, type, data)
        values (p_site, p_owner, 'message', jsonb_build_object('type', 'message', 'message', kefu_message_json(bot)));
      with answered as (
        update service_subjects set bot_answered_at = now(),
          topic = coalesce(topic, (select coalesce(tags[1], id) from articles where site = p_site and id = p_bot_article))
        where site = p_site and subject_type = 'conversation' and subject_id = conversation.id and bot_answered_at is null
        returning coalesce(asked_at, created_at) as since
      )
      insert into service_facts (site, subject_type, subject_id, kind, actor, duration_ms)
        select p_site, 'conversation', conversation.id, 'first_response', 'bot',
          greatest(0, round(extract(epoch from (now() - since)) * 1000))::bigint from answered;
    end if;
    update conversations set updated_at = now() where id = conversation.id;
  else
    -- Sent before under another Idempotency-Key: that message again, and nothing happens twice.
    select * into shopper from messages m where m.conversation_id = conversation.id and m.client_id = p_client_id;
    answer := kefu_message_json(shopper);
  end if;
  insert into idempotency (site, owner, key, fingerprint, status, body)
    values (p_site, p_owner, p_key, p_fingerprint, 201, answer);
  return query select answer, shopper.id = p_message_id, conversation.status;
end
$$;
`,
  // 7: help facts from the widget (POST /v1/help-events, demo/server/helpEvents.ts). A help session
  // is a subject of type 'help' owned by one shopper (`owner`), spanning `created_at` (its first
  // fact) to `ended_at` (its last); its facts carry the search (`query`, normalised, and `results`)
  // or the article opened. Conversations and tickets get the `owner` who started them too (backfilled
  // here), so the self-service rate asks one table whether that shopper chatted or filed a ticket.
  // The indexes serve that rate (sessions by start, a shopper's subjects by creation) and the
  // content gaps (zero-result searches by time).
  `
alter table service_subjects add column owner text;
alter table service_subjects add column ended_at timestamptz;
alter table service_facts add column query text;
alter table service_facts add column results int;
alter table service_facts add column article_id text;
create index service_subjects_help on service_subjects (created_at) where subject_type = 'help';
create index service_facts_gaps on service_facts (at) include (site, query) where kind = 'help_search' and results = 0;
create index service_subjects_owner on service_subjects (site, owner, created_at) where owner is not null;
update service_subjects s set owner = c.owner from conversations c
  where s.subject_type = 'conversation' and c.id = s.subject_id and c.site = s.site;
update service_subjects s set owner = t.owner from tickets t
  where s.subject_type = 'ticket' and t.id = s.subject_id and t.site = s.site 
    and not exists (select 1 from alerts a where a.follow_up_ticket_id = t.id);
`,
  // 8: the insights at 100,000 conversations within 200 ms (issue 10). Figures used to be one query
  // joining every fact of the range to its subject; now:
  // - each fact carries its subject's grouping keys (flow, topic, page, device, agent, handed_off),
  //   set when it is recorded and re-set when the subject changes (a topic, an agent or a handoff
  //   that comes later), so no query joins facts to subjects;
  // - `service_rollups` holds the additive figures per site, grouping (`dim`), UTC day and key;
  //   the figures of whole days are read from it, the part days at the ends of a range from the facts;
  // - `service_durations` holds the timed facts alone (bot and person first responses,
  //   resolutions) with their keys: the exact medians and p90s sort only these;
  // - a help session's `escalated` (a chat or ticket of the same shopper from a minute before its
  //   start to 30 minutes after its end) is stored on it and re-decided when either side changes.
  // Triggers keep all of it in step, in the transaction of the write, whoever writes (facts.ts,
  // kefu_post_message): a statement's transition tables are added or moved set-wise, so a fact
  // inserted and re-keyed in one statement counts once under its last keys.
  `
alter table service_facts add column flow text, add column topic text, add column page text, add column device text,
  add column agent text, add column handed_off boolean;
alter table service_subjects add column escalated boolean;
create index service_subjects_help_open on service_subjects (ended_at) where subject_type = 'help';
create index service_facts_late on service_facts (at) where kind = 'ticket_transition' and late;
create index tickets_due on tickets (due_at);
create table service_rollups (
  site text not null,
  dim text not null,
  day date not null,
  key text not null,
  facts int not null,
  ratings int not null,
  score_sum bigint not null,
  satisfied int not null,
  dissatisfied int not null,
  conversations int not null,
  handoffs int not null,
  tickets int not null,
  help_sessions int not null,
  self_served int not null,
  searches int not null,
  unanswered int not null,
  primary key (dim, day, site, key)
);
create table service_durations (
  fact_id bigint primary key references service_facts (id) on delete cascade,
  site text not null,
  at timestamptz not null,
  series text not null,
  duration_ms bigint not null,
  flow text not null,
  topic text not null,
  page text not null,
  device text not null,
  agent text not null,
  handed_off boolean not null
);
create index service_durations_at on service_durations (at);
create function kefu_escalated(h service_subjects) returns boolean language sql stable as $$
  select exists (select 1 from service_subjects e where e.site = h.site and e.owner = h.owner
    and e.subject_type in ('conversation', 'ticket')
    and e.created_at >= h.created_at - interval '1 minute' and e.created_at < h.ended_at + interval '30 minutes')
$$;
create view service_keyed as
  select site, subject_id, kind, at, score, results, late, null::boolean as escalated, null::timestamptz as ended_at,
    ${m8KeyColumns}
  from service_facts
  union all
  select h.site, h.subject_id, 'help_session', h.created_at, null, null, null, h.escalated, h.ended_at, ${m8Keys('h', 'h.subject_type')}
  from service_subjects h where h.subject_type = 'help' and h.ended_at is not null;
create view service_overdue as
  select t.site, t.id as subject_id, t.due_at as at, ${m8NamedKeys('s', "'ticket'")}
  from tickets t left join service_subjects s on s.site = t.site and s.subject_type = 'ticket' and s.subject_id = t.id
  where t.due_at is not null;
update service_facts f set (${m8KeyColumns}) = (k.flow, k.topic, k.page, k.device, k.agent, k.handed_off)
  from (select g.id, ${m8NamedKeys('s', 'g.subject_type')} from service_facts g
        left join service_subjects s on s.site = g.site and s.subject_type = g.subject_type and s.subject_id = g.subject_id) k
  where k.id = f.id;
update service_subjects h set escalated = kefu_escalated(h) where subject_type = 'help';
${m8Apply(`${m8FactRows(1, 'service_facts')} union all ${m8SessionRows(1, 'service_subjects')}`)};
${m8Durations('select id from service_facts')};
create function kefu_fact_keyed() returns trigger language plpgsql as $$
begin
  select ${m8Keys('s', 'new.subject_type')} into new.flow, new.topic, new.page, new.device, new.agent, new.handed_off
  from (select 1) one left join service_subjects s
    on s.site = new.site and s.subject_type = new.subject_type and s.subject_id = new.subject_id;
  return new;
end
$$;
create trigger service_facts_keyed before insert or update on service_facts for each row execute function kefu_fact_keyed();
${m8OnStatement('facts_added', 'insert', 'service_facts', 'new table as added', 'added', [
  m8Apply(m8FactRows(1, 'added')),
  m8Durations('select id from added'),
])};
${m8OnStatement('facts_changed', 'update', 'service_facts', 'old table as before_rows new table as after_rows', 'after_rows', [
  m8Apply(`${m8FactRows(-1, 'before_rows')} union all ${m8FactRows(1, 'after_rows')}`),
  'delete from service_durations where fact_id in (select id from after_rows)',
  m8Durations('select id from after_rows'),
])};
${m8OnStatement('facts_removed', 'delete', 'service_facts', 'old table as removed', 'removed', [m8Apply(m8FactRows(-1, 'removed'))])};
create function kefu_help_escalated() returns trigger language plpgsql as $$
begin
  new.escalated := kefu_escalated(new);
  return new;
end
$$;
create trigger service_subjects_escalated before insert or update on service_subjects for each row
  when (new.subject_type = 'help') execute function kefu_help_escalated();
${m8OnStatement('subjects_added', 'insert', 'service_subjects', 'new table as added', 'added', [
  m8Rekey('added'),
  m8Apply(m8SessionRows(1, 'added')),
  m8Recheck('added'),
])};
${m8OnStatement('subjects_changed', 'update', 'service_subjects', 'old table as before_rows new table as after_rows', 'after_rows', [
  m8Rekey(m8Changed('after_rows', 'before_rows')),
  m8Apply(`${m8SessionRows(-1, m8Changed('before_rows', 'after_rows'))} union all ${m8SessionRows(1, m8Changed('after_rows', 'before_rows'))}`),
  m8Recheck(`(${m8Changed('before_rows', 'after_rows')} union all ${m8Changed('after_rows', 'before_rows')}) x`),
])};
${m8OnStatement('subjects_removed', 'delete', 'service_subjects', 'old table as removed', 'removed', [
  m8Rekey('removed'),
  m8Apply(m8SessionRows(-1, 'removed')),
  m8Recheck('removed'),
])};
`,
  // 9: kefu_message_json is stable, as the to_char it calls is. Declared immutable, PostgreSQL would
  // not inline it (an immutable function's body may only call immutable ones), so every post parsed
  // and planned its body twice, per transaction: a sixth of the backend's CPU in a message post.
  // Stable, it is inlined into the plans kefu_post_message caches per connection.
  `
alter function kefu_message_json(messages) stable;
`,
  // 10: images in chat (issue 6). A shopper's message names its images by upload id; each must be an
  // upload of the same site and owner, and an image: otherwise the post raises KF400 with the bad
  // ones as problem+json field errors in its detail (routes/conversations.ts), and stores nothing.
  // kefu_post_message takes the ids as a new last parameter, so the old signature is dropped (a
  // `create or replace` cannot add one); its body is migration 6's with the check and the column.
  // An empty array costs one cardinality test; the message JSON always carries `attachmentIds`.
  `
alter table messages add column attachment_ids text[] not null default '{}';
create or replace function kefu_message_json(m messages) returns jsonb language sql stable as $$
  select jsonb_build_object(
      'id', m.id, 'clientId', m.client_id, 'conversationId', m.conversation_id, 'author', m.author, 'text', m.text,
      'createdAt', to_char(m.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'attachmentIds', to_jsonb(m.attachment_ids))
    || case when jsonb_array_length(coalesce(m.extra->'articleIds', '[]')) > 0
         then jsonb_build_object('articleIds', m.extra->'articleIds') else '{}' end
    || case when jsonb_array_length(coalesce(m.extra->'actions', '[]')) > 0
         then jsonb_build_object('actions', m.extra->'actions') else '{}' end
$$;
drop function kefu_post_message(text, text, text, text, text, text, text, text, text, text, jsonb, text);
create function kefu_post_message(
  p_site text, p_owner text, p_conversation text, p_message_id text, p_client_id text, p_text text,
  p_key text, p_fingerprint text, p_bot_id text, p_bot_text text, p_bot_extra jsonb, p_bot_article text,
  p_attachments text[]
) returns table (message jsonb, fresh boolean, status text) language plpgsql as $$
declare
  conversation conversations;
  shopper messages;
  bot messages;
  answer jsonb;
  refused jsonb;
begin
  -- Ownership, and the conversation's row lock until commit: posts to one conversation take their
  -- seq (and event ids) one after the other, so readers paging by seq never skip one.
  select * into conversation from conversations c
    where c.id = p_conversation and c.site = p_site and c.owner = p_owner for update;
  if not found then
    return;
  end if;
  if cardinality(p_attachments) > 0 then
    select jsonb_agg(jsonb_build_object('path', 'attachmentIds.' || (a.i - 1), 'message',
        case when u.id is null then 'is not one of your uploads' else 'must be an image (PNG, JPEG, GIF or WEBP)' end) order by a.i)
      into refused
      from unnest(p_attachments) with ordinality a (id, i)
      left join uploads u on u.id = a.id and u.site = p_site and u.owner = p_owner
      where u.id is null or u.type not like 'image/%';
    if refused is not null then
      raise exception using errcode = 'KF400', message = 'attachments refused', detail = refused::text;
    end if;
  end if;
  insert into messages (id, conversation_id, client_id, author, text, attachment_ids)
    values (p_message_id, conversation.id, p_client_id, 'shopper', p_text, p_attachments)
    on conflict (conversation_id, client_id) where client_id is not null do nothing
    returning * into shopper;
  if found then
    answer := kefu_message_json(shopper);
    insert into events (site, owner, type, data)
      values (p_site, p_owner, 'message', jsonb_build_object('type', 'message', 'message', answer));
    insert into agent_events (site, type, data)
      values (p_site, 'message', jsonb_build_object(
        'type', 'message', 'site', p_site, 'conversationId', conversation.id, 'message', answer));
    update service_subjects set asked_at = now()
      where site = p_site and subject_type = 'conversation' and subject_id = conversation.id and asked_at is null;
    if conversation.status = 'bot' and p_bot_id is not null then
      insert into messages (id, conversation_id, client_id, author, text, extra)
        values (p_bot_id, conversation.id, null, 'bot', p_bot_text, p_bot_extra)
        returning * into bot;
      insert into events (site, owner, type, data)
        values (p_site, p_owner, 'message', jsonb_build_object('type', 'message', 'message', kefu_message_json(bot)));
      with answered as (
        update service_subjects set bot_answered_at = now(),
          topic = coalesce(topic, (select coalesce(tags[1], id) from articles where site = p_site and id = p_bot_article))
        where site = p_site and subject_type = 'conversation' and subject_id = conversation.id and bot_answered_at is null
        returning coalesce(asked_at, created_at) as since
      )
      insert into service_facts (site, subject_type, subject_id, kind, actor, duration_ms)
        select p_site, 'conversation', conversation.id, 'first_response', 'bot',
          greatest(0, round(extract(epoch from (now() - since)) * 1000))::bigint from answered;
    end if;
    update conversations set updated_at = now() where id = conversation.id;
  else
    -- Sent before under another Idempotency-Key: that message again, and nothing happens twice.
    select * into shopper from messages m where m.conversation_id = conversation.id and m.client_id = p_client_id;
    answer := kefu_message_json(shopper);
  end if;
  insert into idempotency (site, owner, key, fingerprint, status, body)
    values (p_site, p_owner, p_key, p_fingerprint, 201, answer);
  return query select answer, shopper.id = p_message_id, conversation.status;
end
$$;
`,
  // 11: the insights' medians and p90s read each group's durations in order (issue 10). Before,
  // `percentile_cont` sorted every timed fact of the range per request, twice (the total and the
  // groups): at 90 days and 166,000 timed facts that was 74 + 120 ms on PostgreSQL and 130 + 240 ms
  // on PGlite. An index per grouping on (series, key, duration_ms), with `at` and `site` included for
  // the range and site filters, hands a GroupAggregate its rows already grouped and sorted: an
  // index-only scan, no sort (28–30 ms on PostgreSQL, 45–55 ms on PGlite). Index-only scans need the
  // visibility map kept up, so this table is vacuumed after 2 % new rows rather than 20 % (PGlite has
  // no autovacuum; db.ts does its job with the same thresholds).
  `
create index service_durations_total on service_durations (series, duration_ms) include (at, site);
create index service_durations_day on service_durations (series, ((at at time zone 'UTC')::date), duration_ms) include (at, site);
${['flow', 'topic', 'page', 'device', 'agent'].map((key) =>
    `create index service_durations_${key} on service_durations (series, ${key}, duration_ms) include (at, site);`).join('\n')}
alter table service_durations set (autovacuum_vacuum_insert_scale_factor = 0.02);
`,
  // 12: group commit for message posts (routes/conversations.ts, groupCommit.ts). Posts that arrive
  // while another call is in flight go to PostgreSQL together: one call, one transaction, one WAL
  // flush for all of them (timed alone, a commit's flush cost a post 0.13–0.18 ms of backend CPU,
  // more than half of what the rest of the post cost). kefu_post_messages takes the posts as a JSON
  // array and answers each, in order, with its own outcome: `posted` (the message, `fresh` and the
  // conversation's status, what migration 10's function answered), `missing` (not this shopper's
  // conversation: 404), `refused` (the attachments' field errors: 400) or `taken` (the
  // Idempotency-Key has an answer already: the route replays it or answers 422). Only `posted`
  // stores anything, so a bad post fails only itself. Every conversation of the call is locked
  // first, in id order, so calls of several processes never wait on each other in a cycle.
  // A post is also cheaper than in migration 10:
  // - the shopper's `asked_at` and the bot's `bot_answered_at` are read, and written (with the bot's
  //   first response fact) only while unset, at the end of the call in one statement each: every
  //   post used to run two updates that found nothing to do and fired migration 8's statement
  //   triggers all the same;
  // - `conversations.updated_at` is written once per conversation and call, and the index
  //   `conversations_owner` (site, owner, updated_at) goes, so that update is HOT (no index entry;
  //   old versions are pruned within the page). Before, each post added an entry for a new version
  //   of the row to all three indexes (timed alone: 6,000 posts to 256 conversations left 496 kB
  //   of index behind; 113,000 HOT updates, 88 kB). A shopper's list (`where site and owner order
  //   by updated_at desc limit 50`) reads the unique (site, owner, client_id) index and sorts that
  //   shopper's conversations.
  // kefu_post_message (migration 10) goes: every post, alone or grouped, runs this one function.
  `
drop index conversations_owner;
drop function kefu_post_message(text, text, text, text, text, text, text, text, text, text, jsonb, text, text[]);
create function kefu_post_messages(p_posts jsonb)
returns table (outcome text, message jsonb, fresh boolean, status text, refused jsonb) language plpgsql as $$
declare
  post record;
  conversation conversations;
  unasked boolean;
  unanswered boolean;
  shopper messages;
  bot messages;
  answer jsonb;
  touched text[] := '{}';
  asked_sites text[] := '{}';
  asked_ids text[] := '{}';
  answered_sites text[] := '{}';
  answered_ids text[] := '{}';
  answered_articles text[] := '{}';
begin
  -- Written so, not as "(id, site, owner) in (select ...)", which cost 5 times as much CPU per call.
  perform from conversations c
    where c.id = any (array(select x.conversation from jsonb_to_recordset(p_posts) x (conversation text)))
      and exists (select from jsonb_to_recordset(p_posts) x (conversation text, site text, owner text)
        where x.conversation = c.id and x.site = c.site and x.owner = c.owner)
    order by c.id for update;
  for post in select * from jsonb_to_recordset(p_posts) x (
    site text, owner text, conversation text, message_id text, client_id text, body text, key text, fingerprint text,
    bot_id text, bot_text text, bot_extra jsonb, bot_article text, attachments text[]
  ) loop
    outcome := 'posted'; message := null; fresh := null; status := null; refused := null;
    -- A key with an answer (committed, or of an earlier post of this call) is replayed by the route.
    if exists (select from idempotency i where i.site = post.site and i.owner = post.owner and i.key = post.key) then
      outcome := 'taken';
      return next;
      continue;
    end if;
    select * into conversation from conversations c where c.id = post.conversation and c.site = post.site and c.owner = post.owner;
    if not found then
      outcome := 'missing';
      return next;
      continue;
    end if;
    if cardinality(post.attachments) > 0 then
      select jsonb_agg(jsonb_build_object('path', 'attachmentIds.' || (a.i - 1), 'message',
          case when u.id is null then 'is not one of your uploads' else 'must be an image (PNG, JPEG, GIF or WEBP)' end) order by a.i)
        into refused
        from unnest(post.attachments) with ordinality a (id, i)
        left join uploads u on u.id = a.id and u.site = post.site and u.owner = post.owner
        where u.id is null or u.type not like 'image/%';
      if refused is not null then
        outcome := 'refused';
        return next;
        continue;
      end if;
    end if;
    insert into messages (id, conversation_id, client_id, author, text, attachment_ids)
      values (post.message_id, conversation.id, post.client_id, 'shopper', post.body, post.attachments)
      on conflict (conversation_id, client_id) where client_id is not null do nothing
      returning * into shopper;
    if found then
      answer := kefu_message_json(shopper);
      insert into events (site, owner, type, data)
        values (post.site, post.owner, 'message', jsonb_build_object('type', 'message', 'message', answer));
      insert into agent_events (site, type, data)
        values (post.site, 'message', jsonb_build_object(
          'type', 'message', 'site', post.site, 'conversationId', conversation.id, 'message', answer));
      select s.asked_at is null, s.bot_answered_at is null into unasked, unanswered from service_subjects s
        where s.site = post.site and s.subject_type = 'conversation' and s.subject_id = conversation.id;
      if unasked and not conversation.id = any(asked_ids) then
        asked_sites := asked_sites || post.site;
        asked_ids := asked_ids || conversation.id;
      end if;
      if conversation.status = 'bot' and post.bot_id is not null then
        insert into messages (id, conversation_id, client_id, author, text, extra)
          values (post.bot_id, conversation.id, null, 'bot', post.bot_text, post.bot_extra)
          returning * into bot;
        insert into events (site, owner, type, data)
          values (post.site, post.owner, 'message', jsonb_build_object('type', 'message', 'message', kefu_message_json(bot)));
        if unanswered and not conversation.id = any(answered_ids) then
          answered_sites := answered_sites || post.site;
          answered_ids := answered_ids || conversation.id;
          answered_articles := answered_articles || post.bot_article;
        end if;
      end if;
      if not conversation.id = any(touched) then
        touched := touched || conversation.id;
        update conversations set updated_at = now() where id = conversation.id;
      end if;
    else
      -- Sent before under another Idempotency-Key: that message again, and nothing happens twice.
      select * into shopper from messages m where m.conversation_id = conversation.id and m.client_id = post.client_id;
      answer := kefu_message_json(shopper);
    end if;
    insert into idempotency (site, owner, key, fingerprint, status, body)
      values (post.site, post.owner, post.key, post.fingerprint, 201, answer);
    message := answer;
    fresh := shopper.id = post.message_id;
    status := conversation.status;
    return next;
  end loop;
  -- The first question and the bot's first answer of a conversation (facts.ts shopperAsked and
  -- firstResponse), the answer timed from the question and naming the topic when none was given.
  if cardinality(asked_ids) > 0 then
    update service_subjects s set asked_at = now()
      from unnest(asked_sites, asked_ids) a (site, id)
      where s.site = a.site and s.subject_type = 'conversation' and s.subject_id = a.id and s.asked_at is null;
  end if;
  if cardinality(answered_ids) > 0 then
    with answered as (
      update service_subjects s set bot_answered_at = now(),
          topic = coalesce(s.topic, (select coalesce(r.tags[1], r.id) from articles r where r.site = a.site and r.id = a.article))
        from unnest(answered_sites, answered_ids, answered_articles) a (site, id, article)
        where s.site = a.site and s.subject_type = 'conversation' and s.subject_id = a.id and s.bot_answered_at is null
        returning s.site, s.subject_id, coalesce(s.asked_at, s.created_at) as since
    )
    insert into service_facts (site, subject_type, subject_id, kind, actor, duration_ms)
      select site, 'conversation', subject_id, 'first_response', 'bot',
        greatest(0, round(extract(epoch from (now() - since)) * 1000))::bigint from answered;
  end if;
end
$$;
`,
];
