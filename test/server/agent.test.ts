import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as v from 'valibot';
import { AgentConversation, AgentConversationList, AgentTicketList, Message, MessageList } from '../../src/api/schemas';
import {
  AGENT_TOKEN, agentCreate, client, create, engines, openStream, signIn, startServer, warnIfPgliteOnly, type StreamEvent,
  type TestServer,
} from './harness';

warnIfPgliteOnly();

type Api = ReturnType<typeof client>;

for (const engine of engines) {
  describe(`agent API on ${engine.name}`, () => {
    let server: TestServer;
    let agent: Api;
    const agentHeaders = { Authorization: `Bearer ${AGENT_TOKEN}` };
    before(async () => {
      server = await startServer(engine);
      agent = client(server.base);
      agent.token = AGENT_TOKEN;
    });
    after(() => server.close());

    /** alice opens a conversation about an order and asks for a person. */
    async function queuedConversation(alice: Api) {
      const conversation = await create(alice, '/v1/conversations', {
        context: { page: '/orders/LL-10388', orderId: 'o_ll_10388', device: 'mobile', locale: 'zh-CN' },
      });
      assert.equal(conversation.status, 201);
      const key = randomUUID();
      await alice.call('POST', `/v1/conversations/${conversation.body.id}/messages`, { clientId: key, text: 'Where is my floor lamp?' }, { 'Idempotency-Key': key });
      const handoff = await alice.call('POST', `/v1/conversations/${conversation.body.id}/handoff`);
      assert.equal(handoff.body.status, 'queued');
      return conversation.body.id as string;
    }

    test('every agent endpoint answers 401 problem+json without the agent token, with a wrong one or a shopper session', async () => {
      const shopper = await signIn(server.base, 'alice');
      const calls: [string, string, unknown?][] = [
        ['GET', '/v1/agent/conversations'],
        ['GET', '/v1/agent/conversations/c_x/messages'],
        ['POST', '/v1/agent/conversations/c_x/messages', { text: 'hi' }],
        ['POST', '/v1/agent/conversations/c_x/typing'],
        ['POST', '/v1/agent/conversations/c_x/close'],
        ['GET', '/v1/agent/tickets'],
        ['POST', '/v1/agent/tickets/t_x/transition', { to: 'approved' }],
        ['GET', '/v1/agent/events'],
      ];
      for (const token of [undefined, `${AGENT_TOKEN}x`, AGENT_TOKEN.slice(0, -1), shopper.token]) {
        const api = client(server.base);
        api.token = token;
        for (const [method, path, body] of calls) {
          const answer = await api.call(method, path, body);
          assert.equal(answer.status, 401, `${method} ${path} with ${token ? 'a wrong token' : 'no token'}`);
          assert.equal(answer.headers.get('content-type'), 'application/problem+json');
          assert.equal(answer.headers.get('www-authenticate'), 'Bearer');
        }
      }
    });

    test('the queue lists a handed-off conversation with its shopper, context and last message', async () => {
      const alice = await signIn(server.base, 'alice');
      const id = await queuedConversation(alice);
      const answer = await agent.call('GET', '/v1/agent/conversations');
      assert.equal(answer.status, 200);
      const { conversations } = v.parse(AgentConversationList, answer.body);
      const queued = conversations.find((c) => c.id === id);
      assert.ok(queued, 'queued conversations are listed by default');
      assert.equal(queued.status, 'queued');
      assert.deepEqual(queued.shopper.user, { id: 'alice', name: 'Alice', email: 'alice@example.com' });
      assert.equal(queued.shopper.owner, 'u:alice');
      assert.equal(queued.context?.orderId, 'o_ll_10388');
      assert.equal(queued.context?.page, '/orders/LL-10388');
      assert.equal(queued.lastMessage?.author, 'system', 'the handoff notice is the last word');

      const bot = v.parse(AgentConversationList, (await agent.call('GET', '/v1/agent/conversations?status=bot')).body);
      assert.ok(!bot.conversations.some((c) => c.id === id));
      const all = v.parse(AgentConversationList, (await agent.call('GET', '/v1/agent/conversations?status=all')).body);
      assert.ok(all.conversations.some((c) => c.id === id));
      const wrong = await agent.call('GET', '/v1/agent/conversations?status=waiting');
      assert.equal(wrong.status, 400);
      assert.deepEqual(wrong.body.errors.map((e: { path: string }) => e.path), ['status']);

      const messages = v.parse(MessageList, (await agent.call('GET', `/v1/agent/conversations/${id}/messages`)).body);
      assert.deepEqual(messages.messages.map((m) => m.author), ['shopper', 'bot', 'system']);
      assert.equal((await agent.call('GET', '/v1/agent/conversations/c_missing/messages')).status, 404);
    });

    test("an agent's reply, typing and closing reach the shopper's event stream", async () => {
      const alice = await signIn(server.base, 'alice');
      const id = await queuedConversation(alice);
      // From the start, so the stream is known to be open and watching once the handoff notice is read.
      const stream = await openStream(`${server.base}/v1/events`, { Authorization: `Bearer ${alice.token}`, 'Last-Event-ID': '0' });
      try {
        await stream.until((e) => e.type === 'message' && e.message.conversationId === id && e.message.author === 'system');

        const reply = await agentCreate(agent, `/v1/agent/conversations/${id}/messages`, { text: '  您好，我来帮您查一下。 ' });
        assert.equal(reply.status, 201, JSON.stringify(reply.body));
        const message = v.parse(Message, reply.body);
        assert.equal(message.author, 'agent');
        assert.equal(message.text, '您好，我来帮您查一下。');
        const heard = await stream.until((e) => e.type === 'message' && e.message.conversationId === id);
        assert.deepEqual(heard.data.message, reply.body);
        const taken = await stream.next();
        assert.deepEqual([taken.data.type, taken.data.conversation.status], ['conversation', 'agent'], 'queued → agent');

        assert.equal((await agent.call('POST', `/v1/agent/conversations/${id}/typing`)).status, 204);
        const typing = await stream.next();
        assert.deepEqual(typing.data, { type: 'typing', conversationId: id, author: 'agent' });

        const closed = await agent.call('POST', `/v1/agent/conversations/${id}/close`);
        assert.equal(closed.status, 200);
        assert.equal(v.parse(AgentConversation, closed.body).status, 'closed');
        const told = await stream.next();
        assert.deepEqual([told.data.type, told.data.conversation.status], ['conversation', 'closed']);
      } finally {
        stream.close();
      }
      assert.equal((await agentCreate(agent, `/v1/agent/conversations/${id}/messages`, { text: 'Anything else?' })).status, 409);
      assert.equal((await agent.call('POST', `/v1/agent/conversations/${id}/typing`)).status, 409);
      const history = (await alice.call('GET', `/v1/conversations/${id}/messages`)).body.messages;
      assert.deepEqual(history.map((m: { author: string }) => m.author), ['shopper', 'bot', 'system', 'agent']);
    });

    test("an agent's reply is idempotent: the same key and body replay it, another body is 422, no key is 400", async () => {
      const alice = await signIn(server.base, 'alice');
      const id = await queuedConversation(alice);
      const path = `/v1/agent/conversations/${id}/messages`;
      const key = randomUUID();
      // The console's retry after a lost answer, and a double click racing it.
      const [first, raced] = await Promise.all([
        agentCreate(agent, path, { text: 'On it.' }, key),
        agentCreate(agent, path, { text: 'On it.' }, key),
      ]);
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.deepEqual(raced.body, first.body);
      const again = await agentCreate(agent, path, { text: 'On it.' }, key);
      assert.equal(again.status, 201);
      assert.deepEqual(again.body, first.body);
      assert.equal((await agentCreate(agent, path, { text: 'Something else' }, key)).status, 422);
      assert.equal((await agentCreate(agent, `/v1/agent/conversations/${await queuedConversation(alice)}/messages`, { text: 'On it.' }, key)).status, 422,
        'the same key on another conversation is another request');
      const bare = await agent.call('POST', path, { text: 'On it.' });
      assert.equal(bare.status, 400);
      assert.match(bare.body.detail, /Idempotency-Key/);
      const history = (await alice.call('GET', `/v1/conversations/${id}/messages`)).body.messages;
      assert.deepEqual(history.filter((m: { author: string }) => m.author === 'agent').map((m: { id: string }) => m.id), [first.body.id], 'stored once');
    });

    test('the console stream sees a shopper message and a new ticket as they happen, and resumes after Last-Event-ID', async () => {
      const alice = await signIn(server.base, 'alice');
      const conversation = await create(alice, '/v1/conversations', {});
      const stream = await openStream(`${server.base}/v1/agent/events`, agentHeaders);
      let messageEvent: StreamEvent;
      let ticketEvent: StreamEvent;
      try {
        const key = randomUUID();
        await alice.call('POST', `/v1/conversations/${conversation.body.id}/messages`, { clientId: key, text: 'Do you ship to Macau?' }, { 'Idempotency-Key': key });
        messageEvent = await stream.next();
        assert.equal(messageEvent.data.type, 'message');
        assert.equal(messageEvent.data.site, 'pk_demo');
        assert.equal(messageEvent.data.message.text, 'Do you ship to Macau?');

        const ticket = await create(alice, '/v1/tickets', {
          kind: 'refund', orderId: 'o_ll_10231', items: [{ orderItemId: 'oi_10231_3', quantity: 1 }],
          category: 'damaged', description: 'One shade is torn.',
        });
        assert.equal(ticket.status, 201);
        ticketEvent = await stream.until((e) => e.type === 'ticket');
        assert.equal(ticketEvent.data.change, 'created');
        assert.equal(ticketEvent.data.ticket.id, ticket.body.id);
        assert.equal(ticketEvent.data.ticket.shopper.owner, 'u:alice');
        assert.equal(ticketEvent.data.ticket.status, 'requested');
      } finally {
        stream.close();
      }
      const resumed = await openStream(`${server.base}/v1/agent/events`, { ...agentHeaders, 'Last-Event-ID': messageEvent.id });
      try {
        const replayed = await resumed.until((e) => e.type === 'ticket');
        assert.equal(replayed.id, ticketEvent.id);
      } finally {
        resumed.close();
      }
    });

    test('the console stream replays from the start once each and in id order, past id 9', async () => {
      const alice = await signIn(server.base, 'alice');
      const conversation = await create(alice, '/v1/conversations', {});
      const texts = Array.from({ length: 12 }, (_, index) => `question ${index + 1}`);
      for (const text of texts) {
        const key = randomUUID();
        await alice.call('POST', `/v1/conversations/${conversation.body.id}/messages`, { clientId: key, text }, { 'Idempotency-Key': key });
      }
      const stream = await openStream(`${server.base}/v1/agent/events`, { ...agentHeaders, 'Last-Event-ID': '0' });
      try {
        const seen: string[] = [];
        while (seen.length < texts.length) {
          const event = await stream.until((e) => e.type === 'message' && e.conversationId === conversation.body.id);
          seen.push(event.data.message.text);
        }
        assert.deepEqual(seen, texts);
      } finally {
        stream.close();
      }
    });

    test('the ticket list filters by status and kind; a wrong filter is a 400 naming it', async () => {
      const alice = await signIn(server.base, 'alice');
      const complaint = await create(alice, '/v1/tickets', { kind: 'complaint', orderId: 'o_ll_10388', category: 'delivery', description: 'Late.' });
      await create(alice, '/v1/tickets', { kind: 'complaint', category: 'service', description: 'Nobody answered the phone.' });
      const answer = await agent.call('GET', '/v1/agent/tickets?kind=complaint&status=submitted,acknowledged');
      assert.equal(answer.status, 200);
      const { tickets } = v.parse(AgentTicketList, answer.body);
      const listed = tickets.find((t) => t.id === complaint.body.id);
      assert.ok(listed);
      assert.equal(listed.shopper.user?.name, 'Alice');
      assert.ok(tickets.every((t) => t.kind === 'complaint' && ['submitted', 'acknowledged'].includes(t.status)));
      const refunds = v.parse(AgentTicketList, (await agent.call('GET', '/v1/agent/tickets?kind=refund')).body);
      assert.ok(!refunds.tickets.some((t) => t.id === complaint.body.id));
      const complaints = v.parse(AgentTicketList, (await agent.call('GET', '/v1/agent/tickets?kind=complaint&limit=100')).body).tickets;
      const walked: string[] = [];
      let cursor: string | null | undefined = null;
      do {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const page = v.parse(AgentTicketList, (await agent.call('GET', `/v1/agent/tickets?kind=complaint&limit=1${query}`)).body);
        walked.push(...page.tickets.map((t) => t.id));
        cursor = page.next;
      } while (cursor);
      assert.deepEqual(walked, complaints.map((t) => t.id), 'paging a filtered list walks exactly that list');
      const refundCursor = await agent.call('GET', `/v1/agent/tickets?kind=refund&cursor=${encodeURIComponent(complaint.body.id)}`);
      assert.equal(refundCursor.status, 400, 'a cursor must come from the same filtered list');
      for (const [query, path] of [['kind=exchange', 'kind'], ['status=lost', 'status'], ['limit=500', 'limit']]) {
        const wrong = await agent.call('GET', `/v1/agent/tickets?${query}`);
        assert.equal(wrong.status, 400, query);
        assert.deepEqual(wrong.body.errors.map((e: { path: string }) => e.path), [path]);
      }
    });
  });
}
