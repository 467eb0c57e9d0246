/**
 * axe-core over every view and state of the shopper panel, in both themes, both languages and at
 * desktop and mobile sizes, against the real reference server and demo shop (signed in as alice).
 * One page per theme × language × size walks through the states; axe is scoped to the widget's
 * shadow tree, and each run must have checked nodes inside it. The dialog semantics of design §7
 * (focus moves in on open, a tablist with arrow keys and one selected tab labelling the view, Esc
 * closes and focus goes back to the bubble) are checked on the way.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { AGENT_TOKEN, client, create, root, signIn, startServer, type TestServer } from '../server/harness';
import { launchChromium } from './browser';

let server: TestServer;
let browser: Browser;
const axeSource = readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');

before(async () => {
  server = await startServer({ name: 'pglite' });
  browser = await launchChromium();
  // Alice's tickets: a complaint an agent has acknowledged and is investigating, so its timeline has steps.
  const alice = await signIn(server.base, 'alice');
  const complaint = await create(alice, '/v1/tickets', {
    kind: 'complaint', orderId: 'o_ll_10388', category: 'delivery', description: 'The lamp is late and nobody told me why.',
  });
  assert.equal(complaint.status, 201, JSON.stringify(complaint.body));
  const agent = client(server.base);
  agent.token = AGENT_TOKEN;
  for (const [to, note] of [['acknowledged', 'Sorry about this, we are asking ZTO.'], ['investigating', null]] as const) {
    const moved = await agent.call('POST', `/v1/agent/tickets/${complaint.body.id}/transition`, { to, ...(note ? { note } : {}) });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
  }
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const sizes = { desktop: { width: 1280, height: 800 }, mobile: { width: 390, height: 844 } } as const;
const words = {
  en: { signedIn: 'Signed in as Alice', tabs: ['Home', 'Chat', 'FAQ', 'Orders', 'Tickets'], ask: 'Where is my parcel?', search: 'refund' },
  'zh-CN': { signedIn: '已登录', tabs: ['首页', '咨询', '常见问题', '订单', '服务单'], ask: '我的快递到哪了？', search: '退款' },
} as const;

/**
 * One axe run over the widget: its violations as readable lines, how many nodes it checked inside the
 * shadow root, and how many of the current view's nodes had their contrast checked.
 */
async function axe(page: Page) {
  // No named functions in here: tsx would wrap them in a `__name` helper that the page does not have.
  return page.evaluate(async () => {
    const result = await (window as any).axe.run({ include: [['kefu-root']] }, { resultTypes: ['violations', 'passes'], elementRef: true });
    const view = document.querySelector('kefu-root')!.shadowRoot!.getElementById('kefu-view')!;
    return {
      violations: result.violations.flatMap((v: any) => v.nodes.map((n: any) =>
        `${v.id} [${v.impact}] ${v.help}: ${n.target.map((part: unknown) => [part].flat().join(' >>> ')).join(' >>> ')}`
        + (n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ')}` : ''))),
      // A target whose first part is a path of selectors is inside a shadow root.
      shadowPasses: result.passes.reduce((sum: number, rule: any) => sum + rule.nodes.filter((n: any) => [n.target[0]].flat().length > 1).length, 0),
      viewContrast: result.passes.find((rule: any) => rule.id === 'color-contrast')?.nodes.filter((n: any) => view.contains(n.element)).length ?? 0,
    };
  });
}

for (const theme of ['light', 'dark'] as const) {
  for (const locale of ['en', 'zh-CN'] as const) {
    for (const size of ['desktop', 'mobile'] as const) {
      test(`axe finds no violation on ${size}, ${theme}, ${locale}: home, chat answer, FAQ search, article, orders, order tracking, refund errors, complaint errors, tickets, ticket timeline; dialog focus, tablist and Esc hold`, async () => {
        const text = words[locale];
        const context = await browser.newContext({
          viewport: sizes[size], locale, colorScheme: theme, reducedMotion: 'reduce', deviceScaleFactor: 1,
        });
        await context.addInitScript((settings) => localStorage.setItem('lantern-settings', settings),
          JSON.stringify({ locale, theme, who: 'alice' }));
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(`${server.base}/`);
        await page.locator('#notice', { hasText: text.signedIn }).waitFor();
        await page.evaluate(axeSource);

        const widget = page.locator('kefu-root');
        const dialog = widget.locator('[role=dialog]');
        /** An element of the panel once it shows `view` (`data-view` is the view's name or its key: `order`, `refund`…). */
        const inView = (view: string, selector: string) => widget.locator(`[role=dialog][data-view=${view}] ${selector}`).first();
        const kefu = (call: string, ...args: unknown[]) =>
          page.evaluate(([call, args]) => (window as any).Kefu[call as string](...(args as unknown[])), [call, args] as const);
        const found: string[] = [];
        /** Checks the state on screen: one selected tab labelling the view, then axe, whose violations are kept under the state's name. */
        const check = async (state: string, tab: number) => {
          const tabs = await dialog.locator('[role=tablist] [role=tab]').evaluateAll((nodes) =>
            nodes.map((node) => [node.textContent, node.getAttribute('aria-selected'), node.id]));
          assert.deepEqual(tabs.map(([name]) => name), text.tabs, `${state}: the tabs`);
          assert.deepEqual(tabs.map(([, selected]) => selected), text.tabs.map((_, i) => String(i === tab)), `${state}: the selected tab`);
          assert.equal(await dialog.locator('[role=tabpanel]').getAttribute('aria-labelledby'), tabs[tab]![2], `${state}: the tab labels the view`);
          const { violations, shadowPasses, viewContrast } = await axe(page);
          assert.ok(shadowPasses > 0 && viewContrast > 0, `${state}: axe checked nothing inside the widget's shadow root`);
          found.push(...violations.map((line: string) => `${state}: ${line}`));
        };

        // Home, opened from the bubble: the dialog takes focus, in the theme and language asked for.
        await widget.locator('button.kefu-launcher').click();
        await dialog.waitFor();
        assert.ok(await page.evaluate(() => {
          const shadow = document.querySelector('kefu-root')!.shadowRoot!;
          return document.activeElement?.tagName === 'KEFU-ROOT' && !!shadow.activeElement?.closest('[role=dialog]');
        }), 'focus is inside the dialog once it opens');
        // The shop leaves the widget on `auto` for light; either way the panel must be drawn in the theme asked for.
        assert.equal(await dialog.evaluate((panel) => getComputedStyle(panel).backgroundColor),
          theme === 'dark' ? 'rgb(27, 27, 31)' : 'rgb(255, 255, 255)');
        assert.equal(await dialog.getAttribute('lang'), locale);
        await inView('home', '[aria-labelledby=kefu-open] li').waitFor(); // Alice's open complaint.
        await check('home', 0);

        // Chat, reached with the arrow key from the Home tab; the bot answers a question.
        await dialog.locator('[role=tab]').first().focus();
        await page.keyboard.press('ArrowRight');
        const input = inView('chat', '#kefu-input');
        await input.waitFor();
        const answers = await dialog.locator('.msg.bot').count();
        await input.fill(text.ask);
        await input.press('Enter');
        await dialog.locator('.msg.bot').nth(answers).waitFor();
        await dialog.locator('.msg.shopper[data-status=sent]').last().waitFor();
        await check('chat with a bot answer', 1);

        // FAQ: a search typed, its matches marked; then the first article found.
        await dialog.locator('[role=tab]').nth(2).click();
        await inView('help', '#kefu-search').fill(text.search);
        await inView('help', '#kefu-results li').first().waitFor();
        await page.waitForFunction(() => (CSS.highlights.get('kefu-match')?.size ?? 0) > 0);
        await check('FAQ search', 2);
        await inView('help', '#kefu-results button.row').click();
        await inView('article', 'article.article').waitFor();
        await check('article', 2);

        await kefu('open', 'orders');
        await inView('orders', '.rows li').waitFor();
        await check('orders list', 3);

        // The late order: a delayed shipment with its tracking timeline.
        await kefu('open', { order: 'o_ll_10388' });
        await widget.locator('[data-view=order] .card .timeline li').nth(2).waitFor();
        await check('order with tracking', 3);

        await kefu('startRefund', { orderId: 'o_ll_10231' });
        await inView('refund', 'form.flow button[type=submit]').click();
        await inView('refund', '#kefu-refund-items-error').waitFor();
        await check('refund form with errors', 3);

        await kefu('startComplaint');
        await inView('complaint', 'form.flow button[type=submit]').click();
        await inView('complaint', 'form.flow .error').waitFor();
        await check('complaint form with errors', 4);

        await kefu('open', 'tickets');
        await inView('tickets', '.rows li button').click();
        await widget.locator('[data-view=ticket] .timeline li').nth(2).waitFor();
        await check('ticket timeline', 4);
        await kefu('open', 'tickets');
        await inView('tickets', '.rows li').waitFor();
        await check('tickets list', 4);

        // Esc closes the dialog and gives focus back to the bubble.
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden' });
        assert.equal(await page.evaluate(() => document.querySelector('kefu-root')!.shadowRoot!.activeElement?.className), 'kefu-launcher');

        if (found.length) assert.fail(`axe violations (${size}, ${theme}, ${locale}):\n${found.join('\n')}`);
        assert.deepEqual(errors, []);
        await context.close();
      });
    }
  }
}
