/**
 * Versioned migrations: append, never edit. Statements are separated by `;` at a line end (one
 * inside a `$$`-quoted function body does not count). Runs the same on PGlite and PostgreSQL.
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
  // 8: kefu_message_json is stable, as the to_char it calls is. Declared immutable, PostgreSQL would
  // not inline it (an immutable function's body may only call immutable ones), so every post parsed
  // and planned its body twice, per transaction: a sixth of the backend's CPU in a message post.
  // Stable, it is inlined into the plans kefu_post_message caches per connection.
  `
alter function kefu_message_json(messages) stable;
`,
];
