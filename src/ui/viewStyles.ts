import { useServices } from './context';

/** The name the FAQ's matches are registered under in `CSS.highlights` (one registry per document). */
export const HIGHLIGHT = 'kefu-match';

/** The styles of the views outside the first-open chunk (Help, Orders, Tickets), adopted when one first shows. */
const viewCss = `
.card { border: 1px solid var(--kefu-line); border-radius: 10px; padding: 10px 12px; display: flex; flex-direction: column; gap: 6px; }
.card p { margin: 0; }
.scroll > p:not(.empty) { margin: 0; }
.timeline, .items, .comments { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
.timeline { gap: 0; }
.timeline li { position: relative; padding-block-end: 10px; padding-inline-start: 18px; border-inline-start: 2px solid var(--kefu-line); margin-inline-start: 5px; display: flex; flex-direction: column; }
.timeline li::before { content: ''; position: absolute; inset-inline-start: -7px; inset-block-start: 3px; inline-size: 12px; block-size: 12px; border-radius: 50%; background: var(--kefu-line); }
.timeline li.now::before { background: var(--kefu-accent); }
.timeline li:last-child { border-inline-start-color: transparent; }
.timeline p, .quote { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.quote { padding-inline-start: 10px; border-inline-start: 3px solid var(--kefu-line); }
.items li, .item-qty { display: flex; justify-content: space-between; gap: 8px; align-items: center; }
.item-qty input { inline-size: 72px; flex: none; }
.actions-bar, .helpful { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.flow label, .flow legend { font-weight: 600; font-size: 14px; }
.total { margin: 0; }
.attachments { display: flex; flex-direction: column; gap: 6px; align-items: flex-start; }
.search { inline-size: 100%; box-sizing: border-box; }
::highlight(${HIGHLIGHT}) { background: #ffe58f; color: #1b1b1f; }
@media (forced-colors: active) { ::highlight(${HIGHLIGHT}) { background: Mark; color: MarkText; } }
.article p, .article ul { margin: 0 0 8px; }
.comments li { display: flex; flex-direction: column; }
.comments p { margin: 0; white-space: pre-wrap; }
.stars { flex-direction: row; display: flex; }
.stars label { font-size: 26px; color: var(--kefu-muted); cursor: pointer; }
.stars label.on { color: #b06000; }
.stars input { position: absolute; opacity: 0; }
.stars label:focus-within { outline: 3px solid var(--kefu-accent); border-radius: 6px; }
.back { align-self: flex-start; padding: 0; }
.helpful button, .actions-bar button, .button { border: 1px solid var(--kefu-accent); color: var(--kefu-accent);
  background: var(--kefu-bg); border-radius: 999px; padding: 6px 12px; font-size: 14px; }
`;

let sheet: CSSStyleSheet | undefined;

/** Adopts the views' stylesheet into this panel's shadow root before the view first paints (idempotent). */
export function useViewStyles() {
  if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(viewCss);
  useServices().adopt(sheet);
}
