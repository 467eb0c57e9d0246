import { dropDatabase } from '../dropDatabase.mjs';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
/**
 * Test servers on both engines: PGlite in memory always, and PostgreSQL when
 * KEFU_TEST_DATABASE_URL points at a server (each server gets a fresh database, dropped after).
 */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import pg from 'pg';
import type { Bot } from '../../demo/server/app';
import { createServer } from '../../demo/server/server';

export const root = resolve(import.meta.dirname, '../..');
export const AGENT_TOKEN = 'test-agent-token';

export interface Engine {
  name: 'pglite' | 'postgres';
  url?: string;
}

export const engines: Engine[] = [
  { name: 'pglite' },
  ...(process.env.KEFU_TEST_DATABASE_URL ? [{ name: 'postgres' as const, url: process.env.KEFU_TEST_DATABASE_URL }] : []),
];

/** Says loudly when a suite runs on PGlite only. */
export function warnIfPgliteOnly() {
  if (!process.env.KEFU_TEST_DATABASE_URL) {
    console.warn('\n*** KEFU_TEST_DATABASE_URL is not set: these server tests run on PGlite only, NOT on PostgreSQL. ***\n');
  }
}

/** Creates a fresh PostgreSQL database and returns its URL and a function that drops it. */
export async function freshDatabase(url: string) {
  const name = `kefu_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await dropDatabase(client, name);
      } finally {
        await client.end();
      }
    },
  };
}

export interface TestServer {
  base: string;
  app: Awaited<ReturnType<typeof createServer>>['app'];
  /** The server's database, for fixtures the API cannot create. */
  db: Awaited<ReturnType<typeof createServer>>['db'];
  close(): Promise<void>;
}

/** A real server on a free loopback port. */
export async function startServer(
  engine: Engine, options: { demo?: boolean; databaseUrl?: string; dataDir?: string; bot?: Bot } = {},
): Promise<TestServer> {
  const database = engine.url && !options.databaseUrl ? await freshDatabase(engine.url) : undefined;
  const server = await createServer({
    databaseUrl: options.databaseUrl ?? database?.url, dataDir: options.dataDir, demo: options.demo ?? true, root,
    agentToken: AGENT_TOKEN, bot: options.bot,
  });
  const http: ServerType = await new Promise((ready) => {
    const s = serve({ fetch: server.app.fetch, port: 0, hostname: '127.0.0.1' }, () => ready(s));
  });
  const { port } = http.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    app: server.app,
    db: server.db,
    async close() {
      (http as import("node:http").Server).closeAllConnections();
      await new Promise((done) => http.close(done));
      await server.close();
      await database?.drop();
    },
  };
}

/** A small JSON client for the tests: returns status, headers and parsed body. */
export function client(base: string) {
  let token: string | undefined;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: response.status, headers: response.headers, body: json };
  };
  return {
    call,
    get token() {
      return token;
    },
    set token(value) {
      token = value;
    },
    async session(extra: Record<string, unknown> = {}) {
      const answer = await call('POST', '/v1/sessions', { site: 'pk_demo', ...extra });
      if (answer.status !== 201) throw new Error(`session failed: ${answer.status} ${JSON.stringify(answer.body)}`);
      token = answer.body.token;
      return answer.body;
    },
  };
}

type Api = ReturnType<typeof client>;

/** A session for one of the demo shop's signed-in shoppers. */
export async function signIn(base: string, user: 'alice' | 'bob') {
  const api = client(base);
  const { body } = await api.call('GET', `/demo/token?user=${user}`);
  await api.session({ userToken: body.userToken });
  return api;
}

/** A POST the way the widget's outbox sends it: its clientId doubles as the Idempotency-Key. */
export function create(api: Api, path: string, body: Record<string, unknown>, key: string = randomUUID()) {
  return api.call('POST', path, { clientId: key, ...body }, { 'Idempotency-Key': key });
}

/** An agent's create (a reply, a follow-up ticket) the way the console sends it: with its own Idempotency-Key. */
export function agentCreate(agent: Api, path: string, body?: Record<string, unknown>, key: string = randomUUID()) {
  return agent.call('POST', path, body, { 'Idempotency-Key': key });
}

export type StreamEvent = { id: string; data: any };

/**
 * Opens a Server-Sent Events stream and reads it event by event. A stream that stays silent fails
 * the test after 10 s instead of hanging it.
 */
export async function openStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const guard = setTimeout(() => controller.abort(new Error(`no awaited event on ${url} within 10 s`)), 10_000);
  const response = await fetch(url, { headers, signal: controller.signal });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let last = -1n;
  async function next(): Promise<StreamEvent> {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const id = /^id: ?(.*)$/m.exec(block)?.[1];
        const data = /^data: ?(.*)$/m.exec(block)?.[1];
        if (id && data) {
          // Once each and in order: a resume from the last id seen must lose or repeat nothing.
          assert.ok(BigInt(id) > last, `event ${id} came after event ${last}`);
          last = BigInt(id);
          return { id, data: JSON.parse(data) };
        }
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      buffer += value;
    }
  }
  return {
    next,
    /** Skips events until one matches. */
    async until(match: (data: any) => boolean): Promise<StreamEvent> {
      for (;;) {
        const event = await next();
        if (match(event.data)) return event;
      }
    },
    close() {
      clearTimeout(guard);
      controller.abort();
    },
  };
}
