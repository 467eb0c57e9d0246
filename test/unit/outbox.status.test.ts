/**
 * The outbox over the real REST client, one HTTP answer at a time (in the spirit of Segment's
 * T01–T20 delivery matrix): what is deleted, what fails with the server's reason, what backs off
 * (honouring Retry-After in seconds and as an HTTP date) while the lane keeps its order, and a
 * lost answer replayed under the same Idempotency-Key.
 */
import { expect } from 'chai';
import { http, HttpResponse } from 'msw';
import type { Message } from '../../src/api/schemas';
import { RestAdapter } from '../../src/client/RestAdapter';
import { createOutbox, storedItems, type Outbox, type OutboxItem } from '../../src/offline/outbox';
import { openStorage } from '../../src/offline/storage';
import { useHandlers } from './msw';

const API = 'https://api.kefu.test';
const T = '2026-11-23T10:00:00.000Z';
const uuid = (n: number) => `6f1c7c1e-3b7a-4a57-9d7a-2a4f3e8b${String(n).padStart(4, '0')}`;
const session = { token: 't1', visitorId: 'v_1', user: null, expiresAt: '2030-01-01T00:00:00.000Z' };

interface Payload {
  conversationId: string;
  body: { clientId: string; text: string };
}

/** A server that stores messages once per Idempotency-Key, with answers scripted per text. */
function fakeServer() {
  const stored = new Map<string, Message>();
  const keys: string[] = [];
  const script = new Map<string, () => Response | undefined>();
  const handler = http.post(`${API}/v1/conversations/:id/messages`, async ({ request, params }) => {
    const key = request.headers.get('Idempotency-Key')!;
    const body = (await request.json()) as { clientId: string; text: string };
    keys.push(key);
    const early = script.get(body.text)?.();
    if (early && early.status != 299) return early;
    const message = stored.get(key) ?? {
      id: `m_${stored.size + 1}`, clientId: body.clientId, conversationId: params.id as string, author: 'shopper' as const,
      text: body.text, createdAt: T,
    };
    stored.set(key, message);
    // 299 marks the lost answer: committed above, then the answer is replaced by a 503.
    if (early?.status == 299) return problem(503);
    return HttpResponse.json(message, { status: 201 });
  });
  return { stored, keys, script, handlers: [handler, http.post(`${API}/v1/sessions`, () => HttpResponse.json(session, { status: 201 }))] };
}

const problem = (status: number, headers: Record<string, string> = {}) =>
  HttpResponse.json(
    { type: 'about:blank', title: `title ${status}`, status, detail: `detail ${status}` },
    { status, headers: { 'Content-Type': 'application/problem+json', ...headers } },
  );

/**
 * Records the delays of the outbox's one timer (the timer that calls its `flush`) instead of
 * arming it, so the test itself plays the timer and nothing fires behind its back.
 */
function recordTimers() {
  const original = window.setTimeout;
  const delays: number[] = [];
  window.setTimeout = ((fn: TimerHandler, ms?: number, ...rest: unknown[]) => {
    if (typeof fn != 'function' || fn.name != 'flush') return original(fn, ms, ...rest);
    delays.push(ms ?? 0);
    return 0;
  }) as typeof setTimeout;
  return { delays, restore: () => void (window.setTimeout = original) };
}

let n = 0;
async function setup() {
  const server = fakeServer();
  await useHandlers(...server.handlers);
  const adapter = new RestAdapter({ baseUrl: API, site: 'pk_demo', session, });
  const name = `status-${Date.now()}-${++n}`;
  const storage = await openStorage(name);
  const delivered: string[] = [];
  const failed: OutboxItem[] = [];
  const outbox = createOutbox({
    storage,
    lockName: name,
    deliver: (item) => {
      const { conversationId, body } = item.payload as Payload;
      return adapter.postMessage(conversationId, body);
    },
    onDelivered: (item) => delivered.push((item.payload as Payload).body.text),
    onFailed: (item) => failed.push(item),
  });
  let seq = 0;
  /** Stores writes without flushing, so the pass under test sees them all. */
  const store = async (...texts: [lane: string, text: string][]) => {
    for (const [lane, text] of texts) {
      const id = uuid(++seq);
      const item: OutboxItem<Payload> = {
        id, kind: 'message', lane, key: ['outbox', seq, id], state: 'queued', attempts: 0,
        payload: { conversationId: `c_${lane}`, body: { clientId: id, text } },
      };
      await storage.set(item.key, item);
    }
  };
  return { server, outbox, storage, delivered, failed, store };
}

const texts = (items: OutboxItem[]) => items.map((item) => (item.payload as Payload).body.text);
let timers: ReturnType<typeof recordTimers>;
let current: Outbox | undefined;

describe('outbox × HTTP status', () => {
  beforeEach(() => (timers = recordTimers()));
  afterEach(() => {
    current?.stop(); // Clears its timer, so nothing fires into the next test.
    timers.restore();
  });

  for (const status of [200, 201]) {
    it(`${status}: the item is delivered and deleted`, async () => {
      const { server, outbox, storage, delivered, store } = await setup();
      current = outbox;
      server.script.set('ok', () => (status == 200 ? HttpResponse.json({ id: 'm_9', clientId: uuid(1), conversationId: 'c_a', author: 'shopper', text: 'ok', createdAt: T }) : undefined));
      await store(['a', 'ok']);
      await outbox.flush();
      expect(delivered).to.deep.equal(['ok']);
      expect(await storage.list('outbox')).to.deep.equal([]);
      expect(timers.delays).to.deep.equal([], 'no retry is scheduled');
    });
  }

  for (const status of [400, 401, 403, 404, 409, 413, 415, 422]) {
    it(`${status}: the item fails with the server's reason, stays for the shopper, and does not hold its lane`, async () => {
      const { server, outbox, storage, delivered, failed, store } = await setup();
      current = outbox;
      server.script.set('bad', () => problem(status));
      await store(['a', 'bad'], ['a', 'next']);
      await outbox.flush();
      expect(failed.map((item) => [item.status, item.reason])).to.deep.equal([[status, `${status} title ${status}: detail ${status}`]]);
      expect(delivered).to.deep.equal(['next']);
      const left = await storedItems(storage);
      expect(left.map((item) => item.state)).to.deep.equal(['failed']);
      const sends = server.keys.length;
      await outbox.flush();
      expect(server.keys.length).to.equal(sends, 'a failed item is not sent again by itself');
      server.script.delete('bad');
      await outbox.retry(left[0]!.id);
      expect(delivered).to.deep.equal(['next', 'bad']);
      expect(await storage.list('outbox')).to.deep.equal([]);
    });
  }

  const retryable: [string, () => Response, (delay: number) => boolean][] = [
    ['408', () => problem(408), (delay) => delay <= 1000],
    ['429 with Retry-After: 3 (seconds)', () => problem(429, { 'Retry-After': '3' }), (delay) => delay == 3000],
    ['429 with Retry-After as an HTTP date', () => problem(429, { 'Retry-After': new Date(Date.now() + 5000).toUTCString() }),
      (delay) => delay > 3000 && delay <= 5000],
    ['500', () => problem(500), (delay) => delay <= 1000],
    ['502 (a proxy page, not problem+json)', () => new HttpResponse('<html>Bad gateway</html>', { status: 502, headers: { 'Content-Type': 'text/html' } }),
      (delay) => delay <= 1000],
    ['503 with Retry-After: 2', () => problem(503, { 'Retry-After': '2' }), (delay) => delay == 2000],
    ['504', () => problem(504), (delay) => delay <= 1000],
    ['a network error', () => HttpResponse.error(), (delay) => delay <= 1000],
  ];
  for (const [what, answer, delayOk] of retryable) {
    it(`${what}: the item stays queued, its lane waits, other lanes go on, one timer is set, order holds on recovery`, async () => {
      const { server, outbox, storage, delivered, failed, store } = await setup();
      current = outbox;
      let down = true;
      server.script.set('a1', () => (down ? answer() : undefined));
      await store(['a', 'a1'], ['b', 'b1'], ['a', 'a2']);
      await outbox.flush();
      expect(delivered).to.deep.equal(['b1']);
      expect(failed).to.deep.equal([]);
      expect(texts(await storedItems(storage))).to.deep.equal(['a1', 'a2']);
      expect(timers.delays).to.have.length(1, 'one timer');
      expect(delayOk(timers.delays[0]!), `delay ${timers.delays[0]}`).to.equal(true);
      down = false;
      await outbox.flush(); // What the timer would do.
      expect(delivered).to.deep.equal(['b1', 'a1', 'a2']);
      expect(await storage.list('outbox')).to.deep.equal([]);
    });
  }

  it('backs off exponentially with full jitter while failures go on, and starts over after a success', async () => {
    const { server, outbox, store } = await setup();
    current = outbox;
    let down = true;
    server.script.set('x', () => (down ? problem(503) : undefined));
    await store(['a', 'x']);
    for (let i = 0; i < 6; i++) await outbox.flush();
    const ceilings = [1000, 2000, 4000, 8000, 16000, 32000];
    timers.delays.forEach((delay, i) => expect(delay).to.be.within(0, ceilings[i]!));
    expect(timers.delays.slice(3).some((delay) => delay > 1000), 'the window grows').to.equal(true);
    down = false;
    await outbox.flush();
    await store(['a', 'y']);
    server.script.set('y', () => problem(503));
    timers.delays.length = 0;
    await outbox.flush();
    expect(timers.delays[0]).to.be.within(0, 1000);
  });

  it('starts the window over after a pass that delivered something, so scattered 503s never stretch the wait', async () => {
    const { server, outbox, delivered, store } = await setup();
    current = outbox;
    server.script.set('stuck', () => problem(503));
    await store(['a', 'stuck']);
    for (let i = 0; i < 6; i++) {
      await store(['b', `ok ${i}`]);
      await outbox.flush();
    }
    expect(delivered).to.have.length(6);
    expect(timers.delays).to.have.length(6);
    timers.delays.forEach((delay) => expect(delay).to.be.within(0, 1000));
  });

  it('a lost answer (committed, then 503) is sent again with the same Idempotency-Key and stored once', async () => {
    const { server, outbox, storage, delivered, store } = await setup();
    current = outbox;
    let lose = true;
    server.script.set('lost', () => (lose ? ((lose = false), new Response(null, { status: 299 })) : undefined));
    await store(['a', 'lost'], ['a', 'after']);
    await outbox.flush();
    expect(delivered).to.deep.equal([]);
    expect(server.stored.size).to.equal(1, 'the server committed the first send');
    await outbox.flush();
    expect(delivered).to.deep.equal(['lost', 'after']);
    expect(server.keys[0]).to.equal(server.keys[1], 'the same key both times');
    expect([...server.stored.values()].map((m) => m.text)).to.deep.equal(['lost', 'after'], 'stored once, in order');
    expect(await storage.list('outbox')).to.deep.equal([]);
  });
});
