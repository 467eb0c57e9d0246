import * as v from 'valibot';
import { ServerEvent, type MessageList } from '../api/schemas';
import type { BackendAdapter, StreamState } from './BackendAdapter';

export interface EventStreamConfig {
  url: string;
  /** The bearer token and language, read at every (re)connect. */
  headers: () => Record<string, string>;
  /** Called on a 401 to get a fresh session before reconnecting. */
  renew: () => Promise<unknown>;
  onEvent: (event: ServerEvent, id: string) => void;
  onState?: (state: StreamState) => void;
  lastEventId?: string;
  fetch?: typeof fetch;
  /** What the polling fallback reads when SSE is blocked; without it, SSE only. */
  source?: Pick<BackendAdapter, 'listConversations' | 'listMessages' | 'listTickets'>;
  pollMs?: number;
}

const MAX_BACKOFF_MS = 30_000;
/** Failed opens in a row before polling takes over. */
const OPEN_ATTEMPTS = 3;
/** The server writes at once; no byte for this long means a proxy is buffering the stream. */
const FIRST_BYTE_MS = 10_000;
/** While polling, SSE is tried again every this many rounds. */
const SSE_RETRY_ROUNDS = 24;
/** The first poll also looks this far before the stream's last sign of life: clocks differ. */
const SKEW_MS = 60_000;
const MAX_POLL_MS = 60_000;
/** Answers that say the stream is blocked on the way, not down: retrying it soon will not help. */
const BLOCKED = [404, 405, 501];

/**
 * Server-Sent Events over `fetch` rather than `EventSource`: the bearer token goes in a header
 * (never in the URL, where logs keep it) and `Last-Event-ID` is ours to send on every reconnect.
 * Reconnects with exponential backoff and jitter. When SSE is blocked (a 404/405/501 or an HTML
 * page from a proxy, a stream that never starts, or repeated failures) it polls `source` instead
 * and hands what changed to the same `onEvent` as synthetic events with the id `''`, trying SSE
 * again now and then. Returns `close`.
 */
export function openEventStream(config: EventStreamConfig): () => void {
  const { source, pollMs = 5000 } = config;
  const doFetch = config.fetch ?? fetch.bind(globalThis);
  /** `type` + id → the JSON of the version delivered, so neither channel hands on a copy. */
  const delivered = new Map<string, string>();
  /** Per conversation, the last message polled: the next poll's `after`. */
  const cursors = new Map<string, string>();
  let lastEventId = config.lastEventId;
  let controller: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  /** Ends a try that got no first byte in time; cleared by close() too, not only once the aborted fetch settles. */
  let stall: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let pollFailures = 0;
  let rounds = 0;
  let closed = false;
  /** `catchup`: SSE is back; one more poll round covers the time between the last round and the open. */
  let mode: 'sse' | 'poll' | 'catchup' = 'sse';
  /** Polled things older than this that were never delivered are history the caller loaded itself. */
  let since = 0;
  let aliveAt = Date.now();

  const setState = (state: StreamState) => config.onState?.(state);

  function deliver(event: ServerEvent, id: string, cutoff = 0) {
    if (closed) return;
    const resource = (event as unknown as Record<string, { id: string; createdAt: string; updatedAt?: string } | undefined>)[event.type];
    if (resource) {
      const key = event.type + resource.id;
      const version = JSON.stringify(resource);
      const known = delivered.get(key);
      if (known === version) return;
      delivered.set(key, version);
      if (!known && Date.parse(resource.updatedAt ?? resource.createdAt) < cutoff) return;
    }
    config.onEvent(event, id);
  }

  async function connect() {
    if (closed || controller) return;
    const abort = (controller = new AbortController());
    let opened = false;
    let blocked = false;
    if (mode === 'sse') setState('connecting');
    stall = setTimeout(() => abort.abort(), FIRST_BYTE_MS);
    const headers = { ...config.headers(), Accept: 'text/event-stream' } as Record<string, string>;
    if (lastEventId) headers['Last-Event-ID'] = lastEventId;
    try {
      const response = await doFetch(config.url, { headers, signal: abort.signal, cache: 'no-store' });
      if (response.status === 401) await config.renew();
      blocked = BLOCKED.includes(response.status) ||
        (response.ok && !/^text\/event-stream/i.test(response.headers.get('Content-Type') ?? ''));
      if (response.ok && !blocked && response.body) {
        await readEvents(response.body, () => {
          aliveAt = Date.now();
          if (opened) return;
          opened = true;
          clearTimeout(stall);
          failures = 0;
          if (mode === 'poll') mode = 'catchup';
          setState('open');
        }, (id, data) => {
          if (id) lastEventId = id;
          const parsed = v.safeParse(ServerEvent, data);
          if (parsed.success) deliver(parsed.output, id);
        });
      }
    } catch {
      // Aborted (by close() or a stream that never started) or dropped: what follows decides.
    }
    clearTimeout(stall);
    controller = undefined;
    if (closed || mode === 'poll') return; // While polling, a failed try changes nothing.
    if (!opened) failures++;
    if (source && (blocked || failures >= OPEN_ATTEMPTS)) return startPolling();
    setState('closed');
    const ceiling = Math.min(MAX_BACKOFF_MS, 500 * 2 ** failures);
    timer = setTimeout(connect, ceiling / 2 + Math.random() * (ceiling / 2));
  }

  function startPolling() {
    setState('polling');
    const idle = mode === 'sse'; // In `catchup` the loop still runs.
    mode = 'poll';
    if (idle) {
      since = aliveAt - SKEW_MS;
      rounds = 0;
      void poll();
    }
  }

  async function poll() {
    if (closed) return;
    const catchingUp = mode === 'catchup';
    if (!catchingUp && ++rounds % SSE_RETRY_ROUNDS === 0) void connect();
    try {
      await pollRound();
      pollFailures = 0;
      if (catchingUp && mode === 'catchup') {
        mode = 'sse';
        return;
      }
    } catch {
      pollFailures++; // Counted: the next round waits longer.
    }
    if (!closed) pollTimer = setTimeout(poll, Math.min(MAX_POLL_MS, pollMs * 2 ** pollFailures));
  }

  /** One look at conversations (their new messages) and tickets; delivers what changed. */
  async function pollRound() {
    const cutoff = since;
    const [{ conversations }, { tickets }] = await Promise.all([source!.listConversations(), source!.listTickets()]);
    for (const conversation of conversations) {
      if (closed) return;
      const changed = delivered.get(`conversation${conversation.id}`) !== JSON.stringify(conversation);
      deliver({ type: 'conversation', conversation }, '', cutoff);
      if (conversation.status === 'closed' && !changed) continue;
      for (let page: MessageList | undefined; !page || (page.next && page.messages.length);) {
        page = await source!.listMessages(conversation.id, cursors.get(conversation.id));
        for (const message of page.messages) {
          deliver({ type: 'message', message }, '', cutoff);
          cursors.set(conversation.id, message.id);
        }
      }
    }
    for (const ticket of tickets) deliver({ type: 'ticket', ticket }, '', cutoff);
    since = 0;
  }

  connect();
  return () => {
    closed = true;
    clearTimeout(timer);
    clearTimeout(pollTimer);
    clearTimeout(stall);
    controller?.abort();
  };
}

/** Parses a `text/event-stream` body, calling `onChunk()` per chunk read and `onMessage(id, json)` per event. */
async function readEvents(
  body: ReadableStream<Uint8Array>, onChunk: () => void, onMessage: (id: string, data: unknown) => void,
) {
  const reader = body.pipeThrough(new TextDecoderStream() as ReadableWritablePair<string, Uint8Array>).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onChunk();
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let id = '';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('id:')) id = line.slice(3).trim();
        else if (line.startsWith('data:')) data += line.slice(5).trimStart();
      }
      if (!data) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch {
        continue; // A malformed event is skipped; the stream itself stays usable.
      }
      onMessage(id, parsed);
    }
  }
}
