/**
 * Ownership across every shopper endpoint of the contract that names a resource: bob (and an
 * anonymous visitor) try each of alice's ids, as reads and as writes; every attempt must answer
 * 404 exactly like an id that does not exist, and nothing of alice's may appear in their lists.
 * The count of attempts and successes is printed for the README's hardening figures.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { contract } from '../../demo/server/contract';
import { AGENT_TOKEN, client, create, engines, signIn, startServer, warnIfPgliteOnly, type TestServer } from './harness';

warnIfPgliteOnly();
process.env.KEFU_RATE_TOKEN = process.env.KEFU_RATE_IP = process.env.KEFU_RATE_SESSION = 'off';

type Api = ReturnType<typeof client>;
const tally = { attempts: 0, successes: 0, endpoints: new Set<string>() };
process.once('beforeExit', () =>
  console.log(`ownership: ${tally.attempts} cross-shopper attempts on ${tally.endpoints.size} endpoints, ${tally.successes} succeeded`));

for (const engine of engines) {
  describe(`ownership on ${engine.name}`, () => {
    let server: TestServer;
    let alice: Api;
    const ids = { conversation: '', message: '', ticket: '', order: '', upload: '' };

    before(async () => {
      server = await startServer(engine);
      alice = await signIn(server.base, 'alice');
      const conversation = await create(alice, '/v1/conversations', {});
      ids.conversation = conversation.body.id;
      ids.message = (await create(alice, `/v1/conversations/${ids.conversation}/messages`, { text: 'Only for alice' })).body.id;
      const ticket = await create(alice, '/v1/tickets', { kind: 'complaint', category: 'service', description: 'Alice only' });
      ids.ticket = ticket.body.id;
      const agent = client(server.base);
      agent.token = AGENT_TOKEN;
      await agent.call('POST', `/v1/agent/tickets/${ids.ticket}/transition`, { to: 'rejected', note: 'so it is appealable' });
      ids.order = (await alice.call('GET', '/v1/orders')).body.orders[0].id;
      const form = new FormData();
      form.set('file', new Blob(['%PDF-1.4\n%alice\n'], { type: 'application/pdf' }), 'alice.pdf');
      const uploaded = await fetch(`${server.base}/v1/uploads`, {
        method: 'POST', headers: { Authorization: `Bearer ${alice.token}`, 'Idempotency-Key': randomUUID() }, body: form,
      });
      ids.upload = ((await uploaded.json()) as { id: string }).id;
      for (const [name, id] of Object.entries(ids)) assert.ok(id, `alice's ${name} exists`);
    });
    after(() => server.close());

    /** Every request another shopper can make with one of alice's ids, by contract path. */
    const attempts = (): [path: string, method: string, url: string, body?: Record<string, unknown>][] => [
      ['/v1/conversations/:id/messages', 'GET', `/v1/conversations/${ids.conversation}/messages`],
      ['/v1/conversations/:id/messages', 'POST', `/v1/conversations/${ids.conversation}/messages`, { text: 'hijack' }],
      ['/v1/conversations/:id/messages/batch', 'POST', `/v1/conversations/${ids.conversation}/messages/batch`,
        { messages: [{ key: randomUUID(), message: { clientId: randomUUID(), text: 'hijack' } }] }],
      ['/v1/conversations/:id/handoff', 'POST', `/v1/conversations/${ids.conversation}/handoff`, {}],
      ['/v1/conversations/:id/read', 'POST', `/v1/conversations/${ids.conversation}/read`, { messageId: ids.message }],
      ['/v1/orders/:id', 'GET', `/v1/orders/${ids.order}`],
      ['/v1/tickets/:id', 'GET', `/v1/tickets/${ids.ticket}`],
      ['/v1/tickets/:id/appeal', 'POST', `/v1/tickets/${ids.ticket}/appeal`, { reason: 'not mine to appeal' }],
      ['/v1/tickets/:id/comments', 'POST', `/v1/tickets/${ids.ticket}/comments`, { text: 'not my ticket' }],
      ['/v1/uploads/:id', 'GET', `/v1/uploads/${ids.upload}`],
      ['/v1/ratings', 'POST', '/v1/ratings', { subject: { type: 'ticket', id: ids.ticket }, score: 1 }],
      ['/v1/ratings', 'POST', '/v1/ratings', { subject: { type: 'conversation', id: ids.conversation }, score: 1 }],
      ['/v1/tickets', 'POST', '/v1/tickets', { kind: 'refund', orderId: ids.order, items: [{ orderItemId: 'x', quantity: 1 }], category: 'damaged', description: 'refund of alice\'s order' }],
    ];

    test('every contract endpoint that names a shopper\'s resource is covered', () => {
      const covered = new Set(attempts().map(([path]) => path));
      const named = contract.filter((endpoint) => endpoint.auth === 'shopper' && endpoint.path.includes(':id')).map((endpoint) => endpoint.path);
      for (const path of named) assert.ok(covered.has(path), `${path} is not tried`);
    });

    for (const who of ['bob', 'an anonymous visitor'] as const) {
      test(`${who} gets 404 for each of alice's ids, exactly like a missing id, and changes nothing`, async () => {
        const other = who === 'bob' ? await signIn(server.base, 'bob') : client(server.base);
        if (who !== 'bob') await other.session({});
        for (const [path, method, url, body] of attempts()) {
          tally.attempts++;
          tally.endpoints.add(`${method} ${path}`);
          const idempotent = contract.find((endpoint) => endpoint.method === method && endpoint.path === path)?.idempotent;
          const answer = idempotent ? await create(other, url, body ?? {}) : await other.call(method, url, body);
          // A refund needs the order to exist for this shopper: 404 or a 400 naming the order, never a ticket.
          const refused = answer.status === 404 || (path === '/v1/tickets' && answer.status === 400 &&
            JSON.stringify(answer.body).includes('orderId'));
          if (!refused) tally.successes++;
          assert.ok(refused, `${who}: ${method} ${url} answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
          if (answer.status === 404) {
            const missing = method === 'GET'
              ? await other.call('GET', url.replace(/[^/]+$|[^/]+(?=\/[a-z]+$)/, 'no-such-id'))
              : undefined;
            if (missing) assert.equal(missing.status, 404, 'a missing id answers the same 404');
          }
        }
        const [conversations, tickets, orders] = await Promise.all(['/v1/conversations', '/v1/tickets', '/v1/orders']
          .map((list) => other.call('GET', list)));
        const seen = JSON.stringify([conversations!.body, tickets!.body, orders!.body]);
        for (const id of Object.values(ids)) assert.ok(!seen.includes(id), `${who}'s lists hold none of alice's ids`);
        // Alice's ticket is as she left it: no comment, no appeal, no rating from anyone else.
        const mine = await alice.call('GET', `/v1/tickets/${ids.ticket}`);
        assert.equal(mine.body.status, 'rejected');
        assert.deepEqual(mine.body.comments, []);
        const thread = await alice.call('GET', `/v1/conversations/${ids.conversation}/messages`);
        assert.deepEqual(thread.body.messages.map((m: { text: string }) => m.text).filter((text: string) => text === 'hijack'), []);
        const [read] = (await alice.call('GET', '/v1/conversations')).body.conversations;
        assert.equal(read.shopperRead, null, 'nobody else moved her read position');
      });
    }
  });
}
