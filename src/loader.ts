/**
 * kefu.js — the only file a merchant loads eagerly (design §1). No framework, no storage, no
 * network but the panel chunk. Defines `window.Kefu` (one shape from first load on), replays the
 * calls the snippet queued, reads `data-*` options from its own script tag and draws the bubble.
 */
import { createApi, kinds, problem } from './embed/api';
import type { KefuGlobal, KefuOptions, PanelModule } from './embed/types';

/** Replaced at build time by the content-hashed name of the panel chunk. */
const PANEL_FILE = '__KEFU_PANEL__';
const VERSION = '__KEFU_VERSION__';

const w = window as unknown as { Kefu?: KefuGlobal & { q?: ArrayLike<unknown>[] } };
try {
  if (w.Kefu?.version) {
    console.warn('[kefu] kefu.js loaded twice'); // The first copy keeps running.
  } else {
    const script = document.currentScript as HTMLScriptElement | null;
    const src = script?.src || location.href;
    const queued = (w.Kefu?.q ?? []) as ArrayLike<unknown>[] & unknown[][];
    const data = script?.dataset ?? {};
    const options: Record<string, unknown> = {};
    for (const name in kinds) {
      const value = data[name];
      if (value != null) options[name] = kinds[name] == 'boolean' ? value != 'false' : value;
    }
    // A wrong attribute is reported and dropped; the bubble still draws (a wrong site shows "not configured").
    for (let wrong = problem(options); wrong; wrong = problem(options)) {
      const name = /"(\w+)"/.exec(wrong)![1]!;
      console.error(`[kefu] data-${name}: ${wrong}`);
      if (name == 'site') break;
      delete options[name];
    }
    const defaults: KefuOptions = { api: new URL(src).origin, ...options };
    const api = createApi(() => import(new URL(PANEL_FILE, src).href) as Promise<PanelModule>, VERSION, defaults);
    w.Kefu = api;
    if (!queued.some((call) => call[0] == 'init')) void api('init', {}, 1); // Failures are logged and emitted.
    for (const call of queued) void api(...(call as [string])); // Failures are reported by the API.
  }
} catch (error) {
  console.error('[kefu]', error); // Never into the host page.
}
