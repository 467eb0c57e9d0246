import type { Db } from '../db';
import { faqArticles } from './faq';

const SITE = 'pk_demo';
const COLUMNS = 7;

/**
 * Upserts the seeded FAQ into `articles` for `pk_demo`, on every start: one statement, and a row is
 * rewritten only when its content changed, so a restart leaves `updated_at` and the FAQ's ETag alone.
 * Articles a merchant added are not touched.
 */
export async function seedArticles(db: Db) {
  const params: unknown[] = [SITE];
  const rows = faqArticles.map((article, position) => {
    params.push(article.id, article.locale, position, article.title, article.body, article.tags, article.updatedAt);
    const at = 2 + position * COLUMNS;
    return `($1, $${at}, $${at + 1}, $${at + 2}::int, $${at + 3}, $${at + 4}, $${at + 5}::text[], $${at + 6}::timestamptz)`;
  });
  await db.query(
    `insert into articles (site, id, locale, position, title, body, tags, updated_at) values ${rows.join(', ')}
     on conflict (site, id) do update set locale = excluded.locale, position = excluded.position,
       title = excluded.title, body = excluded.body, tags = excluded.tags, updated_at = excluded.updated_at
     where (articles.locale, articles.position, articles.title, articles.body, articles.tags, articles.updated_at)
       is distinct from (excluded.locale, excluded.position, excluded.title, excluded.body, excluded.tags, excluded.updated_at)`,
    params,
  );
}
