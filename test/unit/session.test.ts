/**
 * The shopper's session. Signing in on a device that chatted anonymously (design §3), over the real REST client and a
 * real IndexedDB: the sign-in carries the anonymous session as its bearer token (the proof the
 * server merges on), the chat goes on in the merged conversation, a write still queued under the
 * visitor is delivered as the shopper, and the visitor's cached copies make way for the shopper's.
 */
import { expect } from 'chai';
import { http, HttpResponse } from 'msw';
import type { Conversation, Message, Ticket } from '../../src/api/schemas';
import { MemoryAdapter } from '../../src/client/MemoryAdapter';
import { createConsentStorage } from '../../src/core/consentStorage';
import { createSession } from '../../src/core/session';
import { useHandlers } from './msw';

const API = 'https://api.kefu.test';
const T = '2026-11-23T10:00:00.000Z';
const LANE = '6f1c7c1e-3b7a-4a57-9d7a-2a4f3e8b0001';
const anonymous = { token: 'anon-token', visitorId: 'v_1', user: null, expiresAt: '2030-01-01T00:00:00.000Z' };
const signedIn = { token: 'user-token', visitorId: 'v_1', user: { id: 'alice', name: 'Alice' }, expiresAt: '2030-01-01T00:00:00.000Z' };
const merged: Conversation = { id: 'c_1', clientId: LANE, status: 'bot', createdAt: T, updatedAt: T, shopperRead: 'm_2' };
const history: Message[] = [
  { id: 'm_1', clientId: null, conversationId: 'c_1', author: 'shopper', text: 'Where is my parcel?', createdAt: T },
  { id: 'm_2', clientId: null, conversationId: 'c_1', author: 'bot', text: 'Here is how to track it.', createdAt: T },
];
const ticket = { id: 't_1', clientId: LANE, kind: 'complaint', status: 'submitted', orderId: null, items: [], category: 'service',
  description: 'Asked anonymously', amount: null, attachmentIds: [], timeline: [], comments: [], dueAt: null, appealable: true,
  createdAt: T, updatedAt: T } satisfies Ticket;

/** The reference server's answers as far as this story needs them, recording the bearer of each call. */
function fakeServer() {
  const seen: { path: string; auth: string | null; body?: unknown }[] = [];
  const bearer = (request: Request) => request.headers.get('Authorization');
  let acceptMessages = false;
  const handlers = [
    http.post(`${API}/v1/sessions`, async ({ request }) => {
      const body = (await request.json()) as { userToken?: string };
      seen.push({ path: 'sessions', auth: bearer(request), body });
      return HttpResponse.json(body.userToken ? signedIn : anonymous, { status: 201 });
    }),
    http.get(`${API}/v1/conversations`, () => HttpResponse.json({ conversations: [merged] })),
    http.get(`${API}/v1/conversations/c_1/messages`, () => HttpResponse.json({ messages: history, next: null })),
    http.get(`${API}/v1/tickets`, () => HttpResponse.json({ tickets: [ticket], next: null })),
    http.post(`${API}/v1/conversations/c_1/messages`, async ({ request }) => {
      const body = (await request.json()) as { clientId: string; text: string };
      seen.push({ path: 'messages', auth: bearer(request), body });
      // Offline while anonymous: the write waits in the outbox.
      if (!acceptMessages) return HttpResponse.json({ type: 'about:blank', title: 'Unavailable', status: 503 }, { status: 503 });
      return HttpResponse.json({ id: 'm_3', clientId: body.clientId, conversationId: 'c_1', author: 'shopper', text: body.text, createdAt: T }, { status: 201 });
    }),
    http.get(`${API}/v1/events`, () => new HttpResponse(new ReadableStream({
      start: (controller) => controller.enqueue(new TextEncoder().encode('retry: 3000\n\n')),
    }), { headers: { 'Content-Type': 'text/event-stream' } })),
  ];
  return { seen, handlers, online: () => void (acceptMessages = true) };
}

function sessionFor(site: string, adapter?: MemoryAdapter) {
  const storage = createConsentStorage(site, false);
  const session = createSession({
    site, configured: true, api: API, storage, adapter, context: () => ({}), locale: () => 'en',
    onError: () => undefined, onIncoming: () => undefined, onEvent: () => undefined,
  });
  return { session, storage };
}

/** Resolves once `check` holds, re-checking on each animation frame (no fixed sleeps). */
async function until(check: () => boolean | Promise<boolean>, what: string) {
  const deadline = performance.now() + 5_000;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(requestAnimationFrame);
  }
}

describe('identify after an anonymous chat', () => {
  it('signs in with the anonymous token as bearer, keeps the merged conversation, delivers the queued write as the shopper and clears the visitor\'s cache', async () => {
    const server = fakeServer();
    await useHandlers(...server.handlers);
    const { session, storage } = sessionFor(`pk_identify_${crypto.randomUUID().slice(0, 8)}`);
    const chat = await session.start();
    await session.desk.value!.loadTickets();
    await chat.send('Is it still on its way?');
    await until(() => server.seen.some((call) => call.path === 'messages'), 'the first try of the queued message');
    expect(await storage.get(['cache', 'v:v_1', 'tickets'])).to.have.property('value');

    server.online();
    await session.identify('alice.jwt');

    const signIn = server.seen.filter((call) => call.path === 'sessions').at(-1)!;
    expect(signIn.body).to.have.property('userToken', 'alice.jwt');
    expect(signIn.auth).to.equal('Bearer anon-token');
    const now = session.chat.value!;
    expect(now.conversation.value?.id).to.equal('c_1');
    expect(now.messages.value.slice(0, 2).map((m) => m.text)).to.deep.equal(history.map((m) => m.text));
    await until(() => server.seen.some((call) => call.path === 'messages' && call.auth === 'Bearer user-token'), 'the queued message sent as the shopper');
    await until(() => now.messages.value.some((m) => m.id === 'm_3'), 'the delivered message');
    // The visitor's copies are gone (the server moved what they held); the shopper's scope fills as views load.
    expect((await storage.list<{ key: string[] }>('cache')).map((entry) => entry.key[1])).to.deep.equal([]);
    await session.desk.value!.loadTickets();
    expect((await storage.list<{ key: string[] }>('cache')).map((entry) => entry.key.join(' '))).to.deep.equal(['cache u:alice tickets']);
    expect(session.desk.value!.tickets.value.value!.map((t) => t.id)).to.deep.equal(['t_1']);
    await session.destroy();
    await storage.wipe();
  });
});

describe('MemoryAdapter sign-in', () => {
  it('moves the anonymous visitor\'s conversation and ticket to the shopper once, and read positions follow', async () => {
    const adapter = new MemoryAdapter();
    await adapter.startSession({ site: 'pk_demo' });
    const conversation = await adapter.createConversation({ clientId: LANE });
    const question = await adapter.postMessage(conversation.id, { clientId: crypto.randomUUID(), text: 'Hello' });
    await adapter.createTicket({ clientId: crypto.randomUUID(), kind: 'complaint', category: 'service', description: 'Anonymous' });
    const events: string[] = [];
    adapter.subscribe((event) => events.push(event.type));

    await adapter.startSession({ site: 'pk_demo', userToken: 'any' });
    expect((await adapter.listConversations()).conversations.map((c) => c.id)).to.deep.equal([conversation.id]);
    expect((await adapter.listTickets()).tickets).to.have.length(1);
    await until(() => events.length >= 2, 'the events of the move');
    expect(events.sort()).to.deep.equal(['conversation', 'ticket']);

    const read = await adapter.markRead(conversation.id, question.id);
    expect(read.shopperRead).to.equal(question.id);
    const reply = adapter.agent.reply(conversation.id, 'Hi, this is Lin');
    expect(adapter.agent.read(conversation.id).agentRead).to.equal(reply.id);
  });

  it('keeps each session to its own shopper: after signing out the shopper\'s ids are 404, and the next visitor merges in turn', async () => {
    const device = new MemoryAdapter();
    await device.startSession({ site: 'pk_demo' });
    const first = await device.createConversation({ clientId: LANE });
    await device.startSession({ site: 'pk_demo', userToken: 'any' });
    await device.startSession({ site: 'pk_demo' }); // signed out: a new visitor
    expect((await device.listConversations()).conversations).to.deep.equal([]);
    expect(await device.listMessages(first.id).catch((error: { status: number }) => error.status)).to.equal(404);
    expect(await device.listMessages('c_missing').catch((error: { status: number }) => error.status)).to.equal(404);
    const second = await device.createConversation({ clientId: crypto.randomUUID() });
    await device.startSession({ site: 'pk_demo', userToken: 'any' });
    expect((await device.listConversations()).conversations.map((c) => c.id).sort()).to.deep.equal([first.id, second.id].sort());
  });
});

describe('the chat and the shared outbox', () => {
  it('shows only messages: a ticket and a rating delivered through the same outbox stay out of the chat', async () => {
    const { session, storage } = sessionFor(`pk_chat_${crypto.randomUUID().slice(0, 8)}`, new MemoryAdapter());
    const chat = await session.start();
    await chat.send('Hello');
    await until(() => chat.messages.value.some((m) => m.author === 'bot'), 'the bot\'s answer');
    const desk = session.desk.value!;
    const clientId = await desk.fileTicket({ kind: 'complaint', category: 'service', description: 'Rude courier' });
    await desk.rate({ subject: { type: 'conversation', id: chat.conversation.value!.id }, score: 5 });
    await until(async () => (await chat.outbox.pending()).length === 0, 'the ticket and rating delivered');
    await until(() => desk.tickets.value.value?.some((t) => t.clientId === clientId && !t.local) ?? false, 'the filed ticket');
    expect(chat.messages.value.map((m) => m.author)).to.deep.equal(['shopper', 'bot']);
    await session.destroy();
    await storage.wipe();
  });
});
