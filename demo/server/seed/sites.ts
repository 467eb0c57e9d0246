import { randomBytes } from 'node:crypto';
import type { Db } from '../db';

/** The demo site's secret: public on purpose, so the demo shop can sign its two shoppers. */
export const DEMO_SECRET = 'kefu-demo-secret-not-for-production';

/** Ensures the site `pk_demo` exists; in demo mode it uses the published demo secret. */
export async function seedSites(db: Db, demo: boolean) {
  const secret = demo ? DEMO_SECRET : randomBytes(32).toString('base64url');
  await db.query(
    `insert into sites (key, secret, origins, locale, name) values ('pk_demo', $1, $2, 'en', 'Kefu demo shop')
     on conflict (key) do update set secret = case when $3 then excluded.secret else sites.secret end`,
    [secret, ['http://localhost:8787', 'http://127.0.0.1:8787'], demo],
  );
}
