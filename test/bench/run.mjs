#!/usr/bin/env node
// `npm run bench` — Kefu side by side with peer widgets from npm, in headless Chromium.
//
//   node test/bench/run.mjs [--runs 5] [--only kefu,n8n]
//
// Writes .bench/results.json (raw runs + summary) and .bench/results.md (the table), and
// screenshots of each widget with its panel open to .bench/shots/. Exits non-zero when the
// harness itself fails (a peer that cannot be measured counts); Kefu not built is a clean skip.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startKefu } from './kefu-server.mjs';
import { measureKefuOnly } from './kefu-only.mjs';
import { CPU_THROTTLE, measureRun } from './measure.mjs';
import { demoPage } from './page.mjs';
import { ensurePeers } from './peers.mjs';
import { markdownReport, summarizeAll } from './report.mjs';
import { startServer } from './server.mjs';
import { withTimeout } from './util.mjs';
import { WIDGETS } from './widgets.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BENCH_DIR = path.join(ROOT, '.bench');
const RUN_TIMEOUT_MS = 4 * 60_000; // one widget, one run
// The Kefu-only metrics run inside Kefu's first run (1,000-message history, 1,000 outbox writes sent
// one request each): without this allowance the run timed out mid-flush, and the still-running
// measurement lost its tab when the browser closed at the end.
const KEFU_ONLY_TIMEOUT_MS = 8 * 60_000;
const TOTAL_TIMEOUT_MS = 90 * 60_000; // the whole benchmark
const PEER_VERSION_OF = { rocketchat: '@rocket.chat/livechat', deepchat: 'deep-chat', n8n: '@n8n/chat' };

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
  // Nothing may leave the machine: any other host fails to resolve (and is reported per widget).
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

const NOTES = [
  'Bytes: response bodies as received (the server sends no Content-Encoding), then gzip -9 and brotli q11 computed per file with node:zlib and summed. ' +
    '"Loader" is the script the page references; "total to first open" is every script, stylesheet, iframe document, font and image fetched from navigation until the first open panel has settled. ' +
    'The page HTML (identical for all) and API calls (fetch/xhr/eventsource/websocket, which depend on the backend) are not counted.',
  'Host cost: CDP Performance.getMetrics TaskDuration / ScriptDuration of the page\'s renderer, from before navigation until the page settled ' +
    '(bubble visible, no request in flight for 500 ms, then 1 s more for idle work), minus the median of the same window on the page without a widget. ' +
    'Same-site iframes (Rocket.Chat) run in the same renderer and are included.',
  'Long tasks: PerformanceObserver("longtask") installed before any page script (addInitScript), same window.',
  'Host script time until bubble: ScriptDuration sampled the moment the probe reports the bubble (the loader\'s own share, before idle work such as panel preloads).',
  'Time to bubble: navigation start (performance.timeOrigin) to the rendering update in which the launcher first has a visible box on screen ' +
    '(injected probe: MutationObserver finds it, IntersectionObserver reports entry.time; no per-frame polling, which would itself cost main-thread time).',
  'Open panel: real mouse click (page.mouse.click on the launcher\'s centre); from the pointerdown event\'s timestamp to the rendering update in which the panel container is first visible (same probe). ' +
    'Cold = first open in a fresh context (nothing cached); cold, chunk cached = after navigating to the page again in the same context (design §8 budget case); warm = close, then reopen in the same page.',
  'JS heap: JSHeapUsedSize after a forced garbage collection with the panel open, minus the page without a widget.',
  'Rocket.Chat\'s iframe is served from the same origin as the page here, so it runs on the page\'s renderer thread and its work counts as host cost; ' +
    'with a cross-site Rocket.Chat server and full site isolation (desktop Chrome) it would run in its own process.',
  'Peers are served like a CDN (Cache-Control: max-age=3600); backends are stubs on 127.0.0.1 that answer at once, so network time is near zero for everyone.',
];

function parseOptions() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('usage: npm run bench -- [--runs N] [--only kefu,rocketchat,deepchat,n8n]');
    process.exit(0);
  }
  const runs = Number.parseInt(values.runs, 10);
  if (!(runs >= 1)) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  const only = values.only ? new Set(['baseline', ...values.only.split(',').map((x) => x.trim())]) : null;
  const unknown = only ? [...only].filter((id) => !WIDGETS.some((w) => w.id === id)) : [];
  if (unknown.length) throw new Error(`--only: unknown widget(s) ${unknown.join(', ')}; known: ${WIDGETS.map((w) => w.id).join(', ')}`);
  return { runs, only };
}

/** Widgets with their page URL, version and an initial status. */
function prepareWidgets({ only, origin, kefu, versions }) {
  const chosen = WIDGETS.filter((w) => !only || only.has(w.id));
  return chosen.map((w) => {
    const state = {
      ...w,
      url: `${origin}/page/${w.id}.html`,
      version: w.id === 'kefu' ? 'working tree' : versions[PEER_VERSION_OF[w.id]] ?? '',
      status: 'ok',
      runs: [],
      errors: [],
    };
    if (w.id === 'kefu' && kefu.skipped) Object.assign(state, { status: 'skipped', reason: kefu.skipped });
    return state;
  });
}

async function runAll(browser, widgets, runs, log) {
  let kefuOnly = null;
  const shots = path.join(BENCH_DIR, 'shots');
  mkdirSync(shots, { recursive: true });
  // Interleave widgets within each round, so slow drift of the machine spreads over all of them.
  for (let run = 1; run <= runs; run++) {
    for (const w of widgets.filter((x) => x.status !== 'skipped')) {
      const t0 = Date.now();
      const options = {
        shot: run === 1 && w.id !== 'baseline' ? path.join(shots, `${w.id}.png`) : undefined,
        kefuOnly: run === 1 && w.id === 'kefu' ? measureKefuOnly : undefined,
      };
      try {
        const limit = options.kefuOnly ? RUN_TIMEOUT_MS + KEFU_ONLY_TIMEOUT_MS : RUN_TIMEOUT_MS;
        const r = await withTimeout(measureRun(browser, w, options), limit, `${w.id} run ${run}`);
        if (r.kefuOnly) kefuOnly = r.kefuOnly;
        w.runs.push({ run, ...r });
        w.externalRequests = [...new Set([...(w.externalRequests ?? []), ...r.externalRequests])];
        log(`  run ${run}/${runs} ${w.label.padEnd(22)} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      } catch (err) {
        w.errors.push({ run, message: err.message });
        log(`  run ${run}/${runs} ${w.label.padEnd(22)} FAILED: ${err.message}`);
      }
    }
  }
  for (const w of widgets) {
    if (w.status === 'ok' && w.runs.length === 0) Object.assign(w, { status: 'failed', reason: 'no run succeeded' });
  }
  return kefuOnly;
}

function machineInfo(browser) {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    chromium: browser.version(),
  };
}

function writeResults(results) {
  const json = path.join(BENCH_DIR, 'results.json');
  const md = path.join(BENCH_DIR, 'results.md');
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  const report = markdownReport(results);
  writeFileSync(md, report);
  console.log(`\n${report}`);
  console.log(`wrote ${path.relative(ROOT, json)}, ${path.relative(ROOT, md)} and .bench/shots/*.png`);
}

// Everything started (servers, browser) registers its stop function here; shutdown() runs them
// last-started first, whether we finish, fail, time out or get a signal.
const cleanup = [];
async function shutdown() {
  while (cleanup.length) await cleanup.pop()().catch(() => {});
}

function exitAfterShutdown(code) {
  setTimeout(() => process.exit(code), 15_000).unref(); // a stuck close must not hang us
  shutdown().finally(() => process.exit(code));
}

async function main() {
  const log = (msg) => console.log(msg);
  const { runs, only } = parseOptions();
  mkdirSync(BENCH_DIR, { recursive: true });
  process.once('SIGINT', () => exitAfterShutdown(130));
  process.once('SIGTERM', () => exitAfterShutdown(143));
  try {
    const { dirs, versions } = await ensurePeers(BENCH_DIR, log);
    const kefu = only && !only.has('kefu') ? { skipped: 'not selected (--only)' } : await startKefu(ROOT, log);
    if (kefu.stop) cleanup.push(kefu.stop);
    if (kefu.skipped) log(`Kefu skipped: ${kefu.skipped}`);

    const pages = Object.fromEntries(WIDGETS.map((w) => [
      w.id, (origin) => demoPage({ title: w.label, embed: w.embed(origin, { kefuOrigin: kefu.origin }) }),
    ]));
    const server = await startServer({ dirs, pages });
    cleanup.push(server.close);

    const browser = await chromium.launch({
      executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
      timeout: 60_000,
    });
    cleanup.push(() => browser.close());

    const widgets = prepareWidgets({ only, origin: server.origin, kefu, versions });
    log(`measuring ${widgets.map((w) => w.label).join(', ')} — ${runs} run(s) each, CPU ×${CPU_THROTTLE}`);
    const kefuOnly = await runAll(browser, widgets, runs, log);

    const byId = Object.fromEntries(widgets.map((w) => [w.id, {
      id: w.id, label: w.label, version: w.version, how: w.how, status: w.status, reason: w.reason,
      hasBubble: Boolean(w.bubble), hasPanel: Boolean(w.panel),
      externalRequests: w.externalRequests ?? [], errors: w.errors, runs: w.runs,
    }]));
    const results = {
      date: new Date().toISOString(),
      machine: machineInfo(browser),
      settings: { runs, cpuThrottle: CPU_THROTTLE, viewport: '1280×800' },
      peerVersions: versions,
      notes: NOTES,
      widgets: byId,
      summary: summarizeAll(byId),
      kefuOnly: kefuOnly ?? null,
    };
    writeResults(results);
    const failed = widgets.filter((w) => w.status === 'failed' || w.errors.length > 0);
    if (failed.length) {
      console.error(`harness failure for: ${failed.map((w) => w.label).join(', ')}`);
      return 1;
    }
    return 0;
  } finally {
    await shutdown();
  }
}

const watchdog = setTimeout(() => {
  console.error(`bench: gave up after ${TOTAL_TIMEOUT_MS / 60_000} min`);
  exitAfterShutdown(2);
}, TOTAL_TIMEOUT_MS);
watchdog.unref();

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`bench failed: ${err.stack ?? err}`);
    process.exit(1);
  },
);
