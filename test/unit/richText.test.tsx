import { expect } from 'chai';
import { render, type ComponentChild } from 'preact';
import { Linkified, RichText, safeHref } from '../../src/ui/RichText';
import { xssCorpus } from './xssCorpus';

type Flagged = Window & { __xss?: number };
const flagged = window as Flagged;
const ALLOWED_TAGS = new Set(['P', 'UL', 'LI', 'STRONG', 'A', 'BR']);
const ALLOWED_PROTOCOLS = new Set(['http:', 'https:', 'mailto:', 'tel:']);

/** A container inside an open shadow root, as the panel renders, plus its cleanup. */
function shadowContainer() {
  const host = document.createElement('kefu-test');
  document.body.append(host);
  const container = document.createElement('div');
  host.attachShadow({ mode: 'open' }).append(container);
  return { container, remove: () => (render(null, container), host.remove()) };
}

/** Renders `node` and returns the container; Preact's first render is synchronous. */
function show(node: ComponentChild): HTMLElement {
  const { container, remove } = shadowContainer();
  render(node, container);
  cleanups.push(remove);
  return container;
}

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((remove) => remove()));

// Assertions compare plain data, never DOM nodes: a failing chai diff of an element stalls the runner.
const frame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));
const links = (root: HTMLElement) =>
  [...root.querySelectorAll('a')].map((a) => ({ href: a.getAttribute('href'), text: a.textContent }));

/** What is wrong with `root` for the XSS rules; empty when it is safe. */
function violations(root: HTMLElement): string[] {
  const found: string[] = [];
  for (const el of root.querySelectorAll('*')) {
    if (!ALLOWED_TAGS.has(el.tagName)) found.push(`<${el.tagName.toLowerCase()}>`);
    for (const { name } of el.attributes) if (/^on/i.test(name)) found.push(`${el.tagName} ${name}=`);
    if (el.tagName !== 'A') continue;
    const href = el.getAttribute('href') ?? '';
    let protocol = 'unparseable:';
    try {
      protocol = new URL(href).protocol;
    } catch {
      // Recorded below as a violation: every rendered href must be absolute.
    }
    if (!ALLOWED_PROTOCOLS.has(protocol)) found.push(`href ${JSON.stringify(href)}`);
    const rel = (el.getAttribute('rel') ?? '').split(/\s+/);
    if (!rel.includes('noopener') || !rel.includes('noreferrer')) found.push(`rel ${JSON.stringify(rel.join(' '))}`);
  }
  return found;
}

describe('safeHref', () => {
  it('keeps http, https, mailto and tel, normalised', () => {
    expect(safeHref('https://Example.com/a b')).to.equal('https://example.com/a%20b');
    expect(safeHref('HTTP://example.com')).to.equal('http://example.com/');
    expect(safeHref('www.example.com/x')).to.equal('https://www.example.com/x');
    expect(safeHref('mailto:help@example.com')).to.equal('mailto:help@example.com');
    expect(safeHref('tel:+1-555-0100')).to.equal('tel:+1-555-0100');
  });

  it('refuses every other scheme, however it is disguised', () => {
    for (const raw of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' \tjava\nscript:alert(1)', '\u0001javascript:x',
      'javascript&#58;x', '&#106;avascript:x', 'data:text/html,x', 'vbscript:x', 'blob:https://example.com/1',
      'file:///etc/passwd', 'ftp://example.com', '//evil.example', '/\\evil.example', 'relative/path', '']) {
      expect(safeHref(raw), JSON.stringify(raw)).to.equal(undefined);
    }
  });
});

describe('Linkified', () => {
  it('links http(s) URLs and bare www. as https, opening in a new tab without opener or referrer', () => {
    const root = show(<Linkified text="See https://example.com/a?b=1 or www.example.org/help now" />);
    expect(links(root)).to.deep.equal([
      { href: 'https://example.com/a?b=1', text: 'https://example.com/a?b=1' },
      { href: 'https://www.example.org/help', text: 'www.example.org/help' },
    ]);
    for (const a of root.querySelectorAll('a')) {
      expect(a.getAttribute('target')).to.equal('_blank');
      expect(a.getAttribute('rel')).to.equal('noopener noreferrer');
    }
    expect(root.textContent).to.equal('See https://example.com/a?b=1 or www.example.org/help now');
  });

  it('leaves trailing punctuation out of the link', () => {
    for (const tail of ['.', ',', '!', '?', ';', ':', ')', '...', '!)', '?!']) {
      const root = show(<Linkified text={`(go to https://example.com/x${tail}`} />);
      expect(links(root), tail).to.deep.equal([{ href: 'https://example.com/x', text: 'https://example.com/x' }]);
      expect(root.textContent).to.equal(`(go to https://example.com/x${tail}`);
    }
  });

  it('ends a link at CJK punctuation and keeps CJK paths', () => {
    const root = show(<Linkified text="请访问https://example.com/帮助。谢谢！邮箱：help@example.cn，电话tel:+86-10-5555-0100）" />);
    expect(links(root)).to.deep.equal([
      { href: 'https://example.com/%E5%B8%AE%E5%8A%A9', text: 'https://example.com/帮助' },
      { href: 'mailto:help@example.cn', text: 'help@example.cn' },
      { href: 'tel:+86-10-5555-0100', text: 'tel:+86-10-5555-0100' },
    ]);
  });

  it('links e-mail addresses, mailto: and tel:', () => {
    const root = show(<Linkified text="Write to help@shop.example.com, mailto:ops@example.com or call tel:+1-555-0100." />);
    expect(links(root)).to.deep.equal([
      { href: 'mailto:help@shop.example.com', text: 'help@shop.example.com' },
      { href: 'mailto:ops@example.com', text: 'mailto:ops@example.com' },
      { href: 'tel:+1-555-0100', text: 'tel:+1-555-0100' },
    ]);
  });

  it('leaves disallowed and protocol-relative schemes as plain text', () => {
    const text = 'javascript:alert(1) data:text/html,x vbscript:x file:///etc/passwd ftp://example.com //evil.example';
    const root = show(<Linkified text={text} />);
    expect(links(root)).to.deep.equal([]);
    expect(root.textContent).to.equal(text);
  });

  it('shows markup as text', () => {
    const root = show(<Linkified text={'<b>hi</b> <img src=x onerror="window.__xss=1">'} />);
    expect(root.querySelectorAll('*').length).to.equal(0);
    expect(root.textContent).to.equal('<b>hi</b> <img src=x onerror="window.__xss=1">');
  });
});

describe('RichText', () => {
  it('splits paragraphs on blank lines and keeps single line breaks', () => {
    const root = show(<RichText source={'First line\nsecond line\n\n\nNext paragraph'} />);
    expect([...root.children].map((el) => el.outerHTML)).to.deep.equal([
      '<p>First line<br>second line</p>',
      '<p>Next paragraph</p>',
    ]);
  });

  it('turns "- " lines into a list, between paragraphs', () => {
    const root = show(<RichText source={'To return:\n- open **Orders**\n- pick the item\nWe refund in 5 days.'} />);
    expect(root.innerHTML).to.equal(
      '<p>To return:</p><ul><li>open <strong>Orders</strong></li><li>pick the item</li></ul><p>We refund in 5 days.</p>',
    );
  });

  it('renders **bold**, [label](url) links and bare URLs', () => {
    const root = show(<RichText source="**Note:** see [our policy](https://example.com/refunds) or https://example.com/faq." />);
    expect(root.querySelector('strong')?.textContent).to.equal('Note:');
    expect(links(root)).to.deep.equal([
      { href: 'https://example.com/refunds', text: 'our policy' },
      { href: 'https://example.com/faq', text: 'https://example.com/faq' },
    ]);
    expect(root.textContent).to.equal('Note: see our policy or https://example.com/faq.');
  });

  it('allows a link inside bold and one level of parentheses in a URL', () => {
    const root = show(<RichText source="**[Wiki](https://en.wikipedia.org/wiki/Refund_(disambiguation))**" />);
    expect(root.innerHTML).to.equal(
      '<p><strong><a href="https://en.wikipedia.org/wiki/Refund_(disambiguation)" target="_blank" rel="noopener noreferrer">Wiki</a></strong></p>',
    );
  });

  it('renders the label of a disallowed link as plain text', () => {
    for (const url of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', '  javascript:alert(1)', 'data:text/html,x', '//evil.example']) {
      const root = show(<RichText source={`Click [here](${url}) now`} />);
      expect(links(root), url).to.deep.equal([]);
      expect(root.textContent, url).to.equal('Click here now');
    }
  });

  it('shows HTML in the source literally', () => {
    const root = show(<RichText source={'<b>x</b>\n\n- <script>window.__xss=1</script>'} />);
    expect(root.innerHTML).to.equal('<p>&lt;b&gt;x&lt;/b&gt;</p><ul><li>&lt;script&gt;window.__xss=1&lt;/script&gt;</li></ul>');
  });
});

describe('long hostile input', () => {
  // With an e-mail pattern that could restart at every character these took ~1 s each at this length (~18 s at 100 000).
  it('renders 20 000-character hostile runs in linear time (under 200 ms each)', () => {
    const n = 20_000;
    const runs = { word: 'a'.repeat(n), dotted: 'a.'.repeat(n / 2), trailingDots: `https://x.com/${'.'.repeat(n)} `,
      brackets: '['.repeat(n), links: '[x](a'.repeat(n / 5), stars: '**a'.repeat(n / 3), emailish: `${'a'.repeat(63)}.`.repeat(n / 64) };
    const slow: string[] = [];
    for (const [name, text] of Object.entries(runs)) {
      const started = performance.now();
      show(<Linkified text={text} />);
      show(<RichText source={text} />);
      const took = performance.now() - started;
      if (took > 200) slow.push(`${name}: ${Math.round(took)} ms`);
    }
    expect(slow).to.deep.equal([]);
  });
});

describe('XSS corpus', () => {
  const stubbed = ['alert', 'confirm', 'prompt'] as const;
  const originals = stubbed.map((name) => window[name]);
  // Classic payloads call alert(); count that as execution too, without a blocking dialog.
  before(() => stubbed.forEach((name) => (window[name] = () => void (flagged.__xss = 1) as never)));
  after(() => stubbed.forEach((name, i) => ((window as unknown as Record<string, unknown>)[name] = originals[i])));
  beforeEach(() => delete flagged.__xss);

  it(`has at least 120 distinct payloads (${xssCorpus.length})`, () => {
    expect(new Set(xssCorpus).size).to.equal(xssCorpus.length);
    expect(xssCorpus.length).to.be.at.least(120);
  });

  it('detects execution: the first payload set as innerHTML does run (control for the test below)', async () => {
    const { container, remove } = shadowContainer();
    container.innerHTML = '<img src="data:," onerror="window.__xss=1">';
    // Registered after the inline handler on the same target, so it runs second.
    await new Promise((resolve) => container.firstElementChild!.addEventListener('error', resolve, { once: true }));
    expect(flagged.__xss).to.equal(1);
    remove();
  });

  it(`renders ${xssCorpus.length} XSS payloads as text with both components, 0 executed`, async () => {
    const failures: string[] = [];
    for (const payload of xssCorpus) {
      const chat = show(<Linkified text={payload} />);
      const faq = show(<RichText source={payload} />);
      const problems = [
        ...violations(chat).map((v) => `Linkified: ${v}`),
        ...violations(faq).map((v) => `RichText: ${v}`),
      ];
      // Linkified only wraps: every character of the input is still there, in order, as text.
      if (chat.textContent !== payload) problems.push('Linkified: text changed');
      if (problems.length) failures.push(`${JSON.stringify(payload)}: ${problems.join(', ')}`);
    }
    // Handlers that fire late (load, toggle, animation) get their chance before the verdict.
    await frame();
    await frame();
    expect(failures, failures.join('\n')).to.deep.equal([]);
    expect(flagged.__xss, 'a payload executed').to.equal(undefined);
  });
});
