/**
 * The built loader (dist/kefu.js, minified) on a page: the snippet's queue, data-* options, the
 * double-load guard, init's errors, the global's shape, preloading on intent and nothing thrown
 * into the page. Runs after `npm run build`.
 */
import { expect } from 'chai';
import { createKefu } from '../../src/index';

type KefuGlobal = ((...args: unknown[]) => Promise<unknown>) & Record<string, any>;
const win = window as unknown as { Kefu?: KefuGlobal };

function loadScript(attributes: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/dist/kefu.js';
    for (const [name, value] of Object.entries(attributes)) script.setAttribute(name, value);
    script.onload = () => resolve();
    script.onerror = () => reject(new Error('dist/kefu.js did not load; run npm run build'));
    document.head.append(script);
  });
}

async function reset() {
  await win.Kefu?.destroy?.().catch(() => undefined);
  delete win.Kefu;
  document.querySelectorAll('kefu-root, script[src="/dist/kefu.js"]').forEach((node) => node.remove());
}

function captureConsole(kind: 'warn' | 'error') {
  const lines: string[] = [];
  const original = console[kind];
  console[kind] = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
  return { lines, restore: () => (console[kind] = original) };
}

describe('loader (dist/kefu.js)', () => {
  afterEach(reset);

  it('draws the bubble from data-* options, in a shadow root, as an accessible button', async () => {
    await loadScript({ 'data-site': 'pk_demo', 'data-locale': 'zh-CN', 'data-position': 'left' });
    const host = document.querySelector('kefu-root')!;
    expect(host.getAttribute('data-position')).to.equal('left');
    const button = host.shadowRoot!.querySelector('button.kefu-launcher')!;
    expect(button.getAttribute('aria-label')).to.equal('打开客服');
    expect(button.getAttribute('aria-expanded')).to.equal('false');
    expect(typeof win.Kefu!.version).to.equal('string');
  });

  it('draws its icon in the theme\'s on-accent colour, with no SVG (the first SVG element costs a page its set-up)', async () => {
    await loadScript({ 'data-site': 'pk_demo' });
    const host = document.querySelector('kefu-root') as HTMLElement;
    const button = host.shadowRoot!.querySelector('button.kefu-launcher')!;
    const icon = () => getComputedStyle(button, '::before');
    expect(icon().clipPath.startsWith('path(')).to.equal(true, icon().clipPath);
    expect(icon().backgroundColor).to.equal('rgb(255, 255, 255)');
    // A dark theme's light accent gets its dark on-accent colour, or the icon would fade into it.
    host.style.setProperty('--kefu-accent', '#a8c7fa');
    host.style.setProperty('--kefu-on-accent', '#062e6f');
    expect(icon().backgroundColor).to.equal('rgb(6, 46, 111)');
    expect(host.shadowRoot!.querySelector('svg') === null).to.equal(true);
  });

  it('replays calls queued by the snippet, in order, and uses the queued init', async () => {
    const order: string[] = [];
    const stub = function (...args: unknown[]) {
      (stub.q = stub.q || []).push(args);
    } as unknown as KefuGlobal;
    win.Kefu = stub;
    stub('init', { site: 'pk_demo', position: 'left' });
    stub('on', 'open', () => order.push('open-listener'));
    stub('open');
    await loadScript({ 'data-site': 'pk_ignored' });
    const host = document.querySelector('kefu-root')!;
    expect(host.getAttribute('data-position')).to.equal('left', 'the queued init wins over data-*');
    await new Promise<void>((resolve) => {
      const check = () => (host.shadowRoot!.querySelector('[role=dialog]') ? resolve() : requestAnimationFrame(check));
      check();
    });
    expect(order).to.deep.equal(['open-listener']);
  });

  it('loaded twice or initialised twice: one instance, and init warns once', async () => {
    await loadScript({ 'data-site': 'pk_demo' });
    const first = win.Kefu;
    const warnings = captureConsole('warn');
    try {
      await loadScript({ 'data-site': 'pk_demo' });
      await win.Kefu!.init({ site: 'pk_demo' });
      await win.Kefu!.init({ site: 'pk_other', position: 'left' });
    } finally {
      warnings.restore();
    }
    expect(win.Kefu).to.equal(first);
    expect(document.querySelectorAll('kefu-root')).to.have.length(1);
    expect(document.querySelector('kefu-root')!.getAttribute('data-position')).to.equal('right', 'the first options are kept');
    expect(warnings.lines.filter((line) => /loaded twice/.test(line))).to.have.length(1);
    expect(warnings.lines.filter((line) => /init called twice/.test(line))).to.have.length(1);
  });

  it('window.Kefu has the same API as the npm instance, and its shape never changes', async () => {
    const shape = (api: object) => Object.getOwnPropertyNames(api).filter((name) => !['length', 'name', 'prototype'].includes(name))
      .map((name) => `${name}:${typeof (api as Record<string, unknown>)[name]}`).sort();
    const npm = shape(createKefu());
    await loadScript({ 'data-site': 'pk_demo' });
    const before = shape(win.Kefu!);
    expect(before).to.deep.equal(npm);
    for (const name of ['init', 'open', 'close', 'toggle', 'ask', 'startComplaint', 'startRefund', 'identify', 'logout',
      'setContext', 'setLocale', 'setTheme', 'consent', 'on', 'off', 'destroy']) {
      expect(before, name).to.include(`${name}:function`);
    }
    expect(before).to.include('unread:number').and.to.include('version:string');
    await win.Kefu!.open();
    await win.Kefu!.destroy();
    await win.Kefu!.init({ site: 'pk_demo' });
    expect(shape(win.Kefu!)).to.deep.equal(before);
  });

  it('reads every data-* option; a wrong one is reported and dropped, the bubble still draws', async () => {
    const errors = captureConsole('error');
    try {
      await loadScript({ 'data-site': 'pk_demo', 'data-theme': 'purple', 'data-position': 'left', 'data-locale': 'en' });
    } finally {
      errors.restore();
    }
    const host = document.querySelector('kefu-root')!;
    expect(host.getAttribute('data-theme')).to.equal('auto');
    expect(host.getAttribute('data-position')).to.equal('left');
    expect(errors.lines.join('\n')).to.contain('data-theme');
    await reset();
    await loadScript({ 'data-site': 'pk_demo', 'data-launcher': 'false', 'data-theme': 'dark' });
    await new Promise<void>((resolve) => win.Kefu!.on('ready', () => resolve()));
    expect(document.querySelector('kefu-root')!.shadowRoot!.querySelector('button.kefu-launcher')).to.equal(null);
    expect(document.querySelector('kefu-root')!.getAttribute('data-theme')).to.equal('dark');
    await reset();
    // A data-* value only the panel can judge fails there: reported as an error, nothing left drawn.
    const quiet = captureConsole('error');
    try {
      await loadScript({ 'data-site': 'pk_demo', 'data-container': '#no-such-element' });
      const error = await new Promise<Error>((resolve) => win.Kefu!.on('error', (e: Error) => resolve(e)));
      expect(error.message).to.contain('"container"');
      expect(quiet.lines.join('\n')).to.contain('"container"');
    } finally {
      quiet.restore();
    }
    expect(document.querySelector('kefu-root')).to.equal(null);
  });

  it('preloads the panel on hover or focus, not before (and not opened)', async () => {
    const idle = window.requestIdleCallback;
    window.requestIdleCallback = (() => 0) as typeof requestIdleCallback; // This page is never idle.
    try {
      for (const intent of ['pointerenter', 'focus']) {
        await loadScript({ 'data-site': 'pk_demo' });
        let ready = false;
        const loaded = new Promise<void>((resolve) => win.Kefu!.on('ready', () => resolve(void (ready = true))));
        await new Promise((resolve) => requestAnimationFrame(resolve)); // A frame for a loader that loads eagerly to do so.
        expect(ready, `no panel before ${intent}`).to.equal(false);
        document.querySelector('kefu-root')!.shadowRoot!.querySelector('button')!.dispatchEvent(new Event(intent));
        await loaded;
        expect(document.querySelector('kefu-root')!.shadowRoot!.querySelector('[role=dialog]'), 'preloaded, not opened').to.equal(null);
        await reset();
      }
    } finally {
      window.requestIdleCallback = idle;
    }
  });

  it('nothing throws into the page: odd calls reject, a throwing listener is contained, failures are error events', async () => {
    await loadScript({ 'data-site': 'pk_demo' });
    const errors = captureConsole('error');
    const seen: unknown[] = [];
    try {
      win.Kefu!.on('error', (error: unknown) => seen.push(error));
      win.Kefu!.on('ready', () => {
        throw new Error('a host listener bug');
      });
      const calls = [
        () => win.Kefu!(Symbol('odd')),
        () => win.Kefu!('frobnicate'),
        () => win.Kefu!.startRefund(),
        () => win.Kefu!.open(42),
        () => win.Kefu!.setTheme('neon'),
      ];
      for (const call of calls) {
        let result: Promise<unknown> | undefined;
        expect(() => (result = call())).not.to.throw();
        expect(await result!.then(() => 'resolved', () => 'rejected')).to.equal('rejected');
      }
      await new Promise<void>((resolve) => win.Kefu!.on('ready', () => resolve()));
    } finally {
      errors.restore();
    }
    expect(seen.length, 'every failed call is an error event').to.be.at.least(4);
    expect(errors.lines.join('\n')).to.contain('a host listener bug');
  });

  it('init rejects a bad option with a message naming it; calls after destroy reject clearly', async () => {
    await loadScript({ 'data-site': 'pk_demo' });
    await win.Kefu!.destroy();
    expect(document.querySelector('kefu-root')).to.equal(null);
    const afterDestroy = await win.Kefu!.open().catch((e: Error) => e);
    expect(String(afterDestroy)).to.match(/destroyed/);
    for (const [options, name] of [
      [{ site: 'pk_demo', colour: 'red' }, 'colour'],
      [{ site: 42 }, 'site'],
      [{ site: 'demo' }, 'site'],
      [{ site: 'pk_demo', theme: 'purple' }, 'theme'],
      [{ site: 'pk_demo', launcher: 'no' }, 'launcher'],
    ] as const) {
      const error = await win.Kefu!.init(options).then(() => null, (e: Error) => e);
      expect(error, JSON.stringify(options)).to.be.instanceOf(TypeError);
      expect(error!.message).to.contain(`"${name}"`);
    }
    expect(document.querySelector('kefu-root')).to.equal(null);
    await win.Kefu!.init({ site: 'pk_demo' });
    expect(document.querySelector('kefu-root')).not.to.equal(null);
  });

  it('a wrong data-site still draws the bubble and says on the console which attribute is wrong', async () => {
    const errors = captureConsole('error');
    try {
      await loadScript({ 'data-site': 'demo' });
    } finally {
      errors.restore();
    }
    expect(document.querySelector('kefu-root')!.shadowRoot!.querySelector('button')).not.to.equal(null);
    expect(errors.lines.join('\n')).to.contain('data-site');
  });

  it('touches no storage and no cookie before the shopper opens it', async () => {
    const cookies = document.cookie;
    await loadScript({ 'data-site': 'pk_untouched' });
    await new Promise((resolve) => requestIdleCallback(resolve));
    expect((await indexedDB.databases()).map((db) => db.name)).not.to.include('kefu:pk_untouched');
    expect(localStorage.length).to.equal(0);
    expect(document.cookie).to.equal(cookies);
  });
});
