/**
 * Every view and flow of the panel (design §1, issue 6) through the npm entry against a MemoryAdapter
 * in real Chromium: tabs, home, FAQ search and articles, orders and tracking, the refund and
 * complaint flows with their timelines, appeal, ratings, chat quick replies, hand-off, typing, the
 * windowed log, and a live locale switch.
 */
import { expect } from 'chai';
import type { Upload } from '../../src/api/schemas';
import { MemoryAdapter, type MemoryAdapterOptions } from '../../src/client/MemoryAdapter';
import { createKefu, type KefuApi } from '../../src/index';
import { $, $$, press, shadow, type, until } from './dom';
import { articlesFixture, orderFixture } from './fixtures';

let sites = 0;
const site = () => `pk_views${Date.now().toString(36)}${sites++}`;
let kefu: KefuApi | undefined;

function start(options: { locale?: string; signedIn?: boolean; bot?: MemoryAdapterOptions['bot'] } = {}) {
  const adapter = new MemoryAdapter({ articles: articlesFixture(), orders: [orderFixture()], bot: options.bot ?? (() => undefined) });
  kefu = createKefu({
    site: site(), adapter, locale: options.locale ?? 'en',
    ...(options.signedIn === false ? {} : { user: { token: 'signed-in' } }),
  });
  return adapter;
}

const view = () => $('[role=dialog]')?.dataset.view;
/** The FAQ's painted matches (CSS Custom Highlight API), in document order of the rows. */
const highlighted = () =>
  [...(CSS.highlights.get('kefu-match') ?? [])].map(({ startContainer, startOffset, endOffset }) => (startContainer as Text).data.slice(startOffset, endOffset));
const text = (selector: string) => $(selector)?.textContent ?? '';

afterEach(async () => {
  await kefu?.destroy();
  kefu = undefined;
});

describe('panel views', () => {
  it('tabs are a tablist: arrow keys, Home and End move between Home, Chat, FAQ, Orders and Tickets', async () => {
    start();
    await kefu!.open();
    await until(() => $('[role=tab][aria-selected=true]')?.id === 'kefu-tab-home', 'home tab');
    const tablist = $('[role=tablist]')!;
    const key = (name: string) => tablist.dispatchEvent(new KeyboardEvent('keydown', { key: name, bubbles: true }));
    key('ArrowRight');
    await until(() => view() === 'chat', 'chat after →');
    key('End');
    await until(() => view() === 'tickets', 'tickets after End');
    key('ArrowRight');
    await until(() => view() === 'home', 'wraps to home');
    key('ArrowLeft');
    await until(() => view() === 'tickets', 'wraps back to tickets');
    await until(() => shadow()!.activeElement?.id === 'kefu-tab-tickets', 'focus follows the selected tab');
    expect($$('[role=tab]').map((tab) => tab.tabIndex)).to.deep.equal([-1, -1, -1, -1, 0]);
  });

  it('home: suggested questions open their article; shortcuts open the flows; asking goes to the chat', async () => {
    start();
    await kefu!.open('home');
    await until(() => $$('.chips button').length === 3, 'three suggestions');
    press('How do I get a refund?');
    await until(() => text('.article h3') === 'How do I get a refund?', 'the suggested article');
    await kefu!.open('home');
    await until(() => !!$('.shortcuts'), 'shortcuts');
    press('File a complaint');
    await until(() => !!$('#kefu-complaint-category'), 'the complaint form');
    await kefu!.open('home');
    await until(() => !!$('textarea'), 'the home composer');
    type($('textarea'), 'Where is my parcel?');
    $<HTMLButtonElement>('button.send')!.click();
    await until(() => view() === 'chat' && text('.msg.shopper p') === 'Where is my parcel?', 'the question in the chat');
  });

  it('FAQ: search as you type highlights matches in English and Chinese; an article renders its safe subset', async () => {
    start();
    await kefu!.open('help');
    await until(() => $$('#kefu-results li').length === 3, 'every English article before typing');
    type($('#kefu-search'), 'refu');
    await until(() => $$('#kefu-results li').length === 1 && highlighted()[0] === 'refund', 'the refund article, "refund" highlighted');
    type($('#kefu-search'), 'zzzz');
    await until(() => text('.empty') === 'No article matches.', 'no match');
    press('Still need help?');
    await until(() => view() === 'chat' && ($('textarea') as HTMLTextAreaElement).value === 'zzzz', 'the query carried to the chat');

    await kefu!.setLocale('zh-CN');
    await kefu!.open('help');
    await until(() => text('[role=tab][aria-selected=true]') === '常见问题', 'the tabs in Chinese');
    await until(() => $$('#kefu-results li').length === 2, 'the Chinese articles');
    type($('#kefu-search'), '退款');
    await until(() => $$('#kefu-results li').length === 1 && highlighted()[0] === '退款', '退款 found and highlighted');
  });

  it('FAQ: an answer for the language left behind, arriving after the new one, does not replace it', async () => {
    const adapter = start();
    let releaseEnglish!: () => void;
    let englishAsked!: () => void;
    const englishHeld = new Promise<void>((resolve) => (releaseEnglish = resolve));
    const askedForEnglish = new Promise<void>((resolve) => (englishAsked = resolve));
    const faq = adapter.faq.bind(adapter);
    adapter.faq = async (locale) => {
      const list = await faq(locale);
      if (locale === 'en') englishAsked(), await englishHeld; // The English FAQ is slow to come.
      return list;
    };
    await kefu!.open('help');
    await askedForEnglish;
    await kefu!.setLocale('zh-CN');
    await until(() => $$('#kefu-results li').length === 2, 'the Chinese articles');
    releaseEnglish();
    await new Promise((wake) => setTimeout(wake, 300)); // The English answer stored and, before, shown.
    expect($$('#kefu-results li').length).to.equal(2, 'still the Chinese articles');
  });

  it('FAQ: a keystroke that changes the results rewrites the rows in place, and the highlights follow the new text', async () => {
    start();
    await kefu!.open('help');
    await until(() => $$('#kefu-results li').length === 3, 'every English article before typing');
    const row = $('#kefu-results li')!;
    const title = row.querySelector('strong')!.firstChild as Text;
    type($('#kefu-search'), 'refund');
    await until(() => highlighted()[0] === 'refund', '"refund" highlighted');
    type($('#kefu-search'), 'lamp');
    await until(() => text('#kefu-results strong') === 'Which lamp size fits my room?', 'the lamp article');
    // The first row's nodes were kept: only their text changed (no row re-created per keystroke).
    expect($$('#kefu-results li'), 'the same row').to.deep.equal([row]);
    expect(row.querySelector('strong')!.firstChild, 'the same text node').to.equal(title);
    await until(() => highlighted().join() === 'lamp,lamps', 'the matches of the new query');
    const ranges = [...CSS.highlights.get('kefu-match')!];
    expect(ranges[0]!.startContainer).to.equal(title);
    // Static ranges: live ones would be kept up to date by the DOM on every change of a row's text.
    expect(ranges.every((range) => range instanceof StaticRange)).to.equal(true);
  });

  it('an article: bold, list and a safe link; "was this helpful?" rates it once and fires the rating event', async () => {
    start();
    const rated = new Promise((resolve) => kefu!.on('rating', resolve));
    await kefu!.open({ article: 'a_refund' });
    await until(() => !!$('.article strong'), 'the article');
    expect(text('.article strong')).to.equal('Orders');
    expect($$('.article li')).to.have.length(2);
    const link = $<HTMLAnchorElement>('.article a')!;
    expect(link.href).to.equal('https://shop.example/refunds');
    expect(link.rel).to.contain('noopener').and.contain('noreferrer');
    press('Yes');
    expect(await rated).to.deep.include({ score: 5, subject: { type: 'article', id: 'a_refund' } });
    await until(() => text('.notice[role=status]') === 'Thank you for your feedback!', 'the thanks, in place of the question');
    expect($$('.helpful')).to.have.length(0);
  });

  it('orders: list, then an order with items, its shipment and the tracking timeline, newest step first', async () => {
    start();
    await kefu!.open('orders');
    await until(() => $$('.rows .row').length === 1, 'one order');
    expect(text('.rows .row')).to.contain('LL-1001').and.contain('Shipped').and.contain('$97.00');
    press('LL-1001');
    await until(() => $$('.timeline li').length === 2, 'the tracking timeline');
    expect(text('.timeline li')).to.contain('Left the sorting centre').and.contain('Shanghai');
    expect(text('.items')).to.contain('Paper lantern × 2').and.contain('$78.00');
    expect($$('.actions-bar button').map((button) => button.textContent)).to.deep.equal(['Refund or return', 'File a complaint', 'Ask about this order']);
    press('Ask about this order');
    await until(() => view() === 'chat' && ($('textarea') as HTMLTextAreaElement).value.startsWith('About order LL-1001'), 'the chat with the order');
  });

  it('an anonymous shopper is asked to sign in instead of seeing orders', async () => {
    start({ signedIn: false });
    await kefu!.open('orders');
    await until(() => text('.empty').includes('Sign in'), 'the sign-in hint');
  });

  it('refund: checks the form, shows the amount, files through the outbox and follows the agent live on the timeline', async () => {
    const adapter = start();
    await kefu!.open({ order: 'o_1001' });
    await until(() => !!$('.actions-bar .primary'), 'the refund button');
    press('Refund or return');
    await until(() => $$('.item-qty').length === 2, 'both items');
    press('Request refund');
    await until(() => text('#kefu-refund-items-error') === 'Choose at least one item.', 'the missing items said');
    expect(shadow()!.activeElement?.id).to.equal('kefu-refund-items');
    type($$('.item-qty input')[0]!, '1');
    type($$('.item-qty input')[1]!, '9'); // More than can be refunded: capped at 1.
    await until(() => text('.total').includes('$58.00'), 'the amount of 1 lantern + 1 rug');
    ($('#kefu-refund-reason') as HTMLSelectElement).value = 'damaged';
    $('#kefu-refund-reason')!.dispatchEvent(new Event('change', { bubbles: true }));
    type($('#kefu-refund-text'), 'The lantern arrived torn.');
    press('Request refund');
    await until(() => view() === 'ticket' && text('h3').includes('Refund'), 'the new ticket');
    await until(() => text('h3 .badge') === 'Requested', 'requested once the server has it');
    const [ticket] = (await adapter.listTickets()).tickets;
    expect(ticket).to.deep.include({ kind: 'refund', category: 'damaged', description: 'The lantern arrived torn.' });
    expect(ticket!.items).to.deep.equal([{ orderItemId: 'i_lamp', quantity: 1 }, { orderItemId: 'i_rug', quantity: 1 }]);
    expect(ticket!.amount).to.deep.equal({ amount: 5_800, currency: 'USD' });

    adapter.agent.transition(ticket!.id, 'approved', 'Sorry about that.');
    await until(() => text('h3 .badge') === 'Approved', 'approved live');
    expect(text('.timeline li')).to.contain('Approved').and.contain('Agent').and.contain('Sorry about that.');
    adapter.agent.transition(ticket!.id, 'refunded');
    await until(() => text('h3 .badge') === 'Refunded' && !!$('.rating'), 'refunded, with a rating');
    expect($$('.timeline li')).to.have.length(3);
    $$('.stars input')[3]!.click();
    await until(() => !!$('.rating textarea'), 'the comment box');
    type($('.rating textarea'), 'Quick and fair');
    press('Send rating');
    await until(() => text('.notice') === 'Thank you for your feedback!', 'thanks');
  });

  it('complaint: the promise shown, then rejected → appeal with a reason → appealed', async () => {
    const adapter = start();
    await kefu!.startComplaint();
    await until(() => !!$('#kefu-complaint-category'), 'the complaint form');
    expect(text('.flow .meta')).to.contain('24 hours');
    press('Send complaint');
    await until(() => $('#kefu-complaint-category')!.getAttribute('aria-invalid') === 'true', 'the category asked for');
    ($('#kefu-complaint-category') as HTMLSelectElement).value = 'delivery';
    $('#kefu-complaint-category')!.dispatchEvent(new Event('change', { bubbles: true }));
    type($('#kefu-complaint-text'), 'The courier left the parcel in the rain.');
    press('Send complaint');
    await until(() => text('h3 .badge') === 'Submitted', 'submitted');
    expect(text('.meta')).to.match(/Next step promised by/);
    const [ticket] = (await adapter.listTickets()).tickets;
    adapter.agent.transition(ticket!.id, 'rejected', 'The courier has a photo at your door.');
    await until(() => !!$('#kefu-appeal'), 'the appeal form');
    type($('#kefu-appeal'), 'The photo shows my neighbour’s door.');
    press('Appeal');
    await until(() => text('h3 .badge') === 'Appealed' && !$('#kefu-appeal'), 'appealed, once');
    type($('#kefu-comment'), 'Here is my door number: 12.');
    $('#kefu-comment')!.closest('form')!.requestSubmit();
    await until(() => text('.comments').includes('door number'), 'the note on the ticket');
    await kefu!.open('tickets');
    await until(() => $$('.rows .row').length === 1 && text('.rows .badge') === 'Appealed', 'the list with the live status');
  });

  it('chat: quick replies, article cards, talk to a person, typing, and a rating when the chat closes', async () => {
    const adapter = start({ bot: () => 'I can help with that.' });
    await kefu!.ask('refund please');
    await until(() => !!$('.msg.bot'), 'the bot answer');
    const conversation = (await adapter.listConversations()).conversations[0]!;
    press('Talk to a person');
    await until(() => text('.notice[role=status]').includes('queue'), 'waiting for a person');
    await until(() => text('.msg.system p').startsWith('You asked for a person'), 'the system notice in words, not a code');
    adapter.agent.typing(conversation.id);
    await until(() => text('.typing') === 'Agent is typing…', 'the typing indicator');
    adapter.agent.reply(conversation.id, 'Hello, this is Mia. See https://shop.example/help or mail help@shop.example');
    await until(() => !$('.typing') && text('.notice[role=status]').includes('with a person'), 'the agent answered');
    const links = $$('.msg.agent a') as HTMLAnchorElement[];
    expect(links.map((link) => link.href)).to.deep.equal(['https://shop.example/help', 'mailto:help@shop.example']);
    adapter.agent.close(conversation.id);
    await until(() => !!$('.rating'), 'the rating');
    expect(text('.rating legend')).to.equal('How did we do?');
  });

  it('a bot answer offers its articles as cards and its quick replies as buttons that open the flows', async () => {
    start({ bot: () => ({ text: 'Refunds are quick.', articleIds: ['a_refund'], actions: ['start_refund', 'handoff'] as const }) });
    await kefu!.ask('refund');
    await until(() => $$('.msg.bot .chip').length === 2 && !!$('.msg.bot .card-link'), 'the card and the quick replies');
    expect($$('.msg.bot .chip').map((chip) => chip.textContent)).to.deep.equal(['Ask for a refund', 'Talk to a person']);
    press('How do I get a refund?');
    await until(() => view() === 'article', 'the article card opens the article');
    await kefu!.open('chat');
    await until(() => $$('.msg.bot .chip').length === 2, 'back in the chat');
    press('Ask for a refund');
    await until(() => view() === 'orders', 'the refund quick reply opens the orders');
  });

  it('the log is a window: 1,000 messages keep at most 30 in the DOM, and scrolling up brings earlier ones', async () => {
    const adapter = start();
    await kefu!.ask('first');
    await until(() => !!$('.msg.shopper[data-status=sent]'), 'the first message');
    const conversation = (await adapter.listConversations()).conversations[0]!;
    for (let i = 0; i < 999; i++) adapter.agent.reply(conversation.id, `reply ${i}`);
    await until(() => text('.msg:last-child p') === 'reply 998', 'the last reply');
    expect($$('.msg')).to.have.length(30);
    const log = $('[role=log]')!;
    log.scrollTop = 0;
    log.dispatchEvent(new Event('scroll'));
    await until(() => $$('.msg').length === 60, 'thirty more on scrolling up');
  });

  it('a ticket beyond the first page of the list opens by id; switching orders never shows the last one', async () => {
    const adapter = start();
    await adapter.startSession({ site: 'pk_x' });
    const first = await adapter.createTicket({ clientId: crypto.randomUUID(), kind: 'complaint', category: 'service', description: 'The oldest one' });
    for (let i = 0; i < 24; i++) await adapter.createTicket({ clientId: crypto.randomUUID(), kind: 'complaint', category: 'other', description: `Newer ${i}` });
    await kefu!.open('tickets');
    await until(() => $$('.rows .row').length === 20, 'the first page of 20');
    await kefu!.open({ ticket: first.id });
    await until(() => text('.quote') === 'The oldest one', 'the 25th ticket, fetched by id');
    await kefu!.open({ ticket: 'no_such_ticket' });
    await until(() => text('.empty') === 'We could not find this request.', 'an unknown id said so');
  });

  it('a long history loads to its newest message across pages (100 a page)', async () => {
    const adapter = new MemoryAdapter();
    await adapter.startSession({ site: 'pk_x' });
    const conversation = await adapter.createConversation({ clientId: crypto.randomUUID() });
    for (let i = 0; i < 250; i++) adapter.agent.reply(conversation.id, `old ${i}`);
    kefu = createKefu({ site: site(), adapter, locale: 'en' });
    await kefu.open('chat');
    await until(() => text('.msg:last-child p') === 'old 249', 'the newest message of page 3');
    expect($$('.msg')).to.have.length(30);
  });

  it('a ticket filed offline shows as sending, survives in the outbox and is filed once the server answers', async () => {
    const adapter = start();
    const create = adapter.createTicket.bind(adapter);
    let release!: () => void;
    const online = new Promise<void>((resolve) => (release = resolve));
    adapter.createTicket = async (body) => {
      await online;
      return create(body);
    };
    await kefu!.startComplaint();
    await until(() => !!$('#kefu-complaint-category'), 'the complaint form');
    ($('#kefu-complaint-category') as HTMLSelectElement).value = 'service';
    $('#kefu-complaint-category')!.dispatchEvent(new Event('change', { bubbles: true }));
    type($('#kefu-complaint-text'), 'Nobody answered my mail.');
    press('Send complaint');
    await until(() => text('h3 .badge') === 'Sending…', 'sending');
    expect(text('.meta')).to.contain('Saved on this device');
    await kefu!.open('tickets');
    await until(() => text('.rows .badge') === 'Sending…', 'in the list as sending');
    release();
    await until(() => text('.rows .badge') === 'Submitted', 'submitted once delivered');
    expect((await adapter.listTickets()).tickets).to.have.length(1);
  });
});

describe('attachments go through the outbox', () => {
  const choose = (files: File[]) => {
    const input = $('.attachments input[type=file]') as HTMLInputElement;
    const transfer = new DataTransfer();
    files.forEach((file) => transfer.items.add(file));
    input.files = transfer.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  };
  const png = (name: string, size = 64) => new File([new Uint8Array(size)], name, { type: 'image/png' });
  /** Holds the adapter's uploads until `release()` (`hold()` holds the next ones again); `onSent` hears each that reached it. */
  const holdUploads = (adapter: MemoryAdapter, onSent: (file: File, upload: Upload) => void) => {
    const upload = adapter.upload.bind(adapter);
    let release!: () => void;
    let online!: Promise<void>;
    const hold = () => void (online = new Promise<void>((resolve) => (release = resolve)));
    hold();
    adapter.upload = async (file, options) => {
      await online;
      if (options.signal?.aborted) throw new Error('aborted');
      const created = await upload(file, options);
      onSent(file as File, created);
      return created;
    };
    return { release: () => release(), hold };
  };
  const fillComplaint = (description: string) => {
    ($('#kefu-complaint-category') as HTMLSelectElement).value = 'product';
    $('#kefu-complaint-category')!.dispatchEvent(new Event('change', { bubbles: true }));
    type($('#kefu-complaint-text'), description);
  };

  it('evidence chosen offline is stored, sent before its complaint, and the complaint names its server id', async () => {
    const adapter = start();
    const order: string[] = [];
    const { release } = holdUploads(adapter, (_, created) => order.push(`upload:${created.id}`));
    const createTicket = adapter.createTicket.bind(adapter);
    adapter.createTicket = async (body) => {
      order.push(`ticket:${(body.attachmentIds ?? []).join(',')}`);
      return createTicket(body);
    };
    await kefu!.startComplaint();
    await until(() => !!$('#kefu-complaint-category'), 'the complaint form');
    fillComplaint('The lantern glass is cracked.');
    choose([png('crack.png', 2048)]);
    await until(() => !!$('.attachments progress'), 'the photo waiting with a progress bar');
    press('Send complaint');
    await until(() => text('h3 .badge') === 'Sending…', 'the complaint waits behind its photo');
    expect(order).to.deep.equal([]);
    release();
    await until(() => text('h3 .badge') === 'Submitted', 'submitted once the photo is up');
    expect(order).to.have.length(2);
    const uploadId = order[0]!.slice('upload:'.length);
    expect(order[1]).to.equal(`ticket:${uploadId}`, 'the photo first, then the complaint naming its server id');
    const [ticket] = (await adapter.listTickets()).tickets;
    expect(ticket!.attachmentIds).to.deep.equal([uploadId]);
    expect((await adapter.fetchUpload(uploadId)).size).to.equal(2048);
  });

  it('a cancelled or refused file is never named, and leaving the form drops what it queued', async () => {
    const adapter = start();
    const sent: string[] = [];
    const { release, hold } = holdUploads(adapter, (file) => sent.push(file.name));
    await kefu!.startComplaint();
    await until(() => !!$('#kefu-complaint-category'), 'the complaint form');
    fillComplaint('Wrong colour delivered.');
    choose([png('keep.png'), png('cancel.png'), png('huge.png', 6 * 1024 * 1024), new File(['x'], 'notes.txt', { type: 'text/plain' })]);
    await until(() => $$('.attachments li').length === 4, 'four files listed');
    await until(() => text('.attachments').includes('Too large'), 'the huge one refused at once');
    const cancel = $$('.attachments li').find((li) => li.textContent!.includes('cancel.png'))!.querySelector('button')!;
    cancel.click();
    await until(() => $$('.attachments li').length === 3, 'the cancelled one gone');
    release();
    await until(() => text('.attachments').includes('Only images and PDF files'), 'the text file refused by type');
    press('Send complaint');
    await until(() => text('h3 .badge') === 'Submitted', 'submitted');
    expect(sent).to.deep.equal(['keep.png'], 'the cancelled photo, queued behind the first, was never sent');
    const [ticket] = (await adapter.listTickets()).tickets;
    expect(ticket!.attachmentIds).to.have.length(1);

    // A form left without sending takes back what it queued.
    hold();
    await kefu!.startComplaint();
    await until(() => !!$('#kefu-complaint-category'), 'another complaint form');
    choose([png('abandoned.png')]);
    await until(() => $$('.attachments progress').length === 1, 'on its way');
    await kefu!.open('home');
    await until(() => view() === 'home', 'left');
    release();
    // A complaint behind it in the same lane: once that is filed, the photo would have been sent first.
    await kefu!.startComplaint();
    await until(() => !!$('#kefu-complaint-category'), 'a third complaint form');
    fillComplaint('No photo this time.');
    press('Send complaint');
    await until(() => text('h3 .badge') === 'Submitted', 'the later complaint filed');
    expect(sent).to.deep.equal(['keep.png'], 'the abandoned photo never reached the server');
    expect((await adapter.listTickets()).tickets).to.have.length(2);
  });
});
