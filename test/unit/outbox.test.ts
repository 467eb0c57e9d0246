import { expect } from 'chai';
import { HttpError, KefuError } from '../../src/client/errors';
import { createOutbox, type OutboxItem } from '../../src/offline/outbox';
import { memoryStorage, openStorage, type Storage } from '../../src/offline/storage';

let namespace = 0;
/** A fresh, real IndexedDB database per test. */
const freshStorage = () => openStorage(`test-${Date.now()}-${++namespace}`);
const problem = (status: number, retryAfterMs?: number) =>
  new HttpError(status, { type: 'about:blank', title: `status ${status}`, status }, retryAfterMs);

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
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
    const delivered = deferred();
    const outbox = createOutbox({
      storage,
      lockName: `lock-${namespace}`,
      deliver: async () => {
        storedAtSend.push((await storage.list('outbox')).length);
        return answer.promise;
      },
      onDelivered: () => delivered.resolve(),
    });
    await outbox.enqueue('message', 'lane', 'a', { text: 'hello' });
    expect((await outbox.pending()).map((item) => item.id)).to.deep.equal(['a']);
    answer.resolve({ ok: true });
    await delivered.promise;
    await outbox.flush();
    expect(storedAtSend[0]).to.equal(1, 'the item was in IndexedDB when it was sent');
    expect(await outbox.pending()).to.deep.equal([]);
  });

  it('survives a reload: a second outbox on the same database finds and sends what the first left', async () => {
    const name = `reload-${Date.now()}`;
    const first = createOutbox({
      storage: await openStorage(name),
      lockName: `lock-${name}`,
      deliver: () => Promise.reject(new KefuError('network', 'offline')),
    });
    await first.enqueue('message', 'lane', 'kept', { text: 'written offline' });
    first.stop();
    const sent: string[] = [];
    const second = createOutbox({
      storage: await openStorage(name),
      lockName: `lock-${name}-2`,
      deliver: async (item) => sent.push(item.id),
    });
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
    // Stored directly so that no flush runs between the enqueues.
    for (const [seq, id, lane] of [[1, 'a1', 'a'], [2, 'b1', 'b'], [3, 'a2', 'a']] as const) {
      await storage.set(['outbox', seq, id], { id, kind: 'message', lane, payload: {}, key: ['outbox', seq, id], state: 'queued', attempts: 0 });
    }
    await outbox.flush();
    expect(sent).to.deep.equal(['b1']);
    const waiting = await outbox.pending();
    expect(waiting.map((item) => [item.id, item.attempts])).to.deep.equal([['a1', 1], ['a2', 0]]);
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
    await outbox.flush();
    expect(bodies).to.have.length(1, 'a failed item is not sent again by itself');
    reject = false;
    await outbox.retry('x', { text: 'shorter' });
    expect(bodies.at(-1)).to.deep.equal({ text: 'shorter' });
    expect(await outbox.pending()).to.deep.equal([]);

    reject = true;
    await outbox.enqueue('message', 'lane', 'y', { text: 'drop me' });
    await outbox.flush();
    await outbox.discard('y');
    expect(await outbox.pending()).to.deep.equal([]);
  });

  it('retries after an online event', async () => {
    const storage = await freshStorage();
    let online = false;
    const delivered = deferred();
    const outbox = createOutbox({
      storage,
      lockName: `lock-${namespace}`,
      deliver: async () => {
        if (!online) throw new KefuError('network', 'offline');
      },
      onDelivered: () => delivered.resolve(),
    });
    outbox.start();
    await outbox.enqueue('message', 'lane', 'z', {});
    await outbox.flush();
    expect(await outbox.pending()).to.have.length(1);
    online = true;
    dispatchEvent(new Event('online'));
    await delivered.promise;
    outbox.stop();
  });

  it('falls back to a memory store that says it is not durable', async () => {
    const storage: Storage = memoryStorage();
    expect(storage.durable).to.equal(false);
    await storage.set(['outbox', 2, 'b'], 'second');
    await storage.set(['outbox', 1, 'a'], 'first');
    await storage.set('session', 'other');
    expect(await storage.list('outbox')).to.deep.equal(['first', 'second']);
  });
});
