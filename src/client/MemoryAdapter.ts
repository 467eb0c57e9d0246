import * as v from 'valibot';
import {
  AppealCreate, ClientId, CommentCreate, ConversationCreate, fieldErrors, MessageCreate, RatingCreate, TicketCreate,
  type Article, type ArticleList, type Comment, type Conversation, type ConversationList, type FieldError, type Locale,
  type Message, type MessageList, type Order, type OrderList, type Rating, type ServerEvent, type Session,
  type SessionRequest, type Suggestion, type SuggestionList, type Ticket, type TicketList, type TicketStatus,
  type Upload, type UploadType,
} from '../api/schemas';
import { canTransition, initialStatus, isClosed, promiseHours } from '../api/ticketFlow';
import type { BackendAdapter, EventStreamOptions, SuggestionContext, UploadOptions } from './BackendAdapter';
import { HttpError } from './errors';
import { aborted, uploadRefusal } from './upload';

export interface MemoryAdapterOptions {
  /** Produces the bot's answer to a shopper's message (text, or text with article cards and quick replies); default: a short echo. */
  bot?: (text: string) => string | BotAnswer | undefined;
  /** The FAQ, every locale together. */
  articles?: Article[];
  /** The shopper's orders, newest first. */
  orders?: Order[];
  /** Suggested questions for a context; default: the first three articles in the adapter's locale. */
  suggest?: (context: SuggestionContext, adapter: MemoryAdapter) => Suggestion[];
  locale?: Locale;
}

/** A bot answer with what the reference server's bot adds: articles to open, quick replies to offer. */
export type BotAnswer = Pick<Message, 'text' | 'articleIds' | 'actions'>;

type Listener = (event: ServerEvent, id: string) => void;

const PAGE = 20;
const MESSAGE_PAGE = 100;
const now = () => new Date().toISOString();
const copy: <T>(value: T) => T = (value) => structuredClone(value);

const problem = (status: number, title: string, detail: string, errors?: FieldError[]) =>
  new HttpError(status, { type: 'about:blank', title, status, detail, errors });
const invalid = (errors: FieldError[]) => problem(400, 'Bad Request', 'The body does not match the contract', errors);
const notFound = (what: string) => problem(404, 'Not Found', `No such ${what}`);
const conflict = (detail: string) => problem(409, 'Conflict', detail);

/** `items` after the id `after`, a page of them, and the cursor of the next page (null on the last). */
function pageOf<T extends { id: string }>(items: T[], after: string | undefined, size = PAGE): [T[], string | null] {
  const start = after ? items.findIndex((item) => item.id === after) + 1 : 0;
  const page = items.slice(start, start + size);
  return [copy(page), start + size < items.length ? page.at(-1)!.id : null];
}

/**
 * An in-memory backend with the contract's behaviour, for tests, demos and offline prototyping:
 * request bodies checked like the server does (400 with field paths), idempotent creates by
 * `clientId` (same body → the first answer, another body → 422), each session's shopper whose ids alone
 * exist (anything else is 404), the ticket state machines (an illegal move is 409), and events
 * for bot and agent messages, conversation and ticket changes. `agent` drives the other side.
 */
export class MemoryAdapter implements BackendAdapter {
  locale: Locale | undefined;
  readonly #conversations = new Map<string, Conversation>();
  readonly #messages = new Map<string, Message[]>();
  readonly #tickets = new Map<string, Ticket>();
  readonly #uploads = new Map<string, [Upload, Blob]>();
  /** Who owns each conversation, ticket and upload: `v:<visitorId>` or `u:<userId>`, as on the server. */
  readonly #owners = new Map<string, string>();
  /** Visitors whose history already moved to a signed-in shopper (once each). */
  readonly #merged = new Set<string>();
  #session: Session | undefined;
  /** clientId → [what was asked, the first answer]. */
  readonly #created = new Map<string, [string, unknown]>();
  readonly #listeners = new Set<Listener>();
  /** Per locale, the FAQ as last answered: the same object until the articles change (a tiny ETag). */
  readonly #faq = new Map<Locale, ArticleList>();
  readonly #orders: Order[];
  readonly #bot: NonNullable<MemoryAdapterOptions['bot']>;
  readonly #suggest: NonNullable<MemoryAdapterOptions['suggest']>;
  #articles: Article[];
  #eventId = 0;
  #ids = 0;

  /** The agent's side, for component tests and demos. */
  readonly agent = {
    /** An agent replies: the conversation goes to `agent`, the message arrives as an event. */
    reply: (conversationId: string, text: string): Message => {
      const conversation = this.#conversation(conversationId, true);
      if (conversation.status === 'closed') throw conflict('This conversation is closed');
      if (conversation.status !== 'agent') this.#setStatus(conversation, 'agent');
      return copy(this.#add(conversationId, 'agent', text, null));
    },
    /** An agent is typing in a conversation (the shopper sees the indicator). */
    typing: (conversationId: string) => this.#emit({ type: 'typing', conversationId, author: 'agent' }),
    /** An agent closes a conversation. */
    close: (conversationId: string): Conversation => copy(this.#setStatus(this.#conversation(conversationId, true), 'closed')),
    /** The agent has read the conversation, up to a message or its last: the shopper sees "Read". */
    read: (conversationId: string, messageId?: string): Conversation =>
      copy(this.#read(this.#conversation(conversationId, true), 'agent', messageId ?? this.#thread(conversationId).at(-1)?.id)),
    /** An agent moves a ticket; a move its state machine does not allow is a 409. */
    transition: (ticketId: string, to: TicketStatus, note?: string): Ticket => {
      const ticket = this.#ticket(ticketId, true);
      if (!canTransition(ticket.kind, ticket.status, to, 'agent')) {
        throw conflict(`A ${ticket.kind} cannot go from ${ticket.status} to ${to}`);
      }
      return copy(this.#move(ticket, to, 'agent', note));
    },
    /** An agent adds a comment to a ticket. */
    comment: (ticketId: string, text: string): Comment => copy(this.#comment(this.#ticket(ticketId, true), 'agent', text, null, [])),
    /** Replaces the FAQ: the next `faq()` answers a new list. */
    publish: (articles: Article[]) => {
      this.#articles = articles;
      this.#faq.clear();
    },
  };

  constructor(options: MemoryAdapterOptions = {}) {
    this.#bot = options.bot ?? ((text) => `You said: ${text}`);
    this.#articles = options.articles ?? [];
    this.#orders = options.orders ?? [];
    this.locale = options.locale;
    this.#suggest = options.suggest ??
      ((_context, adapter) => adapter.#articles.filter((a) => a.locale === (adapter.locale ?? 'en')).slice(0, 3)
        .map((a) => ({ id: `s-${a.id}`, text: a.title, articleId: a.id })));
  }

  /**
   * Opens a session; this adapter is one device, so its current session is the proof the server
   * asks for: signing in over an anonymous session moves that visitor's conversations, tickets and
   * uploads to the shopper, once, and tells the shopper's widgets (design §3).
   */
  async startSession(request: SessionRequest): Promise<Session> {
    const held = this.#session;
    const session: Session = {
      token: `memory-${request.site}`,
      // The visitor stays through a sign-in, as on the server; signing out starts a new one.
      visitorId: (request.userToken || !held?.user) && held?.visitorId || `v_${crypto.randomUUID()}`,
      // Any token signs in (there is no merchant secret to check here): the shopper who owns the orders.
      user: request.userToken ? { id: 'memory-shopper', name: null, email: null } : null,
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    };
    this.#session = session;
    if (session.user && held && !held.user && !this.#merged.has(held.visitorId)) {
      this.#merged.add(held.visitorId);
      for (const [id, owner] of this.#owners) {
        if (owner !== `v:${held.visitorId}`) continue;
        this.#owners.set(id, this.#owner);
        const moved = this.#conversations.get(id) ?? this.#tickets.get(id);
        if (moved) this.#emit('kind' in moved ? { type: 'ticket', ticket: moved } : { type: 'conversation', conversation: moved });
      }
    }
    return copy(session);
  }

  async listConversations(): Promise<ConversationList> {
    return { conversations: copy(this.#mine(this.#conversations).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))) };
  }

  createConversation(body: ConversationCreate) {
    return this.#create('conversations', ConversationCreate, body, ({ clientId }) => {
      const time = now();
      const conversation: Conversation = { id: this.#id('c'), clientId, status: 'bot', createdAt: time, updatedAt: time };
      this.#conversations.set(conversation.id, conversation);
      this.#owners.set(conversation.id, this.#owner);
      this.#messages.set(conversation.id, []);
      return conversation;
    });
  }

  async listMessages(conversationId: string, after?: string): Promise<MessageList> {
    const [messages, next] = pageOf(this.#thread(conversationId, false), after, MESSAGE_PAGE);
    return { messages, next };
  }

  postMessage(conversationId: string, body: MessageCreate) {
    return this.#create(`conversations/${conversationId}/messages`, MessageCreate, body, (input) => {
      const conversation = this.#conversation(conversationId);
      if (conversation.status === 'closed') throw conflict('This conversation is closed');
      const attachmentIds = this.#attachments(input.attachmentIds, true);
      const message = Object.assign(this.#add(conversationId, 'shopper', input.text, input.clientId, false), { attachmentIds });
      const answer = conversation.status === 'bot' ? this.#bot(message.text) : undefined;
      if (answer !== undefined) this.#add(conversationId, 'bot', answer, null);
      return message;
    });
  }

  async postMessages(conversationId: string, bodies: MessageCreate[]) {
    this.#conversation(conversationId); // Another shopper's or a missing one fails the whole request, as on the server.
    const answers: (Message | HttpError)[] = [];
    for (const body of bodies) answers.push(await this.postMessage(conversationId, body).catch((error: HttpError) => error));
    return answers;
  }

  async markRead(conversationId: string, messageId: string): Promise<Conversation> {
    const conversation = this.#conversation(conversationId);
    if (!this.#thread(conversationId).some((m) => m.id === messageId)) {
      throw invalid([{ path: 'messageId', message: 'is not a message of this conversation' }]);
    }
    return copy(this.#read(conversation, 'shopper', messageId));
  }

  async handoff(conversationId: string): Promise<Conversation> {
    const conversation = this.#conversation(conversationId);
    if (conversation.status === 'closed') throw conflict('This conversation is closed');
    if (conversation.status === 'bot') {
      this.#setStatus(conversation, 'queued');
      this.#add(conversationId, 'system', 'handoff_queued', null);
    }
    return copy(conversation);
  }

  async faq(locale: Locale): Promise<ArticleList> {
    let list = this.#faq.get(locale);
    if (!list) this.#faq.set(locale, (list = { articles: copy(this.#articles.filter((a) => a.locale === locale)) }));
    return list;
  }

  async suggestions(context: SuggestionContext = {}): Promise<SuggestionList> {
    return { questions: this.#suggest(context, this) };
  }

  async listOrders(cursor?: string): Promise<OrderList> {
    const [orders, next] = pageOf(this.#orders, cursor);
    return { orders, next };
  }

  async getOrder(id: string): Promise<Order> {
    return copy(this.#order(id));
  }

  async listTickets(cursor?: string): Promise<TicketList> {
    const [tickets, next] = pageOf(this.#mine(this.#tickets).reverse(), cursor);
    return { tickets, next };
  }

  async getTicket(id: string): Promise<Ticket> {
    return copy(this.#ticket(id));
  }

  createTicket(body: TicketCreate) {
    return this.#create('tickets', TicketCreate, body, (input) => {
      const refund = input.kind !== 'complaint';
      const items = input.items ?? [];
      const order = input.orderId ? this.#orders.find((o) => o.id === input.orderId) : undefined;
      const errors: FieldError[] = [];
      if (input.orderId && !order) errors.push({ path: 'orderId', message: 'is not one of your orders' });
      if (refund && !input.orderId) errors.push({ path: 'orderId', message: 'is required for a refund or a return' });
      if (refund && !items.length) errors.push({ path: 'items', message: 'must name at least one item to refund or return' });
      if (!refund && input.amount !== undefined) errors.push({ path: 'amount', message: 'only refunds and returns have an amount' });
      items.forEach(({ orderItemId, quantity }, i) => {
        const line = order?.items.find((item) => item.id === orderItemId);
        if (order && (!line || quantity > line.refundableQuantity)) {
          errors.push({ path: `items.${i}`, message: line ? 'is more than can still be refunded' : 'is not an item of this order' });
        }
      });
      errors.push(...this.#unknownUploads(input.attachmentIds));
      if (errors.length) throw invalid(errors);
      // Like the server, a refund is worth its items at most; the shopper may ask for less.
      const worth = items.reduce((sum, { orderItemId, quantity }) =>
        sum + quantity * (order?.items.find((item) => item.id === orderItemId)?.unitPrice.amount ?? 0), 0);
      const status = initialStatus(input.kind);
      const time = now();
      const ticket: Ticket = {
        id: this.#id('t'), clientId: input.clientId, kind: input.kind, status, orderId: input.orderId ?? null, items,
        category: input.category, description: input.description,
        amount: refund && order ? { amount: Math.min(input.amount ?? worth, worth), currency: order.total.currency } : null,
        attachmentIds: input.attachmentIds ?? [], timeline: [{ status, at: time, actor: 'shopper' }], comments: [],
        dueAt: due(status, true), appealable: true, createdAt: time, updatedAt: time,
      };
      this.#tickets.set(ticket.id, ticket);
      this.#owners.set(ticket.id, this.#owner);
      this.#emit({ type: 'ticket', ticket });
      return ticket;
    });
  }

  appeal(ticketId: string, body: AppealCreate) {
    return this.#create(`tickets/${ticketId}/appeal`, AppealCreate, body, (input) => {
      const ticket = this.#ticket(ticketId);
      if (!ticket.appealable || !canTransition(ticket.kind, ticket.status, 'appealed', 'shopper')) {
        throw conflict(`Only a rejected ticket can be appealed, once; this one is ${ticket.status}`);
      }
      this.#attachments(input.attachmentIds);
      ticket.attachmentIds = [...new Set([...ticket.attachmentIds, ...(input.attachmentIds ?? [])])];
      ticket.appealable = false; // One appeal per ticket: a rejection after it is final.
      return this.#move(ticket, 'appealed', 'shopper', input.reason);
    });
  }

  comment(ticketId: string, body: CommentCreate) {
    return this.#create(`tickets/${ticketId}/comments`, CommentCreate, body, (input) =>
      this.#comment(this.#ticket(ticketId), 'shopper', input.text, input.clientId, this.#attachments(input.attachmentIds)));
  }

  rate(body: RatingCreate) {
    return this.#create('ratings', RatingCreate, body, (input): Rating => ({
      id: this.#id('r'), clientId: input.clientId, subject: input.subject, score: input.score, comment: input.comment ?? null,
      createdAt: now(),
    }));
  }

  async upload(file: Blob, { clientId, name, onProgress, signal }: UploadOptions): Promise<Upload> {
    const refusal = uploadRefusal(file);
    if (refusal) throw refusal;
    if (signal?.aborted) throw aborted();
    const label = name || (file as File).name || 'upload';
    const upload = await this.#create('uploads', v.looseObject({ clientId: ClientId }), { clientId, name: label, type: file.type, size: file.size }, () => {
      const created: Upload = { id: this.#id('up'), clientId, name: label, type: file.type as UploadType, size: file.size, createdAt: now() };
      this.#uploads.set(created.id, [created, file]);
      this.#owners.set(created.id, this.#owner);
      return created;
    });
    onProgress?.(1);
    return upload;
  }

  async fetchUpload(id: string): Promise<Blob> {
    const stored = this.#uploads.get(id);
    if (!stored || !this.#owns(id)) throw notFound('upload');
    return stored[1];
  }

  subscribe(onEvent: Listener, options: EventStreamOptions = {}) {
    this.#listeners.add(onEvent);
    options.onState?.('open');
    return () => void this.#listeners.delete(onEvent);
  }

  /**
   * A create as the server runs it: the body checked, then once per clientId. The same clientId
   * with the same request replays the first answer; with another, 422. A failed create keeps nothing.
   */
  async #create<S extends v.GenericSchema<unknown, { clientId: string }>, T>(
    path: string, schema: S, body: unknown, make: (input: v.InferOutput<S>) => T,
  ): Promise<T> {
    const parsed = v.safeParse(schema, body);
    if (!parsed.success) throw invalid(fieldErrors(parsed.issues));
    const request = `${path} ${JSON.stringify(parsed.output)}`;
    const earlier = this.#created.get(parsed.output.clientId);
    if (earlier) {
      if (earlier[0] !== request) throw problem(422, 'Unprocessable Content', 'This Idempotency-Key was already used with another request');
      return copy(earlier[1] as T);
    }
    const created = copy(make(parsed.output));
    this.#created.set(parsed.output.clientId, [request, created]);
    return copy(created);
  }

  #id(prefix: string) {
    return `${prefix}_${++this.#ids}`;
  }

  /** Whose data the current session reaches. */
  get #owner() {
    const session = this.#session;
    return session?.user ? `u:${session.user.id}` : `v:${session?.visitorId}`;
  }

  #owns(id: string) {
    return this.#owners.get(id) === this.#owner;
  }

  #mine<T extends { id: string }>(items: Map<string, T>): T[] {
    return [...items.values()].filter((item) => this.#owns(item.id));
  }

  /** A conversation of this shopper (any, for the agent); another shopper's is the same 404 as a missing one. */
  #conversation(id: string, agent = false): Conversation {
    const conversation = this.#conversations.get(id);
    if (!conversation || !(agent || this.#owns(id))) throw notFound('conversation');
    return conversation;
  }

  #thread(conversationId: string, agent = true): Message[] {
    this.#conversation(conversationId, agent);
    return this.#messages.get(conversationId)!;
  }

  #ticket(id: string, agent = false): Ticket {
    const ticket = this.#tickets.get(id);
    if (!ticket || !(agent || this.#owns(id))) throw notFound('ticket');
    return ticket;
  }

  /** Moves a reader's position forward to `messageId` (never back) and tells the shopper's widgets. */
  #read(conversation: Conversation, reader: 'shopper' | 'agent', messageId: string | undefined): Conversation {
    const field = reader === 'agent' ? 'agentRead' : 'shopperRead';
    const thread = this.#thread(conversation.id);
    const at = (id: unknown) => thread.findIndex((m) => m.id === id);
    if (messageId && at(messageId) > at(conversation[field])) {
      conversation[field] = messageId;
      this.#emit({ type: 'read', conversationId: conversation.id, reader, messageId });
    }
    return conversation;
  }

  #order(id: string): Order {
    const order = this.#orders.find((o) => o.id === id);
    if (!order) throw notFound('order');
    return order;
  }

  /** Attachments must be this shopper's uploads, as on the server; a chat message's, images. */
  #unknownUploads(ids: string[] = [], images = false): FieldError[] {
    return ids.flatMap((id, i) => {
      const message = !this.#uploads.has(id) || !this.#owns(id) ? 'is not one of your uploads'
        : images && !this.#uploads.get(id)![0].type.startsWith('image/') ? 'must be an image (PNG, JPEG, GIF or WEBP)' : '';
      return message ? [{ path: `attachmentIds.${i}`, message }] : [];
    });
  }

  #attachments(ids: string[] = [], images?: boolean): string[] {
    const errors = this.#unknownUploads(ids, images);
    if (errors.length) throw invalid(errors);
    return ids;
  }

  /** Appends a message; anyone's but the shopper's own arrives as an event. */
  #add(conversationId: string, author: Message['author'], text: string | BotAnswer, clientId: string | null, announce = true): Message {
    const message: Message = {
      id: this.#id('m'), clientId, conversationId, author, createdAt: now(), ...(typeof text === 'string' ? { text } : text),
    };
    this.#thread(conversationId).push(message);
    this.#conversation(conversationId).updatedAt = message.createdAt;
    if (announce) this.#emit({ type: 'message', message });
    return message;
  }

  #setStatus(conversation: Conversation, status: Conversation['status']): Conversation {
    Object.assign(conversation, { status, updatedAt: now() });
    this.#emit({ type: 'conversation', conversation });
    return conversation;
  }

  #move(ticket: Ticket, to: TicketStatus, actor: 'shopper' | 'agent', note?: string): Ticket {
    const time = now();
    ticket.status = to;
    ticket.timeline.push({ status: to, at: time, actor, note: note ?? null });
    ticket.dueAt = due(to, ticket.appealable);
    ticket.updatedAt = time;
    this.#emit({ type: 'ticket', ticket });
    return ticket;
  }

  #comment(ticket: Ticket, author: 'shopper' | 'agent', text: string, clientId: string | null, attachmentIds: string[]): Comment {
    if (isClosed(ticket.status, ticket.appealable)) throw conflict(`This ticket is closed (${ticket.status}); it takes no more comments`);
    const comment: Comment = { id: this.#id('tc'), clientId, ticketId: ticket.id, author, text, attachmentIds, createdAt: now() };
    ticket.comments.push(comment);
    ticket.updatedAt = comment.createdAt;
    this.#emit({ type: 'ticket', ticket });
    return comment;
  }

  /**
   * Events go out a microtask after the change that caused them, each a snapshot of that moment,
   * to the widgets of the shopper it belongs to.
   */
  #emit(event: ServerEvent) {
    const about = event.type === 'ticket' ? event.ticket.id : event.type === 'conversation' ? event.conversation.id
      : event.type === 'message' ? event.message.conversationId : event.conversationId;
    if (!this.#owns(about)) return;
    const snapshot = copy(event);
    const id = String(++this.#eventId);
    queueMicrotask(() => {
      for (const listener of this.#listeners) listener(copy(snapshot), id);
    });
  }
}

/** When the merchant promised the next step, or null once nothing more will happen. */
function due(status: TicketStatus, appealable: boolean): string | null {
  const hours = promiseHours[status];
  return hours === undefined || isClosed(status, appealable) ? null : new Date(Date.now() + hours * 3_600_000).toISOString();
}
