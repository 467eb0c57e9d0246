/**
 * Images in chat (migration 10): a shopper's message names its images by upload id; each must be an
 * image upload of the same site and owner, or the post is a 400 naming `attachmentIds.N` (under the
 * batch endpoint `messages.K.message.attachmentIds.N`, failing only that message) and stores nothing.
 * The agent reads any upload at `GET /v1/agent/uploads/:id`, served with the shopper's safe headers.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as v from 'valibot';
import { Message, MessageBatchResult } from '../../src/api/schemas';
import { AGENT_TOKEN, client, create, engines, signIn, startServer, warnIfPgliteOnly, type TestServer } from './harness';

warnIfPgliteOnly();
process.env.KEFU_RATE_TOKEN = process.env.KEFU_RATE_IP = process.env.KEFU_RATE_SESSION = 'off';

type Api = ReturnType<typeof client>;
const PNG = new Uint8Array(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'));
const GIF = new Uint8Array(Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'));
const PDF = new TextEncoder().encode('%PDF-1.4\n%kefu\n');

async function upload(base: string, api: Api, bytes: Uint8Array, type: string, name: string): Promise<string> {
  const form = new FormData();
  form.set('file', new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), name);
  const response = await fetch(`${base}/v1/uploads`, {
    method: 'POST', headers: { Authorization: `Bearer ${api.token}`, 'Idempotency-Key': randomUUID() }, body: form,
  });
  assert.equal(response.status, 201, await response.clone().text());
  return ((await response.json()) as { id: string }).id;
}

for (const engine of engines) {
  describe(`images in chat on ${engine.name}`, () => {
    let server: TestServer;
    let alice: Api;
    let bob: Api;
    let agent: Api;
    let conversation: string;
    const ids = { png: '', gif: '', pdf: '', bobs: '' };

    before(async () => {
      server = await startServer(engine);
      alice = await signIn(server.base, 'alice');
      bob = await signIn(server.base, 'bob');
      agent = client(server.base);
      agent.token = AGENT_TOKEN;
      conversation = (await create(alice, '/v1/conversations', {})).body.id;
      ids.png = await upload(server.base, alice, PNG, 'image/png', 'parcel.png');
      ids.gif = await upload(server.base, alice, GIF, 'image/gif', 'label.gif');
      ids.pdf = await upload(server.base, alice, PDF, 'application/pdf', 'receipt.pdf');
      ids.bobs = await upload(server.base, bob, PNG, 'image/png', 'bob.png');
    });
    after(() => server.close());

    const thread = async () => (await alice.call('GET', `/v1/conversations/${conversation}/messages`)).body.messages as Message[];
    const post = (body: Record<string, unknown>, key?: string) => create(alice, `/v1/conversations/${conversation}/messages`, body, key);

    test("a message with the shopper's own images carries their ids, in the answer, the thread, the events and the agent's view", async () => {
      const key = randomUUID();
      const answer = await post({ text: 'The box arrived crushed', attachmentIds: [ids.png, ids.gif] }, key);
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      const message = v.parse(Message, answer.body);
      assert.deepEqual(message.attachmentIds, [ids.png, ids.gif]);
      const stored = (await thread()).find((m) => m.id === message.id);
      assert.deepEqual(stored?.attachmentIds, [ids.png, ids.gif]);
      // Every other message (the bot's answer) carries an empty list: always an array.
      for (const m of await thread()) assert.ok(Array.isArray(m.attachmentIds), `${m.author} message has attachmentIds`);
      const seen = await agent.call('GET', `/v1/agent/conversations/${conversation}/messages`);
      assert.deepEqual(seen.body.messages.find((m: Message) => m.id === message.id).attachmentIds, [ids.png, ids.gif]);

      // The same key and body replay the first answer; other attachments under that key are a 422.
      const replay = await post({ clientId: message.clientId, text: 'The box arrived crushed', attachmentIds: [ids.png, ids.gif] }, key);
      assert.equal(replay.status, 201);
      assert.deepEqual(replay.body, answer.body);
      const other = await post({ clientId: message.clientId, text: 'The box arrived crushed', attachmentIds: [ids.png] }, key);
      assert.equal(other.status, 422, 'the idempotency fingerprint covers the attachments');
      assert.equal((await thread()).filter((m) => m.id === message.id).length, 1);
    });

    test("another shopper's upload is a 400 naming its path, stores nothing, and leaves its owner's upload as it was", async () => {
      const before = await thread();
      const answer = await post({ text: 'Look at this', attachmentIds: [ids.png, ids.bobs] });
      assert.equal(answer.status, 400);
      assert.match(answer.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.deepEqual(answer.body.errors, [{ path: 'attachmentIds.1', message: 'is not one of your uploads' }]);
      assert.deepEqual(await thread(), before, 'nothing was stored');
      const missing = await post({ text: 'Look at this', attachmentIds: ['up_nope'] });
      assert.deepEqual(missing.body.errors, [{ path: 'attachmentIds.0', message: 'is not one of your uploads' }]);
      // Bob's upload is his alone, unchanged: still his to read, still a 404 for alice.
      const his = await fetch(`${server.base}/v1/uploads/${ids.bobs}`, { headers: { Authorization: `Bearer ${bob.token}` } });
      assert.equal(his.status, 200);
      assert.deepEqual(new Uint8Array(await his.arrayBuffer()), PNG);
      assert.equal((await alice.call('GET', `/v1/uploads/${ids.bobs}`)).status, 404);
    });

    test('a PDF is evidence for tickets, not a chat image: 400 naming its path', async () => {
      const answer = await post({ text: 'My receipt', attachmentIds: [ids.png, ids.pdf] });
      assert.equal(answer.status, 400);
      assert.deepEqual(answer.body.errors, [{ path: 'attachmentIds.1', message: 'must be an image (PNG, JPEG, GIF or WEBP)' }]);
      assert.ok(!(await thread()).some((m) => m.text === 'My receipt'));
    });

    test('an upload of a shopper of another site is not theirs, nor theirs hers', async () => {
      await server.db.query(`insert into sites (key, secret) values ('pk_elsewhere', 'x') on conflict do nothing`);
      const visitor = client(server.base);
      await visitor.session({ site: 'pk_elsewhere' });
      const theirs = await upload(server.base, visitor, PNG, 'image/png', 'elsewhere.png');
      const answer = await post({ text: 'from another site', attachmentIds: [theirs] });
      assert.equal(answer.status, 400);
      assert.deepEqual(answer.body.errors, [{ path: 'attachmentIds.0', message: 'is not one of your uploads' }]);
      // The visitor of the other site cannot use alice's either, in a conversation of their own.
      const own = (await create(visitor, '/v1/conversations', {})).body.id;
      const reverse = await create(visitor, `/v1/conversations/${own}/messages`, { text: 'hi', attachmentIds: [ids.png] });
      assert.equal(reverse.status, 400);
      assert.equal((await visitor.call('GET', `/v1/uploads/${ids.png}`)).status, 404);
    });

    test('in a batch, a bad attachment fails only its own message, with the path under messages.K.message', async () => {
      const keys = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      const messages = [
        { key: keys[0], message: { clientId: keys[0], text: 'first, with a photo', attachmentIds: [ids.png] } },
        { key: keys[1], message: { clientId: keys[1], text: 'second, with bob\'s', attachmentIds: [ids.gif, ids.bobs] } },
        { key: keys[2], message: { clientId: keys[2], text: 'third, with a PDF', attachmentIds: [ids.pdf] } },
        { key: keys[3], message: { clientId: keys[3], text: 'fourth, plain' } },
      ];
      const answer = await alice.call('POST', `/v1/conversations/${conversation}/messages/batch`, { messages });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const { results } = v.parse(MessageBatchResult, answer.body);
      assert.deepEqual(results.map((r) => r.status), [201, 400, 400, 201]);
      assert.deepEqual('message' in results[0]! && results[0].message.attachmentIds, [ids.png]);
      assert.deepEqual('message' in results[3]! && results[3].message.attachmentIds, []);
      assert.deepEqual('problem' in results[1]! && results[1].problem.errors,
        [{ path: 'messages.1.message.attachmentIds.1', message: 'is not one of your uploads' }]);
      assert.deepEqual('problem' in results[2]! && results[2].problem.errors,
        [{ path: 'messages.2.message.attachmentIds.0', message: 'must be an image (PNG, JPEG, GIF or WEBP)' }]);
      const texts = (await thread()).map((m) => m.text);
      assert.ok(texts.includes('first, with a photo') && texts.includes('fourth, plain'));
      assert.ok(!texts.includes('second, with bob\'s') && !texts.includes('third, with a PDF'));
      // A message sent alone and again in a batch under the same key replays (the same fingerprint).
      const again = await alice.call('POST', `/v1/conversations/${conversation}/messages/batch`, { messages: [messages[0]] });
      assert.deepEqual(again.body.results[0], results[0]);
    });

    test('the agent downloads chat images and ticket evidence with the safe headers; nobody else reaches the agent route', async () => {
      for (const [id, bytes, type, disposition] of [
        [ids.png, PNG, 'image/png', 'inline; filename="parcel.png"'],
        [ids.pdf, PDF, 'application/pdf', 'attachment; filename="receipt.pdf"'],
      ] as const) {
        const response = await fetch(`${server.base}/v1/agent/uploads/${id}`, { headers: { Authorization: `Bearer ${AGENT_TOKEN}` } });
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('content-type'), type);
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(response.headers.get('content-security-policy'), "default-src 'none'; sandbox");
        assert.ok(response.headers.get('content-disposition')?.startsWith(disposition), response.headers.get('content-disposition') ?? '');
        assert.deepEqual(new Uint8Array(await response.arrayBuffer()), bytes);
      }
      const missing = await fetch(`${server.base}/v1/agent/uploads/up_nope`, { headers: { Authorization: `Bearer ${AGENT_TOKEN}` } });
      assert.equal(missing.status, 404);
      for (const token of [alice.token, bob.token, undefined]) {
        const answer = await fetch(`${server.base}/v1/agent/uploads/${ids.png}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
        assert.equal(answer.status, 401, 'a shopper token is not an agent token');
      }
    });
  });
}
