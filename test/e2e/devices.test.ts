/**
 * One shopper across touchpoints (design §3), end to end on the demo shop against a real server:
 *
 * 1. alice on a desktop (1280×800) and a phone (390×844) at once: a message sent on one shows on
 *    the other, an agent's reply and a ticket status change by the agent show on both, and reading
 *    on one clears the unread badge on the other — all live, no reload.
 * 2. an anonymous visitor chats, then signs in as alice through the shop's own sign-in and keeps
 *    that conversation with its history; the console shows it under Alice; bob sees none of it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { AGENT_TOKEN, agentCreate, client, create, signIn } from '../server/harness';
import { useServerAndBrowser } from './browser';

const env = useServerAndBrowser('kefu-devices-');

type Who = 'alice' | 'guest';

/** The demo shop on a device of this size, signed in (or not) by the shop's switch, failures collected. */
async function openShop(who: Who, viewport: { width: number; height: number }) {
  const context = await env.browser.newContext({ viewport, isMobile: viewport.width < 640, hasTouch: viewport.width < 640 });
  await context.addInitScript((user) => {
    localStorage.setItem('lantern-settings', JSON.stringify({ locale: 'en', theme: 'light', who: user }));
  }, who);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('response', (response) => response.status() >= 500 && problems.push(`${response.status()} ${response.url()}`));
  await page.goto(`${env.server.base}/`);
  if (who === 'alice') await page.locator('#notice', { hasText: 'Signed in as Alice.' }).waitFor();
  await page.evaluate(() => void ((window as any).__samePage = true));
  const launcher = page.locator('kefu-root').locator('button.kefu-launcher');
  const panel = page.locator('kefu-root').locator('[role=dialog]');
  return {
    context, page, panel, launcher, problems,
    /** The bubble's unread badge, as the shopper sees it ('' when nothing is unread). */
    badge: () => launcher.locator('b').textContent().then((text) => text ?? ''),
    async open() {
      await launcher.click();
      await panel.waitFor();
    },
    async close() {
      await panel.locator('button.icon[aria-label="Close help"]').click();
      await panel.waitFor({ state: 'hidden' });
    },
    async assertSamePage() {
      assert.equal(await page.evaluate(() => (window as any).__samePage), true, 'the page was not reloaded');
    },
  };
}

const tab = (panel: Locator, name: string) => panel.locator('[role=tab]', { hasText: name });
const message = (panel: Locator, author: string, text: string) => panel.locator(`.msg.${author}`, { hasText: text });

/** Waits until the launcher's badge reads `expected`, polling the page (the badge has no event of its own). */
async function badgeReads(page: Page, expected: string) {
  await page.waitForFunction((want) => {
    const badge = document.querySelector('kefu-root')?.shadowRoot?.querySelector('button.kefu-launcher b');
    return (badge?.textContent ?? '') === want;
  }, expected);
}

const agent = () => {
  const api = client(env.server.base);
  api.token = AGENT_TOKEN;
  return api;
};

test('alice on a desktop and a phone stays in sync live: messages, agent replies, ticket status, read state', async () => {
  const desktop = await openShop('alice', { width: 1280, height: 800 });
  const phone = await openShop('alice', { width: 390, height: 844 });
  for (const device of [desktop, phone]) {
    await device.open();
    await tab(device.panel, 'Chat').click();
  }

  // A message typed on the desktop appears on the phone, with the bot's answer.
  const input = desktop.panel.locator('textarea');
  await input.fill('Do you deliver to Hangzhou?');
  await input.press('Enter');
  for (const device of [desktop, phone]) {
    await message(device.panel, 'shopper', 'Do you deliver to Hangzhou?').waitFor();
    await device.panel.locator('.msg.bot').last().waitFor();
  }

  // The agent answers: both devices show it.
  const alice = await signIn(env.server.base, 'alice');
  const [conversation] = (await alice.call('GET', '/v1/conversations')).body.conversations;
  assert.equal((await agentCreate(agent(), `/v1/agent/conversations/${conversation.id}/messages`, { text: 'Yes, in two to three days.' })).status, 201);
  for (const device of [desktop, phone]) await message(device.panel, 'agent', 'Yes, in two to three days.').waitFor();
  // The agent opens the conversation in the console, which marks it read: both devices say "Read" under her question.
  const question = () => message(desktop.panel, 'shopper', 'Do you deliver to Hangzhou?').locator('.meta');
  assert.match(await question().textContent() ?? '', /^Sent/);
  const consoleContext = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const agentPage = await consoleContext.newPage();
  await agentPage.goto(`${env.server.base}/agent.html?token=${AGENT_TOKEN}`);
  await agentPage.locator(`#queue li[data-id="${conversation.id}"] button`).click();
  await agentPage.locator('#messages .msg.shopper', { hasText: 'Do you deliver to Hangzhou?' }).waitFor();
  for (const device of [desktop, phone]) {
    await message(device.panel, 'shopper', 'Do you deliver to Hangzhou?').locator('.meta', { hasText: /^Read/ }).waitFor();
  }
  await consoleContext.close();

  // A complaint of hers, moved along by the agent, changes status on both Tickets views.
  const ticket = (await create(alice, '/v1/tickets', { kind: 'complaint', category: 'service', description: 'The courier was rude.' })).body;
  for (const device of [desktop, phone]) {
    await tab(device.panel, 'Tickets').click();
    await device.panel.locator('.rows .row', { hasText: 'Submitted' }).waitFor();
  }
  assert.equal((await agent().call('POST', `/v1/agent/tickets/${ticket.id}/transition`, { to: 'acknowledged' })).status, 200);
  for (const device of [desktop, phone]) await device.panel.locator('.rows .row', { hasText: 'Acknowledged' }).waitFor();

  // Both panels closed: a new reply is unread on both bubbles; reading it on the phone clears the desktop's badge.
  for (const device of [desktop, phone]) {
    await tab(device.panel, 'Chat').click();
    await device.close();
  }
  assert.equal((await agentCreate(agent(), `/v1/agent/conversations/${conversation.id}/messages`, { text: 'Your parcel left the hub.' })).status, 201);
  await badgeReads(desktop.page, '1');
  await badgeReads(phone.page, '1');
  await phone.open();
  await message(phone.panel, 'agent', 'Your parcel left the hub.').waitFor();
  await badgeReads(phone.page, '');
  await badgeReads(desktop.page, '');
  const [read] = (await alice.call('GET', '/v1/conversations')).body.conversations;
  const thread = (await alice.call('GET', `/v1/conversations/${conversation.id}/messages`)).body.messages;
  assert.equal(read.shopperRead, thread.at(-1).id, 'read up to the last reply');

  for (const device of [desktop, phone]) {
    await device.assertSamePage();
    assert.deepEqual(device.problems, []);
    await device.context.close();
  }
});

test('an anonymous visitor chats, signs in as alice through the shop and keeps the conversation; bob sees none of it', async () => {
  const device = await openShop('guest', { width: 1280, height: 800 });
  await device.open();
  await tab(device.panel, 'Chat').click();
  const input = device.panel.locator('textarea');
  await input.fill('Is the paper lantern dimmable?');
  await input.press('Enter');
  await device.panel.locator('.msg.shopper[data-status=sent]', { hasText: 'Is the paper lantern dimmable?' }).waitFor();
  await device.panel.locator('.msg.bot').last().waitFor();
  const before = await device.panel.locator('.msg').allTextContents();

  // The shop's own sign-in (its shopper switch) calls Kefu.identify.
  await device.page.locator('#who').selectOption('alice');
  await device.page.locator('#notice', { hasText: 'Signed in as Alice.' }).waitFor();
  await device.panel.locator('.msg.shopper[data-status=sent]', { hasText: 'Is the paper lantern dimmable?' }).waitFor();
  assert.deepEqual(await device.panel.locator('.msg').allTextContents(), before, 'the same history, signed in');
  await device.assertSamePage();

  // The server holds it as alice's: her list has it, the console shows it under Alice.
  const alice = await signIn(env.server.base, 'alice');
  const mine = (await alice.call('GET', '/v1/conversations')).body.conversations as { id: string }[];
  const texts = await Promise.all(mine.map(async (c) =>
    (await alice.call('GET', `/v1/conversations/${c.id}/messages`)).body.messages.map((m: { text: string }) => m.text)));
  const index = texts.findIndex((list) => list.includes('Is the paper lantern dimmable?'));
  assert.ok(index >= 0, 'the conversation is alice\'s now');
  const id = mine[index]!.id;
  const queue = (await agent().call('GET', '/v1/agent/conversations?status=all&limit=100')).body.conversations;
  assert.equal(queue.find((c: { id: string }) => c.id === id).shopper.user.name, 'Alice');

  // Bob: not in his lists, and the id is a 404 like a missing one.
  const bob = await signIn(env.server.base, 'bob');
  const lists = await Promise.all(['/v1/conversations', '/v1/tickets'].map((path) => bob.call('GET', path)));
  assert.ok(!JSON.stringify(lists.map((answer) => answer.body)).includes(id));
  const byId = await bob.call('GET', `/v1/conversations/${id}/messages`);
  const missing = await bob.call('GET', '/v1/conversations/c_missing/messages');
  assert.equal(byId.status, 404);
  assert.deepEqual(byId.body, missing.body);
  assert.deepEqual(device.problems, []);
  await device.context.close();
});
