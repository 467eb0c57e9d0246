import type { KefuOptions } from './types';

// The host node defends itself: inner `!important` beats the page's (`* { all: unset !important }`),
// and the highest z-index, on the last node of <body>, wins ties with the page's own. The icon is
// the stylesheet's: a clip path, not an <svg>, whose first element costs a page ~0.7 ms of main
// thread (×4 on a slow phone) to set SVG up; it keeps the text colour in forced-colors mode.
const css = `:host{all:initial!important}.kefu-launcher{position:fixed;z-index:2147483647;bottom:20px;inset-inline-end:20px;width:56px;height:56px;border-radius:50%;border:0;padding:0;background:var(--kefu-accent,#0b57d0);color:var(--kefu-on-accent,#fff);box-shadow:0 4px 16px #0005;cursor:pointer}:host([data-position=left]) .kefu-launcher{inset-inline:20px auto}.kefu-launcher:focus-visible{outline:3px solid var(--kefu-accent,#0b57d0);outline-offset:3px}.kefu-launcher:before{content:"";position:absolute;inset:16px;scale:1.17;background:currentColor;forced-color-adjust:none;clip-path:path("M3 4h18v13H8l-5 4zm4 6v2h2v-2zm4 0v2h2v-2zm4 0v2h2v-2z")}.kefu-launcher b{position:absolute;top:-4px;inset-inline-end:-4px;min-width:20px;border-radius:10px;background:#b3261e;font:700 12px/20px sans-serif}b:empty{display:none}@media (forced-colors:active){.kefu-launcher{border:2px solid}.kefu-launcher:before{background:ButtonText}}`;

/** The element `container` names: an element, or the first match of a selector. */
export const containerOf = (container: KefuOptions['container']) =>
  typeof container == 'string' ? document.querySelector(container) : container;

/**
 * Draws the widget's only node in the host page, `<kefu-root>` with an open shadow root, and the
 * launcher bubble inside it (none in inline mode). Plain DOM: this runs in the loader, before any
 * framework is loaded. The panel chunk updates the bubble's label, badge and state later.
 */
export function drawHost(options: KefuOptions, onIntent: () => void, onClick: () => void) {
  const host = document.createElement('kefu-root');
  host.dataset.theme = options.theme ?? 'auto';
  host.dataset.position = options.position ?? 'right';
  const root = host.attachShadow({ mode: 'open' });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  root.adoptedStyleSheets = [sheet];
  let button: HTMLButtonElement | null = null;
  if (options.launcher !== false && !options.container) {
    // No form around it, so no `type`; its aria-label names it, so nothing inside needs aria-hidden.
    button = document.createElement('button');
    button.className = 'kefu-launcher';
    button.ariaExpanded = 'false';
    button.ariaLabel = /^zh/i.test(options.locale ?? navigator.language) ? '打开客服' : 'Open help';
    button.onclick = onClick;
    button.onpointerenter = button.onfocus = onIntent;
    button.append(document.createElement('b')); // The unread badge, filled by the panel.
    root.append(button);
  }
  (containerOf(options.container) ?? document.body ?? document.documentElement).append(host);
  return { host, root, button };
}
