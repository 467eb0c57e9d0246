/**
 * Lantern & Loom, the demo shop: a small single-page app on the History API. Every route change
 * tells the widget where the shopper is (`Kefu.setContext`) — no URL polling. The shopper, language
 * and theme switches drive `Kefu.identify` / `logout`, `setLocale` and `setTheme`.
 * Plain ES module, no build step, no inline script or style (the page runs under a strict CSP).
 */

const PRODUCTS = [
  {
    id: 'p_brass_lotus_lamp', price: 38900, swatch: 'amber',
    name: { en: 'Brass Lotus Table Lamp', 'zh-CN': '黄铜莲花台灯' },
    blurb: { en: 'Spun brass petals around a warm 2700 K bulb. Hand-finished in Hangzhou.', 'zh-CN': '旋压黄铜花瓣，暖光 2700 K 灯泡，杭州手工打磨。' },
  },
  {
    id: 'p_linen_throw_indigo', price: 25900, swatch: 'indigo',
    name: { en: 'Hand-loomed Linen Throw, Indigo', 'zh-CN': '手织亚麻盖毯 · 靛蓝' },
    blurb: { en: 'Heavy Portuguese linen, dyed with natural indigo. 130 × 170 cm.', 'zh-CN': '葡萄牙厚亚麻，天然靛蓝染色，130 × 170 厘米。' },
  },
  {
    id: 'p_rice_paper_pendant', price: 12900, swatch: 'paper',
    name: { en: 'Rice-paper Lantern Pendant, 45 cm', 'zh-CN': '宣纸灯笼吊灯 · 45 厘米' },
    blurb: { en: 'A bamboo frame wrapped in rice paper; folds flat for shipping.', 'zh-CN': '竹骨宣纸灯罩，可折叠平放运输。' },
  },
  {
    id: 'p_rattan_floor_lamp', price: 69900, swatch: 'rattan',
    name: { en: 'Woven Rattan Floor Lamp', 'zh-CN': '藤编落地灯' },
    blurb: { en: 'Hand-woven rattan shade on an oak stand, 150 cm tall.', 'zh-CN': '手工藤编灯罩配橡木灯架，高 150 厘米。' },
  },
  {
    id: 'p_silk_cushion_pair', price: 16800, swatch: 'silk',
    name: { en: 'Silk Brocade Cushion Covers, pair', 'zh-CN': '织锦真丝靠垫套 · 一对' },
    blurb: { en: 'Suzhou brocade with a hidden zip. 45 × 45 cm, sold as a pair.', 'zh-CN': '苏州织锦，隐形拉链，45 × 45 厘米，一对装。' },
  },
  {
    id: 'p_bamboo_night_light', price: 15900, swatch: 'bamboo',
    name: { en: 'Bamboo Lantern Night Light', 'zh-CN': '竹编小夜灯' },
    blurb: { en: 'A palm-sized woven lantern with a dimmable LED and USB-C.', 'zh-CN': '掌心大小的竹编灯笼，LED 可调光，USB-C 充电。' },
  },
];

const TEXT = {
  en: {
    heroTitle: 'Warm light, woven things',
    heroBody: 'Handmade lamps and textiles, shipped from Hangzhou and Lisbon. Questions about an order, a delivery or a refund? The help bubble in the corner answers at once, in English or 中文.',
    products: 'Products', add: 'Add to cart', added: 'Added to your cart', back: '← All products', ask: 'Ask about this product',
    cart: 'Your cart', cartEmpty: 'Your cart is empty.', keepShopping: 'Keep shopping', total: 'Total', remove: 'Remove',
    quantity: 'Quantity', checkout: 'Check out', checkoutNote: 'This is a demo: nothing is charged or shipped.',
    orders: 'Your orders', ordersBody: 'Orders, deliveries, refunds and returns are tracked in the help desk.',
    openOrders: 'Open my orders', ordersGuest: 'Sign in as Alice or Bob (top right) to see their orders.',
    notFound: 'Page not found', notFoundBody: 'That page is not in this shop.',
    signedIn: (name) => `Signed in as ${name}.`, signedOut: 'Signed out: browsing as a guest.',
    noIdentify: 'This widget build cannot sign shoppers in yet (Kefu.identify is missing).',
    signInFailed: (why) => `Signing in failed: ${why}`,
    shop: 'Shop',
  },
  'zh-CN': {
    heroTitle: '暖光与织物',
    heroBody: '手工灯具与织物，从杭州和里斯本发货。订单、物流或退款有疑问？点右下角的客服气泡，中英文都能马上回答。',
    products: '商品', add: '加入购物车', added: '已加入购物车', back: '← 全部商品', ask: '咨询这件商品',
    cart: '购物车', cartEmpty: '购物车是空的。', keepShopping: '继续逛逛', total: '合计', remove: '移除',
    quantity: '数量', checkout: '去结算', checkoutNote: '这是演示商店：不会扣款，也不会发货。',
    orders: '我的订单', ordersBody: '订单、物流、退款和退货进度都在客服中心里查看。',
    openOrders: '查看我的订单', ordersGuest: '请在右上角以 Alice 或 Bob 身份登录后查看订单。',
    notFound: '页面不存在', notFoundBody: '本店没有这个页面。',
    signedIn: (name) => `已登录：${name}。`, signedOut: '已退出，以访客身份浏览。',
    noIdentify: '当前客服组件还不支持登录（缺少 Kefu.identify）。',
    signInFailed: (why) => `登录失败：${why}`,
    shop: '商店',
  },
};

const saved = readSettings();
const state = {
  locale: saved.locale === 'zh-CN' ? 'zh-CN' : 'en',
  theme: saved.theme === 'dark' ? 'dark' : 'light',
  who: ['alice', 'bob'].includes(saved.who) ? saved.who : 'guest',
  /** productId → quantity; in memory only. */
  cart: new Map(),
};
const t = () => TEXT[state.locale];
const $ = (id) => document.getElementById(id);

// --- the widget, through its public global only ---------------------------------------------------
// The Segment-style stub: calls made before kefu.js arrives are queued and replayed by the loader.
window.Kefu = window.Kefu || function queue() { (window.Kefu.q = window.Kefu.q || []).push(arguments); };

/** Calls `Kefu[name]`; before the loader has run, queues it. Never throws into the shop. */
function kefu(name, ...args) {
  const api = window.Kefu;
  try {
    if (typeof api?.[name] === 'function') return Promise.resolve(api[name](...args));
    if (typeof api === 'function' && !api.version) {
      api(name, ...args);
      return Promise.resolve();
    }
  } catch (error) {
    return Promise.reject(error);
  }
  return Promise.reject(new Error(`Kefu.${name} is not available`));
}
/** Whether the loaded widget offers `name` (true while the stub still queues, as the loader will). */
const offers = (name) => typeof window.Kefu?.[name] === 'function' || (typeof window.Kefu === 'function' && !window.Kefu.version);

// --- small DOM helpers: text only ----------------------------------------------------------------------
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (name === 'text') node.textContent = value;
    else if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}
const price = (minor) =>
  new Intl.NumberFormat(state.locale, { style: 'currency', currency: 'CNY', currencyDisplay: 'narrowSymbol', minimumFractionDigits: 0 }).format(minor / 100);
const link = (href, text, className) => el('a', { href, 'data-link': true, class: className, text });
function notice(text) {
  $('notice').textContent = text;
}

// --- routes ---------------------------------------------------------------------------------------------
const routes = [
  { pattern: /^\/$/, page: 'home', render: home },
  { pattern: /^\/product\/([A-Za-z0-9_-]+)$/, page: 'product', render: product },
  { pattern: /^\/cart$/, page: 'cart', render: cart },
  { pattern: /^\/orders$/, page: 'orders', render: orders },
];

function route(focus = false) {
  const path = location.pathname;
  let match;
  const found = routes.find((r) => (match = r.pattern.exec(path)));
  const main = $('content');
  const { title, nodes, context } = found ? found.render(match) : missing();
  main.replaceChildren(...nodes);
  document.title = `${title} · Lantern & Loom`;
  for (const a of document.querySelectorAll('nav a[data-link]')) {
    a.toggleAttribute('aria-current', a.getAttribute('href') === path || (path.startsWith('/product/') && a.getAttribute('href') === '/'));
    if (a.hasAttribute('aria-current')) a.setAttribute('aria-current', 'page');
  }
  if (focus) main.focus();
  tellWidget({ page: path, ...context }, initial);
  initial = false;
}

let initial = true;
/**
 * Tells the widget where the shopper is. The first page's context waits for an idle moment: every
 * widget call needs the panel chunk, and the loader fetches it at idle anyway — a context sent at
 * once would pull it into the page's critical path.
 */
function tellWidget(context, atIdle) {
  const send = () => kefu('setContext', context).catch((error) => console.warn('[shop] setContext', error));
  if (atIdle && window.requestIdleCallback) requestIdleCallback(send, { timeout: 4000 });
  else send();
}

function navigate(href) {
  if (href === location.pathname + location.search) return;
  history.pushState(null, '', href);
  route(true);
  window.scrollTo(0, 0);
}

function home() {
  const text = t();
  return {
    title: text.shop,
    context: {},
    nodes: [
      el('section', { class: 'hero' }, el('h1', { text: text.heroTitle }), el('p', { text: text.heroBody })),
      el('h2', { class: 'visually-hidden', text: text.products }),
      el('ul', { class: 'products', 'aria-label': text.products }, ...PRODUCTS.map((p) =>
        el('li', {},
          el('a', { href: `/product/${p.id}`, 'data-link': true, class: 'card' },
            el('span', { class: `swatch ${p.swatch}`, 'aria-hidden': 'true' }),
            el('span', { class: 'card-name', text: p.name[state.locale] }),
            el('span', { class: 'card-price', text: price(p.price) }))))),
    ],
  };
}

function product([, id]) {
  const p = PRODUCTS.find((each) => each.id === id);
  if (!p) return missing();
  const text = t();
  const status = el('p', { class: 'added', role: 'status' });
  return {
    title: p.name[state.locale],
    context: { productId: p.id },
    nodes: [
      link('/', text.back, 'back'),
      el('article', { class: 'product' },
        el('span', { class: `swatch big ${p.swatch}`, 'aria-hidden': 'true' }),
        el('div', { class: 'product-body' },
          el('h1', { text: p.name[state.locale] }),
          el('p', { class: 'product-price', text: price(p.price) }),
          el('p', { text: p.blurb[state.locale] }),
          el('div', { class: 'actions' },
            el('button', {
              type: 'button', class: 'primary', text: text.add,
              onclick: () => {
                state.cart.set(p.id, (state.cart.get(p.id) ?? 0) + 1);
                renderCartCount();
                status.textContent = text.added;
              },
            }),
            el('button', { type: 'button', class: 'secondary', text: text.ask, onclick: () => void kefu('open', 'chat').catch(warn) })),
          status)),
    ],
  };
}

function cart() {
  const text = t();
  const lines = [...state.cart].map(([id, quantity]) => ({ p: PRODUCTS.find((each) => each.id === id), quantity })).filter((l) => l.p);
  const total = lines.reduce((sum, l) => sum + l.p.price * l.quantity, 0);
  const nodes = [el('h1', { text: text.cart })];
  if (!lines.length) {
    nodes.push(el('p', { text: text.cartEmpty }), link('/', text.keepShopping, 'button-link'));
  } else {
    nodes.push(
      el('ul', { class: 'cart' }, ...lines.map(({ p, quantity }) =>
        el('li', {},
          el('span', { class: `swatch small ${p.swatch}`, 'aria-hidden': 'true' }),
          el('div', { class: 'cart-name' }, link(`/product/${p.id}`, p.name[state.locale]),
            el('span', { class: 'muted', text: `${text.quantity}: ${quantity}` })),
          el('span', { class: 'cart-price', text: price(p.price * quantity) }),
          el('button', {
            type: 'button', class: 'secondary', text: text.remove, 'aria-label': `${text.remove}: ${p.name[state.locale]}`,
            onclick: () => {
              state.cart.delete(p.id);
              renderCartCount();
              route(true);
            },
          })))),
      el('p', { class: 'cart-total' }, el('span', { text: text.total }), el('strong', { text: price(total) })),
      el('button', { type: 'button', class: 'primary', disabled: true, text: text.checkout }),
      el('p', { class: 'muted', text: text.checkoutNote }),
    );
  }
  return { title: text.cart, context: {}, nodes };
}

function orders() {
  const text = t();
  const signedIn = state.who !== 'guest';
  return {
    title: text.orders,
    context: {},
    nodes: [
      el('h1', { text: text.orders }),
      el('p', { text: signedIn ? text.ordersBody : text.ordersGuest }),
      signedIn ? el('button', { type: 'button', class: 'primary', text: text.openOrders, onclick: () => void kefu('open', 'orders').catch(warn) }) : null,
    ].filter(Boolean),
  };
}

function missing() {
  const text = t();
  return { title: text.notFound, context: {}, nodes: [el('h1', { text: text.notFound }), el('p', { text: text.notFoundBody }), link('/', text.back, 'back')] };
}

function renderCartCount() {
  $('cart-count').textContent = String([...state.cart.values()].reduce((a, b) => a + b, 0));
}
const warn = (error) => console.warn('[shop]', error);

// --- switches -------------------------------------------------------------------------------------------------
function readSettings() {
  try {
    return JSON.parse(localStorage.getItem('lantern-settings') ?? '{}') ?? {};
  } catch {
    return {}; // Storage blocked or garbled: defaults.
  }
}
function saveSettings() {
  try {
    localStorage.setItem('lantern-settings', JSON.stringify({ locale: state.locale, theme: state.theme, who: state.who }));
  } catch {
    // Not remembered across reloads; the switches still work.
  }
}

async function signIn(who) {
  const text = t();
  if (who === 'guest') {
    if (offers('logout')) await kefu('logout');
    notice(text.signedOut);
    return;
  }
  if (!offers('identify')) {
    notice(text.noIdentify);
    return;
  }
  const response = await fetch(`/demo/token?user=${encodeURIComponent(who)}`);
  if (!response.ok) throw new Error(`token: HTTP ${response.status}`);
  const { userToken } = await response.json();
  await kefu('identify', { token: userToken });
  notice(text.signedIn(who === 'alice' ? 'Alice' : 'Bob'));
}

function applyLocale() {
  document.documentElement.lang = state.locale;
  const labels = state.locale === 'zh-CN'
    ? { who: '顾客', locale: '语言', theme: '主题', guest: '访客', light: '浅色', dark: '深色', shop: '商店', cart: '购物车', orders: '订单', skip: '跳到正文' }
    : { who: 'Shopper', locale: 'Language', theme: 'Theme', guest: 'Guest', light: 'Light', dark: 'Dark', shop: 'Shop', cart: 'Cart', orders: 'Orders', skip: 'Skip to content' };
  for (const id of ['who', 'locale', 'theme']) $(id).closest('label').querySelector('span').textContent = labels[id];
  $('who').querySelector('option[value=guest]').textContent = labels.guest;
  $('theme').querySelector('option[value=light]').textContent = labels.light;
  $('theme').querySelector('option[value=dark]').textContent = labels.dark;
  const [shop, cartLink, ordersLink] = document.querySelectorAll('nav a[data-link]');
  shop.textContent = labels.shop;
  cartLink.firstChild.textContent = `${labels.cart} `;
  ordersLink.textContent = labels.orders;
  document.querySelector('.skip').textContent = labels.skip;
  document.querySelector('footer p').textContent = state.locale === 'zh-CN' ? '这是 Kefu 客服组件的演示商店，商品均不出售。' : 'A demo shop for the Kefu widget. Nothing here is for sale.';
}

function applyTheme() {
  document.documentElement.dataset.theme = state.theme;
}

function start() {
  $('who').value = state.who;
  $('locale').value = state.locale;
  $('theme').value = state.theme;
  applyLocale();
  applyTheme();
  renderCartCount();

  // In-app links: one listener for the whole page, so links drawn later work too.
  document.addEventListener('click', (event) => {
    const a = event.target instanceof Element ? event.target.closest('a[data-link]') : null;
    if (!a || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(a.getAttribute('href'));
  });
  window.addEventListener('popstate', () => route(true));

  $('who').addEventListener('change', (event) => {
    state.who = event.target.value;
    saveSettings();
    signIn(state.who).catch((error) => notice(t().signInFailed(error?.message ?? String(error))));
    if (location.pathname === '/orders') route();
  });
  $('locale').addEventListener('change', (event) => {
    state.locale = event.target.value;
    saveSettings();
    applyLocale();
    route();
    kefu('setLocale', state.locale).catch(warn);
  });
  $('theme').addEventListener('change', (event) => {
    state.theme = event.target.value;
    saveSettings();
    applyTheme();
    kefu('setTheme', state.theme).catch(warn);
  });

  route();
  // Settings kept from an earlier visit reach the widget too.
  if (state.locale !== 'en') kefu('setLocale', state.locale).catch(warn);
  if (state.theme !== 'light') kefu('setTheme', state.theme).catch(warn);
  if (state.who !== 'guest') signIn(state.who).catch((error) => notice(t().signInFailed(error?.message ?? String(error))));
}

start();
