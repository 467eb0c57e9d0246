/**
 * What the shopper does in Help, as facts for the merchant's figures (`POST /v1/help-events`):
 * settled searches with their result counts and articles opened. Loaded with the Help view's chunk.
 *
 * Facts wait up to SEND_MS and go out as one batch, in the background, never through the outbox:
 * a fact must not delay a message, fill the shopper's storage or show as *failed* to them. A batch
 * that meets no network (or a 408, 429, 5xx) is held in memory and sent again, with the same
 * Idempotency-Key, RETRY_MS later; facts arriving meanwhile wait behind it, at most MAX_QUEUED.
 * Nothing is written to storage, so a reload drops what was unsent: analytics may lose a fact,
 * never the shopper's work. Before consent nothing is kept or sent.
 */
import type { HelpEvent, HelpEventBatch, PageContext } from '../api/schemas';
import { isRetryable } from '../client/errors';
import type { Desk } from './desk';

const SEND_MS = 5e3;
const RETRY_MS = 3e4;
/** A help session ends after this long without a fact; the next fact starts another. */
const IDLE_MS = 18e5;
/** The server's batch limit (MAX_HELP_EVENTS); older facts beyond it are dropped. */
const MAX_QUEUED = 50;

export interface HelpFacts {
  add(event: HelpEvent): void;
  /** Sends what waits now (the shopper left Help). */
  flush(): void;
}

const byDesk = new WeakMap<Desk, HelpFacts>();

/** The help facts of this desk's session (one queue per desk, stopped with it). */
export function helpFacts(desk: Desk, page: () => PageContext): HelpFacts {
  let facts = byDesk.get(desk);
  if (!facts) byDesk.set(desk, (facts = create(desk, page)));
  return facts;
}

function create(desk: Desk, page: () => PageContext): HelpFacts {
  let queue: HelpEvent[] = [];
  let held: HelpEventBatch | undefined;
  let sending = false;
  let session = '';
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const later = (ms: number) => void (timer ??= setTimeout(flush, ms));
  desk.onStop(() => clearTimeout(timer));

  function flush() {
    clearTimeout(timer);
    timer = undefined;
    if (!held && queue.length) held = { clientId: crypto.randomUUID(), session, context: page(), events: queue.splice(0) };
    if (!held || sending) return;
    sending = true;
    const batch = held;
    Promise.resolve(desk.sendHelp(batch))
      .catch((error) => isRetryable(error))
      .then((retry) => {
        sending = false;
        if (retry !== true) held = undefined;
        if (held || queue.length) later(held ? RETRY_MS : SEND_MS);
      });
  }

  return {
    add(event) {
      if (!desk.consented()) return;
      const now = Date.now();
      if (now - last > IDLE_MS) {
        // The last session's facts leave under its id (or are dropped if a batch is still held).
        flush();
        queue = [];
        session = crypto.randomUUID();
      }
      last = now;
      if (queue.push(event) > MAX_QUEUED) queue.shift();
      later(SEND_MS);
    },
    flush,
  };
}
