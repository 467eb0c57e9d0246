/**
 * The contract (design §3) as valibot schemas: the client validates responses with them, the
 * reference server validates requests with them, and every TypeScript type is inferred from them.
 *
 * Request bodies are strict (an unknown field is a 400 naming it); resources are loose objects so
 * an older client keeps working when the server adds a field.
 */
import * as v from 'valibot';

export const SiteKey = v.pipe(v.string(), v.regex(/^pk_[A-Za-z0-9_-]{1,60}$/, 'must look like pk_…'));
export const ClientId = v.pipe(v.string(), v.uuid('must be a UUID'));
export const ResourceId = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
export const IsoTime = v.pipe(v.string(), v.isoTimestamp());
export const Locale = v.picklist(['en', 'zh-CN']);

export const User = v.object({
  id: v.string(),
  name: v.optional(v.nullable(v.string())),
  email: v.optional(v.nullable(v.string())),
});

export const SessionRequest = v.strictObject({
  site: SiteKey,
  visitorId: v.optional(v.pipe(v.string(), v.maxLength(64))),
  userToken: v.optional(v.pipe(v.string(), v.maxLength(4096))),
});

export const Session = v.object({
  token: v.string(),
  visitorId: v.string(),
  user: v.nullable(User),
  expiresAt: IsoTime,
});

export const ConversationStatus = v.picklist(['bot', 'queued', 'agent', 'closed']);

export const Conversation = v.object({
  id: ResourceId,
  clientId: v.string(),
  status: ConversationStatus,
  createdAt: IsoTime,
  updatedAt: IsoTime,
  /** The last message the shopper has read (on any of their devices), and the last one an agent has read. */
  shopperRead: v.optional(v.nullable(v.string())),
  agentRead: v.optional(v.nullable(v.string())),
});

/** A read position: everything up to this message of the conversation has been read. */
export const ReadRequest = v.strictObject({ messageId: ResourceId });
/** The agent's read position; without a message, up to the conversation's last one. */
export const AgentReadRequest = v.strictObject({ messageId: v.optional(ResourceId) });
export const Reader = v.picklist(['shopper', 'agent']);

/** What the shopper is looking at: drives suggestions and shows the agent the context. */
export const PageContext = v.strictObject({
  page: v.optional(v.pipe(v.string(), v.maxLength(512))),
  orderId: v.optional(ResourceId),
  productId: v.optional(ResourceId),
  tags: v.optional(v.pipe(v.array(v.pipe(v.string(), v.maxLength(64))), v.maxLength(20))),
  device: v.optional(v.picklist(['desktop', 'tablet', 'mobile'])),
  locale: v.optional(Locale),
});

export const ConversationCreate = v.strictObject({ clientId: ClientId, context: v.optional(PageContext) });

export const ConversationList = v.object({
  conversations: v.array(Conversation),
  next: v.optional(v.nullable(v.string())),
});

export const Author = v.picklist(['shopper', 'bot', 'agent', 'system']);
export const QuickAction = v.picklist(['track_order', 'start_refund', 'file_complaint', 'handoff']);

export const Message = v.object({
  id: ResourceId,
  clientId: v.nullable(v.string()),
  conversationId: ResourceId,
  author: Author,
  text: v.string(),
  createdAt: IsoTime,
  articleIds: v.optional(v.array(v.string())),
  actions: v.optional(v.array(QuickAction)),
  /** The shopper's images (upload ids; `GET /v1/uploads/:id`). Optional: servers before it send none. */
  attachmentIds: v.optional(v.array(v.string())),
});

export const MessageText = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1, 'must not be empty'),
  v.maxLength(4000, 'must be at most 4000 characters'),
);

export const MessageCreate = v.strictObject({
  clientId: ClientId,
  text: MessageText,
  /** Images (PNG, JPEG, GIF, WEBP) the shopper uploaded; the server refuses others' uploads and PDFs. */
  attachmentIds: v.optional(v.pipe(v.array(ResourceId), v.maxLength(10))),
});

export const MessageList = v.object({
  messages: v.array(Message),
  next: v.optional(v.nullable(v.string())),
});

export const HandoffRequest = v.strictObject({ reason: v.optional(v.pipe(v.string(), v.maxLength(500))) });

// --- help centre -------------------------------------------------------------------------------
export const Article = v.object({
  id: ResourceId,
  title: v.string(),
  /** A tiny safe subset: paragraphs, `- ` lists, **bold**, [links](https://…); parsed, never HTML. */
  body: v.string(),
  tags: v.array(v.string()),
  locale: Locale,
  updatedAt: IsoTime,
});
export const ArticleList = v.object({ articles: v.array(Article) });

export const Suggestion = v.object({
  id: v.string(),
  text: v.string(),
  articleId: v.optional(v.string()),
  action: v.optional(QuickAction),
});
export const SuggestionList = v.object({ questions: v.array(Suggestion) });

// --- orders ------------------------------------------------------------------------------------
/** Money in minor units (fen, cents) with its ISO currency, so no float ever rounds a refund. */
export const Money = v.object({ amount: v.pipe(v.number(), v.integer()), currency: v.pipe(v.string(), v.length(3)) });

export const OrderStatus = v.picklist(['pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded']);
export const OrderItem = v.object({
  id: ResourceId,
  productId: v.string(),
  name: v.string(),
  quantity: v.number(),
  unitPrice: Money,
  /** How many of this line can still be refunded or returned. */
  refundableQuantity: v.number(),
});
export const TrackingEvent = v.object({
  at: IsoTime,
  status: v.string(),
  description: v.string(),
  location: v.optional(v.nullable(v.string())),
});
export const ShipmentStatus = v.picklist(['label_created', 'in_transit', 'out_for_delivery', 'delivered', 'delayed', 'exception']);
export const Shipment = v.object({
  id: ResourceId,
  carrier: v.string(),
  trackingNumber: v.string(),
  status: ShipmentStatus,
  estimatedDelivery: v.nullable(IsoTime),
  events: v.array(TrackingEvent),
});
export const Order = v.object({
  id: ResourceId,
  number: v.string(),
  status: OrderStatus,
  placedAt: IsoTime,
  total: Money,
  items: v.array(OrderItem),
  shipments: v.array(Shipment),
  /** Refunds and returns may be requested until then; null when they no longer can. */
  refundableUntil: v.nullable(IsoTime),
});
export const OrderList = v.object({ orders: v.array(Order), next: v.optional(v.nullable(v.string())) });

// --- tickets: complaints, refunds, returns, appeals --------------------------------------------
export const TicketKind = v.picklist(['complaint', 'refund', 'return']);
export const TicketStatus = v.picklist([
  'submitted', 'acknowledged', 'investigating', 'resolved', 'rejected', 'appealed',
  'requested', 'approved', 'awaiting_return', 'return_received', 'refunded',
]);
export const Actor = v.picklist(['shopper', 'agent', 'system']);
export const TimelineEntry = v.object({
  status: TicketStatus,
  at: IsoTime,
  actor: Actor,
  note: v.optional(v.nullable(v.string())),
});
export const TicketItem = v.object({ orderItemId: ResourceId, quantity: v.pipe(v.number(), v.integer(), v.minValue(1)) });
export const Comment = v.object({
  id: ResourceId,
  clientId: v.nullable(v.string()),
  ticketId: ResourceId,
  author: Actor,
  text: v.string(),
  attachmentIds: v.array(v.string()),
  createdAt: IsoTime,
});
export const Ticket = v.object({
  id: ResourceId,
  clientId: v.string(),
  kind: TicketKind,
  status: TicketStatus,
  orderId: v.nullable(v.string()),
  items: v.array(TicketItem),
  category: v.string(),
  description: v.string(),
  amount: v.nullable(Money),
  attachmentIds: v.array(v.string()),
  timeline: v.array(TimelineEntry),
  comments: v.array(Comment),
  /** When the merchant promised an answer or the next step. */
  dueAt: v.nullable(IsoTime),
  /** True while a rejection can still be appealed (once per ticket). */
  appealable: v.boolean(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export const TicketList = v.object({ tickets: v.array(Ticket), next: v.optional(v.nullable(v.string())) });

const Text = (max: number) => v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(max, `must be at most ${max} characters`));
const AttachmentIds = v.optional(v.pipe(v.array(ResourceId), v.maxLength(10)));

export const TicketCreate = v.strictObject({
  clientId: ClientId,
  kind: TicketKind,
  orderId: v.optional(ResourceId),
  items: v.optional(v.pipe(v.array(v.strictObject({
    orderItemId: ResourceId,
    quantity: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(999)),
  })), v.maxLength(50))),
  category: Text(64),
  description: Text(4000),
  /** Requested refund in minor units; the server checks it against the items. */
  amount: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  attachmentIds: AttachmentIds,
});
export const AppealCreate = v.strictObject({ clientId: ClientId, reason: Text(4000), attachmentIds: AttachmentIds });
export const CommentCreate = v.strictObject({ clientId: ClientId, text: Text(4000), attachmentIds: AttachmentIds });

// --- ratings and uploads -----------------------------------------------------------------------
export const RatingSubject = v.strictObject({ type: v.picklist(['conversation', 'ticket', 'article']), id: ResourceId });
export const RatingCreate = v.strictObject({
  clientId: ClientId,
  subject: RatingSubject,
  score: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(5)),
  comment: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(2000))),
});
export const Rating = v.object({
  id: ResourceId,
  clientId: v.string(),
  subject: v.object({ type: v.picklist(['conversation', 'ticket', 'article']), id: v.string() }),
  score: v.number(),
  comment: v.optional(v.nullable(v.string())),
  createdAt: IsoTime,
});

// --- help facts (what the shopper did in the Help tab, for the console's figures) ---------------
/** At most this many facts in one `POST /v1/help-events` batch, and this long a search. */
export const MAX_HELP_EVENTS = 50;
export const MAX_HELP_QUERY = 200;
/** One settled FAQ search (its query and how many articles it found) or one article opened. */
export const HelpEvent = v.variant('type', [
  v.strictObject({
    type: v.literal('search'),
    query: Text(MAX_HELP_QUERY),
    results: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10_000)),
  }),
  v.strictObject({ type: v.literal('view'), articleId: ResourceId }),
]);
/**
 * A batch of help facts of one help session (`session`: a UUID the widget draws when the shopper
 * starts using Help, renewed after 30 idle minutes), with the page, device and locale it happened on.
 */
export const HelpEventBatch = v.strictObject({
  clientId: ClientId,
  session: ClientId,
  context: v.optional(PageContext),
  events: v.pipe(v.array(HelpEvent), v.minLength(1, 'must hold at least one event'), v.maxLength(MAX_HELP_EVENTS, `must hold at most ${MAX_HELP_EVENTS} events`)),
});
/** What the server kept of a batch: views of articles the site does not have are left out. */
export const HelpEventsAccepted = v.object({ session: v.string(), accepted: v.number() });

export const UploadType = v.picklist(['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'application/pdf']);
/** Uploads are limited to this size, checked by the client before sending and by the server. */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
export const Upload = v.object({
  id: ResourceId,
  clientId: v.string(),
  name: v.string(),
  type: UploadType,
  size: v.number(),
  createdAt: IsoTime,
});

// --- agent side --------------------------------------------------------------------------------
export const Shopper = v.object({
  owner: v.string(),
  visitorId: v.nullable(v.string()),
  user: v.nullable(User),
});
export const AgentConversation = v.object({
  ...Conversation.entries,
  shopper: Shopper,
  context: v.nullable(v.object({ ...PageContext.entries })),
  lastMessage: v.nullable(Message),
});
export const AgentConversationList = v.object({ conversations: v.array(AgentConversation), next: v.optional(v.nullable(v.string())) });
export const AgentReply = v.strictObject({ text: MessageText });
export const AgentTicket = v.object({ ...Ticket.entries, shopper: Shopper });
export const AgentTicketList = v.object({ tickets: v.array(AgentTicket), next: v.optional(v.nullable(v.string())) });
export const TicketTransition = v.strictObject({ to: TicketStatus, note: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(2000))) });

/** One field error inside a problem document: `path` is dotted (`items.0.quantity`). */
export const FieldError = v.object({ path: v.string(), message: v.string() });

export const Problem = v.object({
  type: v.string(),
  title: v.string(),
  status: v.number(),
  detail: v.optional(v.string()),
  errors: v.optional(v.array(FieldError)),
});

/** The most messages one batch carries (the outbox's flush sends a lane's queue in runs of this many). */
export const MESSAGE_BATCH = 200;

/** One message of a batch: its own Idempotency-Key, and the body a single post would have. */
export const MessageBatchItem = v.strictObject({
  key: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  message: MessageCreate,
});

/** `POST /v1/conversations/:id/messages/batch`: up to `MESSAGE_BATCH` messages, stored in order. */
export const MessageBatch = v.strictObject({
  messages: v.pipe(v.array(MessageBatchItem), v.minLength(1), v.maxLength(MESSAGE_BATCH)),
});

/**
 * Each message's answer, in order: what its single post would have answered (201 and the message,
 * also when its key replays, or a 4xx problem of its own, paths under `messages.N.message`). A
 * failure worth a retry (5xx) fails the whole request instead: the messages stored before it replay
 * when it is sent again, and none after it is stored ahead of it.
 */
export const MessageBatchResult = v.object({
  results: v.array(v.union([
    v.object({ status: v.literal(201), message: Message }),
    v.object({ status: v.number(), problem: Problem }),
  ])),
});

/** Events on `GET /v1/events`; `id` is the SSE id used for `Last-Event-ID` resume. */
export const ServerEvent = v.variant('type', [
  v.object({ type: v.literal('message'), message: Message }),
  v.object({ type: v.literal('conversation'), conversation: Conversation }),
  v.object({ type: v.literal('ticket'), ticket: Ticket }),
  v.object({ type: v.literal('typing'), conversationId: ResourceId, author: Author }),
  v.object({ type: v.literal('read'), conversationId: ResourceId, reader: Reader, messageId: ResourceId }),
]);

export type SiteKey = v.InferOutput<typeof SiteKey>;
export type Locale = v.InferOutput<typeof Locale>;
export type User = v.InferOutput<typeof User>;
export type SessionRequest = v.InferInput<typeof SessionRequest>;
export type Session = v.InferOutput<typeof Session>;
export type ConversationStatus = v.InferOutput<typeof ConversationStatus>;
export type Conversation = v.InferOutput<typeof Conversation>;
export type ConversationCreate = v.InferInput<typeof ConversationCreate>;
export type ConversationList = v.InferOutput<typeof ConversationList>;
export type Author = v.InferOutput<typeof Author>;
export type QuickAction = v.InferOutput<typeof QuickAction>;
export type Message = v.InferOutput<typeof Message>;
export type MessageCreate = v.InferInput<typeof MessageCreate>;
export type MessageList = v.InferOutput<typeof MessageList>;
export type MessageBatch = v.InferInput<typeof MessageBatch>;
export type MessageBatchResult = v.InferOutput<typeof MessageBatchResult>;
export type FieldError = v.InferOutput<typeof FieldError>;
export type Problem = v.InferOutput<typeof Problem>;
export type ServerEvent = v.InferOutput<typeof ServerEvent>;
export type PageContext = v.InferOutput<typeof PageContext>;
export type HandoffRequest = v.InferInput<typeof HandoffRequest>;
export type ReadRequest = v.InferInput<typeof ReadRequest>;
export type Reader = v.InferOutput<typeof Reader>;
export type Article = v.InferOutput<typeof Article>;
export type ArticleList = v.InferOutput<typeof ArticleList>;
export type Suggestion = v.InferOutput<typeof Suggestion>;
export type SuggestionList = v.InferOutput<typeof SuggestionList>;
export type Money = v.InferOutput<typeof Money>;
export type OrderStatus = v.InferOutput<typeof OrderStatus>;
export type OrderItem = v.InferOutput<typeof OrderItem>;
export type TrackingEvent = v.InferOutput<typeof TrackingEvent>;
export type Shipment = v.InferOutput<typeof Shipment>;
export type Order = v.InferOutput<typeof Order>;
export type OrderList = v.InferOutput<typeof OrderList>;
export type TicketKind = v.InferOutput<typeof TicketKind>;
export type TicketStatus = v.InferOutput<typeof TicketStatus>;
export type Actor = v.InferOutput<typeof Actor>;
export type TimelineEntry = v.InferOutput<typeof TimelineEntry>;
export type TicketItem = v.InferOutput<typeof TicketItem>;
export type Comment = v.InferOutput<typeof Comment>;
export type Ticket = v.InferOutput<typeof Ticket>;
export type TicketList = v.InferOutput<typeof TicketList>;
export type TicketCreate = v.InferInput<typeof TicketCreate>;
export type AppealCreate = v.InferInput<typeof AppealCreate>;
export type CommentCreate = v.InferInput<typeof CommentCreate>;
export type RatingCreate = v.InferInput<typeof RatingCreate>;
export type Rating = v.InferOutput<typeof Rating>;
export type HelpEvent = v.InferOutput<typeof HelpEvent>;
export type HelpEventBatch = v.InferInput<typeof HelpEventBatch>;
export type HelpEventsAccepted = v.InferOutput<typeof HelpEventsAccepted>;
export type UploadType = v.InferOutput<typeof UploadType>;
export type Upload = v.InferOutput<typeof Upload>;
export type Shopper = v.InferOutput<typeof Shopper>;
export type AgentConversation = v.InferOutput<typeof AgentConversation>;
export type AgentConversationList = v.InferOutput<typeof AgentConversationList>;
export type AgentReply = v.InferInput<typeof AgentReply>;
export type AgentTicket = v.InferOutput<typeof AgentTicket>;
export type AgentTicketList = v.InferOutput<typeof AgentTicketList>;
export type TicketTransition = v.InferInput<typeof TicketTransition>;

/** Flattens valibot issues into `{path, message}` pairs, the shape of problem+json `errors`. */
export function fieldErrors(issues: readonly v.BaseIssue<unknown>[]): FieldError[] {
  return issues.map((issue) => ({
    path: (issue.path ?? []).map((item) => String(item.key)).join('.') || '(body)',
    message: issue.message,
  }));
}

// --- service insights and alerts (agent side) ---------------------------------------------------
/** What `GET /v1/agent/insights` groups its figures by. */
export const InsightsGroupBy = v.picklist(['day', 'flow', 'topic', 'page', 'device', 'agent']);
/** A date (`2025-03-01`, the whole day in UTC) or an ISO timestamp. */
export const InsightsTime = v.pipe(
  v.string(),
  v.regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/, 'must be a date (YYYY-MM-DD) or an ISO timestamp'),
);
/** The query of `GET /v1/agent/insights`: `from` inclusive, `to` exclusive (a date `to` includes that day). */
export const InsightsQuery = v.strictObject({
  from: v.optional(InsightsTime),
  to: v.optional(InsightsTime),
  groupBy: v.optional(InsightsGroupBy),
  site: v.optional(v.pipe(v.string(), v.maxLength(64))),
});
/** Waits in milliseconds: how many were measured, their median and 90th percentile (null when none). */
export const Durations = v.object({ count: v.number(), medianMs: v.nullable(v.number()), p90Ms: v.nullable(v.number()) });
export const InsightFigures = v.object({
  ratings: v.object({
    count: v.number(),
    average: v.nullable(v.number()),
    /** Share of ratings scoring 4–5, 0..1 (null without ratings). */
    satisfied: v.nullable(v.number()),
    /** Share of ratings scoring 1–2, 0..1. */
    dissatisfied: v.nullable(v.number()),
  }),
  /** Conversations started. */
  conversations: v.number(),
  /** Of those, how many went to a person, and the share. */
  handoffs: v.number(),
  handoffRate: v.nullable(v.number()),
  firstResponse: v.object({ bot: Durations, agent: Durations }),
  /** Conversations closed and tickets closed, timed from their start. */
  resolution: Durations,
  ticketsCreated: v.number(),
  /** Tickets that broke a promised `dueAt`: moved after it, or still open past it. */
  ticketsPastDue: v.number(),
  /**
   * Help sessions started in the range and ended (no help fact for 30 minutes), and of those the
   * self-served: no conversation or ticket of the same shopper from one minute before the session's
   * first fact to 30 minutes after its last (demo/server/insights.ts). The rate is null without sessions.
   */
  helpSessions: v.number(),
  selfServed: v.number(),
  selfServiceRate: v.nullable(v.number()),
  /** Settled FAQ searches, and those that found nothing. */
  searches: v.number(),
  searchesWithoutResult: v.number(),
});
/** A search that found nothing, normalised (NFKC, lower case, spaces collapsed): how often, and when last. */
export const ContentGap = v.object({ query: v.string(), count: v.number(), lastSeen: IsoTime });
/**
 * Counts of waits per bucket: bucket `i` holds waits from `boundsMs[i - 1]` (0 for the first)
 * up to but not including `boundsMs[i]`; the last bucket is everything from the last bound on.
 */
export const ResponseDistribution = v.object({
  boundsMs: v.array(v.number()),
  bot: v.array(v.number()),
  agent: v.array(v.number()),
  resolution: v.array(v.number()),
});
export const InsightGroup = v.object({ key: v.string(), ...InsightFigures.entries });
export const Insights = v.object({
  from: IsoTime,
  to: IsoTime,
  groupBy: InsightsGroupBy,
  total: InsightFigures,
  groups: v.array(InsightGroup),
  /** The most frequent searches without a result in the range, most frequent first. */
  contentGaps: v.array(ContentGap),
  /** First responses (bot, person) and resolutions of the range by how long they took. */
  distribution: ResponseDistribution,
});

export const AlertStatus = v.picklist(['open', 'resolved']);
/** Raised by a rating of 1–2: what was rated, by whom, and what the agent did about it. */
export const Alert = v.object({
  id: ResourceId,
  site: v.string(),
  status: AlertStatus,
  ratingId: ResourceId,
  score: v.number(),
  comment: v.nullable(v.string()),
  subject: v.object({ type: v.picklist(['conversation', 'ticket', 'article']), id: v.string() }),
  shopper: Shopper,
  followUpTicketId: v.nullable(v.string()),
  createdAt: IsoTime,
  resolvedAt: v.nullable(IsoTime),
});
export const AlertList = v.object({ alerts: v.array(Alert), next: v.optional(v.nullable(v.string())) });
/** A follow-up complaint an agent opens for the shopper from an alert; both fields default from the rating. */
export const FollowUpCreate = v.strictObject({
  category: v.optional(Text(64)),
  description: v.optional(Text(4000)),
});

export type InsightsGroupBy = v.InferOutput<typeof InsightsGroupBy>;
export type InsightsQuery = v.InferOutput<typeof InsightsQuery>;
export type Durations = v.InferOutput<typeof Durations>;
export type InsightFigures = v.InferOutput<typeof InsightFigures>;
export type InsightGroup = v.InferOutput<typeof InsightGroup>;
export type Insights = v.InferOutput<typeof Insights>;
export type ContentGap = v.InferOutput<typeof ContentGap>;
export type ResponseDistribution = v.InferOutput<typeof ResponseDistribution>;
export type AlertStatus = v.InferOutput<typeof AlertStatus>;
export type Alert = v.InferOutput<typeof Alert>;
export type AlertList = v.InferOutput<typeof AlertList>;
export type FollowUpCreate = v.InferInput<typeof FollowUpCreate>;
