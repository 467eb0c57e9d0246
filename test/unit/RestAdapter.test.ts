import { expect } from 'chai';
import { http, HttpResponse } from 'msw';
import { RestAdapter, retryAfterMs } from '../../src/client/RestAdapter';
import { HttpError, isHttpError, isKefuError, isRetryable, KefuError } from '../../src/client/errors';
import { useHandlers } from './msw';

const API = 'https://api.kefu.test';
const session = (token: string) => ({ token, visitorId: 'v_1', user: null, expiresAt: '2030-01-01T00:00:00.000Z' });
const conversation = { id: 'c_1', clientId: '6f1c7c1e-3b7a-4a57-9d7a-2a4f3e8b9c10', status: 'bot', createdAt: '2026-11-23T10:00:00.000Z', updatedAt: '2026-11-23T10:00:00.000Z' };

describe('RestAdapter', () => {
  it('opens a session and sends its bearer token and an Idempotency-Key on creates', async () => {
    const seen: { auth: string | null; key: string | null; body: unknown }[] = [];
    await useHandlers(
      http.post(`${API}/v1/sessions`, () => HttpResponse.json(session('t1'), { status: 201 })),
      http.post(`${API}/v1/conversations`, async ({ request }) => {
        seen.push({ auth: request.headers.get('Authorization'), key: request.headers.get('Idempotency-Key'), body: await request.json() });
        return HttpResponse.json(conversation, { status: 201 });
      }),
    );
    const saved: string[] = [];
    const adapter = new RestAdapter({ baseUrl: API, site: 'pk_demo', onSession: (s) => saved.push(s.token) });
    await adapter.startSession({ site: 'pk_demo' });
    const created = await adapter.createConversation({ clientId: conversation.clientId });
    expect(created.id).to.equal('c_1');
    expect(saved).to.deep.equal(['t1']);
    expect(seen).to.deep.equal([{ auth: 'Bearer t1', key: conversation.clientId, body: { clientId: conversation.clientId } }]);
  });

  it('turns problem+json into an HttpError with field paths', async () => {
    await useHandlers(
      http.post(`${API}/v1/conversations/c_1/messages`, () =>
        HttpResponse.json(
          { type: 'about:blank', title: 'Bad Request', status: 400, errors: [{ path: 'text', message: 'must not be empty' }] },
          { status: 400, headers: { 'Content-Type': 'application/problem+json' } },
        )),
    );
    const adapter = new RestAdapter({ baseUrl: API, site: 'pk_demo', session: session('t1') });
    const error = await adapter.postMessage('c_1', { clientId: conversation.clientId, text: 'x' }).catch((e) => e);
    expect(isHttpError(error)).to.equal(true);
    expect((error as HttpError).status).to.equal(400);
    expect((error as HttpError).fieldErrors).to.deep.equal([{ path: 'text', message: 'must not be empty' }]);
    expect(isRetryable(error)).to.equal(false);
  });

  it('renews the session once on 401 and repeats the request with the new token', async () => {
    let renewals = 0;
    const tokens: (string | null)[] = [];
    await useHandlers(
      http.post(`${API}/v1/sessions`, ({ request }) => {
        renewals++;
        expect(request.headers.get('Authorization')).to.equal('Bearer old');
        return HttpResponse.json(session('new'), { status: 201 });
      }),
      http.get(`${API}/v1/conversations`, ({ request }) => {
        tokens.push(request.headers.get('Authorization'));
        return request.headers.get('Authorization') === 'Bearer new'
          ? HttpResponse.json({ conversations: [conversation] })
          : HttpResponse.json({ type: 'about:blank', title: 'Unauthorized', status: 401 }, { status: 401 });
      }),
    );
    const adapter = new RestAdapter({ baseUrl: API, site: 'pk_demo', session: session('old') });
    const list = await adapter.listConversations();
    expect(list.conversations).to.have.length(1);
    expect(renewals).to.equal(1);
    expect(tokens).to.deep.equal(['Bearer old', 'Bearer new']);
  });

  it('rejects a response that breaks the contract instead of passing it on', async () => {
    await useHandlers(http.get(`${API}/v1/conversations`, () => HttpResponse.json({ conversations: [{ id: 3 }] })));
    const adapter = new RestAdapter({ baseUrl: API, site: 'pk_demo', session: session('t') });
    const error = await adapter.listConversations().catch((e) => e);
    expect(isKefuError(error) && (error as KefuError).code).to.equal('invalid_response');
  });

  it('reports an unreachable server as a retryable network error', async () => {
    await useHandlers(http.post(`${API}/v1/conversations`, () => HttpResponse.error()));
    const adapter = new RestAdapter({ baseUrl: API, site: 'pk_demo', session: session('t') });
    const error = await adapter.createConversation({ clientId: conversation.clientId }).catch((e) => e);
    expect((error as KefuError).code).to.equal('network');
    expect(isRetryable(error)).to.equal(true);
  });

  it('classifies statuses: 408, 429 and 5xx retry; other 4xx do not; Retry-After is read', async () => {
    const problem = (status: number) => new HttpError(status, { type: 'about:blank', title: 't', status });
    expect([408, 429, 500, 503].map((s) => isRetryable(problem(s)))).to.deep.equal([true, true, true, true]);
    expect([400, 401, 404, 409, 413, 422].map((s) => isRetryable(problem(s)))).to.deep.equal([false, false, false, false, false, false]);
    expect(retryAfterMs('3')).to.equal(3000);
    expect(retryAfterMs(null)).to.equal(undefined);
    const date = new Date(Date.now() + 10_000).toUTCString();
    expect(retryAfterMs(date)).to.be.within(8_000, 10_000);
  });

  it('streams events with the bearer token and resumes after the last event id', async () => {
    const lastIds: (string | null)[] = [];
    let connections = 0;
    await useHandlers(
      http.get(`${API}/v1/events`, ({ request }) => {
        connections++;
        lastIds.push(request.headers.get('Last-Event-ID'));
        expect(request.headers.get('Authorization')).to.equal('Bearer t');
        const message = { id: `m${connections}`, clientId: null, conversationId: 'c_1', author: 'bot', text: `hi ${connections}`, createdAt: '2026-11-23T10:00:00.000Z' };
        // The first connection sends one event then ends, as a dropped connection would.
        return new HttpResponse(`retry: 10\n\nid: ${connections * 10}\ndata: ${JSON.stringify({ type: 'message', message })}\n\n`, {
          headers: { 'Content-Type': 'text/event-stream' },
        });
      }),
    );
    const adapter = new RestAdapter({ baseUrl: API, site: 'pk_demo', session: session('t') });
    const texts: string[] = [];
    await new Promise<void>((done) => {
      const close = adapter.subscribe((event) => {
        if (event.type === 'message') texts.push(event.message.text);
        if (texts.length === 2) {
          close();
          done();
        }
      });
    });
    expect(texts).to.deep.equal(['hi 1', 'hi 2']);
    expect(lastIds.slice(0, 2)).to.deep.equal([null, '10']);
  });
});
