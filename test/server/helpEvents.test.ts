/**
 * Help facts and the figures made of them, on PGlite and PostgreSQL: `POST /v1/help-events` keeps a
 * batch once (Idempotency-Key), owned by the session's shopper, with its dimensions and the search
 * normalised; bad batches are 400s naming the field; another shopper cannot add facts to someone
 * else's help session. Over a seeded site, the self-service rate, the content gaps and the
 * response-time distribution equal the values worked out by hand.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as v from 'valibot';
import { Insights, MAX_HELP_EVENTS, MAX_HELP_QUERY } from '../../src/api/schemas';
import { AGENT_TOKEN, client, engines, startServer, warnIfPgliteOnly, type TestServer } from './harness';

warnIfPgliteOnly();

const SEEDED = 'pk_help_seed';
const LIVE = 'pk_help_live';
const DAY = '2020-04-01';
const at = (time: string) => `${DAY}T${time}Z`;
const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;

/**
 * Help sessions, the chats and tickets around them, searches and timed answers, all on 2020-04-01
 * unless said otherwise. What each test expects is worked out in the comments next to the rows.
 */
async function seed({ db }: TestServer) {
  await db.query(`insert into sites (key, secret) values ($1, 'x')`, [SEEDED]);
  const sessions: [id: string, owner: string, start: string, end: string, device: string][] = [
    // v:a chats at 10:20, within 30 min of 10:05: escalated.
    ['h1', 'v:a', at('10:00:00'), at('10:05:00'), 'mobile'],
    // v:b chats at 10:41, past 10:10 + 30 min: self-served.
    ['h2', 'v:b', at('10:00:00'), at('10:10:00'), 'desktop'],
    // v:c files a ticket at 10:59:30, within the minute before its start: escalated.
    ['h3', 'v:c', at('11:00:00'), at('11:00:00'), 'mobile'],
    // Someone else (v:a) chats at 12:05: v:d's session is self-served.
    ['h4', 'v:d', at('12:00:00'), at('12:02:00'), 'desktop'],
    // v:e chatted at 10:58, two hours before: self-served.
    ['h5', 'v:e', at('13:00:00'), at('13:00:00'), 'mobile'],
    // The next day: outside the range.
    ['h6', 'v:f', '2020-04-02T09:00:00Z', '2020-04-02T09:00:00Z', 'mobile'],
  ];
  for (const [id, owner, start, end, device] of sessions) {
    await db.query(
      `insert into service_subjects (site, subject_type, subject_id, flow, device, owner, created_at, ended_at)
       values ($1, 'help', $2, 'help', $3, $4, $5, $6)`,
      [SEEDED, id, device, owner, start, end],
    );
  }
  // Still going (its last fact a minute ago): not ended, so not counted yet.
  await db.query(
    `insert into service_subjects (site, subject_type, subject_id, flow, device, owner, created_at, ended_at)
     values ($1, 'help', 'h7', 'help', 'mobile', 'v:g', now() - interval '5 minutes', now() - interval '1 minute')`,
    [SEEDED],
  );
  // The conversations and tickets the shoppers started, as the facts record them (subjects with an owner).
  const started: [type: string, id: string, owner: string, created: string][] = [
    ['conversation', 'hc1', 'v:a', at('10:20:00')], ['conversation', 'hc2', 'v:b', at('10:41:00')],
    ['conversation', 'hc3', 'v:a', at('12:05:00')], ['conversation', 'hc4', 'v:e', at('10:58:00')],
    ['ticket', 'ht1', 'v:c', at('10:59:30')],
  ];
  for (const [type, id, owner, created] of started) {
    await db.query(
      `insert into service_subjects (site, subject_type, subject_id, flow, owner, created_at) values ($1, $2, $3, 'chat', $4, $5)`,
      [SEEDED, type, id, owner, created],
    );
  }
  const searches: [session: string, query: string, results: number, when: string][] = [
    ['h1', 'where is my parcel', 3, at('10:00:00')],
    ['h1', 'bitcoin', 0, at('10:01:00')],
    ['h4', 'bitcoin', 0, at('12:01:00')],
    ['h5', 'bitcoin', 0, at('13:00:00')],
    ['h3', 'gift wrap', 0, at('11:00:00')],
    ['h2', 'gift wrap', 0, at('10:05:00')],
    ['h4', 'invoice', 0, at('12:00:00')],
    ['h2', 'warranty', 0, at('09:00:00')],
    ['h6', 'zzz', 0, '2020-04-02T09:00:00Z'],
  ];
  for (const [session, query, results, when] of searches) {
    await db.query(
      `insert into service_facts (site, subject_type, subject_id, kind, actor, query, results, at)
       values ($1, 'help', $2, 'help_search', 'shopper', $3, $4, $5)`,
      [SEEDED, session, query, results, when],
    );
  }
  await db.query(
    `insert into service_facts (site, subject_type, subject_id, kind, actor, query, results, at)
     values ($1, 'help', 'h7', 'help_search', 'shopper', 'today', 0, now() - interval '2 minutes')`,
    [SEEDED],
  );
  const waits: [kind: string, actor: string | null, ms: number | null][] = [
    ['first_response', 'bot', 500], // [0, 1 s)
    ['first_response', 'bot', 1 * S], // [1 s, 10 s): a bound belongs to the bucket it starts
    ['first_response', 'bot', 10 * S - 1], // [1 s, 10 s)
    ['first_response', 'agent', 30 * S], // [30 s, 1 min)
    ['first_response', 'agent', MIN - 1], // [30 s, 1 min)
    ['first_response', 'agent', 2 * HOUR], // [1 h, 4 h)
    ['conversation_closed', 'agent', 5 * 24 * HOUR], // 3 days and more
    ['ticket_transition', 'agent', 24 * HOUR], // [1 day, 3 days)
    ['ticket_transition', 'agent', null], // a move that closed nothing: no wait
  ];
  for (const [kind, actor, ms] of waits) {
    await db.query(
      `insert into service_facts (site, subject_type, subject_id, kind, actor, duration_ms, at)
       values ($1, 'conversation', 'hc1', $2, $3, $4, $5)`,
      [SEEDED, kind, actor, ms, at('15:00:00')],
    );
  }
}

for (const engine of engines) {
  describe(`help facts on ${engine.name}`, () => {
    let server: TestServer;
    const agent = () => {
      const api = client(server.base);
      api.token = AGENT_TOKEN;
      return api;
    };
    const insights = async (query: string) => {
      const answer = await agent().call('GET', `/v1/agent/insights?${query}`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return v.parse(Insights, answer.body);
    };
    /** A shopper of the live site. */
    const shopper = async () => {
      const api = client(server.base);
      const answer = await api.call('POST', '/v1/sessions', { site: LIVE });
      assert.equal(answer.status, 201);
      api.token = answer.body.token;
      return { api, owner: `v:${answer.body.visitorId}` };
    };
    const send = (api: ReturnType<typeof client>, body: Record<string, unknown>, key: string = randomUUID()) =>
      api.call('POST', '/v1/help-events', { clientId: key, ...body }, { 'Idempotency-Key': key });

    before(async () => {
      server = await startServer(engine);
      await seed(server);
      await server.db.query(`insert into sites (key, secret) values ($1, 'y')`, [LIVE]);
      await server.db.query(
        `insert into articles (site, id, locale, title, body) values ($1, 'a1', 'en', 'Shipping', 'Parcels'), ($1, 'a2', 'en', 'Returns', 'Back')`,
        [LIVE],
      );
    });
    after(() => server.close());

    test('the self-service rate of the seeded day equals the count by hand, in total and per device', async () => {
      const figures = await insights(`site=${SEEDED}&from=${DAY}&to=${DAY}&groupBy=device`);
      // h1..h5 started that day and ended; h1 (chat) and h3 (ticket) escalated: 3 of 5 self-served.
      assert.equal(figures.total.helpSessions, 5);
      assert.equal(figures.total.selfServed, 3);
      assert.equal(figures.total.selfServiceRate, 0.6);
      // Eight searches that day (h6's is the next day), seven without a result.
      assert.equal(figures.total.searches, 8);
      assert.equal(figures.total.searchesWithoutResult, 7);
      const byDevice = Object.fromEntries(figures.groups.map((g) => [g.key, [g.helpSessions, g.selfServed]]));
      // mobile: h1, h3 escalated, h5 self-served; desktop: h2, h4 both self-served.
      assert.deepEqual(byDevice.mobile, [3, 1]);
      assert.deepEqual(byDevice.desktop, [2, 2]);
    });

    test('a help session still within its 30 minutes is not counted; the rate of no session is null', async () => {
      const today = new Date().toISOString().slice(0, 10);
      const figures = await insights(`site=${SEEDED}&from=${today}&to=${today}`);
      assert.equal(figures.total.helpSessions, 0, 'h7 has not ended');
      assert.equal(figures.total.selfServiceRate, null);
      assert.equal(figures.total.searches, 1, 'its search counts at once');
    });

    test('content gaps: the zero-result searches of the range, most frequent first, ties by last seen', async () => {
      const figures = await insights(`site=${SEEDED}&from=${DAY}&to=${DAY}`);
      assert.deepEqual(figures.contentGaps, [
        { query: 'bitcoin', count: 3, lastSeen: '2020-04-01T13:00:00.000Z' },
        { query: 'gift wrap', count: 2, lastSeen: '2020-04-01T11:00:00.000Z' },
        // Both once; invoice was seen later.
        { query: 'invoice', count: 1, lastSeen: '2020-04-01T12:00:00.000Z' },
        { query: 'warranty', count: 1, lastSeen: '2020-04-01T09:00:00.000Z' },
      ]);
      const empty = await insights(`site=${SEEDED}&from=2019-01-01&to=2019-01-31`);
      assert.deepEqual(empty.contentGaps, []);
    });

    test('the response-time distribution puts each wait in the bucket worked out by hand', async () => {
      const { distribution } = await insights(`site=${SEEDED}&from=${DAY}&to=${DAY}`);
      assert.deepEqual(distribution.boundsMs, [1, 10, 30, 60, 300, 900, 3600, 14_400, 86_400, 259_200].map((s) => s * S));
      assert.deepEqual(distribution.bot, [1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      assert.deepEqual(distribution.agent, [0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0]);
      assert.deepEqual(distribution.resolution, [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    });

    test('a batch is kept once, owned by the shopper, with its dimensions and the search normalised', async () => {
      const { api, owner } = await shopper();
      const session = randomUUID();
      const key = randomUUID();
      const body = {
        session,
        context: { page: 'https://shop.example/help?q=1#top', device: 'mobile', locale: 'en' },
        events: [
          { type: 'search', query: '  Where IS\tmy   Ｐarcel ', results: 0 },
          { type: 'view', articleId: 'a1' },
          { type: 'view', articleId: 'not-an-article' },
        ],
      };
      const first = await send(api, body, key);
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.deepEqual(first.body, { session, accepted: 2 }, 'the unknown article is left out');
      const again = await send(api, body, key);
      assert.equal(again.status, 201);
      assert.deepEqual(again.body, first.body, 'the same key and body replay the answer');
      assert.equal((await send(api, { ...body, events: [body.events[1]] }, key)).status, 422, 'the same key with another body');
      assert.equal((await api.call('POST', '/v1/help-events', { clientId: key, ...body })).status, 400, 'no key');

      const [subject] = await server.db.query<Record<string, unknown>>(
        `select owner, page, device, locale, flow from service_subjects where site = $1 and subject_type = 'help' and subject_id = $2`,
        [LIVE, session],
      );
      assert.deepEqual(subject, { owner, page: '/help', device: 'mobile', locale: 'en', flow: 'help' });
      const facts = await server.db.query<Record<string, unknown>>(
        `select kind, query, results, article_id from service_facts where site = $1 and subject_id = $2 order by id`, [LIVE, session],
      );
      assert.deepEqual(facts, [
        { kind: 'help_search', query: 'where is my parcel', results: 0, article_id: null },
        { kind: 'article_viewed', query: null, results: null, article_id: 'a1' },
      ], 'one copy of each, despite the replay');

      const today = new Date().toISOString().slice(0, 10);
      const figures = await insights(`site=${LIVE}&from=${today}&to=${today}`);
      assert.deepEqual(figures.contentGaps.map((gap) => [gap.query, gap.count]), [['where is my parcel', 1]]);
    });

    test('another shopper cannot add facts to a help session that is not theirs', async () => {
      const alice = await shopper();
      const mallory = await shopper();
      const session = randomUUID();
      assert.equal((await send(alice.api, { session, events: [{ type: 'search', query: 'mine', results: 1 }] })).status, 201);
      const stolen = await send(mallory.api, { session, events: [{ type: 'search', query: 'planted', results: 0 }] });
      assert.equal(stolen.status, 404);
      const facts = await server.db.query<{ query: string }>(`select query from service_facts where subject_id = $1`, [session]);
      assert.deepEqual(facts.map((f) => f.query), ['mine']);
      const [subject] = await server.db.query<{ owner: string }>(`select owner from service_subjects where subject_id = $1`, [session]);
      assert.equal(subject!.owner, alice.owner);
      // The owner comes from the session, never from the body.
      const claimed = await send(mallory.api, { session: randomUUID(), owner: alice.owner, events: [{ type: 'view', articleId: 'a1' }] });
      assert.equal(claimed.status, 400);
      assert.deepEqual(claimed.body.errors.map((e: { path: string }) => e.path), ['owner']);
      assert.equal((await client(server.base).call('POST', '/v1/help-events', {}, { 'Idempotency-Key': randomUUID() })).status, 401);
    });

    test('recorded by the real routes: a chat after a help session escalates it, a help session alone is self-served', async () => {
      const site = 'pk_help_route';
      await server.db.query(`insert into sites (key, secret) values ($1, 'z')`, [site]);
      const visitor = async () => {
        const api = client(server.base);
        api.token = (await api.call('POST', '/v1/sessions', { site })).body.token;
        return api;
      };
      const [chatty, reader] = [await visitor(), await visitor()];
      const search = [{ type: 'search', query: 'returns', results: 0 }];
      assert.equal((await send(chatty, { session: randomUUID(), events: search })).status, 201);
      assert.equal((await send(reader, { session: randomUUID(), events: search })).status, 201);
      const key = randomUUID();
      assert.equal((await chatty.call('POST', '/v1/conversations', { clientId: key }, { 'Idempotency-Key': key })).status, 201);
      // An hour on, both help sessions have ended.
      await server.db.query(
        `update service_subjects set created_at = created_at - interval '1 hour', ended_at = ended_at - interval '1 hour' where site = $1`, [site],
      );
      const from = new Date(Date.now() - 86_400_000).toISOString();
      const figures = await insights(`site=${site}&from=${from}`);
      assert.deepEqual([figures.total.helpSessions, figures.total.selfServed, figures.total.selfServiceRate], [2, 1, 0.5]);
    });

    test('bad batches are 400s naming the field: empty, too many, a query too long, a wrong type or count', async () => {
      const { api } = await shopper();
      const session = randomUUID();
      const search = { type: 'search', query: 'x', results: 1 };
      const cases: [events: unknown, path: string, message: RegExp][] = [
        [[], 'events', /at least one/],
        [Array.from({ length: MAX_HELP_EVENTS + 1 }, () => search), 'events', new RegExp(`at most ${MAX_HELP_EVENTS}`)],
        [[{ ...search, query: 'q'.repeat(MAX_HELP_QUERY + 1) }], 'events.0.query', new RegExp(`at most ${MAX_HELP_QUERY}`)],
        [[{ ...search, query: '   ' }], 'events.0.query', /empty/],
        [[search, { ...search, results: -1 }], 'events.1.results', /./],
        [[{ type: 'click', articleId: 'a1' }], 'events.0.type', /./],
      ];
      for (const [events, path, message] of cases) {
        const answer = await send(api, { session, events });
        assert.equal(answer.status, 400, `${path}: ${JSON.stringify(answer.body)}`);
        assert.match(answer.headers.get('Content-Type') ?? '', /problem\+json/);
        assert.equal(answer.body.errors[0].path, path);
        assert.match(answer.body.errors[0].message, message, path);
      }
      const badSession = await send(api, { session: 'not-a-uuid', events: [search] });
      assert.equal(badSession.body.errors[0].path, 'session');
      const [count] = await server.db.query<{ n: number }>(`select count(*)::int as n from service_facts where subject_id = $1`, [session]);
      assert.equal(count!.n, 0, 'nothing of a refused batch is kept');
    });
  });
}
