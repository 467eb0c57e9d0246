import { expect } from 'chai';
import { MemoryAdapter } from '../../src/client/MemoryAdapter';
import type { Bridge } from '../../src/embed/types';
import { mount } from '../../src/panel';

/** Resolves when `check` passes, re-checking on every DOM change under `root` (no sleeps). */
function until(root: ShadowRoot, check: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error('condition not met within 5 s'));
    }, 5000);
    const observer = new MutationObserver(() => {
      if (!check()) return;
      clearTimeout(timer);
      observer.disconnect();
      resolve();
    });
    observer.observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

function setup(options: Parameters<typeof mount>[1]) {
  const host = document.createElement('kefu-root');
  document.body.append(host);
  const root = host.attachShadow({ mode: 'open' });
  const events: string[] = [];
  const launcher = document.createElement('button');
  root.append(launcher);
  const bridge: Bridge = {
    launcher,
    emit: (event, data) => events.push(event === 'unread' ? `unread:${data}` : event),
  };
  const panel = mount(root, options, bridge);
  return { host, root, panel, events, launcher };
}

describe('panel', () => {
  it('sends a message: shown at once as sending, then sent, then the bot answers', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const adapter = new MemoryAdapter({ bot: (text) => `echo: ${text}` });
    const post = adapter.postMessage.bind(adapter);
    adapter.postMessage = async (...args) => {
      await gate;
      return post(...args);
    };
    const { root, panel, events, host } = setup({ site: `pk_unit${Date.now()}`, adapter, locale: 'en' });
    void panel.open('chat');
    await until(root, () => !!root.querySelector('textarea') && root.activeElement === root.querySelector('textarea'));
    expect(root.querySelector('[role=dialog]')?.getAttribute('aria-labelledby')).to.equal('kefu-title');
    expect(root.querySelector('[role=log]')?.getAttribute('aria-live')).to.equal('polite');

    const textarea = root.querySelector('textarea')!;
    textarea.value = 'Hello there';
    textarea.dispatchEvent(new Event('input', { bubbles: true }));
    await until(root, () => textarea.value === 'Hello there');
    root.querySelector<HTMLButtonElement>('button.send')!.click();
    await until(root, () => root.querySelector('.msg.shopper')?.getAttribute('data-status') === 'sending');
    expect(root.querySelector('.msg.shopper p')?.textContent).to.equal('Hello there');
    release();
    await until(root, () => root.querySelector('.msg.shopper')?.getAttribute('data-status') === 'sent');
    await until(root, () => root.querySelector('.msg.bot p')?.textContent === 'echo: Hello there');
    expect(events).to.include('ready');
    panel.destroy();
    host.remove();
  });

  it('renders text as text: markup in a reply never becomes elements', async () => {
    const adapter = new MemoryAdapter({ bot: () => '<img src=x onerror="window.__pwned=1"><b>bold</b>' });
    const { root, panel, host } = setup({ site: `pk_unit${Date.now()}x`, adapter });
    await panel.ask('hi');
    await until(root, () => !!root.querySelector('.msg.bot p'));
    expect(root.querySelector('.msg.bot p')!.textContent).to.contain('<img');
    expect(root.querySelector('.msg.bot img, .msg.bot b')).to.equal(null);
    expect((window as unknown as { __pwned?: number }).__pwned).to.equal(undefined);
    panel.destroy();
    host.remove();
  });

  it('without a valid site key it says help is not configured', async () => {
    const { root, panel, host } = setup({ site: 'nope', locale: 'zh-CN' });
    void panel.open();
    await until(root, () => !!root.querySelector('[role=alert]'));
    expect(root.querySelector('[role=alert]')!.textContent).to.contain('尚未开通');
    panel.destroy();
    host.remove();
  });

  it('Escape closes, focus returns to the launcher, unread counts while closed', async () => {
    const adapter = new MemoryAdapter({ bot: () => 'answer' });
    const { root, panel, events, launcher, host } = setup({ site: `pk_unit${Date.now()}y`, adapter });
    void panel.open();
    await until(root, () => !!root.querySelector('textarea'));
    root.querySelector('[role=dialog]')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await until(root, () => !!root.querySelector<HTMLElement>('[role=dialog]')?.hidden);
    expect(root.activeElement === launcher, `focus is on ${root.activeElement?.outerHTML.slice(0, 80)}`).to.equal(true);
    expect(events).to.include('close');
    await panel.ask('question');
    await until(root, () => !!root.querySelector('.msg.bot'));
    void panel.close();
    const conversation = (await adapter.listConversations()).conversations[0]!;
    await adapter.postMessage(conversation.id, { clientId: crypto.randomUUID(), text: 'again' });
    await until(root, () => events.includes('unread:1'));
    panel.destroy();
    host.remove();
  });
});
