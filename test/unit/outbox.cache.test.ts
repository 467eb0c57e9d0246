/** The offline reading cache (design §5.6): stale-while-revalidate, per site and per user, wiped on logout. */
import { expect } from 'chai';
import { KefuError } from '../../src/client/errors';
import { createCache } from '../../src/offline/cache';
import { memoryStorage, openStorage, type Storage } from '../../src/offline/storage';

let n = 0;
const fresh = () => openStorage(`cache-${Date.now()}-${++n}`);
const offline = () => Promise.reject(new KefuError('network', 'offline'));

describe('offline cache', () => {
  it('without a copy waits for the load, and keeps what it loaded', async () => {
    const storage = await fresh();
    const cache = createCache(storage, 'u:alice');
    const read = await cache.read('faq:en', async () => ({ articles: ['a'] }));
    expect(read).to.deep.include({ value: { articles: ['a'] }, stale: false });
    expect(await read.fresh).to.deep.equal({ articles: ['a'] });
    const again = await cache.read('faq:en', offline);
    expect(again).to.deep.include({ value: { articles: ['a'] }, stale: true });
    expect(again.at).to.be.within(Date.now() - 5_000, Date.now());
  });

  it('answers the stored copy at once, then the fresh one, and stores that', async () => {
    const storage = await fresh();
    const cache = createCache(storage, 'u:alice');
    await cache.put('orders', ['old']);
    let resolve!: (value: string[]) => void;
    const read = await cache.read('orders', () => new Promise<string[]>((r) => (resolve = r)));
    expect(read).to.deep.include({ value: ['old'], stale: true }, 'the copy, before the network answered');
    resolve(['new']);
    expect(await read.fresh).to.deep.equal(['new']);
    expect((await cache.read('orders', offline)).value).to.deep.equal(['new']);
  });

  it('offline with a copy: the copy, and `fresh` tells the failure; without a copy: the failure', async () => {
    const cache = createCache(await fresh(), 'v:1');
    await cache.put('tickets', ['t1']);
    const read = await cache.read('tickets', offline);
    expect(read.value).to.deep.equal(['t1']);
    const failure = await read.fresh.catch((error: unknown) => error);
    expect(failure).to.be.instanceOf(KefuError);
    const none = await cache.read('conversations', offline).catch((error: unknown) => error);
    expect((none as KefuError).code).to.equal('network');
  });

  it('loads once for concurrent reads of one name', async () => {
    const cache = createCache(memoryStorage(), 'v:1');
    let loads = 0;
    const load = async () => ++loads;
    await Promise.all([cache.read('faq:zh-CN', load), cache.read('faq:zh-CN', load), cache.read('faq:zh-CN', load)]);
    expect(loads).to.equal(1);
  });

  it('keeps users apart, and wipe() forgets one user (logout) or everyone', async () => {
    const storage: Storage = await fresh();
    const alice = createCache(storage, 'u:alice');
    const bob = createCache(storage, 'u:bob');
    await alice.put('orders', ['alice-order']);
    await bob.put('orders', ['bob-order']);
    await storage.set('session', { token: 'kept' });
    expect((await bob.read('orders', offline)).value).to.deep.equal(['bob-order']);
    await alice.wipe();
    expect(await alice.read('orders', offline).catch(() => 'gone')).to.equal('gone');
    expect((await bob.read('orders', offline)).value).to.deep.equal(['bob-order']);
    await alice.wipe('u:bob');
    expect(await bob.read('orders', offline).catch(() => 'gone')).to.equal('gone');
    await alice.put('faq', 1);
    await bob.put('faq', 2);
    await bob.wipe('*');
    expect(await storage.list('cache')).to.deep.equal([]);
    expect(await storage.get('session')).to.deep.equal({ token: 'kept' }, 'only the cache is wiped');
  });
});
