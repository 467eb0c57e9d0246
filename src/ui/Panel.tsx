import { useEffect, useRef } from 'preact/hooks';
import { isNotConfigured } from '../core/chat';
import { ChatView } from './ChatView';
import { tabOf, useServices } from './context';
import { HomeView } from './HomeView';
import { lazyView } from './lazyView';
import { NotConfigured } from './NotConfigured';
import { Tabs } from './Tabs';

const HelpView = lazyView(() => import('./HelpView').then((module) => module.HelpView));
const OrdersView = lazyView(() => import('./OrdersView').then((module) => module.OrdersView));
const TicketsView = lazyView(() => import('./TicketsView').then((module) => module.TicketsView));

/** The dialog: header, tabs, then the current view (or why there is none). */
export function Panel() {
  const services = useServices();
  const { chat, desk, failure, i18n, close, restart, view, inline, open } = services;
  const { t } = i18n;
  const dialog = useRef<HTMLDivElement>(null);
  const current = view.value;
  const tab = tabOf(current);

  // Focus moves into the panel on open and onto each view's first control when the view changes.
  useEffect(() => {
    if (!services.autoFocus || !services.open) return; // Live: a quick close may precede this effect.
    const root = dialog.current;
    const active = (root?.getRootNode() as ShadowRoot | undefined)?.activeElement;
    if (active && active !== root && active.getAttribute('role') === 'tab') return; // Arrow keys keep focus on the tabs.
    const first = root?.querySelector<HTMLElement>('#kefu-view [data-autofocus], #kefu-view textarea, #kefu-view input:not([type=file])');
    (first ?? root)?.focus();
  }, [current, !!chat, open]);

  // Once the panel is open and idle, the other tabs' code comes in, so switching rarely waits.
  // Nothing outlives `destroy`: the idle callback goes with the panel.
  useEffect(() => {
    const preload = () => [HelpView, OrdersView, TicketsView].forEach((view) => void view.preload());
    if (!window.requestIdleCallback) return void preload();
    const idle = requestIdleCallback(preload);
    return () => cancelIdleCallback(idle);
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && !inline) {
      event.stopPropagation();
      close();
    }
  };

  const body = !chat || !desk ? null
    : tab === 'chat' ? <ChatView chat={chat} />
    : tab === 'help' ? <HelpView articleId={(current as { article?: string }).article} />
    : tab === 'orders' ? <OrdersView view={current} />
    : tab === 'tickets' ? <TicketsView view={current} />
    : <HomeView chat={chat} desk={desk} />;

  return (
    <div
      ref={dialog}
      class="panel"
      role={inline ? 'region' : 'dialog'}
      aria-modal={inline ? undefined : 'false'}
      aria-labelledby="kefu-title"
      tabIndex={-1}
      onKeyDown={onKeyDown}
      lang={i18n.locale.value}
      hidden={!open}
      data-view={typeof current === 'string' ? current : Object.keys(current)[0]}
    >
      {/* A div, not <header>: inside the page a header would be a second banner landmark (axe). */}
      <div class="head">
        <h2 id="kefu-title">{t('title')}</h2>
        {!inline && (
          <button type="button" class="icon" aria-label={t('close')} onClick={close}>
            ×
          </button>
        )}
      </div>
      <Tabs />
      <div id="kefu-view" role="tabpanel" aria-labelledby={`kefu-tab-${tab}`} class="view">
        {body ?? (isNotConfigured(failure) ? (
          <NotConfigured />
        ) : failure ? (
          <div class="empty" role="alert">
            <p>{t('errorStart')}</p>
            <button type="button" class="link" onClick={restart}>{t('retry')}</button>
          </div>
        ) : (
          <p class="empty" role="status">{t('loading')}</p>
        ))}
      </div>
    </div>
  );
}
