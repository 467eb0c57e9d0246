import type {
  Conversation, ConversationCreate, ConversationList, Message, MessageCreate, MessageList, ServerEvent, Session,
  SessionRequest,
} from '../api/schemas';
import type { BackendAdapter } from './BackendAdapter';
import { HttpError } from './errors';

export interface MemoryAdapterOptions {
  /** Produces the bot's answer to a shopper's message; default: a short echo. */
  bot?: (text: string) => string | undefined;
}

/**
 * An in-memory backend with the contract's behaviour (idempotent creates, ownership by session,
 * events for bot replies), for tests, demos and offline prototyping.
 */
export class MemoryAdapter implements BackendAdapter {
  readonly #conversations = new Map<string, Conversation>();
  readonly #messages = new Map<string, Message[]>();
  readonly #listeners = new Set<(event: ServerEvent, id: string) => void>();
  readonly #bot: (text: string) => string | undefined;
  #eventId = 0;
  #ids = 0;

  constructor(options: MemoryAdapterOptions = {}) {
    this.#bot = options.bot ?? ((text) => `You said: ${text}`);
  }

  async startSession(request: SessionRequest): Promise<Session> {
    return {
      token: `memory-${request.site}`,
      visitorId: request.visitorId ?? `v_${crypto.randomUUID()}`,
      user: null,
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    };
  }

  async listConversations(): Promise<ConversationList> {
    const conversations = [...this.#conversations.values()].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
    return { conversations };
  }

  async createConversation(body: ConversationCreate): Promise<Conversation> {
    const existing = [...this.#conversations.values()].find((c) => c.clientId === body.clientId);
    if (existing) return existing;
    const now = new Date().toISOString();
    const conversation: Conversation = {
      id: `c${++this.#ids}`, clientId: body.clientId, status: 'bot', createdAt: now, updatedAt: now,
    };
    this.#conversations.set(conversation.id, conversation);
    this.#messages.set(conversation.id, []);
    return conversation;
  }

  async listMessages(conversationId: string, after?: string): Promise<MessageList> {
    const messages = this.#thread(conversationId);
    const start = after ? messages.findIndex((m) => m.id === after) + 1 : 0;
    return { messages: messages.slice(start) };
  }

  async postMessage(conversationId: string, body: MessageCreate): Promise<Message> {
    const thread = this.#thread(conversationId);
    const replay = thread.find((m) => m.clientId === body.clientId);
    if (replay) return replay;
    const message = this.#add(conversationId, 'shopper', body.text.trim(), body.clientId);
    const answer = this.#bot(message.text);
    if (answer !== undefined) {
      // Like the real server, the reply arrives as an event after the create has answered.
      queueMicrotask(() => this.#emit({ type: 'message', message: this.#add(conversationId, 'bot', answer, null) }));
    }
    return message;
  }

  subscribe(onEvent: (event: ServerEvent, id: string) => void, options: { onState?: (s: 'open') => void } = {}) {
    this.#listeners.add(onEvent);
    options.onState?.('open');
    return () => this.#listeners.delete(onEvent);
  }

  #thread(conversationId: string): Message[] {
    const thread = this.#messages.get(conversationId);
    if (!thread) {
      throw new HttpError(404, { type: 'about:blank', title: 'Not Found', status: 404, detail: 'No such conversation' });
    }
    return thread;
  }

  #add(conversationId: string, author: Message['author'], text: string, clientId: string | null): Message {
    const message: Message = {
      id: `m${++this.#ids}`, clientId, conversationId, author, text, createdAt: new Date().toISOString(),
    };
    this.#thread(conversationId).push(message);
    return message;
  }

  #emit(event: ServerEvent) {
    const id = String(++this.#eventId);
    for (const listener of this.#listeners) listener(event, id);
  }
}
