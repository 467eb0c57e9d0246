import * as v from 'valibot';
import { ServerEvent } from '../api/schemas';
import type { StreamState } from './BackendAdapter';

export interface EventStreamConfig {
  url: string;
  token: () => string | undefined;
  /** Called on a 401 to get a fresh session before reconnecting. */
  renew: () => Promise<unknown>;
  onEvent: (event: ServerEvent, id: string) => void;
  onState?: (state: StreamState) => void;
  lastEventId?: string;
  fetch?: typeof fetch;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * Server-Sent Events over `fetch` rather than `EventSource`: the bearer token goes in a header
 * (never in the URL, where logs keep it) and `Last-Event-ID` is ours to send on every reconnect.
 * Reconnects with exponential backoff and jitter; returns `close`.
 */
export function openEventStream(config: EventStreamConfig): () => void {
  const doFetch = config.fetch ?? fetch.bind(globalThis);
  let lastEventId = config.lastEventId;
  let controller: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let closed = false;

  const setState = (state: StreamState) => config.onState?.(state);

  const schedule = () => {
    if (closed) return;
    setState('closed');
    const ceiling = Math.min(MAX_BACKOFF_MS, 500 * 2 ** failures++);
    timer = setTimeout(connect, ceiling / 2 + Math.random() * (ceiling / 2));
  };

  async function connect() {
    if (closed) return;
    controller = new AbortController();
    setState('connecting');
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    const token = config.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (lastEventId) headers['Last-Event-ID'] = lastEventId;
    try {
      const response = await doFetch(config.url, { headers, signal: controller.signal, cache: 'no-store' });
      if (response.status === 401) {
        await config.renew();
        return schedule();
      }
      if (!response.ok || !response.body) return schedule();
      failures = 0;
      setState('open');
      await readEvents(response.body, (id, data) => {
        if (id) lastEventId = id;
        const parsed = v.safeParse(ServerEvent, data);
        if (parsed.success) config.onEvent(parsed.output, id);
      });
    } catch {
      // Aborted by close(), or the connection dropped: either way the schedule below decides.
    }
    schedule();
  }

  connect();
  return () => {
    closed = true;
    clearTimeout(timer);
    controller?.abort();
  };
}

/** Parses a `text/event-stream` body, calling `onMessage(id, json)` per event. */
async function readEvents(body: ReadableStream<Uint8Array>, onMessage: (id: string, data: unknown) => void) {
  const reader = body.pipeThrough(new TextDecoderStream() as ReadableWritablePair<string, Uint8Array>).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
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
