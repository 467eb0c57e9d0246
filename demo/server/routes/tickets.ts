import { Hono } from 'hono';
import type { Deps, Env } from '../context';
import type { Idempotent } from '../idempotency';

/** Placeholder: filled in by the tickets work. */
export function ticketsRoutes(_deps: Deps, _idempotent: Idempotent) {
  return new Hono<Env>();
}
