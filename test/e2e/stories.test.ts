/**
 * The guided stories end to end, as people live them: alice on the demo shop, the agent in the
 * console (`/agent.html`) and bob on his own device, three browser contexts against one real
 * env.server. Every step checks what the shopper sees in the panel, and every change the agent makes
 * must reach the open panel live, with no reload.
 *
 * 1. Where is my parcel → tracking → a refund of one item → approved, refunded (live) → rated;
 *    bob sees nothing of alice's, and his session reads her ticket as a 404.
 * 2. A complaint → rejected with a note (live) → appealed → resolved by the agent → the rating form.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import type { Ticket } from '../../src/api/schemas';
import { AGENT_TOKEN, signIn } from '../server/harness';
import { useServerAndBrowser } from './browser';

const env = useServerAndBrowser('kefu-stories-');


type Who = 'alice' | 'bob';
interface Shopper {
  context: BrowserContext;
  page: Page;
  panel: Locator;
  /** Console errors, page errors, failed API answers. */
  problems: string[];
  /** The tickets the panel's `ticket` event delivered (server events of this shopper's stream). */
  ticketEvents(): Promise<Ticket[]>;
  /** Fails if the page was reloaded or navigated since it was opened: live means no reload. */
  assertSamePage(): Promise<void>;
}

/** Anything that shows a problem on a page: console errors, uncaught errors, 4xx/5xx answers. */
function watchProblems(page: Page) {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
  page.on('response', (response) => response.status() >= 400 && problems.push(`${response.status()} ${response.url()}`));
  return problems;
}

/** A shopper on the demo shop, signed in by the shop's own switch (kept in localStorage), with the panel open. */
async function openShop(who: Who): Promise<Shopper> {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((user) => {
    localStorage.setItem('lantern-settings', JSON.stringify({ locale: 'en', theme: 'light', who: user }));
  }, who);
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(`${env.server.base}/`);
  // The shop signs the shopper in through Kefu.identify and says so once it has resolved.
  await page.locator('#notice', { hasText: `Signed in as ${who === 'alice' ? 'Alice' : 'Bob'}.` }).waitFor();
  await page.evaluate(() => {
    const seen: unknown[] = ((window as any).__tickets = []);
    (window as any).__samePage = true;
    (window as any).Kefu.on('ticket', (ticket: unknown) => seen.push(ticket));
  });
  const panel = page.locator('kefu-root').locator('[role=dialog]');
  await page.locator('kefu-root').locator('button.kefu-launcher').click();
  await panel.waitFor();
  return {
    context,
    page,
    panel,
    problems,
    ticketEvents: () => page.evaluate(() => (window as any).__tickets as Ticket[]),
    async assertSamePage() {
      assert.equal(await page.evaluate(() => (window as any).__samePage), true, 'the page was not reloaded');
    },
  };
}

/** The agent console, token in the URL (it leaves the address bar once read), its event stream live. */
async function openConsole() {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(`${env.server.base}/agent.html?token=${AGENT_TOKEN}`);
  await page.locator('#connection[data-state=open]').waitFor();
  return { context, page, problems };
}

/** Waits until the panel shows `view` (the dialog names its view in `data-view`). */
const showing = (panel: Locator, view: string) => panel.page().locator(`kefu-root [role=dialog][data-view=${view}]`).waitFor();
const tab = (panel: Locator, name: string) => panel.locator('[role=tab]', { hasText: name });
/** The ticket view's status badge and its newest timeline step (the timeline lists the newest first). */
const badge = (panel: Locator) => panel.locator('h3 .badge');
const newestStep = (panel: Locator) => panel.locator('.timeline li').first();

/** The agent opens a ticket from the console's live list and checks what it says. */
async function agentOpens(agent: Page, ticketId: string) {
  const item = agent.locator(`#tickets li[data-id="${ticketId}"] button`);
  await item.waitFor();
  await item.click();
  await agent.locator('#ticket:not([hidden])').waitFor();
  return item;
}

/** The agent moves the open ticket with an optional note and waits for the console to show it. */
async function agentMoves(agent: Page, to: string, note = '') {
  await agent.locator('#transition-note').fill(note);
  await agent.locator(`#transition-buttons button[value=${to}]`).click();
  await agent.locator('#ticket-status', { hasText: to.replace(/_/g, ' ') }).waitFor();
}

test('alice asks where her parcel is, follows it, gets one item refunded live and rates it; bob sees none of it', async () => {
  const agent = await openConsole();
  const alice = await openShop('alice');
  // Bob is on his own device the whole time, his panel open on Tickets: nothing of alice's may reach it.
  const bob = await openShop('bob');
  await tab(bob.panel, 'Tickets').click();
  await bob.panel.getByText('No complaints, refunds or returns yet.').waitFor();
  const { panel } = alice;

  // 1. She asks in the chat; the bot answers and offers to track her order.
  await tab(panel, 'Chat').click();
  const input = panel.locator('textarea');
  await input.fill('Where is my parcel?');
  await input.press('Enter');
  await panel.locator('.msg.shopper[data-status=sent]', { hasText: 'Where is my parcel?' }).waitFor();
  const answer = panel.locator('.msg.bot').last();
  await answer.waitFor();
  // The reference bot answers from the FAQ, links its tracking articles and offers the track_order quick reply.
  assert.match(await answer.locator('p').textContent() ?? '', /parcel.*tracking/);
  await answer.locator('button.card-link', { hasText: 'How to track your parcel' }).waitFor();
  await answer.locator('button.chip', { hasText: 'Track my order' }).click();

  // 2. Her orders, then the one on its way: its tracking timeline, newest step first.
  await showing(panel, 'orders');
  const rows = panel.locator('.rows .row');
  await rows.first().waitFor();
  assert.deepEqual(
    (await rows.allTextContents()).map((text) => /Order (LL-\d+)/.exec(text)?.[1]),
    ['LL-10412', 'LL-10388', 'LL-10231'],
    'her three orders, newest first',
  );
  await rows.filter({ hasText: 'LL-10388' }).click();
  await showing(panel, 'order');
  const tracking = panel.locator('.timeline');
  await tracking.waitFor();
  assert.match(await panel.locator('section.card').textContent() ?? '', /ZTO Express.*ZT7730216498823.*Delayed/s);
  assert.equal(await tracking.locator('li').count(), 5);
  assert.match(await tracking.locator('li.now').textContent() ?? '', /Held at the hub: heavy snow.*Zhengzhou hub/s);
  assert.match(await tracking.locator('li').last().textContent() ?? '', /Shipping label created/);

  // 3. The delivered order: one of the two linen throws is refunded, through the refund form.
  await panel.locator('button', { hasText: '← Back' }).click();
  await rows.filter({ hasText: 'LL-10231' }).click();
  await panel.locator('.timeline li.now', { hasText: 'Delivered, signed for at the front desk' }).waitFor();
  await panel.locator('.actions-bar button', { hasText: 'Refund or return' }).click();
  await showing(panel, 'refund');
  const lines = panel.locator('.item-qty');
  await lines.first().waitFor();
  assert.equal(await lines.count(), 3, 'every line of the order can be chosen');
  assert.equal(await panel.locator('.total').textContent(), 'Refund amount: CN¥0.00');
  await lines.filter({ hasText: 'Hand-loomed Linen Throw, Indigo' }).locator('input[type=number]').fill('1');
  await panel.locator('.total', { hasText: 'CN¥259.00' }).waitFor();
  await panel.locator('#kefu-refund-reason').selectOption('damaged');
  await panel.locator('#kefu-refund-text').fill('One of the two throws arrived with a torn hem.');
  // A photo of the hem, sent through the outbox ahead of the refund (a 1×1 PNG).
  await panel.locator('.attachments input[type=file]').setInputFiles({
    name: 'hem.png',
    mimeType: 'image/png',
    buffer: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'),
  });
  await panel.locator('.attachments li', { hasText: 'hem.png' }).getByRole('button', { name: 'Remove' }).waitFor();
  await panel.locator('button[type=submit]', { hasText: 'Request refund' }).click();

  await showing(panel, 'ticket');
  await badge(panel).filter({ hasText: 'Requested' }).waitFor();
  assert.match(await panel.locator('h3').first().textContent() ?? '', /Refund · Arrived damaged/);
  assert.match(await panel.locator('.scroll').textContent() ?? '', /Refund amount: CN¥259\.00/);
  assert.match(await panel.locator('.quote').textContent() ?? '', /torn hem/);
  assert.match(await panel.getByText(/^Next step promised by /).textContent() ?? '', /\d/);
  assert.match(await newestStep(panel).textContent() ?? '', /Requested.*· You/s);

  // The ticket the panel shows is the one the server stored for her.
  const created = (await alice.ticketEvents()).find((ticket) => ticket.kind === 'refund');
  assert.ok(created, 'her stream announced the new ticket');
  assert.deepEqual(created.items, [{ orderItemId: 'oi_10231_2', quantity: 1 }], 'exactly one item');
  assert.deepEqual(created.amount, { amount: 25900, currency: 'CNY' });
  // The server files a ticket only with the shopper's own uploads, so this id is the photo's, stored for her.
  assert.equal(created.attachmentIds.length, 1, 'the photo, named by its server id');
  assert.doesNotMatch(created.attachmentIds[0] ?? '', /^[0-9a-f]{8}-/, 'not the client id');

  // 4. The agent finds it in the console (it arrived live) and approves it, then marks it refunded.
  const item = await agentOpens(agent.page, created.id);
  assert.match(await item.textContent() ?? '', /Refund · damaged.*requested.*Alice/s);
  assert.equal(await agent.page.locator('#ticket-description').textContent(), 'One of the two throws arrived with a torn hem.');
  const facts = await agent.page.locator('#ticket-facts').textContent() ?? '';
  assert.match(facts, /oi_10231_2 × 1/);
  assert.match(facts, /CN¥259\.00/);
  assert.deepEqual(await agent.page.locator('#transition-buttons button').allTextContents(), ['approved', 'rejected']);
  await agentMoves(agent.page, 'approved', 'Approved — the money goes back to your card.');

  // Alice's open ticket view follows without a reload.
  await badge(panel).filter({ hasText: 'Approved' }).waitFor();
  assert.match(await newestStep(panel).textContent() ?? '', /Approved.*· Agent.*the money goes back to your card/s);
  assert.equal(await panel.locator('.rating').count(), 0, 'nothing to rate before it is done');

  await agentMoves(agent.page, 'refunded');
  await badge(panel).filter({ hasText: 'Refunded' }).waitFor();
  assert.match(await newestStep(panel).textContent() ?? '', /Refunded.*· Agent/s);
  assert.deepEqual(
    await panel.locator('.timeline li strong').allTextContents(),
    ['Refunded', 'Approved', 'Requested'],
    'every step, newest first',
  );
  assert.equal(await panel.getByText(/^Next step promised by /).count(), 0, 'a finished ticket promises nothing more');
  await alice.assertSamePage();

  // 5. She rates it 5 with a comment.
  const rating = panel.locator('.rating');
  await rating.getByText('How satisfied are you with how this was handled?').waitFor();
  await rating.locator('.stars label').nth(4).click();
  await rating.locator('textarea').fill('Quick and fair, thank you.');
  const rated = alice.page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/v1/ratings'));
  await rating.locator('button[type=submit]', { hasText: 'Send rating' }).click();
  await panel.getByText('Thank you for your feedback!').waitFor();
  assert.equal((await rated).status(), 201);
  const [stored] = await env.server.db.query<{ score: number; comment: string }>(
    `select score, comment from ratings where subject_type = 'ticket' and subject_id = $1`, [created.id]);
  assert.deepEqual({ ...stored }, { score: 5, comment: 'Quick and fair, thank you.' });

  // 6. Bob: his panel stayed his own, live and after a fresh look; his session cannot read her ticket.
  assert.deepEqual(await bob.ticketEvents(), [], 'none of alice\'s ticket events reached bob');
  await tab(bob.panel, 'Orders').click();
  const bobRows = bob.panel.locator('.rows .row');
  await bobRows.first().waitFor();
  assert.deepEqual((await bobRows.allTextContents()).map((text) => /Order (LL-\d+)/.exec(text)?.[1]), ['LL-10307']);
  await tab(bob.panel, 'Tickets').click();
  await bob.panel.getByText('No complaints, refunds or returns yet.').waitFor();
  await tab(bob.panel, 'Home').click();
  await bob.panel.locator('.lead').waitFor();
  assert.equal(await bob.panel.getByText('Your open requests').count(), 0);
  assert.doesNotMatch(await bob.panel.textContent() ?? '', /LL-10231|LL-10388|LL-10412|torn hem/);

  const bobApi = await signIn(env.server.base, 'bob');
  assert.equal((await bobApi.call('GET', `/v1/tickets/${created.id}`)).status, 404, 'her ticket is a 404 to bob');
  assert.equal((await bobApi.call('GET', '/v1/orders/o_ll_10231')).status, 404, 'her order is a 404 to bob');
  assert.deepEqual((await bobApi.call('GET', '/v1/tickets')).body.tickets, []);

  assert.deepEqual(alice.problems, []);
  assert.deepEqual(bob.problems, []);
  assert.deepEqual(agent.problems, []);
  await Promise.all([alice.context.close(), bob.context.close(), agent.context.close()]);
});

test('alice files a complaint, the agent rejects it, she appeals live, the agent resolves it and she can rate it', async () => {
  const agent = await openConsole();
  const alice = await openShop('alice');
  const { panel } = alice;

  // 1. From the late order: File a complaint, with the promised answer time shown up front.
  await tab(panel, 'Orders').click();
  await panel.locator('.rows .row', { hasText: 'LL-10388' }).click();
  await panel.locator('.actions-bar button', { hasText: 'File a complaint' }).click();
  await showing(panel, 'complaint');
  await panel.getByText('We answer complaints within 24 hours.').waitFor();
  const order = panel.locator('#kefu-complaint-order');
  await order.locator('option[value=o_ll_10388]').waitFor({ state: 'attached' });
  assert.equal(await order.inputValue(), 'o_ll_10388', 'the order it was opened from is chosen');
  await panel.locator('#kefu-complaint-category').selectOption('delivery');
  await panel.locator('#kefu-complaint-text').fill('My lamp is two days late and nobody told me why.');
  await panel.locator('button[type=submit]', { hasText: 'Send complaint' }).click();

  await showing(panel, 'ticket');
  await badge(panel).filter({ hasText: 'Submitted' }).waitFor();
  assert.match(await panel.locator('h3').first().textContent() ?? '', /Complaint · Delivery/);
  await panel.getByText(/^Next step promised by /).waitFor();
  const complaint = (await alice.ticketEvents()).find((ticket) => ticket.kind === 'complaint');
  assert.ok(complaint, 'her stream announced the new complaint');
  const promised = Date.parse(complaint.dueAt!) - Date.parse(complaint.createdAt);
  assert.ok(Math.abs(promised - 24 * 3_600_000) < 60_000, `the promise is 24 hours (${promised} ms)`);

  // 2. The agent rejects it with a note; alice sees it live, with the note and a way to appeal.
  await agentOpens(agent.page, complaint.id);
  assert.deepEqual(await agent.page.locator('#transition-buttons button').allTextContents(), ['acknowledged', 'rejected']);
  await agentMoves(agent.page, 'rejected', 'The courier reports the delay as weather, which our policy does not cover.');
  await badge(panel).filter({ hasText: 'Rejected' }).waitFor();
  assert.match(await newestStep(panel).textContent() ?? '', /Rejected.*· Agent.*does not cover/s);
  const appeal = panel.locator('#kefu-appeal');
  await appeal.waitFor();
  await panel.getByText('Why should we look again?').waitFor();

  // 3. She appeals with a reason.
  await appeal.fill('Other parcels left that hub two days ago; mine is still there.');
  await panel.locator('button[type=submit]', { hasText: 'Appeal' }).click();
  await badge(panel).filter({ hasText: 'Appealed' }).waitFor();
  assert.match(await newestStep(panel).textContent() ?? '', /Appealed.*· You.*mine is still there/s);
  assert.equal(await appeal.count(), 0, 'one appeal per ticket');

  // 4. The agent sees the appeal live in the open ticket and resolves it.
  await agent.page.locator('#ticket-status', { hasText: 'appealed' }).waitFor();
  assert.match(await agent.page.locator('#timeline li').last().textContent() ?? '', /appealed by shopper.*mine is still there/s);
  assert.deepEqual(await agent.page.locator('#transition-buttons button').allTextContents(), ['resolved', 'rejected']);
  await agentMoves(agent.page, 'resolved', 'You are right: we have sent a new lamp by express.');

  // 5. Alice sees Resolved, the whole story, and the rating form.
  await badge(panel).filter({ hasText: 'Resolved' }).waitFor();
  assert.deepEqual(
    await panel.locator('.timeline li strong').allTextContents(),
    ['Resolved', 'Appealed', 'Rejected', 'Submitted'],
  );
  assert.match(await newestStep(panel).textContent() ?? '', /Resolved.*· Agent.*new lamp by express/s);
  await panel.locator('.rating').getByText('How satisfied are you with how this was handled?').waitFor();
  assert.equal(await panel.locator('.rating .stars input').count(), 5);
  await alice.assertSamePage();

  assert.deepEqual(alice.problems, []);
  assert.deepEqual(agent.problems, []);
  await Promise.all([alice.context.close(), agent.context.close()]);
});
