/**
 * The npm package as a developer gets it: `npm pack`, installed from the tarball into a fresh app,
 * type-checked against its `.d.ts`, bundled with rollup, and run in Chromium against the real
 * server. Proves: ESM through the `exports` map, no side effects on import, the panel split into its
 * own chunk and loaded only when needed, and a message that round-trips. Runs after `npm run build`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import nodeResolve from '@rollup/plugin-node-resolve';
import type { Browser } from 'playwright-core';
import { rollup, type OutputChunk } from 'rollup';
import { root, startServer, type TestServer } from '../server/harness';
import { launchChromium } from './browser';

const work = mkdtempSync(join(tmpdir(), 'kefu-npm-'));
const app = join(work, 'app');
const { version, dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string; dependencies: Record<string, string>;
};
let server: TestServer;
let browser: Browser;
let installedWith = '';

function run(command: string, args: string[], cwd: string) {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/** Installs the tarball offline; where the npm cache lacks a dependency, links the repository's copy instead. */
function install(tarball: string) {
  for (const flags of [['--offline'], ['--prefer-offline']]) {
    try {
      run('npm', ['install', '--no-audit', '--no-fund', '--no-save', ...flags, tarball], app);
      return flags[0]!;
    } catch {
      // Try the next way; the last resort below needs no registry at all.
    }
  }
  const target = join(app, 'node_modules', 'kefu');
  mkdirSync(target, { recursive: true });
  run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], app);
  for (const name of Object.keys(dependencies)) {
    const link = join(app, 'node_modules', name);
    mkdirSync(join(link, '..'), { recursive: true });
    symlinkSync(join(root, 'node_modules', name), link, 'dir');
  }
  return 'tarball extracted, dependencies linked from the repository';
}

async function bundle(entry: string, out: string) {
  const build = await rollup({
    input: join(app, entry),
    plugins: [nodeResolve({ browser: true, rootDir: app })],
    onwarn: (warning, warn) => warning.code !== 'EMPTY_BUNDLE' && warn(warning),
  });
  const { output } = await build.write({ dir: join(app, out), format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' });
  await build.close();
  return output.filter((item): item is OutputChunk => item.type === 'chunk');
}

before(async () => {
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'shop-app', private: true, type: 'module' }));
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root)) as { filename: string }[];
  installedWith = install(join(work, packed!.filename));
  server = await startServer({ name: 'pglite' }, { dataDir: join(work, 'data') });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

test('the installed package resolves through its exports map and its .d.ts type-check a consumer', () => {
  const manifest = JSON.parse(readFileSync(join(app, 'node_modules/kefu/package.json'), 'utf8'));
  assert.equal(manifest.sideEffects, false);
  assert.equal(manifest.exports['.'].import, './dist/esm/index.js');
  writeFileSync(join(app, 'consumer.ts'), `
    import { createKefu, MemoryAdapter, version, type KefuApi, type KefuOptions } from 'kefu';
    const options: KefuOptions = { site: 'pk_demo', adapter: new MemoryAdapter(), consent: 'pending', container: '#help' };
    const kefu: KefuApi = createKefu();
    void kefu.init(options);
    const off: () => void = kefu.on('unread', (count) => count.toFixed());
    off();
    void kefu.open({ order: 'o_1' });
    void kefu.startRefund({ orderId: 'o_1', items: [{ orderItemId: 'i_1', quantity: 1 }] });
    const label: string = version + kefu.version + kefu.unread.toFixed();
    // @ts-expect-error: not a view of the API
    void kefu.open('settings');
    // @ts-expect-error: the refund flow needs the order
    void kefu.startRefund({});
    // @ts-expect-error: not an event of the API
    kefu.on('clicked', () => label);
  `);
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  run(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'esnext', '--moduleResolution', 'bundler', '--target', 'es2022',
    '--lib', 'es2022,dom,dom.iterable', 'consumer.ts'], app);
  const declarations = readFileSync(join(app, 'node_modules/kefu/dist/esm/embed/types.d.ts'), 'utf8');
  assert.match(declarations, /\/\*\* Opens the refund \/ return form/, 'the doc comments ship with the types');
});

test('importing the package has no side effects: a bundle that only imports it is empty', async () => {
  writeFileSync(join(app, 'bare.js'), "import 'kefu';\nimport { createKefu } from 'kefu';\n");
  const chunks = await bundle('bare.js', 'bare');
  assert.equal(chunks.length, 1, 'nothing to split when nothing is used');
  assert.equal(chunks[0]!.code.trim(), '', `tree-shaken to nothing (installed: ${installedWith})`);
});

test('a bundled app code-splits the panel, loads it only when needed, and a message round-trips', async () => {
  writeFileSync(join(app, 'main.js'), `
    import { createKefu, version } from 'kefu';
    window.afterImport = { version, nodes: document.querySelectorAll('kefu-root').length, global: 'Kefu' in window };
    window.createKefu = createKefu;
  `);
  const chunks = await bundle('main.js', 'dist');
  const main = chunks.find((chunk) => chunk.isEntry)!;
  const panelChunk = chunks.find((chunk) => chunk.isDynamicEntry);
  assert.ok(panelChunk, `the panel is its own chunk (${chunks.map((c) => c.fileName).join(', ')})`);
  assert.ok(main.dynamicImports.includes(panelChunk.fileName));
  assert.ok(!main.code.includes('role: "log"') && panelChunk.code.includes('adoptedStyleSheets'), 'the panel\'s code is not in the entry');
  assert.ok(main.code.length * 4 < panelChunk.code.length, `the entry (${main.code.length} B) is small next to the panel (${panelChunk.code.length} B)`);

  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  const requests: string[] = [];
  page.on('request', (request) => requests.push(new URL(request.url()).pathname));
  await page.route(`${server.base}/app/**`, (route) => {
    const name = new URL(route.request().url()).pathname.slice('/app/'.length);
    if (name === 'index.html') {
      return route.fulfill({ contentType: 'text/html', body: '<!doctype html><html lang="en"><head><title>App</title></head><body><script type="module" src="/app/main.js"></script></body></html>' });
    }
    return route.fulfill({ contentType: 'text/javascript', body: readFileSync(join(app, 'dist', name)) });
  });
  await page.goto(`${server.base}/app/index.html`);
  await page.waitForFunction(() => 'afterImport' in window);
  assert.deepEqual(await page.evaluate(() => (window as unknown as { afterImport: unknown }).afterImport), { version, nodes: 0, global: false });
  assert.ok(!requests.includes(`/app/${panelChunk.fileName}`), 'importing loads no panel');

  await page.evaluate(() => new Promise<void>((resolve) => {
    const kefu = (window as unknown as { createKefu: typeof import('../../src/index').createKefu }).createKefu({ site: 'pk_demo' });
    kefu.on('ready', () => resolve());
    (window as unknown as { kefu: unknown }).kefu = kefu;
  }));
  assert.ok(requests.includes(`/app/${panelChunk.fileName}`), 'the panel chunk is loaded once the widget needs it');
  assert.deepEqual(requests.filter((path) => path.startsWith('/v1/')), [], 'no API call before the shopper asks');

  const launcher = page.locator('kefu-root').locator('button.kefu-launcher');
  await launcher.click();
  const input = page.locator('kefu-root').locator('textarea');
  await input.fill('Can I change my delivery address?');
  await input.press('Enter');
  await page.locator('kefu-root').locator('.msg.shopper[data-status=sent]').waitFor();
  await page.locator('kefu-root').locator('.msg.bot').first().waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});
