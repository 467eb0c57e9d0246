import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as v from 'valibot';
import { Rating } from '../../src/api/schemas';
import { client, engines, startServer, warnIfPgliteOnly, type TestServer } from './harness';

warnIfPgliteOnly();

type Subject = { type: 'conversation' | 'ticket' | 'article'; id: string };

async function shopper(server: TestServer) {
  const api = client(server.base);
  const session = await api.session();
  return { api, owner: `v:${session.visitorId}` };
}

/** Rates with a fresh clientId used as the Idempotency-Key too, as the widget does. */
function rate(api: ReturnType<typeof client>, subject: Subject, score: number, extra: Record<string, unknown> = {}) {
  const clientId = randomUUID();
  return api.call('POST', '/v1/ratings', { clientId, subject, score, ...extra }, { 'Idempotency-Key': clientId });
}

async function conversationOf(api: ReturnType<typeof client>): Promise<string> {
  const key = randomUUID();
  const answer = await api.call('POST', '/v1/conversations', { clientId: key }, { 'Idempotency-Key': key });
  return answer.body.id;
}

/** A ticket row for `owner`, inserted directly (tickets have their own suite). */
async function ticketOf(server: TestServer, owner: string): Promise<string> {
  const id = `t_${randomUUID()}`;
  await server.db.query(
    `insert into tickets (id, site, owner, client_id, kind, status, category, description)
     values ($1, 'pk_demo', $2, $3, 'complaint', 'resolved', 'service', 'Rude courier')`,
    [id, owner, randomUUID()],
  );
  return id;
}

for (const engine of engines) {
  describe(`ratings on ${engine.name}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(engine);
    });
    after(() => server.close());

    test('a shopper rates their own conversation, ticket and a site article: 201 with the rating', async () => {
      const { api, owner } = await shopper(server);
      const subjects: Subject[] = [
        { type: 'conversation', id: await conversationOf(api) },
        { type: 'ticket', id: await ticketOf(server, owner) },
        { type: 'article', id: 'faq-refund-policy-en' },
      ];
      for (const subject of subjects) {
        const answer = await rate(api, subject, 4, { comment: '  Quick and kind  ' });
        assert.equal(answer.status, 201, JSON.stringify(answer.body));
        const rating = v.parse(Rating, answer.body);
        assert.deepEqual(rating.subject, subject);
        assert.equal(rating.score, 4);
        assert.equal(rating.comment, 'Quick and kind');
      }
    });

    test("another shopper's subject answers 404, exactly like a missing one", async () => {
      const alice = await shopper(server);
      const bob = await shopper(server);
      const conversation = await conversationOf(alice.api);
      const ticket = await ticketOf(server, alice.owner);
      await server.db.query(`insert into sites (key, secret) values ('pk_other', 'x') on conflict do nothing`);
      await server.db.query(
        `insert into articles (site, id, locale, title, body) values ('pk_other', 'other-article', 'en', 'Elsewhere', 'Not here')
         on conflict do nothing`,
      );
      const missing = await rate(bob.api, { type: 'conversation', id: 'c_missing' }, 5);
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('content-type'), 'application/problem+json');
      for (const subject of [
        { type: 'conversation', id: conversation },
        { type: 'ticket', id: ticket },
        { type: 'ticket', id: 't_missing' },
        { type: 'article', id: 'other-article' },
        { type: 'article', id: 'no-such-article' },
      ] as Subject[]) {
        const answer = await rate(bob.api, subject, 5);
        assert.equal(answer.status, 404, `${subject.type} ${subject.id}`);
        assert.deepEqual(answer.body, missing.body);
      }
      assert.equal((await server.db.query('select 1 from ratings where owner = $1', [bob.owner])).length, 0);
    });

    test('rating the same subject again replaces the earlier score; one row, one console event each', async () => {
      const { api, owner } = await shopper(server);
      const subject: Subject = { type: 'conversation', id: await conversationOf(api) };
      const first = await rate(api, subject, 5);
      const second = await rate(api, subject, 2, { comment: 'Actually, it did not help' });
      assert.equal(first.status, 201);
      assert.equal(second.status, 201);
      assert.equal(second.body.score, 2);
      assert.equal(second.body.id, first.body.id, 'the same rating, rescored');
      assert.notEqual(second.body.clientId, first.body.clientId);
      const rows = await server.db.query<{ score: number; comment: string }>(
        'select score, comment from ratings where owner = $1 and subject_id = $2', [owner, subject.id],
      );
      assert.deepEqual(rows, [{ score: 2, comment: 'Actually, it did not help' }]);
      const events = await server.db.query<{ data: { type: string; rating: { score: number }; subject: Subject } }>(
        `select data from agent_events where type = 'rating' and data->'subject'->>'id' = $1 order by id`, [subject.id],
      );
      assert.deepEqual(events.map((e) => [e.data.type, e.data.rating.score, e.data.subject]), [['rating', 5, subject], ['rating', 2, subject]]);
    });

    test('the same key and body replay the first answer; another body is 422; no key is 400', async () => {
      const { api } = await shopper(server);
      const subject: Subject = { type: 'article', id: 'faq-coupons-en' };
      const clientId = randomUUID();
      const body = { clientId, subject, score: 3 };
      const first = await api.call('POST', '/v1/ratings', body, { 'Idempotency-Key': clientId });
      const replay = await api.call('POST', '/v1/ratings', body, { 'Idempotency-Key': clientId });
      assert.equal(first.status, 201);
      assert.equal(replay.status, 201);
      assert.deepEqual(replay.body, first.body);
      const events = await server.db.query(`select 1 from agent_events where type = 'rating' and data->'rating'->>'clientId' = $1`, [clientId]);
      assert.equal(events.length, 1, 'a replay records nothing again');
      const other = await api.call('POST', '/v1/ratings', { ...body, score: 1 }, { 'Idempotency-Key': clientId });
      assert.equal(other.status, 422);
      const bare = await api.call('POST', '/v1/ratings', { ...body, clientId: randomUUID() });
      assert.equal(bare.status, 400);
    });

    test('a score outside 1..5 or an unknown subject type answers 400 naming the field', async () => {
      const { api } = await shopper(server);
      const high = await rate(api, { type: 'article', id: 'faq-coupons-en' }, 6);
      assert.equal(high.status, 400);
      assert.deepEqual(high.body.errors.map((e: { path: string }) => e.path), ['score']);
      const kind = await rate(api, { type: 'order' as never, id: 'o_1' }, 3);
      assert.equal(kind.status, 400);
      assert.deepEqual(kind.body.errors.map((e: { path: string }) => e.path), ['subject.type']);
    });

    test('a clientId already naming a rating of another subject answers 409', async () => {
      const { api } = await shopper(server);
      const clientId = randomUUID();
      const first = await api.call('POST', '/v1/ratings', { clientId, subject: { type: 'article', id: 'faq-coupons-en' }, score: 4 }, { 'Idempotency-Key': randomUUID() });
      assert.equal(first.status, 201);
      const reused = await api.call('POST', '/v1/ratings', { clientId, subject: { type: 'article', id: 'faq-invoice-en' }, score: 4 }, { 'Idempotency-Key': randomUUID() });
      assert.equal(reused.status, 409);
    });
  });
}
