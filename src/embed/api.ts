/**
 * The API facade shared by the loader (`window.Kefu`) and the npm entry (`createKefu`). It stays
 * small on purpose: it queues and forwards calls, keeps the event listeners, and draws the bubble;
 * the panel chunk does the work and checks the arguments.
 *
 * Where option checks live: `init` checks here what costs a few bytes (names, types, choices, the
 * site key) and rejects at once, without touching the network. What needs a schema (the user
 * token, the context's shape) or the DOM (the container element) is checked with valibot by the
 * panel chunk when it loads — at idle, on hover or focus, or with the first call that needs it;
 * `init` does not load it sooner — and `init`'s promise waits for that check, so it resolves only
 * for options checked in full. A wrong option found there tears the instance down again, so a
 * corrected `init` can follow. Checking everything here instead would not fit the loader's 2 KB.
 */
import { drawHost } from './launcher';
import type { Bridge, KefuEvent, KefuGlobal, KefuOptions, PanelHandle, PanelModule } from './types';

type Listener = (data?: unknown) => void;

/** Each option's allowed types (`typeof`) or values, space-separated. */
export const kinds: Record<string, string> = {
  site: 'string', api: 'string', locale: 'string', theme: 'light dark auto', position: 'left right',
  consent: 'pending granted', launcher: 'boolean', trackNavigation: 'boolean', titleBadge: 'boolean',
  user: 'object', context: 'object', adapter: 'object', container: 'object string',
};
/** Every method but `init`, `destroy`, `on` and `off`; the panel handles them. */
const commands = 'open close toggle ask startComplaint startRefund identify logout setContext setLocale setTheme consent'.split(' ');

/** The first thing wrong with `options` (merged over the tag's `data-*`), naming the option. */
export function problem(options: Record<string, unknown>, given: unknown = options): string | undefined {
  for (const [name, value] of Object.entries(Object(given))) { // null or a string: no site key, or "0" unknown.
    const allowed = kinds[name]?.split(' ');
    if (!allowed) return `unknown option "${name}"`;
    if (value !== undefined && !allowed.includes(typeof value) && !allowed.includes(value as string)) {
      return `option "${name}" must be ${allowed.join(' or ')}`;
    }
  }
  if (!/^pk_[\w-]+$/.test(options.site as string)) return 'option "site" must be a key like "pk_demo"';
}

/**
 * Creates the API object; its shape never changes after this. `defaults` (the script tag's
 * `data-*`, already checked) are merged under `init`'s options.
 */
export function createApi(loadPanel: () => Promise<PanelModule>, version: string, defaults: KefuOptions = {}) {
  let listeners: [string, Listener][] = [];
  let unread = 0;
  let ready: [unknown] | undefined;
  let instance: { panel(): Promise<PanelHandle>; loaded: Promise<PanelHandle>; destroy(): Promise<void> | undefined } | undefined;
  let destroyed = false;
  let warned = false;
  const waiting: (() => void)[] = [];

  const log = (error: unknown) => console.error('[kefu]', error);
  const emit = (event: string, data?: unknown) => {
    if (event == 'unread') unread = data as number;
    if (event == 'ready') ready = [data];
    for (const [name, fn] of listeners) if (name == event) tell(fn, data);
  };
  const tell = (fn: Listener, data: unknown) => {
    try {
      fn(data);
    } catch (error) {
      log(error); // The host's listener threw: its bug, logged; the other listeners still run.
    }
  };
  /** Every entry point goes through here: a failure rejects, is logged and is an `error` event, never a throw. */
  const report = <T>(promise: Promise<T>) => {
    promise.catch((error) => {
      log(error);
      emit('error', error);
    });
    return promise;
  };

  /** Draws the host node and bubble; the panel chunk is loaded on intent, at idle or on the first call. */
  const start = (options: KefuOptions) => {
    let handle: Promise<PanelHandle> | undefined;
    let gone = false;
    let first: (handle: Promise<PanelHandle>) => void;
    const bridge: Bridge = { launcher: null, emit };
    const panel = () => {
      if (!handle) {
        first((handle = loadPanel().then((module) => {
          if (gone) throw Error('Kefu: destroyed');
          try {
            return module.mount(ui.root, options, bridge);
          } catch (error) {
            self.destroy(); // A wrong option: the instance goes, a corrected init may follow.
            throw error;
          }
        }, (error) => {
          handle = undefined; // A failed download is tried again on the next intent or call.
          throw error;
        })));
      }
      return handle;
    };
    const preload = () => void panel().catch(() => undefined); // The call that needs the panel reports it.
    const ui = drawHost(options, preload, () => void report(run('toggle', [])));
    bridge.launcher = ui.button;
    const self = (instance = {
      panel,
      // Settles with the first load, whatever started it: `init` waits for it without starting it.
      loaded: new Promise<PanelHandle>((resolve) => (first = resolve)),
      destroy() {
        gone = true;
        instance = undefined;
        first(handle!); // An init still waiting for a panel that never came resolves (a no-op once it came).
        window.cancelIdleCallback?.(idle!);
        ui.host.remove();
        return handle?.then((p) => p.destroy(), () => undefined);
      },
    });
    // Inline mode shows the panel at once; otherwise the panel loads when the page is idle (never
    // sooner on a busy page: intent or a call loads it anyway), in two idle tasks so that neither is
    // long: the chunk's evaluation, then the (closed) mount.
    const later = (then: () => void) => window.requestIdleCallback?.(then);
    let idle = options.container ? null : later(() => void loadPanel().then(() => gone || (idle = later(preload)), preload));
    if (idle == null) preload();
    destroyed = false;
    waiting.splice(0).forEach((go) => go());
  };

  /** `lenient`: the script tag's own start, whose wrong site key still draws a "not configured" bubble. */
  const init = async (given: KefuOptions, lenient?: unknown) => {
    if (instance) {
      if (!warned) console.warn('[kefu] init called twice; the first one counts');
      warned = true;
    } else {
      const options = { ...defaults, ...given };
      const wrong = problem(options, given);
      if (wrong && !lenient) throw TypeError(`Kefu init: ${wrong}`);
      start(options);
    }
    await instance!.loaded;
  };

  const run = async (command: unknown, args: unknown[]): Promise<unknown> => {
    const name = String(command); // Inside the async function: even a Symbol only rejects.
    if (name == 'init') return init(args[0] as KefuOptions, args[1]);
    if (name == 'destroy') {
      destroyed = true;
      listeners = [];
      ready = undefined;
      unread = 0;
      return instance?.destroy();
    }
    if (name == 'on' || name == 'off') return (api[name] as (...a: unknown[]) => unknown)(...args);
    if (!commands.includes(name)) throw TypeError(`Kefu: unknown command "${name}"`);
    if (!instance) {
      if (destroyed) throw Error(`Kefu.${name}: destroyed; call init first`);
      await new Promise<void>((resolve) => waiting.push(resolve)); // Calls before init wait for it, in order.
      return run(name, args);
    }
    const panel = await instance.panel();
    return (panel[name as keyof PanelHandle] as (...a: unknown[]) => unknown)(...args);
  };

  const api = ((name: unknown, ...args: unknown[]) => report(run(name, args))) as KefuGlobal;
  for (const name of ['init', 'destroy', ...commands]) {
    (api as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => report(run(name, args));
  }
  const off = (event: string, fn: Listener) => void (listeners = listeners.filter(([e, f]) => e != event || f != fn));
  api.on = ((event: KefuEvent, fn: Listener) => {
    listeners.push([event, fn]);
    if (event == 'ready' && ready) tell(fn, ready[0]);
    return () => off(event, fn);
  }) as KefuGlobal['on'];
  api.off = off as KefuGlobal['off'];
  Object.defineProperties(api, { unread: { get: () => unread }, version: { value: version } });
  return api;
}
