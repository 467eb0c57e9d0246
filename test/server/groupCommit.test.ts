/**
 * Group commit of message posts (demo/server/groupCommit.ts, migration 12): posts that arrive while
 * a call is in flight go to the database together, in one statement and one transaction, and each
 * is answered exactly as its single post would be — a replay, a 422, a 404 or a 400 fails only
 * itself, the order within a conversation and the events are kept. The tests hold the first call
 * until the next posts have reached the server's queue (the bot's reply is worked out just before
 * a post is queued), so what goes together is known, not left to timing.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Bot } from '../../demo/server/app';
import { createBot } from '../../demo/server/bot';
import type { Db } from '../../demo/server/db';
import { faqArticles } from '../../demo/server/seed/faq';
import { client, create, engines, openStream, startServer, warnIfPgliteOnly, type TestServer } from './harness';

warnIfPgliteOnly();

type Api = ReturnType<typeof client>;

/** The demo bot, counting its replies: a post is queued in the same turn as its reply. */
function countingBot() {
  const bot = createBot(faqArticles);
  let replies = 0;
  const waiting: { count: number; resolve: () => void }[] = [];
  return {
    bot: {
      reply(text, locale) {
        const reply = bot.reply(text, locale);
        replies++;
        for (const waiter of waiting.filter((w) => replies >= w.count)) {
          waiting.splice(waiting.indexOf(waiter), 1);
          waiter.resolve();
        }
        return reply;
      },
    } satisfies Bot,
    get replies() {
      return replies;
    },
    /** Resolves once the bot has replied `count` times in all (after the replying post is queued). */
    replied(count: number) {
      return new Promise<void>((resolve) => (replies >= count ? resolve() : waiting.push({ count, resolve })));
    },
  };
}

/**
 * Watches the group statement: `sizes` is how many posts each call carried. The first call waits
 * for `release()`; with `failGroups`, a call of more than one post fails before reaching the database.
 */
function watchPosts(db: Db, { failGroups = false } = {}) {
  const { query } = db;
  const sizes: number[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let arrived!: () => void;
  const held = new Promise<void>((resolve) => (arrived = resolve));
  db.query = async (sql, params, name) => {
    if (sql.includes('kefu_post_messages(')) {
      const size = (JSON.parse(params![0] as string) as unknown[]).length;
      sizes.push(size);
      if (sizes.length === 1) {
        arrived();
        await gate;
      } else if (failGroups && size > 1) {
        throw Object.assign(new Error('injected: the call failed as a whole'), { code: '40001' });
      }
    }
    return query(sql, params, name);
  };
  return {
    sizes,
    release,
    restore: () => Object.assign(db, { query }),
    /** Resolves once the first post's call is held; fails if that post was answered without it. */
    holding: (first: Promise<unknown>) => Promise.race([held, first.then(() => {
      throw new Error('the post was answered without the group statement (kefu_post_messages)');
    })]),
  };
}

for (const engine of engines) {
  describe(`group commit of message posts on ${engine.name}`, () => {
    let server: TestServer;
    const counting = countingBot();
    before(async () => {
      server = await startServer(engine, { bot: counting.bot });
    });
    after(() => server.close());

    async function shopper() {
      const api = client(server.base);
      await api.session();
      return api;
    }
    const conversationOf = async (api: Api) => (await create(api, '/v1/conversations', {})).body.id as string;
    const shopperTexts = async (api: Api, id: string) =>
      (await api.call('GET', `/v1/conversations/${id}/messages`)).body.messages.map((m: { author: string; text: string }) =>
        (m.author === 'shopper' ? m.text : m.author));

    test('posts that arrive while a call is in flight go together in one call, each answered as if it were alone', async () => {
      const alice = await shopper();
      const mallory = await shopper();
      const x = await conversationOf(alice);
      const y = await conversationOf(alice);
      const path = (id: string) => `/v1/conversations/${id}/messages`;
      const used = randomUUID();
      const earlier = await create(alice, path(x), { text: 'Do you ship abroad?' }, used);
      assert.equal(earlier.status, 201);
      const stream = await openStream(`${server.base}/v1/events`, { Authorization: `Bearer ${alice.token}` });
      const watch = watchPosts(server.db);
      try {
        let replies = counting.replies;
        const lone = create(alice, path(x), { text: 'How do I return an item?' });
        await watch.holding(lone);
        const twice = randomUUID();
        const sends: [string, () => ReturnType<typeof create>][] = [
          ['first', () => create(alice, path(x), { text: 'Where is my parcel?' }, twice)],
          ['refused', () => create(alice, path(x), { text: 'Here is a photo', attachmentIds: ['u_not_an_upload'] })],
          ['missing', () => create(alice, path('c_missing'), { text: 'Anyone there?' })],
          ["mallory's", () => create(mallory, path(x), { text: 'Not my conversation' })],
          ['replayed', () => create(alice, path(x), { clientId: used, text: 'Do you ship abroad?' }, used)],
          ['422', () => create(alice, path(x), { clientId: randomUUID(), text: 'Another body' }, used)],
          ['first again', () => create(alice, path(x), { clientId: twice, text: 'Where is my parcel?' }, twice)],
          ['to y', () => create(alice, path(y), { text: 'Is the teapot dishwasher safe?' })],
          ['second', () => create(alice, path(x), { text: 'When will my order ship?' })],
        ];
        const answers: Promise<Awaited<ReturnType<typeof create>>>[] = [];
        // One after the other into the queue, so the group's order is this list's.
        for (const [, send] of sends) {
          answers.push(send());
          await counting.replied(++replies + 1);
        }
        watch.release();
        const [alone, ...rest] = await Promise.all([lone, ...answers]);
        const answer = Object.fromEntries(sends.map(([name], i) => [name, rest[i]!]));

        assert.deepEqual(watch.sizes, [1, sends.length], 'the lone post went at once, the rest in one call');
        assert.equal(alone!.status, 201);
        assert.deepEqual(sends.map(([name]) => `${name}: ${answer[name]!.status}`), [
          'first: 201', 'refused: 400', 'missing: 404', "mallory's: 404", 'replayed: 201', '422: 422', 'first again: 201',
          'to y: 201', 'second: 201',
        ]);
        assert.equal(answer.refused!.body.errors[0].path, 'attachmentIds.0');
        assert.deepEqual(answer["mallory's"]!.body, answer.missing!.body, "another shopper's conversation is a 404 like a missing one");
        assert.deepEqual(answer.replayed!.body, earlier.body, 'a committed key replays its answer');
        assert.deepEqual(answer['first again']!.body, answer.first!.body, 'a key taken earlier in the same call replays its answer');

        assert.deepEqual(await shopperTexts(alice, x), [
          'Do you ship abroad?', 'bot', 'How do I return an item?', 'bot', 'Where is my parcel?', 'bot', 'When will my order ship?', 'bot',
        ], 'stored once each, in the order they came, nothing of the refused, foreign or 422 posts');
        assert.deepEqual(await shopperTexts(alice, y), ['Is the teapot dishwasher safe?', 'bot']);
        // The shopper's stream gets every stored message once, in the order they were stored.
        const seen: string[] = [];
        while (seen.length < 8) {
          const { data } = await stream.next();
          if (data.type === 'message') seen.push(`${data.message.conversationId === x ? 'x' : 'y'} ${data.message.author}`);
        }
        assert.deepEqual(seen, ['x shopper', 'x bot', 'x shopper', 'x bot', 'y shopper', 'y bot', 'x shopper', 'x bot']);
      } finally {
        watch.restore();
        stream.close();
      }
    });

    test('a call that fails as a whole is tried again post by post, and each post still gets its own answer', async () => {
      const alice = await shopper();
      const x = await conversationOf(alice);
      const path = `/v1/conversations/${x}/messages`;
      const watch = watchPosts(server.db, { failGroups: true });
      try {
        let replies = counting.replies;
        const lone = create(alice, path, { text: 'How do I return an item?' });
        await watch.holding(lone);
        const key = randomUUID();
        const sends = [
          () => create(alice, path, { text: 'Where is my parcel?' }, key),
          () => create(alice, path, { text: 'Here is a photo', attachmentIds: ['u_not_an_upload'] }),
          () => create(alice, path, { clientId: key, text: 'Where is my parcel?' }, key),
          () => create(alice, path, { text: 'When will my order ship?' }),
        ];
        const answers = [];
        for (const send of sends) {
          answers.push(send());
          await counting.replied(++replies + 1);
        }
        watch.release();
        const [alone, ...rest] = await Promise.all([lone, ...answers]);
        assert.deepEqual(watch.sizes, [1, 4, 1, 1, 1, 1], 'the failed call of four, then each of its posts alone');
        assert.equal(alone!.status, 201);
        assert.deepEqual(rest.map((a) => a.status), [201, 400, 201, 201]);
        assert.deepEqual(rest[2]!.body, rest[0]!.body, 'the key of an earlier post replays');
        assert.deepEqual(await shopperTexts(alice, x), [
          'How do I return an item?', 'bot', 'Where is my parcel?', 'bot', 'When will my order ship?', 'bot',
        ]);
      } finally {
        watch.restore();
      }
    });
  });
}
