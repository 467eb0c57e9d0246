/**
 * `npm start`: the reference server on PGlite (or PostgreSQL with DATABASE_URL), serving the API,
 * the built widget and the demo shop. Configuration by environment (design §4).
 */
import { serve } from '@hono/node-server';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer } from './server';

const port = Number(process.env.PORT ?? 8787);
const demo = process.env.KEFU_DEMO === '1';
const dataDir = resolve(process.env.KEFU_DATA_DIR ?? '.data/pglite');
if (!process.env.DATABASE_URL) mkdirSync(dataDir, { recursive: true });

// Demo mode prints (and the console pre-fills) a fixed token; otherwise one must be configured or is generated.
const agentToken = process.env.KEFU_AGENT_TOKEN ?? (demo ? 'kefu-demo-agent' : randomBytes(24).toString('base64url'));
const server = await createServer({
  agentToken,
  databaseUrl: process.env.DATABASE_URL,
  dataDir,
  demo,
  root: resolve(import.meta.dirname, '../..'),
});

const http = serve({ fetch: server.app.fetch, port, hostname: process.env.HOST ?? '127.0.0.1' }, (info) => {
  const base = `http://localhost:${info.port}`;
  console.log(`Kefu reference server on ${server.db.engine === 'pglite' ? `PGlite (${dataDir})` : 'PostgreSQL'}`);
  console.log(`  demo shop:  ${base}/`);
  console.log(`  API:        ${base}/v1`);
  console.log(`  agent:      ${base}/agent.html   (agent token: ${agentToken})`);
  if (!demo) console.log('  (demo mode off: set KEFU_DEMO=1 for the demo shoppers and their signing endpoint)');
});

const shutdown = async () => {
  http.close();
  await server.close();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
