import { expect } from 'chai';
import { http, HttpResponse } from 'msw';
import { MAX_UPLOAD_BYTES } from '../../src/api/schemas';
import { RestAdapter, retryAfterMs } from '../../src/client/RestAdapter';
import { HttpError, isHttpError, isKefuError, isRetryable, KefuError } from '../../src/client/errors';
import { useHandlers } from './msw';

const API = 'https://api.kefu.test';
const T = '2026-11-23T10:00:00.000Z';
const uuid = (n: number) => `6f1c7c1e-3b7a-4a57-9d7a-2a4f3e8b9c${String(n).padStart(2, '0')}`;
const session = (token: string) => ({ token, visitorId: 'v_1', user: null, expiresAt: '2030-01-01T00:00:00.000Z' });
const conversation = { id: 'c_1', clientId: '6f1c7c1e-3b7a-4a57-9d7a-2a4f3e8b9c10', status: 'bot', createdAt: '2026-11-23T10:00:00.000Z', updatedAt: '2026-11-23T10:00:00.000Z' };
const message = { id: 'm_1', clientId: uuid(1), conversationId: 'c_1', author: 'shopper', text: 'Hello', createdAt: T };
const money = { amount: 1999, currency: 'CNY' };
const order = {
  id: 'o_1', number: 'KF-1001', status: 'delivered', placedAt: T, total: money, shipments: [], refundableUntil: null,
  items: [{ id: 'oi_1', productId: 'p_1', name: 'Mug', quantity: 1, unitPrice: money, refundableQuantity: 1 }],
};
const ticket = {
  id: 't_1', clientId: uuid(2), kind: 'complaint', status: 'submitted', orderId: null, items: [], category: 'late',
  description: 'It is late', amount: null, attachmentIds: [], timeline: [{ status: 'submitted', at: T, actor: 'shopper' }],
  comments: [], dueAt: null, appealable: true, createdAt: T, updatedAt: T,
};
const article = { id: 'a_1', title: 'Returns', body: 'Within 7 days.', tags: ['returns'], locale: 'en', updatedAt: T };
const comment = { id: 'tc_1', clientId: uuid(3), ticketId: 't_1', author: 'shopper', text: 'Photo attached', attachmentIds: [], createdAt: T };
const rating = { id: 'r_1', clientId: uuid(4), subject: { type: 'conversation', id: 'c_1' }, score: 5, createdAt: T };
const upload = { id: 'up_1', clientId: uuid(5), name: 'receipt.png', type: 'image/png', size: 4, createdAt: T };
const png = (size = 4) => new Blob([new Uint8Array(size)], { type: 'image/png' });

interface Row {
  call: (adapter: RestAdapter) => Promise<unknown>;
  /** Method, path and query as the server sees them. */
  route: string;
  answer: unknown;
  status?: number;
  /** The Idempotency-Key a create must carry (its body's clientId). */
  key?: string;
  body?: unknown;
}

/** Every shopper call but the session, the upload and the stream: one row each. */
const rows: Row[] = [
  { call: (a) => a.listConversations(), route: 'GET /v1/conversations', answer: { conversations: [conversation] } },
  {
    call: (a) => a.createConversation({ clientId: uuid(6), context: { page: '/cart', orderId: 'o_1' } }),
    route: 'POST /v1/conversations', answer: conversation, status: 201, key: uuid(6),
    body: { clientId: uuid(6), context: { page: '/cart', orderId: 'o_1' } },
  },
  { call: (a) => a.listMessages('c_1', 'm_0'), route: 'GET /v1/conversations/c_1/messages?after=m_0', answer: { messages: [message], next: null } },
  {
    call: (a) => a.postMessage('c_1', { clientId: uuid(1), text: 'Hello' }), route: 'POST /v1/conversations/c_1/messages',
    answer: message, status: 201, key: uuid(1), body: { clientId: uuid(1), text: 'Hello' },
  },
  { call: (a) => a.handoff('c_1'), route: 'POST /v1/conversations/c_1/handoff', answer: { ...conversation, status: 'queued' }, body: {} },
  { call: (a) => a.faq('en'), route: 'GET /v1/faq?locale=en', answer: { articles: [article] } },
  {
    call: (a) => a.suggestions({ page: '/cart', orderId: 'o_1' }), route: 'GET /v1/suggestions?page=%2Fcart&orderId=o_1',
    answer: { questions: [{ id: 'q_1', text: 'Where is my parcel?', action: 'track_order' }] },
  },
  { call: (a) => a.listOrders('o_0'), route: 'GET /v1/orders?cursor=o_0', answer: { orders: [order], next: 'o_1' } },
  { call: (a) => a.getOrder('o/1'), route: 'GET /v1/orders/o%2F1', answer: order },
  { call: (a) => a.listTickets(), route: 'GET /v1/tickets', answer: { tickets: [ticket], next: null } },
  { call: (a) => a.getTicket('t_1'), route: 'GET /v1/tickets/t_1', answer: ticket },
  {
    call: (a) => a.createTicket({ clientId: uuid(2), kind: 'complaint', category: 'late', description: 'It is late' }),
    route: 'POST /v1/tickets', answer: ticket, status: 201, key: uuid(2),
    body: { clientId: uuid(2), kind: 'complaint', category: 'late', description: 'It is late' },
  },
  {
    call: (a) => a.appeal('t_1', { clientId: uuid(7), reason: 'Please look again' }), route: 'POST /v1/tickets/t_1/appeal',
    answer: { ...ticket, status: 'appealed' }, status: 201, key: uuid(7), body: { clientId: uuid(7), reason: 'Please look again' },
  },
  {
    call: (a) => a.comment('t_1', { clientId: uuid(3), text: 'Photo attached' }), route: 'POST /v1/tickets/t_1/comments',
    answer: comment, status: 201, key: uuid(3), body: { clientId: uuid(3), text: 'Photo attached' },
  },
  {
    call: (a) => a.rate({ clientId: uuid(4), subject: { type: 'conversation', id: 'c_1' }, score: 5 }), route: 'POST /v1/ratings',
    answer: rating, status: 201, key: uuid(4), body: { clientId: uuid(4), subject: { type: 'conversation', id: 'c_1' }, score: 5 },
  },
];

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

  it('sends a batch of messages with each one\'s key and turns each answer into its message or HttpError', async () => {
    let sent: unknown;
    await useHandlers(
      http.post(`${API}/v1/conversations/c_1/messages/batch`, async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json({ results: [
          { status: 201, message },
          { status: 400, problem: { type: 'about:blank', title: 'Bad Request', status: 400, errors: [{ path: 'messages.1.message.text', message: 'must not be empty' }] } },
        ] });
      }),
    );
    const adapter = new RestAdapter({ baseUrl: API, site: 'pk_demo', session: session('t1') });
    const bodies = [{ clientId: uuid(1), text: 'Hello' }, { clientId: uuid(2), text: ' ' }];
    const [first, second] = await adapter.postMessages('c_1', bodies);
    expect(sent).to.deep.equal({ messages: bodies.map((body) => ({ key: body.clientId, message: body })) });
    expect(first).to.deep.equal(message);
    expect(isHttpError(second)).to.equal(true);
    expect((second as HttpError).fieldErrors[0]?.path).to.equal('messages.1.message.text');
    // An answer with a result missing breaks the contract: nothing is taken as sent.
    await useHandlers(http.post(`${API}/v1/conversations/c_1/messages/batch`, () => HttpResponse.json({ results: [{ status: 201, message }] })));
    const broken = await adapter.postMessages('c_1', bodies).catch((e) => e);
    expect(isKefuError(broken) && broken.code).to.equal('invalid_response');
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

  it('sends every call to its method and path with the bearer token, Accept-Language and, on creates, the Idempotency-Key', async () => {
    let current = rows[0]!;
    const seen: { route: string; auth: string | null; language: string | null; key: string | null; body: unknown }[] = [];
    await useHandlers(
      http.all(`${API}/v1/*`, async ({ request }) => {
        const url = new URL(request.url);
        const text = await request.text();
        seen.push({
          route: `${request.method} ${url.pathname}${url.search}`,
          auth: request.headers.get('Authorization'),
          language: request.headers.get('Accept-Language'),
          key: request.headers.get('Idempotency-Key'),
          body: text ? JSON.parse(text) : undefined,
        });
        return HttpResponse.json(current.answer as object, { status: current.status ?? 200 });
      }),
    );
    const adapter = new RestAdapter({ baseUrl: `${API}/`, site: 'pk_demo', session: session('t1'), locale: 'zh-CN' });
    for (const row of rows) {
      current = row;
      expect(await row.call(adapter), row.route).to.deep.equal(row.answer);
    }
    expect(seen).to.deep.equal(rows.map((row) => ({
      route: row.route, auth: 'Bearer t1', language: 'zh-CN', key: row.key ?? null, body: row.body,
    })));

    adapter.locale = 'en'; // A live switch: the next request already says so.
    current = rows[0]!;
    await adapter.listConversations();
    expect(seen.at(-1)!.language).to.equal('en');
  });

  it('checks every answer against the contract', async () => {
    await useHandlers(http.all(`${API}/v1/*`, () => HttpResponse.json({ id: 3, nonsense: true })));
    const adapter = new RestAdapter({ baseUrl: API, site: 'pk_demo', session: session('t1') });
    for (const row of rows) {
      const error = await row.call(adapter).catch((e) => e);
      expect(isKefuError(error) && (error as KefuError).code, row.route).to.equal('invalid_response');
    }
  });

  it('fetches an upload as a Blob with the bearer token', async () => {
    await useHandlers(
      http.get(`${API}/v1/uploads/up_1`, ({ request }) => {
        expect(request.headers.get('Authorization')).to.equal('Bearer t1');
        return new HttpResponse(new Uint8Array([1, 2, 3]), { headers: { 'Content-Type': 'image/png' } });
      }),
    );
    const adapter = new RestAdapter({ baseUrl: API, site: 'pk_demo', session: session('t1') });
    const blob = await adapter.fetchUpload('up_1');
    expect(blob.type).to.equal('image/png');
    expect([...new Uint8Array(await blob.arrayBuffer())]).to.deep.equal([1, 2, 3]);
  });

  it('revalidates the FAQ with its ETag: a 304 answers the cached articles, per locale', async () => {
    const asked: { locale: string | null; ifNoneMatch: string | null }[] = [];
    await useHandlers(
      http.get(`${API}/v1/faq`, ({ request }) => {
        const locale = new URL(request.url).searchParams.get('locale');
        const ifNoneMatch = request.headers.get('If-None-Match');
        asked.push({ locale, ifNoneMatch });
        const etag = `"v1-${locale}"`;
        if (ifNoneMatch === etag) return new HttpResponse(null, { status: 304, headers: { ETag: etag } });
        return HttpResponse.json({ articles: [{ ...article, locale }] }, { headers: { ETag: etag } });
      }),
    );
    const adapter = new RestAdapter({ baseUrl: API, site: 'pk_demo', session: session('t1') });
    const first = await adapter.faq('en');
    const second = await adapter.faq('en');
    const chinese = await adapter.faq('zh-CN');
    expect(first.articles).to.deep.equal([article]);
    expect(second).to.equal(first); // The very same object: unchanged, so nothing to re-index.
    expect(chinese.articles[0]!.locale).to.equal('zh-CN');
    expect(asked).to.deep.equal([
      { locale: 'en', ifNoneMatch: null },
      { locale: 'en', ifNoneMatch: '"v1-en"' },
      { locale: 'zh-CN', ifNoneMatch: null },
    ]);
  });

  it('renews exactly once when several requests meet a 401 together', async () => {
    let renewals = 0;
    const unauthorized = () => HttpResponse.json({ type: 'about:blank', title: 'Unauthorized', status: 401 }, { status: 401 });
    const fresh = (request: Request) => request.headers.get('Authorization') === 'Bearer new';
    await useHandlers(
      http.post(`${API}/v1/sessions`, () => {
        renewals++;
        return HttpResponse.json(session('new'), { status: 201 });
      }),
      http.get(`${API}/v1/conversations`, ({ request }) => (fresh(request) ? HttpResponse.json({ conversations: [] }) : unauthorized())),
      http.get(`${API}/v1/tickets`, ({ request }) => (fresh(request) ? HttpResponse.json({ tickets: [] }) : unauthorized())),
      http.get(`${API}/v1/orders`, ({ request }) => (fresh(request) ? HttpResponse.json({ orders: [] }) : unauthorized())),
    );
    const adapter = new RestAdapter({ baseUrl: API, site: 'pk_demo', session: session('old') });
    const answers = await Promise.all([adapter.listConversations(), adapter.listTickets(), adapter.listOrders()]);
    expect(answers).to.deep.equal([{ conversations: [] }, { tickets: [] }, { orders: [] }]);
    expect(renewals).to.equal(1);
    expect(adapter.session?.token).to.equal('new');
  });

  describe('upload', () => {
    it('posts multipart/form-data with the token, language and Idempotency-Key, reporting progress', async () => {
      const seen: Record<string, unknown>[] = [];
      await useHandlers(
        http.post(`${API}/v1/uploads`, async ({ request }) => {
          const form = await request.formData();
          const file = form.get('file') as File;
          seen.push({
            auth: request.headers.get('Authorization'),
            language: request.headers.get('Accept-Language'),
            key: request.headers.get('Idempotency-Key'),
            type: request.headers.get('Content-Type')?.split(';')[0],
            fields: [...form.keys()],
            name: form.get('name'),
            size: file.size,
          });
          return HttpResponse.json({ ...upload, size: file.size }, { status: 201 });
        }),
      );
      const adapter = new RestAdapter({ baseUrl: API, site: 'pk_demo', session: session('t1'), locale: 'en' });
      const progress: number[] = [];
      const size = 256 * 1024;
      // A page under a service worker (msw's, here) gets no upload progress from Chromium, so the
      // events a browser fires while the body goes out are dispatched on the real XHR's upload target.
      const send = XMLHttpRequest.prototype.send;
      XMLHttpRequest.prototype.send = function (this: XMLHttpRequest, body) {
        for (const loaded of [0, 1000, 2000]) {
          this.upload.dispatchEvent(new ProgressEvent('progress', { lengthComputable: true, loaded, total: 4000 }));
        }
        return send.call(this, body);
      };
      const created = await adapter.upload(png(size), {
        clientId: upload.clientId, name: 'receipt.png', onProgress: (fraction) => progress.push(fraction),
      }).finally(() => (XMLHttpRequest.prototype.send = send));
      expect(created).to.deep.equal({ ...upload, size });
      expect(seen).to.deep.equal([{
        auth: 'Bearer t1', language: 'en', key: upload.clientId, type: 'multipart/form-data', fields: ['file', 'name'],
        name: 'receipt.png', size,
      }]);
      expect(progress).to.deep.equal([0, 0.25, 0.5, 1]); // 1 once the server has it, whatever the browser reported.
    });

    it('cancels through its AbortSignal: the request is aborted and the call rejects', async () => {
      let arrived!: () => void;
      const reached = new Promise<void>((resolve) => (arrived = resolve));
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await useHandlers(
        http.post(`${API}/v1/uploads`, async () => {
          arrived();
          await held;
          return HttpResponse.json(upload, { status: 201 });
        }),
      );
      const abort = XMLHttpRequest.prototype.abort;
      let aborts = 0;
      XMLHttpRequest.prototype.abort = function (this: XMLHttpRequest) {
        aborts++;
        return abort.call(this);
      };
      try {
        const adapter = new RestAdapter({ baseUrl: API, site: 'pk_demo', session: session('t1') });
        const controller = new AbortController();
        const pending = adapter.upload(png(), { clientId: upload.clientId, signal: controller.signal });
        await reached;
        controller.abort();
        const error = await pending.catch((e) => e);
        expect(isKefuError(error) && (error as KefuError).code).to.equal('aborted');
        expect(isRetryable(error)).to.equal(false);
        expect(aborts).to.equal(1);
        // Already aborted: nothing is sent at all.
        const again = await adapter.upload(png(), { clientId: upload.clientId, signal: controller.signal }).catch((e) => e);
        expect((again as KefuError).code).to.equal('aborted');
      } finally {
        XMLHttpRequest.prototype.abort = abort;
        release();
      }
    });

    it('refuses a wrong type or an oversized file before sending anything', async () => {
      let requests = 0;
      await useHandlers(http.post(`${API}/v1/uploads`, () => {
        requests++;
        return HttpResponse.json(upload, { status: 201 });
      }));
      const adapter = new RestAdapter({ baseUrl: API, site: 'pk_demo', session: session('t1') });
      const html = await adapter.upload(new Blob(['<p>'], { type: 'text/html' }), { clientId: uuid(8) }).catch((e) => e);
      expect((html as KefuError).code).to.equal('file_type');
      const big = await adapter.upload(png(MAX_UPLOAD_BYTES + 1), { clientId: uuid(8) }).catch((e) => e);
      expect((big as KefuError).code).to.equal('file_too_large');
      expect(isKefuError(big)).to.equal(true);
      expect(requests).to.equal(0);
    });

    it('renews the session on 401 and reports a refusal as an HttpError', async () => {
      const tokens: (string | null)[] = [];
      await useHandlers(
        http.post(`${API}/v1/sessions`, () => HttpResponse.json(session('new'), { status: 201 })),
        http.post(`${API}/v1/uploads`, ({ request }) => {
          tokens.push(request.headers.get('Authorization'));
          if (request.headers.get('Authorization') !== 'Bearer new') {
            return HttpResponse.json({ type: 'about:blank', title: 'Unauthorized', status: 401 }, { status: 401 });
          }
          return HttpResponse.json(
            { type: 'about:blank', title: 'Unsupported Media Type', status: 415, detail: 'Not a PNG inside' },
            { status: 415, headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '2' } },
          );
        }),
      );
      const adapter = new RestAdapter({ baseUrl: API, site: 'pk_demo', session: session('old') });
      const error = await adapter.upload(png(), { clientId: uuid(9) }).catch((e) => e);
      expect(tokens).to.deep.equal(['Bearer old', 'Bearer new']);
      expect(isHttpError(error)).to.equal(true);
      expect((error as HttpError).status).to.equal(415);
      expect((error as HttpError).problem.detail).to.equal('Not a PNG inside');
      expect((error as HttpError).retryAfterMs).to.equal(2000);
    });
  });
});
