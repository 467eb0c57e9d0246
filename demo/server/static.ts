/** Serves the built widget and the demo pages with the cache and security headers they need. */
import type { Hono } from 'hono';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { ticketFlows } from '../../src/api/ticketFlow';

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/**
 * Strict CSP for the demo shop and the agent console: no inline script or style, so the widget is
 * proven to need none, and Trusted Types required with no policy allowed, so no page (and no widget
 * code on it) can reach an HTML sink such as `innerHTML`.
 */
const DEMO_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

async function fileResponse(root: string, name: string, headers: Record<string, string>): Promise<Response | null> {
  const path = normalize(join(root, name));
  if (!path.startsWith(normalize(root))) return null; // No `..` escapes from the folder.
  try {
    const body = await readFile(path);
    const type = types[/\.[a-z]+$/.exec(name)?.[0] ?? ''] ?? 'application/octet-stream';
    return new Response(body, { headers: { 'Content-Type': type, ...headers } });
  } catch {
    return null;
  }
}

export function mountStatic(app: Hono<any>, config: { distDir: string; demoDir: string }) {
  // One stable loader URL with a short cache life, so merchants never re-paste the tag.
  app.get('/kefu.js', async (c, next) =>
    (await fileResponse(config.distDir, 'kefu.js', { 'Cache-Control': 'public, max-age=300' })) ?? next());
  // Content-hashed chunks (the panel, its lazy views, one catalog per language): immutable, cacheable for ever.
  app.get('/:file{(?:panel|view|locale)-[A-Za-z0-9_-]+\\.js}', async (c, next) =>
    (await fileResponse(config.distDir, c.req.param('file'), {
      'Cache-Control': 'public, max-age=31536000, immutable',
      'Access-Control-Allow-Origin': '*',
    })) ?? next());
  const page = (name: string) => async (c: { req: unknown }, next: () => Promise<void>) =>
    (await fileResponse(config.demoDir, name, { 'Content-Security-Policy': DEMO_CSP, 'Cache-Control': 'no-cache' })) ?? next();
  // The shop is a single-page app: its routes all serve the same page, which reads the path itself.
  app.get('/', page('index.html'));
  app.get('/product/:id{[A-Za-z0-9_-]{1,64}}', page('index.html'));
  app.get('/cart', page('index.html'));
  app.get('/orders', page('index.html'));
  app.get('/agent.html', page('agent.html'));
  // The ticket state machines as a module for the console (plain JS, no build step): one source of
  // truth, the same data the server enforces.
  const flows = `export const ticketFlows = ${JSON.stringify(ticketFlows)};\n`;
  app.get('/demo/ticket-flows.js', (c) =>
    c.body(flows, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' }));
  app.get('/demo/:file{[a-z0-9-]+\\.(?:js|css|svg|png)}', async (c, next) =>
    (await fileResponse(config.demoDir, c.req.param('file'), { 'Cache-Control': 'no-cache' })) ?? next());
}
