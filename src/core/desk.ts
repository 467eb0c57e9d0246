/**
 * The self-service desk: FAQ, suggestions, orders and tickets as signals, read through the offline
 * cache (stale-while-revalidate), and every write (tickets, appeals, comments, ratings) through the
 * same outbox as the chat's messages, so a complaint typed offline is filed when the network returns.
 */
import { signal, type Signal } from '@preact/signals';
import type {
  AppealCreate, Article, CommentCreate, HelpEventBatch, Locale, Order, RatingCreate, ServerEvent, Suggestion, Ticket, TicketCreate, Upload,
} from '../api/schemas';
import { initialStatus } from '../api/ticketFlow';
import type { BackendAdapter, SuggestionContext } from '../client/BackendAdapter';
import type { KefuError } from '../client/errors';
import { createCache } from '../offline/cache';
import type { Outbox, OutboxItem } from '../offline/outbox';
import type { Storage } from '../offline/storage';

/** A ticket as the shopper sees it: the server's, or a local one still in the outbox. */
export interface DeskTicket extends Ticket {
  /** `sending` while in the outbox, `failed` with the server's reason; absent once the server has it. */
  local?: 'sending' | 'failed';
  reason?: string;
}

/** A list that loads: `null` until the first answer; `error` when neither cache nor server answered. */
export interface Loaded<T> {
  value: T | null;
  error: KefuError | null;
  /** When the shown copy was loaded, if it came from the offline cache. */
  staleAt?: number;
}

export interface DeskOptions {
  adapter: BackendAdapter;
  storage: Storage;
  outbox: Outbox;
  /** Whose copies the cache holds (`u:<id>` or `v:<visitor>`), so shoppers never read each other's. */
  scope: string;
  signedIn: boolean;
  /** Whether the shopper consented: help facts are neither kept nor sent before. */
  consented: () => boolean;
  onRated?: (rating: RatingCreate) => void;
}

type Payload<T> = { body: T; ticketId?: string };

/** A file on its way to the server through the outbox (which holds its bytes until then). */
export interface Attaching {
  /** 0–1 while this tab sends it; 1 once the server has it. */
  progress: number;
  done?: boolean;
  /** The server's status when it refused the file. */
  failed?: number;
}

export function createDesk(options: DeskOptions) {
  const { adapter, outbox } = options;
  const cache = createCache(options.storage, options.scope);
  const orders = signal<Loaded<Order[]>>({ value: null, error: null });
  const tickets = signal<Loaded<DeskTicket[]>>({ value: null, error: null });
  const articles = signal<Loaded<Article[]>>({ value: null, error: null });
  const suggestions = signal<Suggestion[]>([]);
  /** Ratings given in this session, by `type:id`, so a subject is not offered twice. */
  const rated = signal<Record<string, number>>({});
  /** Attachments of this page by client id; `inflight` cancels the one being sent. */
  const attaching = signal<Record<string, Attaching>>({});
  const inflight = new Map<string, AbortController>();
  /** The bytes of this page's uploads (and those stored from a reload), by client and by server id: shown without a download. */
  const files = new Map<string, Blob>();
  /** Attachments a write refers to: leaving their form does not drop them. */
  const claimed = new Set<string>();
  const attached = (id: string, state: Attaching) => (attaching.value = { ...attaching.value, [id]: state });

  /** What each list was last asked for (the FAQ of which language): an answer for something else comes too late. */
  const wanted = new Map<Signal<unknown>, string>();
  /** Shows the cached copy at once, then the server's; a failure only matters when nothing is shown. */
  async function load<T, V>(target: Signal<Loaded<V>>, name: string, fetch: () => Promise<T>, shape: (value: T) => V) {
    wanted.set(target, name);
    const show = (loaded: Loaded<V>) => wanted.get(target) === name && (target.value = loaded);
    try {
      const copy = await cache.read(name, fetch);
      show({ value: shape(copy.value), error: null, staleAt: copy.stale ? copy.at : undefined });
      if (copy.stale) show({ value: shape(await copy.fresh), error: null });
    } catch (error) {
      if (!target.value.value) show({ value: null, error: error as KefuError });
    }
  }

  const byUpdate = (a: Ticket, b: Ticket) => b.updatedAt.localeCompare(a.updatedAt);

  /** The server's list, except where the stream brought a newer copy while the list was loading, plus what is still unsent. */
  function keepLive(list: Ticket[]): DeskTicket[] {
    const current = tickets.value.value ?? [];
    const shown = new Map(current.map((ticket) => [ticket.id, ticket]));
    const known = new Set(list.map((ticket) => ticket.clientId));
    return [
      // Still in the outbox: the server cannot list it yet, and it must not blink out meanwhile.
      ...current.filter((ticket) => ticket.local && !known.has(ticket.clientId)),
      ...list.map((ticket) => {
        const live = shown.get(ticket.id);
        return live && !live.local && live.updatedAt > ticket.updatedAt ? live : ticket;
      }),
    ];
  }

  /** The server's tickets plus the ones still in the outbox, newest first. */
  async function withLocal(list: Ticket[]): Promise<DeskTicket[]> {
    const known = new Set(list.map((ticket) => ticket.clientId));
    const local = (await outbox.pending())
      .filter((item) => item.kind === 'ticket' && !known.has(item.id))
      .map(localTicket);
    return [...local, ...list].sort(byUpdate);
  }

  function localTicket(item: OutboxItem): DeskTicket {
    const { body } = item.payload as Payload<TicketCreate>;
    const at = new Date(item.key[1]).toISOString();
    return {
      id: item.id, clientId: item.id, kind: body.kind, status: initialStatus(body.kind), orderId: body.orderId ?? null,
      items: body.items ?? [], category: body.category, description: body.description, amount: null,
      attachmentIds: body.attachmentIds ?? [], timeline: [], comments: [], dueAt: null, appealable: false,
      createdAt: at, updatedAt: at, local: item.state === 'failed' ? 'failed' : 'sending', reason: item.reason,
    };
  }

  /** Replaces a ticket (by id or client id) in the list, or adds it on top. */
  function upsertTicket(ticket: DeskTicket) {
    const list = tickets.value.value ?? [];
    const rest = list.filter((t) => t.id !== ticket.id && t.clientId !== ticket.clientId);
    tickets.value = { ...tickets.value, value: [ticket, ...rest].sort(byUpdate) };
  }

  /**
   * Uploads travel in the lane of the write that refers to them, ahead of it, and are stored by the
   * outbox like any write (bytes included), so evidence chosen offline is sent when the network is
   * back. The server's id is kept under the client id: a write names its attachments by client id
   * and learns their server ids when it is delivered. A refused file is dropped from it. An upload
   * cancelled in any tab (`dropped`) is not sent by a pass that listed it before it went.
   */
  const dropped = new Set<string>();
  outbox.register('upload', async (item) => {
    if (dropped.has(item.id)) return;
    const { file, name } = item.payload as { file: Blob; name?: string };
    const abort = new AbortController();
    inflight.set(item.id, abort);
    try {
      const upload = await adapter.upload(file, { clientId: item.id, name, signal: abort.signal, onProgress: (progress) => attached(item.id, { progress }) });
      await options.storage.set(['upload', item.id], upload.id);
      return upload;
    } catch (error) {
      if (!abort.signal.aborted) throw error; // Cancelled: the outbox has already forgotten it.
    } finally {
      inflight.delete(item.id);
    }
  });
  const deliver = <T>(call: (body: T, ticketId?: string) => Promise<unknown>) =>
    async (item: OutboxItem) => {
      const { body, ticketId } = item.payload as Payload<T>;
      return call(await serverIds(options.storage, body), ticketId);
    };
  outbox.register('ticket', deliver<TicketCreate>((body) => adapter.createTicket(body)));
  outbox.register('appeal', deliver<AppealCreate>((body, ticketId) => adapter.appeal(ticketId!, body)));
  outbox.register('comment', deliver<CommentCreate>((body, ticketId) => adapter.comment(ticketId!, body)));
  outbox.register('rating', deliver<RatingCreate>((body) => adapter.rate(body)));

  const stops: (() => unknown)[] = [outbox.subscribe((event) => {
    if (!('item' in event)) return;
    const { item } = event;
    if (item.kind === 'upload') {
      const { file } = item.payload as { file: Blob };
      if (event.type === 'queued') files.set(item.id, file);
      if (event.type === 'removed') dropped.add(item.id);
      else if (event.type === 'sent') {
        attached(item.id, { progress: 1, done: true });
        if (event.result) files.set((event.result as Upload).id, file);
      }
      else if (event.type === 'failed') {
        // Refused (type, size): the write that names it goes without it, and nothing lingers queued.
        // No status: the adapter refused it before sending, for its type (the form checks the size).
        attached(item.id, { progress: 0, failed: item.status ?? 415 });
        void options.storage.set(['upload', item.id], false).then(() => outbox.discard(item.id));
      }
    } else if (item.kind === 'ticket') {
      if (event.type === 'sent' && event.result) upsertTicket(event.result as Ticket);
      else if (event.type === 'removed') tickets.value = { ...tickets.value, value: (tickets.value.value ?? []).filter((t) => t.clientId !== item.id) };
      else if (event.type !== 'sent') upsertTicket(localTicket(item));
    } else if ((item.kind === 'appeal' || item.kind === 'comment') && event.type === 'sent') {
      void refreshTicket((item.payload as Payload<unknown>).ticketId!);
    }
  })];

  /** Loads one ticket from the server into the list; false when it is not (or no longer) there. */
  async function refreshTicket(id: string): Promise<boolean> {
    try {
      upsertTicket(await adapter.getTicket(id));
      return true;
    } catch {
      return false; // Offline or unknown: the list, the stream or the next try brings it.
    }
  }

  async function write<T extends { clientId: string; attachmentIds?: string[] }>(kind: string, lane: string, body: Omit<T, 'clientId'>, ticketId?: string) {
    const clientId = crypto.randomUUID();
    body.attachmentIds?.forEach((id) => claimed.add(id));
    await outbox.enqueue<Payload<T>>(kind, lane, clientId, { body: { ...body, clientId } as T, ticketId });
    return clientId;
  }

  return {
    orders,
    tickets,
    articles,
    suggestions,
    rated,
    signedIn: options.signedIn,
    loadOrders() {
      if (!options.signedIn) return (orders.value = { value: [], error: null }), Promise.resolve();
      return load(orders, 'orders', () => adapter.listOrders(), (list) => list.orders);
    },
    loadTickets: () => load(tickets, 'tickets', () => adapter.listTickets(), (list) => keepLive(list.tickets)).then(async () => {
      if (tickets.value.value) tickets.value = { ...tickets.value, value: await withLocal(tickets.value.value) };
    }),
    loadArticles: (locale: Locale) => load(articles, `faq:${locale}`, () => adapter.faq(locale), (list) => list.articles),
    async loadSuggestions(context: SuggestionContext) {
      try {
        suggestions.value = (await adapter.suggestions(context)).questions;
      } catch {
        suggestions.value = []; // Suggestions are a nicety: the home view works without them.
      }
    },
    order: (id: string) => orders.value.value?.find((order) => order.id === id),
    fetchOrder: (id: string) => adapter.getOrder(id),
    ticket: (id: string) => tickets.value.value?.find((ticket) => ticket.id === id || ticket.clientId === id),
    refreshTicket,
    /** Files a ticket through the outbox; answers its client id (the ticket shows as *sending* at once). */
    fileTicket: (body: Omit<TicketCreate, 'clientId'>) => write<TicketCreate>('ticket', 'tickets', body),
    appeal: (ticketId: string, reason: string) => write<AppealCreate>('appeal', `ticket:${ticketId}`, { reason }, ticketId),
    comment: (ticketId: string, text: string, attachmentIds?: string[]) =>
      write<CommentCreate>('comment', `ticket:${ticketId}`, { text, attachmentIds }, ticketId),
    async rate(body: Omit<RatingCreate, 'clientId'>) {
      rated.value = { ...rated.value, [`${body.subject.type}:${body.subject.id}`]: body.score };
      await write<RatingCreate>('rating', 'ratings', body);
      options.onRated?.(body as RatingCreate);
    },
    retry: (clientId: string) => outbox.retry(clientId),
    discard: (clientId: string) => outbox.discard(clientId),
    attaching,
    /** Queues a file in `lane` (the lane of the write that will name it); answers its client id. */
    attach(file: File, lane: string) {
      const id = crypto.randomUUID();
      attached(id, { progress: 0 });
      void outbox.enqueue('upload', lane, id, { file, name: file.name });
      return id;
    },
    /** Marks attachments as named by a write made elsewhere (a chat message): leaving their form keeps them. */
    claim: (ids: string[]) => ids.forEach((id) => claimed.add(id)),
    /** Cancels an attachment still on its way, unless a write already names it. */
    detach(id: string) {
      if (claimed.has(id)) return;
      inflight.get(id)?.abort();
      void outbox.discard(id);
    },
    /** An upload's bytes: this page's own at once, others' downloaded (a File named as uploaded, where the backend says). */
    image: (id: string) => files.get(id) ?? adapter.fetchUpload(id),
    /** Whether this page holds the bytes of an upload (a message still being sent names its images by client id). */
    holds: (id: string) => files.has(id),
    onEvent(event: ServerEvent) {
      if (event.type !== 'ticket') return;
      upsertTicket(event.ticket);
    },
    /**
     * Sends a batch of help facts (core/helpFacts.ts), if this backend takes them. Not through the
     * outbox: analytics must never queue behind, or ahead of, what the shopper wrote.
     */
    sendHelp: (batch: HelpEventBatch) => adapter.helpEvents?.(batch),
    consented: options.consented,
    /** Runs `fn` when the desk stops (a logout, a sign-in, `destroy()`). */
    onStop: (fn: () => unknown) => void stops.push(fn),
    stop: () => stops.forEach((fn) => fn()),
  };
}

export type Desk = ReturnType<typeof createDesk>;

/**
 * A write's body with its attachments' client ids replaced by the server's (kept under
 * `['upload', clientId]` when each was delivered, ahead of the write in its lane); refused ones left out.
 */
export async function serverIds<T>(storage: Storage, body: T): Promise<T> {
  const ids = (body as { attachmentIds?: string[] }).attachmentIds;
  if (!ids) return body;
  const known = await Promise.all(ids.map((id) => storage.get<string | false>(['upload', id])));
  const attachmentIds = ids.flatMap((id, i) => (known[i] === false ? [] : [known[i] ?? id]));
  return { ...body, attachmentIds: attachmentIds.length ? attachmentIds : undefined };
}
