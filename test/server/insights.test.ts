/**
 * Service insights and the alert loop, on PGlite and PostgreSQL: figures over a seeded site equal
 * the values computed by hand (counts, averages, shares, median and p90, breaches of `dueAt`);
 * empty ranges and bad parameters answer clearly; facts are recorded by the real routes; a 1-star
 * rating raises an alert whose follow-up ticket reaches that shopper and nobody else.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as v from 'valibot';
import { AgentTicket, Alert, AlertList, Insights, type InsightFigures } from '../../src/api/schemas';
import { AGENT_TOKEN, agentCreate, client, create, engines, startServer, warnIfPgliteOnly, type TestServer } from './harness';

warnIfPgliteOnly();

type Api = ReturnType<typeof client>;

const SEEDED = 'pk_insights_seed';
const LIVE = 'pk_insights_live';
const D1 = '2020-03-01';
const D2 = '2020-03-02';
const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * Four conversations and two tickets over two days, with every kind of fact. The figures each test
 * expects are worked out from this list in the comments next to them.
 */
async function seed(server: TestServer) {
  const { db } = server;
  await db.query(`insert into sites (key, secret) values ($1, 'x'), ($2, 'y')`, [SEEDED, LIVE]);
  const subjects: [string, string, string, string | null, string | null, string | null, boolean, string | null][] = [
    // type, id, flow, topic, page, device, handed off, agent
    ['conversation', 'c1', 'chat', 'shipping', '/product/a', 'mobile', true, 'agent'],
    ['conversation', 'c2', 'chat', 'shipping', '/product/a', 'desktop', false, null],
    ['conversation', 'c3', 'chat', 'refunds', '/orders', 'mobile', true, 'agent'],
    ['conversation', 'c4', 'chat', 'refunds', '/orders', 'desktop', true, null],
    ['ticket', 't_seed_1', 'complaint', 'delivery', '/orders', 'mobile', false, 'agent'],
    ['ticket', 't_seed_2', 'refund', 'damaged', null, null, false, null],
  ];
  for (const [type, id, flow, topic, page, device, handedOff, agent] of subjects) {
    await db.query(
      `insert into service_subjects (site, subject_type, subject_id, flow, topic, page, device, agent, handoff_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [SEEDED, type, id, flow, topic, page, device, agent, handedOff ? `${D1}T10:05:00Z` : null],
    );
  }
  // t_seed_1 is resolved (no promise running); t_seed_2 still open, its promise broken at D2 12:00.
  await db.query(
    `insert into tickets (id, site, owner, client_id, kind, status, category, description, due_at, appealable) values
     ('t_seed_1', $1, 'u:seed', 'k1', 'complaint', 'resolved', 'delivery', 'late', null, true),
     ('t_seed_2', $1, 'u:seed', 'k2', 'refund', 'requested', 'damaged', 'broken', '${D2}T12:00:00Z', true)`,
    [SEEDED],
  );
  type Fact = { type: string; id: string; kind: string; at: string; actor?: string; ms?: number; score?: number; late?: boolean; due?: string };
  const facts: Fact[] = [
    // Day 1
    ...['c1', 'c2', 'c3'].map((id) => ({ type: 'conversation', id, kind: 'conversation_started', at: `${D1}T10:00:00Z` })),
    { type: 'conversation', id: 'c1', kind: 'first_response', actor: 'bot', ms: 100, at: `${D1}T10:01:00Z` },
    { type: 'conversation', id: 'c2', kind: 'first_response', actor: 'bot', ms: 200, at: `${D1}T10:01:00Z` },
    { type: 'conversation', id: 'c3', kind: 'first_response', actor: 'bot', ms: 300, at: `${D1}T10:01:00Z` },
    { type: 'conversation', id: 'c1', kind: 'handoff', at: `${D1}T10:05:00Z` },
    { type: 'conversation', id: 'c3', kind: 'handoff', at: `${D1}T10:05:00Z` },
    { type: 'conversation', id: 'c1', kind: 'first_response', actor: 'agent', ms: 1 * MIN, at: `${D1}T10:06:00Z` },
    { type: 'conversation', id: 'c3', kind: 'first_response', actor: 'agent', ms: 3 * MIN, at: `${D1}T10:08:00Z` },
    { type: 'conversation', id: 'c1', kind: 'rating', score: 5, at: `${D1}T11:00:00Z` },
    { type: 'conversation', id: 'c2', kind: 'rating', score: 1, at: `${D1}T11:00:00Z` },
    { type: 'conversation', id: 'c3', kind: 'rating', score: 4, at: `${D1}T11:00:00Z` },
    { type: 'ticket', id: 't_seed_1', kind: 'ticket_created', at: `${D1}T09:00:00Z`, due: `${D1}T12:00:00Z` },
    { type: 'ticket', id: 't_seed_1', kind: 'ticket_transition', at: `${D1}T14:00:00Z`, due: `${D1}T12:00:00Z`, late: true },
    // Day 2
    { type: 'conversation', id: 'c4', kind: 'conversation_started', at: `${D2}T08:00:00Z` },
    { type: 'conversation', id: 'c4', kind: 'handoff', at: `${D2}T08:01:00Z` },
    { type: 'conversation', id: 'c1', kind: 'conversation_closed', ms: 1 * HOUR, at: `${D2}T09:00:00Z` },
    { type: 'conversation', id: 'c3', kind: 'conversation_closed', ms: 2 * HOUR, at: `${D2}T09:00:00Z` },
    { type: 'ticket', id: 't_seed_2', kind: 'ticket_created', at: `${D2}T09:00:00Z`, due: `${D2}T12:00:00Z` },
    { type: 'ticket', id: 't_seed_1', kind: 'ticket_transition', at: `${D2}T10:00:00Z`, ms: 24 * HOUR, late: false, due: `${D2}T18:00:00Z` },
    { type: 'ticket', id: 't_seed_1', kind: 'rating', score: 2, at: `${D2}T11:00:00Z` },
    { type: 'ticket', id: 't_seed_2', kind: 'rating', score: 3, at: `${D2}T11:00:00Z` },
    // Outside the range: ignored.
    { type: 'conversation', id: 'c2', kind: 'rating', score: 5, at: '2020-03-03T00:00:00Z' },
  ];
  for (const f of facts) {
    await db.query(
      `insert into service_facts (site, subject_type, subject_id, kind, at, actor, duration_ms, score, late, due_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [SEEDED, f.type, f.id, f.kind, f.at, f.actor ?? null, f.ms ?? null, f.score ?? null, f.late ?? null, f.due ?? null],
    );
  }
}

/** Floating percentiles compared to a millionth. */
function near(actual: number | null, expected: number | null, what: string) {
  if (expected === null) return assert.equal(actual, null, what);
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-6, `${what}: ${actual} ≠ ${expected}`);
}

function assertFigures(actual: InsightFigures, expected: {
  ratings: [count: number, average: number | null, satisfied: number | null, dissatisfied: number | null];
  conversations: number; handoffs: number; handoffRate: number | null;
  bot: [number, number | null, number | null]; agent: [number, number | null, number | null];
  resolution: [number, number | null, number | null]; tickets: number; pastDue: number;
}, what: string) {
  assert.equal(actual.ratings.count, expected.ratings[0], `${what} ratings`);
  near(actual.ratings.average, expected.ratings[1], `${what} average`);
  near(actual.ratings.satisfied, expected.ratings[2], `${what} share 4–5`);
  near(actual.ratings.dissatisfied, expected.ratings[3], `${what} share 1–2`);
  assert.equal(actual.conversations, expected.conversations, `${what} conversations`);
  assert.equal(actual.handoffs, expected.handoffs, `${what} handoffs`);
  near(actual.handoffRate, expected.handoffRate, `${what} handoff rate`);
  for (const [name, got, want] of [
    ['bot first response', actual.firstResponse.bot, expected.bot],
    ['agent first response', actual.firstResponse.agent, expected.agent],
    ['resolution', actual.resolution, expected.resolution],
  ] as const) {
    assert.equal(got.count, want[0], `${what} ${name} count`);
    near(got.medianMs, want[1], `${what} ${name} median`);
    near(got.p90Ms, want[2], `${what} ${name} p90`);
  }
  assert.equal(actual.ticketsCreated, expected.tickets, `${what} tickets`);
  assert.equal(actual.ticketsPastDue, expected.pastDue, `${what} past due`);
}

for (const engine of engines) {
  describe(`insights on ${engine.name}`, () => {
    let server: TestServer;
    let agent: Api;
    before(async () => {
      server = await startServer(engine);
      agent = client(server.base);
      agent.token = AGENT_TOKEN;
      await seed(server);
    });
    after(() => server.close());

    const insights = async (query: string) => {
      const answer = await agent.call('GET', `/v1/agent/insights?site=${SEEDED}&from=${D1}&to=${D2}&${query}`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return v.parse(Insights, answer.body);
    };

    test('the totals of the seeded range equal the figures worked out by hand', async () => {
      const figures = await insights('groupBy=day');
      assert.equal(figures.from, `${D1}T00:00:00.000Z`);
      assert.equal(figures.to, '2020-03-03T00:00:00.000Z', 'a date `to` includes its whole day');
      assertFigures(figures.total, {
        // Scores 5, 1, 4, 2, 3 (the 5 of 03-03 is outside): average 3, two of five 4–5, two of five 1–2.
        ratings: [5, 3, 0.4, 0.4],
        // c1..c4 started; c1, c3, c4 went to a person.
        conversations: 4, handoffs: 3, handoffRate: 0.75,
        // Bot 100, 200, 300 ms: median 200, p90 200 + 0.8 × 100.
        bot: [3, 200, 280],
        // People 1 and 3 minutes: median 2 min, p90 1 min + 0.9 × 2 min.
        agent: [2, 2 * MIN, 2.8 * MIN],
        // Closed after 1 h, 2 h (chats) and 24 h (the complaint): median 2 h, p90 2 h + 0.8 × 22 h.
        resolution: [3, 2 * HOUR, 2 * HOUR + 0.8 * 22 * HOUR],
        tickets: 2,
        // t_seed_1 moved after its promise; t_seed_2 is still open past it.
        pastDue: 2,
      }, 'total');
    });

    test('grouped by day, each day has its own figures', async () => {
      const figures = await insights('groupBy=day');
      assert.deepEqual(figures.groups.map((g) => g.key), [D1, D2]);
      assertFigures(figures.groups[0]!, {
        ratings: [3, 10 / 3, 2 / 3, 1 / 3], conversations: 3, handoffs: 2, handoffRate: 2 / 3,
        bot: [3, 200, 280], agent: [2, 2 * MIN, 2.8 * MIN], resolution: [0, null, null], tickets: 1, pastDue: 1,
      }, D1);
      assertFigures(figures.groups[1]!, {
        ratings: [2, 2.5, 0, 0.5], conversations: 1, handoffs: 1, handoffRate: 1,
        bot: [0, null, null], agent: [0, null, null], resolution: [3, 2 * HOUR, 2 * HOUR + 0.8 * 22 * HOUR], tickets: 1, pastDue: 1,
      }, D2);
    });

    test('grouped by flow, by device and by agent, the groups split the totals', async () => {
      const flow = await insights('groupBy=flow');
      assert.deepEqual(flow.groups.map((g) => g.key), ['chat', 'complaint', 'refund'], 'busiest first');
      const [chat, complaint, refund] = flow.groups;
      assertFigures(chat!, {
        ratings: [3, 10 / 3, 2 / 3, 1 / 3], conversations: 4, handoffs: 3, handoffRate: 0.75,
        // Chats closed after 1 h and 2 h: median 1.5 h, p90 1 h + 0.9 h.
        bot: [3, 200, 280], agent: [2, 2 * MIN, 2.8 * MIN], resolution: [2, 1.5 * HOUR, 1.9 * HOUR], tickets: 0, pastDue: 0,
      }, 'chat');
      assertFigures(complaint!, {
        ratings: [1, 2, 0, 1], conversations: 0, handoffs: 0, handoffRate: null,
        bot: [0, null, null], agent: [0, null, null], resolution: [1, 24 * HOUR, 24 * HOUR], tickets: 1, pastDue: 1,
      }, 'complaint');
      assertFigures(refund!, {
        ratings: [1, 3, 0, 0], conversations: 0, handoffs: 0, handoffRate: null,
        bot: [0, null, null], agent: [0, null, null], resolution: [0, null, null], tickets: 1, pastDue: 1,
      }, 'refund');

      const device = await insights('groupBy=device');
      const byDevice = new Map(device.groups.map((g) => [g.key, g]));
      assert.deepEqual([...byDevice.keys()].sort(), ['desktop', 'mobile', 'unknown']);
      // mobile: c1 (5), c3 (4), t_seed_1 (2); desktop: c2 (1); unknown: t_seed_2 (3).
      near(byDevice.get('mobile')!.ratings.average, 11 / 3, 'mobile average');
      near(byDevice.get('desktop')!.ratings.average, 1, 'desktop average');
      assert.equal(byDevice.get('desktop')!.conversations, 2);
      assert.equal(byDevice.get('unknown')!.ticketsPastDue, 1);

      const byAgent = new Map((await insights('groupBy=agent')).groups.map((g) => [g.key, g]));
      assert.deepEqual([...byAgent.keys()].sort(), ['agent', 'bot', 'unassigned']);
      assert.equal(byAgent.get('bot')!.conversations, 2, 'c2 and c4 no person answered');
      assert.equal(byAgent.get('agent')!.conversations, 2);

      const topics = (await insights('groupBy=topic')).groups.map((g) => g.key).sort();
      assert.deepEqual(topics, ['damaged', 'delivery', 'refunds', 'shipping']);
      const pages = (await insights('groupBy=page')).groups.map((g) => g.key).sort();
      assert.deepEqual(pages, ['/orders', '/product/a', 'unknown']);
    });

    test('an empty range answers zeros and no groups', async () => {
      const answer = await agent.call('GET', `/v1/agent/insights?site=${SEEDED}&from=2019-01-01&to=2019-01-31&groupBy=page`);
      assert.equal(answer.status, 200);
      const figures = v.parse(Insights, answer.body);
      assert.deepEqual(figures.groups, []);
      assertFigures(figures.total, {
        ratings: [0, null, null, null], conversations: 0, handoffs: 0, handoffRate: null,
        bot: [0, null, null], agent: [0, null, null], resolution: [0, null, null], tickets: 0, pastDue: 0,
      }, 'empty');
    });

    test('a bad parameter is a 400 problem naming it; no agent token is a 401', async () => {
      const cases: [string, string][] = [
        ['groupBy=week', 'groupBy'],
        ['from=yesterday', 'from'],
        ['to=2020-02-30', 'to'],
        ['from=2020-03-05&to=2020-03-01', 'to'],
        ['from=2018-01-01&to=2020-01-01', 'from'],
        ['colour=blue', 'colour'],
      ];
      for (const [query, name] of cases) {
        const answer = await agent.call('GET', `/v1/agent/insights?${query}`);
        assert.equal(answer.status, 400, query);
        assert.equal(answer.headers.get('content-type'), 'application/problem+json', query);
        assert.deepEqual(answer.body.errors.map((e: { path: string }) => e.path), [name], query);
        assert.match(answer.body.detail, new RegExp(`^${name} `), query);
      }
      const anonymous = await client(server.base).call('GET', '/v1/agent/insights');
      assert.equal(anonymous.status, 401);
    });

    describe('facts recorded by the real routes, and the alert loop', () => {
      let shopper: Api;
      let conversationId: string;
      before(async () => {
        shopper = client(server.base);
        await shopper.session({ site: LIVE });
      });

      test('a conversation records its start, first responses, handoff, close and rating', async () => {
        const started = await create(shopper, '/v1/conversations', {
          context: { page: 'https://shop.example/product/p_lamp?ref=mail#top', device: 'mobile', locale: 'en', tags: ['lighting'] },
        });
        assert.equal(started.status, 201);
        conversationId = started.body.id;
        // A retried create is the same conversation: it started once.
        await shopper.call('POST', '/v1/conversations', { clientId: started.body.clientId }, { 'Idempotency-Key': randomUUID() });
        assert.equal((await create(shopper, `/v1/conversations/${conversationId}/messages`, { text: 'Where is my parcel?' })).status, 201);
        assert.equal((await create(shopper, `/v1/conversations/${conversationId}/messages`, { text: 'Still there?' })).status, 201);
        assert.equal((await shopper.call('POST', `/v1/conversations/${conversationId}/handoff`)).status, 200);
        assert.equal((await agentCreate(agent, `/v1/agent/conversations/${conversationId}/messages`, { text: 'Hello, I am here' })).status, 201);
        assert.equal((await agentCreate(agent, `/v1/agent/conversations/${conversationId}/messages`, { text: 'Let me look' })).status, 201);
        assert.equal((await agent.call('POST', `/v1/agent/conversations/${conversationId}/close`)).status, 200);

        const day = new Date().toISOString().slice(0, 10);
        const answer = await agent.call('GET', `/v1/agent/insights?site=${LIVE}&from=${day}&to=${day}&groupBy=page`);
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        const figures = v.parse(Insights, answer.body);
        assert.deepEqual(figures.groups.map((g) => g.key), ['/product/p_lamp'], 'pages grouped by path');
        const { total } = figures;
        assert.equal(total.conversations, 1);
        assert.equal(total.handoffs, 1);
        assert.equal(total.firstResponse.bot.count, 1, 'the bot answered first once');
        assert.equal(total.firstResponse.agent.count, 1, 'a person answered first once');
        assert.equal(total.resolution.count, 1);
        assert.ok(total.firstResponse.agent.medianMs! >= 0 && total.resolution.medianMs! >= 0);
        const topic = v.parse(Insights, (await agent.call('GET', `/v1/agent/insights?site=${LIVE}&from=${day}&to=${day}&groupBy=topic`)).body);
        assert.deepEqual(topic.groups.map((g) => g.key), ['lighting'], 'the topic the page sent');
      });

      test('a 1-star rating raises an alert on the list and the console feed; a 3 does not', async () => {
        const rating = await create(shopper, '/v1/ratings', { subject: { type: 'conversation', id: conversationId }, score: 1, comment: 'Nobody helped' });
        assert.equal(rating.status, 201, JSON.stringify(rating.body));
        const list = await agent.call('GET', `/v1/agent/alerts?site=${LIVE}`);
        assert.equal(list.status, 200);
        const [alert, ...rest] = v.parse(AlertList, list.body).alerts;
        assert.equal(rest.length, 0);
        assert.equal(alert!.status, 'open');
        assert.equal(alert!.score, 1);
        assert.equal(alert!.comment, 'Nobody helped');
        assert.deepEqual(alert!.subject, { type: 'conversation', id: conversationId });
        assert.equal(alert!.ratingId, rating.body.id);
        const events = await server.db.query<{ data: { alert: Alert } }>(`select data from agent_events where type = 'alert' and site = $1`, [LIVE]);
        assert.deepEqual(events.map((e) => e.data.alert.id), [alert!.id]);

        const ticket = await create(shopper, '/v1/tickets', { kind: 'complaint', category: 'service', description: 'Slow answers' });
        assert.equal(ticket.status, 201);
        await create(shopper, '/v1/ratings', { subject: { type: 'ticket', id: ticket.body.id }, score: 3 });
        assert.equal(v.parse(AlertList, (await agent.call('GET', `/v1/agent/alerts?site=${LIVE}`)).body).alerts.length, 1);
        const day = new Date().toISOString().slice(0, 10);
        const flows = v.parse(Insights, (await agent.call('GET', `/v1/agent/insights?site=${LIVE}&from=${day}&to=${day}&groupBy=flow`)).body);
        const byFlow = new Map(flows.groups.map((g) => [g.key, g]));
        assert.equal(byFlow.get('chat')!.ratings.average, 1);
        assert.equal(byFlow.get('complaint')!.ratings.average, 3);
        assert.equal(byFlow.get('complaint')!.ticketsCreated, 1);
      });

      test("the follow-up ticket is the shopper's own: in their Tickets, 404 to anyone else; once per alert; resolving hides the alert", async () => {
        const [alert] = v.parse(AlertList, (await agent.call('GET', `/v1/agent/alerts?site=${LIVE}`)).body).alerts;
        const followUpKey = randomUUID();
        const followUp = await agentCreate(agent, `/v1/agent/alerts/${alert!.id}/follow-up`, { category: 'follow_up' }, followUpKey);
        assert.equal(followUp.status, 201, JSON.stringify(followUp.body));
        const ticket = v.parse(AgentTicket, followUp.body);
        assert.equal(ticket.kind, 'complaint');
        assert.equal(ticket.shopper.owner, alert!.shopper.owner);
        assert.match(ticket.description, /Nobody helped/);
        assert.deepEqual(ticket.timeline.map((entry) => [entry.status, entry.actor]), [['submitted', 'agent']]);

        const own = await shopper.call('GET', `/v1/tickets/${ticket.id}`);
        assert.equal(own.status, 200);
        assert.ok((await shopper.call('GET', '/v1/tickets')).body.tickets.some((t: { id: string }) => t.id === ticket.id));
        const stranger = client(server.base);
        await stranger.session({ site: LIVE });
        assert.equal((await stranger.call('GET', `/v1/tickets/${ticket.id}`)).status, 404);
        const otherSite = client(server.base);
        await otherSite.session();
        assert.equal((await otherSite.call('GET', `/v1/tickets/${ticket.id}`)).status, 404);

        const again = await agentCreate(agent, `/v1/agent/alerts/${alert!.id}/follow-up`);
        assert.equal(again.status, 409);
        const retried = await agentCreate(agent, `/v1/agent/alerts/${alert!.id}/follow-up`, { category: 'follow_up' }, followUpKey);
        assert.equal(retried.status, 201, 'the console retrying with its key gets the same ticket');
        assert.deepEqual(retried.body.id, ticket.id);
        assert.equal((await agent.call('POST', `/v1/agent/alerts/${alert!.id}/follow-up`, { category: 'follow_up' })).status, 400, 'no key');
        assert.equal((await agentCreate(agent, '/v1/agent/alerts/al_nobody/follow-up')).status, 404);

        const resolved = await agent.call('POST', `/v1/agent/alerts/${alert!.id}/resolve`);
        assert.equal(resolved.status, 200);
        const done = v.parse(Alert, resolved.body);
        assert.equal(done.status, 'resolved');
        assert.equal(done.followUpTicketId, ticket.id);
        assert.equal(v.parse(AlertList, (await agent.call('GET', `/v1/agent/alerts?site=${LIVE}`)).body).alerts.length, 0);
        assert.equal(v.parse(AlertList, (await agent.call('GET', `/v1/agent/alerts?site=${LIVE}&status=all`)).body).alerts.length, 1);
        assert.equal((await agent.call('GET', '/v1/agent/alerts?status=closed')).status, 400);
      });
    });
  });
}
