/**
 * The panel chunk: loaded by the loader (or the npm entry) on intent or at idle and mounted
 * closed at once (cheap: no storage, no network). It checks `init`'s options in full and carries
 * out every API call; the session starts on the first open (or a call that needs the server).
 */
import { effect, signal } from '@preact/signals';
import { render } from 'preact';
import * as v from 'valibot';
import { MessageText, SiteKey } from './api/schemas';
import type { StreamState } from './client/BackendAdapter';
import { KefuError } from './client/errors';
import { check, Complaint, HostContext, Identity, InitOptions, Refund, Theme, View } from './core/apiArguments';
import { createConsentStorage } from './core/consentStorage';
import { createPageContext } from './core/pageContext';
import { createSession } from './core/session';
import type { Bridge, KefuOptions, KefuView, PanelHandle } from './embed/types';
import { createI18n, pickLocale } from './i18n';
import { Services, type PanelServices, type PanelView } from './ui/context';
import { Panel } from './ui/Panel';
import { panelCss } from './ui/styles';

/** Checks the options (a TypeError names the wrong one) and mounts the closed panel into `root`. */
export function mount(root: ShadowRoot, options: KefuOptions, bridge: Bridge): PanelHandle {
  const config: KefuOptions = { ...options, ...check(InitOptions, options, ' init: option') };
  const host = root.host as HTMLElement;
  const { launcher } = bridge;
  const site = config.site ?? '';
  const inline = !!config.container;
  const container = document.createElement('div');
  root.append(container);
  host.toggleAttribute('data-inline', inline);

  const i18n = createI18n(pickLocale(config.locale));
  const { t } = i18n;
  const isOpen = signal(false);
  // Mounted on the first open and kept (hidden) after a close: reopening shows it at once, where it was.
  const mounted = signal(false);
  const view = signal<PanelView>('home');
  const draft = signal('');
  const unread = signal(0);
  let autoFocus = true;
  const page = createPageContext(config.context);
  if (config.trackNavigation) page.track();

  const emitError = (error: unknown) => {
    if (!(error instanceof KefuError && error.code === 'destroyed')) bridge.emit('error', error);
  };
  const storage = createConsentStorage(site, config.consent === 'pending');
  const session = createSession({
    site,
    configured: v.is(SiteKey, site),
    api: config.api ?? location.origin,
    storage,
    adapter: config.adapter,
    userToken: config.user?.token,
    context: () => snapshot(),
    locale: () => i18n.locale.value,
    onError: emitError,
    onIncoming: (message) => bridge.emit('message', message),
    onRated: ({ subject, score, comment }) => bridge.emit('rating', { subject, score, comment }),
    onEvent: (event) => {
      if (event.type === 'ticket') bridge.emit('ticket', event.ticket);
      if (event.type === 'conversation') bridge.emit('queue', event.conversation);
    },
  });

  const setUnread = (count: number) => {
    if (count === unread.value) return;
    unread.value = count;
    if (config.titleBadge) retitle(count);
    bridge.emit('unread', count);
  };
  // The bubble's badge and label follow the count and the language.
  const badge = launcher?.querySelector('b');
  let lastStream: StreamState | undefined;
  const disposers = [
    effect(() => {
      if (!i18n.loaded) return; // The loader's own label stands until the catalog is in.
      const count = unread.value;
      if (badge) badge.textContent = count ? String(count) : '';
      launcher?.setAttribute('aria-label', count ? t('launcherUnread').replace('{count}', String(count)) : t('launcherLabel'));
    }),
    // Unread is the chat's, synced across the shopper's devices: an open panel reads what arrives
    // (and tells the other devices), a closed one counts it.
    effect(() => {
      const chat = session.chat.value;
      if (isOpen.value) chat?.markRead();
      setUnread(isOpen.value ? 0 : chat?.unread.value ?? 0);
    }),
    // `online` / `offline` on the live connection's changes (not its first connect).
    effect(() => {
      const state = session.chat.value?.stream.value;
      if (state !== 'open' && state !== 'closed') return;
      if (lastStream && state !== lastStream) bridge.emit(state === 'open' ? 'online' : 'offline');
      lastStream = state;
    }),
  ];

  const startSession = () => session.start().catch(emitError);
  const snapshot = () => page.snapshot(i18n.locale.value);

  const services: PanelServices = {
    get chat() {
      return session.chat.value;
    },
    get desk() {
      return session.desk.value;
    },
    get failure() {
      return session.failure.value;
    },
    i18n,
    view,
    get open() {
      return isOpen.value;
    },
    go: (target) => void (view.value = target),
    askInChat(text) {
      draft.value = text;
      view.value = 'chat';
    },
    draft,
    page: snapshot,
    inline,
    get autoFocus() {
      return autoFocus;
    },
    adopt(extra) {
      if (!root.adoptedStyleSheets.includes(extra)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, extra];
    },
    close: () => handle.close(),
    restart: () => void startSession(),
  };

  function Root() {
    return mounted.value && i18n.loaded ? (
      <Services.Provider value={services}>
        <Panel />
      </Services.Provider>
    ) : null;
  }
  render(<Root />, container);

  // Mounting runs in the host page's idle time, so it stays a short task: the panel's stylesheet is
  // parsed at the next idle moment (or on the first show, whichever comes first), and nothing reads
  // layout until the panel shows.
  let styled = false;
  const style = () => {
    if (styled) return;
    styled = true;
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(panelCss);
    services.adopt(sheet);
  };
  const styleLater = window.requestIdleCallback?.(style);

  // On phones the panel is full screen; follow the visual viewport so the keyboard never hides the input.
  const viewport = window.visualViewport;
  const fit = () => host.style.setProperty('--kefu-vh', `${viewport!.height}px`);
  viewport?.addEventListener('resize', fit);

  /** Shows the panel; `focus` false keeps the host page's focus where it is (inline mode's first show). */
  function show(target: PanelView = 'home', focus = true) {
    view.value = target;
    if (isOpen.value) return;
    autoFocus = focus;
    style();
    if (viewport) fit();
    mounted.value = true;
    isOpen.value = true;
    host.toggleAttribute('data-open', true);
    launcher?.setAttribute('aria-expanded', 'true');
    bridge.emit('open');
  }

  /** Opens a view (a flow, say) and the session behind it. */
  function showStarted(target: PanelView) {
    show(target);
    void startSession();
  }

  const handle: PanelHandle = {
    async open(target?: KefuView) {
      show(target === undefined ? view.value : (check(View, target, '.open: view') as KefuView));
      void startSession();
    },
    async close() {
      if (!isOpen.value) return;
      const hadFocus = !!root.activeElement;
      isOpen.value = false;
      host.toggleAttribute('data-open', false);
      launcher?.setAttribute('aria-expanded', 'false');
      bridge.emit('close');
      if (hadFocus) launcher?.focus(); // Focus goes back where it came from, never stolen from the page.
    },
    async toggle() {
      return isOpen.value ? handle.close() : handle.open();
    },
    async ask(text: string) {
      const question = check(MessageText, text, '.ask: text');
      show('chat');
      const chat = await session.start();
      await chat.send(question);
    },
    async startComplaint(details = {}) {
      showStarted({ complaint: check(Complaint, details, '.startComplaint: details').orderId ?? '' });
    },
    async startRefund(details) {
      const { orderId, items } = check(Refund, details, '.startRefund: details');
      showStarted({ refund: orderId, items });
    },
    async identify(user) {
      await session.identify(check(Identity, user, '.identify: user').token);
    },
    async logout() {
      draft.value = '';
      await session.logout();
    },
    async setContext(context) {
      page.set(check(HostContext, context, '.setContext: context'));
    },
    async setLocale(locale) {
      await i18n.use(pickLocale(check(v.string(), locale, '.setLocale: locale')));
      session.setLocale(i18n.locale.value);
    },
    async setTheme(theme) {
      host.dataset.theme = check(Theme, theme, '.setTheme: theme');
    },
    async consent(granted) {
      await (check(v.boolean(), granted, '.consent: granted') ? storage.grant() : storage.deny());
    },
    destroy() {
      const stopped = session.destroy();
      page.stop();
      for (const dispose of disposers) dispose();
      viewport?.removeEventListener('resize', fit);
      if (styleLater) cancelIdleCallback(styleLater);
      if (config.titleBadge) retitle(0);
      render(null, container);
      container.remove();
      return stopped;
    },
  };

  if (inline) {
    show('home', false);
    void startSession();
  }
  bridge.emit('ready');
  return handle;
}

/** `(3) Title` while messages are unread; only with the `titleBadge` option. */
function retitle(count: number) {
  const base = document.title.replace(/^\(\d+\) /, '');
  document.title = count ? `(${count}) ${base}` : base;
}
