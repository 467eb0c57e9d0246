/**
 * The reference backend's HTTP surface (design §3). Routes read like the contract table; request
 * bodies are validated with the shared schemas; every shopper read and write is scoped to the
 * session's owner, and anything else answers 404 exactly like a missing id.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { streamSSE } from 'hono/streaming';
import { createHash, randomUUID } from 'node:crypto';
import {
  ConversationCreate, MessageCreate, SessionRequest, type Conversation, type Message, type QuickAction,
} from '../../src/api/schemas';
import type { Db, Queryable } from './db';
import type { EventBus } from './events';
import { ProblemError, notFound, problemResponse, readBody } from './problem';
import { issueSession, ownerOf, signUserToken, verifySession, verifyUserToken, type Auth } from './tokens';

export interface BotReply {
  text: string;
  articleIds: string[];
  actions: QuickAction[];
  handoff: boolean;
}

export interface Bot {
  reply(text: string, locale: 'en' | 'zh-CN'): BotReply;
}

export interface AppConfig {
  demo: boolean;
  /** Folder with the built widget (`kefu.js`, panel chunks). */
  distDir: string;
  /** Folder with the demo shop's pages. */
  demoDir: string;
}

export interface AppDeps {
  db: Db;
  bus: EventBus;
  bot: Bot;
  secret: Uint8Array;
  config: AppConfig;
}

type Env = { Variables: { auth: Auth } };

const MAX_BODY = 64 * 1024;
const PAGE = 100;

export function createApp({ db, bus, bot, secret, config }: AppDeps) {
  const app = new Hono<Env>();

  app.onError((error, c) => {
    if (error instanceof ProblemError) return problemResponse(c, error);
    // Logged with its stack here; the client sees no internals.
    console.error(JSON.stringify({ level: 'error', msg: 'unhandled', path: c.req.path, error: String(error?.stack ?? error) }));
    return problemResponse(c, new ProblemError(500, 'Internal Server Error'));
  });
  app.notFound((c) => problemResponse(c, notFound('Route')));

  app.use('*', async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
  });
  // CORS: a merchant's page calls the API from its own origin. Preflights carry no site key, so any
  // site's allowed origin passes here and the session endpoint checks the origin against its site.
  app.use(
    '/v1/*',
    cors({
      origin: async (origin) => ((await originAllowed(origin)) ? origin : null),
      allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Last-Event-ID', 'Accept-Language'],
      exposeHeaders: ['Retry-After'],
      maxAge: 600,
    }),
  );
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: MAX_BODY,
      onError: (c) => problemResponse(c, new ProblemError(413, 'Payload Too Large', `Bodies are limited to ${MAX_BODY} bytes`)),
    }),
  );

  // --- sessions -------------------------------------------------------------------------------
  app.post('/v1/sessions', async (c) => {
    const body = await readBody(c, SessionRequest);
    const [site] = await db.query<{ key: string; secret: string; origins: string[] }>(
      'select key, secret, origins from sites where key = $1',
      [body.site],
    );
    if (!site) throw new ProblemError(401, 'Unauthorized', 'Unknown site key');
    const origin = c.req.header('Origin');
    if (origin && !config.demo && !sameOrigin(c, origin) && !site.origins.includes(origin)) {
      throw new ProblemError(403, 'Forbidden', `The origin ${origin} is not allowed for this site`);
    }
    // The current token (even expired, within the renewal window) proves this device holds its visitor.
    const bearer = bearerOf(c);
    const previous = bearer ? await verifySession(secret, bearer, true) : null;
    const held = previous?.site === site.key ? previous : null;
    const visitorId = held?.visitorId ?? `v_${randomUUID()}`;
    let user: { id: string; name: string | null; email: string | null } | null = null;
    if (body.userToken) {
      user = await verifyUserToken(site.secret, body.userToken);
      if (!user) throw new ProblemError(401, 'Unauthorized', 'The user token is invalid or expired');
    }
    const userId = user?.id ?? held?.userId ?? null;
    const { token, expiresAt } = await issueSession(secret, { site: site.key, visitorId, userId });
    return c.json({ token, visitorId, user: user ?? (userId ? { id: userId } : null), expiresAt }, 201);
  });

  // --- everything below needs a session -------------------------------------------------------
  const shopper = new Hono<Env>();
  shopper.use('*', async (c, next) => {
    const token = bearerOf(c);
    const auth = token ? await verifySession(secret, token) : null;
    if (!auth) throw new ProblemError(401, 'Unauthorized', 'A valid session token is required', undefined, {
      'WWW-Authenticate': 'Bearer',
    });
    c.set('auth', auth);
    await next();
  });

  shopper.get('/conversations', async (c) => {
    const { site, owner } = c.get('auth');
    const rows = await db.query<ConversationRow>(
      `select ${CONVERSATION_COLUMNS} from conversations where site = $1 and owner = $2 order by updated_at desc limit 50`,
      [site, owner],
    );
    return c.json({ conversations: rows.map(toConversation) });
  });

  shopper.post('/conversations', async (c) => {
    const body = await readBody(c, ConversationCreate);
    return idempotent(c, body, async (q, auth) => {
      const [row] = await q.query<ConversationRow>(
        `insert into conversations (id, site, owner, client_id) values ($1, $2, $3, $4)
         on conflict (site, owner, client_id) do update set client_id = excluded.client_id
         returning ${CONVERSATION_COLUMNS}`,
        [`c_${randomUUID()}`, auth.site, auth.owner, body.clientId],
      );
      return toConversation(row!);
    });
  });

  shopper.get('/conversations/:id/messages', async (c) => {
    const conversation = await ownConversation(db, c.get('auth'), c.req.param('id'));
    const after = c.req.query('after');
    const rows = await db.query<MessageRow>(
      `select ${MESSAGE_COLUMNS} from messages where conversation_id = $1
         and seq > coalesce((select seq from messages where id = $2 and conversation_id = $1), 0)
       order by seq limit ${PAGE + 1}`,
      [conversation.id, after ?? ''],
    );
    const page = rows.slice(0, PAGE).map(toMessage);
    return c.json({ messages: page, next: rows.length > PAGE ? page.at(-1)!.id : null });
  });

  shopper.post('/conversations/:id/messages', async (c) => {
    const body = await readBody(c, MessageCreate);
    const locale = /^zh/i.test(c.req.header('Accept-Language') ?? '') ? 'zh-CN' : 'en';
    return idempotent(c, body, async (q, auth) => {
      const conversation = await ownConversation(q, auth, c.req.param('id'));
      const message = await insertMessage(q, conversation.id, 'shopper', body.text, body.clientId);
      await bus.record(q, auth.site, auth.owner, { type: 'message', message });
      if (conversation.status === 'bot') {
        const answer = bot.reply(body.text, locale);
        const reply = await insertMessage(q, conversation.id, 'bot', answer.text, null, {
          articleIds: answer.articleIds,
          actions: answer.actions,
        });
        await bus.record(q, auth.site, auth.owner, { type: 'message', message: reply });
      }
      await q.query('update conversations set updated_at = now() where id = $1', [conversation.id]);
      return message;
    });
  });

  shopper.get('/events', (c) => {
    const { site, owner } = c.get('auth');
    return streamSSE(c, async (stream) => {
      // Something goes out at once, so proxies and clients see the stream open before any event.
      await stream.write('retry: 3000\n\n');
      let cursor = c.req.header('Last-Event-ID') || (await bus.head(site, owner));
      let pending = Promise.resolve();
      // Wakes are chained so events go out once each and in order, however many NOTIFYs arrive.
      const drain = () => {
        pending = pending.then(async () => {
          for (const event of await bus.read(site, owner, cursor)) {
            await stream.writeSSE({ id: event.id, data: JSON.stringify(event.data) });
            cursor = event.id;
          }
        });
        return pending;
      };
      const unwatch = bus.watch(site, owner, () => void drain().catch(() => stream.abort()));
      const ping = setInterval(() => void stream.write(': ping\n\n').catch(() => stream.abort()), 25_000);
      stream.onAbort(() => {
        unwatch();
        clearInterval(ping);
      });
      await drain();
      // Keeps the stream open until the client goes away.
      await new Promise<void>((resolve) => stream.onAbort(resolve));
    });
  });

  app.route('/v1', shopper);

  /**
   * Runs a create once per `Idempotency-Key` (IETF draft): the same key and body replay the first
   * answer, another body answers 422, no key answers 400. The key is a row written in the same
   * transaction as the resource, so a race between two requests resolves in the database.
   */
  async function idempotent<T>(c: Context<Env>, body: unknown, create: (q: Queryable, auth: Auth) => Promise<T>) {
    const key = c.req.header('Idempotency-Key');
    if (!key || key.length > 128) throw new ProblemError(400, 'Bad Request', 'An Idempotency-Key header (at most 128 characters) is required');
    const auth = c.get('auth');
    const fingerprint = createHash('sha256').update(`${c.req.method} ${c.req.path}\n${JSON.stringify(body)}`).digest('hex');
    const replay = async () => {
      const [row] = await db.query<{ fingerprint: string; status: number; body: unknown }>(
        'select fingerprint, status, body from idempotency where site = $1 and owner = $2 and key = $3',
        [auth.site, auth.owner, key],
      );
      if (!row) return null;
      if (row.fingerprint !== fingerprint) {
        throw new ProblemError(422, 'Unprocessable Content', 'This Idempotency-Key was already used with another request');
      }
      return c.json(row.body as object, row.status as 201);
    };
    const earlier = await replay();
    if (earlier) return earlier;
    try {
      const created = await db.tx(async (q) => {
        const resource = await create(q, auth);
        await q.query(
          'insert into idempotency (site, owner, key, fingerprint, status, body) values ($1, $2, $3, $4, 201, $5)',
          [auth.site, auth.owner, key, fingerprint, resource],
        );
        return resource;
      });
      bus.wake(auth.site, auth.owner).catch((error) =>
        // The events are stored; a stream that missed this wake catches up on its next one or reconnect.
        console.error(JSON.stringify({ level: 'error', msg: 'notify failed', error: String(error) })));
      return c.json(created as object, 201);
    } catch (error) {
      if (isUniqueViolation(error)) {
        const raced = await replay();
        if (raced) return raced;
      }
      throw error;
    }
  }

  // --- demo: signing endpoint for the demo shop's shoppers (off unless KEFU_DEMO=1) ------------
  if (config.demo) {
    const people: Record<string, { name: string; email: string }> = {
      alice: { name: 'Alice', email: 'alice@example.com' },
      bob: { name: 'Bob', email: 'bob@example.com' },
    };
    app.get('/demo/token', async (c) => {
      const user = c.req.query('user') ?? '';
      const person = people[user];
      if (!person) throw new ProblemError(400, 'Bad Request', 'user must be alice or bob', [{ path: 'user', message: 'must be alice or bob' }]);
      const [site] = await db.query<{ secret: string }>(`select secret from sites where key = 'pk_demo'`);
      return c.json({ userToken: await signUserToken(site!.secret, { sub: user, ...person }) });
    });
  }

  /** Whether any site allows `origin` (all origins in demo mode); cached briefly. */
  let origins: { at: number; set: Set<string> } | undefined;
  async function originAllowed(origin: string): Promise<boolean> {
    if (config.demo) return true;
    if (!origins || Date.now() - origins.at > 30_000) {
      const rows = await db.query<{ origin: string }>('select distinct unnest(origins) as origin from sites');
      origins = { at: Date.now(), set: new Set(rows.map((row) => row.origin)) };
    }
    return origins.set.has(origin);
  }

  return app;
}

function sameOrigin(c: Context, origin: string): boolean {
  return new URL(c.req.url).origin === origin;
}

function bearerOf(c: Context): string | undefined {
  const header = c.req.header('Authorization') ?? '';
  return /^Bearer (.+)$/i.exec(header)?.[1];
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505';
}

async function ownConversation(q: Queryable, auth: Auth, id: string) {
  const [row] = await q.query<{ id: string; status: Conversation['status'] }>(
    'select id, status from conversations where id = $1 and site = $2 and owner = $3',
    [id, auth.site, auth.owner],
  );
  if (!row) throw notFound('Conversation');
  return row;
}

async function insertMessage(
  q: Queryable, conversationId: string, author: Message['author'], text: string, clientId: string | null,
  extra: Record<string, unknown> = {},
): Promise<Message> {
  const [row] = await q.query<MessageRow>(
    `insert into messages (id, conversation_id, client_id, author, text, extra) values ($1, $2, $3, $4, $5, $6)
     returning ${MESSAGE_COLUMNS}`,
    [`m_${randomUUID()}`, conversationId, clientId, author, text, extra],
  );
  return toMessage(row!);
}

const CONVERSATION_COLUMNS = 'id, client_id, status, created_at, updated_at';
interface ConversationRow {
  id: string;
  client_id: string;
  status: Conversation['status'];
  created_at: Date;
  updated_at: Date;
}
const toConversation = (row: ConversationRow): Conversation => ({
  id: row.id,
  clientId: row.client_id,
  status: row.status,
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

const MESSAGE_COLUMNS = 'id, conversation_id, client_id, author, text, extra, created_at';
interface MessageRow {
  id: string;
  conversation_id: string;
  client_id: string | null;
  author: Message['author'];
  text: string;
  extra: { articleIds?: string[]; actions?: QuickAction[] };
  created_at: Date;
}
const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  clientId: row.client_id,
  conversationId: row.conversation_id,
  author: row.author,
  text: row.text,
  createdAt: new Date(row.created_at).toISOString(),
  ...(row.extra.articleIds?.length ? { articleIds: row.extra.articleIds } : {}),
  ...(row.extra.actions?.length ? { actions: row.extra.actions } : {}),
});

export { ownerOf };
