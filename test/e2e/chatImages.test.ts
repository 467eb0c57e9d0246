/**
 * A shopper sends an image in the chat from a host page with a strict CSP (`default-src 'self'`:
 * no `blob:` or `data:` image could load), against the real reference server: the image is drawn
 * on a canvas in the thread, the agent API sees the message with its attachment and downloads the
 * very bytes sent, a reload downloads and draws it again, axe finds nothing, and no CSP violation.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { AGENT_TOKEN, client, root } from '../server/harness';
import { useServerAndBrowser } from './browser';
import { png as encode } from './png';

const env = useServerAndBrowser('kefu-images-');

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; require-trusted-types-for 'script'; object-src 'none'; base-uri 'none'";
const html = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Strict shop</title></head>'
  + '<body><main><h1>Strict shop</h1></main><script src="/kefu.js" data-site="pk_demo" data-locale="en"></script></body></html>';

/** The colours at a quarter and three quarters of the thread's image, and its label and size. */
// No named functions inside: tsx would wrap them in a `__name` helper that the page does not have.
const drawn = (page: Page) => page.evaluate(() => {
  const canvas = document.querySelector('kefu-root')!.shadowRoot!.querySelector<HTMLCanvasElement>('.msg.shopper canvas')!;
  const context = canvas.getContext('2d')!;
  const [left, right] = [0.25, 0.75].map((x) =>
    [...context.getImageData(Math.floor(canvas.width * x), Math.floor(canvas.height / 2), 1, 1).data.slice(0, 3)].join(','));
  const box = canvas.getBoundingClientRect();
  return { label: canvas.getAttribute('aria-label'), role: canvas.getAttribute('role'), left, right, width: Math.round(box.width), height: Math.round(box.height) };
});

test('an image sent in the chat under a strict CSP: drawn on a canvas, the same bytes for the agent, axe clean, no violation', async () => {
  const png = encode(400, 200, (x) => (x < 200 ? [255, 0, 0] : [0, 0, 255]));
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.route(`${env.server.base}/strict-images.html`, (route) =>
    route.fulfill({ contentType: 'text/html; charset=utf-8', headers: { 'Content-Security-Policy': CSP }, body: html }));
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));
  });
  await page.goto(`${env.server.base}/strict-images.html`);
  const widget = page.locator('kefu-root');
  await widget.locator('button.kefu-launcher').click();
  await widget.getByRole('tab', { name: 'Chat' }).click();
  await widget.getByLabel('Attach an image').setInputFiles({ name: 'parcel.png', mimeType: 'image/png', buffer: png });
  await widget.locator('.composer li', { hasText: 'parcel.png' }).getByRole('button', { name: 'Remove parcel.png' }).waitFor();
  await widget.locator('textarea').fill('The parcel arrived like this');
  await widget.locator('textarea').press('Enter');
  await widget.locator('.msg.shopper[data-status=sent] canvas[aria-label="parcel.png"]').waitFor();
  const shown = await drawn(page);
  assert.deepEqual(shown, { label: 'parcel.png', role: 'img', left: '255,0,0', right: '0,0,255', width: 240, height: 120 });

  // The agent sees the message with its attachment and downloads exactly the bytes that were sent.
  const agent = client(env.server.base);
  agent.token = AGENT_TOKEN;
  const { conversations } = (await agent.call('GET', '/v1/agent/conversations?status=all')).body;
  let message: { attachmentIds: string[] } | undefined;
  for (const conversation of conversations) {
    const { messages } = (await agent.call('GET', `/v1/agent/conversations/${conversation.id}/messages`)).body;
    message ??= messages.find((m: { text: string }) => m.text === 'The parcel arrived like this');
  }
  assert.ok(message, 'the agent API has the message');
  assert.equal(message.attachmentIds.length, 1);
  const download = await fetch(`${env.server.base}/v1/agent/uploads/${message.attachmentIds[0]}`, { headers: { Authorization: `Bearer ${AGENT_TOKEN}` } });
  assert.equal(download.status, 200);
  assert.ok(Buffer.from(await download.arrayBuffer()).equals(png), 'byte for byte what the shopper sent');

  // axe over the widget with the image in the thread: nothing.
  await page.evaluate(readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8'));
  const violations = await page.evaluate(async () => {
    const result = await (window as any).axe.run({ include: [['kefu-root']] }, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => `${v.id}: ${v.help} (${v.nodes.map((n: any) => n.target.join(' ')).join(', ')})`);
  });
  assert.deepEqual(violations, []);

  // After a reload the image is downloaded with the bearer token and drawn again, named as uploaded.
  await page.reload();
  await widget.locator('button.kefu-launcher').click();
  await widget.getByRole('tab', { name: 'Chat' }).click();
  await widget.locator('.msg.shopper canvas[aria-label="parcel.png"]').waitFor();
  assert.deepEqual(await drawn(page), shown);
  assert.deepEqual(problems, [], 'no CSP violation, no error');

  // The agent console (its own strict CSP) shows the image in the conversation, fetched with the agent token.
  await widget.getByRole('button', { name: 'Talk to a person' }).click();
  await widget.locator('.notice', { hasText: 'person' }).waitFor();
  const agentPage = await context.newPage();
  const consoleProblems: string[] = [];
  agentPage.on('console', (message) => message.type() === 'error' && consoleProblems.push(message.text()));
  await agentPage.goto(`${env.server.base}/agent.html?token=${AGENT_TOKEN}`);
  await agentPage.locator('#connection[data-state=open]').waitFor();
  await agentPage.locator('#queue li button').first().click();
  const image = agentPage.locator('#messages canvas[aria-label="parcel.png"]');
  await image.waitFor();
  assert.equal(await agentPage.locator('#messages a[download="parcel.png"]').count(), 1, 'a link downloads it');
  assert.deepEqual(consoleProblems, []);
  await context.close();
});
