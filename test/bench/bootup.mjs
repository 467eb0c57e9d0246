// Host main-thread cost of Kefu's own scripts on page load, attributed from a Chromium trace the way
// Lighthouse's "bootup time" does: every main-thread task whose JavaScript comes from a Kefu file
// counts, whole, for that file (kefu.js's evaluation alone when it runs inside the page's parsing
// task). The loader (kefu.js: the API and the bubble) is reported apart from the panel chunks it
// preloads at idle. Long tasks (> 50 ms) are counted per side.
import { CPU_THROTTLE } from './measure.mjs';

const CATEGORIES = 'devtools.timeline,disabled-by-default-devtools.timeline,v8,v8.execute,blink';
const SETTLE_MS = 3_000;
const RUNS = 5;

/** Loads `url` in a fresh context at `rate`× CPU and returns the Kefu tasks of its main thread. */
async function traceLoad(browser, url, rate = CPU_THROTTLE) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    const events = [];
    cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
    const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
    await page.goto('about:blank');
    await cdp.send('Tracing.start', { categories: CATEGORIES, transferMode: 'ReportEvents' });
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForTimeout(SETTLE_MS);
    await cdp.send('Tracing.end');
    await complete;
    return kefuTasks(events, new URL(url).origin);
  } finally {
    await context.close();
  }
}

/** The page's main-thread tasks that ran Kefu code, each with its file and wall duration (ms). */
export function kefuTasks(events, pageOrigin) {
  const loader = events.find((e) => e.name === 'EvaluateScript' && /\/kefu\.js(\?|$)/.test(e.args?.data?.url ?? ''));
  if (!loader) return null;
  const origin = new URL(loader.args.data.url).origin;
  // Kefu's files: scripts from where kefu.js came from (the bench's own page scripts excluded).
  const own = (url) => typeof url === 'string' && url.startsWith(origin + '/') && /\.js(\?|$)/.test(url) && !url.startsWith(pageOrigin + '/__bench');
  const thread = events.filter((e) => e.pid === loader.pid && e.tid === loader.tid && e.ph === 'X');
  const tasks = thread.filter((e) => e.name === 'RunTask');
  const scripts = thread.filter((e) => ['EvaluateScript', 'FunctionCall', 'v8.evaluateModule', 'v8.compileModule', 'v8.compile', 'TimerFire', 'FireIdleCallback']
    .includes(e.name) && own(e.args?.data?.url ?? e.args?.data?.fileName ?? e.args?.fileName));
  const out = [];
  for (const task of tasks) {
    const inner = scripts.find((e) => e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur);
    if (!inner) continue;
    const url = inner.args?.data?.url ?? inner.args?.data?.fileName ?? inner.args?.fileName;
    const evaluation = loader.ts >= task.ts && loader.ts <= task.ts + task.dur;
    // A parser-blocking script runs inside the page's own parsing task: only its evaluation is Kefu's.
    const timed = evaluation ? loader : task;
    out.push({ file: url.split('/').pop().split('?')[0], ms: timed.dur / 1000, cpuMs: (timed.tdur ?? 0) / 1000, evaluation });
  }
  return out;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (n) => Math.round(n * 10) / 10;

/** Kefu-only metric: the loader's main-thread time at 4× (median of fresh loads) and the idle preload apart. */
export async function measureLoaderBootup(ctx) {
  const browser = ctx.page.context().browser();
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const tasks = await traceLoad(browser, ctx.widget.url);
    if (!tasks) return { value: null, unit: 'ms', budget: '≤ 20 ms, no long task', status: 'failed: kefu.js was not evaluated' };
    const loader = tasks.filter((t) => t.evaluation); // kefu.js's own evaluation: the API, the bubble
    const idle = tasks.filter((t) => !loader.includes(t));
    runs.push({
      loaderMs: loader.reduce((s, t) => s + t.ms, 0),
      // Thread time: what the main thread really ran (wall time also holds waits for the CPU on a busy machine).
      loaderCpuMs: loader.reduce((s, t) => s + t.cpuMs, 0),
      loaderLong: loader.filter((t) => t.ms > 50).length,
      idleMs: idle.reduce((s, t) => s + t.ms, 0),
      idleTasks: idle.length,
      idleLongest: Math.max(0, ...idle.map((t) => t.ms)),
      idleLong: idle.filter((t) => t.ms > 50).length,
    });
  }
  // Lighthouse's default instead: unthrottled loads, observed time × 4 (DevTools' throttle is rough,
  // and a cross-process navigation's first script does not always get it).
  const plain = [];
  for (let i = 0; i < RUNS; i++) {
    const tasks = await traceLoad(browser, ctx.widget.url, 1);
    if (tasks) plain.push(tasks.filter((t) => t.evaluation).reduce((s, t) => s + t.cpuMs, 0));
  }
  const value = round(median(runs.map((r) => r.loaderMs)));
  const long = runs.reduce((s, r) => s + r.loaderLong, 0);
  return {
    value,
    unit: 'ms (median)',
    budget: '≤ 20 ms, no long task',
    status: value <= 20 && long === 0 ? 'ok' : 'over budget',
    detail: `${RUNS} fresh loads at ${CPU_THROTTLE}× CPU: loader ${runs.map((r) => round(r.loaderMs)).join(' / ')} ms `
      + `(thread time ${runs.map((r) => round(r.loaderCpuMs)).join(' / ')} ms), ${long} long; `
      + `unthrottled, thread time median ${round(median(plain))} ms (× ${CPU_THROTTLE} = ${round(median(plain) * CPU_THROTTLE)} ms, Lighthouse's simulated throttling); `
      + `panel preloaded at idle in ${median(runs.map((r) => r.idleTasks))} tasks, ${round(median(runs.map((r) => r.idleMs)))} ms in all, `
      + `longest ${round(median(runs.map((r) => r.idleLongest)))} ms, ${runs.reduce((s, r) => s + r.idleLong, 0)} long in ${RUNS} loads`,
    runs,
    unthrottledMs: plain,
  };
}
