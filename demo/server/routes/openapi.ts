import { Hono } from 'hono';
import type { Deps } from '../context';

/** Placeholder: `GET /v1/openapi.json`. */
export function openapiRoutes(_deps: Deps) {
  return new Hono();
}
