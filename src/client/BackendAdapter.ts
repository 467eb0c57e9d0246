import type {
  AppealCreate, ArticleList, Comment, CommentCreate, HelpEventBatch, Conversation, ConversationCreate, ConversationList, Locale,
  Message, MessageCreate, MessageList, Order, OrderList, PageContext, Rating, RatingCreate, ServerEvent, Session,
  SessionRequest, SuggestionList, Ticket, TicketCreate, TicketList, Upload,
} from '../api/schemas';
import type { HttpError } from './errors';

/**
 * Connection state of the live events, for the UI's online/offline hints. `polling` means the
 * event stream is blocked (by a proxy, say) and events arrive by polling instead: live, but slower.
 */
export type StreamState = 'connecting' | 'open' | 'polling' | 'closed';

export interface EventStreamOptions {
  /** Resume after this event id (SSE `Last-Event-ID`). */
  lastEventId?: string;
  onState?: (state: StreamState) => void;
  /** Interval of the polling fallback in ms (default 5 s; it backs off on failures). */
  pollMs?: number;
}

/** What suggested questions depend on. */
export type SuggestionContext = Pick<PageContext, 'page' | 'orderId' | 'productId'>;

export interface UploadOptions {
  /** The client UUID, sent as `Idempotency-Key`. */
  clientId: string;
  /** File name shown to the agent; default: the File's own name. */
  name?: string;
  /**
   * The share sent so far, 0 to 1; always 1 once the server has the file. (Browsers report nothing
   * in between for a page a service worker controls.)
   */
  onProgress?: (fraction: number) => void;
  /** Aborting cancels the request; the call rejects with a KefuError `aborted`. */
  signal?: AbortSignal;
}

/**
 * Everything the widget needs from a backend. `RestAdapter` speaks the reference REST contract;
 * a merchant with another backend implements this interface. Creates are idempotent on the
 * body's `clientId`, so the outbox may send the same item again after a lost answer. Lists page
 * with the opaque `next` of the previous page.
 */
export interface BackendAdapter {
  /** The shopper's language for text the server writes (bot replies, suggestions); may change live. */
  locale?: Locale | undefined;
  /** Opens a session for the site; renews the current one when it has one. */
  startSession(request: SessionRequest): Promise<Session>;
  /** The shopper's conversations, most recently active first. */
  listConversations(): Promise<ConversationList>;
  /** Starts a conversation, optionally with what the shopper is looking at. */
  createConversation(body: ConversationCreate): Promise<Conversation>;
  /** A page of a conversation's messages, oldest first, after the message `after`. */
  listMessages(conversationId: string, after?: string): Promise<MessageList>;
  /** Sends a message; bot and agent replies arrive as events. */
  postMessage(conversationId: string, body: MessageCreate): Promise<Message>;
  /**
   * Sends up to `MESSAGE_BATCH` messages of a conversation in one request, in order, each idempotent
   * by its client id as its single post would be; answers each one's message or `HttpError`, in order.
   * A rejection (no answer, 5xx, a 4xx of the whole request) leaves each to be sent again or alone.
   * Optional: without it the outbox sends messages one by one.
   */
  postMessages?(conversationId: string, bodies: MessageCreate[]): Promise<(Message | HttpError)[]>;
  /** Asks for a person (bot → queued); a no-op once people have it. */
  handoff(conversationId: string, reason?: string): Promise<Conversation>;
  /**
   * Marks a conversation read up to a message, for every device of the shopper (a `read` event
   * tells the others). Optional: without it, read state stays on this device.
   */
  markRead?(conversationId: string, messageId: string): Promise<Conversation>;
  /** FAQ articles of one locale; unchanged since the last call → the very same object again. */
  faq(locale: Locale): Promise<ArticleList>;
  /** Suggested questions for what the shopper is looking at. */
  suggestions(context?: SuggestionContext): Promise<SuggestionList>;
  /** A page of the shopper's orders, newest first. */
  listOrders(after?: string): Promise<OrderList>;
  /** One order with items, shipments and what is still refundable. */
  getOrder(id: string): Promise<Order>;
  /** A page of the shopper's complaints, refunds and returns. */
  listTickets(after?: string): Promise<TicketList>;
  /** One ticket with its timeline and comments. */
  getTicket(id: string): Promise<Ticket>;
  /** Files a complaint, or asks for a refund or a return. */
  createTicket(body: TicketCreate): Promise<Ticket>;
  /** Appeals a rejected ticket (once); answers the ticket, now `appealed`. */
  appeal(ticketId: string, body: AppealCreate): Promise<Ticket>;
  /** Adds a note or evidence to a ticket. */
  comment(ticketId: string, body: CommentCreate): Promise<Comment>;
  /** Rates a conversation, a ticket or an article. */
  rate(body: RatingCreate): Promise<Rating>;
  /** Records what the shopper did in Help (settled searches, articles opened); optional, analytics only. */
  helpEvents?(batch: HelpEventBatch): Promise<unknown>;
  /** Uploads an image or PDF; refuses other types and oversized files before sending. */
  upload(file: Blob, options: UploadOptions): Promise<Upload>;
  /** The bytes of one of the shopper's uploads (make an object URL of it to show it). */
  fetchUpload(id: string): Promise<Blob>;
  /** Subscribes to the shopper's events (`id` is the SSE id, `''` when polled); returns a function that closes them. */
  subscribe(onEvent: (event: ServerEvent, id: string) => void, options?: EventStreamOptions): () => void;
  /** Ends every request under way and refuses new ones: the widget is destroyed, or the shopper changed. */
  close?(): void;
}
