import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { client, engines, startServer, warnIfPgliteOnly, type TestServer } from './harness';
import { MESSAGE_BATCH } from '../../src/api/schemas';

warnIfPgliteOnly();

for (const engine of engines) {
  describe(`REST contract on ${engine.name}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(engine);
    });
    after(() => server.close());

    test('an unknown site key answers 401 problem+json', async () => {
      const answer = await client(server.base).call('POST', '/v1/sessions', { site: 'pk_nobody' });
      assert.equal(answer.status, 401);
      assert.equal(answer.headers.get('content-type'), 'application/problem+json');
      assert.equal(answer.body.status, 401);
    });

    test('a malformed body answers 400 with field paths, an unknown field is named', async () => {
      const api = client(server.base);
      const broken = await api.call('POST', '/v1/sessions', '{"site":');
      assert.equal(broken.status, 400);
      assert.equal(broken.headers.get('content-type'), 'application/problem+json');
      const wrong = await api.call('POST', '/v1/sessions', { site: 42, extra: true });
      assert.equal(wrong.status, 400);
      const paths = wrong.body.errors.map((e: { path: string }) => e.path);
      assert.ok(paths.includes('site'), `paths: ${paths}`);
      assert.ok(paths.includes('extra'), `paths: ${paths}`);
    });

    test('a shopper posts a message, the bot replies, and the history lists both in order', async () => {
      const api = client(server.base);
      await api.session();
      const conversation = await api.call('POST', '/v1/conversations', { clientId: randomUUID() }, { 'Idempotency-Key': randomUUID() });
      assert.equal(conversation.status, 201);
      assert.equal(conversation.body.status, 'bot');
      const clientId = randomUUID();
      const posted = await api.call('POST', `/v1/conversations/${conversation.body.id}/messages`, { clientId, text: ' where is my parcel? ' }, { 'Idempotency-Key': clientId });
      assert.equal(posted.status, 201);
      assert.equal(posted.body.author, 'shopper');
      assert.equal(posted.body.text, 'where is my parcel?');
      assert.equal(posted.body.clientId, clientId);
      const list = await api.call('GET', `/v1/conversations/${conversation.body.id}/messages`);
      assert.equal(list.status, 200);
      assert.deepEqual(list.body.messages.map((m: { author: string }) => m.author), ['shopper', 'bot']);
      assert.ok(list.body.messages[1].text.length > 0);
      // The answer is written by the database (migration 5), the history by rows.ts: they must agree.
      assert.deepEqual(posted.body, list.body.messages[0]);
      const replayed = await api.call('POST', `/v1/conversations/${conversation.body.id}/messages`, { clientId, text: ' where is my parcel? ' }, { 'Idempotency-Key': clientId });
      assert.deepEqual(replayed.body, posted.body);
    });

    test('a message post is one database statement, and one batched wake after it', async () => {
      const api = client(server.base);
      await api.session();
      const conversation = await api.call('POST', '/v1/conversations', { clientId: randomUUID() }, { 'Idempotency-Key': randomUUID() });
      const { db } = server;
      const seen: string[] = [];
      const { query, tx } = db;
      db.query = (sql, params) => (seen.push(sql.trim().split(/\s+/).slice(0, 2).join(' ')), query(sql, params));
      db.tx = (fn) => (seen.push('transaction'), tx(fn));
      try {
        const clientId = randomUUID();
        const posted = await api.call('POST', `/v1/conversations/${conversation.body.id}/messages`, { clientId, text: 'Do you ship abroad?' }, { 'Idempotency-Key': clientId });
        assert.equal(posted.status, 201);
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        Object.assign(db, { query, tx });
      }
      assert.deepEqual(seen, ['select outcome,', 'select pg_notify(channel,'], `statements: ${seen.join('; ')}`);
    });

    test('creates are idempotent: same key and body replay, another body is 422, no key is 400', async () => {
      const api = client(server.base);
      await api.session();
      const key = randomUUID();
      const body = { clientId: key };
      const first = await api.call('POST', '/v1/conversations', body, { 'Idempotency-Key': key });
      const again = await api.call('POST', '/v1/conversations', body, { 'Idempotency-Key': key });
      assert.equal(first.status, 201);
      assert.equal(again.status, 201);
      assert.deepEqual(again.body, first.body);
      const other = await api.call('POST', '/v1/conversations', { clientId: randomUUID() }, { 'Idempotency-Key': key });
      assert.equal(other.status, 422);
      const bare = await api.call('POST', '/v1/conversations', { clientId: randomUUID() });
      assert.equal(bare.status, 400);

      const clientId = randomUUID();
      const path = `/v1/conversations/${first.body.id}/messages`;
      const [a, b] = await Promise.all([
        api.call('POST', path, { clientId, text: 'twice at once' }, { 'Idempotency-Key': clientId }),
        api.call('POST', path, { clientId, text: 'twice at once' }, { 'Idempotency-Key': clientId }),
      ]);
      assert.equal(a.status, 201);
      assert.equal(b.status, 201);
      assert.equal(a.body.id, b.body.id);
      const otherKey = await api.call('POST', path, { clientId, text: 'twice at once' }, { 'Idempotency-Key': randomUUID() });
      assert.equal(otherKey.status, 201, 'the same message under another key answers, it does not fail');
      assert.equal(otherKey.body.id, a.body.id);
      const list = await api.call('GET', path);
      assert.equal(list.body.messages.filter((m: { clientId: string }) => m.clientId === clientId).length, 1);
      assert.equal(list.body.messages.filter((m: { author: string }) => m.author === 'bot').length, 1, 'one bot reply');
    });

    test('a batch stores its messages in order, each answered as its single post: replays, a 422 and a 400 fail only themselves', async () => {
      const api = client(server.base);
      await api.session();
      const conversation = await api.call('POST', '/v1/conversations', { clientId: randomUUID() }, { 'Idempotency-Key': randomUUID() });
      const id = conversation.body.id;
      const single = randomUUID();
      const sentAlone = await api.call('POST', `/v1/conversations/${id}/messages`, { clientId: single, text: 'first, alone' }, { 'Idempotency-Key': single });
      const item = (text: string, key = randomUUID()) => ({ key, message: { clientId: key, text } });
      const reused = randomUUID();
      await api.call('POST', `/v1/conversations/${id}/messages`, { clientId: reused, text: 'the key is taken' }, { 'Idempotency-Key': reused });
      const messages = [
        item('first, alone', single), // sent alone before: replays, stored once
        item('one'),
        { key: reused, message: { clientId: randomUUID(), text: 'another body under a used key' } }, // 422
        { key: randomUUID(), message: { clientId: 'not-a-uuid', text: 'two' } }, // 400 of its own
        item('three'),
      ];
      const batch = await api.call('POST', `/v1/conversations/${id}/messages/batch`, { messages });
      assert.equal(batch.status, 200);
      assert.deepEqual(batch.body.results.map((r: { status: number }) => r.status), [201, 201, 422, 400, 201]);
      assert.deepEqual(batch.body.results[0].message, sentAlone.body, 'a message sent alone replays in a batch');
      assert.equal(batch.body.results[3].problem.errors[0].path, 'messages.3.message.clientId');
      const again = await api.call('POST', `/v1/conversations/${id}/messages/batch`, { messages });
      assert.deepEqual(again.body, batch.body, 'the whole batch replays');
      // And a message first sent in a batch replays when sent alone (the outbox may do either).
      const alone = await api.call('POST', `/v1/conversations/${id}/messages`, messages[4]!.message, { 'Idempotency-Key': messages[4]!.key });
      assert.equal(alone.status, 201);
      assert.deepEqual(alone.body, batch.body.results[4].message);
      const list = await api.call('GET', `/v1/conversations/${id}/messages`);
      const texts = list.body.messages.filter((m: { author: string }) => m.author === 'shopper').map((m: { text: string }) => m.text);
      assert.deepEqual(texts, ['first, alone', 'the key is taken', 'one', 'three']);
      assert.equal(list.body.messages.filter((m: { author: string }) => m.author === 'bot').length, 4, 'one bot reply per stored message');

      const empty = await api.call('POST', `/v1/conversations/${id}/messages/batch`, { messages: [] });
      assert.equal(empty.status, 400);
      const tooMany = await api.call('POST', `/v1/conversations/${id}/messages/batch`, { messages: Array.from({ length: MESSAGE_BATCH + 1 }, () => item('x')) });
      assert.equal(tooMany.status, 400);
      const mallory = client(server.base);
      await mallory.session();
      const theirs = await mallory.call('POST', `/v1/conversations/${id}/messages/batch`, { messages: [item('not yours')] });
      const missing = await mallory.call('POST', '/v1/conversations/c_missing/messages/batch', { messages: [item('nowhere')] });
      assert.equal(theirs.status, 404);
      assert.deepEqual(theirs.body, missing.body);
    });

    test("another shopper's conversation answers 404, exactly like a missing one", async () => {
      const alice = client(server.base);
      await alice.session();
      const own = await alice.call('POST', '/v1/conversations', { clientId: randomUUID() }, { 'Idempotency-Key': randomUUID() });
      const mallory = client(server.base);
      await mallory.session();
      const read = await mallory.call('GET', `/v1/conversations/${own.body.id}/messages`);
      const missing = await mallory.call('GET', '/v1/conversations/c_missing/messages');
      assert.equal(read.status, 404);
      assert.deepEqual(read.body, missing.body);
      const clientId = randomUUID();
      const write = await mallory.call('POST', `/v1/conversations/${own.body.id}/messages`, { clientId, text: 'hi' }, { 'Idempotency-Key': clientId });
      assert.equal(write.status, 404);
      const listed = await mallory.call('GET', '/v1/conversations');
      assert.equal(listed.body.conversations.length, 0);
    });

    test('no token, a forged token or a token for another site answers 401', async () => {
      const api = client(server.base);
      assert.equal((await api.call('GET', '/v1/conversations')).status, 401);
      const session = await api.session();
      const [header, payload] = session.token.split('.');
      api.token = `${header}.${payload}.forged`;
      assert.equal((await api.call('GET', '/v1/conversations')).status, 401);
    });

    test('renewing with the current token keeps the visitor and its history; without it, a new visitor', async () => {
      const api = client(server.base);
      const first = await api.session();
      const renewed = await api.session({ visitorId: first.visitorId });
      assert.equal(renewed.visitorId, first.visitorId);
      const stranger = client(server.base);
      const claimed = await stranger.session({ visitorId: first.visitorId });
      assert.notEqual(claimed.visitorId, first.visitorId, 'a bare visitorId must not grant its history');
    });

    test('the event stream carries the bot reply and resumes after Last-Event-ID', async () => {
      const api = client(server.base);
      await api.session();
      const conversation = await api.call('POST', '/v1/conversations', { clientId: randomUUID() }, { 'Idempotency-Key': randomUUID() });
      const controller = new AbortController();
      const stream = await fetch(`${server.base}/v1/events`, { headers: { Authorization: `Bearer ${api.token}` }, signal: controller.signal });
      assert.equal(stream.status, 200);
      assert.match(stream.headers.get('content-type') ?? '', /text\/event-stream/);
      const clientId = randomUUID();
      await api.call('POST', `/v1/conversations/${conversation.body.id}/messages`, { clientId, text: 'refund please' }, { 'Idempotency-Key': clientId });
      const events = await readEvents(stream, 2);
      controller.abort();
      assert.deepEqual(events.map((e) => e.data.message.author), ['shopper', 'bot']);
      // The events' messages (written by the database) are the history's (mapped by rows.ts), actions and articles included.
      const history = await api.call('GET', `/v1/conversations/${conversation.body.id}/messages`);
      assert.deepEqual(events.map((e) => e.data.message), history.body.messages);
      assert.ok(history.body.messages[1].actions?.includes('start_refund'), 'the bot offers a refund');

      const resumed = new AbortController();
      const again = await fetch(`${server.base}/v1/events`, {
        headers: { Authorization: `Bearer ${api.token}`, 'Last-Event-ID': events[0]!.id },
        signal: resumed.signal,
      });
      const replay = await readEvents(again, 1);
      resumed.abort();
      assert.equal(replay[0]!.id, events[1]!.id);
    });

    test('a post made once the stream is open reaches it, however slowly the stream finds its starting point', async () => {
      const api = client(server.base);
      await api.session();
      const conversation = await api.call('POST', '/v1/conversations', { clientId: randomUUID() }, { 'Idempotency-Key': randomUUID() });
      const { db } = server;
      const { query } = db;
      // The stream's starting point (the newest event id) takes 300 ms to read: a post the client
      // makes as soon as it has the headers would land before it and never be sent, if the headers
      // went out first.
      db.query = (async (sql: string, params?: unknown[], name?: string) => {
        if (sql.includes('coalesce(max(id), 0)')) await new Promise((resolve) => setTimeout(resolve, 300));
        return query(sql, params, name);
      }) as typeof db.query;
      const controller = new AbortController();
      try {
        const stream = await fetch(`${server.base}/v1/events`, { headers: { Authorization: `Bearer ${api.token}` }, signal: controller.signal });
        const clientId = randomUUID();
        await api.call('POST', `/v1/conversations/${conversation.body.id}/messages`, { clientId, text: 'refund please' }, { 'Idempotency-Key': clientId });
        // Fails (rather than hangs) when the events never come.
        const timer = setTimeout(() => controller.abort(), 10_000);
        const events = await readEvents(stream, 2).catch(() => []);
        clearTimeout(timer);
        assert.deepEqual(events.map((e) => e.data.message.author), ['shopper', 'bot']);
      } finally {
        controller.abort();
        db.query = query;
      }
    });

    test('CORS: a merchant origin may call the API with the headers the widget sends', async () => {
      const preflight = await fetch(`${server.base}/v1/conversations`, {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://shop.example',
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization, content-type, idempotency-key',
        },
      });
      assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://shop.example');
      assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Idempotency-Key/i);
    });

    test('CORS and nosniff headers ride on every answer: a created message, a 400, a 401', async () => {
      const api = client(server.base);
      await api.session();
      const origin = { Origin: 'https://shop.example' };
      const conversation = await api.call('POST', '/v1/conversations', { clientId: randomUUID() }, { 'Idempotency-Key': randomUUID(), ...origin });
      const key = randomUUID();
      const answers = {
        created: await api.call('POST', `/v1/conversations/${conversation.body.id}/messages`, { clientId: key, text: 'Where is my parcel?' }, { 'Idempotency-Key': key, ...origin }),
        invalid: await api.call('POST', `/v1/conversations/${conversation.body.id}/messages`, { text: 42 }, { 'Idempotency-Key': randomUUID(), ...origin }),
        unauthorized: await client(server.base).call('GET', '/v1/conversations', undefined, origin),
      };
      const headersOf = (headers: Headers) => ({
        allowOrigin: headers.get('access-control-allow-origin'),
        expose: headers.get('access-control-expose-headers'),
        vary: headers.get('vary'),
        nosniff: headers.get('x-content-type-options'),
      });
      const expected = { allowOrigin: 'https://shop.example', expose: 'Retry-After,ETag,Content-Disposition', vary: 'Origin', nosniff: 'nosniff' };
      assert.deepEqual(
        Object.fromEntries(Object.entries(answers).map(([name, answer]) => [name, { status: answer.status, ...headersOf(answer.headers) }])),
        {
          created: { status: 201, ...expected },
          invalid: { status: 400, ...expected },
          unauthorized: { status: 401, ...expected },
        },
      );
      // Without an Origin (not a browser's cross-origin call) no origin is allowed, the rest stays.
      const bare = await api.call('GET', '/v1/conversations');
      assert.deepEqual(headersOf(bare.headers), { ...expected, allowOrigin: null });
    });

    test('the built loader and panel are served with the right cache headers (needs npm run build)', async () => {
      const loader = await fetch(`${server.base}/kefu.js`);
      assert.equal(loader.status, 200);
      assert.match(loader.headers.get('cache-control') ?? '', /max-age=300/);
      const name = /panel-[\w-]+\.js/.exec(await loader.text())?.[0];
      assert.ok(name, 'the loader names its panel chunk');
      const panel = await fetch(`${server.base}/${name}`);
      assert.equal(panel.status, 200);
      assert.match(panel.headers.get('cache-control') ?? '', /immutable/);
      const page = await fetch(`${server.base}/`);
      assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    });
  });
}

async function readEvents(response: Response, count: number) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: { id: string; data: any }[] = [];
  let buffer = '';
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: ?(.*)$/m.exec(block)?.[1];
      const data = /^data: ?(.*)$/m.exec(block)?.[1];
      if (id && data) events.push({ id, data: JSON.parse(data) });
    }
  }
  return events;
}
