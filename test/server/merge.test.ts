/**
 * One shopper across touchpoints (design §3) on both engines: an anonymous visitor who signs in
 * keeps their history — moved once, only with the anonymous session's own token, never into or out
 * of another shopper — and read state follows the shopper to every device.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import {
  AGENT_TOKEN, client, create, engines, openStream, signIn, startServer, warnIfPgliteOnly, type StreamEvent, type TestServer,
} from './harness';

warnIfPgliteOnly();
process.env.KEFU_RATE_TOKEN = process.env.KEFU_RATE_IP = process.env.KEFU_RATE_SESSION = 'off';

type Api = ReturnType<typeof client>;

for (const engine of engines) {
  describe(`anonymous → signed-in merge on ${engine.name}`, () => {
    let server: TestServer;
    let agent: Api;
    before(async () => {
      server = await startServer(engine);
      agent = client(server.base);
      agent.token = AGENT_TOKEN;
    });
    after(() => server.close());

    const userToken = async (user: 'alice' | 'bob') => (await client(server.base).call('GET', `/demo/token?user=${user}`)).body.userToken;
    /** A fresh user of the demo site (so every test starts from an empty shopper). */
    const freshUser = async (sub: string) => {
      const [site] = await server.db.query<{ secret: string }>("select secret from sites where key = 'pk_demo'");
      return new SignJWT({ name: sub }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub)
        .setExpirationTime('1h').sign(new TextEncoder().encode(site!.secret));
    };
    /** Signs in on a device: the current (anonymous) token is the bearer, as the widget sends it. */
    const signInOn = async (device: Api, token: string) => {
      const answer = await device.call('POST', '/v1/sessions', { site: 'pk_demo', userToken: token });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      device.token = answer.body.token;
      return answer.body;
    };
    const list = async (api: Api, what: 'conversations' | 'tickets') => (await api.call('GET', `/v1/${what}`)).body[what] as { id: string; clientId: string }[];
    const ids = async (api: Api, what: 'conversations' | 'tickets') => (await list(api, what)).map((item) => item.id).sort();
    /** A visitor with a conversation (one question, the bot's answer) and a complaint. */
    const visitorWithHistory = async () => {
      const visitor = client(server.base);
      const session = await visitor.session();
      const conversation = (await create(visitor, '/v1/conversations', {})).body;
      const question = await create(visitor, `/v1/conversations/${conversation.id}/messages`, { text: 'Where is my parcel?' });
      assert.equal(question.status, 201);
      const ticket = (await create(visitor, '/v1/tickets', { kind: 'complaint', category: 'service', description: 'Asked anonymously' })).body;
      return { visitor, session, conversation, ticket, question };
    };

    test('signing in with the anonymous session as bearer moves conversations, tickets, ratings and uploads, and tells every widget and the console', async () => {
      const sub = `merge-${randomUUID()}`;
      const token = await freshUser(sub);
      // The shopper is already signed in on another device, with its event stream open.
      const phone = client(server.base);
      await phone.session({ userToken: token });
      // (From the start: a stream without Last-Event-ID starts wherever the events are when it opens.)
      const phoneEvents = await openStream(`${server.base}/v1/events`, { Authorization: `Bearer ${phone.token}`, 'Last-Event-ID': '0' });
      const consoleEvents = await openStream(`${server.base}/v1/agent/events`, { Authorization: `Bearer ${AGENT_TOKEN}` });
      const { visitor, conversation, ticket } = await visitorWithHistory();
      await create(visitor, '/v1/ratings', { subject: { type: 'conversation', id: conversation.id }, score: 4 });
      const form = new FormData();
      form.set('file', new Blob(['%PDF-1.4\n%visitor\n'], { type: 'application/pdf' }), 'receipt.pdf');
      const uploaded = await fetch(`${server.base}/v1/uploads`, {
        method: 'POST', headers: { Authorization: `Bearer ${visitor.token}`, 'Idempotency-Key': randomUUID() }, body: form,
      });
      const upload = (await uploaded.json()) as { id: string };

      const session = await signInOn(visitor, token);
      assert.equal(session.user.id, sub);

      // The desktop (the former visitor) and the phone see the same history.
      for (const device of [visitor, phone]) {
        assert.deepEqual(await ids(device, 'conversations'), [conversation.id]);
        assert.deepEqual(await ids(device, 'tickets'), [ticket.id]);
        const thread = await device.call('GET', `/v1/conversations/${conversation.id}/messages`);
        assert.deepEqual(thread.body.messages.map((m: { author: string }) => m.author), ['shopper', 'bot']);
      }
      assert.equal((await phone.call('GET', `/v1/uploads/${upload.id}`)).status, 200);
      const [rating] = await server.db.query<{ owner: string }>('select owner from ratings where subject_id = $1', [conversation.id]);
      assert.equal(rating!.owner, `u:${sub}`);

      // The phone's open stream learns of both; the console shows the conversation under the shopper.
      const moved = [await phoneEvents.next(), await phoneEvents.next()].map((event) => event.data);
      assert.deepEqual(moved.map((data) => data.type).sort(), ['conversation', 'ticket']);
      assert.equal(moved.find((data) => data.type === 'conversation').conversation.id, conversation.id);
      assert.equal(moved.find((data) => data.type === 'ticket').ticket.id, ticket.id);
      const seen = await consoleEvents.until((data) => data.type === 'conversation' && data.conversation.id === conversation.id
        && data.conversation.shopper.user?.id === sub);
      assert.equal(seen.data.conversation.shopper.owner, `u:${sub}`);
      const ticketSeen = await consoleEvents.until((data) => data.type === 'ticket' && data.ticket.id === ticket.id);
      assert.equal(ticketSeen.data.change, 'merged');
      assert.equal(ticketSeen.data.ticket.shopper.user.id, sub);
      phoneEvents.close();
      consoleEvents.close();
      const queue = await agent.call('GET', '/v1/agent/conversations?status=all&limit=100');
      const row = queue.body.conversations.find((c: { id: string }) => c.id === conversation.id);
      assert.equal(row.shopper.user.id, sub);
    });

    test('a visitor merges once: its token reused after the merge with bob\'s token moves nothing into or out of anyone', async () => {
      const sub = `once-${randomUUID()}`;
      const { visitor, conversation } = await visitorWithHistory();
      const anonymous = visitor.token!;
      await signInOn(visitor, await freshUser(sub));
      // The old anonymous token still works as a visitor: what it writes now stays with the visitor.
      const later = client(server.base);
      later.token = anonymous;
      const afterwards = (await create(later, '/v1/conversations', {})).body;
      const bob = await signIn(server.base, 'bob');
      const bobBefore = [await ids(bob, 'conversations'), await ids(bob, 'tickets')];
      const aliceLike = client(server.base);
      await aliceLike.session({ userToken: await freshUser(sub) });
      const userBefore = [await ids(aliceLike, 'conversations'), await ids(aliceLike, 'tickets')];

      const thief = client(server.base);
      thief.token = anonymous;
      await signInOn(thief, await userToken('bob'));
      assert.deepEqual([await ids(bob, 'conversations'), await ids(bob, 'tickets')], bobBefore, 'bob gained nothing');
      assert.deepEqual([await ids(aliceLike, 'conversations'), await ids(aliceLike, 'tickets')], userBefore, 'the first shopper lost nothing');
      assert.ok(userBefore[0]!.includes(conversation.id));
      assert.deepEqual(await ids(later, 'conversations'), [afterwards.id], 'the later conversation stays with the visitor');

      // Signing in again as the same shopper with the same token moves the later one neither.
      const again = client(server.base);
      again.token = anonymous;
      await signInOn(again, await freshUser(sub));
      assert.deepEqual(await ids(again, 'conversations'), userBefore[0]);
    });

    test('a bare visitorId, a token of another site, an unknown visitor and a signed-in session merge nothing', async () => {
      const sub = `bare-${randomUUID()}`;
      const token = await freshUser(sub);
      const { visitor, session, conversation } = await visitorWithHistory();

      const bare = client(server.base);
      const bareSession = await bare.session({ visitorId: session.visitorId, userToken: token });
      assert.equal(bareSession.user.id, sub);
      assert.deepEqual(await ids(bare, 'conversations'), [], 'the visitor id alone proves nothing');
      assert.deepEqual(await ids(visitor, 'conversations'), [conversation.id]);

      // A visitor of another site signs in on pk_demo: its token is not this site's, so nothing moves.
      await server.db.query(`insert into sites (key, secret) values ('pk_merge_other', 'other-secret') on conflict do nothing`);
      const elsewhere = client(server.base);
      const otherSession = await elsewhere.call('POST', '/v1/sessions', { site: 'pk_merge_other' });
      elsewhere.token = otherSession.body.token;
      await create(elsewhere, '/v1/conversations', {});
      await signInOn(elsewhere, token);
      assert.deepEqual(await ids(elsewhere, 'conversations'), []);
      const [kept] = await server.db.query<{ count: number }>(
        "select count(*)::int as count from conversations where site = 'pk_merge_other' and owner = $1", [`v:${otherSession.body.visitorId}`]);
      assert.equal(kept!.count, 1);

      // A visitor the server holds no row for (forgotten) merges nothing.
      const unknown = await visitorWithHistory();
      await server.db.query("delete from shoppers where site = 'pk_demo' and owner = $1", [`v:${unknown.session.visitorId}`]);
      const unknownToken = unknown.visitor.token;
      await signInOn(unknown.visitor, token);
      assert.deepEqual(await ids(unknown.visitor, 'conversations'), []);
      const stayed = client(server.base);
      stayed.token = unknownToken;
      assert.deepEqual(await ids(stayed, 'conversations'), [unknown.conversation.id]);

      // A signed-in session as bearer is no anonymous proof: bob signing in over it takes nothing of the first user's.
      const signedIn = client(server.base);
      await signedIn.session({ userToken: token });
      await create(signedIn, '/v1/conversations', {});
      const before = await ids(signedIn, 'conversations');
      await signInOn(signedIn, await userToken('bob'));
      assert.ok(!(await ids(signedIn, 'conversations')).some((id) => before.includes(id)));
      const owner = client(server.base);
      await owner.session({ userToken: token });
      assert.deepEqual(await ids(owner, 'conversations'), before);
    });

    test('an anonymous session expired within the renewal window still proves the visitor', async () => {
      const sub = `expired-${randomUUID()}`;
      const { session, conversation } = await visitorWithHistory();
      const [secret] = await server.db.query<{ value: string }>("select value from settings where key = 'session_secret'");
      const expired = await new SignJWT({ site: 'pk_demo', vid: session.visitorId, uid: null })
        .setProtectedHeader({ alg: 'HS256' }).setIssuedAt(Math.floor(Date.now() / 1000) - 2 * 86_400)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 86_400).sign(new TextEncoder().encode(secret!.value));
      const device = client(server.base);
      device.token = expired;
      assert.equal((await device.call('GET', '/v1/conversations')).status, 401, 'expired for ordinary calls');
      await signInOn(device, await freshUser(sub));
      assert.deepEqual(await ids(device, 'conversations'), [conversation.id]);
    });

    test('an outbox retry after the merge replays its first answer instead of writing twice', async () => {
      const { visitor, conversation, question } = await visitorWithHistory();
      await signInOn(visitor, await freshUser(`retry-${randomUUID()}`));
      // The visitor's question is sent again with the same key (its answer was lost), now signed in.
      const key = question.body.clientId;
      const retried = await visitor.call('POST', `/v1/conversations/${conversation.id}/messages`, { clientId: key, text: 'Where is my parcel?' },
        { 'Idempotency-Key': key });
      assert.equal(retried.status, 201);
      assert.equal(retried.body.id, question.body.id);
      const again = await create(visitor, '/v1/conversations', {}, conversation.clientId);
      assert.equal(again.body.id, conversation.id, 'the conversation create replays too');
      const thread = await visitor.call('GET', `/v1/conversations/${conversation.id}/messages`);
      assert.equal(thread.body.messages.length, 2);
    });

    test('collisions resolve towards the signed-in shopper: client ids, idempotency keys, one rating per subject', async () => {
      const sub = `collide-${randomUUID()}`;
      const token = await freshUser(sub);
      const shared = randomUUID();
      const phone = client(server.base);
      await phone.session({ userToken: token });
      const mine = (await create(phone, '/v1/conversations', {}, shared)).body;
      await create(phone, '/v1/ratings', { subject: { type: 'article', id: 'faq-refund-policy-en' }, score: 2 });
      const ticketKey = randomUUID();
      const myTicket = (await create(phone, '/v1/tickets', { kind: 'complaint', category: 'service', description: 'Mine' }, ticketKey)).body;

      const visitor = client(server.base);
      await visitor.session();
      const theirs = (await create(visitor, '/v1/conversations', {}, shared)).body;
      const theirTicket = (await create(visitor, '/v1/tickets', { kind: 'complaint', category: 'service', description: 'Theirs' }, ticketKey)).body;
      await create(visitor, '/v1/ratings', { subject: { type: 'article', id: 'faq-refund-policy-en' }, score: 5 });
      assert.notEqual(theirs.id, mine.id);

      await signInOn(visitor, token);
      const conversations = await list(phone, 'conversations');
      assert.deepEqual(conversations.map((c) => c.id).sort(), [mine.id, theirs.id].sort(), 'both conversations are the shopper\'s');
      assert.equal(new Set(conversations.map((c) => c.clientId)).size, 2, 'client ids stay unique per shopper');
      assert.equal(conversations.find((c) => c.id === mine.id)!.clientId, shared, 'the shopper\'s own keeps its client id');
      assert.deepEqual((await ids(phone, 'tickets')).sort(), [myTicket.id, theirTicket.id].sort());
      // The shared key replays the shopper's own answer.
      assert.equal((await create(phone, '/v1/conversations', {}, shared)).body.id, mine.id);
      const ratings = await server.db.query<{ score: number }>(
        "select score from ratings where site = 'pk_demo' and owner = $1 and subject_type = 'article' and subject_id = 'faq-refund-policy-en'", [`u:${sub}`]);
      assert.deepEqual(ratings.map((r) => r.score), [5], 'one rating per subject: the newer one');
    });
  });

  describe(`read state on ${engine.name}`, () => {
    let server: TestServer;
    let agent: Api;
    before(async () => {
      server = await startServer(engine);
      agent = client(server.base);
      agent.token = AGENT_TOKEN;
    });
    after(() => server.close());

    test('a read position moves forward only, reaches every open widget of the shopper, and shows the agent\'s reading', async () => {
      const desktop = await signIn(server.base, 'alice');
      const phone = await signIn(server.base, 'alice');
      const conversation = (await create(desktop, '/v1/conversations', {})).body;
      await create(desktop, `/v1/conversations/${conversation.id}/messages`, { text: 'Where is my parcel?' });
      const [question, answer] = (await desktop.call('GET', `/v1/conversations/${conversation.id}/messages`)).body.messages;
      const streams = await Promise.all([desktop, phone].map((device) =>
        openStream(`${server.base}/v1/events`, { Authorization: `Bearer ${device.token}`, 'Last-Event-ID': '0' })));

      const read = await phone.call('POST', `/v1/conversations/${conversation.id}/read`, { messageId: answer.id });
      assert.equal(read.status, 200);
      assert.equal(read.body.shopperRead, answer.id);
      for (const stream of streams) {
        const event: StreamEvent = await stream.until((data) => data.type === 'read');
        assert.deepEqual(event.data, { type: 'read', conversationId: conversation.id, reader: 'shopper', messageId: answer.id });
      }
      // Reading an earlier message, or the same again, changes nothing and tells nobody.
      const back = await desktop.call('POST', `/v1/conversations/${conversation.id}/read`, { messageId: question.id });
      assert.equal(back.status, 200);
      assert.equal(back.body.shopperRead, answer.id);
      await phone.call('POST', `/v1/conversations/${conversation.id}/read`, { messageId: answer.id });

      // The console marks read when the agent opens the conversation: up to its last message.
      const agentRead = await agent.call('POST', `/v1/agent/conversations/${conversation.id}/read`);
      assert.equal(agentRead.status, 200);
      assert.equal(agentRead.body.agentRead, answer.id);
      for (const stream of streams) {
        const event = await stream.next();
        assert.deepEqual(event.data, { type: 'read', conversationId: conversation.id, reader: 'agent', messageId: answer.id },
          'the next event is the agent\'s: the repeated reads sent none');
        stream.close();
      }
      const listed = (await phone.call('GET', '/v1/conversations')).body.conversations[0];
      assert.deepEqual([listed.shopperRead, listed.agentRead], [answer.id, answer.id]);
      assert.equal((await client(server.base).call('POST', `/v1/agent/conversations/${conversation.id}/read`)).status, 401);
    });

    test('another shopper\'s conversation answers 404 like a missing one; a message of another conversation is a 400 naming it', async () => {
      const alice = await signIn(server.base, 'alice');
      const conversation = (await create(alice, '/v1/conversations', {})).body;
      await create(alice, `/v1/conversations/${conversation.id}/messages`, { text: 'Mine' });
      const [message] = (await alice.call('GET', `/v1/conversations/${conversation.id}/messages`)).body.messages;
      const bob = await signIn(server.base, 'bob');
      const stranger = client(server.base);
      await stranger.session();
      for (const other of [bob, stranger]) {
        const answer = await other.call('POST', `/v1/conversations/${conversation.id}/read`, { messageId: message.id });
        const missing = await other.call('POST', '/v1/conversations/c_missing/read', { messageId: message.id });
        assert.equal(answer.status, 404);
        assert.deepEqual(answer.body, missing.body);
      }
      const [row] = await server.db.query<{ shopper_read: string | null }>('select shopper_read from conversations where id = $1', [conversation.id]);
      assert.equal(row!.shopper_read, null);
      const elsewhere = (await create(alice, '/v1/conversations', {})).body;
      const wrong = await alice.call('POST', `/v1/conversations/${elsewhere.id}/read`, { messageId: message.id });
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.errors[0].path, 'messageId');
      const empty = await alice.call('POST', `/v1/conversations/${conversation.id}/read`, {});
      assert.equal(empty.status, 400);
      assert.equal(empty.body.errors[0].path, 'messageId');
    });
  });
}
