/**
 * Rough main-thread cost of the outbox (design §8: enqueue 1,000 writes ≤ 150 ms, flush 1,000 ≤
 * 400 ms, at 4× CPU): the built npm modules in Debian's Chromium with CDP CPU throttling, measured
 * as the page's TaskDuration (Performance.getMetrics) around each step. The delivery is a pure
 * function (MemoryAdapter-like), so the figures are the outbox's and IndexedDB's own.
 *
 *   npx rollup -c && node --import tsx test/fault/outbox.perf.ts      (RATE=1 for no throttling)
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '../..');
const rate = Number(process.env.RATE ?? 4);
const rounds = Number(process.env.ROUNDS ?? 3);
const page = `<!doctype html><title>outbox perf</title>
<script type="importmap">{"imports":{"idb-keyval":"/idb-keyval.js"}}</script>
<script type="module">
  import { createOutbox } from '/esm/offline/outbox.js';
  import { openStorage } from '/esm/offline/storage.js';
  window.outbox = createOutbox({ storage: await openStorage('perf-' + Date.now()), lockName: 'perf' });
  window.ready = true;
</script>`;

const server = createServer(async (request, response) => {
  const path = new URL(request.url!, 'http://localhost').pathname;
  if (path == '/') return response.writeHead(200, { 'Content-Type': 'text/html' }).end(page);
  const file = path == '/idb-keyval.js' ? join(root, 'node_modules/idb-keyval/dist/index.js')
    : path.startsWith('/esm/') ? join(root, 'dist', path.replace(/\.\./g, '')) : undefined;
  const body = file && (await readFile(file).catch(() => undefined));
  response.writeHead(body ? 200 : 404, { 'Content-Type': 'text/javascript' }).end(body);
}).listen(0, '127.0.0.1');
await new Promise((done) => server.once('listening', done));
const base = `http://localhost:${(server.address() as AddressInfo).port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const tab = await browser.newPage();
  const cdp = await tab.context().newCDPSession(tab);
  await cdp.send('Performance.enable');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  const busy = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((metric) => metric.name == 'TaskDuration')!.value * 1000;
  };
  for (let round = 1; round <= rounds; round++) {
    await tab.goto(`${base}/`);
    await tab.waitForFunction(() => 'ready' in window);
    let before = await busy();
    await tab.evaluate(async () => {
      const state = window as unknown as { outbox: import('../../src/offline/outbox').Outbox; release: () => void };
      // The flush lock is held until the flush step, so this step measures storing, not sending.
      const held = new Promise<void>((resolve) => (state.release = resolve));
      await new Promise<void>((granted) => void navigator.locks.request('perf', () => (granted(), held)));
      await Promise.all(Array.from({ length: 1000 }, (_, i) =>
        state.outbox.enqueue('message', `c${i % 3}`, `m${i}`, { conversationClientId: `c${i % 3}`, body: { clientId: `m${i}`, text: `message ${i}` } })));
    });
    const enqueue = (await busy()) - before;
    before = await busy();
    await tab.evaluate(async () => {
      const state = window as unknown as { outbox: import('../../src/offline/outbox').Outbox; release: () => void };
      state.outbox.register('message', async (item) => ({ id: `s-${item.id}` }));
      state.release();
      await state.outbox.flush();
      if ((await state.outbox.pending()).length) throw new Error('the outbox did not drain');
    });
    const flush = (await busy()) - before;
    console.log(`round ${round}, ${rate}× CPU: enqueue 1,000 writes ${enqueue.toFixed(0)} ms, flush 1,000 writes ${flush.toFixed(0)} ms of main-thread work`);
  }
} finally {
  await browser.close();
  server.close();
}
