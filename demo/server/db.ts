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
  /** PGlite: how often its stand-in for autovacuum looks (`maintain`); absent means once a minute. */
  maintenanceMs?: number;
}

export async function openDb(config: DbConfig): Promise<Db> {
  const db = config.url ? openPostgres(config.url) : await openPglite(config.dataDir, config.maintenanceMs);
  await migrate(db, config.migrations);
  return db;
}

async function openPglite(dataDir?: string, maintenanceMs = 60_000): Promise<Db> {
  const lite = new PGlite(dataDir);
  await lite.waitReady;
  // PGlite's pages are in this process's memory or its files, so a random read costs what a
  // sequential one does (the usual setting for SSDs). At 4, the default for spinning disks, the
  // planner sorted a 30-day range of the insights' durations (110 ms in WebAssembly) rather than
  // read them in order from their index (migration 11); PostgreSQL's own setting is its operator's.
  await lite.query('set random_page_cost = 1.1');
  const run = async <T>(q: Pick<PGlite, 'query'>, sql: string, params?: unknown[]) =>
    (await q.query<T>(sql, params)).rows;
  let closed = false;
  const maintenance = setInterval(() => {
    maintain(lite).catch((error: Error) => {
      if (!closed) console.error(JSON.stringify({ level: 'error', msg: 'pglite maintenance', error: error.message }));
    });
  }, maintenanceMs);
  maintenance.unref();
  return {
    engine: 'pglite',
    query: (sql, params) => run(lite, sql, params),
    tx: (fn) => lite.transaction((t) => fn({ query: (sql, params) => run(t, sql, params) })),
    listen: async (channel, onPayload) => {
      const stop = await lite.listen(channel, onPayload);
      return () => stop();
    },
    close: async () => {
      closed = true;
      clearInterval(maintenance);
      await lite.close();
    },
  };
}

/**
 * PGlite has no autovacuum, so without this no table's visibility map or statistics would ever
 * catch up: index-only scans (the insights' percentiles, migration 11) would fetch every heap row
 * and plans would go stale. It does autovacuum's job with autovacuum's default thresholds, or a
 * table's own `autovacuum_*` scale factors: vacuum after 50 dead or 1,000 new rows plus 20 % of the
 * table, analyze after 50 changed rows plus 10 %. A quiet database costs one catalog query; a
 * vacuum skips the pages it has seen (20 ms on a 166,000-row table after a few changes), while an
 * analyze samples its table (about 1 s for all of them at the insights benchmark's volume).
 */
async function maintain(lite: PGlite) {
  const factor = (name: string, otherwise: number) =>
    `coalesce((select split_part(o, '=', 2)::float8 from unnest(c.reloptions) o where o like '${name}=%'), ${otherwise})`;
  const { rows } = await lite.query<{ name: string; vacuum: boolean; analyze: boolean }>(
    `select format('%I.%I', s.schemaname, s.relname) as name,
       s.n_dead_tup > 50 + ${factor('autovacuum_vacuum_scale_factor', 0.2)} * greatest(c.reltuples, 0)
         or s.n_ins_since_vacuum > 1000 + ${factor('autovacuum_vacuum_insert_scale_factor', 0.2)} * greatest(c.reltuples, 0) as vacuum,
       s.n_mod_since_analyze > 50 + ${factor('autovacuum_analyze_scale_factor', 0.1)} * greatest(c.reltuples, 0) as analyze
     from pg_stat_user_tables s join pg_class c on c.oid = s.relid`,
  );
  for (const table of rows) {
    if (table.vacuum) await lite.query(`vacuum${table.analyze ? ' (analyze)' : ''} ${table.name}`);
    else if (table.analyze) await lite.query(`analyze ${table.name}`);
  }
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
