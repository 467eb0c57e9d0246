import { drawHost } from './launcher';
import type { Bridge, KefuOptions, PanelHandle, PanelModule } from './types';

type Listener = (data?: unknown) => void;
export type PanelMethod = 'open' | 'close' | 'toggle' | 'ask';

/**
 * One widget instance: the host node and bubble now, the panel chunk on intent (hover, focus,
 * idle) and mounted on first open. Shared by the loader and the npm entry.
 */
export function createEmbed(options: KefuOptions, loadPanel: () => Promise<PanelModule>) {
  const listeners = new Map<string, Set<Listener>>();
  const fired = new Map<string, unknown>();
  let unread = 0;
  let handle: Promise<PanelHandle> | undefined;
  let idle: number | undefined;

  const preload = () => void loadPanel().catch(() => undefined); // The click below reports a failure.
  const panel = () => (handle ??= loadPanel().then((module) => module.mount(ui.root, options, bridge)));
  const withPanel = <T>(fn: (panel: PanelHandle) => T) => panel().then(fn);

  const emit = (event: string, data?: unknown) => {
    fired.set(event, data);
    for (const fn of listeners.get(event) ?? []) fn(data);
  };

  const ui = drawHost(options, preload, () => void withPanel((p) => p.toggle()).catch((e) => emit('error', e)));
  const bridge: Bridge = {
    launcher: ui.button,
    setOpen(open) {
      ui.setOpen(open);
      emit(open ? 'open' : 'close');
    },
    setUnread(count) {
      unread = count;
      ui.setUnread(count);
      emit('unread', count);
    },
    emit,
  };
  if (typeof requestIdleCallback === 'function') idle = requestIdleCallback(preload, { timeout: 4000 });

  return {
    /** Runs a panel method (`open`, `close`, `toggle`, `ask`), loading and mounting the panel first. */
    call: (name: PanelMethod, args: unknown[]) =>
      withPanel((p) => (p[name] as (...a: unknown[]) => unknown)(...args)),
    /** Subscribes to an event; `ready` is also delivered to a listener added after it fired. */
    on(event: string, fn: Listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(fn);
      if (event === 'ready' && fired.has('ready')) fn(fired.get('ready'));
      return () => listeners.get(event)?.delete(fn);
    },
    off(event: string, fn: Listener) {
      listeners.get(event)?.delete(fn);
    },
    get unread() {
      return unread;
    },
    async destroy() {
      if (idle !== undefined) cancelIdleCallback(idle);
      if (handle) (await handle.catch(() => null))?.destroy();
      ui.remove();
      listeners.clear();
    },
  };
}

export type Embed = ReturnType<typeof createEmbed>;
