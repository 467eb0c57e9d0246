import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as v from 'valibot';
import { AgentTicket, Comment, Ticket, TicketList } from '../../src/api/schemas';
import { AGENT_TOKEN, client, create, engines, signIn, startServer, warnIfPgliteOnly, type TestServer } from './harness';

warnIfPgliteOnly();

type Api = ReturnType<typeof client>;



/** Uploads a tiny PDF as this shopper and answers its id. */
async function upload(base: string, api: Api): Promise<string> {
  const form = new FormData();
  form.set('file', new Blob(['%PDF-1.4\n%evidence\n'], { type: 'application/pdf' }), 'receipt.pdf');
  const response = await fetch(`${base}/v1/uploads`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${api.token}`, 'Idempotency-Key': randomUUID() },
    body: form,
  });
  assert.equal(response.status, 201, await response.clone().text());
  return ((await response.json()) as { id: string }).id;
}

const paths = (answer: { body: { errors?: { path: string }[] } }) => (answer.body.errors ?? []).map((e) => e.path).sort();
const HOUR = 3_600_000;

for (const engine of engines) {
  describe(`tickets on ${engine.name}`, () => {
    let server: TestServer;
    let agent: Api;
    before(async () => {
      server = await startServer(engine);
      agent = client(server.base);
      agent.token = AGENT_TOKEN;
    });
    after(() => server.close());

    const transition = (id: string, to: string, note?: string) =>
      agent.call('POST', `/v1/agent/tickets/${id}/transition`, { to, ...(note ? { note } : {}) });

    /** Moves a ticket through `steps`, each of which must succeed. */
    async function walk(id: string, steps: string[]) {
      for (const to of steps) {
        const answer = await transition(id, to, `moved to ${to}`);
        assert.equal(answer.status, 200, `→ ${to}: ${JSON.stringify(answer.body)}`);
        assert.equal(v.parse(AgentTicket, answer.body).status, to);
      }
    }

    function assertTimeline(ticket: Ticket, expected: [status: string, actor: string][]) {
      assert.deepEqual(ticket.timeline.map((entry) => [entry.status, entry.actor]), expected);
      const times = ticket.timeline.map((entry) => {
        assert.equal(new Date(entry.at).toISOString(), entry.at, 'timeline times are ISO');
        return Date.parse(entry.at);
      });
      assert.deepEqual(times, [...times].sort((a, b) => a - b), 'timeline in order');
    }

    test('refund story: requested by the shopper, approved and refunded by an agent, told on a dated timeline', async () => {
      const alice = await signIn(server.base, 'alice');
      const before = Date.now();
      const created = await create(alice, '/v1/tickets', {
        kind: 'refund', orderId: 'o_ll_10231', items: [{ orderItemId: 'oi_10231_1', quantity: 1 }],
        category: 'damaged', description: 'The lamp shade arrived dented.',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const ticket = v.parse(Ticket, created.body);
      assert.equal(ticket.status, 'requested');
      assert.deepEqual(ticket.amount, { amount: 38900, currency: 'CNY' }, 'the server prices the refund from the items');
      assert.equal(ticket.appealable, true);
      assertTimeline(ticket, [['requested', 'shopper']]);
      const due = Date.parse(ticket.dueAt!) - before;
      assert.ok(due > 47 * HOUR && due < 49 * HOUR, 'a request is promised an answer within 48 hours');

      await walk(ticket.id, ['approved', 'refunded']);
      const read = await alice.call('GET', `/v1/tickets/${ticket.id}`);
      assert.equal(read.status, 200);
      const done = v.parse(Ticket, read.body);
      assert.equal(done.status, 'refunded');
      assert.equal(done.dueAt, null, 'nothing more is promised once refunded');
      assertTimeline(done, [['requested', 'shopper'], ['approved', 'agent'], ['refunded', 'agent']]);
      assert.equal(done.timeline[1]!.note, 'moved to approved');

      const list = v.parse(TicketList, (await alice.call('GET', '/v1/tickets')).body);
      assert.equal(list.tickets[0]!.id, ticket.id, 'the newest ticket comes first');
    });

    test('return story: approved, awaiting the parcel, received, refunded', async () => {
      const bob = await signIn(server.base, 'bob');
      const created = await create(bob, '/v1/tickets', {
        kind: 'return', orderId: 'o_ll_10307', items: [{ orderItemId: 'oi_10307_2', quantity: 1 }],
        category: 'not_as_described', description: 'The rug is much darker than the photos.',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual(created.body.amount, { amount: 89900, currency: 'CNY' });
      await walk(created.body.id, ['approved', 'awaiting_return']);
      const waiting = v.parse(Ticket, (await bob.call('GET', `/v1/tickets/${created.body.id}`)).body);
      const due = Date.parse(waiting.dueAt!) - Date.now();
      assert.ok(due > 13 * 24 * HOUR && due <= 14 * 24 * HOUR, 'the shopper has two weeks to send it back');
      await walk(created.body.id, ['return_received', 'refunded']);
      const done = v.parse(Ticket, (await bob.call('GET', `/v1/tickets/${created.body.id}`)).body);
      assertTimeline(done, [
        ['requested', 'shopper'], ['approved', 'agent'], ['awaiting_return', 'agent'], ['return_received', 'agent'], ['refunded', 'agent'],
      ]);
    });

    test('complaint story: rejected after investigation, appealed once, rejected for good', async () => {
      const alice = await signIn(server.base, 'alice');
      const created = await create(alice, '/v1/tickets', {
        kind: 'complaint', orderId: 'o_ll_10388', category: 'delivery', description: 'My floor lamp is two days late.',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.status, 'submitted');
      assert.equal(created.body.amount, null);
      const id = created.body.id;
      await walk(id, ['acknowledged', 'investigating', 'rejected']);

      const appealed = await create(alice, `/v1/tickets/${id}/appeal`, { reason: 'The carrier says the parcel never left the hub.' });
      assert.equal(appealed.status, 201, JSON.stringify(appealed.body));
      const ticket = v.parse(Ticket, appealed.body);
      assert.equal(ticket.status, 'appealed');
      assert.equal(ticket.appealable, false, 'one appeal per ticket');
      assert.equal(ticket.timeline.at(-1)!.note, 'The carrier says the parcel never left the hub.');
      assert.ok(ticket.dueAt);

      await walk(id, ['rejected']);
      const final = v.parse(Ticket, (await alice.call('GET', `/v1/tickets/${id}`)).body);
      assertTimeline(final, [
        ['submitted', 'shopper'], ['acknowledged', 'agent'], ['investigating', 'agent'], ['rejected', 'agent'],
        ['appealed', 'shopper'], ['rejected', 'agent'],
      ]);
      assert.equal(final.appealable, false);
      assert.equal(final.dueAt, null);

      const again = await create(alice, `/v1/tickets/${id}/appeal`, { reason: 'Please look again.' });
      assert.equal(again.status, 409, 'a rejection after an appeal is final');
      assert.equal(again.headers.get('content-type'), 'application/problem+json');
      const comment = await create(alice, `/v1/tickets/${id}/comments`, { text: 'Still waiting.' });
      assert.equal(comment.status, 409, 'a closed ticket takes no more comments');
    });

    test('an illegal transition is a 409 naming from and to, and changes nothing; agents cannot appeal for the shopper', async () => {
      const alice = await signIn(server.base, 'alice');
      const created = await create(alice, '/v1/tickets', { kind: 'complaint', category: 'service', description: 'Rude courier.' });
      const id = created.body.id;
      const wrong = await transition(id, 'refunded');
      assert.equal(wrong.status, 409);
      assert.equal(wrong.headers.get('content-type'), 'application/problem+json');
      assert.match(wrong.body.detail, /submitted/);
      assert.match(wrong.body.detail, /refunded/);
      await walk(id, ['rejected']);
      const forShopper = await transition(id, 'appealed');
      assert.equal(forShopper.status, 409, 'only the shopper appeals');
      const unchanged = v.parse(Ticket, (await alice.call('GET', `/v1/tickets/${id}`)).body);
      assert.equal(unchanged.status, 'rejected');
      assert.equal(unchanged.timeline.length, 2);
      assert.equal((await transition('t_missing', 'acknowledged')).status, 404);
    });

    test('what a ticket may claim: each broken rule is a 400 with its field path, and nothing is filed', async () => {
      const alice = await signIn(server.base, 'alice');
      const bob = await signIn(server.base, 'bob');
      const own = await upload(server.base, alice);
      const foreign = await upload(server.base, bob);
      const count = async () => (await alice.call('GET', '/v1/tickets?limit=100')).body.tickets.length;
      const before = await count();
      const refund = { kind: 'refund', orderId: 'o_ll_10231', category: 'damaged', description: 'Broken.' };
      const cases: [string, Record<string, unknown>, string[]][] = [
        ['more than refundable', { ...refund, items: [{ orderItemId: 'oi_10231_3', quantity: 4 }] }, ['items.0.quantity']],
        ['an item of another order', { ...refund, items: [{ orderItemId: 'oi_10307_1', quantity: 1 }] }, ['items.0.orderItemId']],
        ["another shopper's upload", { ...refund, items: [{ orderItemId: 'oi_10231_3', quantity: 1 }], attachmentIds: [own, foreign] }, ['attachmentIds.1']],
        ['more money than the items cost', { ...refund, items: [{ orderItemId: 'oi_10231_3', quantity: 1 }], amount: 12901 }, ['amount']],
        ['no order', { ...refund, orderId: undefined, items: [{ orderItemId: 'oi_10231_3', quantity: 1 }] }, ['orderId']],
        ['no items', { ...refund }, ['items']],
        ["another shopper's order", { ...refund, orderId: 'o_ll_10307', items: [{ orderItemId: 'oi_10307_1', quantity: 1 }] }, ['orderId']],
        ['an order not shipped yet', { ...refund, orderId: 'o_ll_10412', items: [{ orderItemId: 'oi_10412_1', quantity: 1 }] }, ['orderId']],
        ['a complaint about an order not hers', { kind: 'complaint', orderId: 'o_ll_10307', category: 'service', description: 'x' }, ['orderId']],
        ['a complaint asking for money', { kind: 'complaint', amount: 100, category: 'service', description: 'x' }, ['amount']],
      ];
      for (const [name, body, expected] of cases) {
        const answer = await create(alice, '/v1/tickets', body);
        assert.equal(answer.status, 400, `${name}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.headers.get('content-type'), 'application/problem+json');
        assert.deepEqual(paths(answer), expected, name);
      }
      assert.equal(await count(), before);

      const fine = await create(alice, '/v1/tickets', {
        ...refund, items: [{ orderItemId: 'oi_10231_3', quantity: 1 }], amount: 12900, attachmentIds: [own],
      });
      assert.equal(fine.status, 201, JSON.stringify(fine.body));
      assert.deepEqual(fine.body.attachmentIds, [own]);
      const less = await create(alice, '/v1/tickets', {
        ...refund, items: [{ orderItemId: 'oi_10231_3', quantity: 1 }], amount: 5000,
      });
      assert.deepEqual(less.body.amount, { amount: 5000, currency: 'CNY' }, 'a shopper may ask for less than the price');
      const gone = await create(alice, '/v1/tickets', { ...refund, items: [{ orderItemId: 'oi_10231_3', quantity: 2 }] });
      assert.deepEqual(paths(gone), ['items.0.quantity'], 'two of three are already claimed');
    });

    test('create, appeal and comment are idempotent: the same key replays, another body is 422', async () => {
      const alice = await signIn(server.base, 'alice');
      const key = randomUUID();
      const body = { kind: 'complaint', category: 'product', description: 'The lantern flickers.' };
      const first = await create(alice, '/v1/tickets', body, key);
      const replay = await create(alice, '/v1/tickets', body, key);
      assert.equal(first.status, 201);
      assert.equal(replay.status, 201);
      assert.deepEqual(replay.body, first.body);
      assert.equal((await create(alice, '/v1/tickets', { ...body, description: 'Something else.' }, key)).status, 422);
      const listed = (await alice.call('GET', '/v1/tickets?limit=100')).body.tickets.filter((t: { clientId: string }) => t.clientId === key);
      assert.equal(listed.length, 1);
      const id = first.body.id;

      const commentKey = randomUUID();
      const comment = await create(alice, `/v1/tickets/${id}/comments`, { text: 'It started after a week.' }, commentKey);
      assert.equal(comment.status, 201);
      const parsed = v.parse(Comment, comment.body);
      assert.equal(parsed.author, 'shopper');
      assert.equal(parsed.ticketId, id);
      assert.deepEqual((await create(alice, `/v1/tickets/${id}/comments`, { text: 'It started after a week.' }, commentKey)).body, comment.body);
      assert.equal((await create(alice, `/v1/tickets/${id}/comments`, { text: 'Other text.' }, commentKey)).status, 422);
      const withComments = v.parse(Ticket, (await alice.call('GET', `/v1/tickets/${id}`)).body);
      assert.deepEqual(withComments.comments.map((c) => c.id), [parsed.id]);

      await walk(id, ['rejected']);
      const appealKey = randomUUID();
      const appeal = await create(alice, `/v1/tickets/${id}/appeal`, { reason: 'It is a defect.' }, appealKey);
      assert.equal(appeal.status, 201);
      const appealReplay = await create(alice, `/v1/tickets/${id}/appeal`, { reason: 'It is a defect.' }, appealKey);
      assert.equal(appealReplay.status, 201, 'a resent appeal replays instead of hitting the one-appeal rule');
      assert.deepEqual(appealReplay.body, appeal.body);
      assert.equal((await create(alice, `/v1/tickets/${id}/appeal`, { reason: 'Changed.' }, appealKey)).status, 422);
      const after = v.parse(Ticket, (await alice.call('GET', `/v1/tickets/${id}`)).body);
      assert.equal(after.timeline.filter((entry) => entry.status === 'appealed').length, 1);
    });

    test("the list pages newest first with an opaque cursor; another shopper's ticket is no cursor", async () => {
      const alice = await signIn(server.base, 'alice');
      for (const description of ['first', 'second', 'third']) {
        await create(alice, '/v1/tickets', { kind: 'complaint', category: 'service', description });
      }
      const all = v.parse(TicketList, (await alice.call('GET', '/v1/tickets?limit=100')).body).tickets.map((t) => t.id);
      assert.ok(all.length >= 3);
      const walked: string[] = [];
      let cursor: string | null | undefined = null;
      do {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const page = v.parse(TicketList, (await alice.call('GET', `/v1/tickets?limit=2${query}`)).body);
        assert.ok(page.tickets.length <= 2);
        walked.push(...page.tickets.map((t) => t.id));
        cursor = page.next;
      } while (cursor);
      assert.deepEqual(walked, all);
      const newest = await alice.call('GET', '/v1/tickets?limit=3');
      assert.deepEqual(newest.body.tickets.map((t: Ticket) => t.description), ['third', 'second', 'first']);

      const bob = await signIn(server.base, 'bob');
      const probe = await bob.call('GET', `/v1/tickets?cursor=${encodeURIComponent(all[0]!)}`);
      assert.equal(probe.status, 400);
      assert.deepEqual(paths(probe), ['cursor']);
    });

    test("bob gets the same 404 for alice's ticket, appeal and comment as for a missing id", async () => {
      const alice = await signIn(server.base, 'alice');
      const bob = await signIn(server.base, 'bob');
      const created = await create(alice, '/v1/tickets', { kind: 'complaint', category: 'service', description: 'Private.' });
      const id = created.body.id;
      await walk(id, ['rejected']);
      const pairs: [string, (target: string) => ReturnType<Api['call']>][] = [
        ['read', (target) => bob.call('GET', `/v1/tickets/${target}`)],
        ['appeal', (target) => create(bob, `/v1/tickets/${target}/appeal`, { reason: 'Mine now.' })],
        ['comment', (target) => create(bob, `/v1/tickets/${target}/comments`, { text: 'Hello.' })],
      ];
      for (const [name, call] of pairs) {
        const foreign = await call(id);
        const missing = await call('t_missing');
        assert.equal(foreign.status, 404, name);
        assert.deepEqual(foreign.body, missing.body, name);
      }
      const bobs = (await bob.call('GET', '/v1/tickets?limit=100')).body.tickets.map((t: { id: string }) => t.id);
      assert.ok(!bobs.includes(id));
      const untouched = v.parse(Ticket, (await alice.call('GET', `/v1/tickets/${id}`)).body);
      assert.equal(untouched.status, 'rejected');
      assert.equal(untouched.comments.length, 0);
    });
  });
}
