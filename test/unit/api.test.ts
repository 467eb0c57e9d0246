/**
 * The JS API (design §2) through the npm entry, `createKefu`, against a MemoryAdapter in real
 * Chromium: the queue, init's checks, every call's argument checks, events, identity, context,
 * consent, locale and theme, inline mode and what destroy leaves behind. The same facade is
 * `window.Kefu` (test/unit/loader.test.ts checks the built loader).
 */
import { expect } from 'chai';
import type { Conversation, ConversationCreate, SessionRequest } from '../../src/api/schemas';
import { MemoryAdapter } from '../../src/client/MemoryAdapter';
import { createKefu, type KefuApi, type KefuOptions } from '../../src/index';
import { $, shadow, until } from './dom';
import { orderFixture } from './fixtures';

let sites = 0;
const site = () => `pk_api${Date.now().toString(36)}${sites++}`;

/** Resolves with the event's payload the next time it fires. */
const next = (kefu: KefuApi, event: Parameters<KefuApi['on']>[0]) =>
  new Promise<unknown>((resolve) => {
    const off = kefu.on(event, (data) => {
      off();
      resolve(data);
    });
  });


/** Silences and records console.error / console.warn for the duration of a test. */
function quietConsole() {
  const lines: string[] = [];
  const { error, warn } = console;
  console.error = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
  console.warn = console.error;
  return { lines, restore: () => Object.assign(console, { error, warn }) };
}

/** An adapter that records what the widget asked of it. */
function recordingAdapter(bot: (text: string) => string | undefined = (text) => `echo: ${text}`) {
  const adapter = new MemoryAdapter({ bot });
  const sessions: SessionRequest[] = [];
  const created: ConversationCreate[] = [];
  const startSession = adapter.startSession.bind(adapter);
  const createConversation = adapter.createConversation.bind(adapter);
  adapter.startSession = (request) => (sessions.push(request), startSession(request));
  adapter.createConversation = (body): Promise<Conversation> => (created.push(body), createConversation(body));
  return { adapter, sessions, created };
}

async function dbKeys(name: string): Promise<IDBValidKey[] | null> {
  if (!(await indexedDB.databases()).some((db) => db.name === name)) return null;
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    if (!db.objectStoreNames.contains('kv')) return [];
    return await new Promise((resolve, reject) => {
      const request = db.transaction('kv').objectStore('kv').getAllKeys();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

describe('JS API (createKefu)', () => {
  let kefu: KefuApi | undefined;
  let console_: ReturnType<typeof quietConsole>;
  beforeEach(() => (console_ = quietConsole()));
  afterEach(async () => {
    await kefu?.destroy();
    kefu = undefined;
    console_.restore();
    document.querySelectorAll('kefu-root, .test-container').forEach((node) => node.remove());
  });

  it('calls made before init wait and then run in order; init resolves once the panel checked the options', async () => {
    const { adapter, created } = recordingAdapter();
    kefu = createKefu();
    const order: string[] = [];
    for (const event of ['ready', 'open', 'message'] as const) kefu.on(event, () => order.push(event));
    const calls = [kefu.setContext({ page: '/cart' }), kefu.open('help'), kefu.ask('first question')];
    expect(document.querySelector('kefu-root'), 'nothing is drawn before init').to.equal(null);
    await kefu.init({ site: site(), adapter });
    expect(order, 'init resolves after the panel is ready').to.deep.equal(['ready', 'open']);
    await Promise.all(calls);
    await until(() => order.includes('message'), 'the bot reply');
    expect(order).to.deep.equal(['ready', 'open', 'message']);
    expect(created[0]!.context!.page, 'setContext ran before the question').to.equal('/cart');
    expect($('[role=dialog]')!.dataset.view).to.equal('chat', 'open(help) ran before ask, which opens the chat');
    expect($('.msg.shopper p')!.textContent).to.equal('first question');
  });

  it('init rejects a wrong option with its name (cheap checks at once, schema checks from the panel) and leaves nothing behind', async () => {
    kefu = createKefu();
    const adapter = new MemoryAdapter();
    const cases: [Record<string, unknown> | null, RegExp][] = [
      [null, /"site"/],
      ['pk_demo' as unknown as Record<string, unknown>, /unknown option "0"/],
      [{ site: site(), adapter, colour: 'red' }, /unknown option "colour"/],
      [{ site: site(), adapter, launcher: 'no' }, /"launcher"/],
      [{ site: site(), adapter, position: 'top' }, /"position"/],
      [{ site: 'demo', adapter }, /"site"/],
      [{ site: site(), adapter, context: { page: 42 } }, /"context\.page"/],
      [{ site: site(), adapter, context: { colour: 'red' } }, /"context\.colour"/],
      [{ site: site(), adapter, user: { token: '' } }, /"user\.token"/],
      [{ site: site(), adapter, container: '#no-such-element' }, /"container"/],
    ];
    for (const [options, name] of cases) {
      const error = await kefu.init(options as KefuOptions).then(() => null, (e: Error) => e);
      expect(error, JSON.stringify(options)).to.be.instanceOf(TypeError);
      expect(error!.message).to.match(name).and.to.match(/^Kefu init/);
      expect(document.querySelector('kefu-root'), `no node left after ${name}`).to.equal(null);
    }
    await kefu.init({ site: site(), adapter });
    expect(document.querySelectorAll('kefu-root')).to.have.length(1);
  });

  it('every call checks its arguments: a wrong one rejects naming it, is logged and emitted as error, never thrown', async () => {
    kefu = createKefu();
    const errors: unknown[] = [];
    kefu.on('error', (error) => errors.push(error));
    await kefu.init({ site: site(), adapter: new MemoryAdapter() });
    const api = kefu as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const cases: [string, unknown[], RegExp][] = [
      ['open', ['settings'], /Kefu\.open: view/],
      ['open', [{ article: '' }], /Kefu\.open: view/],
      ['open', [{ article: 'a1', ticket: 't1' }], /Kefu\.open: view/],
      ['ask', [''], /Kefu\.ask: text/],
      ['ask', [42], /Kefu\.ask: text/],
      ['startComplaint', [{ order: 'o1' }], /Kefu\.startComplaint: details "order"/],
      ['startRefund', [{}], /Kefu\.startRefund: details "orderId"/],
      ['startRefund', [{ orderId: 'o1', items: [{ orderItemId: 'i1', quantity: 0 }] }], /"items\.0\.quantity"/],
      ['identify', [{}], /Kefu\.identify: user "token"/],
      ['setContext', [{ page: 1 }], /Kefu\.setContext: context "page"/],
      ['setContext', [{ tags: 'sale' }], /"tags"/],
      ['setLocale', [3], /Kefu\.setLocale: locale/],
      ['setTheme', ['pink'], /Kefu\.setTheme: theme/],
      ['consent', ['yes'], /Kefu\.consent: granted/],
    ];
    for (const [name, args, message] of cases) {
      let promise: Promise<unknown> | undefined;
      expect(() => (promise = api[name]!(...args)), `${name} does not throw`).not.to.throw();
      const error = await promise!.then(() => null, (e: Error) => e);
      expect(error, `${name}(${JSON.stringify(args)})`).to.be.instanceOf(TypeError);
      expect(error!.message).to.match(message);
    }
    expect(errors).to.have.length(cases.length);
    expect(console_.lines.filter((line) => line.startsWith('[kefu]'))).to.have.length(cases.length);
    const unknown = await (kefu as unknown as (...a: unknown[]) => Promise<unknown>)('frobnicate').catch((e: Error) => e);
    expect(String(unknown)).to.match(/unknown command "frobnicate"/);
  });

  it('after destroy every call rejects clearly and the nodes are gone; init may run again', async () => {
    kefu = createKefu({ site: site(), adapter: new MemoryAdapter() });
    await next(kefu, 'ready');
    await kefu.open();
    await until(() => $('[role=dialog]'));
    await kefu.destroy();
    expect(document.querySelector('kefu-root')).to.equal(null);
    for (const call of [() => kefu!.open(), () => kefu!.ask('hi'), () => kefu!.setLocale('en'), () => kefu!.logout()]) {
      const error = await call().then(() => null, (e: Error) => e);
      expect(String(error)).to.match(/destroyed; call init first/);
    }
    expect(kefu.unread).to.equal(0);
    // An init still waiting for the panel when destroy comes settles too (quietly: the host asked for it).
    const logged = console_.lines.length;
    const pending = kefu.init({ site: site(), adapter: new MemoryAdapter() });
    await kefu.destroy();
    expect(await pending.then(() => 'resolved', (e: Error) => e.message)).to.equal('resolved');
    expect(console_.lines.slice(logged)).to.deep.equal([]);
    await kefu.init({ site: site(), adapter: new MemoryAdapter() });
    await kefu.open();
    await until(() => $('textarea'));
  });

  it('ready reaches a late listener; open and close fire; unread counts on the bubble while closed, title untouched', async () => {
    const { adapter } = recordingAdapter((text) => (text === 'silent' ? undefined : `re: ${text}`));
    kefu = createKefu({ site: site(), adapter });
    await next(kefu, 'ready');
    let late = 0;
    kefu.on('ready', () => late++);
    expect(late, 'ready is delivered to a listener added after it fired').to.equal(1);
    const title = document.title;
    const opened = next(kefu, 'open');
    await kefu.ask('silent');
    await opened;
    await until(() => $('.msg.shopper[data-status=sent]'), 'the question delivered');
    const launcher = $('button.kefu-launcher')!;
    expect(launcher.getAttribute('aria-expanded')).to.equal('true');
    const closed = next(kefu, 'close');
    await kefu.close();
    await closed;
    expect(launcher.getAttribute('aria-expanded')).to.equal('false');
    const { conversations } = await adapter.listConversations();
    const unread = next(kefu, 'unread');
    await adapter.postMessage(conversations[0]!.id, { clientId: crypto.randomUUID(), text: 'agent side' });
    expect(await unread).to.equal(1);
    expect(kefu.unread).to.equal(1);
    await until(() => launcher.querySelector('b')!.textContent === '1', 'the badge');
    expect(launcher.getAttribute('aria-label')).to.match(/1/);
    expect(document.title, 'the title is the host\'s without titleBadge').to.equal(title);
    await kefu.open();
    expect(kefu.unread).to.equal(0);
    expect(launcher.querySelector('b')!.textContent).to.equal('');
  });

  it('titleBadge: true prefixes the document title with the unread count, and restores it', async () => {
    const { adapter } = recordingAdapter();
    document.title = 'Shop';
    kefu = createKefu({ site: site(), adapter, titleBadge: true });
    await kefu.ask('hello');
    await until(() => $('.msg.bot'));
    await kefu.close();
    const { conversations } = await adapter.listConversations();
    const unread = next(kefu, 'unread');
    await adapter.postMessage(conversations[0]!.id, { clientId: crypto.randomUUID(), text: 'more' });
    await unread;
    expect(document.title).to.equal('(1) Shop');
    await kefu.destroy();
    expect(document.title).to.equal('Shop');
  });

  it('open(view) accepts every view of the design and passes it to the panel', async () => {
    kefu = createKefu({ site: site(), adapter: new MemoryAdapter() });
    for (const [view, shown] of [['home', 'home'], ['help', 'help'], ['orders', 'orders'], ['tickets', 'tickets'],
      [{ article: 'a1' }, 'article'], [{ ticket: 't1' }, 'ticket'], [{ order: 'o1' }, 'order'], ['chat', 'chat']] as const) {
      await kefu.open(view);
      await until(() => $('[role=dialog]')?.dataset.view === shown, `view ${shown}`);
    }
  });

  it('startComplaint and startRefund open their forms, about the order and with the items chosen', async () => {
    const order = orderFixture();
    kefu = createKefu({ site: site(), adapter: new MemoryAdapter({ orders: [order] }), locale: 'en', user: { token: 'signed' } });
    await kefu.startComplaint({ orderId: order.id });
    await until(() => ($('#kefu-complaint-order') as HTMLSelectElement | null)?.value === order.id, 'the complaint form about the order');
    await kefu.startRefund({ orderId: order.id, items: [{ orderItemId: 'i_lamp', quantity: 2 }] });
    await until(() => ($('input[type=number]') as HTMLInputElement | null)?.value === '2', 'the refund form with 2 lamps');
    expect($('.total')!.textContent).to.contain('78.00');
  });

  it('setContext is kept and sent with the new conversation; trackNavigation follows the router without timers', async () => {
    const start = location.pathname;
    try {
      const first = recordingAdapter();
      kefu = createKefu({ site: site(), adapter: first.adapter, trackNavigation: true, context: { page: '/ignored' } });
      await next(kefu, 'ready');
      await kefu.setContext({ page: '/product/9', productId: 'p_9', tags: ['lamp'] });
      history.pushState(null, '', '/shop/lamps'); // The host's router: no event of ours, no polling.
      await kefu.ask('Is this lamp dimmable?');
      await until(() => first.created.length === 1, 'the conversation');
      expect(first.created[0]!.context).to.include({ page: '/shop/lamps', productId: 'p_9' });
      expect(first.created[0]!.context!.tags).to.deep.equal(['lamp']);
      expect(first.created[0]!.context!.locale).to.be.oneOf(['en', 'zh-CN']);
      expect(first.created[0]!.context!.device).to.be.oneOf(['desktop', 'tablet', 'mobile']);
      await kefu.destroy();

      const second = recordingAdapter();
      await kefu.init({ site: site(), adapter: second.adapter, trackNavigation: true });
      window.dispatchEvent(new CustomEvent('kefu:navigate', { detail: { page: '/checkout' } }));
      await kefu.ask('And shipping?');
      await until(() => second.created.length === 1, 'the second conversation');
      expect(second.created[0]!.context!.page).to.equal('/checkout');
      await kefu.destroy();

      const untracked = recordingAdapter();
      await kefu.init({ site: site(), adapter: untracked.adapter, context: { page: '/product/9' } });
      history.pushState(null, '', '/elsewhere');
      await kefu.ask('Without tracking?');
      await until(() => untracked.created.length === 1, 'the third conversation');
      expect(untracked.created[0]!.context!.page, 'without trackNavigation the host context stands').to.equal('/product/9');
    } finally {
      history.replaceState(null, '', start);
    }
  });

  it('setLocale and setTheme switch live: panel text, bubble label, theme attribute', async () => {
    kefu = createKefu({ site: site(), adapter: new MemoryAdapter(), locale: 'en', theme: 'light' });
    await kefu.open();
    await until(() => $('#kefu-title')?.textContent === 'Help');
    expect($('button.kefu-launcher')!.getAttribute('aria-label')).to.equal('Open help');
    await kefu.setLocale('zh-CN');
    await until(() => $('#kefu-title')?.textContent === '客服中心', 'the Chinese title');
    expect($('button.kefu-launcher')!.getAttribute('aria-label')).to.equal('打开客服');
    expect($('[role=dialog]')!.getAttribute('lang')).to.equal('zh-CN');
    await kefu.setTheme('dark');
    expect(document.querySelector('kefu-root')!.getAttribute('data-theme')).to.equal('dark');
    expect(getComputedStyle($('.panel')!).backgroundColor).to.equal('rgb(27, 27, 31)');
  });

  it("consent 'pending' stores nothing until consent(true), which moves to IndexedDB; consent(false) wipes", async () => {
    const name = site();
    kefu = createKefu({ site: name, adapter: new MemoryAdapter(), consent: 'pending' });
    await kefu.ask('Before consent');
    await until(() => $('.msg.shopper[data-status=sent]') && $('.msg.bot'), 'the round trip');
    expect(await dbKeys(`kefu:${name}`), 'no database before consent').to.equal(null);
    expect(localStorage.length).to.equal(0);
    await kefu.consent(true);
    expect(await dbKeys(`kefu:${name}`)).to.deep.include('conversation');
    await kefu.ask('After consent');
    await until(() => shadow()!.querySelectorAll('.msg.shopper[data-status=sent]').length === 2, 'the second message');
    await kefu.consent(false);
    expect(await dbKeys(`kefu:${name}`), 'the database is deleted').to.equal(null);
    await kefu.ask('After refusal');
    await until(() => shadow()!.querySelectorAll('.msg.shopper[data-status=sent]').length === 3, 'the third message');
    expect(await dbKeys(`kefu:${name}`), 'still nothing stored').to.equal(null);
  });

  it('identify opens a signed-in session with the token; logout wipes kefu:<site> and starts a new anonymous one', async () => {
    const name = site();
    const { adapter, sessions } = recordingAdapter();
    kefu = createKefu({ site: name, adapter });
    await kefu.identify({ token: 'before.start.token' });
    expect(sessions, 'identify before the first open only keeps the token').to.deep.equal([]);
    await kefu.ask('hello');
    await until(() => $('.msg.bot'));
    expect(sessions).to.deep.equal([{ site: name, userToken: 'before.start.token' }]);
    expect(await dbKeys(`kefu:${name}`)).to.deep.include('conversation');
    await kefu.identify({ token: 'another.user.token' });
    expect(sessions.at(-1)).to.deep.equal({ site: name, userToken: 'another.user.token' });
    await kefu.logout();
    expect(sessions.at(-1), 'a new anonymous session').to.deep.equal({ site: name });
    expect(await dbKeys(`kefu:${name}`) ?? [], 'the site database is wiped').not.to.deep.include('conversation');
  });

  it('inline mode mounts the open panel in the merchant element: no bubble, own shadow root, focus left alone', async () => {
    const box = Object.assign(document.createElement('section'), { className: 'test-container' });
    box.style.blockSize = '500px';
    const field = document.createElement('input');
    document.body.append(box, field);
    field.focus();
    kefu = createKefu({ site: site(), adapter: new MemoryAdapter(), container: '.test-container' });
    await next(kefu, 'open');
    const host = box.querySelector('kefu-root')!;
    expect(host, 'mounted inside the container').to.be.instanceOf(HTMLElement);
    expect(host.shadowRoot!.querySelector('button.kefu-launcher')).to.equal(null);
    await until(() => host.shadowRoot!.querySelector('textarea'));
    expect(host.shadowRoot!.querySelector('.panel')!.getBoundingClientRect().height).to.be.greaterThan(300);
    expect(document.activeElement, 'the page keeps its focus').to.equal(field);
    field.remove();
  });

  it('destroy releases every listener, timer and idle callback the widget took', async () => {
    // Everything the widget's code (anything under /src/) registers on the page's global objects.
    const live = new Map<string, number>();
    const ours = () => new Error().stack!.split('\n').slice(2).some((line) => line.includes('/src/'));
    const restore: (() => void)[] = [];
    const patch = <T extends object, K extends keyof T>(target: T, key: K, wrap: (original: T[K]) => T[K]) => {
      const original = target[key];
      target[key] = wrap(original);
      restore.push(() => void (target[key] = original));
    };
    const count = (key: string, delta: number) => live.set(key, (live.get(key) ?? 0) + delta);
    const targets: [string, EventTarget][] = [['window', window], ['document', document]];
    if (window.visualViewport) targets.push(['viewport', window.visualViewport]);
    const navigation = (window as unknown as { navigation?: EventTarget }).navigation;
    if (navigation) targets.push(['navigation', navigation]);
    for (const [label, target] of targets) {
      const ids = new WeakMap<object, number>();
      let n = 0;
      const key = (type: string, fn: unknown) => {
        if (!ids.has(fn as object)) ids.set(fn as object, ++n);
        return `${label}:${type}:${ids.get(fn as object)}`;
      };
      // Own properties shadow EventTarget.prototype on this object only.
      const add = target.addEventListener;
      const remove = target.removeEventListener;
      Object.defineProperty(target, 'addEventListener', {
        configurable: true,
        value(this: EventTarget, type: string, fn: unknown, ...rest: unknown[]) {
          if (ours()) count(key(type, fn), 1);
          return (add as (...a: unknown[]) => void).call(this, type, fn, ...rest);
        },
      });
      Object.defineProperty(target, 'removeEventListener', {
        configurable: true,
        value(this: EventTarget, type: string, fn: unknown, ...rest: unknown[]) {
          if ((live.get(key(type, fn)) ?? 0) > 0) count(key(type, fn), -1);
          return (remove as (...a: unknown[]) => void).call(this, type, fn, ...rest);
        },
      });
      restore.push(() => {
        delete (target as unknown as Record<string, unknown>).addEventListener;
        delete (target as unknown as Record<string, unknown>).removeEventListener;
      });
    }
    const timers = new Set<unknown>();
    patch(window, 'setTimeout', (original) => ((fn: () => void, ms?: number, ...rest: unknown[]) => {
      if (!ours()) return original(fn, ms, ...rest);
      const id = original(() => {
        timers.delete(id);
        fn();
      }, ms);
      timers.add(id);
      return id;
    }) as typeof setTimeout);
    patch(window, 'clearTimeout', (original) => ((id?: number) => {
      timers.delete(id);
      original(id);
    }) as typeof clearTimeout);
    const idles = new Set<number>();
    patch(window, 'requestIdleCallback', (original) => ((fn: IdleRequestCallback, options?: IdleRequestOptions) => {
      const id = original((deadline) => {
        idles.delete(id);
        fn(deadline);
      }, options);
      if (ours()) idles.add(id);
      return id;
    }) as typeof requestIdleCallback);
    patch(window, 'cancelIdleCallback', (original) => ((id: number) => {
      idles.delete(id);
      original(id);
    }) as typeof cancelIdleCallback);
    const channels = new Set<BroadcastChannel>();
    patch(window, 'BroadcastChannel', (Original) => class extends Original {
      constructor(name: string) {
        super(name);
        channels.add(this);
      }
      override close() {
        channels.delete(this);
        super.close();
      }
    } as typeof BroadcastChannel);

    try {
      const adapter = new MemoryAdapter();
      kefu = createKefu({ site: site(), adapter, trackNavigation: true, titleBadge: true });
      await kefu.ask('hello');
      await until(() => $('.msg.bot'));
      await kefu.close();
      expect([...live.values()].some((n) => n > 0), 'the widget did listen to the page').to.equal(true);
      await kefu.destroy();
      const leaks = [...live].filter(([, n]) => n > 0).map(([key]) => key);
      expect(leaks, 'listeners left on window, document, viewport or navigation').to.deep.equal([]);
      expect(timers.size, 'timers left').to.equal(0);
      expect(idles.size, 'idle callbacks left').to.equal(0);
      expect(channels.size, 'BroadcastChannels left open').to.equal(0);
      expect(document.querySelector('kefu-root')).to.equal(null);
      expect(await navigator.locks.query()).to.deep.include({ held: [], pending: [] });
    } finally {
      for (const undo of restore.reverse()) undo();
    }
  });
});
