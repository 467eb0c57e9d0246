import { tabOf, useServices } from './context';

const tabs = ['home', 'chat', 'help', 'orders', 'tickets'] as const;

/** The panel's tabs: a `tablist` with arrow keys, Home and End (design §7). */
export function Tabs() {
  const { view, go, i18n } = useServices();
  const current = tabOf(view.value);
  const onKeyDown = (event: KeyboardEvent) => {
    const list = event.currentTarget as HTMLElement;
    const at = tabs.indexOf(current);
    const rtl = getComputedStyle(list).direction === 'rtl';
    const step = { ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1, Home: -at, End: tabs.length - 1 - at }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    const next = tabs[(at + step + tabs.length) % tabs.length]!;
    go(next);
    requestAnimationFrame(() => list.querySelector<HTMLElement>(`#kefu-tab-${next}`)?.focus());
  };
  return (
    <div class="tabs" role="tablist" aria-label={i18n.t('sections')} onKeyDown={onKeyDown}>
      {tabs.map((tab) => (
        <button key={tab} type="button" role="tab" id={`kefu-tab-${tab}`} aria-selected={tab === current}
          aria-controls="kefu-view" tabIndex={tab === current ? 0 : -1} onClick={() => go(tab)}>
          {i18n.t(`tab_${tab}`)}
        </button>
      ))}
    </div>
  );
}
