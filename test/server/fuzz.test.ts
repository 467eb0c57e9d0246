/**
 * Fuzz every endpoint of the contract table with malformed JSON, wrong types, unknown fields, huge
 * bodies, hostile ids and bad tokens: every answer is a 4xx problem+json (never a 5xx), and none of
 * them writes a row. Seeded; the seed is printed so a failure can be replayed (KEFU_FUZZ_SEED).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import * as v from 'valibot';
import { contract, type Endpoint } from '../../demo/server/contract';
import { mulberry32 as random } from '../../demo/server/faults';
import { AGENT_TOKEN, client, engines, startServer, warnIfPgliteOnly, type TestServer } from './harness';

warnIfPgliteOnly();
// The fuzz must reach the handlers, not the abuse guards in front of them.
process.env.KEFU_RATE_TOKEN = process.env.KEFU_RATE_IP = process.env.KEFU_RATE_SESSION = 'off';

const seed = Number(process.env.KEFU_FUZZ_SEED ?? Date.now() % 1_000_000);
/** Malformed requests sent and 5xx answers seen, for the hardening figures in the README. */
const tally = { sent: 0, errors: 0 };
process.once('beforeExit', () => console.log(`fuzz: ${tally.sent} malformed requests over both engines, ${tally.errors} answered 5xx (seed ${seed})`));
console.log(`fuzz seed: ${seed} (replay with KEFU_FUZZ_SEED=${seed})`);

const hostileIds = [
  'x', '0', '-1', '../../etc/passwd', '%00', "' or 1=1 --", 'c_00000000-0000-0000-0000-000000000000',
  'a'.repeat(300), '💥', '<script>', 'null', '__proto__', 'constructor',
];
const wrongValues: unknown[] = [null, 0, -1, 1e308, '', 'x'.repeat(5000), [], {}, true, [[[[[]]]]], { $gt: '' }];
const malformedBodies = ['', '{', '{"a":', 'null', '[]', '"text"', '42', '{"__proto__":{"polluted":1}}', '\u0000', '{}'.repeat(10)];

/** Rows that only a successful write may add. */
const TABLES = ['conversations', 'messages', 'tickets', 'ticket_timeline', 'ticket_comments', 'ratings', 'uploads', 'idempotency', 'events'];

for (const engine of engines) {
  describe(`fuzzing every endpoint on ${engine.name}`, () => {
    let server: TestServer;
    let shopperToken: string;
    let expiredToken: string;
    let foreignToken: string;
    const rand = random(seed);
    const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;

    before(async () => {
      server = await startServer(engine);
      const shopper = client(server.base);
      shopperToken = (await shopper.session()).token;
      const [secretRow] = await server.db.query<{ value: string }>(`select value from settings where key = 'session_secret'`);
      const key = new TextEncoder().encode(secretRow!.value);
      expiredToken = await new SignJWT({ site: 'pk_demo', vid: 'v_expired', uid: null })
        .setProtectedHeader({ alg: 'HS256' }).setIssuedAt(1_600_000_000).setExpirationTime(1_600_000_100).sign(key);
      foreignToken = await new SignJWT({ site: 'pk_demo', vid: 'v_forged', uid: 'alice' })
        .setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode('not the server secret'));
    });
    after(() => server.close());

    async function counts() {
      const result: Record<string, number> = {};
      for (const table of TABLES) {
        const [row] = await server.db.query<{ n: string | number }>(`select count(*) as n from ${table}`);
        result[table] = Number(row!.n);
      }
      return result;
    }

    const authFor = (endpoint: Endpoint, token?: string) =>
      endpoint.auth === 'agent' ? `Bearer ${token ?? AGENT_TOKEN}` : endpoint.auth === 'shopper' ? `Bearer ${token ?? shopperToken}` : undefined;

    async function send(endpoint: Endpoint, options: { id?: string; body?: string; token?: string; query?: string; contentType?: string } = {}) {
      const path = endpoint.path.replace(/:id/g, encodeURIComponent(options.id ?? 'missing'));
      const headers: Record<string, string> = { 'Idempotency-Key': crypto.randomUUID() };
      const auth = authFor(endpoint, options.token);
      if (auth) headers.Authorization = auth;
      if (options.body !== undefined) headers['Content-Type'] = options.contentType ?? 'application/json';
      const controller = new AbortController();
      const url = `${server.base}${path}${options.query ?? ''}`;
      const response = await fetch(url, {
        method: endpoint.method,
        headers,
        body: endpoint.method === 'POST' ? options.body ?? '' : undefined,
        signal: controller.signal,
      }).catch((error: Error) => {
        throw new Error(`${endpoint.method} ${url}: no answer (${String((error.cause as Error)?.message ?? error)})`);
      });
      const type = response.headers.get('content-type') ?? '';
      // Event streams answer 200 and stay open: read nothing, close.
      const text = type.includes('event-stream') ? '' : await response.text();
      controller.abort();
      return { status: response.status, type, text };
    }

    function assertProblem(label: string, answer: { status: number; type: string; text: string }, allowOk = false) {
      tally.sent++;
      if (answer.status >= 500) tally.errors++;
      assert.ok(answer.status < 500, `${label}: answered ${answer.status} ${answer.text.slice(0, 200)}`);
      if (allowOk && answer.status < 400) return;
      assert.ok(answer.status >= 400, `${label}: expected a 4xx, got ${answer.status}`);
      assert.equal(answer.type, 'application/problem+json', `${label}: content type ${answer.type}`);
      const problem = JSON.parse(answer.text);
      assert.equal(problem.status, answer.status, `${label}: problem.status`);
      assert.equal(typeof problem.title, 'string');
      assert.ok(!/at .+\.(ts|js):\d+/.test(answer.text), `${label}: a stack trace leaked`);
    }

    test('bad tokens: none, forged, expired, garbage — 401 everywhere a session is needed', async () => {
      const before = await counts();
      for (const endpoint of contract.filter((e) => e.auth !== 'none')) {
        for (const token of ['', 'garbage', foreignToken, expiredToken, `${shopperToken}x`]) {
          const answer = await send(endpoint, { token, body: '{}' });
          assertProblem(`${endpoint.method} ${endpoint.path} token=${token.slice(0, 12)}`, answer);
          assert.equal(answer.status, 401, `${endpoint.method} ${endpoint.path} with a bad token`);
        }
      }
      assert.deepEqual(await counts(), before, 'a rejected request wrote something');
    });

    test('hostile ids in paths answer 4xx (404 for ids that do not exist)', async () => {
      const before = await counts();
      for (const endpoint of contract.filter((e) => e.path.includes(':id'))) {
        for (const id of hostileIds) {
          const body = endpoint.body?.kind === 'json' ? '{}' : undefined;
          const answer = await send(endpoint, { id, body });
          assertProblem(`${endpoint.method} ${endpoint.path} id=${id.slice(0, 20)}`, answer);
        }
      }
      assert.deepEqual(await counts(), before, 'a rejected request wrote something');
    });

    test('malformed JSON, wrong types and unknown fields answer 400 with field paths', async () => {
      const before = await counts();
      for (const endpoint of contract.filter((e) => e.method === 'POST' && e.body?.kind === 'json')) {
        const schema = endpoint.body!.kind === 'json' ? endpoint.body!.schema : null;
        const id = 'missing';
        for (const body of malformedBodies) {
          if (endpoint.body?.kind === 'json' && endpoint.body.optional && (body === '' || body === '{}')) continue;
          assertProblem(`${endpoint.method} ${endpoint.path} body=${JSON.stringify(body).slice(0, 30)}`, await send(endpoint, { id, body }));
        }
        const entries = schema && 'entries' in schema ? Object.keys((schema as unknown as v.ObjectSchema<v.ObjectEntries, undefined>).entries) : [];
        for (const field of [...entries, 'unknownField', 'constructor']) {
          for (let i = 0; i < 4; i++) {
            const value = pick(wrongValues);
            const body = JSON.stringify({ [field]: value });
            const answer = await send(endpoint, { id, body });
            assertProblem(`${endpoint.method} ${endpoint.path} ${body.slice(0, 60)}`, answer);
          }
        }
      }
      assert.deepEqual(await counts(), before, 'a rejected request wrote something');
    });

    test('huge bodies answer 413 and write nothing', async () => {
      const before = await counts();
      for (const endpoint of contract.filter((e) => e.method === 'POST' && e.body?.kind === 'json')) {
        const answer = await send(endpoint, { id: 'missing', body: JSON.stringify({ text: 'x'.repeat(200_000) }) });
        assertProblem(`${endpoint.method} ${endpoint.path} 200 KB`, answer);
        assert.equal(answer.status, 413, `${endpoint.method} ${endpoint.path}: ${answer.status}`);
      }
      assert.deepEqual(await counts(), before, 'a rejected request wrote something');
    });

    test('bad query parameters answer 4xx, never 5xx', async () => {
      for (const endpoint of contract.filter((e) => e.method === 'GET' && e.query)) {
        for (const name of Object.keys(endpoint.query!)) {
          for (const value of ['', '-1', '999999999999', 'x'.repeat(2000), '%ZZ', '💥', "'; drop table messages; --"]) {
            const answer = await send(endpoint, { id: 'missing', query: `?${name}=${encodeURIComponent(value)}` });
            assertProblem(`${endpoint.method} ${endpoint.path}?${name}=${value.slice(0, 20)}`, answer, true);
          }
        }
      }
    });
  });
}
