/**
 * The reference backend's HTTP surface (design §3). Routes read like the contract table and live in
 * `routes/`; request bodies are validated with the shared schemas; every shopper read and write is
 * scoped to the session's owner, and anything else answers 404 exactly like a missing id.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { MAX_UPLOAD_BYTES } from '../../src/api/schemas';
import { bearerOf, log, type Deps, type Env } from './context';
import { faults } from './faults';
import { createIdempotency } from './idempotency';
import { notFound, ProblemError, problemResponse } from './problem';
import { rateLimit } from './ratelimit';
import { agentRoutes } from './routes/agent';
import { conversationRoutes } from './routes/conversations';
import { demoRoutes } from './routes/demo';
import { eventRoutes } from './routes/events';
import { faqRoutes } from './routes/faq';
import { helpEventsRoutes } from './routes/helpEvents';
import { openapiRoutes } from './routes/openapi';
import { orderRoutes } from './routes/orders';
import { ratingsRoutes } from './routes/ratings';
import { readRoutes } from './routes/reads';
import { sessionRoutes } from './routes/sessions';
import { ticketsRoutes } from './routes/tickets';
import { uploadsRoutes } from './routes/uploads';
import { verifySession } from './tokens';

export type { AppConfig, Bot, BotReply, Deps } from './context';

const MAX_BODY = 64 * 1024;
// An upload's body is the file plus multipart framing (boundaries, part headers, the name field);
// the uploads route holds the file itself to MAX_UPLOAD_BYTES exactly.
const MAX_UPLOAD_BODY = MAX_UPLOAD_BYTES + 64 * 1024;

export function createApp(deps: Deps) {
  const { db, secret, config } = deps;
  const app = new Hono<Env>();

  app.onError((error, c) => {
    if (error instanceof ProblemError) return problemResponse(c, error);
    // Logged with its stack here; the client sees no internals.
    log('error', 'unhandled', { method: c.req.method, path: c.req.path, error: String(error?.stack ?? error) });
    return problemResponse(c, new ProblemError(500, 'Internal Server Error'));
  });
  app.notFound((c) => problemResponse(c, notFound('Route')));

  // Headers of a finished answer are set on its own Headers, as Hono's secureHeaders does: `c.header()`
  // after `next()` (and Hono's cors, which also sets headers before it) makes @hono/node-server build
  // a full web Response with a body stream out of its lightweight one, a fifth of a post's server time.
  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
  });
  // CORS: a merchant's page calls the API from its own origin. Preflights carry no site key, so any
  // site's allowed origin passes here and the session endpoint checks the origin against its site.
  // Content-Disposition: the widget shows an image's name (its canvas's label) on a page of another origin too.
  const exposeHeaders = ['Retry-After', 'ETag', 'Content-Disposition'];
  const preflight = cors({
    origin: async (origin) => ((await originAllowed(origin)) ? origin : null),
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Last-Event-ID', 'Accept-Language', 'If-None-Match'],
    exposeHeaders,
    maxAge: 600,
  });
  app.use('/v1/*', async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    const origin = c.req.header('Origin');
    const allowed = origin && (await originAllowed(origin)) ? origin : null;
    await next();
    // A route's own value stands (the OpenAPI document is readable from any origin).
    const headers = c.res.headers;
    if (allowed && !headers.has('Access-Control-Allow-Origin')) headers.set('Access-Control-Allow-Origin', allowed);
    if (!headers.has('Access-Control-Expose-Headers')) headers.set('Access-Control-Expose-Headers', exposeHeaders.join(','));
    headers.append('Vary', 'Origin');
  });
  // A 413 leaves the rest of the body unread, so the connection cannot carry another request:
  // `Connection: close` tells the client not to reuse it (else its next request meets a closed socket).
  const tooLarge = (detail: string) =>
    new ProblemError(413, 'Payload Too Large', detail, undefined, { Connection: 'close' });
  const limits = {
    json: { max: MAX_BODY, detail: `Bodies are limited to ${MAX_BODY} bytes` },
    upload: { max: MAX_UPLOAD_BODY, detail: `Uploads are limited to ${MAX_UPLOAD_BYTES} bytes` },
  };
  const streamed = {
    json: bodyLimit({ maxSize: limits.json.max, onError: (c) => problemResponse(c, tooLarge(limits.json.detail)) }),
    upload: bodyLimit({ maxSize: limits.upload.max, onError: (c) => problemResponse(c, tooLarge(limits.upload.detail)) }),
  };
  app.use('/v1/*', (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next(); // No route reads their body.
    const kind = c.req.method === 'POST' && c.req.path === '/v1/uploads' ? 'upload' : 'json';
    // Hono's bodyLimit reads `c.req.raw.body`, which makes @hono/node-server build a full web
    // Request with a stream over the socket (a third of a message post's server time); a declared
    // length is checked from the header instead, and the body is later read straight from the socket.
    const length = c.req.header('Content-Length');
    if (length === undefined || !/^\d+$/.test(length) || c.req.header('Transfer-Encoding') !== undefined) return streamed[kind](c, next);
    if (Number(length) > limits[kind].max) throw tooLarge(limits[kind].detail);
    return next();
  });

  app.use('/v1/*', rateLimit(deps));
  app.use('/v1/*', faults());

  const idempotent = createIdempotency(deps);
  // Public and agent routes first: the shopper router below requires a shopper session for all of /v1.
  app.route('/v1', sessionRoutes(deps));
  app.route('/v1', openapiRoutes(deps));
  app.route('/v1/agent', agentRoutes(deps, idempotent));

  // Everything else a shopper calls needs a session.
  const shopper = new Hono<Env>();
  shopper.use('*', async (c, next) => {
    const token = bearerOf(c);
    const auth = token ? await verifySession(secret, token) : null;
    if (!auth) {
      throw new ProblemError(401, 'Unauthorized', 'A valid session token is required', undefined, { 'WWW-Authenticate': 'Bearer' });
    }
    c.set('auth', auth);
    await next();
  });
  shopper.route('/', conversationRoutes(deps, idempotent));
  shopper.route('/', eventRoutes(deps));
  shopper.route('/', faqRoutes(deps, idempotent));
  shopper.route('/', helpEventsRoutes(deps, idempotent));
  shopper.route('/', orderRoutes(deps, idempotent));
  shopper.route('/', ticketsRoutes(deps, idempotent));
  shopper.route('/', readRoutes(deps));
  shopper.route('/', ratingsRoutes(deps, idempotent));
  shopper.route('/', uploadsRoutes(deps, idempotent));
  app.route('/v1', shopper);

  if (config.demo) app.route('/demo', demoRoutes(deps));

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
