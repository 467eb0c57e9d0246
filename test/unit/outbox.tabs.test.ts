/**
 * Several outboxes on one database and one lock name: what several tabs of a shop do. (Two
 * instances in one page share IndexedDB, the Web Lock and the BroadcastChannel exactly as two tabs
 * do; the end-to-end fault test does it with real tabs.)
 */
import { expect } from 'chai';
import { HttpError } from '../../src/client/errors';
import { createOutbox, type Outbox, type OutboxEvent, type OutboxItem } from '../../src/offline/outbox';
import { openStorage } from '../../src/offline/storage';

let n = 0;
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves with the first event the outbox tells that matches. */
const heard = (outbox: Outbox, match: (event: OutboxEvent) => boolean) =>
  new Promise<OutboxEvent>((resolve) => {
    const off = outbox.subscribe((event) => {
      if (!match(event)) return;
      off();
      resolve(event);
    });
  });
const about = (type: OutboxEvent['type'], id: string) => (event: OutboxEvent) =>
  event.type == type && 'item' in event && event.item.id == id;

/**
 * `tabs` outboxes over one database and lock name, with a delivery that records who sent what and
 * how many sends of the same item (and in all) were in flight at once.
 */
async function tabs(count: number) {
  const name = `tabs-${Date.now()}-${++n}`;
  const sends: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const perItem = new Map<string, number>();
  let maxPerItem = 0;
  let gate: Promise<void> = Promise.resolve();
  const outboxes: Outbox[] = [];
  for (let i = 0; i < count; i++) {
    const outbox = createOutbox({
      storage: await openStorage(name),
      lockName: name,
      deliver: async (item) => {
        inFlight++;
        perItem.set(item.id, (perItem.get(item.id) ?? 0) + 1);
        maxInFlight = Math.max(maxInFlight, inFlight);
        maxPerItem = Math.max(maxPerItem, perItem.get(item.id)!);
        try {
          await gate;
          sends.push(`${i}:${item.id}`);
          return { by: i };
        } finally {
          inFlight--;
          perItem.set(item.id, perItem.get(item.id)! - 1);
        }
      },
    });
    outboxes.push(outbox);
  }
  return {
    name,
    outboxes,
    sends,
    get maxInFlight() {
      return maxInFlight;
    },
    get maxPerItem() {
      return maxPerItem;
    },
    hold() {
      const open = deferred();
      gate = open.promise;
      return open.resolve;
    },
    stop: () => outboxes.forEach((outbox) => outbox.stop()),
  };
}

const ids = (sends: string[]) => sends.map((send) => send.split(':')[1]).sort();

describe('outbox across tabs', () => {
  it('never sends one item twice, nor two at once, when several tabs flush together (Web Locks)', async () => {
    const t = await tabs(3);
    const release = t.hold();
    const [a, b, c] = t.outboxes as [Outbox, Outbox, Outbox];
    await Promise.all([a.enqueue('message', 'x', 'a1', {}), b.enqueue('message', 'x', 'b1', {}), c.enqueue('message', 'y', 'c1', {})]);
    const flushes = [a.flush(), b.flush(), c.flush(), a.flush(), b.flush()];
    release();
    await Promise.all(flushes);
    expect(ids(t.sends)).to.deep.equal(['a1', 'b1', 'c1'], `sends: ${t.sends}`);
    expect(t.maxPerItem).to.equal(1);
    expect(t.maxInFlight).to.be.at.most(2, 'one flusher: at most one send per lane (two lanes here)');
    t.stop();
  });

  describe('without navigator.locks (plain http on a LAN host)', () => {
    let own: PropertyDescriptor | undefined;
    beforeEach(() => {
      own = Object.getOwnPropertyDescriptor(navigator, 'locks');
      Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true });
    });
    afterEach(() => {
      if (own) Object.defineProperty(navigator, 'locks', own);
      else delete (navigator as { locks?: unknown }).locks;
      expect(navigator.locks).to.be.instanceOf(LockManager);
    });

    it('a lease in IndexedDB makes one tab the flusher; the other asks it over BroadcastChannel to pass again', async () => {
      const t = await tabs(2);
      const [a, b] = t.outboxes as [Outbox, Outbox];
      a.start();
      b.start();
      const release = t.hold();
      await a.enqueue('message', 'x', 'a1', {}); // a takes the lease and is held in its send.
      const bSent = heard(b, about('sent', 'b1'));
      await b.enqueue('message', 'x', 'b1', {}); // b finds the lease taken and kicks a.
      release();
      await bSent; // Without the kick, b1 would wait until the holder's lease ran out.
      expect(ids(t.sends)).to.deep.equal(['a1', 'b1']);
      expect(t.maxPerItem).to.equal(1);
      expect(t.maxInFlight).to.equal(1);
      t.stop();
    });

    it('a lease left by a dead tab is taken over once it runs out, and not before', async () => {
      const t = await tabs(1);
      const [a] = t.outboxes as [Outbox];
      const storage = await openStorage(t.name);
      await storage.set(`${t.name}:lease`, { owner: 'a tab that died', until: Date.now() + 60_000 });
      await a.enqueue('message', 'x', 'a1', {});
      await a.flush();
      expect(t.sends).to.deep.equal([], 'the lease is still running');
      await storage.set(`${t.name}:lease`, { owner: 'a tab that died', until: Date.now() - 1 });
      await a.flush();
      expect(t.sends).to.deep.equal(['0:a1']);
      expect(await storage.get(`${t.name}:lease`)).to.equal(undefined, 'released after the flush');
      t.stop();
    });
  });

  it('tells every tab what one tab queued, sent and failed, and a retry from another tab goes through', async () => {
    const name = `reflect-${Date.now()}`;
    let reject = true;
    const deliver = async (item: OutboxItem) => {
      if ((item.payload as { bad?: boolean }).bad && reject) {
        throw new HttpError(422, { type: 'about:blank', title: 'Unprocessable', status: 422, detail: 'too long' });
      }
      return { id: `server-${item.id}` };
    };
    const a = createOutbox({ storage: await openStorage(name), lockName: name, deliver });
    const b = createOutbox({ storage: await openStorage(name), lockName: name, deliver });
    a.start();
    b.start();
    const events: string[] = [];
    b.subscribe((event) => events.push('item' in event ? `${event.type}:${event.item.id}` : event.type));

    const sent = heard(b, about('sent', 'm1'));
    await a.enqueue('message', 'c', 'm1', { text: 'hi' });
    await sent;
    expect(events.slice(0, 2)).to.deep.equal(['queued:m1', 'sent:m1'], 'sending, then sent, in the other tab');

    const failed = heard(b, about('failed', 'm2'));
    await a.enqueue('message', 'c', 'm2', { bad: true });
    const failure = (await failed) as { item: OutboxItem };
    expect(failure.item.reason).to.equal('422 Unprocessable: too long');
    expect(b.counts()).to.deep.equal({ queued: 0, failed: 1 });
    expect((await b.pending()).map((item) => item.id)).to.deep.equal(['m2']);

    reject = false;
    const retried = heard(a, about('sent', 'm2'));
    await b.retry('m2');
    await retried;
    expect(a.counts()).to.deep.equal({ queued: 0, failed: 0 });
    a.stop();
    b.stop();
  });

  it('holds nothing across pagehide, and catches up on pageshow (back from the bfcache)', async () => {
    const name = `bfcache-${Date.now()}`;
    const a = createOutbox({ storage: await openStorage(name), lockName: name, deliver: async () => 'ok' });
    const storage = await openStorage(name);
    const b = createOutbox({ storage, lockName: name }); // This tab has no delivery: a sends.
    a.start();
    b.start();
    const queued = heard(b, about('queued', 'm1'));
    const gate = deferred();
    a.register('message', () => gate.promise);
    await a.enqueue('message', 'c', 'm1', {});
    await queued;

    // b goes into the bfcache: its channel closes and its waiting lock request is withdrawn.
    void b.flush();
    dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
    const { pending = [] } = await navigator.locks.query();
    expect(pending.filter((lock) => lock.name == name)).to.deep.equal([]);
    const heardWhileHidden: string[] = [];
    const off = b.subscribe((event) => heardWhileHidden.push(event.type));
    gate.resolve();
    await a.flush();
    expect(await storage.list('outbox')).to.deep.equal([]);
    expect(heardWhileHidden).to.deep.equal([], 'a closed channel hears nothing');
    off();

    const caughtUp = heard(b, about('sent', 'm1'));
    dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    await caughtUp;
    expect(await b.pending()).to.deep.equal([]);
    a.stop();
    b.stop();
  });
});
