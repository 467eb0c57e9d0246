/**
 * The built loader (dist/kefu.js, minified) on a page: the snippet's queue, data-* options, the
 * double-load guard and init's errors. Runs after `npm run build`.
 */
import { expect } from 'chai';

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

  it('loaded twice or initialised twice: one instance and a warning', async () => {
    await loadScript({ 'data-site': 'pk_demo' });
    const first = win.Kefu;
    const warnings = captureConsole('warn');
    try {
      await loadScript({ 'data-site': 'pk_demo' });
      await win.Kefu!.init({ site: 'pk_demo' });
    } finally {
      warnings.restore();
    }
    expect(win.Kefu).to.equal(first);
    expect(document.querySelectorAll('kefu-root')).to.have.length(1);
    expect(warnings.lines.join('\n')).to.match(/loaded twice/).and.to.match(/init called twice/);
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
