/**
 * Cursor paging for the list endpoints: `?cursor=` takes the opaque `next` of the previous page,
 * `?limit=` is 1..100. A cursor is the id of the last row sent, so a page starts exactly after it
 * however many rows were added meanwhile; an unknown cursor is a 400, never a silently empty page.
 * (A conversation's messages keep their own `?after=`, the id of the last message the client holds.)
 */
import type { Context } from 'hono';
import { ProblemError } from './problem';

export interface PageRequest {
  limit: number;
  cursor: string | null;
}

export function pageRequest(c: Context, defaultLimit = 20): PageRequest {
  const raw = c.req.query('limit');
  const limit = raw === undefined ? defaultLimit : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw badQuery('limit', 'must be an integer from 1 to 100');
  }
  return { limit, cursor: c.req.query('cursor') || null };
}

/** Rows fetched with `limit + 1` → the page and the cursor of the next one (null on the last page). */
export function pageOf<T extends { id: string }>(rows: T[], limit: number): { page: T[]; next: string | null } {
  const page = rows.slice(0, limit);
  return { page, next: rows.length > limit ? page.at(-1)!.id : null };
}

/** A 400 naming the query parameter that is wrong. */
export function badQuery(path: string, message: string) {
  return new ProblemError(400, 'Bad Request', `${path} ${message}`, [{ path, message }]);
}

export const unknownCursor = () => badQuery('cursor', 'is not a cursor of this list');
