import type { Context } from 'hono';
import { createHash } from 'node:crypto';
import { isUniqueViolation, log, type Deps, type Env } from './context';
import type { Queryable } from './db';
import { ProblemError } from './problem';
import type { Auth } from './tokens';

/**
 * Runs a create once per `Idempotency-Key` (IETF draft): the same key and body replay the first
 * answer, another body answers 422, no key answers 400. The key is a row written in the same
 * transaction as the resource, so a race between two requests resolves in the database; a failed
 * create stores nothing, so the shopper may fix the body and send it again with the same key.
 */
export function createIdempotency({ db, bus }: Pick<Deps, 'db' | 'bus'>) {
  return async function idempotent<T>(
    c: Context<Env>, body: unknown, create: (q: Queryable, auth: Auth) => Promise<T>,
  ): Promise<Response> {
    const key = c.req.header('Idempotency-Key');
    if (!key || key.length > 128) {
      throw new ProblemError(400, 'Bad Request', 'An Idempotency-Key header (at most 128 characters) is required');
    }
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
    // No look-up first: the common request is new, and a repeated key meets the unique row below.
    try {
      const created = await db.tx(async (q) => {
        const resource = await create(q, auth);
        await q.query(
          'insert into idempotency (site, owner, key, fingerprint, status, body) values ($1, $2, $3, $4, 201, $5)',
          [auth.site, auth.owner, key, fingerprint, resource],
        );
        return resource;
      });
      wake(auth.site, auth.owner);
      return c.json(created as object, 201);
    } catch (error) {
      // A key used before makes the repeat fail somewhere (a unique row, or a rule such as "one
      // appeal per ticket"): if this key has an answer stored, the repeat gets that answer.
      if (isUniqueViolation(error) || error instanceof ProblemError) {
        const raced = await replay();
        if (raced) return raced;
      }
      throw error;
    }
  };

  /** Wakes the streams of (site, owner) after a commit; the events are stored, so a missed wake only delays. */
  function wake(site: string, owner: string) {
    bus.wake(site, owner).catch((error) => log('error', 'notify failed', { error: String(error) }));
  }
}

export type Idempotent = ReturnType<typeof createIdempotency>;
