#!/usr/bin/env node
// The outbox's two Kefu-only metrics alone (enqueue 1,000 writes, then flush them), with the same
// functions as `npm run bench`, against a reference server that is already running:
//
//   npx rollup -c --silent
//   KEFU_DEMO=1 PORT=8898 KEFU_DATA_DIR=$(mktemp -d) KEFU_RATE_TOKEN=off KEFU_RATE_IP=off npx tsx demo/server/main.ts &
//   node test/bench/outbox-only.mjs http://127.0.0.1:8898/
import { chromium } from 'playwright-core';
import { KEFU_ONLY_METRICS } from './kefu-only.mjs';

const url = process.argv[2] ?? 'http://127.0.0.1:8898/';
const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(url, { waitUntil: 'load' });
  const ctx = { page, widget: { url } };
  // In order: the flush step sends what the enqueue step stored.
  for (const [key, label, measure] of KEFU_ONLY_METRICS.filter(([key]) => key.startsWith('outbox'))) {
    console.log(`${label}: ${JSON.stringify(await measure(ctx))}`);
  }
} finally {
  await browser.close();
}
