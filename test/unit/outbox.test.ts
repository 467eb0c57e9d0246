import { expect } from 'chai';
import { MemoryAdapter } from '../../src/client/MemoryAdapter';
import { HttpError, KefuError } from '../../src/client/errors';
import { createOutbox, storedItems, type OutboxEvent, type OutboxItem } from '../../src/offline/outbox';
import { memoryStorage, openStorage, type Storage } from '../../src/offline/storage';

let namespace = 0;
/** A fresh, real IndexedDB database per test. */
const freshName = () => `test-${Date.now()}-${++namespace}`;
const freshStorage = () => openStorage(freshName());
const problem = (status: number, retryAfterMs?: number) =>
  new HttpError(status, { type: 'about:blank', title: `status ${status}`, status }, retryAfterMs);

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves with the first event of `type` the outbox tells. */
const next = (outbox: ReturnType<typeof createOutbox>, type: OutboxEvent['type']) =>
  new Promise<OutboxEvent>((resolve) => {
    const off = outbox.subscribe((event) => {
      if (event.type != type) return;
      off();
      resolve(event);
    });
  });

/** Counts the readwrite transactions the page opens while `fn` runs. */
async function countWrites(fn: () => Promise<unknown>): Promise<number> {
  const original = IDBDatabase.prototype.transaction;
  let count = 0;
  IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<typeof original>) {
    if (args[1] == 'readwrite') count++;
    return original.apply(this, args);
  } as typeof original;
  try {
    await fn();
  } finally {
    IDBDatabase.prototype.transaction = original;
  }
  return count;
}

describe('outbox', () => {
  it('opens a namespaced IndexedDB database, never the shared default one', async () => {
    const storage = await freshStorage();
    expect(storage.durable).to.equal(true);
    const names = (await indexedDB.databases()).map((db) => db.name);
    expect(names.some((name) => name?.startsWith('kefu:test-'))).to.equal(true);
    expect(names).not.to.include('keyval-store');
  });

  it('stores every write before the network call and deletes it only after a 2xx', async () => {
    const storage = await freshStorage();
    const storedAtSend: number[] = [];
    const answer = deferred<unknown>();
    const outbox = createOutbox({
      storage,
      lockName: `lock-${namespace}`,
      deliver: async () => {
        storedAtSend.push((await storedItems(storage)).length);
        return answer.promise;
      },
    });
    const sent = next(outbox, 'sent');
    await outbox.enqueue('message', 'lane', 'a', { text: 'hello' });
    expect((await outbox.pending()).map((item) => item.id)).to.deep.equal(['a']);
    answer.resolve({ ok: true });
    expect(await sent).to.deep.include({ type: 'sent', result: { ok: true } });
    await outbox.flush();
    expect(storedAtSend[0]).to.equal(1, 'the item was in IndexedDB when it was sent');
    expect(await storage.list('outbox')).to.deep.equal([]);
    expect(await outbox.pending()).to.deep.equal([]);
  });

  it('survives a reload: a second outbox on the same database finds and sends what the first left', async () => {
    const name = freshName();
    const first = createOutbox({
      storage: await openStorage(name),
      lockName: `lock-${name}`,
      deliver: () => Promise.reject(new KefuError('network', 'offline')),
    });
    await first.enqueue('message', 'lane', 'kept', { text: 'written offline' });
    await first.flush();
    first.stop();
    const sent: string[] = [];
    const second = createOutbox({
      storage: await openStorage(name),
      lockName: `lock-${name}-2`,
      deliver: async (item) => sent.push(item.id),
    });
    expect((await second.pending()).map((item) => item.id)).to.deep.equal(['kept']);
    await second.flush();
    expect(sent).to.deep.equal(['kept']);
    expect(await second.pending()).to.deep.equal([]);
  });

  it('keeps order within a lane: a retryable failure holds back later items of that lane only', async () => {
    const storage = await freshStorage();
    const sent: string[] = [];
    let failFirst = true;
    const outbox = createOutbox({
      storage,
      lockName: `lock-${namespace}`,
      deliver: async (item: OutboxItem) => {
        if (item.id === 'a1' && failFirst) throw problem(503, 60_000);
        sent.push(item.id);
      },
    });
    // Stored directly so that no flush runs between the writes.
    for (const [seq, id, lane] of [[1, 'a1', 'a'], [2, 'b1', 'b'], [3, 'a2', 'a']] as const) {
      await storage.set(['outbox', seq, id], { id, kind: 'message', lane, payload: {}, key: ['outbox', seq, id], state: 'queued', attempts: 0 });
    }
    await outbox.flush();
    expect(sent).to.deep.equal(['b1']);
    expect((await storedItems(storage)).map((item) => item.id)).to.deep.equal(['a1', 'a2']);
    failFirst = false;
    await outbox.flush();
    expect(sent).to.deep.equal(['b1', 'a1', 'a2']);
    outbox.stop();
  });

  it('marks an item failed on a non-retryable 4xx, keeps it, and lets the shopper retry with an edit or discard it', async () => {
    const storage = await freshStorage();
    const failed: string[] = [];
    const bodies: unknown[] = [];
    let reject = true;
    const outbox = createOutbox({
      storage,
      lockName: `lock-${namespace}`,
      deliver: async (item) => {
        bodies.push(item.payload);
        if (reject) throw problem(400);
      },
      onFailed: (item) => failed.push(`${item.id}:${item.status}:${item.reason}`),
    });
    await outbox.enqueue('message', 'lane', 'x', { text: 'too long' });
    await outbox.flush();
    expect(failed).to.deep.equal(['x:400:400 status 400']);
    const [item] = await outbox.pending();
    expect(item?.state).to.equal('failed');
    expect(outbox.counts()).to.deep.equal({ queued: 0, failed: 1 });
    await outbox.flush();
    expect(bodies).to.have.length(1, 'a failed item is not sent again by itself');
    reject = false;
    await outbox.retry('x', { text: 'shorter' });
    expect(bodies.at(-1)).to.deep.equal({ text: 'shorter' });
    expect(await outbox.pending()).to.deep.equal([]);

    reject = true;
    await outbox.enqueue('message', 'lane', 'y', { text: 'drop me' });
    await outbox.flush();
    const removed = next(outbox, 'removed');
    await outbox.discard('y');
    expect(((await removed) as { item: OutboxItem }).item.id).to.equal('y');
    expect(await outbox.pending()).to.deep.equal([]);
    expect(await storage.list('outbox')).to.deep.equal([]);
  });

  it('delivers each kind with the function registered for it, and holds a lane whose kind has none here', async () => {
    const storage = await freshStorage();
    const calls: string[] = [];
    const outbox = createOutbox({ storage, lockName: `lock-${namespace}` });
    outbox.register('ticket', async (item) => calls.push(`ticket:${item.id}`));
    const off = outbox.register('rating', async (item) => calls.push(`rating:${item.id}`));
    off();
    const blob = new Blob(['%PDF-1.4 evidence'], { type: 'application/pdf' });
    outbox.register('upload', async (item) => calls.push(`upload:${(item.payload as { file: Blob }).file.size}`));
    void outbox.enqueue('ticket', 't1', 'k1', { description: 'late' });
    void outbox.enqueue('rating', 'r', 'k2', { score: 5 });
    void outbox.enqueue('upload', 't1', 'k3', { file: blob });
    await outbox.enqueue('ticket', 'r', 'k4', { description: 'after the rating' });
    await outbox.flush();
    expect(calls).to.deep.equal(['ticket:k1', `upload:${blob.size}`], 'the rating has no delivery here; what follows in its lane waits');
    const [rating, later] = await storedItems(storage);
    expect([rating?.id, later?.id]).to.deep.equal(['k2', 'k4']);
  });

  it('stores writes made in the same frame in one IndexedDB transaction', async () => {
    const storage = await freshStorage();
    const outbox = createOutbox({ storage, lockName: `lock-${namespace}` }); // No delivery: nothing leaves.
    const writes = await countWrites(() =>
      Promise.all([
        outbox.enqueue('message', 'c1', 'm1', { text: 'one' }),
        outbox.enqueue('message', 'c1', 'm2', { text: 'two' }),
        outbox.enqueue('ticket', 't1', 't1', { description: 'three' }),
      ]));
    expect(writes).to.equal(1);
    expect((await storedItems(storage)).map((item) => item.id)).to.deep.equal(['m1', 'm2', 't1']);
  });

  it('stores 1,000 writes of one frame in one IndexedDB transaction, in order', async () => {
    const storage = await freshStorage();
    const outbox = createOutbox({ storage, lockName: `lock-${namespace}` });
    const ids = Array.from({ length: 1000 }, (_, i) => `m${i}`);
    const writes = await countWrites(() => Promise.all(ids.map((id, i) => outbox.enqueue('message', `c${i % 3}`, id, { text: id }))));
    expect(writes).to.equal(1);
    expect((await storedItems(storage)).map((item) => item.id)).to.deep.equal(ids);
  });

  for (const [name, open] of [['IndexedDB', freshStorage], ['memory', async () => memoryStorage()]] as const) {
    it(`${name}: a frame's writes are one record (a pack); they leave it one by one, across reloads, and the pack goes with the last`, async () => {
      const storage = await open();
      const ids = ['m1', 'm2', 'm3', 'm4', 'm5'];
      const writer = createOutbox({ storage, lockName: `lock-${namespace}` }); // No delivery: nothing leaves.
      await Promise.all(ids.map((id) => writer.enqueue('message', 'c1', id, { text: id })));
      expect(await storage.list('outbox')).to.have.length(1, 'one record for the frame');
      writer.stop();

      // A page delivers two, then the server is down.
      const sent: string[] = [];
      const reloaded = (deliver: (item: OutboxItem) => Promise<unknown>) =>
        createOutbox({ storage, lockName: `lock-${namespace}`, deliver: async (item) => (await deliver(item), sent.push(item.id)) });
      const first = reloaded(async (item) => {
        if (item.id == 'm3') throw problem(503, 60_000);
      });
      await first.flush();
      first.stop();
      expect(sent).to.deep.equal(['m1', 'm2']);
      expect((await storedItems(storage)).map((item) => item.id)).to.deep.equal(['m3', 'm4', 'm5'], 'the delivered ones are gone from the pack');

      // After a reload: m3 is refused for good, the rest goes.
      const second = reloaded(async (item) => {
        if (item.id == 'm3') throw problem(422);
      });
      await second.flush();
      second.stop();
      expect(sent).to.deep.equal(['m1', 'm2', 'm4', 'm5'], 'nothing was sent twice');
      const [failed, ...rest] = await storedItems(storage);
      expect([failed?.id, failed?.state, rest.length]).to.deep.equal(['m3', 'failed', 0], 'its own record stands for its copy in the pack');

      // After another reload the failure is still there; discarding it empties the store.
      const third = reloaded(async () => undefined);
      expect((await third.pending()).map((item) => [item.id, item.state])).to.deep.equal([['m3', 'failed']]);
      await third.discard('m3');
      expect(await storage.list('outbox')).to.deep.equal([], 'the pack and its gone ids left with the last item');
      third.stop();
    });
  }

  it('a store read taken before a delivery does not bring the delivered item back as a ghost', async () => {
    const real = await freshStorage();
    // The next read of the outbox is answered only when `release` is called: what it saw is stale by then.
    let hold: Promise<void> | undefined;
    const held = deferred();
    const release = deferred();
    const storage: Storage = {
      ...real,
      list: async (prefix) => {
        const gate = hold;
        hold = undefined;
        const stored = await real.list(prefix);
        if (gate) held.resolve(), await gate;
        return stored as never;
      },
    };
    const outbox = createOutbox({ storage, lockName: `lock-${namespace}` });
    await outbox.enqueue('message', 'c', 'a', { text: 'hello' });
    await outbox.flush(); // No delivery yet: 'a' waits in the store.
    hold = release.promise;
    const view = outbox.pending(); // First look at the store: it reads ['a'] and waits.
    await held.promise;
    outbox.register('message', async () => ({ ok: true }));
    await outbox.flush(); // 'a' is delivered and deleted meanwhile.
    release.resolve();
    expect(await view).to.deep.equal([]);
    expect(outbox.counts()).to.deep.equal({ queued: 0, failed: 0 }, 'a flush waiting for zero would never end');
  });

  it('falls back to memory when the store refuses a write (quota), says it is not durable, and still delivers', async () => {
    const real = await freshStorage();
    let full = true;
    const storage: Storage = {
      ...real,
      batch: (entries) =>
        full && entries.some((entry) => Array.isArray(entry) && entry[1] !== undefined)
          ? Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))
          : real.batch(entries),
    };
    const answer = deferred();
    const sent: string[] = [];
    const outbox = createOutbox({
      storage,
      lockName: `lock-${namespace}`,
      deliver: async (item) => {
        await answer.promise;
        sent.push(item.id);
      },
    });
    const events: string[] = [];
    outbox.subscribe((event) => events.push(event.type));
    // Two writes of one frame: the pack they would have shared is refused whole.
    await Promise.all([
      outbox.enqueue('upload', 'lane', 'big', { file: new Blob([new Uint8Array(1024)]) }),
      outbox.enqueue('message', 'lane', 'caption', { text: 'the photo' }),
    ]);
    expect(outbox.durable).to.equal(false);
    full = false;
    // The next write of the same lane stays in memory too, or another tab could send it first.
    await outbox.enqueue('message', 'lane', 'after', { text: 'hi' });
    expect(await real.list('outbox')).to.deep.equal([]);
    expect((await outbox.pending()).map((item) => item.id)).to.deep.equal(['big', 'caption', 'after']);
    answer.resolve();
    await outbox.flush();
    expect(sent).to.deep.equal(['big', 'caption', 'after']);
    expect(await real.list('outbox')).to.deep.equal([], 'no record of a pack that was never stored');
    expect(outbox.durable).to.equal(true);
    expect(events.filter((type) => type == 'durable')).to.have.length(2);
  });

  it('keeps a memory queue when IndexedDB is missing altogether', async () => {
    const own = Object.getOwnPropertyDescriptor(window, 'indexedDB');
    Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
    let storage: Storage;
    try {
      storage = await openStorage(freshName());
    } finally {
      if (own) Object.defineProperty(window, 'indexedDB', own);
      else delete (window as { indexedDB?: unknown }).indexedDB;
    }
    expect(window.indexedDB).to.be.instanceOf(IDBFactory);
    expect(storage.durable).to.equal(false);
    const outbox = createOutbox({ storage, lockName: `lock-${namespace}`, deliver: async () => 'ok' });
    expect(outbox.durable).to.equal(false);
    const sent = next(outbox, 'sent');
    await outbox.enqueue('message', 'lane', 'm', {});
    expect(await sent).to.deep.include({ result: 'ok' });
  });

  it('gives way to another connection that upgrades or deletes the database, and reopens for the next write', async () => {
    const name = freshName();
    const storage = await openStorage(name);
    const outbox = createOutbox({ storage, lockName: `lock-${name}` });
    await outbox.enqueue('message', 'lane', 'before', {});

    // A version bump elsewhere: without giving way this would wait on `blocked` forever.
    const upgrade = indexedDB.open(`kefu:${name}`, 2);
    let blocked = false;
    upgrade.onblocked = () => (blocked = true);
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      upgrade.onsuccess = () => resolve(upgrade.result);
      upgrade.onerror = () => reject(upgrade.error);
    });
    db.close();
    expect(blocked).to.equal(false);
    await outbox.enqueue('message', 'lane', 'after-upgrade', {});
    expect((await storedItems(storage)).map((item) => item.id)).to.deep.equal(['before', 'after-upgrade']);

    // A delete elsewhere: it goes through, and the next write creates the database again.
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.deleteDatabase(`kefu:${name}`);
      request.onblocked = () => reject(new Error('the delete was blocked by the outbox connection'));
      request.onsuccess = () => resolve();
    });
    await outbox.enqueue('message', 'lane', 'after-delete', {});
    expect((await storedItems(storage)).map((item) => item.id)).to.deep.equal(['after-delete']);
  });

  it('retries on the online event, on visible again, and on kick(); stop() removes every trigger', async () => {
    const name = freshName();
    const storage = await openStorage(name);
    let attempts = 0;
    const outbox = createOutbox({
      storage,
      lockName: `lock-${name}`,
      deliver: async () => {
        attempts++;
        throw new KefuError('network', 'offline');
      },
    });
    const offline = next(outbox, 'offline');
    outbox.start();
    await outbox.enqueue('message', 'lane', 'z', {});
    await outbox.flush();
    await offline;
    expect(outbox.online).to.equal(false);
    for (const trigger of [
      () => dispatchEvent(new Event('online')),
      () => document.dispatchEvent(new Event('visibilitychange', { bubbles: true })),
      () => void outbox.kick(),
    ]) {
      const before = attempts;
      trigger();
      await outbox.flush(); // Joins the pass the trigger started.
      expect(attempts).to.be.greaterThan(before);
    }
    outbox.stop();
    const before = attempts;
    dispatchEvent(new Event('online'));
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    // A flush would have asked for the lock at once (synchronously); taking it proves none did.
    await navigator.locks.request(`lock-${name}`, async () => undefined);
    expect(attempts).to.equal(before, 'no trigger after stop()');
  });

  it('memory storage: same interface, batch and atomic update, not durable', async () => {
    const storage: Storage = memoryStorage();
    expect(storage.durable).to.equal(false);
    await storage.set(['outbox', 1, 'a'], 'first');
    await storage.batch([[['outbox', 2, 'b'], 'second'], ['session', 'other']]);
    expect(await storage.list('outbox')).to.deep.equal(['first', 'second']);
    await storage.update<number>('n', (value) => (value ?? 41) + 1);
    expect(await storage.get('n')).to.equal(42);
    // A merge reads its key after the batch's puts, in the same transaction, and may write others.
    await storage.batch([['m', 1], { key: 'm', merge: (value) => [['m', (value as number) + 1], ['n']] }]);
    expect([await storage.get('m'), await storage.get('n')]).to.deep.equal([2, undefined]);
    await storage.batch([[['outbox', 1, 'a']]]);
    expect(await storage.list('outbox')).to.deep.equal(['second']);
  });

  it('sends a lane in runs when it can: one request per run, answers taken item by item, in order', async () => {
    const adapter = new MemoryAdapter();
    await adapter.startSession({ site: 'pk_demo' });
    const conversation = await adapter.createConversation({ clientId: crypto.randomUUID() });
    const requests: string[][] = [];
    const single: string[] = [];
    const outbox = createOutbox({
      storage: await freshStorage(),
      lockName: `lock-${namespace}`,
      deliver: (item) => (single.push(item.id), adapter.postMessage(conversation.id, item.payload as { clientId: string; text: string })),
      many: {
        fits: (run, next) => run.length < 3 && next.kind == run[0]!.kind,
        send: (run) => (requests.push(run.map((item) => item.id)), adapter.postMessages(conversation.id, run.map((item) => item.payload as { clientId: string; text: string }))),
      },
    });
    const texts = ['one', '', 'two', 'three', 'four', 'five', 'six'];
    const items = await Promise.all(texts.map((text) => {
      const clientId = crypto.randomUUID();
      return outbox.enqueue('message', conversation.id, clientId, { clientId, text });
    }));
    await outbox.flush();
    const ids = items.map((item) => item.id);
    expect(requests).to.deep.equal([ids.slice(0, 3), ids.slice(3, 6)], 'runs of at most 3');
    expect(single).to.deep.equal([ids[6]], 'a run of one goes alone');
    const mine = (await adapter.listMessages(conversation.id)).messages.filter((m) => m.author == 'shopper');
    expect(mine.map((m) => m.text)).to.deep.equal(['one', 'two', 'three', 'four', 'five', 'six']);
    const pending = await outbox.pending();
    expect(pending.map((item) => [item.id, item.state, item.status])).to.deep.equal([[ids[1], 'failed', 400]], 'the empty one alone failed');
    outbox.stop();
  });

  it('a run that gets no answer waits whole; one the server cannot batch is sent item by item', async () => {
    const sent: string[] = [];
    let batches: 'down' | 'missing' = 'down';
    let tries = 0;
    const outbox = createOutbox({
      storage: await freshStorage(),
      lockName: `lock-${namespace}`,
      deliver: async (item) => void sent.push(item.id),
      many: {
        fits: () => true,
        send: async () => {
          tries++;
          throw batches == 'down' ? problem(503, 60_000) : problem(404);
        },
      },
    });
    await Promise.all(['m1', 'm2', 'm3', 'm4', 'm5'].map((id) => outbox.enqueue('message', 'lane', id, {}))); // one frame: one run
    await outbox.flush();
    expect(sent).to.deep.equal([]);
    expect((await outbox.pending()).map((item) => item.state)).to.deep.equal(['queued', 'queued', 'queued', 'queued', 'queued']);
    batches = 'missing';
    tries = 0;
    await outbox.kick();
    expect(sent).to.deep.equal(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(tries).to.equal(1, 'one refused run, then the rest of the pass one by one');
    expect(await outbox.pending()).to.deep.equal([]);
    outbox.stop();
  });

  it('works over MemoryAdapter: delivered once each, in order, and its validation failure marks the item failed', async () => {
    const adapter = new MemoryAdapter();
    await adapter.startSession({ site: 'pk_demo' });
    const conversation = await adapter.createConversation({ clientId: crypto.randomUUID() });
    const outbox = createOutbox({
      storage: await freshStorage(),
      lockName: `lock-${namespace}`,
      deliver: (item) => adapter.postMessage(conversation.id, item.payload as { clientId: string; text: string }),
    });
    const texts = ['one', '', 'two', 'three'];
    const items = await Promise.all(texts.map((text) => {
      const clientId = crypto.randomUUID();
      return outbox.enqueue('message', conversation.id, clientId, { clientId, text });
    }));
    await outbox.flush();
    const mine = (await adapter.listMessages(conversation.id)).messages.filter((m) => m.author == 'shopper');
    expect(mine.map((m) => m.text)).to.deep.equal(['one', 'two', 'three']);
    const [failed] = await outbox.pending();
    expect(failed?.id).to.equal(items[1]!.id);
    expect(failed?.status).to.equal(400);
    // A resend after a lost answer is replayed by the adapter, not stored again.
    await adapter.postMessage(conversation.id, items[0]!.payload);
    expect((await adapter.listMessages(conversation.id)).messages.filter((m) => m.author == 'shopper')).to.have.length(3);
  });

  it('enqueues and flushes 1,000 writes (timings printed, not asserted)', async function () {
    this.timeout(30_000);
    const storage = await freshStorage();
    const outbox = createOutbox({ storage, lockName: `lock-${namespace}` });
    let t = performance.now();
    await Promise.all(Array.from({ length: 1000 }, (_, i) => outbox.enqueue('message', `lane-${i % 3}`, `m${i}`, { text: `message ${i}` })));
    const enqueueMs = performance.now() - t;
    let delivered = 0;
    outbox.register('message', async () => ({ ok: ++delivered }));
    t = performance.now();
    await outbox.flush();
    const flushMs = performance.now() - t;
    expect(delivered).to.equal(1000);
    expect(await storage.list('outbox')).to.have.length(0);
    console.log(`outbox: enqueue 1,000 in ${enqueueMs.toFixed(0)} ms, flush 1,000 in ${flushMs.toFixed(0)} ms (wall clock, no throttling)`);
  });
});
