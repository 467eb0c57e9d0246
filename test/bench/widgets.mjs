// How each widget is embedded, and where its launcher ("bubble") and open panel live.
//
// A target is { iframe?, host?, css }:
//   iframe: CSS selector of the iframe that holds the element (the element is inside it);
//   host:   tag of an open shadow host in that document (the element is in its shadow root);
//   css:    selector of the element itself.
// The same description drives the in-page probe (timings) and the Playwright locators (clicks).
// `input` is the message box the open panel must show: if it is missing, the widget opened in
// an error state (e.g. backend unreachable) and its timings are flagged in the report.

export const WIDGETS = [
  {
    id: 'baseline',
    label: 'no widget',
    how: 'the same page without any widget (reference for host cost and heap)',
    embed: () => '',
  },
  {
    id: 'kefu',
    label: 'Kefu',
    how: '`<script async src=…/kefu.js data-site=pk_demo data-api=…>` served by the reference server (demo/server)',
    // Loaded from the Kefu reference server (another origin, like a CDN would be).
    embed: (_origin, { kefuOrigin }) =>
      `<script async src="${kefuOrigin}/kefu.js" data-site="pk_demo" data-api="${kefuOrigin}"></script>`,
    loader: (url) => /\/kefu\.js(\?|$)/.test(url),
    bubble: { host: 'kefu-root', css: 'button.kefu-launcher' },
    panel: { host: 'kefu-root', css: '[role=dialog]' },
    input: { host: 'kefu-root', css: '[role=dialog] textarea' },
    // Escape is the documented way to close a dialog; the launcher toggles as a fallback.
    close: 'escape-or-launcher',
  },
  {
    id: 'rocketchat',
    label: 'Rocket.Chat Livechat',
    how: 'official async snippet loads build/rocketchat-livechat.min.js, which adds an iframe with the ' +
      'Preact app served at /livechat (SERVER_URL injected into its index.html as Rocket.Chat does); ' +
      'REST answered by a stub config, DDP websocket refused',
    // The snippet Rocket.Chat's admin page hands out (Omnichannel → Livechat installation):
    // a queue stub plus an async loader, which adds an iframe with the Preact app from /livechat.
    embed: (origin) => `<script type="text/javascript">
(function(w, d, s, u) {
  w.RocketChat = function(c) { w.RocketChat._.push(c) }; w.RocketChat._ = []; w.RocketChat.url = u;
  var h = d.getElementsByTagName(s)[0], j = d.createElement(s);
  j.async = true; j.src = '${origin}/livechat/rocketchat-livechat.min.js?_=201903270000';
  h.parentNode.insertBefore(j, h);
})(window, document, 'script', '${origin}/livechat');
</script>`,
    loader: (url) => url.includes('/rocketchat-livechat.min.js'),
    bubble: { iframe: '#rocketchat-iframe', css: '[class*="screen__chat-button"]' },
    panel: { iframe: '#rocketchat-iframe', css: '[class*="screen__inner"]' },
    input: { iframe: '#rocketchat-iframe', css: '[class*="composer__input"]' },
    close: 'launcher', // the bubble turns into a close button while open
  },
  {
    id: 'deepchat',
    label: 'Deep Chat',
    how: '`<script type=module src=dist/deepChat.bundle.js>` + `<deep-chat connect=…>` (inline chat box, ' +
      'no launcher: "bubble" = its input visible, open times n/a)',
    // The README embed: the bundle as an ES module plus the <deep-chat> element. It is an inline
    // chat box, not a launcher widget: it is "open" as soon as it renders.
    embed: (origin) => `<script type="module" src="/peers/deep-chat/deepChat.bundle.js"></script>
<deep-chat connect='{"url":"${origin}/stub/deep-chat"}' style="position:fixed;right:20px;bottom:20px;z-index:9999"></deep-chat>`,
    loader: (url) => url.includes('/deepChat.bundle.js'),
    bubble: { host: 'deep-chat', css: '#text-input-container' },
    panel: null,
  },
  {
    id: 'n8n',
    label: 'n8n Chat',
    how: 'README CDN embed: dist/style.css + `import { createChat } from dist/chat.bundle.es.js` ' +
      '(pulls its sibling .mjs chunks), `createChat({ webhookUrl, target })`, webhook answered by a stub',
    // The README's "CDN embed": stylesheet + ES module import of chat.bundle.es.js + createChat().
    embed: (origin) => `<link href="/peers/n8n-chat/style.css" rel="stylesheet" />
<script type="module">
  import { createChat } from '/peers/n8n-chat/chat.bundle.es.js';
  createChat({ webhookUrl: '${origin}/stub/n8n/webhook', target: '#n8n-chat' });
</script>`,
    loader: (url) => url.includes('/chat.bundle.es.js'),
    bubble: { css: '.chat-window-toggle' },
    panel: { css: '.chat-window' },
    input: { css: '.chat-window textarea' },
    close: 'launcher',
  },
];

/** A Playwright locator for a target. */
export function locate(page, target) {
  const scope = target.iframe ? page.frameLocator(target.iframe) : page;
  // Playwright's CSS engine pierces open shadow roots, so the host needs no special step.
  return scope.locator(target.host ? `${target.host} ${target.css}` : target.css).first();
}
