import { Hono, type Context } from 'hono';
import { randomUUID } from 'node:crypto';
import { SessionRequest } from '../../../src/api/schemas';
import { bearerOf, log, type Deps } from '../context';
import type { Queryable } from '../db';
import { mergeVisitor } from '../merge';
import { ProblemError, readBody } from '../problem';
import { issueSession, verifySession, verifyUserToken } from '../tokens';

/** `POST /v1/sessions`: a bearer token bound to one site and one shopper (signed user or anonymous visitor). */
export function sessionRoutes({ db, bus, secret, config }: Deps) {
  const app = new Hono();
  app.post('/sessions', async (c) => {
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
    // The current token (even expired, within the renewal window) proves this device holds its
    // visitor; a bare visitorId proves nothing and gets a new visitor.
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
    const owner = userId ? `u:${userId}` : `v:${visitorId}`;
    const upsert = (q: Queryable) => q.query(
      `insert into shoppers (site, owner, visitor_id, user_id, name, email) values ($1, $2, $3, $4, $5, $6)
       on conflict (site, owner) do update set visitor_id = excluded.visitor_id,
         name = coalesce(excluded.name, shoppers.name), email = coalesce(excluded.email, shoppers.email), last_seen = now()`,
      [site.key, owner, visitorId, userId, user?.name ?? null, user?.email ?? null],
    );
    // Signing in with this device's anonymous session as proof moves the visitor's history over
    // (once; demo/server/merge.ts). A signed-in session, or none, proves no visitor and moves nothing.
    const merged = user && held && !held.userId
      ? await db.tx(async (q) => {
        await upsert(q);
        return mergeVisitor(q, bus, site.key, held.visitorId, user.id);
      })
      : void (await upsert(db));
    if (merged?.conversations.length || merged?.tickets.length) {
      bus.wake(site.key, owner).catch((error) => log('error', 'notify failed', { error: String(error) }));
    }
    const { token, expiresAt } = await issueSession(secret, { site: site.key, visitorId, userId });
    return c.json({ token, visitorId, user: user ?? (userId ? { id: userId } : null), expiresAt }, 201);
  });
  return app;
}

function sameOrigin(c: Context, origin: string): boolean {
  return new URL(c.req.url).origin === origin;
}
