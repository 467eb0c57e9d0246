import { Hono } from 'hono';
import { randomUUID } from 'node:crypto';
import { RatingCreate, type Rating } from '../../../src/api/schemas';
import type { Deps, Env } from '../context';
import type { Queryable } from '../db';
import { rated } from '../facts';
import type { Idempotent } from '../idempotency';
import { notFound, ProblemError, readBody } from '../problem';
import { iso } from '../rows';
import type { Auth } from '../tokens';

type Subject = Rating['subject'];

interface RatingRow {
  id: string;
  client_id: string;
  subject_type: Subject['type'];
  subject_id: string;
  score: number;
  comment: string | null;
  created_at: Date;
}

const RATING_COLUMNS = 'id, client_id, subject_type, subject_id, score, comment, created_at';

/**
 * `POST /v1/ratings`: one rating per shopper and subject — rating again replaces the score — and an
 * `agent_events` row in the same transaction, so the console's figures never miss or double one.
 */
export function ratingsRoutes(_deps: Deps, idempotent: Idempotent) {
  const app = new Hono<Env>();

  app.post('/ratings', async (c) => {
    const body = await readBody(c, RatingCreate);
    return idempotent(c, body, async (q, auth) => {
      await ownSubject(q, auth, body.subject);
      // A clientId names one rating; reusing it for another subject is the client's mistake.
      const [earlier] = await q.query<RatingRow>(
        `select ${RATING_COLUMNS} from ratings where site = $1 and owner = $2 and client_id = $3`,
        [auth.site, auth.owner, body.clientId],
      );
      if (earlier && (earlier.subject_type !== body.subject.type || earlier.subject_id !== body.subject.id)) {
        throw new ProblemError(409, 'Conflict', 'This clientId already names a rating of another subject');
      }
      const [row] = await q.query<RatingRow>(
        `insert into ratings (id, site, owner, client_id, subject_type, subject_id, score, comment)
         values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (site, owner, subject_type, subject_id) do update
           set client_id = excluded.client_id, score = excluded.score, comment = excluded.comment, created_at = now()
         returning ${RATING_COLUMNS}`,
        [`r_${randomUUID()}`, auth.site, auth.owner, body.clientId, body.subject.type, body.subject.id, body.score, body.comment || null],
      );
      const rating = toRating(row!);
      // For the console's feed (agentEvents.ts): a row, and a NOTIFY on its channel that PostgreSQL
      // delivers at commit, so open console streams wake for it.
      await q.query(
        `with event as (insert into agent_events (site, type, data) values ($1, 'rating', $2) returning id)
         select pg_notify('kefu_agent_events', '') from event`,
        [auth.site, { type: 'rating', site: auth.site, owner: auth.owner, rating, subject: rating.subject }],
      );
      // A service fact to aggregate; a score of 1–2 also raises an alert in the console.
      await rated(q, auth.site, auth.owner, rating);
      return rating;
    });
  });

  return app;
}

/**
 * Passes when the shopper may rate the subject — their own conversation or ticket, or an article of
 * their site; anything else is the same 404 as a missing id.
 */
async function ownSubject(q: Queryable, auth: Auth, subject: Subject) {
  const rows = subject.type === 'article'
    ? await q.query('select 1 from articles where id = $1 and site = $2', [subject.id, auth.site])
    : await q.query(`select 1 from ${subject.type === 'ticket' ? 'tickets' : 'conversations'} where id = $1 and site = $2 and owner = $3`, [
      subject.id, auth.site, auth.owner,
    ]);
  if (!rows.length) throw notFound('Rating subject');
}

const toRating = (row: RatingRow): Rating => ({
  id: row.id,
  clientId: row.client_id,
  subject: { type: row.subject_type, id: row.subject_id },
  score: row.score,
  comment: row.comment,
  createdAt: iso(row.created_at),
});
