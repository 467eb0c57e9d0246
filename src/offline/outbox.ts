import { isKefuError, isRetryable, type HttpError, type KefuError } from '../client/errors';
import type { Entry, Storage } from './storage';

/** A write's kind: `message`, `ticket`, `appeal`, `comment`, `rating`, `upload` … any name with a deliver function. */
export type OutboxKind = string;

/** A write waiting for the server's 2xx. Its `id` (the client UUID) is the `Idempotency-Key`. */
export interface OutboxItem<P = unknown> {
  id: string;
  kind: OutboxKind;
  /** Items of one lane (a conversation, a ticket) are delivered strictly in order. */
  lane: string;
  /** Stored as is (structured clone): JSON, and Blobs for uploads. */
  payload: P;
  /** Store key: `['outbox', seq, id]`; seq orders items across reloads and tabs. */
  key: [string, number, string];
  state: 'queued' | 'failed';
  /** The server's reason, when `state` is `failed`. */
  reason?: string;
  status?: number;
  /** Kept for the callers' literals; the outbox's backoff is per page, not per item. */
  attempts: number;
  /** The pack it was stored in (the key of the pack's first item) and the pack's size. */
  pack?: { key: IDBValidKey[]; size: number };
  /** Stored in its own record too: a pack's item once it changed (failed, retried). */
  own?: true;
}

/** Sends one item (the caller sets its id as `Idempotency-Key`); resolves with the server's answer, rejects with a `KefuError`. */
export type Deliver = (item: OutboxItem) => Promise<unknown>;

/**
 * What subscribers hear, from this tab and (through BroadcastChannel) from every other tab:
 * `queued` (stored, or put back by a retry), `sent` (2xx; `result` is the server's answer, absent
 * when another tab's delivery was only noticed later), `failed` (a 4xx with its reason), `removed`
 * (discarded), `online`/`offline` (transitions), `durable` (`outbox.durable` changed).
 */
export type OutboxEvent =
  | { type: 'queued' | 'sent' | 'failed' | 'removed'; item: OutboxItem; result?: unknown }
  | { type: 'online' | 'offline' | 'durable' };

export interface OutboxOptions {
  storage: Storage;
  /** Name of the Web Lock (and BroadcastChannel, and lease) that makes one tab the flusher. */
  lockName: string;
  /** Delivery for kinds without their own `register`ed one. */
  deliver?: Deliver;
  /** This page delivered an item (whichever tab wrote it). */
  onDelivered?: (item: OutboxItem, result: unknown) => void;
  /** This page met a non-retryable answer for an item. */
  onFailed?: (item: OutboxItem, error: KefuError) => void;
  /**
   * Sends a run of queued items of one lane in one request (messages: `…/messages/batch`). `fits`
   * says whether `next` may join `run` (the run is never empty); `send` answers each item's result
   * or its `KefuError`, in order. When `send` rejects with a retryable error the lane waits; with
   * another, the run's items are sent one by one (a server without batches answers 404 or 405).
   */
  many?: {
    fits(run: OutboxItem[], next: OutboxItem): boolean;
    send(run: OutboxItem[]): Promise<unknown[]>;
  };
}

const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 60_000;
/** The fallback lease's life; renewed every third of it while flushing. */
const LEASE_MS = 15_000;

let lastSeq = 0;
/** Strictly increasing within a page, and time-ordered across pages. */
function nextSeq(): number {
  lastSeq = Math.max(lastSeq + 1e-3, Date.now());
  return lastSeq;
}

const byKey = (a: OutboxItem, b: OutboxItem) => a.key[1] - b.key[1] || (a.id < b.id ? -1 : 1);

interface Group {
  /** Items new to the store: one record (a pack) for all of them. */
  fresh: OutboxItem[];
  /** Items delivered or discarded. */
  done: OutboxItem[];
  /** Changed items, each its own record. */
  entries: Entry[];
  events: OutboxEvent[];
}

/**
 * What the store holds under `outbox`: items, each its own record (`key`), and packs: the items a
 * group commit stored together as one record (`[...key of the first, 'pack']`; one put instead of
 * one per item, which is most of an enqueue's cost), with the ids gone from them since
 * (`[...key of the first, 'gone']`), merged in the transaction that deletes each item. A pack and
 * its gone record leave together once every item of the pack is gone. An item's own record (a
 * failure, a retry) stands for its copy in the pack.
 */
type Stored = OutboxItem | { items: OutboxItem[] } | { gone: string[] };

/** The items in the store, in order. */
export async function storedItems(storage: Storage): Promise<OutboxItem[]> {
  const records = await storage.list<Stored>('outbox');
  const gone = new Set<string>();
  const found = new Map<string, OutboxItem>();
  for (const record of records) if ('gone' in record) record.gone.forEach((id) => gone.add(id));
  for (const record of records) {
    if ('items' in record) for (const item of record.items) if (!gone.has(item.id)) found.set(item.id, item);
  }
  for (const record of records) if ('id' in record) found.set(record.id, record);
  return [...found.values()].sort(byKey);
}

/**
 * The group's writes: its fresh items as one pack, its changes, and each pack's gone ids merged in;
 * and what to do once they are stored (the fresh items learn their pack then, not if the store refused it).
 */
function entriesOf({ fresh, done, entries }: Group): [Entry[], stored: () => void] {
  const ended = new Set(done.map((item) => item.id));
  const live = fresh.filter((item) => !ended.has(item.id)); // Discarded before it was ever stored.
  const all: Entry[] = [];
  let stored = () => {};
  if (live.length > 1) {
    const pack = { key: live[0]!.key, size: live.length };
    all.push([[...pack.key, 'pack'], { items: live.map((item) => ({ ...item, pack })) }]);
    stored = () => live.forEach((item) => (item.pack = pack));
  } else if (live.length) all.push([live[0]!.key, live[0]]);
  all.push(...entries);
  const byPack = new Map<string, { pack: NonNullable<OutboxItem['pack']>; ids: string[] }>();
  for (const item of done) {
    // A packed item never changed has no record of its own: deleting one would cost as much as a put.
    if (!item.pack || item.own) all.push([item.key]);
    const { pack } = item;
    if (!pack) continue;
    const id = JSON.stringify(pack.key);
    byPack.get(id)?.ids.push(item.id) ?? byPack.set(id, { pack, ids: [item.id] });
  }
  for (const { pack, ids } of byPack.values()) {
    const key = [...pack.key, 'gone'];
    all.push({
      key,
      merge: (value) => {
        const gone = new Set([...((value as { gone: string[] } | undefined)?.gone ?? []), ...ids]);
        return gone.size >= pack.size ? [[key], [[...pack.key, 'pack']]] : [[key, { gone: [...gone] }]];
      },
    });
  }
  return [all, stored];
}


/**
 * The outbox (design §5): every write is stored before any network call and deleted only after the
 * server's 2xx. Retryable failures back off with full jitter (or the server's `Retry-After`) on one
 * owned timer and hold later items of their lane; other 4xx mark the item failed for the shopper to
 * edit, retry or discard. One tab at a time flushes: a Web Lock held only while flushing.
 *
 * Why a queued lock request rather than `ifAvailable`: a tab that has something to send waits its
 * turn and then reads the store itself, so nothing depends on the flusher noticing late arrivals,
 * and when the flusher's tab dies mid-flush the next one takes over at once, with no timer. Waiting
 * tabs hold nothing (the request is aborted on `pagehide`); each pass costs one store read.
 *
 * Where `navigator.locks` is missing (plain http on a LAN host), a lease with an owner id and an
 * expiry stands in, written with an IndexedDB read-modify-write (`storage.update`): one readwrite
 * transaction, so two tabs cannot both take it, which localStorage cannot promise across processes
 * (it has no compare-and-set), and no storage is touched that consent did not open. A tab that finds
 * the lease taken asks the holder for one more pass over BroadcastChannel and looks again when the
 * lease would expire, in case the holder died.
 */
export function createOutbox(options: OutboxOptions) {
  const { storage, lockName } = options;
  const delivers = new Map<OutboxKind, Deliver>();
  const listeners = new Set<(event: OutboxEvent) => void>();
  /** This page's view of every tab's unsent items, for `pending()`, counts and the UI. */
  const items = new Map<string, OutboxItem>();
  /** Items the store refused (quota, broken database): kept in memory, sent by this page only. */
  const volatile = new Map<string, OutboxItem>();
  /**
   * Ids delivered or discarded, by any tab. A store read taken before a delete, or another tab's
   * broadcast sent before it, would otherwise bring such an item back as a ghost that stays *sending*.
   */
  const gone = new Set<string>();
  const owner = crypto.randomUUID();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let running: Promise<void> | undefined;
  let followUp: Promise<void> | undefined;
  let started = false;
  let stopped = false;
  let loaded: Promise<void> | undefined;
  let channel: BroadcastChannel | undefined;
  let waiting: AbortController | undefined;
  let online = navigator.onLine;
  let open: Group | undefined;
  let tail: Promise<unknown> = Promise.resolve();

  let failedCount = 0;
  /** Sets (or with no item, deletes) this page's view of one item, keeping the count of failed ones. */
  function track(id: string, item?: OutboxItem) {
    if (items.get(id)?.state == 'failed') failedCount--;
    if (!item) return void items.delete(id);
    items.set(id, item);
    if (item.state == 'failed') failedCount++;
  }

  const emit = (event: OutboxEvent) => listeners.forEach((fn) => fn(event));
  const warn = (error: unknown) => console.warn('[kefu] outbox:', error);
  const setOnline = (value: boolean) => value != online && emit({ type: (online = value) ? 'online' : 'offline' });
  const durableChanged = () => emit({ type: 'durable' });

  /**
   * Group commit: entries written in the same microtask, or while another write is in flight, go to
   * the store in ONE transaction; its events reach the other tabs once it has committed.
   */
  function write(change: { fresh?: OutboxItem; done?: OutboxItem; entries?: Entry[] }, event: OutboxEvent): Promise<void> {
    if (!open) {
      const group: Group = (open = { fresh: [], done: [], entries: [], events: [] });
      // A failed group has already rejected for its own writers; the next one runs regardless.
      tail = tail.catch(() => undefined).then(async () => {
        open = undefined;
        const [entries, stored] = entriesOf(group);
        await storage.batch(entries);
        stored();
        // Only stored items travel (no server answers), so the message always clones.
        channel?.postMessage(group.events);
      });
    }
    if (change.fresh) open.fresh.push(change.fresh);
    if (change.done) open.done.push(change.done);
    open.entries.push(...(change.entries ?? []));
    open.events.push(event);
    return tail as Promise<void>;
  }

  /** Applies another tab's change (or one found on a resync) to this page's view, and tells the subscribers. */
  function apply(event: OutboxEvent) {
    if ('item' in event) {
      const { id } = event.item;
      if (event.type == 'sent' || event.type == 'removed') gone.add(id), track(id);
      else if (gone.has(id)) return;
      else track(id, event.item);
    }
    emit(event);
  }

  /** Stores a new or changed item; when the store refuses it, memory keeps it and `durable` turns false. */
  async function save(item: OutboxItem, type: 'queued' | 'failed', fresh = false) {
    if (gone.has(item.id)) return; // Discarded while its delivery was under way: the failure comes too late.
    if (item.pack) item.own = true;
    const event: OutboxEvent = { type, item };
    track(item.id, item);
    emit(event);
    // A lane with an item in memory keeps its next ones there too, or another tab could send them first.
    const inMemory = volatile.size > 0 && [...volatile.values()].some((other) => other.lane == item.lane);
    if (!inMemory) {
      try {
        return await write(fresh ? { fresh: item } : { entries: [[item.key, item]] }, event);
      } catch (error) {
        warn(error); // QuotaExceededError, a blocked or broken database: memory takes the item.
      }
    }
    const was = volatile.size;
    volatile.set(item.id, item);
    if (!was) durableChanged();
  }

  function forget(item: OutboxItem, type: 'sent' | 'removed', result?: unknown) {
    gone.add(item.id);
    track(item.id);
    if (volatile.delete(item.id) && !volatile.size) durableChanged();
    emit({ type, item, result });
    // Left behind, the item is sent again and the server replays its answer.
    return write({ done: item }, { type, item }).catch(warn);
  }

  /** Stores the write (before any network call) and starts a flush; resolves once it is stored. */
  async function enqueue<P>(kind: OutboxKind, lane: string, id: string, payload: P): Promise<OutboxItem<P>> {
    const item: OutboxItem<P> = { id, kind, lane, payload, key: ['outbox', nextSeq(), id], state: 'queued', attempts: 0 };
    await save(item, 'queued', true);
    void flush();
    return item;
  }

  /** Delivers every queued item; resolves after a pass that began after the call (calls during one share the next). */
  function flush(): Promise<void> {
    if (running) {
      return (followUp ??= running.then(() => {
        followUp = undefined;
        return flush();
      }));
    }
    clearTimeout(timer);
    const run = exclusive()
      .then((delay) => {
        if (delay !== undefined) schedule(delay);
      })
      .catch((error) => {
        if ((error as DOMException).name == 'AbortError') return; // This page stopped or was hidden.
        warn(error);
        schedule(backoff());
      })
      .finally(() => (running = undefined));
    return (running = run);
  }

  /** One pass under the lock (or lease); answers the delay before the next one, if one is needed. */
  async function exclusive(): Promise<number | undefined> {
    const { locks } = navigator;
    if (locks) {
      waiting = new AbortController();
      return locks.request(lockName, { signal: waiting.signal }, pass);
    }
    const lease = await claim();
    if (lease) {
      channel?.postMessage('kick'); // The holder passes once more and sees what this page stored.
      return lease - Date.now();
    }
    timer = setInterval(() => claim().catch(warn), LEASE_MS / 3); // The one timer renews the lease while this page flushes.
    try {
      return await pass();
    } finally {
      clearInterval(timer);
      await withLease((held) => (held?.owner == owner ? undefined : held));
    }
  }

  /** Takes or renews the lease; answers 0 when this page holds it, else when the holder's runs out. */
  async function claim(): Promise<number> {
    let until = 0;
    await withLease((held) => {
      if (held && held.owner != owner && held.until > Date.now()) return (until = held.until), held;
      return { owner, until: Date.now() + LEASE_MS };
    });
    return until;
  }

  /** Reads and writes the lease in one transaction (`storage.update`). */
  function withLease(fn: (held?: { owner: string; until: number }) => { owner: string; until: number } | undefined) {
    return storage.update(`${lockName}:lease`, fn);
  }

  async function pass(): Promise<number | undefined> {
    await tail.catch(() => undefined); // This page's own writes are in the store.
    const queue = [...(await storedItems(storage)), ...volatile.values()].sort(byKey);
    const lanes = new Map<string, OutboxItem[]>();
    for (const item of queue) {
      if (item.state == 'queued') lanes.get(item.lane)?.push(item) ?? lanes.set(item.lane, [item]);
    }
    const writes: Promise<unknown>[] = [];
    let blocked = false;
    let progress = false;
    let retryAfter = 0;
    /** Takes an item's answer; false when it must wait (and the rest of its lane with it, so order holds). */
    const settle = (item: OutboxItem, answer: unknown, ok: boolean) => {
      // Stopped (its requests aborted): the item stays queued, for the next page to send.
      if (stopped) return false;
      if (ok) {
        progress = true;
        setOnline(true);
        writes.push(forget(item, 'sent', answer));
        options.onDelivered?.(item, answer);
        return true;
      }
      const failure = answer as HttpError; // Or another KefuError: no status, no Retry-After.
      if (isRetryable(failure)) {
        blocked = true;
        retryAfter = Math.max(retryAfter, failure.retryAfterMs || 0);
        if (failure.code == 'network') setOnline(false);
        return false;
      }
      const failed: OutboxItem = { ...item, state: 'failed', reason: failure.message, status: failure.status };
      writes.push(save(failed, 'failed'));
      options.onFailed?.(failed, failure);
      return true;
    };
    // Once the server refuses a run (it cannot batch), the rest of this pass goes one by one.
    let many = options.many;
    await Promise.all([...lanes.values()].map(async (lane) => {
      for (let next = 0; next < lane.length && !stopped; ) {
        const item = lane[next]!;
        const run = [item];
        while (many && next + run.length < lane.length && many.fits(run, lane[next + run.length]!)) {
          run.push(lane[next + run.length]!);
        }
        if (run.length > 1) {
          const answers = await many!.send(run).catch((error: KefuError) => {
            if (!isRetryable(error)) return (many = undefined); // Sent one by one instead, below.
            settle(item, error, false);
            return null;
          });
          if (answers === null) return;
          if (answers) {
            for (const [index, answer] of answers.entries()) {
              if (!settle(run[index]!, answer, !isKefuError(answer))) return;
            }
            next += run.length;
            continue;
          }
        }
        const deliver = delivers.get(item.kind) ?? options.deliver;
        // A kind this page cannot send holds its lane for a page that can.
        if (!deliver) return;
        const sent = await deliver(item).then((result) => settle(item, result, true), (error) => settle(item, error, false));
        if (!sent) return;
        next++;
      }
    }));
    // Deletes land before the lock is released, or the next flusher would send those items again.
    await Promise.all(writes);
    // The window grows only while nothing gets through: a pass that delivered something starts it
    // over, or a few random 503s in a long queue would stretch every wait to the maximum.
    if (progress || !blocked) failures = 0;
    return blocked ? retryAfter || backoff() : undefined;
  }

  /** Exponential backoff with full jitter. */
  const backoff = () => Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** failures++);

  /** The one owned timer. */
  function schedule(delay: number) {
    clearTimeout(timer);
    // A pass that ends after stop() (its requests aborted) leaves no timer behind.
    if (!stopped) timer = setTimeout(flush, delay);
  }

  /** Re-reads the store into this page's view (first use, and back from the bfcache), telling what changed. */
  function resync(): Promise<void> {
    return (loaded = tail.catch(() => undefined).then(async () => {
      const mark = tail;
      const known = [...items.values()];
      const stored = await storedItems(storage);
      const seen = new Set(volatile.keys());
      for (const item of stored) {
        seen.add(item.id);
        if (items.get(item.id)?.state != item.state) apply({ type: item.state, item });
      }
      // Gone from the store: delivered (or discarded) by another tab meanwhile. Only judged when no
      // write of this page started during the read, as such an item may not be stored yet.
      if (mark == tail) for (const item of known) if (!seen.has(item.id)) apply({ type: 'sent', item });
    }));
  }

  const find = async (id: string) => {
    await (loaded ?? resync());
    return items.get(id);
  };

  const onMessage = ({ data }: MessageEvent<OutboxEvent[] | 'kick'>) =>
    data == 'kick' ? void flush() : data.forEach(apply);
  const connect = () => {
    channel = new BroadcastChannel(lockName);
    channel.onmessage = onMessage;
  };
  const kick = () => {
    failures = 0;
    return flush();
  };
  const onOnline = () => {
    setOnline(true);
    void kick();
  };
  const onOffline = () => setOnline(false);
  const onVisible = () => document.visibilityState == 'visible' && void kick();
  // visibilitychange bubbles from the document to the window, so it is heard with the others.
  // Nothing is held across pagehide, so the page stays bfcache-eligible: the channel is closed and a
  // lock request still waiting is withdrawn; pageshow reconnects, catches up and flushes.
  const onHide = () => {
    waiting?.abort();
    channel?.close();
    channel = undefined;
  };
  const onShow = (event: PageTransitionEvent) => {
    if (!event.persisted) return;
    connect();
    void resync().then(kick);
  };
  const listen = [
    ['online', onOnline],
    ['offline', onOffline],
    ['visibilitychange', onVisible],
    ['pagehide', onHide],
    ['pageshow', onShow],
  ] as [string, EventListener][];

  return {
    enqueue,
    flush,
    /** Flushes now, forgetting the backoff: for the SSE stream's reconnect and other signs of life. */
    kick,
    /** Sets the delivery of one kind (`message`, `ticket` …); returns a function that removes it. */
    register(kind: OutboxKind, deliver: Deliver) {
      delivers.set(kind, deliver);
      return () => void delivers.delete(kind);
    },
    /** Hears every change, from this tab and the others; returns the unsubscribe function. */
    subscribe(fn: (event: OutboxEvent) => void) {
      listeners.add(fn);
      return () => void listeners.delete(fn);
    },
    /** Every tab's unsent items (queued and failed), in order. */
    async pending(): Promise<OutboxItem[]> {
      await (loaded ?? resync());
      return [...items.values()].sort(byKey);
    },
    /** How many items wait to be sent, and how many failed, for the `queue` event. */
    counts() {
      return { queued: items.size - failedCount, failed: failedCount };
    },
    /** False while an item lives only in memory (the store refused it, or there is no IndexedDB). */
    get durable() {
      return storage.durable && !volatile.size;
    },
    /** Whether the last signs (browser events, deliveries) said the network is there. */
    get online() {
      return online;
    },
    /** Puts a failed item back in the queue (optionally with an edited payload) and flushes. */
    async retry(id: string, payload?: unknown) {
      const item = await find(id);
      // A queued item may be on its way: another body under its key would be refused (422).
      if (item?.state != 'failed') return;
      const queued: OutboxItem = { ...item, payload: payload ?? item.payload, state: 'queued', reason: undefined, status: undefined };
      await save(queued, 'queued');
      await kick();
    },
    /** Drops an item (a failed one, usually); one being sent at this moment may still arrive. */
    async discard(id: string) {
      const item = await find(id);
      if (item) await forget(item, 'removed');
    },
    /** Starts the triggers (`online`, visible again, other tabs, bfcache restore) and a pass over what is stored. */
    start() {
      if (started) return;
      started = true;
      stopped = false;
      connect();
      for (const [type, fn] of listen) addEventListener(type, fn);
      void (loaded ?? resync()).then(kick, warn);
    },
    /** Removes every listener, the timer and the channel, and withdraws a waiting lock request. */
    stop() {
      started = false;
      stopped = true;
      for (const [type, fn] of listen) removeEventListener(type, fn);
      clearTimeout(timer);
      onHide();
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
