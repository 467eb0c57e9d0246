import { expect } from 'chai';
import { MAX_UPLOAD_BYTES, type Article, type Order, type ServerEvent } from '../../src/api/schemas';
import { MemoryAdapter } from '../../src/client/MemoryAdapter';
import { HttpError, isHttpError, KefuError } from '../../src/client/errors';

const T = '2026-11-20T10:00:00.000Z';
const uuid = () => crypto.randomUUID();
const money = (amount: number) => ({ amount, currency: 'CNY' });
const order = (n: number): Order => ({
  id: `o_${n}`, number: `KF-${1000 + n}`, status: 'delivered', placedAt: T, total: money(3000), shipments: [],
  refundableUntil: '2030-01-01T00:00:00.000Z',
  items: [
    { id: `oi_${n}a`, productId: 'p_mug', name: 'Mug', quantity: 2, unitPrice: money(1000), refundableQuantity: 2 },
    { id: `oi_${n}b`, productId: 'p_tea', name: 'Tea', quantity: 1, unitPrice: money(1000), refundableQuantity: 0 },
  ],
});
const article = (id: string, locale: Article['locale']): Article => ({ id, title: `Title ${id}`, body: 'Body', tags: [], locale, updatedAt: T });
const png = (size = 8) => new Blob([new Uint8Array(size)], { type: 'image/png' });

/** The HttpError status a call rejects with, 'resolved', or the other error. */
const statusOf = (call: Promise<unknown>) =>
  call.then(() => 'resolved', (error: unknown) => (isHttpError(error) ? (error as HttpError).status : error));

/** Collects events; `next(n)` resolves once `n` events more than now have arrived. */
function listen(adapter: MemoryAdapter) {
  const events: ServerEvent[] = [];
  let wake = () => {};
  adapter.subscribe((event) => {
    events.push(event);
    wake();
  });
  return {
    events,
    next(count = 1) {
      const target = events.length + count;
      return new Promise<ServerEvent[]>((resolve) => {
        wake = () => events.length >= target && resolve(events.slice(target - count, target));
        wake();
      });
    },
  };
}

describe('MemoryAdapter', () => {
  it('replays a create with the same clientId and body; another body is a 422', async () => {
    const memory = new MemoryAdapter();
    const clientId = uuid();
    const first = await memory.createConversation({ clientId });
    expect(await memory.createConversation({ clientId })).to.deep.equal(first);
    expect(await statusOf(memory.createConversation({ clientId, context: { page: '/cart' } }))).to.equal(422);

    const message = { clientId: uuid(), text: 'Hello' };
    const sent = await memory.postMessage(first.id, message);
    expect(await memory.postMessage(first.id, message)).to.deep.equal(sent);
    expect(await statusOf(memory.postMessage(first.id, { ...message, text: 'Hello again' }))).to.equal(422);
    // A clientId names one write, whatever its kind.
    expect(await statusOf(memory.createTicket({ clientId: message.clientId, kind: 'complaint', category: 'x', description: 'y' })))
      .to.equal(422);
    const { messages } = await memory.listMessages(first.id);
    expect(messages.filter((m) => m.author === 'shopper')).to.have.length(1);
  });

  it('replays the first answer even after the resource moved on', async () => {
    const memory = new MemoryAdapter();
    const body = { clientId: uuid(), kind: 'complaint' as const, category: 'late', description: 'Where is it?' };
    const created = await memory.createTicket(body);
    memory.agent.transition(created.id, 'acknowledged');
    expect(await memory.createTicket(body)).to.deep.equal(created);
    expect((await memory.getTicket(created.id)).status).to.equal('acknowledged');
  });

  it('checks bodies like the server: a 400 with field paths, and nothing kept', async () => {
    const memory = new MemoryAdapter({ orders: [order(1)] });
    const { id } = await memory.createConversation({ clientId: uuid() });
    const clientId = uuid();
    const error = (await memory.postMessage(id, { clientId, text: '   ' }).catch((e) => e)) as HttpError;
    expect(error.status).to.equal(400);
    expect(error.fieldErrors.map((e) => e.path)).to.deep.equal(['text']);
    expect((await memory.postMessage(id, { clientId, text: 'Fixed' })).text).to.equal('Fixed');

    const refund = (await memory.createTicket({
      clientId: uuid(), kind: 'refund', orderId: 'o_1', category: 'broken', description: 'Broken',
      items: [{ orderItemId: 'oi_1b', quantity: 1 }], attachmentIds: ['up_nope'],
    }).catch((e) => e)) as HttpError;
    expect(refund.fieldErrors.map((e) => e.path)).to.deep.equal(['items.0', 'attachmentIds.0']);
    const evidence = (await memory.createTicket({
      clientId: uuid(), kind: 'complaint', category: 'rude', description: 'Rude', attachmentIds: ['up_nope'],
    }).catch((e) => e)) as HttpError;
    expect(evidence.fieldErrors).to.deep.equal([{ path: 'attachmentIds.0', message: 'is not one of your uploads' }]);
  });

  it('answers 404 for ids that are not this shopper’s', async () => {
    const memory = new MemoryAdapter();
    expect(await statusOf(memory.listMessages('c_nope'))).to.equal(404);
    expect(await statusOf(memory.postMessage('c_nope', { clientId: uuid(), text: 'Hi' }))).to.equal(404);
    expect(await statusOf(memory.handoff('c_nope'))).to.equal(404);
    expect(await statusOf(memory.getTicket('t_nope'))).to.equal(404);
    expect(await statusOf(memory.getOrder('o_nope'))).to.equal(404);
    expect(await statusOf(memory.fetchUpload('up_nope'))).to.equal(404);
    expect(await statusOf(memory.comment('t_nope', { clientId: uuid(), text: 'Hi' }))).to.equal(404);
  });

  it('moves a complaint along its state machine: legal moves, a 409 for others, one appeal', async () => {
    const memory = new MemoryAdapter();
    const { id } = await memory.createTicket({ clientId: uuid(), kind: 'complaint', category: 'late', description: 'Late' });
    expect((await memory.getTicket(id)).status).to.equal('submitted');
    expect(() => memory.agent.transition(id, 'refunded')).to.throw(HttpError).with.property('status', 409);
    expect(() => memory.agent.transition(id, 'appealed')).to.throw(HttpError).with.property('status', 409); // The shopper's move.
    expect(await statusOf(memory.appeal(id, { clientId: uuid(), reason: 'Too early' }))).to.equal(409);

    memory.agent.transition(id, 'acknowledged');
    memory.agent.transition(id, 'investigating', 'Asked the courier');
    const rejected = memory.agent.transition(id, 'rejected', 'Delivered on time');
    expect(rejected.appealable).to.equal(true);
    expect(rejected.dueAt).to.equal(null);

    const appealed = await memory.appeal(id, { clientId: uuid(), reason: 'The photo shows otherwise' });
    expect(appealed.status).to.equal('appealed');
    expect(appealed.appealable).to.equal(false);
    expect(appealed.dueAt).to.be.a('string');
    const final = memory.agent.transition(id, 'rejected');
    expect(await statusOf(memory.appeal(id, { clientId: uuid(), reason: 'Again' }))).to.equal(409);
    expect(await statusOf(memory.comment(id, { clientId: uuid(), text: 'Still unhappy' }))).to.equal(409);
    expect(final.timeline.map((e) => [e.status, e.actor, e.note ?? null])).to.deep.equal([
      ['submitted', 'shopper', null],
      ['acknowledged', 'agent', null],
      ['investigating', 'agent', 'Asked the courier'],
      ['rejected', 'agent', 'Delivered on time'],
      ['appealed', 'shopper', 'The photo shows otherwise'],
      ['rejected', 'agent', null],
    ]);
  });

  it('prices a refund from its items and follows a return to refunded', async () => {
    const memory = new MemoryAdapter({ orders: [order(1)] });
    const ticket = await memory.createTicket({
      clientId: uuid(), kind: 'return', orderId: 'o_1', category: 'broken', description: 'Cracked',
      items: [{ orderItemId: 'oi_1a', quantity: 2 }], amount: 99_999,
    });
    expect(ticket.status).to.equal('requested');
    expect(ticket.amount).to.deep.equal(money(2000)); // Never more than the items are worth.
    for (const to of ['approved', 'awaiting_return', 'return_received', 'refunded'] as const) memory.agent.transition(ticket.id, to);
    expect((await memory.getTicket(ticket.id)).status).to.equal('refunded');
  });

  it('sends events: the bot and agent replies, handoff, conversation and ticket changes', async () => {
    const memory = new MemoryAdapter({ bot: (text) => `echo: ${text}` });
    const stream = listen(memory);
    const { id } = await memory.createConversation({ clientId: uuid() });
    const answered = stream.next();
    await memory.postMessage(id, { clientId: uuid(), text: 'Hi' });
    const [bot] = await answered;
    expect(bot).to.deep.include({ type: 'message' });
    expect((bot as Extract<ServerEvent, { type: 'message' }>).message).to.deep.include({ author: 'bot', text: 'echo: Hi' });

    const queued = stream.next(2);
    expect((await memory.handoff(id)).status).to.equal('queued');
    expect((await queued).map((e) => (e.type === 'conversation' ? e.conversation.status : e.type === 'message' && e.message.text)))
      .to.deep.equal(['queued', 'handoff_queued']);

    const replied = stream.next(2);
    memory.agent.reply(id, 'Hello, I am Li');
    const [taken, reply] = await replied;
    expect(taken).to.deep.include({ type: 'conversation' });
    expect((taken as Extract<ServerEvent, { type: 'conversation' }>).conversation.status).to.equal('agent');
    expect((reply as Extract<ServerEvent, { type: 'message' }>).message).to.deep.include({ author: 'agent', text: 'Hello, I am Li' });

    // With people on it, the bot stays quiet.
    const before = stream.events.length;
    await memory.postMessage(id, { clientId: uuid(), text: 'Thanks' });
    const created = stream.next();
    const ticket = await memory.createTicket({ clientId: uuid(), kind: 'complaint', category: 'x', description: 'y' });
    const [filed] = await created;
    expect(stream.events.length).to.equal(before + 1);
    expect(filed).to.deep.equal({ type: 'ticket', ticket });

    const moved = stream.next();
    memory.agent.transition(ticket.id, 'acknowledged');
    expect(((await moved)[0] as Extract<ServerEvent, { type: 'ticket' }>).ticket.status).to.equal('acknowledged');
    const commented = stream.next();
    memory.agent.comment(ticket.id, 'We are on it');
    expect(((await commented)[0] as Extract<ServerEvent, { type: 'ticket' }>).ticket.comments.map((c) => c.author)).to.deep.equal(['agent']);
  });

  it('hands out copies: changing an answer changes nothing inside', async () => {
    const memory = new MemoryAdapter();
    const ticket = await memory.createTicket({ clientId: uuid(), kind: 'complaint', category: 'x', description: 'y' });
    ticket.status = 'resolved';
    ticket.timeline.length = 0;
    const fresh = await memory.getTicket(ticket.id);
    expect(fresh.status).to.equal('submitted');
    expect(fresh.timeline).to.have.length(1);
  });

  it('serves the FAQ per locale, the same object until it changes', async () => {
    const memory = new MemoryAdapter({ articles: [article('a', 'en'), article('b', 'zh-CN'), article('c', 'en')] });
    const en = await memory.faq('en');
    expect(en.articles.map((a) => a.id)).to.deep.equal(['a', 'c']);
    expect(await memory.faq('en')).to.equal(en);
    expect((await memory.faq('zh-CN')).articles.map((a) => a.id)).to.deep.equal(['b']);
    memory.agent.publish([article('d', 'en')]);
    const changed = await memory.faq('en');
    expect(changed).not.to.equal(en);
    expect(changed.articles.map((a) => a.id)).to.deep.equal(['d']);
    memory.locale = 'en';
    expect((await memory.suggestions({ page: '/' })).questions).to.deep.equal([{ id: 's-d', text: 'Title d', articleId: 'd' }]);
  });

  it('pages orders and tickets with next cursors', async () => {
    const memory = new MemoryAdapter({ orders: Array.from({ length: 25 }, (_, i) => order(i)) });
    const first = await memory.listOrders();
    expect(first.orders).to.have.length(20);
    expect(first.next).to.equal('o_19');
    const second = await memory.listOrders(first.next!);
    expect(second.orders.map((o) => o.id)).to.deep.equal(['o_20', 'o_21', 'o_22', 'o_23', 'o_24']);
    expect(second.next).to.equal(null);
    expect((await memory.getOrder('o_3')).number).to.equal('KF-1003');

    const made = [];
    for (let i = 0; i < 3; i++) made.push(await memory.createTicket({ clientId: uuid(), kind: 'complaint', category: 'x', description: `${i}` }));
    expect((await memory.listTickets()).tickets.map((t) => t.id)).to.deep.equal(made.reverse().map((t) => t.id));
  });

  it('keeps uploads as Blobs, refuses wrong files before storing, and honours an aborted signal', async () => {
    const memory = new MemoryAdapter();
    const progress: number[] = [];
    const file = new File([new Uint8Array([1, 2, 3])], 'receipt.pdf', { type: 'application/pdf' });
    const clientId = uuid();
    const upload = await memory.upload(file, { clientId, onProgress: (fraction) => progress.push(fraction) });
    expect(upload).to.deep.include({ clientId, name: 'receipt.pdf', type: 'application/pdf', size: 3 });
    expect(progress).to.deep.equal([1]);
    expect(await memory.upload(file, { clientId })).to.deep.equal(upload);
    expect(await statusOf(memory.upload(png(), { clientId }))).to.equal(422);
    const stored = await memory.fetchUpload(upload.id);
    expect([...new Uint8Array(await stored.arrayBuffer())]).to.deep.equal([1, 2, 3]);

    const { id } = await memory.createTicket({ clientId: uuid(), kind: 'complaint', category: 'x', description: 'y', attachmentIds: [upload.id] });
    const comment = await memory.comment(id, { clientId: uuid(), text: 'And a photo', attachmentIds: [upload.id] });
    expect(comment.attachmentIds).to.deep.equal([upload.id]);

    const codes = await Promise.all([
      memory.upload(new Blob(['x'], { type: 'text/plain' }), { clientId: uuid() }),
      memory.upload(png(MAX_UPLOAD_BYTES + 1), { clientId: uuid() }),
      memory.upload(png(), { clientId: uuid(), signal: AbortSignal.abort() }),
    ].map((call) => call.then(() => 'resolved', (e: KefuError) => e.code)));
    expect(codes).to.deep.equal(['file_type', 'file_too_large', 'aborted']);
  });

  it('rates once per clientId', async () => {
    const memory = new MemoryAdapter();
    const body = { clientId: uuid(), subject: { type: 'article' as const, id: 'a_1' }, score: 4, comment: 'Helpful' };
    const rating = await memory.rate(body);
    expect(rating).to.deep.include({ score: 4, comment: 'Helpful', subject: body.subject });
    expect(await memory.rate(body)).to.deep.equal(rating);
    expect(await statusOf(memory.rate({ ...body, score: 6 }))).to.equal(400);
  });
});
