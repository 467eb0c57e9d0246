import type { Context } from 'hono';
import { createHash } from 'node:crypto';
import { isUniqueViolation, log, type Deps, type Env } from './context';
import type { Queryable } from './db';
import { ProblemError } from './problem';
import type { Auth } from './tokens';

/** What a create stores under its key, in its own transaction: the key's row with the answer. */
export interface IdempotencyClaim {
  site: string;
  owner: string;
  key: string;
  fingerprint: string;
}

/**
 * Runs a create once per `Idempotency-Key` (IETF draft): the same key and body replay the first
 * answer, another body answers 422, no key answers 400. The key is a row written in the same
 * transaction as the resource, so a race between two requests resolves in the database; a failed
 * create stores nothing, so the shopper may fix the body and send it again with the same key.
 */
export function createIdempotency({ db, bus }: Pick<Deps, 'db' | 'bus'>) {
  /**
   * The create runs in a transaction that then stores the key's row; the shopper's streams wake
   * after commit.
   */
  function idempotent<T>(c: Context<Env>, body: unknown, create: (q: Queryable, auth: Auth) => Promise<T>) {
    const auth = c.get('auth');
    return once(c, body, auth, (claim) => stored(claim, (q) => create(q, auth)), () => wake(auth.site, auth.owner));
  }

  /**
   * For a shopper's create that stores the claim's row itself, in the same transaction as the
   * resource (one statement in the hot path): the answer is what it returns.
   */
  idempotent.storedBy = <T>(c: Context<Env>, body: unknown, create: (claim: IdempotencyClaim, auth: Auth) => Promise<T>) => {
    const auth = c.get('auth');
    return once(c, body, auth, (claim) => create(claim, auth), () => wake(auth.site, auth.owner));
  };

  /**
   * For the agent API's creates (a reply, a follow-up ticket): the agents share one key space, and
   * the route wakes whichever shopper it wrote to.
   */
  idempotent.asAgent = <T>(c: Context, body: unknown, create: (q: Queryable) => Promise<T>) =>
    once(c, body, AGENTS, (claim) => stored(claim, create), () => undefined);

  /** Runs `create` in a transaction that also stores the key's row with its answer. */
  function stored<T>(claim: IdempotencyClaim, create: (q: Queryable) => Promise<T>) {
    return db.tx(async (q) => {
      const resource = await create(q);
      await q.query(
        'insert into idempotency (site, owner, key, fingerprint, status, body) values ($1, $2, $3, $4, 201, $5)',
        [claim.site, claim.owner, claim.key, claim.fingerprint, resource],
      );
      return resource;
    });
  }

  async function once<T>(
    c: Context, body: unknown, scope: { site: string; owner: string },
    create: (claim: IdempotencyClaim) => Promise<T>, afterCommit: () => void,
  ): Promise<Response> {
    const key = c.req.header('Idempotency-Key');
    if (!key || key.length > 128) {
      throw new ProblemError(400, 'Bad Request', 'An Idempotency-Key header (at most 128 characters) is required');
    }
    const answer = await keyed(key, `${c.req.method} ${c.req.path}`, body, scope, create, afterCommit);
    return c.json(answer.body as object, answer.status as 201);
  }

  /**
   * One create of a batch (`POST …/messages/batch`), under the key its item carries: fingerprinted
   * as the single create at `request` (`POST /v1/conversations/:id/messages`), so a message first
   * sent alone and again in a batch, or the other way round, replays rather than answering 422.
   */
  idempotent.item = <T>(auth: Auth, key: string, request: string, body: unknown, create: (claim: IdempotencyClaim) => Promise<T>) =>
    keyed(key, request, body, auth, create, () => undefined);

  /** The create once per key; answers what to send (the new resource, or the key's stored answer). */
  async function keyed<T>(
    key: string, request: string, body: unknown, scope: { site: string; owner: string },
    create: (claim: IdempotencyClaim) => Promise<T>, afterCommit: () => void,
  ): Promise<{ status: number; body: unknown }> {
    const fingerprint = createHash('sha256').update(`${request}\n${JSON.stringify(body)}`).digest('hex');
    const replay = async () => {
      const [row] = await db.query<{ fingerprint: string; status: number; body: unknown }>(
        'select fingerprint, status, body from idempotency where site = $1 and owner = $2 and key = $3',
        [scope.site, scope.owner, key],
      );
      if (!row) return null;
      if (row.fingerprint !== fingerprint) {
        throw new ProblemError(422, 'Unprocessable Content', 'This Idempotency-Key was already used with another request');
      }
      return { status: row.status, body: row.body };
    };
    // No look-up first: the common request is new, and a repeated key meets the unique row.
    try {
      const created = await create({ site: scope.site, owner: scope.owner, key, fingerprint });
      afterCommit();
      return { status: 201, body: created };
    } catch (error) {
      // A key used before makes the repeat fail somewhere (a unique row, or a rule such as "one
      // appeal per ticket"): if this key has an answer stored, the repeat gets that answer.
      if (isUniqueViolation(error) || error instanceof ProblemError) {
        const raced = await replay();
        if (raced) return raced;
      }
      throw error;
    }
  }

  /** Wakes the streams of (site, owner) after a commit; the events are stored, so a missed wake only delays. */
  function wake(site: string, owner: string) {
    bus.wake(site, owner).catch((error) => log('error', 'notify failed', { error: String(error) }));
  }

  return idempotent;
}

/** The agents' key space, apart from every shopper's (their owners are `u:…` or `v:…`). */
const AGENTS = { site: '*', owner: 'agent' };

export type Idempotent = ReturnType<typeof createIdempotency>;
