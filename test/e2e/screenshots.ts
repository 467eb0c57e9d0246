/**
 * `npm run screenshots`: starts the reference server (in memory), opens the demo shop in Debian's
 * Chromium and saves pictures of the widget to demo/screenshots/ for the README.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './browser';
import { root, startServer } from '../server/harness';

const out = join(root, 'demo/screenshots');
mkdirSync(out, { recursive: true });
const server = await startServer({ name: 'pglite' });
const browser = await launchChromium();
try {
  for (const { name, viewport, locale, scheme } of [
    { name: 'chat-desktop-en', viewport: { width: 1280, height: 800 }, locale: 'en-US', scheme: 'light' as const },
    { name: 'chat-mobile-zh', viewport: { width: 390, height: 844 }, locale: 'zh-CN', scheme: 'dark' as const },
  ]) {
    const context = await browser.newContext({ viewport, locale, colorScheme: scheme, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(`${server.base}/`);
    const widget = page.locator('kefu-root');
    await widget.locator('button.kefu-launcher').click();
    const input = widget.locator('textarea');
    await input.fill(locale === 'zh-CN' ? '我的快递到哪了？' : 'Where is my parcel?');
    await input.press('Enter');
    await widget.locator('.msg.bot').first().waitFor();
    await page.screenshot({ path: join(out, `${name}.png`) });
    console.log(`wrote demo/screenshots/${name}.png`);
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
