/**
 * The outbox keeps a page eligible for the back/forward cache (design §5.2: nothing held open
 * across `pagehide`): a page with a started outbox that has sent writes goes away and comes back
 * from the bfcache (`pageshow` with `persisted`), and its outbox still sends after the return.
 * Served from localhost (a secure context, so Web Locks are on) with the built npm modules.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { root } from '../server/harness';

let server: Server;
let base: string;
let browser: Browser;
const received: string[] = [];
/** Answers held back: the send of `slow` waits until the test lets it go. */
let letGo: () => void = () => undefined;
const held = new Promise<void>((resolve) => (letGo = resolve));

const page = `<!doctype html><html lang="en"><title>outbox</title>
<script type="importmap">{"imports":{"idb-keyval":"/idb-keyval.js"}}</script>
<script type="module">
  import { createOutbox } from '/esm/offline/outbox.js';
  import { openStorage } from '/esm/offline/storage.js';
  window.shows = [];
  addEventListener('pageshow', (event) => shows.push(event.persisted));
  const outbox = createOutbox({
    storage: await openStorage('bfcache'),
    lockName: 'kefu-outbox:bfcache',
    deliver: async (item) => {
      const response = await fetch('/deliver', { method: 'POST', body: item.id, headers: { 'Idempotency-Key': item.id } });
      if (!response.ok) throw new Error(String(response.status));
    },
  });
  outbox.start();
  window.write = (id) => new Promise((resolve) => {
    const off = outbox.subscribe((event) => event.type == 'sent' && event.item.id == id && (off(), resolve()));
    outbox.enqueue('message', 'lane', id, { text: id });
  });
</script>`;

before(async () => {
  const types: Record<string, string> = { '.js': 'text/javascript' };
  server = createServer(async (request, response) => {
    const url = new URL(request.url!, 'http://localhost');
    if (url.pathname == '/deliver') {
      let body = '';
      for await (const chunk of request) body += chunk;
      received.push(body);
      if (body == 'slow') await held;
      response.writeHead(201).end();
      return;
    }
    const file = url.pathname == '/idb-keyval.js'
      ? join(root, 'node_modules/idb-keyval/dist/index.js')
      : url.pathname.startsWith('/esm/') ? join(root, 'dist', url.pathname.replace(/\.\./g, '')) : undefined;
    if (file) {
      const body = await readFile(file).catch(() => null);
      response.writeHead(body ? 200 : 404, { 'Content-Type': types['.js']! }).end(body);
      return;
    }
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(url.pathname == '/' ? page : '<!doctype html><title>away</title><p>away');
  });
  server.listen(0, '127.0.0.1');
  await new Promise((done) => server.once('listening', done));
  base = `http://localhost:${(server.address() as AddressInfo).port}`;
  // launchChromium()'s flags, with the bfcache that Playwright turns off by default.
  browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
  });
});
after(async () => {
  await browser?.close();
  server?.close();
});

/** Loads the page and waits for its module (top-level await) to have started the outbox. */
async function ready(tab: Page) {
  await tab.goto(`${base}/`);
  await tab.waitForFunction(() => 'write' in window);
}

/** The page's `pageshow` record once the page is back: `[false, true]` from the bfcache, `[false]` for a fresh load. */
async function shown(tab: Page): Promise<boolean[]> {
  // Re-evaluated in the new document if the return was a fresh load.
  const handle = await tab.waitForFunction(() => {
    const { shows } = window as unknown as { shows?: boolean[] };
    return shows?.length && document.readyState == 'complete' ? shows : undefined;
  });
  return (await handle.jsonValue()) as boolean[];
}

test('a page whose outbox has sent writes comes back from the bfcache, and its outbox still sends', async () => {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const cdp = await context.newCDPSession(tab);
  await cdp.send('Page.enable');
  const notCached: unknown[] = [];
  cdp.on('Page.backForwardCacheNotUsed', (event) => notCached.push(event));

  await ready(tab);
  await tab.evaluate(() => (window as unknown as { write(id: string): Promise<void> }).write('before'));
  assert.ok(await tab.evaluate(() => navigator.locks !== undefined), 'localhost is a secure context: Web Locks are on');

  await tab.goto(`${base}/away`);
  await tab.goBack({ waitUntil: 'commit' }); // A page from the bfcache fires no load event.
  const shows = await shown(tab);
  assert.deepEqual(shows, [false, true], `restored from the bfcache; not cached because: ${JSON.stringify(notCached)}`);

  await tab.evaluate(() => (window as unknown as { write(id: string): Promise<void> }).write('after'));
  assert.deepEqual(received, ['before', 'after']);
  await context.close();
});

test('a tab waiting for the flush lock withdraws its request on pagehide and still comes back from the bfcache', async () => {
  const context = await browser.newContext();
  const [flusher, waiter] = [await context.newPage(), await context.newPage()];
  await ready(flusher);
  await ready(waiter);
  const write = (id: string) => (window as unknown as { write(id: string): Promise<void> }).write(id);
  // Neither write is awaited here: the waiter's is cut off by its navigation, and both are checked on the server.
  const pending = [flusher.evaluate(write, 'slow').catch(() => undefined)]; // Holds the lock: its send waits for the server.
  await flusher.waitForFunction(() => navigator.locks.query().then(({ held }) => held?.length == 1));
  pending.push(waiter.evaluate(write, 'queued-behind').catch(() => undefined));
  await waiter.waitForFunction(() => navigator.locks.query().then(({ pending }) => (pending?.length ?? 0) >= 1));

  const cdp = await context.newCDPSession(waiter);
  await cdp.send('Page.enable');
  const notCached: unknown[] = [];
  cdp.on('Page.backForwardCacheNotUsed', (event) => notCached.push(event));
  await waiter.goto(`${base}/away`);
  await waiter.goBack({ waitUntil: 'commit' });
  const shows = await shown(waiter);
  assert.deepEqual(shows, [false, true], `restored from the bfcache; not cached because: ${JSON.stringify(notCached)}`);

  letGo();
  // Back from the bfcache, the waiter asks again and its write goes out once the flusher is done.
  await waiter.waitForFunction(() => navigator.locks.query().then(({ held, pending }) => !held?.length && !pending?.length));
  await waiter.evaluate(() => new Promise((resolve) => navigator.locks.request('kefu-outbox:bfcache', resolve)));
  assert.ok(received.includes('queued-behind'), `received: ${received}`);
  assert.equal(received.filter((id) => id == 'queued-behind').length, 1);
  await context.close();
  await Promise.all(pending);
});
