/**
 * The XSS corpus (test/unit/xssCorpus.ts) through the real server into the shopper panel, on a host
 * page with a strict CSP and Trusted Types required, over every way text from the other side reaches
 * a shopper: agent replies, agent notes on tickets (and agent comments), FAQ articles, and the
 * merchant's order data (item names, tracking events).
 *
 * For each channel: no payload runs (`window.__xss`, which the payloads set, stays 0, and
 * alert/confirm/prompt are stubs that set it too), no CSP or Trusted Types violation is reported,
 * and the bodies that show the text hold only the safe subset (p, ul, li, strong, br, mark, a with an
 * http/https/mailto/tel href and rel="noopener noreferrer") plus the widget's own structure.
 *
 * The server has no API for FAQ articles, orders or agent comments (they come from the merchant's
 * systems), so those are written to its database, as the merchant's import would. PostgreSQL text
 * and jsonb cannot hold U+0000: the two payloads carrying it are refused by the API with a 400
 * (asserted below) and cannot be stored at all in the database channels.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AGENT_TOKEN, agentCreate, client, create, signIn, startServer, type TestServer } from '../server/harness';
import { xssCorpus } from '../unit/xssCorpus';
import { launchChromium } from './browser';

let server: TestServer;
let browser: Browser;

const ALL = xssCorpus.length;
/** What PostgreSQL can store: everything but U+0000. */
const storable = xssCorpus.filter((payload) => !payload.includes('\u0000'));
const STORABLE = storable.length;
const REFUSED = ALL - STORABLE;

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; require-trusted-types-for 'script'; object-src 'none'; base-uri 'none'";
const HOST_PAGE = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Strict host</title></head>'
  + '<body><p>Shop</p><script src="/kefu.js" data-site="pk_demo"></script></body></html>';

before(async () => {
  // The corpus goes in far faster than a shopper types; the per-token guard has its own tests.
  process.env.KEFU_RATE_TOKEN = 'off';
  server = await startServer({ name: 'pglite' });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * Runs in the host page before its own scripts: the traps (execution flag, stubbed dialogs, every
 * CSP / Trusted Types report) and the in-page helpers the checks use (a wait on the panel's DOM and
 * the auditor of rendered bodies).
 */
const IN_PAGE = `(() => {
  // tsx compiles the functions given to page.evaluate with esbuild's keepNames, which calls __name.
  window.__name = (target) => target;
  window.__xss = 0;
  const trip = () => { window.__xss += 1; };
  window.alert = trip; window.confirm = trip; window.prompt = trip; window.print = trip;
  const violations = (window.__violations = []);
  document.addEventListener('securitypolicyviolation',
    (e) => violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample), true);
  new ReportingObserver((reports) => {
    for (const report of reports) violations.push('report ' + JSON.stringify(report.body));
  }, { types: ['csp-violation'], buffered: true }).observe();

  const shadow = (window.__kefuRoot = () => document.querySelector('kefu-root').shadowRoot);
  /** Resolves with predicate(shadowRoot) once it is truthy, re-checking on every DOM change; fails after 15 s. */
  window.__until = (predicate, what) => new Promise((resolve, reject) => {
    const root = shadow();
    let observer, timer;
    const done = () => { observer.disconnect(); clearTimeout(timer); };
    const check = () => {
      try {
        const value = predicate(root);
        if (value) { done(); resolve(value); }
      } catch (error) { done(); reject(error); }
    };
    observer = new MutationObserver(check);
    timer = setTimeout(() => { done(); reject(new Error('timed out waiting for ' + what)); }, 15000);
    observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
    check();
  });

  const CONTENT = new Set(['P', 'UL', 'LI', 'STRONG', 'A', 'BR', 'MARK']);
  const PROTOCOLS = new Set(['http:', 'https:', 'mailto:', 'tel:']);
  const URL_OR_CODE = /^(on|style$|src|srcdoc$|srcset$|action$|formaction$|background$|poster$|data$|dynsrc$|lowsrc$|xlink:|xmlns)/i;
  /** What in these bodies is outside the safe subset and the given structural tags; empty when safe. */
  window.__audit = (nodes, structural) => {
    const found = [];
    for (const node of nodes) {
      for (const el of [node, ...node.querySelectorAll('*')]) {
        const tag = el.tagName;
        if (!CONTENT.has(tag) && !structural.includes(tag)) found.push('<' + tag.toLowerCase() + '>');
        if (el.namespaceURI !== 'http://www.w3.org/1999/xhtml') found.push('namespace ' + el.namespaceURI);
        for (const { name } of el.attributes) if (URL_OR_CODE.test(name)) found.push(tag.toLowerCase() + '[' + name + ']');
        if (tag === 'INPUT' && el.type !== 'number') found.push('input type=' + el.type);
        if (tag !== 'A') continue;
        let protocol = 'unparseable:';
        try { protocol = new URL(el.getAttribute('href')).protocol; } catch {}
        if (!PROTOCOLS.has(protocol)) found.push('a href=' + JSON.stringify(el.getAttribute('href')));
        const rel = (el.getAttribute('rel') || '').split(/\\s+/);
        if (!rel.includes('noopener') || !rel.includes('noreferrer')) found.push('a rel=' + JSON.stringify(el.getAttribute('rel')));
      }
    }
    return found;
  };

  const DANGEROUS = 'script,iframe,frame,frameset,object,embed,img,image,picture,source,video,audio,svg,math,style,link,meta,base,template,marquee,isindex,bgsound,xss,form[action],[style]';
  /** Dangerous elements anywhere (page and panel) and inline handlers anywhere in the panel. */
  window.__census = () => {
    const root = shadow();
    const handlers = [...root.querySelectorAll('*')].flatMap((el) =>
      [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => el.tagName + '[' + a.name + ']'));
    const tags = [...document.querySelectorAll(DANGEROUS), ...root.querySelectorAll(DANGEROUS)].map((el) => el.tagName.toLowerCase());
    return { handlers, tags: tags.sort() };
  };
})();`;

interface Host {
  context: BrowserContext;
  page: Page;
  problems: string[];
  /** The dangerous elements of the page and panel once it is set up (the host's script tag, the launcher's icon). */
  baseline: { handlers: string[]; tags: string[] };
}

/** The strict host page on the server's origin, alice signed in with Kefu.identify, the panel open on `view`. */
async function strictHost(view: unknown): Promise<Host> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  await page.route(`${server.base}/strict-host.html`, (route) =>
    route.fulfill({ contentType: 'text/html; charset=utf-8', headers: { 'Content-Security-Policy': CSP }, body: HOST_PAGE }));
  await page.addInitScript({ content: IN_PAGE });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
  page.on('response', (response) => response.status() >= 400 && problems.push(`${response.status()} ${response.url()}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(`${server.base}/strict-host.html`);
  const { userToken } = await (await fetch(`${server.base}/demo/token?user=alice`)).json() as { userToken: string };
  await page.evaluate(async ([token, target]) => {
    const { Kefu } = window as any;
    await Kefu.identify({ token });
    // The newest status of every ticket the panel's event stream delivered.
    const statuses: Record<string, string> = ((window as any).__ticketStatus = {});
    Kefu.on('ticket', (ticket: { id: string; status: string }) => (statuses[ticket.id] = ticket.status));
    await Kefu.open(target);
  }, [userToken, view] as const);
  await page.locator('kefu-root').locator('[role=dialog]').waitFor();
  return { context, page, problems, baseline: await census(page) };
}

const census = (page: Page) => page.evaluate(() => (window as any).__census() as { handlers: string[]; tags: string[] });

/** The page-wide verdict after a channel: nothing ran, nothing was reported, nothing dangerous appeared. */
async function assertClean(host: Host, injected: string[]) {
  const { page } = host;
  assert.equal(await page.evaluate(() => (window as any).__xss), 0, 'no payload executed');
  assert.deepEqual(await page.evaluate(() => (window as any).__violations), [], 'no CSP or Trusted Types violation');
  assert.deepEqual(injected, [], 'nothing outside the safe subset in the bodies');
  assert.deepEqual(await census(page), host.baseline, 'no dangerous element or inline handler anywhere');
  assert.deepEqual(host.problems, []);
}

/** Runs `work` over `items` with at most `width` at a time. */
async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>) {
  const queue = [...items];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  }));
}

/** An agent client: the console's bearer token. */
function agentApi() {
  const api = client(server.base);
  api.token = AGENT_TOKEN;
  return api;
}

test('the traps and the auditor work: a Trusted Types violation is seen, an injected element is flagged', async () => {
  const host = await strictHost('home');
  const { page } = host;
  // A string into an HTML sink is refused by Trusted Types, and the refusal is reported.
  const sink = await page.evaluate(() => {
    try {
      document.createElement('div').innerHTML = '<img src=x onerror="window.__xss=1">';
      return 'allowed';
    } catch (error) {
      return String(error);
    }
  });
  assert.match(sink, /TrustedHTML/);
  const reported = await page.waitForFunction(() => (window as any).__violations.length > 0);
  assert.ok(await reported.jsonValue());
  // An element slipped into a body by DOM calls is what the auditor reports.
  const flagged = await page.evaluate(() => {
    const p = document.querySelector('kefu-root')!.shadowRoot!.querySelector('.lead')!;
    const img = document.createElement('img');
    const link = document.createElement('a');
    link.setAttribute('href', 'javascript:void 0');
    p.append(img, link);
    const found = (window as any).__audit([p], []) as string[];
    img.remove();
    link.remove();
    return found;
  });
  assert.deepEqual(flagged, ['<img>', 'a href="javascript:void 0"', 'a rel=null']);
  host.problems.length = 0; // The refused sink above was logged on purpose.
  await host.context.close();
});

/** Agent messages sent between two checks: fewer than the chat log keeps in the DOM (src/ui/ChatView.tsx). */
const BATCH = 25;

test(`${ALL} payloads as agent messages: ${REFUSED} refused by the API (U+0000), ${STORABLE} shown as text, 0 executed, 0 injected`, async () => {
  const host = await strictHost('chat');
  const { page } = host;
  const conversationId = await page.evaluate(() => new Promise<string>((resolve) => {
    const { Kefu } = window as any;
    Kefu.on('message', (message: { conversationId: string }) => resolve(message.conversationId));
    void Kefu.ask('Can a person help me, please?');
  }));
  const agent = agentApi();
  const injected: string[] = [];
  let shown = 0;
  let refused = 0;
  // In batches smaller than the chat's window (30 messages in the DOM), each checked once it is in.
  for (let at = 0; at < ALL; at += BATCH) {
    const texts: string[] = [];
    for (const payload of xssCorpus.slice(at, at + BATCH)) {
      const reply = await agentCreate(agent, `/v1/agent/conversations/${conversationId}/messages`, { text: payload });
      if (payload.includes('\u0000')) {
        assert.equal(reply.status, 400, JSON.stringify(reply.body));
        assert.equal(reply.body.errors[0].path, 'text');
        refused++;
        continue;
      }
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      texts.push(reply.body.text);
    }
    const result = await page.evaluate(async (expected) => {
      const w = window as any;
      const last = () => [...w.__kefuRoot().querySelectorAll('.msg.agent')].slice(-expected.length) as HTMLElement[];
      await w.__until(() => {
        const bubbles = last();
        return bubbles.length === expected.length && bubbles.at(-1)!.querySelector('p')!.textContent === expected.at(-1);
      }, 'the agent messages');
      const bubbles = last();
      return {
        texts: bubbles.map((bubble) => bubble.querySelector('p')!.textContent),
        injected: w.__audit(bubbles, ['DIV', 'SPAN', 'TIME']) as string[],
      };
    }, texts);
    assert.deepEqual(result.texts, texts, 'every message shows exactly its text');
    injected.push(...result.injected);
    shown += texts.length;
  }
  assert.equal(refused, REFUSED);
  assert.equal(shown, STORABLE);
  // Home quotes the last message of the conversation too.
  const recent = await page.evaluate(async () => {
    const w = window as any;
    await w.Kefu.open('home');
    const section = await w.__until((root: ShadowRoot) => root.querySelector('section[aria-labelledby=kefu-recent]'), 'the last conversation on Home');
    return { text: section.querySelector('.clip').textContent, injected: w.__audit([section], ['SECTION', 'H3', 'BUTTON', 'SPAN']) };
  });
  assert.equal(recent.text, storable.at(-1)!.trim());
  injected.push(...recent.injected);
  await assertClean(host, injected);
  await host.context.close();
});

test(`${ALL} payloads as agent notes on tickets (and ${STORABLE} as agent comments): ${REFUSED} refused (U+0000), 0 executed, 0 injected`, async () => {
  const host = await strictHost('tickets');
  const { page } = host;
  // The list is loaded once (empty); every ticket below reaches the open panel as a live event.
  await page.locator('kefu-root').getByText('No complaints, refunds or returns yet.').waitFor();
  const alice = await signIn(server.base, 'alice');
  const agent = agentApi();
  const steps = ['acknowledged', 'investigating', 'resolved'] as const;

  // Four workers at a time: the server is one process either way, this only overlaps the round trips.
  const tickets: { id: string; description: string; notes: string[]; comments: string[] }[] = [];
  const groups = Array.from({ length: Math.ceil(ALL / steps.length) }, (_, index) => index);
  let refused = 0;
  await inParallel(groups, 4, async (index) => {
    const payloads = xssCorpus.slice(index * steps.length, (index + 1) * steps.length);
    const description = `Corpus payloads ${index * steps.length + 1} to ${index * steps.length + payloads.length}`;
    const created = await create(alice, '/v1/tickets', { kind: 'complaint', category: 'xss', description });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { id } = created.body;
    for (const [step, note] of payloads.entries()) {
      const path = `/v1/agent/tickets/${id}/transition`;
      let moved = await agent.call('POST', path, { to: steps[step], note });
      if (note.includes('\u0000')) {
        assert.equal(moved.status, 400, JSON.stringify(moved.body));
        assert.equal(moved.body.errors[0].path, 'note');
        refused++;
        moved = await agent.call('POST', path, { to: steps[step] });
      }
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
    }
    // The API has no agent comments; the merchant's back office writes them next to the notes.
    for (const text of payloads.filter((payload) => !payload.includes('\u0000'))) {
      await server.db.query(
        `insert into ticket_comments (id, ticket_id, author, text) values ($1, $2, 'agent', $3)`,
        [`tc_${randomUUID()}`, id, text],
      );
    }
    // What the server serves her is what the panel must show, character for character.
    const served = await alice.call('GET', `/v1/tickets/${id}`);
    tickets[index] = {
      id,
      description,
      notes: served.body.timeline.flatMap((entry: { note?: string }) => (entry.note === undefined ? [] : [entry.note])),
      comments: served.body.comments.map((comment: { text: string }) => comment.text),
    };
  });
  assert.equal(refused, REFUSED);
  assert.equal(tickets.reduce((sum, ticket) => sum + ticket.notes.length, 0), STORABLE);
  assert.equal(tickets.reduce((sum, ticket) => sum + ticket.comments.length, 0), STORABLE);

  // Every ticket reached the panel live, resolved; each is then opened: its timeline (notes) and
  // its notes section (comments, fetched when the ticket opens), as text.
  await page.waitForFunction((ids) => ids.every((id) => (window as any).__ticketStatus[id] === 'resolved'), tickets.map((t) => t.id));
  const result = await page.evaluate(async (expected) => {
    const w = window as any;
    const injected: string[] = [];
    const mismatched: string[] = [];
    for (const ticket of expected) {
      await w.Kefu.open({ ticket: ticket.id });
      const view = await w.__until((root: ShadowRoot) => {
        const timeline = root.querySelector('.timeline');
        const comments = root.querySelector('.comments');
        return timeline?.querySelectorAll('li').length === 4 && comments?.querySelectorAll('li').length === ticket.comments.length
          && root.querySelector('.quote')?.textContent === ticket.description && { timeline, comments };
      }, `ticket ${ticket.id}`);
      const notes = [...view.timeline.querySelectorAll('li')].reverse().slice(1)
        .map((li: Element) => li.querySelector(':scope > p')?.textContent).filter((note: string | undefined) => note !== undefined);
      const comments = [...view.comments.querySelectorAll('li > p')].map((p: Element) => p.textContent);
      if (JSON.stringify(notes) !== JSON.stringify(ticket.notes)) mismatched.push(`notes of ${ticket.id}: ${JSON.stringify(notes)}`);
      if (JSON.stringify(comments) !== JSON.stringify(ticket.comments)) mismatched.push(`comments of ${ticket.id}: ${JSON.stringify(comments)}`);
      injected.push(...w.__audit([view.timeline], ['OL', 'SPAN', 'TIME']), ...w.__audit([view.comments], ['SPAN']));
    }
    return { injected, mismatched };
  }, tickets);
  assert.deepEqual(result.mismatched, [], 'every note and comment shows exactly its text');
  await assertClean(host, result.injected);
  await host.context.close();
});

test(`${STORABLE} payloads as FAQ article titles and bodies (the ${REFUSED} with U+0000 cannot be stored): 0 executed, 0 injected`, async () => {
  // As JSON: PGlite's text[] parameters lose a leading U+FEFF.
  await server.db.query(
    `insert into articles (site, id, locale, position, title, body, tags)
     select 'pk_demo', 'xss-' || (position - 1), 'en', 1000 + position, text, text, '{xss}'
     from json_array_elements_text($1::json) with ordinality as a(text, position)`,
    [JSON.stringify(storable)],
  );
  const alice = await signIn(server.base, 'alice');
  const served = ((await alice.call('GET', '/v1/faq?locale=en')).body.articles as { id: string; title: string }[])
    .filter((article) => article.id.startsWith('xss-'));
  assert.equal(served.length, STORABLE);
  const host = await strictHost('help');
  const { page } = host;
  const articles = await page.evaluate(async (expected) => {
    const w = window as any;
    const injected: string[] = [];
    const mismatched: string[] = [];
    for (const { id, title } of expected) {
      await w.Kefu.open({ article: id });
      const article = await w.__until((root: ShadowRoot) => {
        const node = root.querySelector('article.article');
        return node?.querySelector('h3')?.textContent === title && node;
      }, `article ${id}`);
      if (article.querySelector('h3').children.length) mismatched.push(`title of ${id} has elements`);
      injected.push(...w.__audit([article], ['ARTICLE', 'H3']));
    }
    return { injected, mismatched };
  }, served);
  assert.deepEqual(articles.mismatched, []);

  // The searchable list: titles and previews as text, the matches painted as highlights over it.
  const list = page.locator('kefu-root').locator('#kefu-results');
  const injected = [...articles.injected];
  let marks = 0;
  for (const query of ['script', 'javascript', 'onerror', 'img', 'href', 'svg', 'style', 'iframe']) {
    await page.evaluate(() => (window as any).Kefu.open('help'));
    const search = page.locator('kefu-root').locator('#kefu-search');
    const status = page.locator('kefu-root').locator('#kefu-view p.sr[role=status]');
    // Cleared first, so the count read next is the new query's, not the last one's.
    await search.fill('');
    await status.filter({ hasText: /^$/ }).waitFor({ state: 'attached' });
    await search.fill(query);
    await status.filter({ hasText: /articles found/ }).waitFor({ state: 'attached' });
    const found = await list.evaluate((node) => ({
      injected: (window as any).__audit([node], ['UL', 'LI', 'BUTTON', 'SPAN']) as string[],
      marks: CSS.highlights.get('kefu-match')?.size ?? 0,
    }));
    injected.push(...found.injected);
    marks += found.marks;
  }
  assert.ok(marks > 100, `the highlighted list was exercised (${marks} highlighted matches)`);
  await assertClean(host, injected);
  await host.context.close();
});

test(`${STORABLE} payloads as order item names and tracking events (the ${REFUSED} with U+0000 cannot be stored): 0 executed, 0 injected`, async () => {
  // Ten orders of alice's, newest of all, each with a share of the corpus as its items and its tracking.
  const alice = await signIn(server.base, 'alice');
  const orders: { id: string; number: string; names: string[] }[] = [];
  const share = Math.ceil(STORABLE / 10);
  for (let at = 0, n = 0; at < STORABLE; at += share, n++) {
    const names = storable.slice(at, at + share);
    const id = `o_xss_${n}`;
    const now = Date.now();
    const items = names.map((name, index) => ({ id: `oi_xss_${n}_${index}`, productId: 'p_xss', name, quantity: 1, unitPrice: 100 }));
    const events = names.map((description, index) => ({
      at: new Date(now - (names.length - index) * 60_000).toISOString(), status: 'in_transit', description, location: description,
    }));
    const shipments = [{ id: `sh_xss_${n}`, carrier: 'XSS Express', trackingNumber: `XSS${n}`, status: 'in_transit', estimatedDelivery: null, events }];
    await server.db.query(
      `insert into orders (id, site, owner, number, status, placed_at, currency, total, refundable_until, items, shipments)
       values ($1, 'pk_demo', 'u:alice', $2, 'shipped', now() - $3::int * interval '1 minute', 'CNY', $4, now() + interval '30 days', $5, $6)`,
      [id, `XSS-${n}`, n, names.length * 100, JSON.stringify(items), JSON.stringify(shipments)],
    );
    // What the server serves her is what the panel must show, character for character.
    const served = (await alice.call('GET', `/v1/orders/${id}`)).body;
    assert.deepEqual(served.items.map((item: { name: string }) => item.name), names);
    orders.push({ id, number: `XSS-${n}`, names });
  }
  const host = await strictHost('orders');
  const { page } = host;
  const rows = page.locator('kefu-root').locator('.rows');
  await rows.locator('.row', { hasText: 'XSS-9' }).waitFor();
  const injected: string[] = await rows.evaluate((node) => (window as any).__audit([node], ['UL', 'LI', 'BUTTON', 'SPAN']));

  const result = await page.evaluate(async (expected) => {
    const w = window as any;
    const mismatched: string[] = [];
    const injected: string[] = [];
    for (const order of expected) {
      await w.Kefu.open({ order: order.id });
      const view = await w.__until((root: ShadowRoot) => {
        const heading = root.querySelector('.scroll > h3');
        const items = root.querySelector('ul.items');
        const card = root.querySelector('section.card');
        return heading?.textContent?.includes(order.number) && items?.children.length === order.names.length
          && card?.querySelectorAll('.timeline li').length === order.names.length && { items, card };
      }, `order ${order.number}`);
      const names = [...view.items.querySelectorAll('li > span:first-child')].map((span: Element) => span.textContent);
      if (JSON.stringify(names) !== JSON.stringify(order.names.map((name: string) => `${name} × 1`))) mismatched.push(`items of ${order.number}`);
      const steps = [...view.card.querySelectorAll('.timeline li > strong')].map((strong: Element) => strong.textContent).reverse();
      if (JSON.stringify(steps) !== JSON.stringify(order.names)) mismatched.push(`tracking of ${order.number}`);
      injected.push(...w.__audit([view.items], ['SPAN']), ...w.__audit([view.card], ['SECTION', 'SPAN', 'OL', 'TIME']));

      // The refund form lists the same names as labels of its quantity fields.
      await w.Kefu.startRefund({ orderId: order.id });
      const form = await w.__until((root: ShadowRoot) => {
        const lines = root.querySelectorAll('.item-qty');
        return lines.length === order.names.length && root.querySelector('form.flow h3')?.textContent?.includes(order.number) && [...lines];
      }, `refund form of ${order.number}`);
      const labels = form.map((line: Element) => line.querySelector('span')!.textContent);
      if (JSON.stringify(labels) !== JSON.stringify(order.names.map((name: string) => `${name} · CN¥1.00`))) mismatched.push(`refund form of ${order.number}`);
      injected.push(...w.__audit(form, ['LABEL', 'SPAN', 'INPUT']));
    }
    return { mismatched, injected };
  }, orders);
  assert.deepEqual(result.mismatched, [], 'every name and tracking step shows exactly its text');
  await assertClean(host, [...injected, ...result.injected]);
  await host.context.close();
});
