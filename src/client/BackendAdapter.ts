import type {
  Conversation, ConversationCreate, ConversationList, Message, MessageCreate, MessageList, ServerEvent, Session,
  SessionRequest,
} from '../api/schemas';

/** Connection state of the live event stream, for the UI's online/offline hints. */
export type StreamState = 'connecting' | 'open' | 'closed';

export interface EventStreamOptions {
  /** Resume after this event id (SSE `Last-Event-ID`). */
  lastEventId?: string;
  onState?: (state: StreamState) => void;
}

/**
 * Everything the widget needs from a backend. `RestAdapter` speaks the reference REST contract;
 * a merchant with another backend implements this interface. Creates are idempotent on the
 * body's `clientId`, so the outbox may send the same item again after a lost answer.
 */
export interface BackendAdapter {
  /** Opens a session for the site; renews the current one when it has one. */
  startSession(request: SessionRequest): Promise<Session>;
  listConversations(): Promise<ConversationList>;
  createConversation(body: ConversationCreate): Promise<Conversation>;
  listMessages(conversationId: string, after?: string): Promise<MessageList>;
  postMessage(conversationId: string, body: MessageCreate): Promise<Message>;
  /** Subscribes to the shopper's events; returns a function that closes the stream. */
  subscribe(onEvent: (event: ServerEvent, id: string) => void, options?: EventStreamOptions): () => void;
}
