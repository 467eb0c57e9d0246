import type { MiddlewareHandler } from 'hono';
import type { Deps } from './context';

/** Placeholder: per-token and per-IP rate limits (429 + Retry-After). */
export function rateLimit(_deps: Deps): MiddlewareHandler {
  return async (_c, next) => {
    await next();
  };
}
