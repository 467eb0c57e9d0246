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
];
