import type { KefuOptions } from './types';

const css = `:host{all:initial}.kefu-launcher{position:fixed;bottom:20px;inset-inline-end:20px;z-index:2147483000;width:56px;height:56px;border-radius:50%;border:0;padding:0;background:var(--kefu-accent,#0b57d0);color:#fff;box-shadow:0 4px 16px #0005;cursor:pointer}:host([data-position=left]) .kefu-launcher{inset-inline:20px auto}.kefu-launcher:focus-visible{outline:3px solid var(--kefu-accent,#0b57d0);outline-offset:3px}.kefu-launcher svg{width:28px;fill:currentColor}.kefu-launcher b{position:absolute;top:-4px;inset-inline-end:-4px;min-width:20px;border-radius:10px;background:#b3261e;font:700 12px/20px sans-serif}b:empty{display:none}@media (forced-colors:active){.kefu-launcher{border:2px solid}}`;

export interface Host {
  host: HTMLElement;
  root: ShadowRoot;
  button: HTMLButtonElement | null;
  setOpen(open: boolean): void;
  setUnread(count: number): void;
  remove(): void;
}

/**
 * Draws the widget's only node in the host page, `<kefu-root>` with an open shadow root, and the
 * launcher bubble inside it. Plain DOM: this runs in the loader, before any framework is loaded.
 */
export function drawHost(options: KefuOptions, onIntent: () => void, onClick: () => void): Host {
  const zh = /^zh/i.test(options.locale ?? navigator.language);
  const label = zh ? '打开客服' : 'Open help';
  const host = document.createElement('kefu-root');
  host.dataset.theme = options.theme ?? 'auto';
  host.dataset.position = options.position ?? 'right';
  const root = host.attachShadow({ mode: 'open' });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  root.adoptedStyleSheets = [sheet];
  let button: HTMLButtonElement | null = null;
  let badge: HTMLElement;
  let unread = 0;
  if (options.launcher !== false) {
    button = document.createElement('button');
    button.className = 'kefu-launcher';
    button.type = 'button';
    button.setAttribute('aria-expanded', 'false');
    button.setAttribute('aria-label', label);
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS(svg.namespaceURI, 'path');
    path.setAttribute('d', 'M3 4h18v13H8l-5 4zm4 6v2h2v-2zm4 0v2h2v-2zm4 0v2h2v-2z');
    svg.append(path);
    badge = document.createElement('b');
    badge.setAttribute('aria-hidden', 'true');
    button.append(svg, badge);
    button.onclick = onClick;
    button.onpointerenter = button.onfocus = onIntent;
    root.append(button);
  }
  (document.body ?? document.documentElement).append(host);
  return {
    host,
    root,
    button,
    setOpen(open) {
      button?.setAttribute('aria-expanded', String(open));
    },
    setUnread(count) {
      unread = count;
      if (!button) return;
      badge.textContent = count ? String(count) : '';
      button.setAttribute('aria-label', unread ? `${label} (${unread})` : label);
    },
    remove: () => host.remove(),
  };
}
