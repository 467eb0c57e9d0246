import { Hono } from 'hono';
import type { Deps, Env } from '../context';
import type { Idempotent } from '../idempotency';

/** Placeholder: filled in by the faq work. */
export function faqRoutes(_deps: Deps, _idempotent: Idempotent) {
  return new Hono<Env>();
}
