/** Wires the database, event bus, bot and routes into one server; used by `main.ts` and the tests. */
import { join } from 'node:path';
import { createApp, type Bot } from './app';
import { openDb } from './db';
import { createEventBus } from './events';
import { seedArticles } from './seed/articles';
import { seedShop } from './seed/shop';
import { seedSites } from './seed/sites';
import { mountStatic } from './static';
import { serverSecret } from './tokens';
import { createBot } from './bot';
import { faqArticles } from './seed/faq';

export interface ServerOptions {
  databaseUrl?: string;
  /** PGlite folder; absent means in memory. */
  dataDir?: string;
  demo: boolean;
  /** Repository root, to find `dist/` and `demo/`. */
  root: string;
  bot?: Bot;
  /** Bearer token for the agent API and console. */
  agentToken: string;
}

export async function createServer(options: ServerOptions) {
  const db = await openDb({ url: options.databaseUrl, dataDir: options.dataDir });
  await seedSites(db, options.demo);
  await seedArticles(db);
  if (options.demo) await seedShop(db);
  const bus = createEventBus(db);
  await bus.start();
  const config = {
    demo: options.demo,
    distDir: join(options.root, 'dist'),
    demoDir: join(options.root, 'demo'),
    agentToken: options.agentToken,
  };
  const app = createApp({ db, bus, bot: options.bot ?? createBot(faqArticles), secret: await serverSecret(db), config });
  mountStatic(app, config);
  return {
    app,
    db,
    async close() {
      await bus.stop();
      await db.close();
    },
  };
}
