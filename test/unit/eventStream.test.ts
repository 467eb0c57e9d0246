import { expect } from 'chai';
import { http, HttpResponse } from 'msw';
import type { ServerEvent } from '../../src/api/schemas';
import type { StreamState } from '../../src/client/BackendAdapter';
import { RestAdapter } from '../../src/client/RestAdapter';
import { useHandlers } from './msw';

const API = 'https://api.kefu.test';
const LONG_AGO = '2026-01-01T00:00:00.000Z';
const session = { token: 't', visitorId: 'v_1', user: null, expiresAt: '2030-01-01T00:00:00.000Z' };
const conversation = { id: 'c_1', clientId: 'c', status: 'agent', createdAt: LONG_AGO, updatedAt: LONG_AGO };
const earlier = { id: 'm_1', clientId: null, conversationId: 'c_1', author: 'bot', text: 'Earlier', createdAt: LONG_AGO };
const ticket = {
  id: 't_1', clientId: 'k', kind: 'complaint', status: 'submitted', orderId: null, items: [], category: 'late',
  description: 'Late', amount: null, attachmentIds: [], timeline: [{ status: 'submitted', at: LONG_AGO, actor: 'shopper' }],
  comments: [], dueAt: null, appealable: true, createdAt: LONG_AGO, updatedAt: LONG_AGO,
};
const sse = (...events: [id: string, data: unknown][]) =>
  new HttpResponse(`retry: 10\n\n${events.map(([id, data]) => `id: ${id}\ndata: ${JSON.stringify(data)}\n\n`).join('')}`, {
    headers: { 'Content-Type': 'text/event-stream' },
  });

/** `until(check)` resolves once `check()` holds, re-checked at every `poke()` from handlers and callbacks: no sleeps. */
function watch() {
  const checks = new Set<() => void>();
  return {
    poke: () => checks.forEach((check) => check()),
    until: (check: () => boolean) =>
      new Promise<void>((resolve) => {
        const test = () => {
          if (!check()) return;
          checks.delete(test);
          resolve();
        };
        checks.add(test);
        test();
      }),
  };
}

/** Subscribes through a RestAdapter with a fast polling fallback, recording events and states. */
function subscribe(poke: () => void) {
  const adapter = new RestAdapter({ baseUrl: API, site: 'pk_demo', session, locale: 'zh-CN' });
  const events: [ServerEvent, string][] = [];
  const states: StreamState[] = [];
  const close = adapter.subscribe(
    (event, id) => {
      events.push([event, id]);
      poke();
    },
    { pollMs: 1, onState: (state) => (states.push(state), poke()) },
  );
  return { events, states, close };
}

describe('event stream', () => {
  it('polls when /v1/events answers 404, delivering a new message once and not the history', async () => {
    const { poke, until } = watch();
    const fresh = { ...earlier, id: 'm_2', author: 'agent', text: 'An agent answers', createdAt: new Date().toISOString() };
    const afters: (string | null)[] = [];
    let streams = 0;
    await useHandlers(
      http.get(`${API}/v1/events`, () => {
        streams++;
        return new HttpResponse('Not Found', { status: 404 });
      }),
      http.get(`${API}/v1/conversations`, () => HttpResponse.json({ conversations: [conversation] })),
      // This server ignores the cursor, so every round answers both messages again.
      http.get(`${API}/v1/conversations/c_1/messages`, ({ request }) => {
        afters.push(new URL(request.url).searchParams.get('after'));
        poke();
        return HttpResponse.json({ messages: [earlier, fresh], next: null });
      }),
      http.get(`${API}/v1/tickets`, () => HttpResponse.json({ tickets: [] })),
    );
    const { events, states, close } = subscribe(poke);
    await until(() => afters.length >= 3);
    close();
    expect(events).to.deep.equal([[{ type: 'message', message: fresh }, '']]);
    expect(states).to.deep.equal(['connecting', 'polling']);
    expect(afters.slice(0, 3)).to.deep.equal([null, 'm_2', 'm_2']);
    expect(streams).to.equal(1);
  });

  it('polls when a proxy answers /v1/events with an HTML page, delivering a changed ticket once', async () => {
    const { poke, until } = watch();
    const moved = {
      ...ticket, status: 'acknowledged', updatedAt: new Date().toISOString(),
      timeline: [...ticket.timeline, { status: 'acknowledged', at: new Date().toISOString(), actor: 'agent' }],
    };
    let rounds = 0;
    await useHandlers(
      http.get(`${API}/v1/events`, () => new HttpResponse('<html>Sign in to the hotel Wi-Fi</html>', { headers: { 'Content-Type': 'text/html' } })),
      http.get(`${API}/v1/conversations`, () => HttpResponse.json({ conversations: [] })),
      http.get(`${API}/v1/tickets`, () => {
        rounds++;
        poke();
        return HttpResponse.json({ tickets: [rounds === 1 ? ticket : moved] });
      }),
    );
    const { events, states, close } = subscribe(poke);
    await until(() => rounds >= 4);
    close();
    expect(events).to.deep.equal([[{ type: 'ticket', ticket: moved }, '']]);
    expect(states).to.deep.equal(['connecting', 'polling']);
  });

  it('falls back to polling after repeated failures to open, sending the token and language each time', async () => {
    const { poke, until } = watch();
    const seen: [string | null, string | null, string | null][] = [];
    await useHandlers(
      http.get(`${API}/v1/events`, ({ request }) => {
        seen.push([request.headers.get('Authorization'), request.headers.get('Accept-Language'), request.headers.get('Accept')]);
        return new HttpResponse(null, { status: 502 });
      }),
      http.get(`${API}/v1/conversations`, () => HttpResponse.json({ conversations: [] })),
      http.get(`${API}/v1/tickets`, () => HttpResponse.json({ tickets: [] })),
    );
    const { states, close } = subscribe(poke);
    await until(() => states.includes('polling'));
    close();
    expect(states).to.deep.equal(['connecting', 'closed', 'connecting', 'closed', 'connecting', 'polling']);
    expect(seen).to.deep.equal(Array(3).fill(['Bearer t', 'zh-CN', 'text/event-stream']));
  });

  it('tries SSE again while polling and leaves polling once it opens, without repeating what polling delivered', async () => {
    const { poke, until } = watch();
    const polled = { ...earlier, id: 'm_2', text: 'Polled', createdAt: new Date().toISOString() };
    const streamed = { ...earlier, id: 'm_3', text: 'Streamed', createdAt: new Date().toISOString() };
    let streams = 0;
    await useHandlers(
      http.get(`${API}/v1/events`, () => {
        streams++;
        // Blocked at first; later the stream works and replays the polled message before a new one.
        return streams === 1
          ? new HttpResponse(null, { status: 405 })
          : sse(['7', { type: 'message', message: polled }], ['8', { type: 'message', message: streamed }]);
      }),
      http.get(`${API}/v1/conversations`, () => HttpResponse.json({ conversations: [conversation] })),
      http.get(`${API}/v1/conversations/c_1/messages`, () => HttpResponse.json({ messages: [earlier, polled] })),
      http.get(`${API}/v1/tickets`, () => HttpResponse.json({ tickets: [] })),
    );
    const { events, states, close } = subscribe(poke);
    await until(() => events.length >= 2);
    close();
    expect(events).to.deep.equal([[{ type: 'message', message: polled }, ''], [{ type: 'message', message: streamed }, '8']]);
    expect(states.slice(0, 3)).to.deep.equal(['connecting', 'polling', 'open']);
  });

  it('resumes after the last event id on reconnect', async () => {
    const { poke, until } = watch();
    const lastIds: (string | null)[] = [];
    await useHandlers(
      http.get(`${API}/v1/events`, ({ request }) => {
        lastIds.push(request.headers.get('Last-Event-ID'));
        const n = lastIds.length;
        // Each connection sends one event, then ends as a dropped connection would.
        return sse([`${n * 10}`, { type: 'message', message: { ...earlier, id: `m_${n}`, createdAt: new Date().toISOString() } }]);
      }),
    );
    const { events, close } = subscribe(poke);
    await until(() => events.length >= 3);
    close();
    expect(lastIds.slice(0, 3)).to.deep.equal([null, '10', '20']);
    expect(events.map(([, id]) => id)).to.deep.equal(['10', '20', '30']);
  });
});
