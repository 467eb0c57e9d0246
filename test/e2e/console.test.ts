/**
 * The agent console (`/agent.html`) end to end against the real reference server: it passes axe,
 * a shopper asking for a person appears in its queue live and gets the agent's reply live in the
 * widget, and a ticket filed through the API is moved along its state machine from the console.
 * With KEFU_SCREENSHOTS=1 it also saves demo/screenshots/console-queue.png and console-conversation.png.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { AGENT_TOKEN, client, root } from '../server/harness';
import { axeViolations, useServerAndBrowser } from './browser';

const env = useServerAndBrowser('kefu-console-');
const shots = join(root, 'demo/screenshots');

before(() => void mkdirSync(shots, { recursive: true }));

/** Saves a picture for the README when asked to (KEFU_SCREENSHOTS=1), so a plain test run changes no tracked file. */
async function shoot(page: Page, name: string) {
  if (process.env.KEFU_SCREENSHOTS) await page.screenshot({ path: join(shots, `${name}.png`) });
}

/** Opens the console with the agent token in the URL and waits until its event stream is live. */
async function openConsole(page: Page) {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  await page.goto(`${env.server.base}/agent.html?token=${AGENT_TOKEN}`);
  await page.locator('#connection[data-state=open]').waitFor();
  assert.equal(new URL(page.url()).search, '', 'the token leaves the address bar once read');
  return errors;
}

/** A shopper session of alice through the demo signing endpoint, as the demo shop does it. */
async function aliceApi() {
  const api = client(env.server.base);
  const { body } = await api.call('GET', '/demo/token?user=alice');
  await api.session({ userToken: body.userToken });
  return api;
}

test('the console passes axe with the queue shown and with a conversation open', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = await openConsole(page);
  assert.deepEqual(await axeViolations(page), [], 'queue view');

  // Put someone in the queue through the API and open them.
  const shopper = client(env.server.base);
  await shopper.session();
  const conversation = await shopper.call('POST', '/v1/conversations', { clientId: randomUUID() }, { 'Idempotency-Key': randomUUID() });
  await shopper.call('POST', `/v1/conversations/${conversation.body.id}/messages`,
    { clientId: randomUUID(), text: 'Can a person help me with a return?' }, { 'Idempotency-Key': randomUUID() });
  const item = page.locator(`#queue li[data-id="${conversation.body.id}"] button`);
  await item.focus();
  // A live update redraws the queue; the keyboard focus stays on the same shopper.
  await shopper.call('POST', `/v1/conversations/${conversation.body.id}/messages`,
    { clientId: randomUUID(), text: 'It is order 10231.' }, { 'Idempotency-Key': randomUUID() });
  await item.filter({ hasText: 'It is order 10231.' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.closest('li')?.dataset.id), conversation.body.id);
  await item.click();
  await page.locator('#messages li.shopper').first().waitFor();
  assert.deepEqual(await axeViolations(page), [], 'conversation view');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a shopper asks for a person, the agent answers from the console, the shopper sees it live', async () => {
  const agentContext = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const agent = await agentContext.newPage();
  const errors = await openConsole(agent);
  await shoot(agent, 'console-queue');

  const before = await agent.locator('#queue li').evaluateAll((items) => items.map((li) => li.getAttribute('data-id')));
  const shopperContext = await env.browser.newContext({ viewport: { width: 1100, height: 800 } });
  const shop = await shopperContext.newPage();
  await shop.goto(`${env.server.base}/product/p_brass_lotus_lamp`);
  const widget = shop.locator('kefu-root');
  await widget.locator('button.kefu-launcher').click();
  const input = widget.locator('textarea');
  await input.fill('I want to talk to a person');
  await input.press('Enter');

  // The bot hands off: the conversation arrives in the console's queue without a reload.
  const arrived = await agent.waitForFunction((known) =>
    [...document.querySelectorAll('#queue li')].map((li) => li.getAttribute('data-id')).find((id) => !known.includes(id)), before);
  const item = agent.locator(`#queue li[data-id="${await arrived.jsonValue()}"] button`);
  assert.match(await item.textContent() ?? '', /Visitor/, 'a guest shows as a visitor');
  await agent.locator('#announcer', { hasText: 'New in the queue' }).waitFor();
  await item.click();
  await agent.locator('#messages li.shopper', { hasText: 'I want to talk to a person' }).waitFor();
  assert.match(await agent.locator('#conversation-context').textContent() ?? '', /p_brass_lotus_lamp|\/product\//,
    'the console shows where the shopper was');

  const reply = agent.locator('#reply-text');
  const typing = agent.waitForRequest((request) => request.method() === 'POST' && request.url().endsWith('/typing'));
  await reply.fill('Hello, this is Mei from Lantern & Loom. How can I help?');
  assert.equal((await (await typing).response())?.status(), 204, 'typing tells the shopper');
  await reply.press('Enter');
  await agent.locator('#messages li.agent', { hasText: 'this is Mei' }).waitFor();
  assert.equal(await reply.inputValue(), '', 'the reply box is cleared once sent');
  await shoot(agent, 'console-conversation');

  // The shopper's open widget receives the reply over its event stream.
  await widget.locator('.msg.agent', { hasText: 'this is Mei from Lantern & Loom' }).waitFor();
  // Answering took the conversation from the queue to the agent.
  await agent.locator('#queue li .pill.agent').first().waitFor();
  assert.deepEqual(errors, []);
  await shopperContext.close();
  await agentContext.close();
});

test('a complaint filed through the API appears live; a transition made in the console reaches its timeline', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = await openConsole(page);

  const alice = await aliceApi();
  const created = await alice.call('POST', '/v1/tickets', {
    clientId: randomUUID(), kind: 'complaint', category: 'delivery', description: 'The courier left the parcel in the rain.',
  }, { 'Idempotency-Key': randomUUID() });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id: string = created.body.id;

  const item = page.locator(`#tickets li[data-id="${id}"] button`);
  await item.waitFor();
  assert.match(await item.textContent() ?? '', /Alice/);
  await item.click();
  assert.equal(await page.locator('#ticket-description').textContent(), 'The courier left the parcel in the rain.');
  const buttons = await page.locator('#transition-buttons button').allTextContents();
  assert.deepEqual(buttons, ['acknowledged', 'rejected'], 'the next steps of a submitted complaint');

  await page.locator('#transition-note').fill('We are looking into it with the courier.');
  await page.locator('#transition-buttons button[value=acknowledged]').click();
  await page.locator('#ticket-status', { hasText: 'acknowledged' }).waitFor();
  await page.locator('#transition-buttons button[value=investigating]').waitFor();

  const ticket = await alice.call('GET', `/v1/tickets/${id}`);
  const last = ticket.body.timeline.at(-1);
  assert.equal(last.status, 'acknowledged');
  assert.equal(last.actor, 'agent');
  assert.equal(last.note, 'We are looking into it with the courier.');
  await page.locator('#timeline li', { hasText: 'We are looking into it with the courier.' }).waitFor();

  // Someone else moves it first (through the API): the console updates live, and a stale click is a clear 409.
  const agentApi = client(env.server.base);
  agentApi.token = AGENT_TOKEN;
  const stale = page.locator('#transition-buttons button[value=resolved]');
  await stale.waitFor();
  await page.evaluate(() => {
    // Keep the now-stale buttons on screen: the next live update would redraw them.
    (window as any).__freeze = document.getElementById('transition-buttons')!.cloneNode(true);
  });
  const moved = await agentApi.call('POST', `/v1/agent/tickets/${id}/transition`, { to: 'resolved' });
  assert.equal(moved.status, 200);
  await page.locator('#ticket-status', { hasText: 'resolved' }).waitFor();
  assert.equal(await page.locator('#transition-buttons button').count(), 0, 'nothing follows resolved');
  await page.evaluate(() => document.getElementById('transition-buttons')!.replaceWith((window as any).__freeze));
  await page.locator('#transition-buttons button[value=investigating]').click();
  await page.locator('#transition-error', { hasText: 'cannot move from resolved' }).waitFor();
  assert.deepEqual(errors.filter((e) => !/409/.test(e)), []);
  await context.close();
});

test('a ticket past its due time is marked overdue in the list and in its details', async () => {
  const alice = await aliceApi();
  const created = await alice.call('POST', '/v1/tickets', {
    clientId: randomUUID(), kind: 'complaint', category: 'late answer', description: 'Nobody has answered me for days.',
  }, { 'Idempotency-Key': randomUUID() });
  assert.equal(created.status, 201);
  // The merchant's promise ran out an hour ago (no API moves time, so the fixture goes to the database).
  await env.server.db.query(`update tickets set due_at = now() - interval '1 hour' where id = $1`, [created.body.id]);

  const context = await env.browser.newContext();
  const page = await context.newPage();
  const errors = await openConsole(page);
  const item = page.locator(`#tickets li[data-id="${created.body.id}"] button`);
  await item.waitFor();
  assert.equal(await item.getAttribute('class'), 'item overdue');
  assert.match(await item.textContent() ?? '', /Overdue since/);
  await item.click();
  assert.match(await page.locator('#ticket-facts dd.overdue').textContent() ?? '', /overdue/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a wrong agent token is refused with a clear message and loads nothing', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${env.server.base}/agent.html?token=not-the-token`);
  await page.locator('#connection[data-state=error]', { hasText: 'refused' }).waitFor();
  assert.equal(await page.locator('#queue li').count(), 0);
  assert.equal(await page.locator('#token').inputValue(), 'not-the-token', 'the field shows what was tried');
  await context.close();
});
