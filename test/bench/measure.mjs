// One measured run of one widget in a fresh browser context (empty HTTP cache, empty storage).
//
//   1. load the page with 4× CPU throttling, wait for the bubble, let it settle → host cost
//   2. click the bubble → "open, cold" (nothing of the panel cached yet) → bytes to first open, heap
//   3. close, click again → "open, warm"
//   4. navigate to the page again in the same context (HTTP cache warm), click → "open, cached"
import { totals } from './bytes.mjs';
import { trackNetwork } from './network.mjs';
import { probeScript } from './probe.mjs';
import { sleep, withTimeout } from './util.mjs';
import { locate } from './widgets.mjs';

export const CPU_THROTTLE = 4;
const BUBBLE_TIMEOUT_MS = 45_000;
const PANEL_TIMEOUT_MS = 30_000;
const SETTLE_MS = 1_000; // after the network is quiet: lets idle callbacks (e.g. preloads) run
const MB = 1024 * 1024;

/** Marks reported by the in-page probe through the `__benchMark` binding. */
function markCollector() {
  const marks = {};
  const waiters = [];
  return {
    record(name, t) {
      marks[name] = t;
      for (const w of waiters.filter((x) => x.name === name)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(t);
      }
    },
    reset(...names) {
      for (const n of names) delete marks[n];
    },
    get: (name) => marks[name],
    wait(name, ms) {
      if (marks[name] !== undefined) return Promise.resolve(marks[name]);
      return withTimeout(new Promise((resolve) => waiters.push({ name, resolve })), ms, `${name} visible`);
    },
  };
}

async function perfMetrics(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

async function heapUsedMB(cdp) {
  // Collect garbage first: what stays is what the widget really holds, not pending garbage.
  await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
  return (await perfMetrics(cdp)).JSHeapUsedSize / MB;
}

/** Clicks the centre of a target with real mouse input (trusted events, hit testing). */
async function clickTarget(page, target) {
  const box = await locate(page, target).boundingBox({ timeout: 10_000 });
  if (!box) throw new Error('launcher has no box');
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

/** Clicks the bubble and returns ms from pointerdown to the panel first painted visible. */
async function openPanel(page, widget, marks) {
  marks.reset('panel', 'pointerdown');
  for (const frame of page.frames()) {
    await frame.evaluate(() => window.__bench?.watch('panel')).catch(() => {});
  }
  await clickTarget(page, widget.bubble);
  const shown = await marks.wait('panel', PANEL_TIMEOUT_MS);
  const down = await marks.wait('pointerdown', 1_000);
  return shown - down;
}

async function closePanel(page, widget) {
  const panel = locate(page, widget.panel);
  if (widget.close === 'escape-or-launcher') {
    await page.keyboard.press('Escape');
    const closed = await panel.waitFor({ state: 'hidden', timeout: 2_000 }).then(() => true, () => false);
    if (!closed) await clickTarget(page, widget.bubble);
  } else {
    await clickTarget(page, widget.bubble);
  }
  await panel.waitFor({ state: 'hidden', timeout: 10_000 });
  await sleep(500); // let closing animations finish before the next open
}

/**
 * Loads the page and waits until it has settled. Returns { timeToBubble } (ms from navigation
 * start) and, when `onBubble` is given, what it returned right after the bubble appeared.
 */
async function loadAndSettle(page, widget, marks, net, onBubble) {
  marks.reset('bubble');
  await page.goto(widget.url, { waitUntil: 'load', timeout: BUBBLE_TIMEOUT_MS });
  let bubbleAt = null;
  // Taken as soon as the bubble is reported (or at load without one): the loader's own share,
  // before idle-time work such as preloading the panel.
  let atBubble = null;
  if (widget.bubble) bubbleAt = await marks.wait('bubble', BUBBLE_TIMEOUT_MS);
  if (onBubble) atBubble = await onBubble();
  await net.quiet();
  await sleep(SETTLE_MS);
  const navStart = await page.evaluate(() => performance.timeOrigin);
  return { timeToBubble: bubbleAt === null ? null : bubbleAt - navStart, atBubble };
}

/** Collects what went wrong inside the page (console errors, uncaught errors, failed loads). */
function watchProblems(page, problems) {
  const add = (text) => {
    const line = text.replace(/\s+/g, ' ').slice(0, 300);
    if (!problems.includes(line) && problems.length < 20) problems.push(line);
  };
  page.on('console', (msg) => { if (msg.type() === 'error') add(`console: ${msg.text()}`); });
  page.on('pageerror', (err) => add(`uncaught: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 400) add(`HTTP ${res.status()} ${res.request().method()} ${res.url()}`);
  });
  page.on('requestfailed', (req) => add(`failed: ${req.url()} (${req.failure()?.errorText})`));
}

/** Loader / before-click / up-to-open byte totals from the recorded resources. */
function byteSummary(resources, widget) {
  const code = resources.filter((r) => !r.api);
  const pick = ({ raw, gzip, brotli, requests }) => ({ raw, gzip, brotli, requests });
  return {
    loader: pick(totals(code.filter((r) => widget.loader?.(r.url)))),
    beforeClick: pick(totals(code.filter((r) => r.phase === 'load'))),
    toOpen: pick(totals(code)),
    api: pick(totals(resources.filter((r) => r.api))),
  };
}

/**
 * Runs the whole sequence for `widget` (with widget.url set) and returns the raw numbers.
 * `shot`: optional screenshot path, taken with the panel open.
 */
export async function measureRun(browser, widget, { shot, kefuOnly } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const problems = [];
  try {
    const marks = markCollector();
    await context.exposeBinding('__benchMark', (_source, name, t) => marks.record(name, t));
    await context.addInitScript(probeScript({ bubble: widget.bubble, panel: widget.panel }));
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_THROTTLE });
    const net = trackNetwork(page);
    watchProblems(page, problems);
    const result = { widget: widget.id };

    // 1. Load.
    const before = await perfMetrics(cdp);
    const load = await loadAndSettle(page, widget, marks, net, () => perfMetrics(cdp));
    result.timeToBubbleMs = load.timeToBubble;
    const after = await perfMetrics(cdp);
    result.scriptToBubbleMs = (load.atBubble.ScriptDuration - before.ScriptDuration) * 1000;
    result.taskToBubbleMs = (load.atBubble.TaskDuration - before.TaskDuration) * 1000;
    const longtasks = await page.evaluate(() => window.__bench?.longtasks ?? []);
    result.taskMs = (after.TaskDuration - before.TaskDuration) * 1000;
    result.scriptMs = (after.ScriptDuration - before.ScriptDuration) * 1000;
    result.longTasks = longtasks.length;
    result.blockingMs = longtasks.reduce((sum, t) => sum + Math.max(0, t.duration - 50), 0);
    await net.readBodies();

    if (!widget.panel) {
      // Inline component (or the baseline): it is "open" as soon as it renders.
      result.heapAfterOpenMB = await heapUsedMB(cdp);
      if (shot) await page.screenshot({ path: shot });
      net.stopRecording();
      await net.readBodies();
      if (widget.bubble) result.timeToBubbleRepeatMs = (await loadAndSettle(page, widget, marks, net)).timeToBubble;
    } else {
      // 2. First open, nothing cached.
      net.setPhase('open');
      result.openColdMs = await openPanel(page, widget, marks);
      await net.quiet();
      result.heapAfterOpenMB = await heapUsedMB(cdp);
      // Waited for, not sampled: a panel paints its frame before its view's input renders.
      result.panelHasInput = widget.input
        ? await locate(page, widget.input).first().waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)
        : null;
      if (shot) {
        await sleep(300); // opening animations
        await page.screenshot({ path: shot });
      }
      net.stopRecording();
      await net.readBodies();
      if (kefuOnly) result.kefuOnly = await kefuOnly({ page, cdp, widget });

      // 3. Close and reopen in the same page.
      await closePanel(page, widget);
      result.openWarmMs = await openPanel(page, widget, marks);

      // 4. Same page again, HTTP cache now holds everything: the "cold, chunk cached" case.
      result.timeToBubbleRepeatMs = (await loadAndSettle(page, widget, marks, net)).timeToBubble;
      result.openCachedMs = await openPanel(page, widget, marks);
    }

    const resources = await net.resources();
    result.bytes = byteSummary(resources, widget);
    result.resources = resources;
    result.externalRequests = [...new Set(net.state.external)];
    result.problems = problems;
    return result;
  } catch (err) {
    // Say what the page itself complained about: usually the real reason behind a timeout.
    if (problems.length) err.message += `\n    page problems: ${problems.slice(0, 4).join(' | ')}`;
    throw err;
  } finally {
    await context.close().catch(() => {});
  }
}
