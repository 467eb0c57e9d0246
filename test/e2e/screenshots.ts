/**
 * `npm run screenshots`: starts the reference server (in memory) with the demo shop, signs alice in
 * and photographs each view of the panel in Debian's Chromium, to demo/screenshots/<view>-<size>-<theme>-<locale>.png.
 * Not every combination: each view once on desktop and once on mobile, the two in opposite themes and
 * languages, so every view is seen in both themes and both languages. Pictures of this naming that
 * the matrix no longer makes are deleted.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from './browser';
import { parcelPhoto } from './png';
import { AGENT_TOKEN, client, create, root, signIn, startServer } from '../server/harness';

type Locale = 'en' | 'zh-CN';
type Size = 'desktop' | 'mobile';
type Theme = 'light' | 'dark';

const sizes = { desktop: { width: 1280, height: 800 }, mobile: { width: 390, height: 844 } } as const;
const words = {
  en: { signedIn: 'Signed in as Alice', ask: 'Where is my parcel?', search: 'refund' },
  'zh-CN': { signedIn: '已登录', ask: '我的快递到哪了？', search: '退款' },
} as const;

/** The panel once it shows `view` (`data-view` is a view's name or its key: `order`, `refund`, `ticket`…). */
const shown = (page: Page, view: string) => page.locator(`kefu-root [role=dialog][data-view=${view}]`);

/** Brings the open panel to one state and waits until that state is drawn. */
const states: Record<string, (page: Page, locale: Locale) => Promise<void>> = {
  async home(page) {
    await shown(page, 'home').locator('[aria-labelledby=kefu-suggested] li').first().waitFor();
    await shown(page, 'home').locator('[aria-labelledby=kefu-open] li').first().waitFor();
  },
  async chat(page, locale) {
    await kefu(page, 'open', 'chat');
    const chat = shown(page, 'chat');
    const answers = await chat.locator('.msg.bot').count();
    await chat.locator('#kefu-input').fill(words[locale].ask);
    await chat.locator('#kefu-input').press('Enter');
    await chat.locator('.msg.bot').nth(answers).waitFor();
    await chat.locator('.msg.shopper[data-status=sent]').last().waitFor();
  },
  async 'chat-image'(page, locale) {
    await kefu(page, 'open', 'chat');
    const chat = shown(page, 'chat');
    await chat.getByLabel(locale === 'en' ? 'Attach an image' : '添加图片').setInputFiles({ name: 'parcel.png', mimeType: 'image/png', buffer: parcelPhoto() });
    await chat.locator('#kefu-input').fill(locale === 'en' ? 'The parcel arrived crushed' : '包裹到的时候压坏了');
    const answers = await chat.locator('.msg.bot').count();
    await chat.locator('#kefu-input').press('Enter');
    await chat.locator('.msg.bot').nth(answers).waitFor();
    const image = chat.locator('.msg.shopper[data-status=sent] canvas[aria-label="parcel.png"]').last();
    await image.waitFor();
    await image.evaluate((canvas) => canvas.scrollIntoView({ block: 'center' })); // The image, not the bot's long answer below it.
    // A second image chosen and on its way: its chip and progress bar above the input.
    await chat.getByLabel(locale === 'en' ? 'Attach an image' : '添加图片').setInputFiles({ name: 'label.png', mimeType: 'image/png', buffer: parcelPhoto() });
    await chat.locator('.composer li', { hasText: 'label.png' }).waitFor();
  },
  async 'faq-search'(page, locale) {
    await kefu(page, 'open', 'help');
    await shown(page, 'help').locator('#kefu-search').fill(words[locale].search);
    await page.waitForFunction(() => (CSS.highlights.get('kefu-match')?.size ?? 0) > 0); // the matches painted
  },
  async article(page, locale) {
    await states['faq-search']!(page, locale);
    await shown(page, 'help').locator('#kefu-results button.row').first().click();
    await shown(page, 'article').locator('article.article').waitFor();
  },
  async 'order-tracking'(page) {
    await kefu(page, 'open', { order: 'o_ll_10388' });
    await shown(page, 'order').locator('.card .timeline li').nth(4).waitFor();
  },
  async 'refund-form'(page) {
    await kefu(page, 'startRefund', { orderId: 'o_ll_10231' });
    await shown(page, 'refund').locator('form.flow button[type=submit]').click();
    await shown(page, 'refund').locator('#kefu-refund-items-error').waitFor();
  },
  async complaint(page) {
    await kefu(page, 'startComplaint', { orderId: 'o_ll_10388' });
    await shown(page, 'complaint').locator('#kefu-complaint-category').waitFor();
  },
  async 'ticket-timeline'(page) {
    await kefu(page, 'open', 'tickets');
    await shown(page, 'tickets').locator('.rows li button').first().click();
    await shown(page, 'ticket').locator('.timeline li').nth(2).waitFor();
  },
};

/** Each view on desktop and on mobile, in opposite themes and languages. */
const matrix: { view: keyof typeof states; size: Size; theme: Theme; locale: Locale }[] = [
  { view: 'home', size: 'desktop', theme: 'dark', locale: 'zh-CN' },
  { view: 'home', size: 'mobile', theme: 'light', locale: 'en' },
  { view: 'chat', size: 'desktop', theme: 'light', locale: 'en' },
  { view: 'chat', size: 'mobile', theme: 'dark', locale: 'zh-CN' },
  { view: 'chat-image', size: 'desktop', theme: 'light', locale: 'en' },
  { view: 'chat-image', size: 'mobile', theme: 'dark', locale: 'zh-CN' },
  { view: 'faq-search', size: 'desktop', theme: 'light', locale: 'zh-CN' },
  { view: 'faq-search', size: 'mobile', theme: 'dark', locale: 'en' },
  { view: 'order-tracking', size: 'desktop', theme: 'dark', locale: 'en' },
  { view: 'order-tracking', size: 'mobile', theme: 'light', locale: 'zh-CN' },
  { view: 'refund-form', size: 'desktop', theme: 'light', locale: 'en' },
  { view: 'refund-form', size: 'mobile', theme: 'dark', locale: 'zh-CN' },
  { view: 'ticket-timeline', size: 'desktop', theme: 'dark', locale: 'zh-CN' },
  { view: 'ticket-timeline', size: 'mobile', theme: 'light', locale: 'en' },
  { view: 'article', size: 'mobile', theme: 'dark', locale: 'en' },
  { view: 'complaint', size: 'desktop', theme: 'light', locale: 'zh-CN' },
];
const fileName = ({ view, size, theme, locale }: (typeof matrix)[number]) => `${view}-${size}-${theme}-${locale}.png`;

function kefu(page: Page, call: string, ...args: unknown[]) {
  return page.evaluate(([call, args]) => (window as any).Kefu[call as string](...(args as unknown[])), [call, args] as const);
}

/** Alice's return of a broken pendant, approved by an agent, so her tickets have a timeline to show. */
async function seedTicket(base: string) {
  const alice = await signIn(base, 'alice');
  const created = await create(alice, '/v1/tickets', {
    kind: 'return', orderId: 'o_ll_10231', items: [{ orderItemId: 'oi_10231_3', quantity: 1 }], category: 'damaged',
    description: 'One of the three rice-paper pendants arrived with a torn shade.', amount: 12900,
  });
  if (created.status !== 201) throw new Error(`seeding a ticket: ${created.status} ${JSON.stringify(created.body)}`);
  const agent = client(base);
  agent.token = AGENT_TOKEN;
  for (const step of [
    { to: 'approved', note: 'Sorry it arrived damaged. Please send it back with the prepaid label we emailed you.' },
    { to: 'awaiting_return' },
  ]) {
    const moved = await agent.call('POST', `/v1/agent/tickets/${created.body.id}/transition`, step);
    if (moved.status !== 200) throw new Error(`moving the ticket: ${moved.status} ${JSON.stringify(moved.body)}`);
  }
}

const out = join(root, 'demo/screenshots');
mkdirSync(out, { recursive: true });
const server = await startServer({ name: 'pglite' });
const browser = await launchChromium();
try {
  await seedTicket(server.base);
  for (const shot of matrix) {
    const { view, size, theme, locale } = shot;
    const context = await browser.newContext({ viewport: sizes[size], locale, colorScheme: theme, deviceScaleFactor: 1 });
    await context.addInitScript((settings) => localStorage.setItem('lantern-settings', settings),
      JSON.stringify({ locale, theme, who: 'alice' }));
    const page = await context.newPage();
    await page.goto(`${server.base}/`);
    await page.locator('#notice', { hasText: words[locale].signedIn }).waitFor();
    const widget = page.locator('kefu-root');
    await widget.locator('button.kefu-launcher').click();
    await widget.locator('[role=dialog]').waitFor();
    await states[view]!(page, locale);
    await page.screenshot({ path: join(out, fileName(shot)), animations: 'disabled' });
    console.log(`wrote demo/screenshots/${fileName(shot)}`);
    await context.close();
  }
  const made = new Set(matrix.map(fileName));
  for (const file of readdirSync(out)) {
    if (/-(desktop|mobile)-(light|dark)-(en|zh-CN)\.png$/.test(file) && !made.has(file)) {
      rmSync(join(out, file));
      console.log(`deleted demo/screenshots/${file}`);
    }
  }
} finally {
  await browser.close();
  await server.close();
}
