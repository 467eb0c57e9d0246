#!/usr/bin/env node
// Kefu-only bench metrics alone (the same functions as `npm run bench`), on the bench's shop page
// served from its own origin, with kefu.js from a reference server that is already running:
//
//   npx rollup -c --silent
//   KEFU_DEMO=1 PORT=8898 KEFU_DATA_DIR=$(mktemp -d) KEFU_RATE_TOKEN=off KEFU_RATE_IP=off npx tsx demo/server/main.ts &
//   node test/bench/kefu-metric.mjs http://127.0.0.1:8898 loaderBootup faqKeystrokeP95 --runs 2
//
// Metric keys: see KEFU_ONLY_METRICS in kefu-only.mjs. Runs are in order, metric by metric.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { KEFU_ONLY_METRICS } from './kefu-only.mjs';
import { demoPage } from './page.mjs';
import { WIDGETS } from './widgets.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { runs: { type: 'string', default: '1' } } });
const [kefuOrigin = 'http://127.0.0.1:8898', ...keys] = positionals;
const metrics = keys.length ? keys.map((key) => KEFU_ONLY_METRICS.find(([k]) => k === key) ?? fail(key)) : KEFU_ONLY_METRICS;

function fail(key) {
  console.error(`unknown metric "${key}"; one of: ${KEFU_ONLY_METRICS.map(([k]) => k).join(', ')}`);
  process.exit(2);
}

const kefu = WIDGETS.find((w) => w.id === 'kefu');
const html = demoPage({ title: kefu.label, embed: kefu.embed('', { kefuOrigin: new URL(kefuOrigin).origin }) });
const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  for (const [key, label, measure] of metrics) {
    for (let run = 0; run < Number(values.runs); run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(url, { waitUntil: 'load' });
      const { value, unit, status, detail } = await measure({ page, widget: { url } });
      console.log(`${label} (${key}): ${value} ${unit ?? ''}, ${status}${detail ? ` | ${detail}` : ''}`);
      await context.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}
