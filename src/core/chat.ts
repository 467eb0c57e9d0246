import { batch, computed, signal } from '@preact/signals';
import { MESSAGE_BATCH, type Conversation, type Message, type MessageCreate, type PageContext, type ServerEvent } from '../api/schemas';
import type { BackendAdapter, StreamState } from '../client/BackendAdapter';
import { isHttpError, isKefuError, type KefuError } from '../client/errors';
import { createOutbox, type OutboxItem } from '../offline/outbox';
import type { Storage } from '../offline/storage';
import { serverIds } from './desk';

/** A message as the shopper sees it: the server's resource plus its delivery state. */
export interface ChatMessage extends Message {
  status: 'sending' | 'sent' | 'failed';
  reason?: string;
}

/** A batch's body stays below the server's 64 KiB limit. */
const BATCH_BYTES = 60_000;
const bodyOf = (item: OutboxItem) => (item.payload as MessagePayload).body;
const weights = new WeakMap<OutboxItem, number>();
/** The most a message can add to a batch's body: 3 bytes of UTF-8 per character of its JSON, and a comma. */
function weigh(item: OutboxItem): number {
  let weight = weights.get(item);
  if (weight === undefined) weights.set(item, (weight = 3 * (JSON.stringify(bodyOf(item)).length + 1)));
  return weight;
}

interface MessagePayload {
  conversationClientId: string;
  body: MessageCreate;
}

export interface ChatOptions {
  site: string;
  adapter: BackendAdapter;
  storage: Storage;
  /** Called for every message that arrives from someone else (bot, agent, system). */
  onIncoming?: (message: Message) => void;
  /** Called for every event of the stream (tickets, status changes), after the chat applied it. */
  onEvent?: (event: ServerEvent) => void;
  /** What the shopper is looking at, sent when a conversation is created. */
  context?: () => PageContext;
}

const CONVERSATION_KEY = 'conversation';
/** At most this many pages of history load when the chat starts (100 messages a page on the reference server). */
const MAX_HISTORY_PAGES = 50;

/**
 * The chat's state and actions: messages shown at once as *sending*, delivered through the outbox,
 * replaced by the server's copy on 2xx, and answered by events from the stream.
 */
export function createChat(options: ChatOptions) {
  const { adapter, storage } = options;
  const messages = signal<ChatMessage[]>([]);
  const conversation = signal<Conversation | null>(null);
  const phase = signal<'idle' | 'loading' | 'ready' | 'error'>('idle');
  const error = signal<KefuError | null>(null);
  const stream = signal<StreamState>('connecting');
  /** Who is typing in this conversation right now (an agent, the bot), for the indicator. */
  const typing = signal<string | null>(null);
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  /** How far the shopper (on any of their devices) and the agent have read: message ids. */
  const read = signal<string | null | undefined>(null);
  const agentRead = signal<string | null | undefined>(null);
  /**
   * Messages from others after the shopper's read position, in the current conversation. Writing
   * counts as having read what came before, so only what arrived after the shopper's last word counts.
   */
  const unread = computed(() => {
    // Found from the newest back, without copying the list: this reruns on every message.
    const list = messages.value;
    return list.length - 1 - list.findLastIndex((m) => m.id === read.value || m.author === 'shopper');
  });
  const conversations = new Map<string, Promise<Conversation>>();
  let conversationClientId: string | undefined;
  let closeStream: (() => void) | undefined;
  /** The conversation being switched to (see `follow`). */
  let following: string | undefined;

  const lockName = `kefu-outbox:${options.site}`;
  const outbox = createOutbox({
    storage,
    lockName,
    // A message names its images by client id; each went ahead of it in its lane, so the server's ids are known.
    deliver: async (item) => {
      const { conversationClientId: lane, body } = item.payload as MessagePayload;
      const { id } = await ensureConversation(lane);
      return adapter.postMessage(id, await serverIds(storage, body));
    },
    // A lane's queued messages (a chat typed offline) go in runs of up to MESSAGE_BATCH per request,
    // kept under the server's body limit (each message weighed once, not the run again per message).
    many: adapter.postMessages && {
      fits: (run, next) =>
        next.kind == 'message' && run[0]!.kind == 'message' && run.length < MESSAGE_BATCH
        && run.reduce((sum, item) => sum + weigh(item), weigh(next)) < BATCH_BYTES,
      send: async (run) => {
        const { id } = await ensureConversation((run[0]!.payload as MessagePayload).conversationClientId);
        return adapter.postMessages!(id, await Promise.all(run.map((item) => serverIds(storage, bodyOf(item)))));
      },
    },
    // The outbox carries the desk's writes too (tickets, ratings): only messages belong in the chat.
    onDelivered: (item, result) => item.kind === 'message' && upsert({ ...(result as Message), status: 'sent' }),
    onFailed: (item, failure) => markFailed(item, failure),
  });

  function ensureConversation(clientId: string): Promise<Conversation> {
    let created = conversations.get(clientId);
    if (!created) {
      created = adapter.createConversation({ clientId, context: options.context?.() }).then((value) => {
        if (value.clientId === conversationClientId) conversation.value = value;
        return value;
      });
      created.catch(() => conversations.delete(clientId)); // A failed create is tried again next time.
      conversations.set(clientId, created);
    }
    return created;
  }

  /** Inserts or replaces by server id or client id, so echoes, replays and events never duplicate. */
  function upsert(message: ChatMessage) {
    const list = messages.value;
    const index = list.findIndex(
      (m) => m.id === message.id || (message.clientId !== null && m.clientId === message.clientId),
    );
    if (index < 0) messages.value = [...list, message];
    else messages.value = list.map((m, i) => (i === index ? message : m));
  }

  function markFailed(item: OutboxItem, failure: KefuError) {
    const current = messages.value.find((m) => m.clientId === item.id);
    if (current) upsert({ ...current, status: 'failed', reason: failure.message });
  }

  function onEvent(event: ServerEvent) {
    // Another device of this shopper is talking in another conversation (or a sign-in merged a newer one): follow it.
    const id = event.type === 'message' ? event.message.conversationId
      : event.type === 'conversation' && event.conversation.updatedAt > (conversation.value?.updatedAt ?? '') ? event.conversation.id : null;
    if (id && id !== conversation.value?.id && id !== following) {
      following = id;
      follow(id).catch((error) => console.warn('[kefu] follow:', error)).finally(() => (following = undefined));
    }
    if (event.type === 'message') {
      const { message } = event;
      if (message.conversationId !== conversation.value?.id) return;
      upsert({ ...message, status: 'sent' });
      if (message.author !== 'shopper') {
        typing.value = null;
        options.onIncoming?.(message);
      }
    } else if (event.type === 'conversation' && event.conversation.id === conversation.value?.id) {
      conversation.value = event.conversation;
    } else if (event.type === 'typing' && event.conversationId === conversation.value?.id && event.author !== 'shopper') {
      // The indicator fades by itself: a typist who stops sends nothing more.
      typing.value = event.author;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => (typing.value = null), 6_000);
    } else if (event.type === 'read' && event.conversationId === conversation.value?.id) {
      (event.reader === 'agent' ? agentRead : read).value = event.messageId;
    }
    options.onEvent?.(event);
  }

  function localMessage(item: OutboxItem): ChatMessage {
    const { body } = item.payload as MessagePayload;
    return {
      id: item.id,
      clientId: item.id,
      conversationId: conversation.value?.id ?? '',
      author: 'shopper',
      text: body.text,
      attachmentIds: body.attachmentIds,
      createdAt: new Date(item.key[1]).toISOString(),
      status: item.state === 'failed' ? 'failed' : 'sending',
      reason: item.reason,
    };
  }

  /** Opens the session, loads the latest conversation and what is still unsent, and goes live. */
  async function start() {
    phase.value = 'loading';
    try {
      // Subscribe before listing, so nothing said between the two is missed (upsert de-duplicates).
      closeStream = adapter.subscribe(onEvent, { onState: (state) => (stream.value = state) });
      const saved = await storage.get<{ clientId: string }>(CONVERSATION_KEY);
      const { conversations: list } = await adapter.listConversations();
      const latest = list.find((c) => c.clientId === saved?.clientId) ?? list[0];
      conversationClientId = latest?.clientId ?? saved?.clientId;
      const history = latest ? await load(latest) : [];
      const unsent = (await outbox.pending()).filter((item) => item.kind === 'message').map(localMessage);
      batch(() => {
        show(latest, history);
        for (const message of unsent) upsert(message);
        phase.value = 'ready';
      });
      outbox.start();
    } catch (failure) {
      error.value = isKefuError(failure) ? failure : null;
      phase.value = 'error';
      throw failure;
    }
  }

  /** A conversation's history, all pages, oldest first. */
  async function load(latest: Conversation): Promise<ChatMessage[]> {
    conversations.set(latest.clientId, Promise.resolve(latest));
    // Pages run oldest first: follow them to the newest (a cap keeps a runaway thread bounded;
    // the log is windowed, so a long history costs memory, not rendering).
    const history: ChatMessage[] = [];
    let after: string | null | undefined;
    for (let pages = 0; pages < MAX_HISTORY_PAGES && after !== null; pages++) {
      const page = await adapter.listMessages(latest.id, after);
      history.push(...page.messages.map((m) => ({ ...m, status: 'sent' as const })));
      after = page.next ?? null;
    }
    return history;
  }

  /** Shows a conversation with its history and what its events brought while the history loaded. */
  function show(shown: Conversation | undefined, history: ChatMessage[]) {
    const live = messages.value.filter((m) => m.conversationId === shown?.id);
    conversation.value = shown ?? null;
    read.value = shown?.shopperRead;
    agentRead.value = shown?.agentRead;
    messages.value = history;
    for (const message of live) upsert(message);
  }

  /**
   * Switches to a conversation this shopper has on the server but not on screen (started on
   * another device, or moved here by a sign-in). Unsent messages keep their own conversation.
   */
  async function follow(id: string) {
    const found = (await adapter.listConversations()).conversations.find((c) => c.id === id);
    if (!found) return;
    // Current at once, so its events land while the history loads.
    conversation.value = found;
    conversationClientId = found.clientId;
    const history = await load(found);
    await storage.set(CONVERSATION_KEY, { clientId: found.clientId });
    show(found, history);
  }

  /** Marks everything shown as read, for every device of the shopper (best effort: the next read carries it on). */
  function markRead() {
    const last = messages.value.findLast((m) => m.status === 'sent');
    const id = conversation.value?.id;
    if (!unread.value || !last || !id) return;
    read.value = last.id;
    adapter.markRead?.(id, last.id).catch((error) => console.warn('[kefu] read:', error));
  }

  /** Names the shopper's current conversation on first use (stored, so a reload keeps writing to it). */
  let named: Promise<unknown> | undefined;
  function lane(): string {
    if (!conversationClientId) {
      conversationClientId = crypto.randomUUID();
      named = storage.set(CONVERSATION_KEY, { clientId: conversationClientId });
    }
    return conversationClientId;
  }
  async function ensureLane(): Promise<string> {
    const id = lane();
    await named;
    return id;
  }

  /**
   * Shows the message at once as *sending* and hands it to the outbox (stored before any request).
   * `attachmentIds`: client ids of images queued in this conversation's lane (`desk.attach(file, chat.lane())`).
   */
  async function send(text: string, attachmentIds?: string[]) {
    const trimmed = text.trim();
    if (!trimmed) return;
    const lane = await ensureLane();
    const clientId = crypto.randomUUID();
    const payload: MessagePayload = { conversationClientId: lane, body: { clientId, text: trimmed, attachmentIds: attachmentIds?.length ? attachmentIds : undefined } };
    upsert(localMessage({
      id: clientId, kind: 'message', lane, payload, key: ['outbox', Date.now(), clientId],
      state: 'queued', attempts: 0,
    }));
    await outbox.enqueue('message', lane, clientId, payload);
  }

  async function retry(clientId: string) {
    const current = messages.value.find((m) => m.clientId === clientId);
    if (current) upsert({ ...current, status: 'sending', reason: undefined });
    await outbox.retry(clientId);
  }

  /** Asks for a person; the conversation moves to `queued` (and on to `agent`) through its events. */
  async function handoff() {
    const { id } = await ensureConversation(await ensureLane());
    conversation.value = await adapter.handoff(id);
  }

  async function discard(clientId: string) {
    messages.value = messages.value.filter((m) => m.clientId !== clientId);
    await outbox.discard(clientId);
  }

  return {
    messages,
    conversation,
    phase,
    error,
    stream,
    typing,
    unread,
    agentRead,
    markRead,
    durable: storage.durable,
    /** The one outbox of this shopper's writes; the desk registers its kinds on it. */
    outbox,
    start,
    /** The outbox lane of the current conversation (its client id): what goes in it is sent in order. */
    lane,
    send,
    retry,
    discard,
    handoff,
    /** Closes the stream and stops the outbox; resolves once a flush under way has let go of its lock. */
    stop() {
      clearTimeout(typingTimer);
      closeStream?.();
      outbox.stop();
      return released(lockName);
    },
  };
}

export type Chat = ReturnType<typeof createChat>;

/**
 * Resolves once this page holds (or waits for) no lock called `name`, so nothing of the widget
 * outlives `destroy`. A flush in another tab is not ours to wait for: locks are told apart by
 * the holder's client id, this page's found by taking a lock of its own.
 */
async function released(name: string): Promise<void> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (!locks) return;
  const probe = `kefu-probe:${crypto.randomUUID()}`;
  const self = await locks.request(probe, async () => (await locks.query()).held?.find((lock) => lock.name === probe)?.clientId);
  const ours = async () => {
    const { held = [], pending = [] } = await locks.query();
    return [...held, ...pending].some((lock) => lock.name === name && lock.clientId === self);
  };
  while (await ours()) await locks.request(name, () => undefined);
}

/** Whether a start-up failure means the site itself is not configured (unknown or missing key). */
export function isNotConfigured(failure: unknown): boolean {
  return isHttpError(failure) && (failure.status === 401 || failure.status === 403) ||
    (isKefuError(failure) && failure.code === 'not_configured');
}
