import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as v from 'valibot';
import { Order, OrderList } from '../../src/api/schemas';
import { AGENT_TOKEN, client, create, engines, signIn, startServer, warnIfPgliteOnly, type TestServer } from './harness';

warnIfPgliteOnly();


for (const engine of engines) {
  describe(`orders on ${engine.name}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(engine);
    });
    after(() => server.close());

    test('alice sees her three demo orders, newest first, in the Order shape with money in minor units', async () => {
      const alice = await signIn(server.base, 'alice');
      const answer = await alice.call('GET', '/v1/orders');
      assert.equal(answer.status, 200);
      const { orders, next } = v.parse(OrderList, answer.body);
      assert.equal(next, null);
      assert.deepEqual(orders.map((o) => o.status), ['paid', 'shipped', 'delivered']);
      const placed = orders.map((o) => Date.parse(o.placedAt));
      assert.deepEqual(placed, [...placed].sort((a, b) => b - a), 'newest first');
      for (const order of orders) {
        assert.equal(order.total.currency, 'CNY');
        const sum = order.items.reduce((total, item) => total + item.unitPrice.amount * item.quantity, 0);
        assert.equal(order.total.amount, sum, `${order.number}: the total is the sum of its lines`);
        assert.ok(Number.isInteger(order.total.amount));
      }
      const [paid, shipped, delivered] = orders;
      assert.equal(paid!.refundableUntil, null, 'not shipped yet: nothing to refund');
      assert.ok(Date.parse(shipped!.refundableUntil!) > Date.now());
      assert.ok(Date.parse(delivered!.refundableUntil!) > Date.now(), 'delivered inside its refund window');
      const delay = shipped!.shipments[0]!;
      assert.equal(delay.status, 'delayed');
      assert.ok(Date.parse(delay.estimatedDelivery!) < Date.now(), 'the delayed parcel is past its estimate');
      assert.ok(delay.events.some((event) => /[\u4e00-\u9fff]/.test(event.location ?? '')), 'tracking names places in Chinese');
      assert.ok(delivered!.items.every((item) => item.refundableQuantity === item.quantity));
    });

    test('the list pages with an opaque cursor; a bad cursor or limit is a 400 naming it', async () => {
      const alice = await signIn(server.base, 'alice');
      const first = await alice.call('GET', '/v1/orders?limit=2');
      assert.equal(first.body.orders.length, 2);
      assert.ok(first.body.next);
      const second = await alice.call('GET', `/v1/orders?limit=2&cursor=${encodeURIComponent(first.body.next)}`);
      assert.equal(second.status, 200);
      assert.equal(second.body.next, null);
      const all = (await alice.call('GET', '/v1/orders')).body.orders.map((o: { id: string }) => o.id);
      assert.deepEqual([...first.body.orders, ...second.body.orders].map((o: { id: string }) => o.id), all);

      const bob = await signIn(server.base, 'bob');
      const foreign = await bob.call('GET', `/v1/orders?cursor=${encodeURIComponent(first.body.next)}`);
      assert.equal(foreign.status, 400, "another shopper's order is no cursor");
      assert.deepEqual(foreign.body.errors.map((e: { path: string }) => e.path), ['cursor']);
      const limit = await alice.call('GET', '/v1/orders?limit=0');
      assert.equal(limit.status, 400);
      assert.deepEqual(limit.body.errors.map((e: { path: string }) => e.path), ['limit']);
    });

    test('one order by id; refundableQuantity drops by what refund tickets hold and returns on a final rejection', async () => {
      const alice = await signIn(server.base, 'alice');
      const agent = client(server.base);
      agent.token = AGENT_TOKEN;
      const quantityOf = async (itemId: string) => {
        const answer = await alice.call('GET', '/v1/orders/o_ll_10231');
        assert.equal(answer.status, 200);
        return v.parse(Order, answer.body).items.find((item) => item.id === itemId)!.refundableQuantity;
      };
      assert.equal(await quantityOf('oi_10231_2'), 2);

      const clientId = randomUUID();
      const ticket = await alice.call('POST', '/v1/tickets', {
        clientId, kind: 'refund', orderId: 'o_ll_10231', items: [{ orderItemId: 'oi_10231_2', quantity: 1 }],
        category: 'damaged', description: 'One throw arrived with a torn hem.',
      }, { 'Idempotency-Key': clientId });
      assert.equal(ticket.status, 201);
      assert.equal(await quantityOf('oi_10231_2'), 1, 'a requested refund holds its items');

      const move = async (to: string) => {
        const answer = await agent.call('POST', `/v1/agent/tickets/${ticket.body.id}/transition`, { to });
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
      };
      await move('rejected');
      assert.equal(await quantityOf('oi_10231_2'), 1, 'a rejection that can be appealed still holds them');
      const appealId = randomUUID();
      const appeal = await alice.call('POST', `/v1/tickets/${ticket.body.id}/appeal`, { clientId: appealId, reason: 'Photos attached.' }, { 'Idempotency-Key': appealId });
      assert.equal(appeal.status, 201);
      await move('rejected');
      assert.equal(await quantityOf('oi_10231_2'), 2, 'a final rejection gives them back');
    });

    test("bob gets 404 for alice's order, exactly like a missing one, and lists only his own", async () => {
      const bob = await signIn(server.base, 'bob');
      const foreign = await bob.call('GET', '/v1/orders/o_ll_10231');
      const missing = await bob.call('GET', '/v1/orders/o_missing');
      assert.equal(foreign.status, 404);
      assert.equal(foreign.headers.get('content-type'), 'application/problem+json');
      assert.deepEqual(foreign.body, missing.body);
      const own = await bob.call('GET', '/v1/orders');
      assert.deepEqual(own.body.orders.map((o: { number: string }) => o.number), ['LL-10307']);
    });

    test('an anonymous visitor has no orders; without a session the API answers 401', async () => {
      const visitor = client(server.base);
      await visitor.session();
      const list = await visitor.call('GET', '/v1/orders');
      assert.equal(list.status, 200);
      assert.deepEqual(list.body, { orders: [], next: null });
      assert.equal((await visitor.call('GET', '/v1/orders/o_ll_10231')).status, 404);
      assert.equal((await client(server.base).call('GET', '/v1/orders')).status, 401);
    });
  });
}
