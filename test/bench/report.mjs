// Turns raw runs into a summary (median, min–max) and a Markdown table.
import { KEFU_ONLY_METRICS } from './kefu-only.mjs';
import { median, summarize } from './util.mjs';

const KiB = 1024;

// One row per metric. `get(run, base)` reads one run; `base` holds the baseline medians, for
// the metrics that are "cost of the widget" = page with widget minus the same page without.
export const METRICS = [
  { key: 'loaderRaw', label: 'Loader script, uncompressed', unit: 'KiB', get: (r) => r.bytes?.loader.raw / KiB },
  { key: 'loaderGzip', label: 'Loader script, gzip -9', unit: 'KiB', get: (r) => r.bytes?.loader.gzip / KiB },
  { key: 'loaderBrotli', label: 'Loader script, brotli q11', unit: 'KiB', budget: '≤ 2 KiB', get: (r) => r.bytes?.loader.brotli / KiB },
  { key: 'beforeClickBrotli', label: 'Fetched before any click, brotli q11', unit: 'KiB', get: (r) => r.bytes?.beforeClick.brotli / KiB },
  { key: 'toOpenRaw', label: 'Total to first open panel, uncompressed', unit: 'KiB', get: (r) => r.bytes?.toOpen.raw / KiB },
  { key: 'toOpenGzip', label: 'Total to first open panel, gzip -9', unit: 'KiB', budget: 'panel ≤ 30 KiB (+ loader)', get: (r) => r.bytes?.toOpen.gzip / KiB },
  { key: 'toOpenBrotli', label: 'Total to first open panel, brotli q11', unit: 'KiB', get: (r) => r.bytes?.toOpen.brotli / KiB },
  { key: 'toOpenRequests', label: 'Requests (code + assets) to first open', unit: '', get: (r) => r.bytes?.toOpen.requests },
  { key: 'hostTaskMs', label: 'Host main-thread task time over baseline', unit: 'ms', budget: '≤ 20 ms', baselineKey: 'taskMs', get: (r, b) => r.taskMs - b.taskMs },
  { key: 'hostScriptMs', label: 'Host script time over baseline', unit: 'ms', baselineKey: 'scriptMs', get: (r, b) => r.scriptMs - b.scriptMs },
  { key: 'scriptToBubbleMs', label: 'Host script time until bubble visible (loader\'s share)', unit: 'ms', baselineKey: 'scriptToBubbleMs', get: (r, b) => r.scriptToBubbleMs - b.scriptToBubbleMs },
  { key: 'longTasks', label: 'Long tasks during load (page\'s own included, see no widget)', unit: '', budget: '0 (over no widget)', baselineKey: 'longTasks', get: (r) => r.longTasks },
  { key: 'blockingMs', label: 'Blocking time during load (Σ long task − 50 ms, page\'s own included)', unit: 'ms', baselineKey: 'blockingMs', get: (r) => r.blockingMs },
  { key: 'timeToBubbleMs', label: 'Time to bubble (navigation → launcher visible)', unit: 'ms', get: (r) => r.timeToBubbleMs },
  { key: 'timeToBubbleRepeatMs', label: 'Time to bubble, repeat view (HTTP cache warm)', unit: 'ms', get: (r) => r.timeToBubbleRepeatMs },
  { key: 'openColdMs', label: 'Open panel, cold (first open, nothing cached)', unit: 'ms', get: (r) => r.openColdMs },
  { key: 'openCachedMs', label: 'Open panel, cold (new page, chunk in HTTP cache)', unit: 'ms', budget: '≤ 100 ms', get: (r) => r.openCachedMs },
  { key: 'openWarmMs', label: 'Open panel, warm (close + reopen)', unit: 'ms', budget: '≤ 33 ms', get: (r) => r.openWarmMs },
  { key: 'heapMB', label: 'JS heap after open, over baseline', unit: 'MiB', baselineKey: 'heapAfterOpenMB', get: (r, b) => r.heapAfterOpenMB - b.heapAfterOpenMB },
];

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Baseline medians of the raw fields that other widgets are compared with. */
function baselineMedians(baselineRuns) {
  const fields = ['taskMs', 'scriptMs', 'scriptToBubbleMs', 'longTasks', 'blockingMs', 'heapAfterOpenMB'];
  return Object.fromEntries(fields.map((f) => [f, median(baselineRuns.map((r) => r[f])) ?? 0]));
}

/** summary[widgetId][metricKey] = { median, min, max, n } | null */
export function summarizeAll(widgets) {
  const base = baselineMedians(widgets.baseline?.runs ?? []);
  const summary = {};
  for (const [id, w] of Object.entries(widgets)) {
    summary[id] = {};
    for (const m of METRICS) {
      if (id === 'baseline') {
        // The baseline column shows its own absolute values, where they mean something.
        summary[id][m.key] = m.baselineKey ? summarize(w.runs.map((r) => num(r[m.baselineKey]))) : null;
      } else {
        summary[id][m.key] = summarize(w.runs.map((r) => num(m.get(r, base))));
      }
    }
  }
  return { baseline: base, byWidget: summary };
}

function fmt(v) {
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function cell(s, unit) {
  if (!s) return '—';
  if (!unit && Number.isInteger(s.min) && Number.isInteger(s.max)) {
    // Counts: whole numbers read better than "3.00".
    return s.min === s.max ? `${s.median}` : `${s.median} (${s.min}–${s.max})`;
  }
  const u = unit ? ` ${unit}` : '';
  if (s.n === 1 || fmt(s.min) === fmt(s.max)) return `${fmt(s.median)}${u}`;
  return `${fmt(s.median)}${u} (${fmt(s.min)}–${fmt(s.max)})`;
}

function ratio(peer, kefu) {
  if (!peer || !kefu || kefu.median <= 0 || peer.median < 0) return '—';
  return `${fmt(peer.median / kefu.median)}×`;
}

function naCell(widget, metric) {
  if (widget.status === 'skipped') return 'skipped';
  if (widget.status === 'failed') return 'failed';
  if (!widget.hasPanel && /^open/.test(metric.key)) return 'n/a (inline)';
  if (!widget.hasBubble && /^timeToBubble/.test(metric.key)) return 'n/a';
  return '—';
}

/** The Markdown report: one row per metric, one column per widget, then peer/Kefu ratios. */
export function markdownTable(results) {
  const { widgets, summary } = results;
  const peers = Object.keys(widgets).filter((id) => id !== 'baseline' && id !== 'kefu');
  const kefu = widgets.kefu;
  const head = ['Metric', 'Kefu budget', widgets.baseline.label, 'Kefu', ...peers.map((id) => widgets[id].label),
    ...peers.map((id) => `${widgets[id].label} / Kefu`)];
  const rows = [head, head.map(() => '---')];
  for (const m of METRICS) {
    const s = (id) => summary.byWidget[id]?.[m.key] ?? null;
    const show = (id) => (s(id) ? cell(s(id), m.unit) : naCell(widgets[id], m));
    rows.push([
      m.label, m.budget ?? '', s('baseline') ? cell(s('baseline'), m.unit) : '',
      kefu ? show('kefu') : 'skipped', ...peers.map(show),
      ...peers.map((id) => ratio(s(id), kefu?.status === 'ok' ? s('kefu') : null)),
    ]);
  }
  for (const [key, label] of KEFU_ONLY_METRICS) {
    const k = results.kefuOnly?.[key];
    const value = k?.value != null ? `${fmt(k.value)} ${k.unit}${k.detail ? ` — ${k.detail}` : ''}` : k?.status ?? 'not measured yet';
    rows.push([`${label} (Kefu only)`, k?.budget ?? '', '', value, ...peers.map(() => 'n/a'), ...peers.map(() => '')]);
  }
  return rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** The whole results.md: context, table, notes. */
export function markdownReport(results) {
  const { machine, settings, widgets } = results;
  const lines = [
    `# Kefu benchmark — ${results.date}`,
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.os}; Node ${machine.node}; Chromium ${machine.chromium}.`,
    `Settings: ${settings.runs} runs per widget, CPU throttled ${settings.cpuThrottle}× (CDP), viewport ${settings.viewport}, ` +
      'fresh browser context per run, everything served from 127.0.0.1 without HTTP compression.',
    'Cells: median (min–max). Ratios: peer median / Kefu median (above 1× means Kefu is smaller or faster).',
    '',
    markdownTable(results),
    '',
    '## Widgets',
    '',
  ];
  for (const w of Object.values(widgets)) {
    if (w.id === 'baseline') continue;
    lines.push(`- **${w.label}**${w.version ? ` ${w.version}` : ''}: ${w.how}` +
      (w.status !== 'ok' ? ` — **${w.status}**: ${w.reason ?? ''}` : ''));
    if (w.externalRequests?.length) lines.push(`  - tried to reach outside 127.0.0.1 (blocked): ${w.externalRequests.join(', ')}`);
    const noInput = w.runs.filter((r) => r.panelHasInput === false).length;
    if (noInput) {
      lines.push(`  - **warning**: in ${noInput} of ${w.runs.length} runs the open panel showed no message input — ` +
        'it opened in an error state, so its open timings are not those of a working panel');
    }
    const problems = w.runs[0]?.problems ?? [];
    if (problems.length) {
      lines.push(`  - page errors seen in run 1 (for peers, expected with stub backends): ${problems.slice(0, 4).map((p) => `\`${p.slice(0, 160)}\``).join('; ')}`);
    }
    for (const e of w.errors ?? []) lines.push(`  - run ${e.run}: ${e.message.replace(/\s*\n\s*/g, ' — ')}`);
  }
  lines.push('', '## How it is measured', '', ...results.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}
