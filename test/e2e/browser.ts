/** Debian's Chromium driven by playwright-core (no browser download), with the flags this machine needs. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { root, startServer, type TestServer } from '../server/harness';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
}

/**
 * The usual end-to-end fixture: one reference server (PGlite in a temporary folder) and one
 * Chromium for the whole file, both gone (and the folder) when the file ends. Read `env.server`
 * and `env.browser` inside tests: they exist once the `before` hook ran.
 */
export function useServerAndBrowser(prefix: string) {
  const env = {} as { server: TestServer; browser: Browser };
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  before(async () => {
    env.server = await startServer({ name: 'pglite' }, { dataDir });
    env.browser = await launchChromium();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return env;
}

let axeSource: string | undefined;

/**
 * Runs axe-core over the page's document (evaluated over CDP, so a strict CSP needs no exception)
 * and answers its violations as `id: help (targets)`; `exclude` leaves out a subtree (the widget,
 * which has its own axe tests, when a host page is checked).
 */
export async function axeViolations(page: Page, exclude?: string): Promise<string[]> {
  await page.evaluate((axeSource ??= readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8')));
  return page.evaluate(async (skip) => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: any[] }> } }).axe;
    const result = await axe.run(skip ? { exclude: [[skip]] } : document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n: any) => n.target.join(' ')).join(', ')})`);
  }, exclude);
}
