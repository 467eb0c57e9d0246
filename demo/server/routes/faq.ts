import { Hono, type Context } from 'hono';
import { createHash } from 'node:crypto';
import type { Article, Locale } from '../../../src/api/schemas';
import { localeOf, type Deps, type Env } from '../context';
import type { Idempotent } from '../idempotency';
import { ProblemError } from '../problem';
import { iso } from '../rows';
import { suggestQuestions, type OrderFacts } from '../suggestions';

const LOCALES: Locale[] = ['en', 'zh-CN'];
/** Orders looked at for suggestions when the shopper has none in view. */
const RECENT_ORDERS = 5;
const QUERY_LIMITS = { page: 512, orderId: 64, productId: 64 } as const;

interface ArticleRow {
  id: string;
  title: string;
  body: string;
  tags: string[];
  locale: Locale;
  updated_at: Date;
}

interface OrderRow {
  id: string;
  status: OrderFacts['status'];
  refundable_until: Date | null;
  items: OrderFacts['items'];
  shipments: OrderFacts['shipments'];
}

/** The help centre: `GET /v1/faq` (the site's articles in one locale, cached by ETag) and `GET /v1/suggestions`. */
export function faqRoutes({ db }: Deps, _idempotent: Idempotent) {
  const app = new Hono<Env>();

  app.get('/faq', async (c) => {
    const locale = requestedLocale(c);
    const rows = await db.query<ArticleRow>(
      'select id, title, body, tags, locale, updated_at from articles where site = $1 and locale = $2 order by position, id',
      [c.get('auth').site, locale],
    );
    const articles: Article[] = rows.map((row) => ({
      id: row.id, title: row.title, body: row.body, tags: row.tags, locale: row.locale, updatedAt: iso(row.updated_at),
    }));
    const json = JSON.stringify({ articles });
    // Strong: the tag is a hash of the exact bytes sent, so equal tags mean identical bodies.
    const etag = `"${createHash('sha256').update(json).digest('base64url')}"`;
    c.header('ETag', etag);
    c.header('Cache-Control', 'private, max-age=60');
    // Without ?locale= the answer depends on Accept-Language.
    c.header('Vary', 'Accept-Language', { append: true });
    if (matches(c.req.header('If-None-Match'), etag)) return c.body(null, 304);
    return c.body(json, 200, { 'Content-Type': 'application/json' });
  });

  app.get('/suggestions', async (c) => {
    const { site, owner } = c.get('auth');
    const query = suggestionQuery(c);
    const locale = localeOf(c);
    // One query fetches the order in view (first, if it is this shopper's) and the recent ones;
    // someone else's orderId matches no row here, so it is ignored exactly like an absent one.
    const [orders, articles] = await Promise.all([
      db.query<OrderRow>(
        `select id, status, refundable_until, items, shipments from orders where site = $1 and owner = $2
         order by (id = $3) desc, placed_at desc limit ${RECENT_ORDERS + 1}`,
        [site, owner, query.orderId ?? ''],
      ),
      db.query<{ id: string }>('select id from articles where site = $1 and locale = $2', [site, locale]),
    ]);
    const facts = orders.map((row) => ({
      id: row.id,
      status: row.status,
      refundableUntil: row.refundable_until ? iso(row.refundable_until) : null,
      items: row.items,
      shipments: row.shipments,
    }));
    const inView = query.orderId !== undefined && facts[0]?.id === query.orderId ? facts[0] : undefined;
    const questions = suggestQuestions({
      locale,
      page: query.page,
      productId: query.productId,
      order: inView,
      recent: facts.filter((order) => order !== inView).slice(0, RECENT_ORDERS),
      now: Date.now(),
    });
    // Link only to articles this site has.
    const known = new Set(articles.map((row) => row.id));
    for (const question of questions) if (question.articleId && !known.has(question.articleId)) delete question.articleId;
    return c.json({ questions });
  });

  return app;
}

/** `?locale=` (case-insensitive, as BCP 47 tags are), else the Accept-Language; another value is a 400 naming it. */
function requestedLocale(c: Context): Locale {
  const asked = c.req.query('locale');
  if (asked === undefined || asked === '') return localeOf(c);
  const locale = LOCALES.find((candidate) => candidate.toLowerCase() === asked.toLowerCase());
  if (!locale) {
    throw new ProblemError(400, 'Bad Request', `Unsupported locale "${asked.slice(0, 32)}"`, [
      { path: 'locale', message: `must be one of ${LOCALES.join(', ')}` },
    ]);
  }
  return locale;
}

/** The suggestion context from the query string; empty values count as absent, oversized ones are a 400 naming them. */
function suggestionQuery(c: Context): { page?: string; orderId?: string; productId?: string } {
  const out: { page?: string; orderId?: string; productId?: string } = {};
  const errors = [];
  for (const [name, max] of Object.entries(QUERY_LIMITS) as [keyof typeof QUERY_LIMITS, number][]) {
    const value = c.req.query(name);
    if (!value) continue;
    if (value.length > max) errors.push({ path: name, message: `must be at most ${max} characters` });
    else out[name] = value;
  }
  if (errors.length) throw new ProblemError(400, 'Bad Request', 'The query does not match the contract', errors);
  return out;
}

/** If-None-Match: a list of tags or `*`; compared weakly, as RFC 9110 asks for this header. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const value = tag.trim();
    return value === '*' || value.replace(/^W\//, '') === etag;
  });
}
