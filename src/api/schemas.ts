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
});

export const ConversationCreate = v.strictObject({ clientId: ClientId });

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
  attachmentIds: v.optional(v.pipe(v.array(ResourceId), v.maxLength(10))),
});

export const MessageList = v.object({
  messages: v.array(Message),
  next: v.optional(v.nullable(v.string())),
});

/** One field error inside a problem document: `path` is dotted (`items.0.quantity`). */
export const FieldError = v.object({ path: v.string(), message: v.string() });

export const Problem = v.object({
  type: v.string(),
  title: v.string(),
  status: v.number(),
  detail: v.optional(v.string()),
  errors: v.optional(v.array(FieldError)),
});

/** Events on `GET /v1/events`; `id` is the SSE id used for `Last-Event-ID` resume. */
export const ServerEvent = v.variant('type', [
  v.object({ type: v.literal('message'), message: Message }),
  v.object({ type: v.literal('conversation'), conversation: Conversation }),
  v.object({ type: v.literal('typing'), conversationId: ResourceId, author: Author }),
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
export type FieldError = v.InferOutput<typeof FieldError>;
export type Problem = v.InferOutput<typeof Problem>;
export type ServerEvent = v.InferOutput<typeof ServerEvent>;

/** Flattens valibot issues into `{path, message}` pairs, the shape of problem+json `errors`. */
export function fieldErrors(issues: readonly v.BaseIssue<unknown>[]): FieldError[] {
  return issues.map((issue) => ({
    path: (issue.path ?? []).map((item) => String(item.key)).join('.') || '(body)',
    message: issue.message,
  }));
}
