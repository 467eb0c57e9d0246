/**
 * End to end against the real reference server (PGlite on disk): the demo page, the bubble, a
 * message sent and answered by the bot, and the history still there after a reload.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { useServerAndBrowser } from './browser';

const env = useServerAndBrowser('kefu-e2e-');


const launcher = (page: Page) => page.locator('kefu-root').locator('button.kefu-launcher');
const dialog = (page: Page) => page.locator('kefu-root').locator('[role=dialog]');

test('a shopper opens the bubble, chats with the bot, reloads and keeps the history', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.on('response', (response) => response.status() >= 400 && errors.push(`${response.status()} ${response.url()}`));

  await page.goto(`${env.server.base}/`);
  await launcher(page).waitFor();
  assert.equal(await launcher(page).getAttribute('aria-expanded'), 'false');
  await launcher(page).click();
  await dialog(page).waitFor();
  assert.equal(await launcher(page).getAttribute('aria-expanded'), 'true');

  const input = dialog(page).locator('textarea');
  await input.fill('Where is my parcel?');
  await input.press('Enter');
  const mine = dialog(page).locator('.msg.shopper').last();
  await mine.waitFor();
  assert.equal(await mine.locator('p').textContent(), 'Where is my parcel?');
  await dialog(page).locator('.msg.shopper[data-status=sent]').waitFor();
  const reply = dialog(page).locator('.msg.bot').first();
  await reply.waitFor();
  assert.ok(((await reply.locator('p').textContent()) ?? '').length > 10, 'the bot answered with text');
  assert.equal(await input.inputValue(), '', 'the composer is cleared once the message is stored');

  await page.reload();
  await launcher(page).click();
  await dialog(page).locator('[role=tab]', { hasText: 'Chat' }).click(); // The panel opens on Home.
  await dialog(page).locator('.msg.bot').first().waitFor();
  const authors = await dialog(page).locator('.msg').evaluateAll((nodes) => nodes.map((n) => n.className.split(' ')[1]));
  assert.deepEqual(authors, ['shopper', 'bot']);
  assert.equal(await dialog(page).locator('.msg.shopper p').textContent(), 'Where is my parcel?');

  await page.keyboard.press('Escape');
  await dialog(page).waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'KEFU-ROOT', 'focus returns to the launcher');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a wrong data-site still draws the bubble; opening it says help is not configured', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
  await page.route(`${env.server.base}/broken.html`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html lang="en"><title>t</title><body><script src="/kefu.js" data-site="demo"></script></body></html>`,
    }));
  await page.goto(`${env.server.base}/broken.html`);
  await launcher(page).click();
  await dialog(page).getByRole('alert').waitFor();
  assert.match((await dialog(page).textContent()) ?? '', /not set up/);
  assert.ok(consoleErrors.some((text) => text.includes('data-site')), `console: ${consoleErrors.join(' | ')}`);
  await context.close();
});
