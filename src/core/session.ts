/**
 * The shopper's session and its lifecycle: storage under consent, the backend session (anonymous
 * or signed in), and the chat on top. Nothing here runs before the panel first needs it: no
 * storage, no network until `start()` (the first open, `ask`, or a call that needs the server).
 */
import { signal } from '@preact/signals';
import type { Locale, Message, PageContext, RatingCreate, ServerEvent, Session } from '../api/schemas';
import type { BackendAdapter } from '../client/BackendAdapter';
import { RestAdapter } from '../client/RestAdapter';
import { isHttpError, KefuError } from '../client/errors';
import { createChat, type Chat } from './chat';
import { createDesk, type Desk } from './desk';
import type { ConsentStorage } from './consentStorage';
import { subjectOf } from './identity';
import { createCache } from '../offline/cache';

export interface SessionOptions {
  site: string;
  /** Whether the site key looks right; if not, `start()` fails with `not_configured`. */
  configured: boolean;
  api: string;
  storage: ConsentStorage;
  adapter?: BackendAdapter;
  userToken?: string;
  context: () => PageContext;
  /** The shopper's language, for text the server writes (bot replies). */
  locale: () => Locale;
  /** A session-wide failure nobody awaits (a rejected user token): the `error` event. */
  onError: (error: unknown) => void;
  onIncoming: (message: Message) => void;
  onEvent: (event: ServerEvent) => void;
  /** The shopper rated something (the `rating` event). */
  onRated?: (rating: RatingCreate) => void;
}

export function createSession(options: SessionOptions) {
  const { site, storage } = options;
  const chat = signal<Chat | null>(null);
  const desk = signal<Desk | null>(null);
  const failure = signal<unknown>(null);
  let userToken = options.userToken;
  let adapter: BackendAdapter | undefined;
  let starting: Promise<Chat> | undefined;
  let rejectedToken: unknown;
  let awaited = false; // identify() awaits the sign-in and rejects itself; no separate error event.
  /** The session the last start opened (an adapter passed in keeps its own, never stored here). */
  let last: Session | undefined;
  // Bumped by every stop: a start still under way notices that it was overtaken and gives up.
  let generation = 0;
  let stopped = false;

  async function open(): Promise<Chat> {
    const mine = generation;
    const alive = () => {
      if (mine !== generation || stopped) throw new KefuError('destroyed', 'The session was replaced or the widget destroyed');
    };
    if (!options.configured) throw new KefuError('not_configured', 'The site key is missing or malformed');
    failure.value = null;
    await storage.open();
    alive();
    let saved = options.adapter ? undefined : await storage.get<Session>('session');
    // Another shopper signed in on this device: the previous one's local data goes first.
    if (saved?.user && userToken && saved.user.id !== subjectOf(userToken)) {
      await storage.wipe();
      saved = undefined;
    }
    alive();
    const current = (adapter = options.adapter ?? new RestAdapter({
      baseUrl: options.api,
      site,
      session: saved,
      onSession: (session) => void storage.set('session', session),
    }));
    current.locale = options.locale();
    // This device's anonymous session, which the sign-in below presents as proof (the adapter
    // sends it as the bearer token) so the server moves the visitor's history to the shopper.
    const visitor = saved ?? last;
    let info: Session | undefined = saved;
    if (userToken) {
      try {
        info = await current.startSession({ site, userToken });
        saved = undefined;
      } catch (error) {
        if (!isHttpError(error) || error.status !== 401) throw error;
        // The merchant's token was refused (expired, wrong secret): carry on anonymously, say why.
        userToken = undefined;
        rejectedToken = error;
        if (!awaited) options.onError(error);
      }
    }
    if (!userToken && (options.adapter || !saved)) info = await current.startSession({ site });
    alive();
    last = info;
    const scope = info?.user ? `u:${info.user.id}` : `v:${info?.visitorId}`;
    // Signed in over an anonymous session: the server moved the visitor's history to the shopper,
    // so the visitor's copies are stale; the shopper's scope loads afresh (design §3).
    if (info?.user && visitor && !visitor.user) await createCache(storage, scope).wipe(`v:${visitor.visitorId}`);
    const created = createChat({
      site,
      adapter: current,
      storage,
      context: options.context,
      onIncoming: options.onIncoming,
      onEvent: (event) => {
        desk.value?.onEvent(event);
        options.onEvent(event);
      },
    });
    // The desk registers its kinds on the outbox before it starts, so items left from a reload go out too.
    desk.value = createDesk({
      adapter: current,
      storage,
      outbox: created.outbox,
      scope,
      signedIn: !!info?.user,
      consented: () => storage.granted,
      onRated: options.onRated,
    });
    chat.value = created;
    try {
      await created.start();
      alive();
    } catch (error) {
      void created.stop();
      throw error;
    }
    return created;
  }

  /** Opens the session and the chat once; a failure is shown, and the next call tries again. */
  function start(): Promise<Chat> {
    if (starting) return starting;
    const opening: Promise<Chat> = open().catch((error: unknown) => {
      if (starting === opening) starting = undefined;
      if (!(error instanceof KefuError && error.code === 'destroyed')) failure.value = error;
      throw error;
    });
    return (starting = opening);
  }

  /** Closes the chat's stream and outbox (resolves once its flush let go); the next `start()` opens afresh. */
  function stop() {
    generation++;
    const stopped = chat.value?.stop();
    desk.value?.stop();
    // The requests under way end too (an adapter the host gave is the host's to close).
    if (!options.adapter) adapter?.close?.();
    chat.value = null;
    desk.value = null;
    starting = undefined;
    adapter = undefined;
    return stopped;
  }

  /** Stops, runs `change`, and starts again if it had started (the panel was used). */
  async function restart(change: () => Promise<void> | void) {
    const started = !!starting || !!chat.value;
    await stop();
    await change();
    if (started) await start();
  }

  return {
    chat,
    desk,
    failure,
    start,
    get started() {
      return !!starting;
    },
    /**
     * Signs the shopper in: a new session with the merchant's token (this device's anonymous one
     * is its proof, so the server moves the visitor's history over) and their data reloaded. Before
     * the first start it only keeps the token: the session opens signed in when it is needed.
     */
    async identify(token: string) {
      rejectedToken = undefined;
      awaited = true;
      try {
        await restart(() => void (userToken = token));
      } finally {
        awaited = false;
      }
      if (rejectedToken) throw rejectedToken;
    },
    /** Wipes this shopper's local data (memory and `kefu:<site>`) and goes on as a new visitor. */
    logout: () =>
      restart(async () => {
        userToken = undefined;
        await storage.wipe();
      }),
    /** Switches the language of what the server writes from now on. */
    setLocale(locale: Locale) {
      if (adapter) adapter.locale = locale;
    },
    destroy() {
      stopped = true;
      return stop();
    },
  };
}

export type ShopperSession = ReturnType<typeof createSession>;
