import { isHttpError, isRetryable, type KefuError } from '../client/errors';
import type { Storage } from './storage';

export type OutboxKind = 'message';

/** A write waiting for the server's 2xx. Its `id` (the client UUID) is the `Idempotency-Key`. */
export interface OutboxItem<P = unknown> {
  id: string;
  kind: OutboxKind;
  /** Items of one lane (a conversation) are delivered strictly in order. */
  lane: string;
  payload: P;
  /** Store key: `['outbox', seq, id]`; seq orders items across reloads. */
  key: [string, number, string];
  state: 'queued' | 'failed';
  /** The server's reason, when `state` is `failed`. */
  reason?: string;
  status?: number;
  attempts: number;
}

export interface OutboxOptions {
  storage: Storage;
  /** Sends one item; resolves with the server's answer, rejects with a `KefuError`. */
  deliver: (item: OutboxItem) => Promise<unknown>;
  onDelivered?: (item: OutboxItem, result: unknown) => void;
  onFailed?: (item: OutboxItem, error: KefuError) => void;
  /** Name of the Web Lock that makes one tab the flusher. */
  lockName: string;
}

const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 60_000;

let lastSeq = 0;
/** Strictly increasing within a page, and time-ordered across pages. */
function nextSeq(): number {
  lastSeq = Math.max(lastSeq + 1e-3, Date.now());
  return lastSeq;
}

/**
 * The outbox (design §5): every write is stored before any network call and deleted only after the
 * server's 2xx. Retryable failures back off with jitter (honouring `Retry-After`); other 4xx mark
 * the item failed for the shopper to edit, retry or discard.
 */
export function createOutbox(options: OutboxOptions) {
  const { storage } = options;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let running: Promise<void> | undefined;
  let again = false;

  async function enqueue<P>(kind: OutboxKind, lane: string, id: string, payload: P): Promise<OutboxItem<P>> {
    const item: OutboxItem<P> = { id, kind, lane, payload, key: ['outbox', nextSeq(), id], state: 'queued', attempts: 0 };
    await storage.set(item.key, item);
    void flush();
    return item;
  }

  /** Delivers every queued item; concurrent calls coalesce into one more pass. */
  function flush(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = withLock(pass).finally(() => {
      running = undefined;
      if (again) {
        again = false;
        void flush();
      }
    });
    return running;
  }

  async function withLock(fn: () => Promise<void>): Promise<void> {
    // Held only while flushing, so nothing blocks bfcache between flushes.
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    if (locks) await locks.request(options.lockName, fn);
    else await fn();
  }

  async function pass(): Promise<void> {
    const items = await storage.list<OutboxItem>('outbox');
    const blocked = new Set<string>();
    let retryAfter: number | undefined;
    for (const item of items) {
      if (item.state === 'failed' || blocked.has(item.lane)) continue;
      try {
        const result = await options.deliver(item);
        await storage.del(item.key);
        failures = 0;
        options.onDelivered?.(item, result);
      } catch (error) {
        const failure = error as KefuError;
        if (isRetryable(failure)) {
          blocked.add(item.lane); // Later items of this lane wait, so order holds.
          if (isHttpError(failure) && failure.retryAfterMs !== undefined) retryAfter = failure.retryAfterMs;
          await storage.set(item.key, { ...item, attempts: item.attempts + 1 });
        } else {
          const failed: OutboxItem = {
            ...item,
            state: 'failed',
            reason: failure.message,
            status: isHttpError(failure) ? failure.status : undefined,
          };
          await storage.set(item.key, failed);
          options.onFailed?.(failed, failure);
        }
      }
    }
    if (blocked.size) schedule(retryAfter);
  }

  /** One owned timer: exponential backoff with full jitter, or the server's `Retry-After`. */
  function schedule(retryAfter?: number) {
    clearTimeout(timer);
    const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** failures++);
    const delay = retryAfter ?? ceiling / 2 + Math.random() * (ceiling / 2);
    timer = setTimeout(flush, delay);
  }

  /** Puts a failed item back in the queue (optionally with an edited payload). */
  async function retry(id: string, payload?: unknown) {
    const item = (await pending()).find((entry) => entry.id === id);
    if (!item) return;
    await storage.set(item.key, { ...item, payload: payload ?? item.payload, state: 'queued', reason: undefined });
    failures = 0;
    await flush();
  }

  async function discard(id: string) {
    const item = (await pending()).find((entry) => entry.id === id);
    if (item) await storage.del(item.key);
  }

  const pending = () => storage.list<OutboxItem>('outbox');
  const onOnline = () => void flush();

  return {
    enqueue,
    flush,
    retry,
    discard,
    pending,
    /** Starts the triggers: `online`, and a pass over what a previous page left. */
    start() {
      addEventListener('online', onOnline);
      void flush();
    },
    stop() {
      removeEventListener('online', onOnline);
      clearTimeout(timer);
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
