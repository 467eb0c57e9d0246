import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as v from 'valibot';
import { ArticleList, SuggestionList, type Order } from '../../src/api/schemas';
import { faqDocsFor } from '../../demo/server/seed/faq';
import { client, engines, startServer, warnIfPgliteOnly, type TestServer } from './harness';

warnIfPgliteOnly();

const DAY = 24 * 3600 * 1000;
const at = (offset: number) => new Date(Date.now() + offset).toISOString();

type Fixture = Pick<Order, 'status' | 'refundableUntil' | 'shipments'>;

/** Inserts an order for `owner` straight into the table; returns its id. */
async function insertOrder(server: TestServer, owner: string, order: Fixture): Promise<string> {
  const id = `o_${randomUUID()}`;
  const items: Order['items'] = [{
    id: 'oi_1', productId: 'p_teapot', name: 'Teapot', quantity: 1, unitPrice: { amount: 12900, currency: 'CNY' }, refundableQuantity: 1,
  }];
  await server.db.query(
    `insert into orders (id, site, owner, number, status, placed_at, currency, total, refundable_until, items, shipments)
     values ($1, 'pk_demo', $2, $3, $4, $5, 'CNY', 12900, $6, $7::jsonb, $8::jsonb)`,
    [id, owner, `N${id.slice(2, 10)}`, order.status, at(-5 * DAY), order.refundableUntil, JSON.stringify(items), JSON.stringify(order.shipments)],
  );
  return id;
}

const shipment = (status: Order['shipments'][number]['status'], estimatedDelivery: string | null): Order['shipments'][number] => ({
  id: `s_${randomUUID()}`, carrier: 'SF Express', trackingNumber: 'SF1234567890', status, estimatedDelivery, events: [],
});

/** A fresh anonymous shopper: the client and the owner key its rows carry. */
async function shopper(server: TestServer) {
  const api = client(server.base);
  const session = await api.session();
  return { api, owner: `v:${session.visitorId}` };
}

for (const engine of engines) {
  describe(`help centre on ${engine.name}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(engine);
    });
    after(() => server.close());

    test('GET /v1/faq serves the seeded articles of the asked locale, in seed order', async () => {
      const { api } = await shopper(server);
      for (const locale of ['en', 'zh-CN'] as const) {
        const answer = await api.call('GET', `/v1/faq?locale=${locale}`);
        assert.equal(answer.status, 200);
        const { articles } = v.parse(ArticleList, answer.body);
        assert.deepEqual(articles.map((a) => a.id), faqDocsFor(locale).map((a) => a.id));
        assert.ok(articles.every((a) => a.locale === locale));
        const seed = faqDocsFor(locale)[0]!;
        assert.deepEqual(articles[0], { id: seed.id, title: seed.title, body: seed.body, tags: seed.tags, locale, updatedAt: seed.updatedAt });
      }
    });

    test('without ?locale= the FAQ follows Accept-Language, else English', async () => {
      const { api } = await shopper(server);
      const zh = await api.call('GET', '/v1/faq', undefined, { 'Accept-Language': 'zh-CN,zh;q=0.9,en;q=0.8' });
      assert.ok(zh.body.articles.length > 0);
      assert.ok(zh.body.articles.every((a: { locale: string }) => a.locale === 'zh-CN'));
      const plain = await api.call('GET', '/v1/faq', undefined, { 'Accept-Language': 'fr-FR' });
      assert.ok(plain.body.articles.every((a: { locale: string }) => a.locale === 'en'));
      assert.match(zh.headers.get('vary') ?? '', /Accept-Language/i);
    });

    test('the FAQ has a strong ETag over its content: a match answers 304, a change answers 200 with a new tag', async () => {
      const { api } = await shopper(server);
      const first = await api.call('GET', '/v1/faq?locale=en');
      const etag = first.headers.get('etag');
      assert.match(etag ?? '', /^"[^"]+"$/, 'a strong tag');
      assert.equal(first.headers.get('cache-control'), 'private, max-age=60');
      const again = await api.call('GET', '/v1/faq?locale=en');
      assert.equal(again.headers.get('etag'), etag, 'same content, same tag');

      const cached = await api.call('GET', '/v1/faq?locale=en', undefined, { 'If-None-Match': `"stale", ${etag}` });
      assert.equal(cached.status, 304);
      assert.equal(cached.body, null);
      assert.equal(cached.headers.get('etag'), etag);

      const zh = await api.call('GET', '/v1/faq?locale=zh-CN', undefined, { 'If-None-Match': etag! });
      assert.equal(zh.status, 200, 'another locale is another representation');
      assert.notEqual(zh.headers.get('etag'), etag);

      await server.db.query(`update articles set title = title || ' (updated)' where site = 'pk_demo' and id = 'faq-coupons-en'`);
      try {
        const changed = await api.call('GET', '/v1/faq?locale=en', undefined, { 'If-None-Match': etag! });
        assert.equal(changed.status, 200);
        assert.notEqual(changed.headers.get('etag'), etag);
        assert.ok(changed.body.articles.some((a: { title: string }) => a.title.endsWith('(updated)')));
      } finally {
        await server.db.query(`update articles set title = replace(title, ' (updated)', '') where site = 'pk_demo' and id = 'faq-coupons-en'`);
      }
    });

    test('an unsupported locale answers 400 naming `locale`', async () => {
      const { api } = await shopper(server);
      const answer = await api.call('GET', '/v1/faq?locale=fr');
      assert.equal(answer.status, 400);
      assert.equal(answer.headers.get('content-type'), 'application/problem+json');
      assert.deepEqual(answer.body.errors.map((e: { path: string }) => e.path), ['locale']);
    });

    test('the help centre needs a session', async () => {
      const anonymous = client(server.base);
      assert.equal((await anonymous.call('GET', '/v1/faq')).status, 401);
      assert.equal((await anonymous.call('GET', '/v1/suggestions')).status, 401);
    });

    test('seeding again on restart changes nothing: same articles, same ETag', async () => {
      const { api } = await shopper(server);
      const before = await api.call('GET', '/v1/faq?locale=zh-CN');
      const { seedArticles } = await import('../../demo/server/seed/articles');
      await seedArticles(server.db);
      const afterSeed = await api.call('GET', '/v1/faq?locale=zh-CN');
      assert.equal(afterSeed.headers.get('etag'), before.headers.get('etag'));
    });

    test('a delayed order in view leads with "Where is my parcel?" and track_order', async () => {
      const { api, owner } = await shopper(server);
      const delayed = await insertOrder(server, owner, { status: 'shipped', refundableUntil: null, shipments: [shipment('delayed', at(2 * DAY))] });
      const answer = await api.call('GET', `/v1/suggestions?orderId=${delayed}`);
      assert.equal(answer.status, 200);
      const { questions } = v.parse(SuggestionList, answer.body);
      assert.equal(questions[0]!.text, 'Where is my parcel?');
      assert.equal(questions[0]!.action, 'track_order');
      assert.equal(questions[0]!.articleId, 'faq-delayed-delivery-en');
      assert.ok(questions.length <= 5);
      assert.equal(new Set(questions.map((q) => q.id)).size, questions.length, 'no duplicates');
    });

    test('a shipment past its estimated delivery counts as delayed; one on time does not', async () => {
      const { api, owner } = await shopper(server);
      const late = await insertOrder(server, owner, { status: 'shipped', refundableUntil: null, shipments: [shipment('in_transit', at(-DAY))] });
      const lateAnswer = await api.call('GET', `/v1/suggestions?orderId=${late}`);
      assert.equal(lateAnswer.body.questions[0].action, 'track_order');
      assert.equal(lateAnswer.body.questions[0].text, 'Where is my parcel?');
      const onTime = await insertOrder(server, owner, { status: 'shipped', refundableUntil: null, shipments: [shipment('in_transit', at(DAY))] });
      const onTimeAnswer = await api.call('GET', `/v1/suggestions?orderId=${onTime}`);
      assert.notEqual(onTimeAnswer.body.questions[0].text, 'Where is my parcel?');
    });

    test('a delivered order inside its refund window leads with a refund question and start_refund; outside it does not', async () => {
      const { api, owner } = await shopper(server);
      const delivered = await insertOrder(server, owner, { status: 'delivered', refundableUntil: at(5 * DAY), shipments: [shipment('delivered', at(-DAY))] });
      const answer = await api.call('GET', `/v1/suggestions?orderId=${delivered}`);
      const first = answer.body.questions[0];
      assert.equal(first.action, 'start_refund');
      assert.equal(first.articleId, 'faq-request-refund-en');
      assert.match(first.text, /refund/i);

      const expired = await insertOrder(server, owner, { status: 'delivered', refundableUntil: at(-DAY), shipments: [shipment('delivered', at(-9 * DAY))] });
      const late = await api.call('GET', `/v1/suggestions?orderId=${expired}`);
      assert.notEqual(late.body.questions[0].id, first.id);
    });

    test("someone else's orderId is ignored: the answer equals one without it", async () => {
      const alice = await shopper(server);
      const bob = await shopper(server);
      const hers = await insertOrder(server, alice.owner, { status: 'shipped', refundableUntil: null, shipments: [shipment('delayed', at(DAY))] });
      const foreign = await bob.api.call('GET', `/v1/suggestions?orderId=${hers}`);
      const plain = await bob.api.call('GET', '/v1/suggestions');
      assert.equal(foreign.status, 200);
      assert.deepEqual(foreign.body, plain.body);
      assert.ok(!foreign.body.questions.some((q: { text: string }) => q.text === 'Where is my parcel?'));
      const own = await alice.api.call('GET', `/v1/suggestions?orderId=${hers}`);
      assert.equal(own.body.questions[0].text, 'Where is my parcel?', 'the same id works for its owner');
    });

    test('without an order in view, a recent delayed order of the shopper still comes first', async () => {
      const { api, owner } = await shopper(server);
      const before = await api.call('GET', '/v1/suggestions');
      assert.notEqual(before.body.questions[0].text, 'Where is my parcel?');
      await insertOrder(server, owner, { status: 'shipped', refundableUntil: null, shipments: [shipment('exception', null)] });
      const answer = await api.call('GET', '/v1/suggestions');
      assert.equal(answer.body.questions[0].action, 'track_order');
    });

    test('checkout pages suggest payment and coupons; a product suggests size and warranty', async () => {
      const { api } = await shopper(server);
      const checkout = await api.call('GET', `/v1/suggestions?page=${encodeURIComponent('https://shop.example.com/checkout?step=2')}`);
      assert.deepEqual(checkout.body.questions.slice(0, 2).map((q: { articleId: string }) => q.articleId), ['faq-payment-methods-en', 'faq-coupons-en']);
      const cart = await api.call('GET', '/v1/suggestions?page=/cart');
      assert.equal(cart.body.questions[0].articleId, 'faq-payment-methods-en');
      const product = await api.call('GET', '/v1/suggestions?productId=p_teapot&page=/');
      assert.deepEqual(product.body.questions.slice(0, 2).map((q: { articleId: string }) => q.articleId), ['faq-exchange-size-en', 'faq-warranty-en']);
      const home = await api.call('GET', '/v1/suggestions?page=/');
      assert.equal(home.body.questions.length, 5);
      assert.ok(!home.body.questions.some((q: { articleId: string }) => q.articleId === 'faq-payment-methods-en'), 'popular questions only');
    });

    test('suggestions speak the shopper’s language and link only to articles that exist', async () => {
      const { api, owner } = await shopper(server);
      const delayed = await insertOrder(server, owner, { status: 'shipped', refundableUntil: null, shipments: [shipment('delayed', null)] });
      const headers = { 'Accept-Language': 'zh-CN' };
      const answer = await api.call('GET', `/v1/suggestions?orderId=${delayed}&page=/cart&productId=p_1`, undefined, headers);
      const { questions } = v.parse(SuggestionList, answer.body);
      assert.equal(questions[0]!.text, '我的包裹到哪了？');
      const faq = await api.call('GET', '/v1/faq', undefined, headers);
      const ids = new Set(faq.body.articles.map((a: { id: string }) => a.id));
      for (const question of questions) {
        assert.ok(/\p{sc=Han}/u.test(question.text), `${question.text} is Chinese`);
        if (question.articleId) assert.ok(ids.has(question.articleId), `${question.articleId} exists`);
      }
    });

    test('an oversized suggestion parameter answers 400 naming it', async () => {
      const { api } = await shopper(server);
      const answer = await api.call('GET', `/v1/suggestions?orderId=${'x'.repeat(65)}`);
      assert.equal(answer.status, 400);
      assert.deepEqual(answer.body.errors.map((e: { path: string }) => e.path), ['orderId']);
    });
  });
}
