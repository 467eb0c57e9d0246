/**
 * Drift between the code and the contract: the routes the app registers against the contract table,
 * the served OpenAPI document against the table, and real answers against both the table's valibot
 * schemas and the document's JSON Schemas. Any divergence fails here.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as v from 'valibot';
import { contract, endpointKey, errorStatuses, type Endpoint } from '../../demo/server/contract';
import { openapiDocument, type OpenApiDocument } from '../../demo/server/openapi';
import { AGENT_TOKEN, agentCreate, client, engines, startServer, warnIfPgliteOnly, type TestServer } from './harness';

warnIfPgliteOnly();

type Json = Record<string, any>;

/** `:id`, `:ticketId`, `:id{[a-z_]+}` all read as one parameter: names are the implementer's choice. */
const shape = (key: string) => key.replace(/:[A-Za-z0-9_]+(\{[^}]*\})?/g, ':param').replace(/(.)\/$/, '$1');
const openapiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

/** The JSON Pointer `ref` (`#/a/b~1c`) inside `doc`, or undefined. */
function resolvePointer(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof node !== 'object' || node === null || !(key in node)) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

/** Follows OpenAPI `$ref`s (responses, parameters) until a real object. */
function deref(doc: Json, node: Json): Json {
  let current = node;
  for (let hops = 0; current?.$ref && hops < 10; hops++) current = resolvePointer(doc, current.$ref) as Json;
  return current;
}

function* refsIn(node: unknown, at = '#'): Generator<{ ref: string; at: string }> {
  if (Array.isArray(node)) {
    for (const [index, item] of node.entries()) yield* refsIn(item, `${at}/${index}`);
  } else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') yield { ref: value, at };
      else yield* refsIn(value, `${at}/${key}`);
    }
  }
}

const registered = (server: TestServer) =>
  new Set(
    server.app.routes
      // Middleware (`use`) entries are `ALL`; static files and the demo signer live outside /v1.
      .filter((route) => route.method !== 'ALL' && route.path.startsWith('/v1/'))
      .map((route) => shape(`${route.method} ${route.path}`)),
  );

describe('the contract table and the OpenAPI document', () => {
  test('every schema converts to JSON Schema exactly, apart from the documented approximations', () => {
    assert.doesNotThrow(() => openapiDocument({ errorMode: 'throw' }));
  });

  test('the table has one row per method and path, and every documented error status has a problem response', () => {
    const keys = contract.map(endpointKey);
    assert.deepEqual(keys.filter((key, index) => keys.indexOf(key) !== index), [], 'duplicate rows');
    const document = openapiDocument() as Json;
    for (const endpoint of contract) {
      for (const status of errorStatuses(endpoint)) {
        const response = deref(document, document.paths[openapiPath(endpoint.path)][endpoint.method.toLowerCase()].responses[status]);
        assert.ok(response?.content?.['application/problem+json'], `${endpointKey(endpoint)} ${status}`);
      }
    }
  });

  test('the document is valid OpenAPI 3.1 and every $ref in it resolves', async () => {
    const document = openapiDocument() as Json;
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    assert.equal(validator.version, '3.1');
    const dangling = [...refsIn(document)].filter(({ ref }) => resolvePointer(document, ref) === undefined);
    assert.deepEqual(dangling, [], 'unresolved $refs');
  });

  test('every row of the table is one operation of the document, with its path parameters, auth and Idempotency-Key', () => {
    const document = openapiDocument() as Json;
    const documented = Object.entries(document.paths as Record<string, Json>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    assert.deepEqual(documented.sort(), contract.map((e) => `${e.method} ${openapiPath(e.path)}`).sort());
    const ids = new Set<string>();
    for (const endpoint of contract) {
      const operation = document.paths[openapiPath(endpoint.path)][endpoint.method.toLowerCase()];
      assert.ok(!ids.has(operation.operationId), `operationId ${operation.operationId} is unique`);
      ids.add(operation.operationId);
      const parameters = (operation.parameters ?? []).map((p: Json) => deref(document, p));
      for (const name of endpoint.path.match(/:([A-Za-z]+)/g) ?? []) {
        assert.ok(parameters.some((p: Json) => p.in === 'path' && p.name === name.slice(1) && p.required), `${endpointKey(endpoint)} declares ${name}`);
      }
      const key = parameters.find((p: Json) => p.in === 'header' && p.name === 'Idempotency-Key');
      assert.equal(Boolean(key?.required), endpoint.idempotent, `${endpointKey(endpoint)} Idempotency-Key`);
      const schemes = (operation.security as Json[]).flatMap((s) => Object.keys(s));
      if (endpoint.auth === 'shopper') assert.deepEqual(schemes, ['shopperSession']);
      if (endpoint.auth === 'agent') assert.deepEqual(schemes, ['agentToken']);
      if (endpoint.success.kind === 'sse') {
        assert.ok(operation.responses['200'].content['text/event-stream'], `${endpointKey(endpoint)} is text/event-stream`);
      }
    }
  });
});

// Registration does not depend on the engine; one server answers it.
describe('routes the app registers', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer(engines[0]!);
  });
  after(() => server.close());

  test('every /v1 route the app registers is a row of the contract table', () => {
    const table = new Set(contract.map((endpoint) => shape(endpointKey(endpoint))));
    const unlisted = [...registered(server)].filter((key) => !table.has(key));
    assert.deepEqual(unlisted, [], 'registered but not in demo/server/contract.ts');
  });

  test('every row of the contract table is registered by the app', () => {
    const routes = registered(server);
    const missing = contract.map(endpointKey).filter((key) => !routes.has(shape(key)));
    assert.deepEqual(missing, [], 'in demo/server/contract.ts but not served');
  });
});

for (const engine of engines) {
  describe(`real answers match the contract on ${engine.name}`, () => {
    let server: TestServer;
    let served: OpenApiDocument & Json;
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    const DOC_ID = 'https://kefu.invalid/openapi.json';

    before(async () => {
      server = await startServer(engine);
      const answer = await fetch(`${server.base}/v1/openapi.json`);
      served = await answer.json();
      ajv.addSchema({ ...served, $id: DOC_ID });
    });
    after(() => server.close());

    const row = (method: Endpoint['method'], path: string) => {
      const endpoint = contract.find((e) => e.method === method && e.path === path);
      assert.ok(endpoint, `${method} ${path} is in the table`);
      return endpoint;
    };

    /** The document's JSON Schema at a pointer, compiled once. */
    const docSchema = (pointer: string) =>
      ajv.getSchema(`${DOC_ID}${pointer}`) ?? ajv.compile({ $ref: `${DOC_ID}${pointer}` });
    const escape = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

    /** Checks one real answer against its row's status and schema and against the served document. */
    function conforms(endpoint: Endpoint, answer: { status: number; headers: Headers; body: unknown }) {
      const what = `${endpointKey(endpoint)} → ${answer.status}`;
      const operationPointer = `#/paths/${escape(openapiPath(endpoint.path))}/${endpoint.method.toLowerCase()}`;
      const operation = resolvePointer(served, operationPointer) as Json;
      assert.ok(operation, `${what}: documented`);
      if (answer.status === endpoint.success.status && endpoint.success.kind === 'empty') {
        assert.equal(answer.body, null, `${what}: no body`);
        assert.ok(operation.responses['204'], `${what}: documented`);
        return;
      }
      if (answer.status === endpoint.success.status && endpoint.success.kind === 'binary') {
        const type = answer.headers.get('content-type') ?? '';
        assert.ok(endpoint.success.types.includes(type), `${what}: ${type} is a documented type`);
        assert.ok(operation.responses['200'].content[type], `${what}: ${type} documented`);
        return;
      }
      if (answer.status === endpoint.success.status) {
        assert.equal(endpoint.success.kind, 'json');
        assert.match(answer.headers.get('content-type') ?? '', /^application\/json/, what);
        if (endpoint.success.kind === 'json' && endpoint.success.schema) {
          const parsed = v.safeParse(endpoint.success.schema, answer.body);
          assert.ok(parsed.success, `${what}: table schema: ${JSON.stringify(parsed.issues?.map((i) => [i.path?.map((p) => p.key).join('.'), i.message]))}`);
        }
        const validate = docSchema(`${operationPointer}/responses/${answer.status}/content/${escape('application/json')}/schema`);
        assert.ok(validate(answer.body), `${what}: document schema: ${ajv.errorsText(validate.errors)}`);
        return;
      }
      assert.ok(operation.responses[String(answer.status)], `${what}: this status is documented (${JSON.stringify(answer.body)})`);
      assert.equal(answer.headers.get('content-type'), 'application/problem+json', what);
      const response = deref(served, operation.responses[String(answer.status)]);
      assert.ok(response.content?.['application/problem+json'], `${what}: documented as problem+json`);
      const validate = docSchema('#/components/schemas/Problem');
      assert.ok(validate(answer.body), `${what}: Problem: ${ajv.errorsText(validate.errors)}`);
    }

    /** Checks a body we send against the document's request schema, so the document accepts real clients. */
    function acceptedBody(endpoint: Endpoint, body: unknown) {
      const pointer = `#/paths/${escape(openapiPath(endpoint.path))}/${endpoint.method.toLowerCase()}/requestBody/content/${escape('application/json')}/schema`;
      const validate = docSchema(pointer);
      assert.ok(validate(body), `${endpointKey(endpoint)} request: ${ajv.errorsText(validate.errors)}`);
    }

    test('GET /v1/openapi.json is the generated document: public, cacheable, CORS-open, revalidated by ETag', async () => {
      assert.deepEqual(served, JSON.parse(JSON.stringify(openapiDocument())));
      const answer = await fetch(`${server.base}/v1/openapi.json`, { headers: { Origin: 'https://somewhere-else.example' } });
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(answer.headers.get('access-control-allow-origin'), '*');
      assert.match(answer.headers.get('cache-control') ?? '', /public/);
      const etag = answer.headers.get('etag');
      assert.ok(etag);
      await answer.arrayBuffer();
      const again = await fetch(`${server.base}/v1/openapi.json`, { headers: { 'If-None-Match': etag } });
      assert.equal(again.status, 304);
      assert.equal(again.headers.get('access-control-allow-origin'), '*');
    });

    test('session → conversation → message → list answer what the table and the document say', async () => {
      const api = client(server.base);
      const sessionRequest = { site: 'pk_demo' };
      acceptedBody(row('POST', '/v1/sessions'), sessionRequest);
      const session = await api.call('POST', '/v1/sessions', sessionRequest);
      assert.equal(session.status, 201);
      conforms(row('POST', '/v1/sessions'), session);
      api.token = session.body.token;

      const conversationRequest = { clientId: randomUUID(), context: { page: '/products/tea', device: 'desktop' as const } };
      acceptedBody(row('POST', '/v1/conversations'), conversationRequest);
      const conversation = await api.call('POST', '/v1/conversations', conversationRequest, { 'Idempotency-Key': conversationRequest.clientId });
      assert.equal(conversation.status, 201);
      conforms(row('POST', '/v1/conversations'), conversation);

      const messages = `/v1/conversations/${conversation.body.id}/messages`;
      const messageRequest = { clientId: randomUUID(), text: 'Where is my parcel?' };
      acceptedBody(row('POST', '/v1/conversations/:id/messages'), messageRequest);
      const message = await api.call('POST', messages, messageRequest, { 'Idempotency-Key': messageRequest.clientId });
      assert.equal(message.status, 201);
      conforms(row('POST', '/v1/conversations/:id/messages'), message);

      const list = await api.call('GET', messages);
      assert.equal(list.status, 200);
      conforms(row('GET', '/v1/conversations/:id/messages'), list);
      assert.deepEqual(list.body.messages.map((m: { author: string }) => m.author), ['shopper', 'bot']);

      const key = randomUUID();
      const batchRequest = { messages: [{ key, message: { clientId: key, text: 'And my refund?' } }, { key: randomUUID(), message: { clientId: 'x', text: 'bad' } }] };
      acceptedBody(row('POST', '/v1/conversations/:id/messages/batch'), { messages: batchRequest.messages.slice(0, 1) });
      const batch = await api.call('POST', `${messages}/batch`, batchRequest);
      assert.equal(batch.status, 200);
      conforms(row('POST', '/v1/conversations/:id/messages/batch'), batch);
      assert.deepEqual(batch.body.results.map((r: { status: number }) => r.status), [201, 400]);

      const conversations = await api.call('GET', '/v1/conversations');
      assert.equal(conversations.status, 200);
      conforms(row('GET', '/v1/conversations'), conversations);

      const handoff = await api.call('POST', `/v1/conversations/${conversation.body.id}/handoff`, { reason: 'a person, please' });
      assert.equal(handoff.status, 200);
      conforms(row('POST', '/v1/conversations/:id/handoff'), handoff);
    });

    test("a signed-in shopper's help, orders, tickets, ratings and uploads answer what the table says", async (t) => {
      const api = client(server.base);
      const signer = await api.call('GET', '/demo/token?user=alice');
      assert.equal(signer.status, 200);
      await api.session({ userToken: signer.body.userToken });

      const faq = await api.call('GET', '/v1/faq?locale=en');
      conforms(row('GET', '/v1/faq'), faq);
      assert.equal(faq.status, 200);
      const cached = await api.call('GET', '/v1/faq?locale=en', undefined, { 'If-None-Match': faq.headers.get('etag') ?? '' });
      assert.equal(cached.status, 304, 'the documented 304');
      const badLocale = await api.call('GET', '/v1/faq?locale=fr');
      conforms(row('GET', '/v1/faq'), badLocale);

      const suggestions = await api.call('GET', '/v1/suggestions?page=/orders');
      assert.equal(suggestions.status, 200);
      conforms(row('GET', '/v1/suggestions'), suggestions);

      const orders = await api.call('GET', '/v1/orders?limit=5');
      assert.equal(orders.status, 200);
      conforms(row('GET', '/v1/orders'), orders);
      if (orders.body.orders.length) {
        const order = await api.call('GET', `/v1/orders/${orders.body.orders[0].id}`);
        assert.equal(order.status, 200);
        conforms(row('GET', '/v1/orders/:id'), order);
      } else {
        t.diagnostic('the demo seeds no orders for alice yet: GET /v1/orders/:id is checked on its 404 only');
      }
      conforms(row('GET', '/v1/orders/:id'), await api.call('GET', '/v1/orders/o_nobody'));

      const png = Uint8Array.from(Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'));
      const form = new FormData();
      form.set('file', new Blob([png], { type: 'image/png' }), 'evidence.png');
      const uploadKey = randomUUID();
      const uploaded = await fetch(`${server.base}/v1/uploads`, {
        method: 'POST', body: form, headers: { Authorization: `Bearer ${api.token}`, 'Idempotency-Key': uploadKey },
      });
      const upload = { status: uploaded.status, headers: uploaded.headers, body: await uploaded.json() };
      assert.equal(upload.status, 201, JSON.stringify(upload.body));
      conforms(row('POST', '/v1/uploads'), upload);
      const file = await fetch(`${server.base}/v1/uploads/${upload.body.id}`, { headers: { Authorization: `Bearer ${api.token}` } });
      assert.equal(file.status, 200);
      await file.arrayBuffer();
      conforms(row('GET', '/v1/uploads/:id'), { status: file.status, headers: file.headers, body: null });

      const ticketRequest = {
        clientId: randomUUID(), kind: 'complaint' as const, category: 'delivery', description: 'The parcel came late', attachmentIds: [upload.body.id],
      };
      acceptedBody(row('POST', '/v1/tickets'), ticketRequest);
      const ticket = await api.call('POST', '/v1/tickets', ticketRequest, { 'Idempotency-Key': ticketRequest.clientId });
      assert.equal(ticket.status, 201, JSON.stringify(ticket.body));
      conforms(row('POST', '/v1/tickets'), ticket);
      const tickets = await api.call('GET', '/v1/tickets');
      assert.equal(tickets.status, 200);
      conforms(row('GET', '/v1/tickets'), tickets);
      conforms(row('GET', '/v1/tickets/:id'), await api.call('GET', `/v1/tickets/${ticket.body.id}`));
      const commentRequest = { clientId: randomUUID(), text: 'Tracking said delivered two days before it came' };
      acceptedBody(row('POST', '/v1/tickets/:id/comments'), commentRequest);
      const comment = await api.call('POST', `/v1/tickets/${ticket.body.id}/comments`, commentRequest, { 'Idempotency-Key': commentRequest.clientId });
      assert.equal(comment.status, 201, JSON.stringify(comment.body));
      conforms(row('POST', '/v1/tickets/:id/comments'), comment);
      const appealRequest = { clientId: randomUUID(), reason: 'Not rejected yet, so this is a 409' };
      const appeal = await api.call('POST', `/v1/tickets/${ticket.body.id}/appeal`, appealRequest, { 'Idempotency-Key': appealRequest.clientId });
      assert.equal(appeal.status, 409);
      conforms(row('POST', '/v1/tickets/:id/appeal'), appeal);

      const ratingRequest = { clientId: randomUUID(), subject: { type: 'ticket' as const, id: ticket.body.id }, score: 4 };
      acceptedBody(row('POST', '/v1/ratings'), ratingRequest);
      const rating = await api.call('POST', '/v1/ratings', ratingRequest, { 'Idempotency-Key': ratingRequest.clientId });
      assert.equal(rating.status, 201, JSON.stringify(rating.body));
      conforms(row('POST', '/v1/ratings'), rating);
    });

    test("the agent console's answers match what the table says", async () => {
      const shopper = client(server.base);
      await shopper.session();
      const conversation = await shopper.call('POST', '/v1/conversations', { clientId: randomUUID() }, { 'Idempotency-Key': randomUUID() });
      await shopper.call('POST', `/v1/conversations/${conversation.body.id}/handoff`);

      const agent = client(server.base);
      conforms(row('GET', '/v1/agent/conversations'), await agent.call('GET', '/v1/agent/conversations'));
      agent.token = AGENT_TOKEN;
      const queue = await agent.call('GET', '/v1/agent/conversations?status=queued');
      assert.equal(queue.status, 200);
      conforms(row('GET', '/v1/agent/conversations'), queue);
      assert.ok(queue.body.conversations.some((c: { id: string }) => c.id === conversation.body.id));
      const id = conversation.body.id;
      const history = await agent.call('GET', `/v1/agent/conversations/${id}/messages`);
      assert.equal(history.status, 200);
      conforms(row('GET', '/v1/agent/conversations/:id/messages'), history);
      const typing = await agent.call('POST', `/v1/agent/conversations/${id}/typing`);
      assert.equal(typing.status, 204);
      conforms(row('POST', '/v1/agent/conversations/:id/typing'), typing);
      acceptedBody(row('POST', '/v1/agent/conversations/:id/messages'), { text: 'Hello, I am here' });
      const reply = await agentCreate(agent, `/v1/agent/conversations/${id}/messages`, { text: 'Hello, I am here' });
      assert.equal(reply.status, 201);
      conforms(row('POST', '/v1/agent/conversations/:id/messages'), reply);
      const closed = await agent.call('POST', `/v1/agent/conversations/${id}/close`);
      assert.equal(closed.status, 200);
      conforms(row('POST', '/v1/agent/conversations/:id/close'), closed);
      const late = await agentCreate(agent, `/v1/agent/conversations/${id}/messages`, { text: 'too late' });
      assert.equal(late.status, 409);
      conforms(row('POST', '/v1/agent/conversations/:id/messages'), late);
      const tickets = await agent.call('GET', '/v1/agent/tickets?limit=10');
      assert.equal(tickets.status, 200);
      conforms(row('GET', '/v1/agent/tickets'), tickets);
      conforms(row('POST', '/v1/agent/tickets/:id/transition'), await agent.call('POST', '/v1/agent/tickets/t_nobody/transition', { to: 'acknowledged' }));
    });

    test('error answers are documented problem+json: 400, 401, 404, 422', async () => {
      const api = client(server.base);
      const anonymous = await api.call('GET', '/v1/conversations');
      assert.equal(anonymous.status, 401);
      conforms(row('GET', '/v1/conversations'), anonymous);

      await api.session();
      const missing = await api.call('GET', '/v1/conversations/c_nobody/messages');
      assert.equal(missing.status, 404);
      conforms(row('GET', '/v1/conversations/:id/messages'), missing);

      const noKey = await api.call('POST', '/v1/conversations', { clientId: randomUUID() });
      assert.equal(noKey.status, 400);
      conforms(row('POST', '/v1/conversations'), noKey);

      const key = randomUUID();
      await api.call('POST', '/v1/conversations', { clientId: key }, { 'Idempotency-Key': key });
      const reused = await api.call('POST', '/v1/conversations', { clientId: randomUUID() }, { 'Idempotency-Key': key });
      assert.equal(reused.status, 422);
      conforms(row('POST', '/v1/conversations'), reused);

      const invalid = await api.call('POST', '/v1/sessions', { site: 'not a key' });
      assert.equal(invalid.status, 400);
      conforms(row('POST', '/v1/sessions'), invalid);
    });

    test('GET /v1/events is text/event-stream and its events match the documented event schema', async () => {
      const api = client(server.base);
      await api.session();
      const conversation = await api.call('POST', '/v1/conversations', { clientId: randomUUID() }, { 'Idempotency-Key': randomUUID() });
      const endpoint = row('GET', '/v1/events');
      assert.equal(endpoint.success.kind, 'sse');
      const abort = new AbortController();
      const stream = await fetch(`${server.base}/v1/events`, { headers: { Authorization: `Bearer ${api.token}` }, signal: abort.signal });
      try {
        assert.equal(stream.status, 200);
        assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
        const clientId = randomUUID();
        await api.call('POST', `/v1/conversations/${conversation.body.id}/messages`, { clientId, text: 'hello' }, { 'Idempotency-Key': clientId });
        const events = await readEvents(stream, 2, 10_000);
        const validate = docSchema(`#/paths/${escape('/v1/events')}/get/responses/200/content/${escape('text/event-stream')}/x-event-schema`);
        for (const event of events) {
          assert.ok(event.id, 'every event has an id for Last-Event-ID');
          if (endpoint.success.kind === 'sse') assert.ok(v.is(endpoint.success.event, event.data), JSON.stringify(event.data));
          assert.ok(validate(event.data), ajv.errorsText(validate.errors));
        }
        assert.deepEqual(events.map((e) => e.data.message?.author), ['shopper', 'bot']);
      } finally {
        abort.abort();
      }
    });
  });
}

/** Reads `count` data events (`{id, data}`) from an SSE response, or fails after `ms`. */
async function readEvents(response: Response, count: number, ms: number) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: { id: string; data: Json }[] = [];
  let buffer = '';
  const timer = setTimeout(() => void reader.cancel(new Error('timeout')), ms);
  try {
    while (events.length < count) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended after ${events.length} of ${count} events`);
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const id = /^id: ?(.*)$/m.exec(frame)?.[1];
        const data = frame.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.replace(/^data: ?/, '')).join('\n');
        if (data) events.push({ id: id ?? '', data: JSON.parse(data) });
      }
    }
    return events;
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
}
