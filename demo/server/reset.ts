/**
 * `npm run reset-demo`: forgets every conversation, ticket, upload and rating and starts the demo
 * again from its seed (sites, FAQ, the demo shoppers' orders). On PGlite the data folder goes; on
 * PostgreSQL (DATABASE_URL) Kefu's own tables are dropped, nothing else in that database.
 */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { openDb } from './db';
import { createServer } from './server';

const KEFU_TABLES = [
  'agent_events', 'events', 'idempotency', 'ratings', 'ticket_comments', 'ticket_timeline', 'tickets', 'uploads',
  'messages', 'conversations', 'orders', 'shoppers', 'articles', 'settings', 'sites', 'schema_migrations',
];

const databaseUrl = process.env.DATABASE_URL;
const dataDir = resolve(process.env.KEFU_DATA_DIR ?? '.data/pglite');
if (databaseUrl) {
  const db = await openDb({ url: databaseUrl });
  await db.query(`drop table if exists ${KEFU_TABLES.join(', ')} cascade`);
  await db.close();
} else {
  rmSync(dataDir, { recursive: true, force: true });
}
// Opening the server migrates and seeds; then it closes again.
const server = await createServer({ agentToken: 'reset', databaseUrl, dataDir, demo: true, root: resolve(import.meta.dirname, '../..') });
await server.close();
console.log(`Demo data reset on ${databaseUrl ? 'PostgreSQL' : `PGlite (${dataDir})`}: the shop, alice and bob start afresh.`);
