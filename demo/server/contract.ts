/**
 * The REST contract of design §3 as data: one row per endpoint, with the shared valibot schemas for
 * its body, query and answer. The OpenAPI document (`openapi.ts`) is generated from this table, and
 * `test/server/openapi.test.ts` fails when the routes the app registers and this table diverge, or
 * when a real answer does not match its row's schema.
 */
import * as v from 'valibot';
import {
  AgentConversation, AgentConversationList, AgentReadRequest, ReadRequest, AgentReply, AgentTicket, AgentTicketList, Alert, AlertList, AlertStatus, AppealCreate,
  ArticleList, Comment, CommentCreate, FollowUpCreate, Insights, InsightsGroupBy, InsightsTime,
  Conversation, ConversationCreate, ConversationList, ConversationStatus, HandoffRequest, HelpEventBatch, HelpEventsAccepted, Locale, Message,
  MessageBatch, MessageBatchResult, MessageCreate, MessageList, Order, OrderList, Rating, RatingCreate, ResourceId, ServerEvent, Session, SessionRequest,
  SuggestionList, Ticket, TicketCreate, TicketKind, TicketList, TicketStatus, TicketTransition, Upload, UploadType,
} from '../../src/api/schemas';

type Schema = v.GenericSchema;

export type Auth = 'none' | 'shopper' | 'agent';

export interface QueryParam {
  schema: Schema;
  description: string;
  required?: boolean;
}

/** What a successful call answers. */
export type Success =
  | { status: 200 | 201; kind: 'json'; schema: Schema | null; description: string }
  | { status: 200; kind: 'sse'; event: Schema; description: string }
  | { status: 200; kind: 'binary'; types: readonly string[]; description: string }
  | { status: 204; kind: 'empty'; description: string };

export type Body =
  | { kind: 'json'; schema: Schema; optional?: boolean }
  /** multipart/form-data: a `file` part and an optional `name`. */
  | { kind: 'upload'; types: readonly string[] };

export interface Endpoint {
  method: 'GET' | 'POST';
  /** Hono style, with `:id` parameters. */
  path: `/v1/${string}`;
  auth: Auth;
  summary: string;
  tag: 'session' | 'chat' | 'help' | 'orders' | 'tickets' | 'ratings' | 'uploads' | 'events' | 'agent' | 'meta';
  body?: Body;
  query?: Record<string, QueryParam>;
  /** An `Idempotency-Key` header is required (400 without; the same key with another body is 422). */
  idempotent: boolean;
  success: Success;
  /** Error statuses beyond those every row of its kind may answer (see `errorStatuses`). */
  errors?: readonly number[];
  /** Answers carry an ETag and honour If-None-Match with 304. */
  etag?: boolean;
  /** Resumable with `Last-Event-ID`. */
  resumable?: boolean;
}

const json = (status: 200 | 201, schema: Schema | null, description: string): Success => ({ status, kind: 'json', schema, description });
const body = (schema: Schema, optional = false): Body => ({ kind: 'json', schema, optional });
const text = (description: string, schema: Schema = v.string()): QueryParam => ({ schema, description });

/** A conversation's messages page with `after`: the last message id the client holds. */
const after = text('Messages after this one (the `next` of the previous page)');
/** Other lists page with `cursor` and `limit` (demo/server/paging.ts). */
const paged: Record<string, QueryParam> = {
  cursor: text('Opaque cursor: the `next` of the previous page; an unknown one is a 400'),
  limit: text('Page size, 1 to 100 (default 20)', v.pipe(v.string(), v.regex(/^\d+$/))),
};

/**
 * The console's events (`GET /v1/agent/events`, written by demo/server/agentEvents.ts and the
 * ratings route). Not in src/api/schemas.ts because no client in src/ reads them yet; a schema here
 * keeps the document honest until the console's client moves it there.
 */
export const AgentEvent = v.variant('type', [
  v.object({ type: v.literal('message'), site: v.string(), conversationId: ResourceId, message: Message }),
  v.object({ type: v.literal('conversation'), site: v.string(), conversation: AgentConversation }),
  v.object({
    type: v.literal('ticket'), site: v.string(), change: v.picklist(['created', 'appealed', 'commented', 'transitioned', 'merged']), ticket: AgentTicket,
  }),
  v.object({ type: v.literal('rating'), owner: v.string(), rating: Rating }),
  v.object({ type: v.literal('alert'), site: v.string(), alert: Alert }),
]);

/** Schemas the table names that `src/api/schemas.ts` does not export; documented as components too. */
export const contractSchemas = { AgentEvent };


export const contract: readonly Endpoint[] = [
  // --- session and meta --------------------------------------------------------------------------
  {
    method: 'POST', path: '/v1/sessions', auth: 'none', tag: 'session', idempotent: false,
    summary: 'Start a shopper session (anonymous visitor or signed user); the current token as bearer merges the visitor once',
    body: body(SessionRequest), success: json(201, Session, 'The session'), errors: [403],
  },
  {
    method: 'GET', path: '/v1/openapi.json', auth: 'none', tag: 'meta', idempotent: false,
    summary: 'This document', success: json(200, null, 'OpenAPI 3.1 document'), etag: true,
  },
  // --- help centre -------------------------------------------------------------------------------
  {
    method: 'GET', path: '/v1/faq', auth: 'shopper', tag: 'help', idempotent: false,
    summary: 'FAQ articles in one locale', query: { locale: text('Article language', Locale) },
    success: json(200, ArticleList, 'The articles'), etag: true,
  },
  {
    method: 'GET', path: '/v1/suggestions', auth: 'shopper', tag: 'help', idempotent: false,
    summary: 'Suggested questions for what the shopper is looking at',
    query: {
      page: text('The page path or URL the shopper is on'),
      orderId: text('The order on screen', ResourceId),
      productId: text('The product on screen', ResourceId),
    },
    success: json(200, SuggestionList, 'Questions, best first'),
  },
  {
    method: 'POST', path: '/v1/help-events', auth: 'shopper', tag: 'help', idempotent: true,
    summary: 'Record what the shopper did in Help: settled FAQ searches with their result counts, articles opened (a batch of one help session)',
    body: body(HelpEventBatch), success: json(201, HelpEventsAccepted, 'How many facts were kept'), errors: [404],
  },
  // --- conversations -----------------------------------------------------------------------------
  {
    method: 'GET', path: '/v1/conversations', auth: 'shopper', tag: 'chat', idempotent: false,
    summary: "The shopper's conversations, newest first", success: json(200, ConversationList, 'Conversations'),
  },
  {
    method: 'POST', path: '/v1/conversations', auth: 'shopper', tag: 'chat', idempotent: true,
    summary: 'Start a conversation', body: body(ConversationCreate), success: json(201, Conversation, 'The conversation'),
  },
  {
    method: 'GET', path: '/v1/conversations/:id/messages', auth: 'shopper', tag: 'chat', idempotent: false,
    summary: 'Messages of a conversation, oldest first', query: { after },
    success: json(200, MessageList, 'A page of messages'),
  },
  {
    method: 'POST', path: '/v1/conversations/:id/messages', auth: 'shopper', tag: 'chat', idempotent: true,
    summary: 'Send a message; bot or agent replies arrive as events',
    body: body(MessageCreate), success: json(201, Message, "The shopper's message"),
  },
  {
    method: 'POST', path: '/v1/conversations/:id/messages/batch', auth: 'shopper', tag: 'chat', idempotent: false,
    summary: "Send up to 200 messages in order, each under its own key (the body's, not a header) and answered as its single post would be; counts as one request per message for the rate limits",
    body: body(MessageBatch), success: json(200, MessageBatchResult, "Each message's answer, in order"),
  },
  {
    method: 'POST', path: '/v1/conversations/:id/handoff', auth: 'shopper', tag: 'chat', idempotent: false,
    summary: 'Ask for a person: bot → queued (a no-op once with people)',
    body: body(HandoffRequest, true), success: json(200, Conversation, 'The conversation'), errors: [409],
  },
  {
    method: 'POST', path: '/v1/conversations/:id/read', auth: 'shopper', tag: 'chat', idempotent: false,
    summary: "Mark the conversation read up to a message on every device of the shopper (a position only moves forward); a `read` event tells the shopper's other widgets",
    body: body(ReadRequest), success: json(200, Conversation, 'The conversation with its read positions'),
  },
  // --- orders ------------------------------------------------------------------------------------
  {
    method: 'GET', path: '/v1/orders', auth: 'shopper', tag: 'orders', idempotent: false,
    summary: "The shopper's orders with items, shipments, tracking and refundable items", query: paged,
    success: json(200, OrderList, 'A page of orders'),
  },
  {
    method: 'GET', path: '/v1/orders/:id', auth: 'shopper', tag: 'orders', idempotent: false,
    summary: 'One order', success: json(200, Order, 'The order'),
  },
  // --- tickets -----------------------------------------------------------------------------------
  {
    method: 'GET', path: '/v1/tickets', auth: 'shopper', tag: 'tickets', idempotent: false,
    summary: "The shopper's complaints, refunds and returns", query: paged,
    success: json(200, TicketList, 'A page of tickets'),
  },
  {
    method: 'POST', path: '/v1/tickets', auth: 'shopper', tag: 'tickets', idempotent: true,
    summary: 'File a complaint, or ask for a refund or a return', body: body(TicketCreate),
    success: json(201, Ticket, 'The ticket'),
  },
  {
    method: 'GET', path: '/v1/tickets/:id', auth: 'shopper', tag: 'tickets', idempotent: false,
    summary: 'One ticket with its timeline and comments', success: json(200, Ticket, 'The ticket'),
  },
  {
    method: 'POST', path: '/v1/tickets/:id/appeal', auth: 'shopper', tag: 'tickets', idempotent: true,
    summary: 'Appeal a rejected ticket (once)', body: body(AppealCreate),
    success: json(201, Ticket, 'The appealed ticket'), errors: [409],
  },
  {
    method: 'POST', path: '/v1/tickets/:id/comments', auth: 'shopper', tag: 'tickets', idempotent: true,
    summary: 'Add a note or evidence to a ticket', body: body(CommentCreate),
    success: json(201, Comment, 'The comment'), errors: [409],
  },
  // --- ratings and uploads -----------------------------------------------------------------------
  {
    method: 'POST', path: '/v1/ratings', auth: 'shopper', tag: 'ratings', idempotent: true,
    summary: 'Rate a conversation, a ticket or an article (1–5)', body: body(RatingCreate),
    success: json(201, Rating, 'The rating'), errors: [404, 409],
  },
  {
    method: 'POST', path: '/v1/uploads', auth: 'shopper', tag: 'uploads', idempotent: true,
    summary: 'Upload an image or PDF as evidence; the Idempotency-Key is also its clientId',
    body: { kind: 'upload', types: UploadType.options },
    success: json(201, Upload, 'The upload'), errors: [415],
  },
  {
    method: 'GET', path: '/v1/uploads/:id', auth: 'shopper', tag: 'uploads', idempotent: false,
    summary: "One of the shopper's uploads", success: { status: 200, kind: 'binary', types: UploadType.options, description: 'The file' },
  },
  // --- events ------------------------------------------------------------------------------------
  {
    method: 'GET', path: '/v1/events', auth: 'shopper', tag: 'events', idempotent: false, resumable: true,
    summary: "Server-Sent Events for the shopper's every widget: message, conversation, ticket, typing, read",
    success: { status: 200, kind: 'sse', event: ServerEvent, description: 'An event stream; each `data` is one event' },
  },
  // --- agent console (bearer KEFU_AGENT_TOKEN) ---------------------------------------------------
  {
    method: 'GET', path: '/v1/agent/conversations', auth: 'agent', tag: 'agent', idempotent: false,
    summary: 'Conversations with shopper, context and last message, most recently active first',
    query: {
      status: text(`Comma-separated states (${ConversationStatus.options.join(', ')}) or \`all\`; default queued,agent`),
      site: text('Only this site'),
      ...paged,
    },
    success: json(200, AgentConversationList, 'Conversations'),
  },
  {
    method: 'GET', path: '/v1/agent/conversations/:id/messages', auth: 'agent', tag: 'agent', idempotent: false,
    summary: 'Read a conversation', query: { after }, success: json(200, MessageList, 'A page of messages'),
  },
  {
    method: 'POST', path: '/v1/agent/conversations/:id/messages', auth: 'agent', tag: 'agent', idempotent: true,
    summary: 'Reply as an agent (takes the conversation: queued → agent)', body: body(AgentReply),
    success: json(201, Message, "The agent's message"), errors: [409],
  },
  {
    method: 'POST', path: '/v1/agent/conversations/:id/read', auth: 'agent', tag: 'agent', idempotent: false,
    summary: 'Mark the conversation read by the agent, up to a message or its last; the shopper sees "Read" under what the agent has read',
    body: body(AgentReadRequest, true), success: json(200, AgentConversation, 'The conversation'),
  },
  {
    method: 'POST', path: '/v1/agent/conversations/:id/typing', auth: 'agent', tag: 'agent', idempotent: false,
    summary: 'Tell the shopper an agent is typing', success: { status: 204, kind: 'empty', description: 'Sent' }, errors: [409],
  },
  {
    method: 'POST', path: '/v1/agent/conversations/:id/close', auth: 'agent', tag: 'agent', idempotent: false,
    summary: 'Close a conversation', success: json(200, AgentConversation, 'The closed conversation'),
  },
  {
    method: 'GET', path: '/v1/agent/uploads/:id', auth: 'agent', tag: 'agent', idempotent: false,
    summary: "Any shopper's upload (chat images, ticket evidence), served like the shopper's own: nosniff, a sandboxing CSP, Content-Disposition",
    success: { status: 200, kind: 'binary', types: UploadType.options, description: 'The file' },
  },
  {
    method: 'GET', path: '/v1/agent/tickets', auth: 'agent', tag: 'agent', idempotent: false,
    summary: 'Tickets with their shopper',
    query: {
      status: text(`Comma-separated states (${TicketStatus.options.join(', ')})`),
      kind: text(`Comma-separated kinds (${TicketKind.options.join(', ')})`),
      site: text('Only this site'),
      ...paged,
    },
    success: json(200, AgentTicketList, 'Tickets'),
  },
  {
    method: 'POST', path: '/v1/agent/tickets/:id/transition', auth: 'agent', tag: 'agent', idempotent: false,
    summary: 'Move a ticket along its state machine; an illegal transition is 409', body: body(TicketTransition),
    success: json(200, AgentTicket, 'The ticket'), errors: [409],
  },
  {
    method: 'GET', path: '/v1/agent/events', auth: 'agent', tag: 'agent', idempotent: false, resumable: true,
    summary: 'Server-Sent Events for the console, across every shopper', query: { site: text('Only this site') },
    success: { status: 200, kind: 'sse', event: AgentEvent, description: 'An event stream; each `data` is one event' },
  },
  {
    method: 'GET', path: '/v1/agent/insights', auth: 'agent', tag: 'agent', idempotent: false,
    summary: 'Service figures of a date range, per group and in total: ratings, conversations, handoffs, first-response and resolution times, tickets past dueAt, self-service rate; the content gaps and the response-time distribution',
    query: {
      from: text('Start, inclusive: a date (UTC day) or an ISO timestamp; default 30 days before `to`', InsightsTime),
      to: text('End, exclusive (a date includes its whole day); default now', InsightsTime),
      groupBy: text(`One of ${InsightsGroupBy.options.join(', ')}; default day`, InsightsGroupBy),
      site: text('Only this site'),
    },
    success: json(200, Insights, 'The figures'),
  },
  {
    method: 'GET', path: '/v1/agent/alerts', auth: 'agent', tag: 'agent', idempotent: false,
    summary: 'Alerts raised by ratings of 1–2, newest first',
    query: {
      status: text(`Comma-separated states (${AlertStatus.options.join(', ')}) or \`all\`; default open`),
      site: text('Only this site'),
      ...paged,
    },
    success: json(200, AlertList, 'Alerts'),
  },
  {
    method: 'POST', path: '/v1/agent/alerts/:id/resolve', auth: 'agent', tag: 'agent', idempotent: false,
    summary: 'Mark an alert as dealt with (again is a no-op)', success: json(200, Alert, 'The alert'),
  },
  {
    method: 'POST', path: '/v1/agent/alerts/:id/follow-up', auth: 'agent', tag: 'agent', idempotent: true,
    summary: "Open a follow-up complaint owned by the alert's shopper, shown in their Tickets; once per alert",
    body: body(FollowUpCreate, true), success: json(201, AgentTicket, 'The follow-up ticket'), errors: [409],
  },
];

/** `METHOD /path` keys, the form the drift test compares. */
export const endpointKey = (endpoint: Pick<Endpoint, 'method' | 'path'>) => `${endpoint.method} ${endpoint.path}`;

/**
 * Every error status a row may answer, from what it is: a body can be malformed or too large, a
 * session missing, an id unknown (or another shopper's), an idempotency key missing or reused.
 */
export function errorStatuses(endpoint: Endpoint): number[] {
  const statuses = new Set<number>([429]);
  if (endpoint.body || endpoint.query) statuses.add(400);
  if (endpoint.body) statuses.add(413);
  if (endpoint.auth !== 'none') statuses.add(401);
  if (endpoint.path.includes('/:')) statuses.add(404);
  if (endpoint.idempotent) statuses.add(400).add(422);
  for (const status of endpoint.errors ?? []) statuses.add(status);
  return [...statuses].sort((a, b) => a - b);
}
