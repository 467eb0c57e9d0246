/**
 * The built loader on hostile and strict host pages, against the real reference server: the
 * bubble must be visible and clickable, the panel must open and a message must round-trip with no
 * console error — under aggressive global CSS, under patched built-ins, and under a strict CSP with
 * Trusted Types. Then what the JS API promises a host: no network and no storage before they are
 * needed, context from the host's router, identity in and out, and nothing left after destroy.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { AGENT_TOKEN } from '../server/harness';
import { useServerAndBrowser } from './browser';

const env = useServerAndBrowser('kefu-host-');


type KefuWindow = Window & { Kefu: import('../../src/embed/types').KefuGlobal };

const launcher = (page: Page) => page.locator('kefu-root').locator('button.kefu-launcher');
const panel = (page: Page) => page.locator('kefu-root').locator('.panel');

/** A page served on the server's own origin (so /kefu.js and the API are same-origin), with headers. */
async function hostPage(context: BrowserContext, path: string, html: string, headers: Record<string, string> = {}) {
  const page = await context.newPage();
  await page.route(`${env.server.base}${path}`, (route) =>
    route.fulfill({ contentType: 'text/html; charset=utf-8', headers, body: html }));
  return page;
}

/** Everything that would show a problem: console errors, page errors, failed requests, CSP reports. */
function watchProblems(page: Page) {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) problems.push(`${response.status()} ${response.url()}`);
  });
  page.on('requestfailed', (request) => {
    // The event stream is cut on purpose when the page goes away; anything else is a problem.
    if (!request.url().includes('/v1/events')) problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  return problems;
}

/** The bubble is on top where it is drawn: the point at its centre belongs to the widget. */
async function assertBubbleOnTop(page: Page) {
  await launcher(page).waitFor();
  assert.ok(await launcher(page).isVisible(), 'the bubble is visible');
  const box = (await launcher(page).boundingBox())!;
  assert.ok(box.width >= 40 && box.height >= 40, `the bubble has its size (${box.width}×${box.height})`);
  const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x!, y!)?.tagName, [box.x + box.width / 2, box.y + box.height / 2]);
  assert.equal(hit, 'KEFU-ROOT', 'nothing of the page covers the bubble');
}

/** Opens the panel with the bubble and sends a question; resolves when the bot's answer is shown. */
async function roundTrip(page: Page, text = 'Where is my parcel?') {
  await assertBubbleOnTop(page);
  await launcher(page).click();
  const input = panel(page).locator('textarea');
  await input.waitFor();
  await input.fill(text);
  await input.press('Enter');
  await panel(page).locator('.msg.shopper[data-status=sent]').last().waitFor();
  await panel(page).locator('.msg.bot').first().waitFor();
  assert.equal(await panel(page).locator('.msg.shopper p').last().textContent(), text);
}

const page = (body: string, head = '', attributes = 'lang="en"') =>
  `<!doctype html><html ${attributes}><head><meta charset="utf-8"><title>Host</title>${head}</head><body>${body}</body></html>`;

test('aggressive host CSS (all: unset !important, zoom, rtl, max z-index over the corner) cannot hide or break the widget', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const hostile = `<style>
    * { all: unset !important; }
    html { zoom: 2 !important; }
    body * { display: block !important; transform: translate(0) !important; contain: paint !important; }
    button, textarea, [role=dialog] { display: none !important; }
    .banner { position: fixed !important; inset: 0 0 auto 0 !important; height: 40px !important; z-index: 2147483647 !important; display: block !important; background: red !important; }
    .corner { position: fixed !important; inset-block-end: 0 !important; inset-inline-start: 0 !important; inset-inline-end: 0 !important; height: 200px !important; z-index: 2147483647 !important; display: block !important; background: rgb(0 0 255 / .3) !important; }
  </style>`;
  const tab = await hostPage(context, '/hostile.html',
    page('<div class="banner">Sale</div><div class="corner">Cookies?</div><p>Shop</p><button>Buy</button><script src="/kefu.js" data-site="pk_demo"></script>', hostile, 'lang="ar" dir="rtl"'));
  const problems = watchProblems(tab);
  await tab.goto(`${env.server.base}/hostile.html`);
  await roundTrip(tab);
  const [bubble, viewport] = [(await launcher(tab).boundingBox())!, tab.viewportSize()!];
  assert.ok(bubble.x < viewport.width / 2, 'on a right-to-left page the bubble sits at the inline end, on the left');
  assert.equal(await tab.evaluate(() => document.querySelector('kefu-root')!.parentElement!.tagName), 'BODY');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a host that freezes Array.prototype, wraps fetch and subclasses Promise still gets a working widget', async () => {
  const context = await env.browser.newContext();
  const patches = `<script>
    Object.defineProperty(Array.prototype, 'last', { value() { return this[this.length - 1]; }, enumerable: true });
    Array.prototype.remove = function (item) { return this.filter((x) => x !== item); };
    Object.freeze(Array.prototype);
    Object.freeze(Object.prototype.constructor);
    const nativeFetch = window.fetch;
    window.fetchCalls = 0;
    window.fetch = function (input, init) { window.fetchCalls++; return nativeFetch.call(this, input, init); };
    const NativePromise = Promise;
    const nativeThen = NativePromise.prototype.then;
    NativePromise.prototype.then = function (onFulfilled, onRejected) { return nativeThen.call(this, onFulfilled, onRejected); };
    window.Promise = class ZonePromise extends NativePromise {};
  </script>`;
  const tab = await hostPage(context, '/patched.html', page(`${patches}<p>Shop</p><script src="/kefu.js" data-site="pk_demo"></script>`));
  const problems = watchProblems(tab);
  await tab.goto(`${env.server.base}/patched.html`);
  await roundTrip(tab);
  assert.ok(await tab.evaluate(() => (window as unknown as { fetchCalls: number }).fetchCalls > 0), 'the widget went through the host\'s fetch');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a strict CSP without unsafe-inline and with Trusted Types required: no violation, the widget works', async () => {
  const context = await env.browser.newContext();
  const csp = "default-src 'self'; script-src 'self'; style-src 'self'; require-trusted-types-for 'script'; object-src 'none'; base-uri 'none'";
  const tab = await hostPage(context, '/strict.html', page('<p>Shop</p><script src="/kefu.js" data-site="pk_demo"></script>'), {
    'Content-Security-Policy': csp,
  });
  const problems = watchProblems(tab);
  await tab.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));
  });
  await tab.goto(`${env.server.base}/strict.html`);
  await roundTrip(tab);
  // The policy is really in force: an inline script of the page's own is refused.
  assert.deepEqual(problems, [], 'the widget caused no violation');
  // The policy is really in force: the page's own attempt at a script sink is refused.
  const inline = await tab.evaluate(() => {
    try {
      document.createElement('script').textContent = 'window.inlineRan = true';
      return 'allowed';
    } catch (error) {
      return String(error);
    }
  });
  assert.match(inline, /TrustedScript/);
  await context.close();
});

test("no API call before the shopper reaches for help; with consent 'pending' nothing is stored until consent(true)", async () => {
  const context = await env.browser.newContext();
  const tab = await hostPage(context, '/consent.html', page('<p>Shop</p><script src="/kefu.js" data-site="pk_demo" data-consent="pending"></script>'));
  const problems = watchProblems(tab);
  const requests: string[] = [];
  tab.on('request', (request) => requests.push(new URL(request.url()).pathname));
  await tab.goto(`${env.server.base}/consent.html`);
  await tab.evaluate(() => new Promise<void>((resolve) => (window as unknown as KefuWindow).Kefu.on('ready', () => resolve())));
  assert.deepEqual(requests.filter((path) => path.startsWith('/v1/')), [], 'no API call before the shopper opens help');
  assert.ok(requests.some((path) => /^\/panel-[\w-]+\.js$/.test(path)), 'the panel was preloaded at idle');
  await roundTrip(tab, 'Before consent');
  const stored = () => tab.evaluate(async () => ({
    databases: (await indexedDB.databases()).map((db) => db.name),
    local: localStorage.length,
    session: sessionStorage.length,
    cookie: document.cookie,
  }));
  assert.deepEqual(await stored(), { databases: [], local: 0, session: 0, cookie: '' }, 'nothing stored before consent');
  assert.ok(requests.includes('/v1/sessions'));
  await tab.evaluate(() => (window as unknown as KefuWindow).Kefu.consent(true));
  assert.deepEqual((await stored()).databases, ['kefu:pk_demo'], 'consent moves the session to IndexedDB');
  // The session now survives a reload: the same conversation comes back.
  await tab.reload();
  await tab.evaluate(() => (window as unknown as KefuWindow).Kefu.consent(true));
  await launcher(tab).click();
  await panel(tab).locator('[role=tab]', { hasText: 'Chat' }).click(); // The panel opens on Home.
  await panel(tab).locator('.msg.shopper p', { hasText: 'Before consent' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

/** The agent's view of the newest conversations (context and shopper), through the real agent API. */
async function agentConversations() {
  const response = await fetch(`${env.server.base}/v1/agent/conversations?status=bot,queued,agent,closed`, { headers: { Authorization: `Bearer ${AGENT_TOKEN}` } });
  assert.equal(response.status, 200);
  return ((await response.json()) as { conversations: { id: string; context: Record<string, unknown> | null; shopper: { user: { id: string } | null } }[] }).conversations;
}

test('SPA: setContext from the router and trackNavigation reach the agent with the conversation, no URL polling', async () => {
  const context = await env.browser.newContext();
  const tab = await hostPage(context, '/spa.html', page('<p>Shop</p><script src="/kefu.js" data-site="pk_demo" data-track-navigation="true"></script>'));
  const problems = watchProblems(tab);
  await tab.addInitScript(() => {
    // A widget that polls the URL would show up here: count timers armed by the widget's code.
    const native = window.setInterval;
    (window as unknown as { intervals: number }).intervals = 0;
    window.setInterval = ((fn: () => void, ms?: number) => {
      if (/kefu\.js|\/(?:panel|view|locale)-/.test(new Error().stack ?? '')) (window as unknown as { intervals: number }).intervals++;
      return native(fn, ms);
    }) as typeof setInterval;
  });
  await tab.goto(`${env.server.base}/spa.html`);
  await tab.evaluate(async () => {
    const { Kefu } = window as unknown as KefuWindow;
    await Kefu.setContext({ page: '/products/lamp', productId: 'p_lamp', tags: ['lamps'] });
    history.pushState(null, '', '/products/lamp/reviews');
    await Kefu.ask('Does the lamp come with a bulb?');
  });
  await panel(tab).locator('.msg.bot').first().waitFor();
  const mine = (await agentConversations()).find((c) => c.context?.productId === 'p_lamp');
  assert.ok(mine, 'the agent sees the conversation with its context');
  assert.equal(mine.context!.page, '/products/lamp/reviews', 'the route change was followed');
  assert.deepEqual(mine.context!.tags, ['lamps']);
  assert.equal(await tab.evaluate(() => (window as unknown as { intervals: number }).intervals), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('identify signs the shopper in and loads their history; logout wipes kefu:pk_demo and starts a new visitor', async () => {
  const context = await env.browser.newContext();
  const tab = await hostPage(context, '/account.html', page('<p>Shop</p><script src="/kefu.js" data-site="pk_demo"></script>'));
  const problems = watchProblems(tab);
  const token = async (user: string) => ((await (await fetch(`${env.server.base}/demo/token?user=${user}`)).json()) as { userToken: string }).userToken;
  const [alice, bob] = [await token('alice'), await token('bob')];
  const identify = (userToken: string) =>
    tab.evaluate((t) => (window as unknown as KefuWindow).Kefu.identify({ token: t }).then(() => 'signed in', (e: Error) => e.message), userToken);
  const storedKeys = () => tab.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve) => {
      const request = indexedDB.open('kefu:pk_demo');
      request.onsuccess = () => resolve(request.result);
    });
    const keys = await new Promise<IDBValidKey[]>((resolve) => {
      const request = db.transaction('kv').objectStore('kv').getAllKeys();
      request.onsuccess = () => resolve(request.result);
    });
    db.close();
    return keys.map((key) => JSON.stringify(key));
  });

  await tab.goto(`${env.server.base}/account.html`);
  await roundTrip(tab, 'Asked before signing in');
  assert.equal(await identify(alice), 'signed in');
  await tab.evaluate(() => (window as unknown as KefuWindow).Kefu.ask('Asked as alice'));
  await panel(tab).locator('.msg.shopper[data-status=sent] p', { hasText: 'Asked as alice' }).waitFor();
  const ofAlice = (await agentConversations()).filter((c) => c.shopper.user?.id === 'alice');
  assert.equal(ofAlice.length, 1, 'the agent sees alice signed in');

  await tab.evaluate(() => (window as unknown as KefuWindow).Kefu.logout());
  await panel(tab).locator('.msg').first().waitFor({ state: 'detached' });
  assert.ok(!(await storedKeys()).includes('"conversation"'), 'the previous shopper\'s conversation pointer is wiped');
  await tab.evaluate(() => (window as unknown as KefuWindow).Kefu.ask('Asked as a new visitor'));
  await panel(tab).locator('.msg.bot').first().waitFor();
  assert.equal(await panel(tab).locator('.msg.shopper').count(), 1, 'a new visitor starts with an empty history');
  assert.equal((await agentConversations()).filter((c) => c.shopper.user?.id === 'alice').length, 1, 'logout sent nothing as alice');

  assert.equal(await identify(bob), 'signed in');
  // Bob never sees alice's history (this fails by timeout if it stays).
  await panel(tab).locator('.msg.shopper p', { hasText: 'Asked as alice' }).waitFor({ state: 'detached' });
  assert.equal(await identify(alice), 'signed in');
  await panel(tab).locator('.msg.shopper p', { hasText: 'Asked as alice' }).waitFor();
  assert.equal(await panel(tab).locator('.msg.shopper p', { hasText: 'Asked as a new visitor' }).count(), 0, 'switching shoppers reloads their data');

  const refused = await identify('not.a.valid-token');
  assert.match(refused, /401/);
  problems.splice(0, problems.length, ...problems.filter((line) => !/401|invalid or expired/.test(line)));
  assert.deepEqual(problems, []);
  await context.close();
});

/**
 * Counts what the widget's own code (kefu.js and its panel chunk, told apart by the stack) takes
 * from the page: listeners on window, document, visualViewport and navigation, timers, event
 * streams (a fetch of /v1/events whose signal is never aborted stays open), BroadcastChannels.
 * Plain JavaScript: it runs in the page before anything else.
 */
const COUNT_WHAT_THE_WIDGET_TAKES = `(() => {
  const ours = () => /\\/kefu\\.js|\\/(?:panel|view|locale)-/.test(new Error().stack || '');
  const live = new Map();
  const count = (key, delta) => live.set(key, (live.get(key) || 0) + delta);
  const ids = new WeakMap();
  let n = 0;
  const id = (fn) => (ids.has(fn) ? ids.get(fn) : (ids.set(fn, ++n), n));
  const isGlobal = (target) => target === window || target === document || target === window.visualViewport || target === window.navigation;
  const proto = EventTarget.prototype;
  const add = proto.addEventListener;
  const remove = proto.removeEventListener;
  proto.addEventListener = function (type, fn, options) {
    if (fn && isGlobal(this) && ours()) count(type + ':' + id(fn), 1);
    return add.call(this, type, fn, options);
  };
  proto.removeEventListener = function (type, fn, options) {
    if (fn && isGlobal(this) && (live.get(type + ':' + id(fn)) || 0) > 0) count(type + ':' + id(fn), -1);
    return remove.call(this, type, fn, options);
  };
  // Each pending timer with its delay and where it was set. A timer of at most 50 ms is scheduling
  // (Preact runs effects after the next frame through one of 35 ms) and must drain by itself.
  const timers = new Map();
  const setTimeoutNative = window.setTimeout;
  const clearTimeoutNative = window.clearTimeout;
  window.setTimeout = function (fn, ms, ...rest) {
    if (!ours()) return setTimeoutNative(fn, ms, ...rest);
    const handle = setTimeoutNative(() => { timers.delete(handle); fn(...rest); }, ms);
    const where = (new Error().stack || '').split('\\n').slice(2, 4).map((line) => line.trim()).join(' < ');
    timers.set(handle, { ms: Number(ms) || 0, where });
    return handle;
  };
  window.clearTimeout = function (handle) { timers.delete(handle); clearTimeoutNative(handle); };
  const streams = new Set();
  const fetchNative = window.fetch;
  window.fetch = function (input, init) {
    const url = input instanceof Request ? input.url : String(input);
    if (url.includes('/v1/events')) streams.add((init && init.signal) || (input instanceof Request ? input.signal : null) || { aborted: false });
    return fetchNative.call(this, input, init);
  };
  const channels = new Set();
  const Channel = window.BroadcastChannel;
  window.BroadcastChannel = class extends Channel {
    constructor(name) { super(name); channels.add(this); }
    close() { channels.delete(this); super.close(); }
  };
  window.leaks = async () => {
    const locks = await navigator.locks.query();
    return {
      listeners: [...live].filter(([, k]) => k > 0).map(([key]) => key),
      timers: [...timers.values()].filter((timer) => timer.ms > 50).map((timer) => timer.ms + ' ms at ' + timer.where),
      scheduling: timers.size,
      openStreams: [...streams].filter((signal) => !signal.aborted).length,
      streams: streams.size,
      channels: channels.size,
      locks: locks.held.length + locks.pending.length,
      nodes: document.querySelectorAll('kefu-root').length,
    };
  };
})();`;

test('destroy releases every listener, timer, event stream and lock; init may run again', async () => {
  const context = await env.browser.newContext();
  const tab = await hostPage(context, '/destroy.html', page('<p>Shop</p><script src="/kefu.js" data-site="pk_demo"></script>'));
  const problems = watchProblems(tab);
  await tab.addInitScript({ content: COUNT_WHAT_THE_WIDGET_TAKES });
  await tab.goto(`${env.server.base}/destroy.html`);
  await roundTrip(tab);
  await tab.evaluate(() => (window as unknown as KefuWindow).Kefu.setLocale('zh-CN'));
  const before = await tab.evaluate(() => (window as unknown as { leaks: () => Promise<Record<string, unknown>> }).leaks());
  assert.ok((before.streams as number) >= 1 && (before.openStreams as number) >= 1, 'the event stream was open');
  assert.ok((before.listeners as string[]).length > 0, 'the widget listened to the page');
  // A request still under way at destroy ends with it (its timeout timer too): the FAQ never answers.
  await tab.route('**/v1/faq**', () => undefined);
  const asked = tab.waitForRequest('**/v1/faq**');
  await tab.evaluate(() => (window as unknown as KefuWindow).Kefu.open('help'));
  await asked;
  await tab.evaluate(() => (window as unknown as KefuWindow).Kefu.destroy());
  const leaks = await tab.evaluate(() => (window as unknown as { leaks: () => Promise<Record<string, unknown>> }).leaks());
  assert.deepEqual({ ...leaks, streams: 0, scheduling: 0 }, { listeners: [], timers: [], openStreams: 0, streams: 0, channels: 0, locks: 0, nodes: 0, scheduling: 0 });
  // What is left is scheduling of a few ms: it ends by itself, and nothing new is started by it.
  await tab.waitForFunction(async () => (await (window as unknown as { leaks: () => Promise<{ scheduling: number }> }).leaks()).scheduling === 0,
    undefined, { timeout: 2_000 });
  const afterDestroy = await tab.evaluate(() => (window as unknown as KefuWindow).Kefu.open().then(() => 'opened', (e: Error) => e.message));
  assert.match(afterDestroy, /destroyed; call init first/);
  await tab.evaluate(() => (window as unknown as KefuWindow).Kefu.init({ site: 'pk_demo' }));
  await roundTrip(tab, 'After init again');
  const aborted = /\/v1\/faq.*ERR_ABORTED/;
  assert.ok(problems.some((line) => aborted.test(line)), 'the FAQ request under way was aborted by destroy');
  assert.deepEqual(problems.filter((line) => !line.includes('destroyed; call init first') && !aborted.test(line)), []);
  await context.close();
});
