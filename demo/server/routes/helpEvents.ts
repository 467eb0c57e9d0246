import { Hono } from 'hono';
import { HelpEventBatch } from '../../../src/api/schemas';
import type { Deps, Env } from '../context';
import { helpFacts } from '../facts';
import type { Idempotent } from '../idempotency';
import { readBody } from '../problem';

/**
 * `POST /v1/help-events`: the Help tab's facts (settled searches with their result counts, articles
 * opened) in batches, owned by the session's shopper and stored as service facts for the console's
 * self-service rate and content gaps. Idempotent like every create, so a resent batch counts once.
 */
export function helpEventsRoutes(_deps: Deps, idempotent: Idempotent) {
  const app = new Hono<Env>();

  app.post('/help-events', async (c) => {
    const body = await readBody(c, HelpEventBatch);
    return idempotent(c, body, async (q, auth) => ({ session: body.session, accepted: await helpFacts(q, auth, body) }));
  });

  return app;
}
