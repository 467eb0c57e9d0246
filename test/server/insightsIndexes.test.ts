/**
 * The insights' medians and p90s read each grouping's durations from its index, already grouped and
 * sorted (migration 11), on PGlite and PostgreSQL; and PGlite, which has no autovacuum, gets its
 * tables vacuumed and analyzed by db.ts so those scans stay index-only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openDb, type Queryable } from '../../demo/server/db';
import { insights } from '../../demo/server/insights';
import { engines, startServer, warnIfPgliteOnly, type TestServer } from './harness';

warnIfPgliteOnly();

const GROUPINGS = ['day', 'flow', 'topic', 'page', 'device', 'agent'] as const;

for (const engine of engines) {
  describe(`insights percentiles on ${engine.name}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(engine);
    });
    after(() => server.close());

    for (const groupBy of GROUPINGS) {
      test(`by ${groupBy}: the total's and the groups' percentiles are read in order from an index, with no sort`, async () => {
        // The statements insights() really runs, recorded, then explained as they were asked.
        const asked: { sql: string; params: unknown[] }[] = [];
        const recorder: Queryable = {
          query: (sql, params, name) => {
            asked.push({ sql, params: params ?? [] });
            return server.db.query(sql, params, name);
          },
        };
        await insights(recorder, { from: new Date('2020-01-01T00:00:00Z'), to: new Date('2020-03-31T00:00:00Z'), groupBy, site: null });
        const timed = asked.filter(({ sql }) => sql.includes('percentile_cont'));
        assert.equal(timed.length, 2, 'the total and the groups');
        for (const { sql, params } of timed) {
          // Seq scans and sorts priced out, as at volume: on an empty table the planner would pick them anyway.
          const plan = await server.db.tx(async (q) => {
            await q.query('set local enable_seqscan = off');
            await q.query('set local enable_sort = off');
            await q.query('set local enable_incremental_sort = off');
            const rows = await q.query<{ 'QUERY PLAN': string }>(`explain ${sql}`, params);
            return rows.map((row) => row['QUERY PLAN']).join('\n');
          });
          const index = sql.includes('select null as key') ? 'total' : groupBy;
          assert.match(plan, new RegExp(`Index Only Scan using service_durations_${index} `), plan);
          assert.doesNotMatch(plan, /Sort/, plan);
        }
      });
    }
  });
}

describe('PGlite maintenance (its stand-in for autovacuum)', () => {
  test('a table with many new rows is vacuumed and analyzed; a table with a few is left alone', async () => {
    const db = await openDb({ maintenanceMs: 20 });
    try {
      await db.query('create table busy (id int primary key)');
      await db.query('create table quiet (id int primary key)');
      await db.query('insert into busy select generate_series(1, 1500)');
      await db.query('insert into quiet select generate_series(1, 10)');
      const stats = async () => Object.fromEntries((await db.query<{ relname: string; vacuums: number; analyzes: number }>(
        `select relname, vacuum_count::int as vacuums, analyze_count::int as analyzes
         from pg_stat_user_tables where relname in ('busy', 'quiet')`,
      )).map((row) => [row.relname, row]));
      const deadline = Date.now() + 5000;
      while ((await stats()).busy?.vacuums === 0 && Date.now() < deadline) await new Promise((wake) => setTimeout(wake, 20));
      // A few more rounds: the quiet table must stay below the thresholds, and the busy one is not vacuumed again.
      await new Promise((wake) => setTimeout(wake, 200));
      const { busy, quiet } = await stats();
      assert.deepEqual([busy?.vacuums, busy?.analyzes], [1, 1], 'busy: vacuumed and analyzed once');
      assert.deepEqual([quiet?.vacuums, quiet?.analyzes], [0, 0], 'quiet: 10 rows are below every threshold');
    } finally {
      await db.close();
    }
  });
});
