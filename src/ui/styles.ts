/**
 * The panel's styles, adopted as a constructable stylesheet (no <style> element, so a strict CSP
 * without 'unsafe-inline' is fine). Theme through custom properties set on the host element.
 * Logical properties only, so RTL pages mirror correctly.
 */
export const panelCss = `
:host { --kefu-accent: #0b57d0; --kefu-on-accent: #fff; --kefu-radius: 14px; --kefu-bg: #fff; --kefu-fg: #1b1b1f;
  --kefu-muted: #5d5e66; --kefu-line: #d7d8de; --kefu-bubble: #eef0f5; --kefu-danger: #b3261e;
  --kefu-font: system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif; }
@media (prefers-color-scheme: dark) { :host([data-theme=auto]) { --kefu-bg: #1b1b1f; --kefu-fg: #e6e6ea;
  --kefu-muted: #b4b5bd; --kefu-line: #45464f; --kefu-bubble: #2b2c33; --kefu-accent: #a8c7fa; --kefu-on-accent: #062e6f;
  --kefu-danger: #f2b8b5; } }
:host([data-theme=dark]) { --kefu-bg: #1b1b1f; --kefu-fg: #e6e6ea; --kefu-muted: #b4b5bd; --kefu-line: #45464f;
  --kefu-bubble: #2b2c33; --kefu-accent: #a8c7fa; --kefu-on-accent: #062e6f; --kefu-danger: #f2b8b5; }
.panel { position: fixed; z-index: 2147483647; inset-block-end: 88px; inset-inline-end: 20px; inline-size: 380px; block-size: min(600px, calc(100dvh - 108px));
  display: flex; flex-direction: column; background: var(--kefu-bg); color: var(--kefu-fg); font: 15px/1.45 var(--kefu-font);
  border-radius: var(--kefu-radius); box-shadow: 0 12px 40px rgb(0 0 0 / .24); overflow: hidden; border: 1px solid var(--kefu-line); }
.panel[hidden] { display: none; }
:host([data-position=left]) .panel { inset-inline-end: auto; inset-inline-start: 20px; }
@media (max-width: 639px) { .panel { inset: 0; inline-size: auto; block-size: var(--kefu-vh, 100dvh); border-radius: 0; border: 0; }
  :host([data-open]) .kefu-launcher { display: none; } }
.head { display: flex; align-items: center; gap: 8px; padding: 12px 16px; background: var(--kefu-accent); color: var(--kefu-on-accent); }
h2 { margin: 0; font-size: 17px; flex: 1; }
button { font: inherit; cursor: pointer; }
.icon { background: none; border: 0; color: inherit; inline-size: 36px; block-size: 36px; border-radius: 50%; font-size: 22px; line-height: 1; }
.icon:hover { background: rgb(255 255 255 / .16); }
:focus-visible { outline: 3px solid var(--kefu-accent); outline-offset: 2px; }
.head :focus-visible { outline-color: var(--kefu-on-accent); }
.log { flex: 1; overflow-y: auto; padding: 16px; display: flex; flex-direction: column; gap: 10px; }
.msg { max-inline-size: 82%; display: flex; flex-direction: column; gap: 2px; }
.msg > p { margin: 0; padding: 8px 12px; border-radius: 16px; background: var(--kefu-bubble); white-space: pre-wrap; overflow-wrap: anywhere; }
.msg.shopper { align-self: flex-end; align-items: flex-end; }
.msg.shopper > p { background: var(--kefu-accent); color: var(--kefu-on-accent); }
.meta { font-size: 12px; color: var(--kefu-muted); }
.failed .meta { color: var(--kefu-danger); }
.actions { display: flex; gap: 6px; }
.actions button, .link { background: none; border: 0; padding: 2px 4px; color: var(--kefu-accent); text-decoration: underline; font-size: 13px; }
.notice { margin: 0; padding: 8px 16px; font-size: 13px; background: var(--kefu-bubble); border-block-end: 1px solid var(--kefu-line); }
.empty { margin: auto; padding: 24px; text-align: center; color: var(--kefu-muted); }
form.composer { display: flex; flex-wrap: wrap; gap: 8px; padding: 10px; border-block-start: 1px solid var(--kefu-line); align-items: flex-end; }
textarea, input, select { font: inherit; color: inherit; background: var(--kefu-bg); border: 1px solid var(--kefu-muted); border-radius: 10px; padding: 8px 10px; }
textarea { flex: 1; resize: none; min-block-size: 40px; max-block-size: 120px; }
.composer .attachments { display: contents; }
.attachments ul { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
.composer ul { order: -1; flex-basis: 100%; }
.attachments li { display: flex; gap: 8px; align-items: center; font-size: 13px; }
progress { inline-size: 100px; accent-color: var(--kefu-accent); }
.attach { display: grid; place-items: center; inline-size: 40px; block-size: 40px; border-radius: 10px; color: var(--kefu-accent); cursor: pointer; }
.attach i { position: relative; inline-size: 18px; block-size: 14px; border: 2px solid; border-radius: 3px; }
.attach i::after { content: ''; position: absolute; inset: 3px 1px 1px; background: currentColor; clip-path: polygon(0 100%, 35% 25%, 60% 70%, 75% 50%, 100% 100%); }
.attach:focus-within, .button:focus-within { outline: 3px solid var(--kefu-accent); }
.thumb { max-inline-size: min(100%, 240px); max-block-size: 180px; border-radius: 10px; background: var(--kefu-bubble); margin-block-start: 4px; }
[aria-invalid=true] { border-color: var(--kefu-danger); }
.tabs { display: flex; border-block-end: 1px solid var(--kefu-line); overflow-x: auto; scrollbar-width: none; }
[role=tab] { flex: 1; border: 0; background: none; color: var(--kefu-muted); padding: 10px 4px; white-space: nowrap; border-block-end: 3px solid transparent; }
[role=tab][aria-selected=true] { color: var(--kefu-fg); border-block-end-color: var(--kefu-accent); font-weight: 600; }
.view { flex: 1; display: flex; flex-direction: column; min-block-size: 0; }
.scroll { flex: 1; overflow-y: auto; padding: 14px 16px; display: flex; flex-direction: column; gap: 10px; }
h3 { margin: 4px 0 0; font-size: 15px; }
.lead { margin: 0; font-size: 16px; }
.chips, .rows { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
.chips { flex-flow: row wrap; }
.chips button, .chip, .shortcuts button, .pill { border: 1px solid var(--kefu-accent); color: var(--kefu-accent);
  background: var(--kefu-bg); border-radius: 999px; padding: 6px 12px; font-size: 14px; }
.shortcuts { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
.shortcuts button { border-radius: 10px; padding: 10px; }
.row { inline-size: 100%; text-align: start; display: grid; grid-template-columns: 1fr auto; gap: 2px 8px; align-items: center; color: inherit;
  background: var(--kefu-bg); border: 1px solid var(--kefu-line); border-radius: 10px; padding: 10px 12px; }
.row .meta, .clip { grid-column: 1 / -1; }
.clip { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.badge { font-size: 12px; padding: 2px 8px; border-radius: 999px; background: var(--kefu-bubble); white-space: nowrap; font-weight: 400; }
.badge.failed, .badge.rejected, .badge.exception, .badge.delayed, .error { color: var(--kefu-danger); }
.error { margin: 0; font-size: 13px; }
.primary, .actions-bar .primary { border: 0; border-radius: 10px; padding: 10px 16px; background: var(--kefu-accent); color: var(--kefu-on-accent); font-weight: 600; }
fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
.choice label, .stars label { font-weight: 400; display: flex; gap: 6px; align-items: center; }
.card-link { text-align: start; border: 1px solid var(--kefu-line); background: var(--kefu-bg); color: var(--kefu-accent); border-radius: 10px; padding: 6px 10px; }
.msg .chip, .msg .card-link { margin-block-start: 4px; }
.typing { margin: 0; }
.person { align-self: center; margin: 4px; }
.msg a { color: inherit; }
.send { border: 0; border-radius: 10px; padding: 0 16px; block-size: 40px; background: var(--kefu-accent); color: var(--kefu-on-accent); font-weight: 600; }
.sr { position: absolute; inline-size: 1px; block-size: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
:host([data-inline]) { display: block !important; block-size: 100% !important; }
:host([data-inline]) .panel { position: relative; inset: auto; inline-size: auto; block-size: 100%; min-block-size: 360px; box-shadow: none; animation: none; }
@media (prefers-reduced-motion: no-preference) { .panel { animation: kefu-in .16s ease-out; } }
@keyframes kefu-in { from { opacity: 0; transform: translateY(8px); } }
@media (forced-colors: active) { .panel, .msg > p, .badge { border: 1px solid CanvasText; } [role=tab][aria-selected=true] { border-block-end-color: Highlight; } }
`;
