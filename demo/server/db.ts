/**
 * One small database interface over two engines: PGlite (embedded, the default) and PostgreSQL
 * (`DATABASE_URL`). Same SQL, same migrations; LISTEN/NOTIFY carries events between processes.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { migrations } from './migrations';

export interface Queryable {
  /**
   * Runs one statement. A `name` makes PostgreSQL parse and plan it once per connection rather than
   * per call (PGlite ignores it); only for a hot statement whose text never changes.
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], name?: string): Promise<T[]>;
}

export interface Db extends Queryable {
  readonly engine: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction; a throw rolls it back. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface DbConfig {
  /** PostgreSQL connection string; when absent, PGlite is used. */
  url?: string;
  /** PGlite data folder; absent means in memory. */
  dataDir?: string;
  /** Apply only the first this many migrations (a test of a later one's backfill); absent means all. */
  migrations?: number;
}

export async function openDb(config: DbConfig): Promise<Db> {
  const db = config.url ? openPostgres(config.url) : await openPglite(config.dataDir);
  await migrate(db, config.migrations);
  return db;
}

async function openPglite(dataDir?: string): Promise<Db> {
  const lite = new PGlite(dataDir);
  await lite.waitReady;
  const run = async <T>(q: Pick<PGlite, 'query'>, sql: string, params?: unknown[]) =>
    (await q.query<T>(sql, params)).rows;
  return {
    engine: 'pglite',
    query: (sql, params) => run(lite, sql, params),
    tx: (fn) => lite.transaction((t) => fn({ query: (sql, params) => run(t, sql, params) })),
    listen: async (channel, onPayload) => {
      const stop = await lite.listen(channel, onPayload);
      return () => stop();
    },
    close: () => lite.close(),
  };
}

function openPostgres(url: string): Db {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // A pooled connection error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', (error) => console.error(JSON.stringify({ level: 'error', msg: 'postgres pool', error: error.message })));
  const listeners: pg.Client[] = [];
  return {
    engine: 'postgres',
    query: async (sql, params, name) => (await pool.query(statement(sql, params, name))).rows,
    tx: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn({ query: async (sql, params, name) => (await client.query(statement(sql, params, name))).rows });
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined); // The original error is the one to report.
        throw error;
      } finally {
        client.release();
      }
    },
    listen: async (channel, onPayload) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      client.on('notification', (message) => {
        if (message.channel === channel) onPayload(message.payload ?? '');
      });
      await client.query(`listen ${pg.escapeIdentifier(channel)}`);
      listeners.push(client);
      return async () => {
        await client.end();
      };
    },
    close: async () => {
      await Promise.all(listeners.map((client) => client.end().catch(() => undefined)));
      await pool.end();
    },
  };
}

/** node-postgres's query config: named, it is a prepared statement of each pooled connection. */
const statement = (text: string, values: unknown[] | undefined, name: string | undefined): pg.QueryConfig => ({ text, values, name });

/** Applies the versioned migrations not yet recorded, each in its own transaction, under a lock. */
async function migrate(db: Db, count = migrations.length) {
  await db.query('create table if not exists schema_migrations (version int primary key, applied_at timestamptz not null default now())');
  await db.tx(async (q) => {
    // Two processes starting together on one PostgreSQL must not both migrate.
    await q.query('select pg_advisory_xact_lock(4207001)');
    const done = new Set((await q.query<{ version: number }>('select version from schema_migrations')).map((r) => r.version));
    for (const [index, sql] of migrations.slice(0, count).entries()) {
      const version = index + 1;
      if (done.has(version)) continue;
      for (const statement of statementsOf(sql)) await q.query(statement);
      await q.query('insert into schema_migrations (version) values ($1)', [version]);
    }
  });
}

/** A migration's statements: split at a `;` that ends a line, except inside a `$$`-quoted body. */
function statementsOf(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  for (const piece of sql.split(/;\s*$/m)) {
    current = current ? `${current};\n${piece}` : piece;
    if ((current.match(/\$\$/g)?.length ?? 0) % 2 === 1) continue;
    if (current.trim()) statements.push(current);
    current = '';
  }
  return statements;
}
