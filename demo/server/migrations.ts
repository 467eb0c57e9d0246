/**
 * Versioned migrations: append, never edit. Statements are separated by `;` at a line end.
 * Runs the same on PGlite and PostgreSQL.
 */
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
  // 5: help facts from the widget (POST /v1/help-events, demo/server/helpEvents.ts). A help session
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
];
