import type { Conversation, Message, Ticket } from '../api/schemas';
import type { BackendAdapter } from '../client/BackendAdapter';

/** Where `open(view)` lands: a tab, or one article, ticket or order. */
export type KefuView =
  | 'home' | 'chat' | 'help' | 'orders' | 'tickets'
  | { article: string } | { ticket: string } | { order: string };

/** What the shopper is looking at; sent with a new conversation, shown to the agent. */
export interface KefuContext {
  /** Path or name of the page (at most 512 characters); default: `location.pathname`. */
  page?: string;
  orderId?: string;
  productId?: string;
  /** Up to 20 tags of at most 64 characters. */
  tags?: string[];
}

export type KefuTheme = 'light' | 'dark' | 'auto';

/** Options shared by the script tag (`data-*`), `Kefu('init', …)` and `createKefu(…)`. */
export interface KefuOptions {
  /** Site key, `pk_…`. */
  site?: string;
  /** Base URL of the Kefu API (default: where kefu.js came from; for npm, the page's origin). */
  api?: string;
  /** `en` or `zh-CN` (default: the browser's language). */
  locale?: string;
  /** `light`, `dark` or `auto` (the shopper's system setting, the default). */
  theme?: KefuTheme;
  /** Corner of the bubble and the panel (mirrored on right-to-left pages). */
  position?: 'left' | 'right';
  /** Draw the floating bubble (default true). */
  launcher?: boolean;
  /** The signed-in shopper: a JWT signed by the merchant's backend (see `identify`). */
  user?: { token: string };
  /** The first page context (see `setContext`). */
  context?: KefuContext;
  /** `pending`: nothing is stored in the browser until `consent(true)` (default `granted`). */
  consent?: 'pending' | 'granted';
  /** Inline mode: mount the panel, open, into this element (or the first match of this selector); no bubble. */
  container?: HTMLElement | string;
  /** Follow the host's client-side navigation (Navigation API, else `popstate` and `kefu:navigate`) into the context's `page`. */
  trackNavigation?: boolean;
  /** Prefix the document title with the unread count, `(2) Shop` (default false: the title is the host's). */
  titleBadge?: boolean;
  /** npm only: use this backend instead of the REST client (custom backends, tests, demos). */
  adapter?: BackendAdapter;
}

/** Payload of each event. */
export interface KefuEvents {
  /** Options checked and the panel code loaded; also delivered to a listener added later. */
  ready: undefined;
  open: undefined;
  close: undefined;
  /** A message from the bot, an agent or the system arrived. */
  message: Message;
  /** The unread count changed (0 when the panel opens). */
  unread: number;
  /** One of the shopper's tickets changed. */
  ticket: Ticket;
  /** The shopper rated a conversation, a ticket or an article: `{ subject: { type, id }, score, comment? }`. */
  rating: { subject: { type: 'conversation' | 'ticket' | 'article'; id: string }; score: number; comment?: string };
  /** The live connection dropped; writes wait in the outbox. */
  offline: undefined;
  /** The live connection is back. */
  online: undefined;
  /** The conversation moved between bot, queue, agent and closed (`status`). */
  queue: Conversation;
  /** Something failed: a rejected call, a session that could not start. */
  error: Error;
}
export type KefuEvent = keyof KefuEvents;

/** The widget's API: `window.Kefu` and what `createKefu()` returns. No call ever throws; failures reject. */
export interface KefuApi {
  /** Starts the widget. Rejects with a message naming a wrong option; a second call warns and keeps the first. */
  init(options: KefuOptions): Promise<void>;
  /** Opens the panel, on `view` when given. */
  open(view?: KefuView): Promise<void>;
  close(): Promise<void>;
  toggle(): Promise<void>;
  /** Opens the chat with `text` sent as the shopper's question. */
  ask(text: string): Promise<void>;
  /** Opens the complaint form, about an order when given. */
  startComplaint(details?: { orderId?: string }): Promise<void>;
  /** Opens the refund / return form for an order, with items and quantities chosen when given. */
  startRefund(details: { orderId: string; items?: { orderItemId: string; quantity: number }[] }): Promise<void>;
  /** Signs the shopper in with a token signed by the merchant's backend; their history loads. */
  identify(user: { token: string }): Promise<void>;
  /** Wipes this shopper's local data and continues as a new anonymous visitor. */
  logout(): Promise<void>;
  /** Replaces the page context (page, order, product, tags); call it from your router. */
  setContext(context: KefuContext): Promise<void>;
  setLocale(locale: string): Promise<void>;
  setTheme(theme: KefuTheme): Promise<void>;
  /** The shopper's storage consent: `true` moves to IndexedDB, `false` wipes it. */
  consent(granted: boolean): Promise<void>;
  /** Subscribes; returns the unsubscribe function. */
  on<E extends KefuEvent>(event: E, listener: (data: KefuEvents[E]) => void): () => void;
  off<E extends KefuEvent>(event: E, listener: (data: KefuEvents[E]) => void): void;
  /** Messages that arrived while the panel was closed. */
  readonly unread: number;
  readonly version: string;
  /** Removes every node, listener, timer and connection; `init` may run again. */
  destroy(): Promise<void>;
}

/** `window.Kefu`: the API, also callable snippet-style, `Kefu('open')`. */
export type KefuGlobal = KefuApi & ((command: string, ...args: unknown[]) => Promise<unknown>);

/** What the panel may use of its host: the bubble (drawn by the loader) and the event bus. */
export interface Bridge {
  launcher: HTMLButtonElement | null;
  emit(event: KefuEvent, data?: unknown): void;
}

/** The panel's side of every API call but init, on, off and destroy's bookkeeping. */
export type PanelHandle = Omit<KefuApi, 'init' | 'on' | 'off' | 'unread' | 'version' | 'destroy'> & {
  /** Removes the panel at once; resolves when nothing of it is left running (a flush under way). */
  destroy(): Promise<void> | undefined;
};

export interface PanelModule {
  /** Checks the options (throws a TypeError naming the wrong one) and mounts the closed panel. */
  mount(root: ShadowRoot, options: KefuOptions, bridge: Bridge): PanelHandle;
}
