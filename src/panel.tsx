/**
 * The panel chunk: loaded by the loader (or the npm entry) on intent, mounted on first open into
 * the widget's shadow root. Holds Preact, the state, the client and the outbox.
 */
import { signal } from '@preact/signals';
import { render } from 'preact';
import * as v from 'valibot';
import { SiteKey } from './api/schemas';
import { RestAdapter } from './client/RestAdapter';
import { KefuError } from './client/errors';
import { createChat, type Chat } from './core/chat';
import type { Bridge, KefuOptions, PanelHandle } from './embed/types';
import { createI18n, pickLocale } from './i18n';
import { openStorage } from './offline/storage';
import { Services, type PanelServices } from './ui/context';
import { Panel } from './ui/Panel';
import { panelCss } from './ui/styles';
import type { Session } from './api/schemas';

/** Mounts the panel (closed) into `root`; the first open starts the session and the chat. */
export function mount(root: ShadowRoot, options: KefuOptions, bridge: Bridge): PanelHandle {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(panelCss);
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  const container = document.createElement('div');
  root.append(container);

  const i18n = createI18n(pickLocale(options.locale));
  const isOpen = signal(false);
  const chat = signal<Chat | null>(null);
  const failure = signal<unknown>(null);
  const configured = v.is(SiteKey, options.site);
  let unread = 0;
  let starting: Promise<Chat | null> | undefined;
  let destroyed = false;

  const start = () =>
    (starting ??= (async () => {
      if (!configured) throw new KefuError('not_configured', 'The site key is missing or malformed');
      failure.value = null;
      const site = options.site!;
      const storage = await openStorage(site);
      if (destroyed) throw new KefuError('destroyed', 'The widget was destroyed');
      let adapter = options.adapter;
      if (!adapter) {
        const saved = await storage.get<Session>('session');
        adapter = new RestAdapter({
          baseUrl: options.api ?? location.origin,
          site,
          session: saved,
          onSession: (session) => void storage.set('session', session),
        });
        if (!saved) await adapter.startSession({ site });
      } else {
        await adapter.startSession({ site });
      }
      const created = createChat({
        site,
        adapter,
        storage,
        onIncoming: (message) => {
          bridge.emit('message', message);
          if (!isOpen.value) bridge.setUnread(++unread);
        },
      });
      if (destroyed) throw new KefuError('destroyed', 'The widget was destroyed');
      chat.value = created;
      await created.start();
      bridge.emit('ready');
      return created;
    })().catch((error: unknown) => {
      failure.value = error;
      starting = undefined;
      bridge.emit('error', error);
      return null;
    }));

  const services: PanelServices = {
    get chat() {
      return chat.value;
    },
    get failure() {
      return failure.value;
    },
    i18n,
    close: () => handle.close(),
    restart: () => void start(),
  };

  function Root() {
    return isOpen.value ? (
      <Services.Provider value={services}>
        <Panel />
      </Services.Provider>
    ) : null;
  }
  render(<Root />, container);

  // On phones the panel is full screen; follow the visual viewport so the keyboard never hides the input.
  const viewport = window.visualViewport;
  const fit = () => (root.host as HTMLElement).style.setProperty('--kefu-vh', `${viewport!.height}px`);
  viewport?.addEventListener('resize', fit);
  if (viewport) fit();

  const handle: PanelHandle = {
    open() {
      isOpen.value = true;
      root.host.toggleAttribute('data-open', true);
      unread = 0;
      bridge.setUnread(0);
      bridge.setOpen(true);
      void start();
    },
    close() {
      if (!isOpen.value) return;
      isOpen.value = false;
      root.host.toggleAttribute('data-open', false);
      bridge.setOpen(false);
      bridge.launcher?.focus();
    },
    toggle() {
      if (isOpen.value) handle.close();
      else handle.open();
    },
    async ask(text: string) {
      handle.open();
      const ready = await start();
      await ready?.send(text);
    },
    destroy() {
      destroyed = true;
      viewport?.removeEventListener('resize', fit);
      chat.value?.stop();
      render(null, container);
      container.remove();
    },
  };
  return handle;
}
