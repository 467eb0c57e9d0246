import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Deps } from '../../demo/server/context';
import { rateLimit } from '../../demo/server/ratelimit';
import { client, engines, startServer, warnIfPgliteOnly, type Engine, type TestServer } from './harness';

warnIfPgliteOnly();

const RATE_ENV = ['KEFU_RATE_TOKEN', 'KEFU_RATE_IP', 'KEFU_RATE_SESSION', 'KEFU_TRUST_PROXY'] as const;
type RateEnv = Partial<Record<(typeof RATE_ENV)[number], string>>;

/** A server whose rate limits come from `env` (read when the app is created); the env is restored after. */
async function serverWith(engine: Engine, env: RateEnv): Promise<TestServer> {
  const saved = RATE_ENV.map((name) => [name, process.env[name]] as const);
  for (const name of RATE_ENV) {
    if (env[name] === undefined) delete process.env[name];
    else process.env[name] = env[name];
  }
  try {
    return await startServer(engine);
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** Asserts a 429 problem+json with a whole-second Retry-After no longer than `maxSeconds`. */
function assertLimited(answer: { status: number; headers: Headers; body: any }, maxSeconds: number) {
  assert.equal(answer.status, 429);
  assert.equal(answer.headers.get('content-type'), 'application/problem+json');
  assert.equal(answer.body.status, 429);
  const retryAfter = answer.headers.get('retry-after') ?? '';
  assert.match(retryAfter, /^\d+$/, 'whole seconds');
  assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= maxSeconds, `Retry-After ${retryAfter}`);
}

for (const engine of engines) {
  describe(`rate limits on ${engine.name}`, () => {
    // Per-minute refills: nothing refills during a test, so the counts are exact.
    describe('per token and per session mint', () => {
      let server: TestServer;
      before(async () => {
        server = await serverWith(engine, { KEFU_RATE_TOKEN: '4/m burst 4', KEFU_RATE_IP: 'off', KEFU_RATE_SESSION: '3/m burst 3' });
      });
      after(() => server.close());

      test('a burst beyond the token limit gets 429 with Retry-After; another token is unaffected', async () => {
        const greedy = client(server.base);
        await greedy.session();
        for (let i = 0; i < 4; i++) assert.equal((await greedy.call('GET', '/v1/conversations')).status, 200, `request ${i + 1}`);
        const refused = await greedy.call('GET', '/v1/conversations', undefined, { Origin: 'https://shop.example.com' });
        assertLimited(refused, 15);
        assert.equal(refused.headers.get('access-control-allow-origin'), 'https://shop.example.com', 'the widget can read the 429');
        assert.match(refused.headers.get('access-control-expose-headers') ?? '', /Retry-After/i);

        const polite = client(server.base);
        await polite.session();
        assert.equal((await polite.call('GET', '/v1/conversations')).status, 200);
        assertLimited(await greedy.call('GET', '/v1/faq'), 15);
      });

      test('minting sessions has its own stricter limit per IP', async () => {
        // The first test minted two sessions; one more fits.
        const api = client(server.base);
        await api.session();
        const refused = await client(server.base).call('POST', '/v1/sessions', { site: 'pk_demo' });
        assertLimited(refused, 20);
        assert.equal((await api.call('GET', '/v1/conversations')).status, 200, 'other calls still pass');
      });
    });

    describe('batches', () => {
      let server: TestServer;
      before(async () => {
        server = await serverWith(engine, { KEFU_RATE_TOKEN: '4/m burst 4', KEFU_RATE_IP: 'off', KEFU_RATE_SESSION: 'off' });
      });
      after(() => server.close());

      test('a batch of messages counts as one request per message, and a refused one costs one request', async () => {
        const api = client(server.base);
        await api.session();
        const conversation = await api.call('POST', '/v1/conversations', { clientId: randomUUID() }, { 'Idempotency-Key': randomUUID() });
        const item = () => { const key = randomUUID(); return { key, message: { clientId: key, text: 'hi' } }; };
        const path = `/v1/conversations/${conversation.body.id}/messages/batch`;
        // 4 per minute: the conversation took one; a batch of 3 takes the rest, the next one is refused.
        assert.equal((await api.call('POST', path, { messages: [item(), item(), item()] })).status, 200);
        assertLimited(await api.call('POST', path, { messages: [item()] }), 15);
        const other = client(server.base);
        await other.session();
        const theirs = await other.call('POST', '/v1/conversations', { clientId: randomUUID() }, { 'Idempotency-Key': randomUUID() });
        assertLimited(await other.call('POST', `/v1/conversations/${theirs.body.id}/messages/batch`, { messages: [item(), item(), item(), item()] }), 15);
        // The refused batch cost its request, not its messages: two more requests pass, the third does not.
        assert.equal((await other.call('GET', '/v1/conversations')).status, 200);
        assert.equal((await other.call('GET', '/v1/conversations')).status, 200);
        assertLimited(await other.call('GET', '/v1/conversations'), 15);
      });
    });

    describe('per IP, X-Forwarded-For not trusted', () => {
      let server: TestServer;
      before(async () => {
        server = await serverWith(engine, { KEFU_RATE_TOKEN: 'off', KEFU_RATE_IP: '5/m burst 5', KEFU_RATE_SESSION: 'off' });
      });
      after(() => server.close());

      test('many tokens from one address share its limit, and a forged X-Forwarded-For does not escape it', async () => {
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++) {
          const api = client(server.base);
          const minted = await api.call('POST', '/v1/sessions', { site: 'pk_demo' }, { 'X-Forwarded-For': `198.51.100.${i}` });
          statuses.push(minted.status);
          if (minted.status !== 201) break;
          api.token = minted.body.token;
          statuses.push((await api.call('GET', '/v1/conversations', undefined, { 'X-Forwarded-For': `198.51.100.${i}` })).status);
        }
        assert.deepEqual(statuses, [201, 200, 201, 200, 201, 429]);
      });
    });

    describe('per IP behind one trusted proxy', () => {
      let server: TestServer;
      before(async () => {
        server = await serverWith(engine, { KEFU_RATE_TOKEN: 'off', KEFU_RATE_IP: '2/m burst 2', KEFU_RATE_SESSION: 'off', KEFU_TRUST_PROXY: '1' });
      });
      after(() => server.close());

      test('the address the proxy appended is the client; what the client wrote before it is not', async () => {
        const api = client(server.base);
        const from = (chain: string) => api.call('POST', '/v1/sessions', { site: 'pk_demo' }, { 'X-Forwarded-For': chain });
        assert.equal((await from('203.0.113.7')).status, 201);
        assert.equal((await from('10.9.9.9, 203.0.113.7')).status, 201);
        assertLimited(await from('10.1.1.1, 203.0.113.7'), 60);
        assert.equal((await from('203.0.113.8')).status, 201, 'another client behind the proxy');
        // IPv6 clients are counted per /64.
        assert.equal((await from('2001:db8:1:2::a')).status, 201);
        assert.equal((await from('2001:db8:1:2:ffff::b')).status, 201);
        assertLimited(await from('2001:0db8:0001:0002:0:0:0:c'), 60);
      });
    });
  });
}

describe('rate limit configuration', () => {
  test('a malformed limit fails at start, naming the variable', () => {
    const saved = process.env.KEFU_RATE_IP;
    process.env.KEFU_RATE_IP = 'lots';
    try {
      assert.throws(() => rateLimit({} as Deps), /KEFU_RATE_IP/);
    } finally {
      if (saved === undefined) delete process.env.KEFU_RATE_IP;
      else process.env.KEFU_RATE_IP = saved;
    }
  });
});
