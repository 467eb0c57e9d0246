import { Hono } from 'hono';
import { createHash } from 'node:crypto';
import type { Deps } from '../context';
import { openapiDocument } from '../openapi';

/**
 * `GET /v1/openapi.json`: the contract as OpenAPI 3.1, public and readable from any origin (it holds
 * no secrets), built once per process and revalidated by ETag.
 */
export function openapiRoutes(_deps: Deps) {
  const app = new Hono();
  let served: { text: string; etag: string } | undefined;
  app.get('/openapi.json', (c) => {
    if (!served) {
      const text = JSON.stringify(openapiDocument());
      served = { text, etag: `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"` };
    }
    // This document is for every origin: the API-wide CORS allowlist (app.ts) leaves a route's own
    // Access-Control-Allow-Origin alone.
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cache-Control', 'public, max-age=300');
    c.header('ETag', served.etag);
    if (c.req.header('If-None-Match')?.split(/\s*,\s*/).includes(served.etag)) return c.body(null, 304);
    return c.body(served.text, 200, { 'Content-Type': 'application/json; charset=utf-8' });
  });
  return app;
}
