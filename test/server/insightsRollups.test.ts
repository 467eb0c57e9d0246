/**
 * The insights' rollups (migration 8) on PGlite and PostgreSQL: a dimension that changes after its
 * facts (a topic, an agent or a handoff set later, a subject recorded after its facts, a chat that
 * escalates a help session, a fact removed) moves the figures to the new group. After every step
 * the rollups equal the facts rolled up from scratch, and a whole day read from the rollups answers
 * exactly what the same day read from the facts answers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as v from 'valibot';
import { Insights } from '../../src/api/schemas';
import { conversationStarted, firstResponse } from '../../demo/server/facts';
import { openDb, type Queryable } from '../../demo/server/db';
import { BUCKET_BOUNDS_MS, insights as insightsOf } from '../../demo/server/insights';
import { migrations } from '../../demo/server/migrations';
import { AGENT_TOKEN, client, create, engines, freshDatabase, startServer, warnIfPgliteOnly, type TestServer } from './harness';

warnIfPgliteOnly();

const SITE = 'pk_rollups';
const DAY = '2020-05-04';
const at = (time: string) => `${DAY}T${time}Z`;
const GROUPINGS = ['day', 'flow', 'topic', 'page', 'device', 'agent'] as const;
const COUNTERS = 'facts, ratings, score_sum, satisfied, dissatisfied, conversations, handoffs, tickets, help_sessions, self_served, searches, unanswered';

/** A site's rollups (their non-zero rows) equal its keyed facts and ended help sessions rolled up from scratch. */
async function assertRollupsAreFacts(db: Queryable, site: string) {
  const stored = await db.query(
    `select dim, day::text as day, key, ${COUNTERS} from service_rollups
     where site = $1 and dim <> 'bucket' and (${COUNTERS.split(', ').join(' <> 0 or ')} <> 0) order by 1, 2, 3`,
    [site],
  );
  const fresh = await db.query(
    `select d.dim, (k.at at time zone 'UTC')::date::text as day, d.key, count(*)::int as facts,
       count(*) filter (where kind = 'rating')::int as ratings, coalesce(sum(score) filter (where kind = 'rating'), 0)::int as score_sum,
       count(*) filter (where kind = 'rating' and score >= 4)::int as satisfied,
       count(*) filter (where kind = 'rating' and score <= 2)::int as dissatisfied,
       count(*) filter (where kind = 'conversation_started')::int as conversations,
       count(*) filter (where kind = 'conversation_started' and handed_off)::int as handoffs,
       count(*) filter (where kind = 'ticket_created')::int as tickets,
       count(*) filter (where kind = 'help_session')::int as help_sessions,
       count(*) filter (where kind = 'help_session' and not escalated)::int as self_served,
       count(*) filter (where kind = 'help_search')::int as searches,
       count(*) filter (where kind = 'help_search' and results = 0)::int as unanswered
     from service_keyed k cross join lateral (values ('day', to_char(k.at at time zone 'UTC', 'YYYY-MM-DD')),
       ('flow', k.flow), ('topic', k.topic), ('page', k.page), ('device', k.device), ('agent', k.agent)) as d (dim, key)
     where k.site = $1 group by 1, 2, 3 order by 1, 2, 3`,
    [site],
  );
  assert.deepEqual(stored.map((row) => ({ ...row, score_sum: Number(row.score_sum) })), fresh, 'the rollups are the facts rolled up');
  const timed = `select f.id, f.at, f.duration_ms, f.flow, f.topic, f.page, f.device, f.agent,
      case when f.kind = 'first_response' and f.actor in ('bot', 'agent') then f.actor else 'resolution' end as series
    from service_facts f where f.site = $1 and f.duration_ms is not null
      and ((f.kind = 'first_response' and f.actor in ('bot', 'agent')) or f.kind in ('conversation_closed', 'ticket_transition'))`;
  assert.deepEqual(
    await db.query(`select fact_id as id, at, duration_ms, flow, topic, page, device, agent, series from service_durations where site = $1 order by 1`, [site]),
    await db.query(`${timed} order by 1`, [site]),
    'the timed facts, keys and all',
  );
  assert.deepEqual(
    await db.query(`select day::text, key, facts from service_rollups where site = $1 and dim = 'bucket' and facts <> 0 order by 1, 2`, [site]),
    await db.query(
      `select (at at time zone 'UTC')::date::text as day, series || ':' || width_bucket(duration_ms, $2::bigint[]) as key, count(*)::int as facts
       from (${timed}) t group by 1, 2 order by 1, 2`,
      [site, BUCKET_BOUNDS_MS],
    ),
    'the response-time buckets are the timed facts counted',
  );
}

for (const engine of engines) {
  describe(`insights rollups on ${engine.name}`, () => {
    let server: TestServer;
    const sql = (text: string, params: unknown[] = []) => server.db.query(text, params);
    const insights = async (query: string) => {
      const agent = client(server.base);
      agent.token = AGENT_TOKEN;
      const answer = await agent.call('GET', `/v1/agent/insights?site=${SITE}&${query}`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return v.parse(Insights, answer.body);
    };
    /** The seeded day by `groupBy`, read from the rollups (the whole day). */
    const wholeDay = (groupBy: string) => insights(`from=${DAY}&to=${DAY}&groupBy=${groupBy}`);
    const group = async (groupBy: string, key: string) => (await wholeDay(groupBy)).groups.find((g) => g.key === key);

    /**
     * The rollups equal the keyed facts and ended sessions rolled up from scratch, and the whole day
     * from the rollups answers what the day from the facts does (a range inside one day reads facts only).
     */
    async function assertInStep() {
      await assertRollupsAreFacts(server.db, SITE);
      for (const groupBy of GROUPINGS) {
        const fromRollups = await wholeDay(groupBy);
        const fromFacts = await insights(`from=${at('00:00:00')}&to=${at('23:59:59.999')}&groupBy=${groupBy}`);
        assert.deepEqual(
          { total: fromRollups.total, groups: fromRollups.groups }, { total: fromFacts.total, groups: fromFacts.groups }, groupBy,
        );
      }
    }

    before(async () => {
      server = await startServer(engine);
      await sql(`insert into sites (key, secret) values ($1, 'x')`, [SITE]);
    });
    after(() => server.close());

    test('a topic, an agent and a handoff set after the facts move the conversation to its new groups', async () => {
      await sql(
        `insert into service_subjects (site, subject_type, subject_id, flow, page, device, owner, created_at)
         values ($1, 'conversation', 'c1', 'chat', '/lamps', 'mobile', 'v:a', $2)`,
        [SITE, at('10:00:00')],
      );
      await sql(
        `insert into service_facts (site, subject_type, subject_id, kind, at, actor, duration_ms, score) values
         ($1, 'conversation', 'c1', 'conversation_started', $2, null, null, null),
         ($1, 'conversation', 'c1', 'first_response', $3, 'bot', 400, null),
         ($1, 'conversation', 'c1', 'rating', $4, 'shopper', null, 2)`,
        [SITE, at('10:00:00'), at('10:01:00'), at('11:00:00')],
      );
      assert.equal((await group('topic', 'unknown'))?.conversations, 1);
      assert.equal((await group('agent', 'bot'))?.firstResponse.bot.count, 1);
      await assertInStep();

      // As facts.ts records them: the bot names the topic, the shopper asks for a person, one answers.
      await sql(`update service_subjects set topic = 'lighting' where site = $1 and subject_id = 'c1'`, [SITE]);
      await sql(`update service_subjects set handoff_at = $2 where site = $1 and subject_id = 'c1'`, [SITE, at('10:05:00')]);
      await sql(`update service_subjects set agent = 'agent' where site = $1 and subject_id = 'c1'`, [SITE]);
      await sql(
        `insert into service_facts (site, subject_type, subject_id, kind, at, actor, duration_ms) values
         ($1, 'conversation', 'c1', 'handoff', $2, null, null), ($1, 'conversation', 'c1', 'first_response', $3, 'agent', 60000)`,
        [SITE, at('10:05:00'), at('10:06:00')],
      );
      const topics = await wholeDay('topic');
      assert.deepEqual(topics.groups.map((g) => g.key), ['lighting'], 'nothing left under unknown');
      const lighting = topics.groups[0]!;
      assert.deepEqual([lighting.conversations, lighting.handoffs, lighting.ratings.count, lighting.ratings.average], [1, 1, 1, 2]);
      assert.deepEqual([lighting.firstResponse.bot.medianMs, lighting.firstResponse.agent.medianMs], [400, 60000], 'timed facts re-keyed too');
      assert.deepEqual((await wholeDay('agent')).groups.map((g) => g.key), ['agent']);
      await assertInStep();
    });

    test('a fact recorded before its subject counts under the subject once it is recorded', async () => {
      await sql(
        `insert into service_facts (site, subject_type, subject_id, kind, at, actor) values ($1, 'ticket', 't1', 'ticket_created', $2, 'shopper')`,
        [SITE, at('12:00:00')],
      );
      assert.equal((await group('flow', 'unknown'))?.ticketsCreated, 1);
      await sql(
        `insert into service_subjects (site, subject_type, subject_id, flow, topic, created_at) values ($1, 'ticket', 't1', 'refund', 'damaged', $2)`,
        [SITE, at('12:00:00')],
      );
      assert.equal((await group('flow', 'refund'))?.ticketsCreated, 1);
      assert.equal(await group('flow', 'unknown'), undefined);
      await assertInStep();
    });

    test('a help session is escalated by a chat its shopper starts later, and self-served again when that chat moves away', async () => {
      await sql(
        `insert into service_subjects (site, subject_type, subject_id, flow, device, owner, created_at, ended_at)
         values ($1, 'help', 'h1', 'help', 'desktop', 'v:b', $2, $3)`,
        [SITE, at('13:00:00'), at('13:05:00')],
      );
      await sql(
        `insert into service_facts (site, subject_type, subject_id, kind, at, actor, query, results)
         values ($1, 'help', 'h1', 'help_search', $2, 'shopper', 'lamp warranty', 0)`,
        [SITE, at('13:01:00')],
      );
      const served = async () => (await wholeDay('device')).groups.find((g) => g.key === 'desktop')!;
      assert.deepEqual([(await served()).helpSessions, (await served()).selfServed], [1, 1]);
      await sql(
        `insert into service_subjects (site, subject_type, subject_id, flow, owner, created_at) values ($1, 'conversation', 'c2', 'chat', 'v:b', $2)`,
        [SITE, at('13:20:00')],
      );
      assert.deepEqual([(await served()).helpSessions, (await served()).selfServed], [1, 0], 'a chat 15 minutes after its end');
      await assertInStep();
      await sql(`update service_subjects set created_at = $2 where site = $1 and subject_id = 'c2'`, [SITE, at('15:00:00')]);
      assert.deepEqual([(await served()).helpSessions, (await served()).selfServed], [1, 1], 'the chat is now too late to count');
      await assertInStep();
    });

    test('many shoppers chatting at once all get their answers: the rollups they share never deadlock', async () => {
      // Each post writes facts (a conversation started, the bot's first answer) whose rollup rows are
      // the same for every shopper of the day; unordered upserts deadlocked under this load.
      const shoppers = await Promise.all(Array.from({ length: 24 }, async () => {
        const api = client(server.base);
        await api.session();
        const { body } = await create(api, '/v1/conversations', {});
        return { api, id: body.id as string };
      }));
      const deadlocks = async () => engine.name === 'pglite' ? 0
        : Number((await server.db.query<{ n: string }>('select deadlocks as n from pg_stat_database where datname = current_database()'))[0]!.n);
      const before = await deadlocks();
      for (let round = 0; round < 4; round++) {
        const answers = await Promise.all(shoppers.map(({ api, id }) =>
          create(api, `/v1/conversations/${id}/messages`, { text: `where is my parcel ${round}` })));
        assert.deepEqual([...new Set(answers.map((answer) => answer.status))], [201], 'every post answered 201');
      }
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // Backends report their statistics within a second.
      assert.equal(await deadlocks() - before, 0, 'no transaction was chosen as a deadlock victim');
      await assertRollupsAreFacts(server.db, 'pk_demo');
    });

    test('a fact removed leaves the figures', async () => {
      await sql(`delete from service_facts where site = $1 and subject_id = 'c1' and kind = 'rating'`, [SITE]);
      assert.equal((await group('topic', 'lighting'))?.ratings.count, 0);
      await assertInStep();
    });

    test('a first response that names the topic in the same statement counts once, under that topic', async () => {
      await sql(`insert into articles (site, id, locale, title, body, tags) values ($1, 'a_lamp', 'en', 'Lamps', 'b', '{bulbs}')`, [SITE]);
      await conversationStarted(server.db, { site: SITE, owner: 'v:c', id: 'c_live', context: { page: '/x' }, signedIn: false });
      await firstResponse(server.db, SITE, 'c_live', 'bot', { articleId: 'a_lamp' });
      const today = new Date().toISOString().slice(0, 10);
      const topics = await insights(`from=${today}&to=${today}&groupBy=topic`);
      assert.deepEqual(topics.groups.map((g) => [g.key, g.conversations, g.firstResponse.bot.count]), [['bulbs', 1, 1]]);
      const [residue] = await sql(
        `select count(*)::int as n from service_rollups where site = $1 and dim = 'topic' and key = 'unknown' and day = $2::date and facts <> 0`,
        [SITE, today],
      );
      assert.equal(residue!.n, 0);
    });
    test('migration 8 rolls up the facts recorded before it, escalations included', async () => {
      const folder = engine.url ? undefined : mkdtempSync(path.join(os.tmpdir(), 'kefu-m8-'));
      const database = engine.url ? await freshDatabase(engine.url) : undefined;
      const config = { url: database?.url, dataDir: folder };
      try {
        const old = await openDb({ ...config, migrations: 7 });
        const site = 'pk_backfill';
        await old.query(`insert into sites (key, secret) values ($1, 'x')`, [site]);
        await old.query(
          `insert into service_subjects (site, subject_type, subject_id, flow, topic, device, agent, handoff_at, owner, created_at, ended_at) values
           ($1, 'conversation', 'c1', 'chat', 'shipping', 'mobile', 'agent', $2, 'v:a', $3, null),
           ($1, 'conversation', 'c2', 'chat', null, 'desktop', null, null, 'v:x', $4, null),
           ($1, 'help', 'h1', 'help', null, 'mobile', null, null, 'v:a', $5, $3),
           ($1, 'help', 'h2', 'help', null, 'desktop', null, null, 'v:b', $6, $7)`,
          [site, at('10:04:00'), at('10:00:00'), at('11:00:00'), at('09:55:00'), at('12:00:00'), at('12:01:00')],
        );
        await old.query(
          `insert into service_facts (site, subject_type, subject_id, kind, at, actor, duration_ms, score, query, results) values
           ($1, 'conversation', 'c1', 'conversation_started', $2, null, null, null, null, null),
           ($1, 'conversation', 'c1', 'first_response', $2, 'bot', 300, null, null, null),
           ($1, 'conversation', 'c1', 'first_response', $3, 'agent', 60000, null, null, null),
           ($1, 'conversation', 'c1', 'rating', $3, 'shopper', null, 5, null, null),
           ($1, 'conversation', 'c2', 'conversation_started', $4, null, null, null, null, null),
           ($1, 'conversation', 'c2', 'first_response', $4, 'bot', 100, null, null, null),
           ($1, 'conversation', 'c2', 'rating', $4, 'shopper', null, 1, null, null),
           ($1, 'help', 'h2', 'help_search', $5, 'shopper', null, null, 'zzz', 0)`,
          [site, at('10:00:00'), at('10:05:00'), at('11:00:00'), at('12:00:00')],
        );
        await old.close();

        const db = await openDb(config);
        try {
          const [version] = await db.query<{ v: number }>('select max(version)::int as v from schema_migrations');
          assert.equal(version!.v, migrations.length);
          await assertRollupsAreFacts(db, site);
          const request = { from: new Date(`${DAY}T00:00:00Z`), to: new Date('2020-05-05T00:00:00Z'), site };
          const { total } = await insightsOf(db, { ...request, groupBy: 'day' });
          assert.deepEqual(
            [total.conversations, total.handoffs, total.ratings.count, total.ratings.average, total.helpSessions, total.selfServed, total.searchesWithoutResult],
            [2, 1, 2, 3, 2, 1, 1],
            'h1 escalated by c1 five minutes after its start; h2 self-served',
          );
          assert.deepEqual([total.firstResponse.bot.count, total.firstResponse.bot.medianMs, total.firstResponse.agent.medianMs], [2, 200, 60000]);
          const topics = await insightsOf(db, { ...request, groupBy: 'topic' });
          assert.deepEqual(topics.groups.map((g) => [g.key, g.conversations]), [['unknown', 1], ['shipping', 1]]);
        } finally {
          await db.close();
        }
      } finally {
        await database?.drop();
        if (folder) rmSync(folder, { recursive: true, force: true });
      }
    });
  });
}
