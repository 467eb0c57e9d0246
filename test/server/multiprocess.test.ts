/**
 * Two real server processes on one PostgreSQL (design §4): events are rows and NOTIFY fans them
 * out, so a shopper's stream on process A hears what was posted through process B, and a stream
 * that reconnects to a restarted A with Last-Event-ID gets exactly what it missed.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { AGENT_TOKEN, client, freshDatabase, root } from './harness';

const DATABASE = process.env.KEFU_TEST_DATABASE_URL;
const START_MS = 60_000;
const EVENT_MS = 10_000;
const STOP_MS = 10_000;

interface ServerProcess {
  base: string;
  port: number;
  output(): string;
  stop(): Promise<void>;
}

/** A free loopback port: bind :0, read it, let it go (main.ts then binds it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** `node --import tsx demo/server/main.ts` on `port`; resolves once it prints its API address. */
async function startProcess(name: string, port: number, databaseUrl: string): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'demo/server/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port), DATABASE_URL: databaseUrl, KEFU_DEMO: '1', KEFU_AGENT_TOKEN: AGENT_TOKEN, KEFU_LOG: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exited: string | null = null;
  const exit = new Promise<void>((done) => child.once('exit', (code, signal) => {
    exited = String(signal ?? code);
    done();
  }));
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);

  const stop = async () => {
    if (exited !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
    await exit;
    clearTimeout(timer);
  };

  const listening = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} printed no API address within ${START_MS} ms:\n${output}`)), START_MS);
    const look = () => {
      const match = /API:\s+http:\/\/[^:]+:(\d+)\/v1/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', look);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', look);
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${exited}) before listening:\n${output}`));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  assert.equal(listening, port, `${name} listens on the port it was given`);
  return { base: `http://127.0.0.1:${port}`, port, output: () => output, stop };
}

interface SseEvent {
  id: string;
  data: { type: string; message?: { author: string; clientId: string | null; text: string } };
}

/** An open `GET /v1/events` stream; `next()` waits for the next data event, bounded by EVENT_MS. */
async function openEvents(base: string, token: string, lastEventId?: string) {
  const abort = new AbortController();
  const response = await fetch(`${base}/v1/events`, {
    headers: { Authorization: `Bearer ${token}`, ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) },
    signal: abort.signal,
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const queued: SseEvent[] = [];
  let buffer = '';
  let opened = false;

  /** Reads until a frame arrives (any frame: the `retry:` preamble counts as the stream being open). */
  const pump = async (deadline: number) => {
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('no event within the time limit')), Math.max(0, deadline - Date.now())).unref());
    const { value, done } = await Promise.race([reader.read(), timeout]);
    if (done) throw new Error('the event stream ended');
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      opened = true;
      const data = frame.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.replace(/^data: ?/, '')).join('\n');
      if (data) queued.push({ id: /^id: ?(.*)$/m.exec(frame)?.[1] ?? '', data: JSON.parse(data) });
    }
  };

  const deadline = Date.now() + EVENT_MS;
  while (!opened) await pump(deadline);
  return {
    async next(): Promise<SseEvent> {
      const until = Date.now() + EVENT_MS;
      while (!queued.length) await pump(until);
      return queued.shift()!;
    },
    /** Events already received and not yet taken (to prove nothing extra arrived). */
    pending: () => queued.length,
    close() {
      abort.abort();
      reader.cancel().catch(() => undefined);
    },
  };
}

describe('two server processes on one PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>> | undefined;
  let a: ServerProcess | undefined;
  let b: ServerProcess | undefined;
  const streams: { close(): void }[] = [];

  before(async () => {
    if (!DATABASE) return;
    database = await freshDatabase(DATABASE);
    // One after the other: the migration runs once under its advisory lock either way, and the
    // test is about serving, not about racing two first starts.
    a = await startProcess('A', await freePort(), database.url);
    b = await startProcess('B', await freePort(), database.url);
  });

  after(async () => {
    for (const stream of streams) stream.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  test("a stream on A hears the bot reply to a message posted through B, and resumes with Last-Event-ID across A's restart", async (t) => {
    if (!DATABASE) {
      t.skip('KEFU_TEST_DATABASE_URL is not set: several processes need one PostgreSQL (PGlite is one process only)');
      return;
    }
    const shopper = client(b!.base);
    await shopper.session();
    const token = shopper.token!;
    const conversation = await shopper.call('POST', '/v1/conversations', { clientId: randomUUID() }, { 'Idempotency-Key': randomUUID() });
    assert.equal(conversation.status, 201);
    const messages = `/v1/conversations/${conversation.body.id}/messages`;
    const post = async (text: string) => {
      const clientId = randomUUID();
      const answer = await shopper.call('POST', messages, { clientId, text }, { 'Idempotency-Key': clientId });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      return clientId;
    };

    // Live fan-out: opened on A, written on B.
    const live = await openEvents(a!.base, token);
    streams.push(live);
    const first = await post('Where is my parcel?');
    const question = await live.next();
    const answer = await live.next();
    assert.equal(question.data.type, 'message');
    assert.equal(question.data.message?.author, 'shopper');
    assert.equal(question.data.message?.clientId, first);
    assert.equal(answer.data.type, 'message');
    assert.equal(answer.data.message?.author, 'bot');
    assert.ok(answer.data.message!.text.length > 0);
    assert.ok(BigInt(answer.id) > BigInt(question.id), 'ids grow');
    live.close();

    // A goes down; the shopper keeps writing through B.
    const port = a!.port;
    await a!.stop();
    const missed = await post('And how do I return it?');

    // A comes back on the same port; the widget reconnects with the last id it saw.
    a = await startProcess('A (restarted)', port, database!.url);
    const resumed = await openEvents(a.base, token, answer.id);
    streams.push(resumed);
    const replayedQuestion = await resumed.next();
    const replayedAnswer = await resumed.next();
    assert.equal(replayedQuestion.data.message?.clientId, missed, 'the first event after Last-Event-ID is the message sent while A was down');
    assert.equal(replayedAnswer.data.message?.author, 'bot');
    assert.ok(BigInt(replayedQuestion.id) > BigInt(answer.id), 'nothing before Last-Event-ID is sent again');

    // And the restarted A still hears B live.
    const later = await post('Thanks!');
    const liveAgain = await resumed.next();
    assert.equal(liveAgain.data.message?.clientId, later);
    assert.equal((await resumed.next()).data.message?.author, 'bot');
    assert.equal(resumed.pending(), 0, 'no event arrived twice');
  });
});
