/**
 * The console's loop and figures end to end, against the real server with the demo history: a
 * 1-star rating appears as an alert in the queue within a second, with its comment; the follow-up
 * ticket opened from it reaches that shopper (alice) and not bob; the Insights view draws the demo
 * history, exports its tables as CSV and passes axe.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { AGENT_TOKEN, create, signIn } from '../server/harness';
import { axeViolations, useServerAndBrowser } from './browser';

const env = useServerAndBrowser('kefu-insights-');


async function openConsole(page: Page, hash = '') {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  await page.goto(`${env.server.base}/agent.html?token=${AGENT_TOKEN}${hash}`);
  await page.locator('#connection[data-state=open]').waitFor();
  return errors;
}

test('a 1-star rating is a console alert within a second; its follow-up ticket reaches alice and not bob', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = await openConsole(page);

  const alice = await signIn(env.server.base, 'alice');
  const conversation = await create(alice, '/v1/conversations', { context: { page: '/checkout', device: 'mobile' } });
  await create(alice, `/v1/conversations/${conversation.body.id}/messages`, { text: 'My discount code does not work' });
  const rated = await create(alice, '/v1/ratings', {
    subject: { type: 'conversation', id: conversation.body.id }, score: 1, comment: 'The bot kept sending me articles',
  });
  assert.equal(rated.status, 201);
  const alert = page.locator('#alerts li button', { hasText: 'The bot kept sending me articles' });
  await alert.waitFor({ timeout: 1000 });
  assert.match(await alert.textContent() ?? '', /1 star · Alice/);
  await page.locator('#announcer', { hasText: 'Low rating' }).waitFor();

  await alert.click();
  assert.equal(await page.locator('#alert-comment').textContent(), 'The bot kept sending me articles');
  assert.match(await page.locator('#alert-facts').textContent() ?? '', new RegExp(conversation.body.id));
  assert.deepEqual(await axeViolations(page), [], 'alert open');

  await page.locator('#follow-up-text').fill('Sorry about the discount code: we will sort it out here.');
  await page.locator('#follow-up button[type=submit]').click();
  await page.locator('#announcer', { hasText: 'Follow-up ticket opened for Alice' }).waitFor();
  const ticketId = (await page.locator('#alert-facts dd').last().textContent())!;
  assert.match(ticketId, /^t_/);

  const mine = await alice.call('GET', '/v1/tickets');
  const followUp = mine.body.tickets.find((t: { id: string }) => t.id === ticketId);
  assert.ok(followUp, "the follow-up is in alice's Tickets");
  assert.equal(followUp.description, 'Sorry about the discount code: we will sort it out here.');
  const bob = await signIn(env.server.base, 'bob');
  assert.equal((await bob.call('GET', `/v1/tickets/${ticketId}`)).status, 404);
  assert.ok(!(await bob.call('GET', '/v1/tickets')).body.tickets.some((t: { id: string }) => t.id === ticketId));

  await page.locator('#alert-resolve').click();
  await page.locator('#alerts li', { hasText: 'The bot kept sending me articles' }).waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
  await context.close();
});

test('the Insights view charts the demo history, sorts the worst topic first, exports CSV and passes axe', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors = await openConsole(page);
  await page.locator('#view-insights').click();
  await page.locator('#breakdown-table tbody tr').first().waitFor();

  // Per day: one bar per day with data, and words for the chart.
  const bars = await page.locator('#chart-conversations rect.bar').count();
  assert.ok(bars >= 20, `bars for the demo history (${bars})`);
  assert.match(await page.locator('#chart-conversations desc').textContent() ?? '', /28 days from .* highest \d+/);
  assert.equal(await page.locator('#chart-conversations svg').getAttribute('role'), 'img');

  // The breakdown opens on topics, worst average rating first.
  const averages = await page.locator('#breakdown-table tbody tr td:nth-child(5)').allTextContents();
  const numbers = averages.filter((text) => text !== '—').map(Number);
  assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b), 'ascending by average rating');
  const worst = await page.locator('#breakdown-table tbody tr th').first().textContent();

  const download = page.waitForEvent('download');
  await page.locator('#export-breakdown').click();
  const file = await (await download).path();
  const csv = readFileSync(file, 'utf8').split('\r\n');
  assert.match(csv[0]!, /^topic,Conversations,Handed to a person,Ratings,Average rating/);
  assert.ok(csv.some((line) => line.startsWith(`${worst},`)), 'the worst topic is in the export');

  assert.deepEqual(await axeViolations(page), [], 'insights view');

  // Another breakdown and range; a bad range says why.
  await page.locator('#insights-group').selectOption('device');
  await page.locator('#insights-filter button[type=submit]').click();
  await page.locator('#breakdown-table tbody th', { hasText: 'mobile' }).waitFor();
  await page.locator('#insights-from').fill('2030-01-02');
  await page.locator('#insights-to').fill('2030-01-01');
  await page.locator('#insights-filter button[type=submit]').click();
  await page.locator('#insights-error', { hasText: 'to must be after from' }).waitFor();
  assert.deepEqual(errors.filter((e) => !/400/.test(e)), []);
  await context.close();
});

test('a search with no result in the Help tab reaches the insights as a content gap, and the console lists it', async () => {
  const nonsense = `flurble ${Date.now().toString(36)}`;
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const shop = await context.newPage();
  await shop.goto(`${env.server.base}/`);
  const widget = shop.locator('kefu-root');
  await widget.locator('button.kefu-launcher').click();
  await widget.locator('#kefu-tab-help').click();
  await widget.locator('#kefu-results li').first().waitFor();
  const sent = shop.waitForResponse((r) => r.url().endsWith('/v1/help-events') && r.request().method() === 'POST');
  // Typed as a shopper types: a burst of keystrokes, then away from Help.
  await widget.locator('#kefu-search').pressSequentially(`  ${nonsense.toUpperCase()} `);
  await widget.locator('#kefu-results li').first().waitFor({ state: 'detached' });
  await widget.locator('#kefu-tab-home').click();
  const answer = await sent;
  assert.equal(answer.status(), 201);
  // One fact for the whole burst, stored normalised, under a help session of this visitor.
  const facts = await env.server.db.query<{ query: string; results: number; owner: string }>(
    `select f.query, f.results, s.owner from service_facts f join service_subjects s
       on s.site = f.site and s.subject_type = 'help' and s.subject_id = f.subject_id
     where f.kind = 'help_search' and f.query like 'flurble %'`,
  );
  assert.deepEqual(facts.map((f) => [f.query, f.results]), [[nonsense, 0]]);
  assert.match(facts[0]!.owner, /^v:/);

  const agent = await fetch(`${env.server.base}/v1/agent/insights?site=pk_demo&groupBy=day`, { headers: { Authorization: `Bearer ${AGENT_TOKEN}` } });
  const { contentGaps } = await agent.json();
  assert.ok(contentGaps.some((gap: { query: string; count: number }) => gap.query === nonsense && gap.count === 1),
    `the normalised query is a content gap: ${JSON.stringify(contentGaps.slice(0, 3))}`);

  const page = await context.newPage();
  const errors = await openConsole(page, '#insights');
  const row = page.locator('#gaps-table tbody tr', { has: page.locator('th', { hasText: nonsense }) });
  await row.waitFor();
  assert.equal(await row.locator('td').first().textContent(), '1');
  const download = page.waitForEvent('download');
  await page.locator('#export-gaps').click();
  const csv = readFileSync(await (await download).path(), 'utf8').split('\r\n');
  assert.equal(csv[0], 'search,count,last_seen');
  assert.ok(csv.some((line) => line.startsWith(`${nonsense},1,`)), 'the gap is in the export');
  await page.locator('#chart-times svg[role=img]').waitFor();
  assert.match(await page.locator('#chart-times desc').textContent() ?? '', /First answer by the bot: \d+/);
  assert.deepEqual(await axeViolations(page), [], 'insights view with content gaps');
  assert.deepEqual(errors, []);
  await context.close();
});
