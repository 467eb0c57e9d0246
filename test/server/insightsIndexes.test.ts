/**
 * The insights' medians and p90s read each grouping's durations from its index, already grouped and
 * sorted (migration 11), on PGlite and PostgreSQL; and PGlite, which has no autovacuum, gets its
 * tables vacuumed and analyzed by db.ts so those scans stay index-only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openDb, type Queryable } from '../../demo/server/db';
import { BUCKET_BOUNDS_MS, insights } from '../../demo/server/insights';
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
        const groups = asked.filter(({ sql }) => sql.includes('percentile_cont'));
        const total = asked.filter(({ sql }) => sql.includes('service_durations_total') || sql.includes("dim = 'bucket' and r.day"));
        assert.deepEqual([groups.length, total.length], [1, 1], 'one query for the groups, one for the total');
        const planOf = (statement: { sql: string; params: unknown[] }) =>
          server.db.tx(async (q) => {
            // Seq scans and sorts priced out, as at volume: on an empty table the planner would pick them anyway.
            await q.query('set local enable_seqscan = off');
            await q.query('set local enable_sort = off');
            await q.query('set local enable_incremental_sort = off');
            const rows = await q.query<{ 'QUERY PLAN': string }>(`explain ${statement.sql}`, statement.params);
            return rows.map((row) => row['QUERY PLAN']).join('\n');
          });
        const groupPlan = await planOf(groups[0]!);
        assert.match(groupPlan, new RegExp(`Index Only Scan using service_durations_${groupBy} `), groupPlan);
        assert.doesNotMatch(groupPlan, /Sort/, groupPlan);
        const totalPlan = await planOf(total[0]!);
        assert.equal(totalPlan.match(/Index Only Scan (Backward )?using service_durations_total /g)?.length, 2, totalPlan);
        assert.doesNotMatch(totalPlan, /Sort/, totalPlan);
      });
    }
  });
}

for (const engine of engines) {
  describe(`insights total percentiles on ${engine.name}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(engine);
    });
    after(() => server.close());

    test('the total found by walking to each rank equals percentile_cont, and its buckets the facts counted, for every count and range', async () => {
      // Seeded random durations over four days, a site of their own; counts from 1 up, so whole and
      // fractional ranks, ties and both ends of the range all come up.
      let seed = 7;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const site = 'pk_walk';
      await server.db.query(`insert into sites (key, secret) values ($1, 'x')`, [site]);
      const day = (n: number, hours: number) => new Date(Date.UTC(2021, 2, 1 + n) + hours * 3_600_000);
      const ranges = [
        [day(0, 0), day(4, 0)], [day(0, 5.5), day(3, 20)], [day(1, 1), day(1, 2)], [day(2, 0), day(3, 0)], [day(0, 23), day(1, 0.5)],
      ];
      const kinds = [['first_response', 'bot'], ['first_response', 'agent'], ['conversation_closed', 'agent']] as const;
      for (let round = 0; round < 6; round++) {
        const facts = 1 + Math.floor(random() * (round < 3 ? 4 : 60));
        for (let i = 0; i < facts; i++) {
          const [kind, actor] = kinds[Math.floor(random() * 3)]!;
          const duration = random() < 0.2 ? 500 : Math.floor(random() * 100_000);
          await server.db.query(
            `insert into service_facts (site, subject_type, subject_id, kind, at, actor, duration_ms) values ($1, 'conversation', $2, $3, $4, $5, $6)`,
            [site, `c${round}_${i}`, kind, day(0, random() * 96), actor, duration],
          );
        }
        for (const [from, to] of ranges) {
          const answer = await insights(server.db, { from: from!, to: to!, groupBy: 'flow', site });
          const expected = await server.db.query<{ series: string; count: number; percentiles: number[] }>(
            `select series, count(*)::int as count, percentile_cont(array[0.5, 0.9]) within group (order by duration_ms) as percentiles
             from service_durations where site = $1 and at >= $2 and at < $3 group by series`,
            [site, from, to],
          );
          const of = (series: string) => expected.find((row) => row.series === series);
          const figures = (series: string) => ({ count: of(series)?.count ?? 0, medianMs: of(series)?.percentiles[0] ?? null, p90Ms: of(series)?.percentiles[1] ?? null });
          const label = `round ${round}, ${from!.toISOString()} – ${to!.toISOString()}`;
          assert.deepEqual(answer.total.firstResponse, { bot: figures('bot'), agent: figures('agent') }, label);
          assert.deepEqual(answer.total.resolution, figures('resolution'), label);
          const buckets = await server.db.query<{ series: 'bot' | 'agent' | 'resolution'; bucket: number; n: number }>(
            `select series, width_bucket(duration_ms, $4::bigint[]) as bucket, count(*)::int as n
             from service_durations where site = $1 and at >= $2 and at < $3 group by 1, 2`,
            [site, from, to, BUCKET_BOUNDS_MS],
          );
          const distribution = { boundsMs: BUCKET_BOUNDS_MS, bot: [] as number[], agent: [] as number[], resolution: [] as number[] };
          for (const series of ['bot', 'agent', 'resolution'] as const) {
            distribution[series] = [...BUCKET_BOUNDS_MS, 0].map((_, bucket) => buckets.find((b) => b.series === series && b.bucket === bucket)?.n ?? 0);
          }
          assert.deepEqual(answer.distribution, distribution, `${label}: the distribution is the timed facts counted`);
        }
      }
    });
  });
}

describe('PGlite settings and maintenance (its stand-in for autovacuum)', () => {
  test('PGlite prices a random page read as a sequential one (its pages are in memory or local files)', async () => {
    const db = await openDb({});
    try {
      // At the default 4 the planner sorted a 30-day range of durations instead of reading their index in order.
      assert.deepEqual(await db.query('show random_page_cost'), [{ random_page_cost: '1.1' }]);
    } finally {
      await db.close();
    }
  });

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
