/**
 * kefu.js — the only file a merchant loads eagerly (design §1). No framework, no storage, no
 * network but the panel chunk. Defines `window.Kefu`, replays calls queued by the snippet, reads
 * `data-*` options from its own script tag and draws the bubble.
 */
import { createEmbed, type Embed, type PanelMethod } from './embed/embed';
import type { KefuOptions, PanelModule } from './embed/types';

/** Replaced at build time by the content-hashed name of the panel chunk. */
const PANEL_FILE = '__KEFU_PANEL__';
const VERSION = '__KEFU_VERSION__';

type Call = ArrayLike<unknown>;
type Global = ((...args: unknown[]) => unknown) & { q?: Call[]; version?: string };

const kinds: Record<string, string> = {
  site: 'string', api: 'string', locale: 'string', theme: 'string', position: 'string', launcher: 'boolean',
};
const panelMethods = ['open', 'close', 'toggle', 'ask'];
const choices: Record<string, string[]> = { theme: ['light', 'dark', 'auto'], position: ['left', 'right'] };

/** The first thing wrong with the options, naming the option; the panel checks the rest. */
function problem(options: Record<string, unknown>): string | undefined {
  if (!options || typeof options !== 'object') return 'options must be an object';
  for (const [name, value] of Object.entries(options)) {
    if (!kinds[name]) return `unknown option "${name}"`;
    if (typeof value !== kinds[name]) return `option "${name}" must be a ${kinds[name]}`;
    if (choices[name] && !choices[name].includes(value as string)) {
      return `option "${name}" must be one of ${choices[name].join(', ')}`;
    }
  }
  if (!/^pk_\w+$/.test(String(options.site))) return 'option "site" must be a key like "pk_demo"';
}

const w = window as unknown as { Kefu?: Global };
if (w.Kefu?.version) {
  console.warn('[kefu] kefu.js loaded twice; the first copy is used');
} else {
  const script = document.currentScript as HTMLScriptElement | null;
  const src = script?.src || location.href;
  const queued = w.Kefu?.q ?? [];
  const waiting: [string, unknown[], (v: unknown) => void, (e: unknown) => void][] = [];
  let embed: Embed | undefined;
  let destroyed = false;

  const start = (options: KefuOptions) => {
    embed = createEmbed({ api: new URL(src).origin, ...options }, () => import(new URL(PANEL_FILE, src).href) as Promise<PanelModule>);
    for (const [name, args, resolve, reject] of waiting.splice(0)) run(name, args).then(resolve, reject);
  };

  const init = (options: Record<string, unknown>) => {
    if (embed) {
      console.warn('[kefu] init called twice; the first options are kept');
      return Promise.resolve();
    }
    const wrong = problem(options);
    if (wrong) return Promise.reject(new TypeError(`Kefu init: ${wrong}`));
    destroyed = false;
    start(options as KefuOptions);
    return Promise.resolve();
  };

  const run = (name: string, args: unknown[]): Promise<unknown> => {
    if (name === 'init') return init(args[0] as Record<string, unknown>);
    const target = embed;
    if (!target) {
      if (destroyed) return Promise.reject(new Error(`Kefu.${name}: destroyed; call init first`));
      return new Promise((resolve, reject) => waiting.push([name, args, resolve, reject]));
    }
    if (name === 'destroy') {
      destroyed = true;
      embed = undefined;
      return target.destroy();
    }
    if (name === 'on' || name === 'off') return Promise.resolve(target[name](args[0] as string, args[1] as () => void));
    if (!panelMethods.includes(name)) return Promise.reject(new TypeError(`Kefu: unknown command "${name}"`));
    return target.call(name as PanelMethod, args);
  };

  // The global keeps one shape from first load on: a callable with the API's methods.
  const api: Global = (name?: unknown, ...args: unknown[]) => run(String(name), args);
  for (const name of ['init', 'destroy', ...panelMethods]) {
    (api as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => run(name, args);
  }
  // Subscriptions answer at once with an unsubscribe function, even before init.
  Object.assign(api, {
    on: (event: string, fn: () => void) => (embed ? embed.on(event, fn) : void run('on', [event, fn])),
    off: (event: string, fn: () => void) => embed?.off(event, fn),
  });
  Object.defineProperty(api, 'unread', { get: () => embed?.unread ?? 0 });
  api.version = VERSION;
  w.Kefu = api;

  if (!Array.from(queued).some((call) => call[0] === 'init')) {
    const data = script?.dataset ?? {};
    const options: Record<string, unknown> = {};
    for (const name in kinds) if (data[name] != null) options[name] = name === 'launcher' ? data[name] !== 'false' : data[name];
    // A wrong attribute is reported and dropped; the bubble still draws (a wrong site shows "not configured").
    for (let wrong = problem(options); wrong; wrong = problem(options)) {
      const name = /"(\w+)"/.exec(wrong)![1]!;
      console.error(`[kefu] data-${name} on the kefu.js script tag: ${wrong}`);
      delete options[name];
      if (name === 'site') break;
    }
    start(options);
  }
  for (const call of Array.from(queued)) {
    void run(String(call[0]), Array.prototype.slice.call(call, 1)).catch((error) => console.error('[kefu]', error));
  }
}
