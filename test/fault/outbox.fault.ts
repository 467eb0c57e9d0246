/**
 * Property-style fault test of the outbox (design §5: "thousands of writes, random page kills and
 * network faults, one to four tabs, and every write arrives exactly once, in order").
 *
 * The real reference server runs as its own process (PGlite in a temporary folder) with
 * KEFU_FAULTS injecting 503s and 429s before the handlers and lost answers after the commit; it is
 * restarted now and then. Shoppers are browser contexts of Debian's Chromium with one to four tabs
 * on the demo shop, each writing tagged messages through `Kefu.ask` or the composer, while pages
 * are reloaded, renderers are SIGKILLed and contexts go offline and back. Afterwards every
 * conversation is read back through the agent API and each tag is counted.
 *
 * A write is *tried* once the widget said it was stored (`ask` resolved, or the composer emptied);
 * such a write must arrive exactly once. A write cut off before that (a kill, a reload) may arrive
 * at most once. Within a conversation, the writes of one tab (across its reloads and crashes)
 * arrive in the order they were made.
 *
 *   npm run bench:reliability                 the full run (≥ 1,000 writes, bounded in time)
 *   node --import tsx test/fault/outbox.fault.ts            the short run (what `npm test` runs)
 *   KEFU_FAULT_SEED=1234 npm run bench:reliability          replays a seed
 *
 * Needs the built widget (`npx rollup -c`): the server serves dist/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { mulberry32 } from '../../demo/server/faults';
import { launchChromium } from '../e2e/browser';

const root = resolve(import.meta.dirname, '../..');
const AGENT_TOKEN = 'fault-test-agent';

export interface FaultConfig {
  seed: number;
  /** Writes to try (stop when reached or when the time is up). */
  writes: number;
  /** Shoppers: browser contexts with their own storage and session. */
  shoppers: number;
  /** At most this many tabs per shopper (each gets 1..maxTabs, seeded). */
  maxTabs: number;
  /** Server restarts during the run. */
  restarts: number;
  /** How long the writing phase may last, and the wait for the outboxes to drain. */
  writeMs: number;
  drainMs: number;
  /** KEFU_FAULTS without the seed. */
  faults: string;
  /** Chance per chaos step of a reload, a renderer kill, an offline flip. */
  reload: number;
  kill: number;
  offline: number;
  /** Chance per write that its tab's renderer is SIGKILLed 0–20 ms after the write began (mid-IndexedDB). */
  killDuringWrite: number;
  log?: (line: string) => void;
}

export const SHORT: Omit<FaultConfig, 'seed'> = {
  writes: 150, shoppers: 2, maxTabs: 3, restarts: 1, writeMs: 30_000, drainMs: 40_000,
  faults: '5xx=0.08,429=0.04,lost=0.08', reload: 0.12, kill: 0.06, offline: 0.06, killDuringWrite: 0.04,
};

export const FULL: Omit<FaultConfig, 'seed'> = {
  writes: 1_200, shoppers: 3, maxTabs: 4, restarts: 4, writeMs: 240_000, drainMs: 180_000,
  faults: '5xx=0.08,429=0.04,lost=0.08', reload: 0.1, kill: 0.05, offline: 0.05, killDuringWrite: 0.03,
};

export interface FaultReport {
  seed: number;
  tabs: number[];
  tried: number;
  /** Cut off before the widget confirmed storing them (allowed to arrive at most once). */
  unconfirmed: number;
  arrived: number;
  lost: string[];
  duplicated: string[];
  outOfOrder: string[];
  failedItems: string[];
  /** Stored and still queued when the drain ran out of time: not lost, but not delivered either. */
  undelivered: string[];
  chaos: Record<string, number>;
  answers: Record<string, number>;
  unconfirmedWhy: Record<string, number>;
  phases: string[];
  durationMs: number;
}

/** A seeded generator (mulberry32), so a run's choices replay from its seed. */
function generator(seed: number) {
  const next = mulberry32(seed);
  return { next, int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)) };
}

const delay = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Rejects when `promise` takes longer than `ms` (a browser call that never answers). */
function timeLimit<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const late = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(`${what}: no answer in ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** The reference server as a child process, so it can be stopped and started again on the same data. */
class ServerProcess {
  child: ChildProcess | undefined;
  readonly base: string;
  private readonly log;
  constructor(readonly port: number, readonly dataDir: string, readonly faults: string, logFile: string) {
    this.base = `http://127.0.0.1:${port}`;
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  async start() {
    const child = spawn(process.execPath, ['--import', 'tsx', 'demo/server/main.ts'], {
      cwd: root,
      env: {
        ...process.env, PORT: String(this.port), KEFU_DATA_DIR: this.dataDir, KEFU_DEMO: '1',
        KEFU_AGENT_TOKEN: AGENT_TOKEN, KEFU_FAULTS: this.faults, DATABASE_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stderr!.pipe(this.log, { end: false });
    let output = '';
    await new Promise<void>((ready, fail) => {
      const onExit = (code: number | null) => fail(new Error(`the server exited (${code}) before it was ready; see ${this.log.path}`));
      child.once('exit', onExit);
      child.stdout!.on('data', (chunk: Buffer) => {
        this.log.write(chunk);
        output += chunk;
        if (output.includes('demo shop:')) {
          child.off('exit', onExit);
          ready();
        }
      });
    });
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM') {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.child = undefined;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }
}

interface Tab {
  shopper: Shopper;
  /** Writes of one tab keep their order across its reloads and crashes. */
  lineage: string;
  page: Page;
  /** Resolves when the page is usable after a (re)load. */
  ready: Promise<void>;
  /** Set while a dead page is being replaced, so a crash and a failed reload replace it once. */
  reopening?: boolean;
  /** The renderer process of `page`, once probed. */
  pid?: [Page, number];
  written: number;
}

interface Shopper {
  index: number;
  context: BrowserContext;
  tabs: Tab[];
  offline: boolean;
}

export async function runFaultTest(config: FaultConfig): Promise<FaultReport> {
  const started = Date.now();
  const log = config.log ?? ((line: string) => console.log(line));
  const random = generator(config.seed);
  const runId = `r${config.seed.toString(36)}${Date.now().toString(36).slice(-4)}`;
  if (!existsSync(join(root, 'dist/kefu.js'))) throw new Error('dist/ is not built: run `npx rollup -c` first');

  const work = mkdtempSync(join(tmpdir(), 'kefu-fault-'));
  const pageLog = createWriteStream(join(work, 'pages.log'));
  const server = new ServerProcess(await freePort(), join(work, 'pglite'), `${config.faults},seed=${config.seed}`, join(work, 'server.log'));
  let browser: Browser | undefined;
  const chaos = { reloads: 0, kills: 0, killsDuringWrite: 0, crashedTabs: 0, offlineFlips: 0, serverRestarts: 0, typed: 0, hungAsks: 0 };
  /** What each writer and the chaos loop are doing, for the log when a run overstays. */
  const doing = new Map<string, string>();
  const answers: Record<string, number> = {};
  const cutOff: Record<string, number> = {};
  const tried = new Set<string>();
  const unconfirmed = new Set<string>();
  const order = new Map<string, number>(); // tag → its rank within its lineage
  let serverUp = false;
  let stopWriting = false;
  let closing = false;
  let keep = !!process.env.KEFU_FAULT_KEEP;

  const phases: string[] = [];
  let phaseAt = started;
  const phase = (name: string) => {
    phases.push(`${name} ${((Date.now() - phaseAt) / 1000).toFixed(1)} s`);
    phaseAt = Date.now();
  };
  // However this process ends, the server child goes with it (and the temporary folder, unless kept).
  const reap = () => {
    server.child?.kill('SIGKILL');
    if (!keep) rmSync(work, { recursive: true, force: true });
  };
  process.once('exit', reap);
  try {
    await server.start();
    serverUp = true;
    phase('server start');
    browser = await launchChromium();
    const cdp: CDPSession = await browser.newBrowserCDPSession();
    const shoppers: Shopper[] = [];
    const tabCounts: number[] = [];

    /** Opens (or reopens) a tab's page on the demo shop. */
    const load = async (tab: Tab) => {
      const page = tab.page;
      page.on('console', (message) => {
        if (message.type() == 'error' || message.type() == 'warning') pageLog.write(`${new Date().toISOString()} ${tab.lineage} ${message.type()}: ${message.text()}\n`);
      });
      page.on('response', (response) => {
        if (response.request().method() != 'POST' || !response.url().includes('/v1/')) return;
        const key = String(response.status());
        answers[key] = (answers[key] ?? 0) + 1;
      });
      page.on('requestfailed', (request) => {
        if (request.method() == 'POST') answers.network = (answers.network ?? 0) + 1;
      });
      page.on('crash', () => {
        chaos.crashedTabs++;
        if (!closing) void replace(tab, page);
      });
      await page.goto(`${server.base}/`);
      await page.waitForFunction(() => (window as { Kefu?: { version?: string } }).Kefu?.version);
    };

    /** A crashed tab is closed and opened again, as the shopper would (never rejects: it tries again). */
    const replace = (tab: Tab, dead: Page) => {
      if (dead != tab.page || tab.reopening) return;
      tab.reopening = true;
      tab.ready = (async () => {
        await discard(dead);
        for (let attempt = 1; !closing; attempt++) {
          await until(() => serverUp && !tab.shopper.offline);
          let page: Page | undefined;
          try {
            page = await timeLimit(tab.shopper.context.newPage(), 30_000, 'newPage');
            tab.page = page;
            await load(tab);
            return;
          } catch (error) {
            // A kill can hit the new tab too (or the server went away meanwhile): again, as a shopper would.
            log(`reopening tab ${tab.lineage} failed (attempt ${attempt}): ${String(error).split('\n')[0]}`);
            if (page) await discard(page);
            await delay(500);
          }
        }
      })().finally(() => (tab.reopening = false));
    };
    /** Waits until the tab is usable: its latest (re)load, which may be replaced while waiting. */
    const settled = async (tab: Tab) => {
      for (let ready = tab.ready; ; ready = tab.ready) {
        await ready;
        if (ready == tab.ready) return;
      }
    };

    const renderers = async () => {
      const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number; cpuTime: number }[] };
      return processInfo.filter((info) => info.type == 'renderer');
    };
    /** The tab's renderer: the one whose CPU time jumps while the page spins for a moment. */
    const pidOf = async (tab: Tab) => {
      const page = tab.page;
      if (tab.pid?.[0] == page) return tab.pid[1];
      const before = new Map((await renderers()).map((info) => [info.id, info.cpuTime]));
      await page.evaluate(() => {
        const end = performance.now() + 200;
        while (performance.now() < end);
      });
      const busiest = (await renderers()).sort((a, b) => (b.cpuTime - (before.get(b.id) ?? 0)) - (a.cpuTime - (before.get(a.id) ?? 0)))[0];
      tab.pid = [page, busiest!.id];
      return busiest!.id;
    };
    const kill = (pid: number) => {
      chaos.kills++;
      try {
        process.kill(pid, 'SIGKILL');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code != 'ESRCH') throw error; // Already gone.
      }
    };

    /**
     * Takes a shopper's tabs off the network or back (they see `offline` / `online`), tab by tab
     * through CDP: `context.setOffline` fails as a whole while any of its tabs lies crashed.
     */
    const sessions = new WeakMap<Page, Promise<CDPSession>>();
    const offline = (shopper: Shopper, value: boolean) =>
      Promise.all(shopper.tabs.map(async (tab) => {
        const page = tab.page;
        try {
          const session = sessions.get(page) ?? page.context().newCDPSession(page);
          sessions.set(page, session);
          await timeLimit(
            (await session).send('Network.emulateNetworkConditions', { offline: value, latency: 0, downloadThroughput: -1, uploadThroughput: -1 }),
            5_000, 'network emulation',
          );
        } catch (error) {
          sessions.delete(page);
          // A crashed or closing tab: its replacement opens online, once the shopper is back.
          if (!value) log(`tab ${tab.lineage} could not be put back online: ${String(error).split('\n')[0]}`);
        }
      }));

    /**
     * Closes a dead tab. Closing a crashed page can hang; then it is left behind (it is nobody's tab
     * any more), so nothing waits on it.
     */
    const discard = (page: Page) => timeLimit(page.close(), 5_000, 'close').catch(() => undefined);

    const until = async (condition: () => boolean) => {
      while (!condition()) await delay(50);
    };

    for (let s = 0; s < config.shoppers; s++) {
      const context = await browser.newContext();
      const shopper: Shopper = { index: s, context, tabs: [], offline: false };
      shoppers.push(shopper);
      // The first shopper always has several tabs, so every run crosses tabs.
      const count = random.int(s == 0 ? Math.min(2, config.maxTabs) : 1, config.maxTabs);
      tabCounts.push(count);
      for (let t = 0; t < count; t++) {
        const tab: Tab = { shopper, lineage: `s${s}t${t}`, page: await context.newPage(), ready: Promise.resolve(), written: 0 };
        tab.ready = load(tab);
        await tab.ready;
        if (t == 0) {
          // The first tab opens the session and the conversation, so the others find and share them.
          for (let attempt = 1; ; attempt++) {
            const tag = `${runId}.${tab.lineage}.${-100 + attempt}`;
            order.set(tag, -100 + attempt);
            try {
              await tab.page.evaluate((text) => (window as unknown as { Kefu: { ask(t: string): Promise<void> } }).Kefu.ask(text), `fault ${tag}`);
              tried.add(tag);
              break;
            } catch (error) {
              unconfirmed.add(tag); // An injected fault on the first session or conversation: once more.
              if (attempt == 10) throw error;
            }
          }
          await tab.page.locator('kefu-root .msg.shopper[data-status=sent]').first().waitFor();
        }
        shopper.tabs.push(tab);
      }
    }
    const tabs = shoppers.flatMap((shopper) => shopper.tabs);
    phase('tabs and first messages');
    log(`fault run ${runId}: seed ${config.seed}, ${config.shoppers} shoppers with ${tabCounts.join('+')} tabs, faults ${config.faults}`);

    const writesDone = () => stopWriting || tried.size + unconfirmed.size >= config.writes;
    // Each write also takes its own time (the ask, the probes), so the pauses are shorter than the mean gap.
    const pace = ((config.writeMs * tabs.length) / config.writes) * 0.6;

    /** One tab's writer: a tagged message at a time, by `Kefu.ask` or typed into the composer. */
    /** `Kefu.ask`, bounded: an ask that never settles would be a bug of its own, and is reported. */
    const ask = (page: Page, text: string) =>
      timeLimit(page.evaluate((t) => (window as unknown as { Kefu: { ask(t: string): Promise<void> } }).Kefu.ask(t), text), 60_000, 'Kefu.ask')
        .catch((error) => {
          if (/no answer/.test(String(error))) chaos.hungAsks++;
          throw error;
        });
    const writer = async (tab: Tab, seed: number) => {
      const own = generator(seed);
      while (!writesDone()) {
        doing.set(tab.lineage, 'waiting for its page');
        await settled(tab);
        if (writesDone()) break;
        const rank = ++tab.written;
        const tag = `${runId}.${tab.lineage}.${rank}`;
        order.set(tag, rank);
        const text = `fault ${tag}`;
        const page = tab.page;
        try {
          const textarea = page.locator('kefu-root textarea');
          if (own.next() < 0.2 && (await textarea.count()) == 1) {
            chaos.typed++;
            doing.set(tab.lineage, `typing ${rank}`);
            await textarea.fill(text);
            await textarea.press('Enter');
            // The composer is emptied once the message is stored.
            await page.waitForFunction(
              () => (document.querySelector('kefu-root')?.shadowRoot?.querySelector('textarea') as HTMLTextAreaElement | null)?.value === '',
              undefined, { timeout: 15_000 },
            );
          } else if (own.next() < config.killDuringWrite) {
            doing.set(tab.lineage, `probing its renderer for ${rank}`);
            const pid = await timeLimit(pidOf(tab), 30_000, 'renderer probe');
            doing.set(tab.lineage, `asking ${rank}, then a kill`);
            const asking = ask(page, text);
            await delay(own.int(0, 20));
            chaos.killsDuringWrite++;
            kill(pid);
            await asking;
          } else {
            doing.set(tab.lineage, `asking ${rank}`);
            await ask(page, text);
          }
          tried.add(tag);
        } catch (error) {
          // Cut off (reload, kill, navigation) or refused (no session while the server was away):
          // stored or not, the widget never confirmed it, so it may arrive at most once.
          unconfirmed.add(tag);
          if (/crash/i.test(String(error))) replace(tab, page); // In case its crash went unseen.
          const why = /crash|closed|destroyed|navigat/i.test(String(error)) ? 'cut off' : 'refused';
          cutOff[why] = (cutOff[why] ?? 0) + 1;
        }
        // Bursts (writes back to back) and pauses, the same rate on average.
        doing.set(tab.lineage, 'pausing');
        await delay(own.next() < 0.3 ? 0 : (pace * (0.5 + own.next())) / 0.7);
      }
      doing.set(tab.lineage, 'done');
    };

    /** The chaos: reloads, renderer kills, offline flips, server restarts. */
    const chaosLoop = async () => {
      const restartEvery = config.writes / (config.restarts + 1);
      let restarts = 0;
      while (!writesDone()) {
        await delay(random.int(150, 600));
        if (restarts < config.restarts && tried.size + unconfirmed.size >= restartEvery * (restarts + 1)) {
          restarts++;
          chaos.serverRestarts++;
          serverUp = false;
          doing.set('chaos', 'restarting the server');
          await server.stop(random.next() < 0.5 ? 'SIGTERM' : 'SIGKILL');
          await delay(random.int(200, 1500));
          await timeLimit(server.start(), 120_000, 'server start');
          serverUp = true;
          doing.set('chaos', 'running');
          continue;
        }
        const roll = random.next();
        const tab = tabs[random.int(0, tabs.length - 1)]!;
        if (roll < config.reload) {
          if (!serverUp || tab.shopper.offline) continue;
          chaos.reloads++;
          const page = tab.page;
          tab.ready = page.reload().then(() => page.waitForFunction(() => (window as { Kefu?: { version?: string } }).Kefu?.version)).then(
            () => undefined,
            () => replace(tab, page), // Replaces tab.ready with the reopening.
          );
        } else if (roll < config.reload + config.kill) {
          const all = await renderers();
          const victim = all[random.int(0, all.length - 1)];
          if (victim) kill(victim.id);
        } else if (roll < config.reload + config.kill + config.offline) {
          const shopper = tab.shopper;
          if (shopper.offline) continue;
          chaos.offlineFlips++;
          shopper.offline = true;
          await offline(shopper, true);
          void delay(random.int(300, 2500))
            .then(() => offline(shopper, false))
            .finally(() => (shopper.offline = false));
        }
      }
    };

    const deadline = setTimeout(() => {
      stopWriting = true;
      // Writers finish the write under way; one that is still busy a minute later is named.
      setTimeout(() => doing.get('chaos') != 'over' && log(`still writing after the deadline: ${JSON.stringify(Object.fromEntries(doing))}`), 60_000).unref();
    }, config.writeMs * 1.25);
    await Promise.all([...tabs.map((tab, i) => writer(tab, config.seed * 31 + i)), chaosLoop()]);
    clearTimeout(deadline);
    stopWriting = true;
    doing.set('chaos', 'over');
    phase('writing');

    // Heal: the network back everywhere, the server up, every tab loaded, every outbox nudged.
    log(`writing done: ${tried.size} tried, ${unconfirmed.size} unconfirmed; healing`);
    await until(() => serverUp && shoppers.every((shopper) => !shopper.offline));
    await Promise.all(tabs.map(settled));
    await Promise.all(shoppers.map((shopper) => offline(shopper, false)));
    log('healed; draining');
    const drainUntil = Date.now() + config.drainMs;
    let left: { queued: number; failed: string[]; texts: string[] }[] = [];
    for (;;) {
      left = await Promise.all(shoppers.map(async (shopper) => {
        await Promise.all(shopper.tabs.map((tab) => timeLimit(tab.page.evaluate(async () => {
          dispatchEvent(new Event('online')); // A trigger the outbox listens to: flush now.
          const kefu = (window as unknown as { Kefu: { open(): Promise<void> } }).Kefu;
          await kefu.open(); // Starts the chat, and its outbox, where a reload left none.
        }), 10_000, 'Kefu.open').catch((error) => log(`drain: tab ${tab.lineage}: ${String(error).split('\n')[0]}`))));
        // Read from the first tab that answers (any tab of the shopper sees the same database).
        for (const tab of shopper.tabs) {
          const contents = await timeLimit(tab.page.evaluate(outboxContents), 10_000, 'outbox contents').catch(() => undefined);
          if (contents) return contents;
        }
        return { queued: 1, failed: [], texts: [] }; // No tab answered: not drained as far as anyone knows.
      }));
      const queued = left.reduce((sum, shopper) => sum + shopper.queued, 0);
      if (queued) log(`draining: ${left.map((shopper) => shopper.queued).join('+')} queued`);
      if (queued && Date.now() > drainUntil) {
        for (const shopper of shoppers) {
          for (const tab of shopper.tabs) {
            const state = await tab.page.evaluate(async () => ({ locks: await navigator.locks.query(), visible: document.visibilityState }))
              .catch((error) => String(error));
            log(`still queued, shopper ${shopper.index} tab ${tab.lineage}: ${JSON.stringify(state)}`);
          }
        }
        log(`logs kept in ${work}`);
        keep = true;
      }
      if (!queued || Date.now() > drainUntil) break;
      await delay(1000);
    }
    closing = true;
    phase('drain');

    const arrived = await readBack(server.base, runId);
    phase('read back');
    const lost: string[] = [];
    const duplicated: string[] = [];
    const waiting = new Set(left.flatMap((shopper) => shopper.texts).map((text) => text.slice('fault '.length)));
    const undelivered: string[] = [];
    for (const tag of tried) if (!arrived.has(tag)) (waiting.has(tag) ? undelivered : lost).push(tag);
    for (const [tag, places] of arrived) {
      if (places.length > 1) duplicated.push(`${tag} ×${places.length}`);
      if (!tried.has(tag) && !unconfirmed.has(tag)) duplicated.push(`${tag} (never written)`);
    }
    const outOfOrder = checkOrder(arrived, order);
    return {
      seed: config.seed,
      tabs: tabCounts,
      tried: tried.size,
      unconfirmed: unconfirmed.size,
      arrived: arrived.size,
      lost,
      duplicated,
      outOfOrder,
      failedItems: left.flatMap((shopper) => shopper.failed),
      undelivered,
      chaos,
      answers,
      unconfirmedWhy: cutOff,
      phases,
      durationMs: Date.now() - started,
    };
  } finally {
    closing = true;
    await browser?.close();
    await server.stop();
    process.off('exit', reap);
    pageLog.end();
    if (keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

/** In the page: what the site's outbox still holds (queued count, failed reasons). */
async function outboxContents(): Promise<{ queued: number; failed: string[]; texts: string[] }> {
  const db = await new Promise<IDBDatabase | null>((resolve, reject) => {
    const request = indexedDB.open('kefu:pk_demo');
    request.onupgradeneeded = () => request.transaction!.abort(); // Never create it for the widget.
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  }).catch(() => null);
  if (!db) return { queued: 0, failed: [], texts: [] };
  try {
    const items = await new Promise<{ state: string; reason?: string; payload: { body?: { text?: string } } }[]>((resolve, reject) => {
      const request = db.transaction('kv').objectStore('kv').getAll(IDBKeyRange.bound(['outbox'], ['outbox', []]));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return {
      queued: items.filter((item) => item.state == 'queued').length,
      texts: items.map((item) => item.payload.body?.text ?? ''),
      failed: items.filter((item) => item.state == 'failed').map((item) => `${item.payload.body?.text}: ${item.reason}`),
    };
  } finally {
    db.close();
  }
}

/** Every shopper message of this run on the server: tag → [conversation, position] of each copy. */
async function readBack(base: string, runId: string): Promise<Map<string, [string, number][]>> {
  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${AGENT_TOKEN}` } });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<any>;
  };
  const found = new Map<string, [string, number][]>();
  const prefix = `fault ${runId}.`;
  let cursor = '';
  do {
    const page = await get(`/v1/agent/conversations?status=all&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    for (const conversation of page.conversations as { id: string }[]) {
      let after = '';
      let position = 0;
      do {
        const messages = await get(`/v1/agent/conversations/${conversation.id}/messages${after ? `?after=${after}` : ''}`);
        for (const message of messages.messages as { author: string; text: string }[]) {
          position++;
          if (message.author != 'shopper' || !message.text.startsWith(prefix)) continue;
          const tag = message.text.slice('fault '.length);
          found.set(tag, [...(found.get(tag) ?? []), [conversation.id, position]]);
        }
        after = messages.next ?? '';
      } while (after);
    }
    cursor = page.next ?? '';
  } while (cursor);
  return found;
}

/** Within each conversation, one tab's writes must come in the order it made them. */
function checkOrder(arrived: Map<string, [string, number][]>, order: Map<string, number>): string[] {
  const byConversation = new Map<string, { lineage: string; rank: number; position: number; tag: string }[]>();
  for (const [tag, places] of arrived) {
    const lineage = tag.split('.')[1]!;
    for (const [conversation, position] of places) {
      const list = byConversation.get(conversation) ?? [];
      list.push({ lineage, rank: order.get(tag) ?? -1, position, tag });
      byConversation.set(conversation, list);
    }
  }
  const wrong: string[] = [];
  for (const list of byConversation.values()) {
    list.sort((a, b) => a.position - b.position);
    const last = new Map<string, { rank: number; tag: string }>();
    for (const entry of list) {
      const before = last.get(entry.lineage);
      if (before && before.rank > entry.rank) wrong.push(`${entry.tag} after ${before.tag}`);
      last.set(entry.lineage, entry);
    }
  }
  return wrong;
}

/** One line a person can read: what was tried, what arrived, what went wrong. */
export function summary(report: FaultReport): string {
  const chaos = Object.entries(report.chaos).map(([name, count]) => `${name} ${count}`).join(', ');
  const answers = Object.entries(report.answers).sort().map(([status, count]) => `${status}×${count}`).join(' ');
  return [
    `seed ${report.seed} (replay: KEFU_FAULT_SEED=${report.seed}), tabs ${report.tabs.join('+')}, ${(report.durationMs / 1000).toFixed(1)} s`,
    `writes tried ${report.tried}, unconfirmed ${report.unconfirmed} (${Object.entries(report.unconfirmedWhy).map(([why, n]) => `${why} ${n}`).join(', ') || 'none'}), arrived ${report.arrived}; ` +
      `lost ${report.lost.length}, duplicated ${report.duplicated.length}, out of order ${report.outOfOrder.length}, ` +
      `failed items ${report.failedItems.length}, undelivered ${report.undelivered.length}`,
    `chaos: ${chaos}`,
    `phases: ${report.phases.join(', ')}`,
    `POST answers seen by the tabs: ${answers}`,
    ...(report.lost.length ? [`lost: ${report.lost.slice(0, 20).join(' ')}`] : []),
    ...(report.duplicated.length ? [`duplicated: ${report.duplicated.slice(0, 20).join(' ')}`] : []),
    ...(report.outOfOrder.length ? [`out of order: ${report.outOfOrder.slice(0, 20).join(' ')}`] : []),
    ...(report.failedItems.length ? [`failed items: ${report.failedItems.slice(0, 20).join(' | ')}`] : []),
    ...(report.undelivered.length ? [`still queued at the end of the drain: ${report.undelivered.slice(0, 20).join(' ')}`] : []),
  ].join('\n');
}

export const seedFromEnv = () => Number(process.env.KEFU_FAULT_SEED) || Math.floor(Math.random() * 2 ** 31);

if (import.meta.url == pathToFileURL(process.argv[1] ?? '').href) {
  const full = process.argv.includes('--full');
  const seed = seedFromEnv();
  const config = { ...(full ? FULL : SHORT), seed };
  console.log(`outbox fault test (${full ? 'full' : 'short'}), seed ${seed}`);
  // Bounded in time whatever happens: the writing phase, the drain, and two minutes for the rest.
  const limit = config.writeMs * 1.25 + config.drainMs + 120_000;
  setTimeout(() => {
    console.error(`outbox fault test: over its ${limit / 1000} s limit, stopped (seed ${seed})`);
    process.exit(2);
  }, limit).unref();
  const report = await runFaultTest(config);
  console.log(summary(report));
  const ok = !report.lost.length && !report.duplicated.length && !report.outOfOrder.length && !report.failedItems.length &&
    !report.undelivered.length;
  process.exit(ok ? 0 : 1);
}
