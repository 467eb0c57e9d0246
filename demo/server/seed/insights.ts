/**
 * Six weeks of service history for the demo's Insights page (demo mode only, once per database):
 * conversations, handoffs, first responses, closes, tickets with kept and broken promises, and
 * ratings, as `service_facts` over `service_subjects` of their own (no conversation or ticket rows,
 * so the queue and the shoppers' lists stay as they are). Deterministic: the same every first start,
 * dated back from it. Some patterns are planted so the page has something to find: refunds and
 * returns wait longest and rate worst, weekend answers are slower, mobile checkout pages hand off more.
 * Help sessions, searches (a few of which find nothing) and the chats some lead to come with it
 * (`helpHistory`).
 */
import type { Db } from '../db';
import { faqArticles } from './faq';

const SITE = 'pk_demo';
const DAYS = 42;
const MARK = 'insights_history_seeded';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A small seeded PRNG (mulberry32), so the history is the same on every machine. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const TOPICS = [
  { topic: 'delivery', weight: 5, mood: 0 },
  { topic: 'tracking', weight: 4, mood: 0.2 },
  { topic: 'refund', weight: 3, mood: -0.8 },
  { topic: 'returns', weight: 2, mood: -0.6 },
  { topic: 'damaged', weight: 1.5, mood: -0.4 },
  { topic: 'payment', weight: 1, mood: 0.1 },
  { topic: 'invoice', weight: 0.7, mood: 0.3 },
];
const PAGES = ['/', '/product/p_brass_lotus_lamp', '/product/p_linen_throw_indigo', '/product/p_rattan_floor_lamp', '/cart', '/checkout', '/orders'];
const DEVICES = [['mobile', 0.55], ['desktop', 0.35], ['tablet', 0.1]] as const;
const TICKETS = [
  { kind: 'complaint', categories: ['delivery', 'service', 'quality'] },
  { kind: 'refund', categories: ['damaged', 'not_as_described', 'changed_mind'] },
  { kind: 'return', categories: ['wrong_size', 'damaged'] },
] as const;
const COMMENTS = {
  low: ['Waited far too long for a person', 'Still no refund after a week', 'The bot did not understand me', 'Nobody answered my question'],
  high: ['Quick and friendly', 'Solved in minutes, thank you', 'Very helpful'],
};

const pickOf = <T>(rand: () => number, items: readonly T[]) => items[Math.floor(rand() * items.length)]!;
/** A device class in the shares of DEVICES. */
function deviceOf(rand: () => number) {
  let r = rand();
  return DEVICES.find(([, share]) => (r -= share) < 0)?.[0] ?? 'mobile';
}

interface Row {
  subjectType: string;
  subjectId: string;
  kind: string;
  at: number;
  actor?: string | null;
  durationMs?: number | null;
  score?: number | null;
  comment?: string | null;
  status?: string | null;
  dueAt?: number | null;
  late?: boolean | null;
}

/** Builds the history as of `now`: subjects and facts, in memory, for two bulk inserts. */
export function insightsHistory(now = Date.now()) {
  const rand = random(20_240_601);
  const pick = <T>(items: readonly T[]) => pickOf(rand, items);
  const weighted = <T extends { weight: number }>(items: readonly T[]) => {
    let r = rand() * items.reduce((sum, item) => sum + item.weight, 0);
    return items.find((item) => (r -= item.weight) < 0) ?? items[0]!;
  };
  const device = () => deviceOf(rand);
  /** A long-tailed wait around `typical` ms. */
  const wait = (typical: number) => Math.round(typical * Math.exp((rand() - 0.5) * 2.2));
  const score = (mood: number) => Math.max(1, Math.min(5, Math.round(4.2 + mood + (rand() - 0.5) * 2.6)));

  const subjects: { type: string; id: string; flow: string; topic: string; page: string | null; device: string | null; signedIn: boolean; agent: string | null; at: number; handoffAt: number | null }[] = [];
  const facts: Row[] = [];
  const today = Math.floor(now / DAY) * DAY;
  let n = 0;
  for (let day = DAYS; day >= 1; day--) {
    const start = today - day * DAY;
    const weekend = [0, 6].includes(new Date(start).getUTCDay());
    const chats = Math.round((weekend ? 14 : 24) + rand() * 10 + (DAYS - day) * 0.2);
    for (let i = 0; i < chats; i++) {
      const id = `hist_c_${++n}`;
      const { topic, mood } = weighted(TOPICS);
      const page = pick(PAGES);
      const dev = device();
      const at = start + Math.floor((8 + rand() * 14) * HOUR);
      const handoff = rand() < 0.18 + (mood < 0 ? 0.2 : 0) + (page === '/checkout' && dev === 'mobile' ? 0.35 : 0);
      const answered = handoff && rand() < 0.93;
      const agentWait = answered ? wait((weekend ? 9 : 3) * MINUTE * (mood < -0.5 ? 1.6 : 1)) : null;
      subjects.push({
        type: 'conversation', id, flow: 'chat', topic, page, device: dev, signedIn: rand() < 0.6,
        agent: answered ? 'agent' : null, at, handoffAt: handoff ? at + 2 * MINUTE : null,
      });
      facts.push({ subjectType: 'conversation', subjectId: id, kind: 'conversation_started', at });
      facts.push({ subjectType: 'conversation', subjectId: id, kind: 'first_response', actor: 'bot', at: at + 40_000, durationMs: 150 + Math.round(rand() * 350) });
      if (handoff) facts.push({ subjectType: 'conversation', subjectId: id, kind: 'handoff', at: at + 2 * MINUTE });
      if (agentWait !== null) {
        facts.push({ subjectType: 'conversation', subjectId: id, kind: 'first_response', actor: 'agent', at: at + 2 * MINUTE + agentWait, durationMs: agentWait });
        const open = agentWait + wait(25 * MINUTE);
        facts.push({ subjectType: 'conversation', subjectId: id, kind: 'conversation_closed', actor: 'agent', at: at + open, durationMs: open });
      }
      if (rand() < 0.4) {
        const s = score(mood - (agentWait ?? 0) / (20 * MINUTE) - (handoff && !answered ? 1.5 : 0));
        const comment = s <= 2 && rand() < 0.7 ? pick(COMMENTS.low) : s === 5 && rand() < 0.3 ? pick(COMMENTS.high) : null;
        facts.push({ subjectType: 'conversation', subjectId: id, kind: 'rating', actor: 'shopper', at: at + HOUR, score: s, comment });
      }
    }
    const tickets = Math.round(2 + rand() * 4);
    for (let i = 0; i < tickets; i++) {
      const id = `hist_t_${++n}`;
      const { kind, categories } = pick(TICKETS);
      const category = pick(categories);
      const at = start + Math.floor((8 + rand() * 12) * HOUR);
      const due = at + 24 * HOUR;
      subjects.push({
        type: 'ticket', id, flow: kind, topic: category, page: '/orders', device: device(), signedIn: true,
        agent: 'agent', at, handoffAt: null,
      });
      facts.push({ subjectType: 'ticket', subjectId: id, kind: 'ticket_created', actor: 'shopper', at, status: kind === 'complaint' ? 'submitted' : 'requested', dueAt: due });
      const firstMove = wait(kind === 'complaint' ? 14 * HOUR : 20 * HOUR);
      if (at + firstMove > now) continue; // Still waiting: an open ticket of the history.
      facts.push({
        subjectType: 'ticket', subjectId: id, kind: 'ticket_transition', actor: 'agent', at: at + firstMove,
        status: kind === 'complaint' ? 'acknowledged' : 'approved', dueAt: due, late: at + firstMove > due,
      });
      const done = firstMove + wait(kind === 'complaint' ? 30 * HOUR : 50 * HOUR);
      if (at + done > now) continue;
      facts.push({
        subjectType: 'ticket', subjectId: id, kind: 'ticket_transition', actor: 'agent', at: at + done,
        status: kind === 'complaint' ? 'resolved' : 'refunded', dueAt: at + firstMove + 72 * HOUR,
        late: done > firstMove + 72 * HOUR, durationMs: done,
      });
      if (rand() < 0.5) {
        const s = score((kind === 'complaint' ? -0.3 : -0.7) - done / (10 * DAY));
        facts.push({
          subjectType: 'ticket', subjectId: id, kind: 'rating', actor: 'shopper', at: at + done + HOUR, score: s,
          comment: s <= 2 && rand() < 0.6 ? pick(COMMENTS.low) : null,
        });
      }
    }
  }
  return { subjects, facts: facts.filter((fact) => fact.at < now) };
}

const HELP_MARK = 'help_history_seeded';
/** What shoppers type into Help: [query, whether the FAQ answers it, how often]. */
const SEARCHES: [string, boolean, number][] = [
  ['refund', true, 6], ['where is my order', true, 6], ['return label', true, 4], ['shipping time', true, 4],
  ['cancel order', true, 3], ['change address', true, 2], ['退款', true, 3], ['发票', true, 2], ['damaged item', true, 2],
  // The content gaps the console should surface, the first ones most often.
  ['gift wrapping', false, 2.2], ['student discount', false, 1.6], ['klarna', false, 1.2], ['price match', false, 0.9],
  ['assembly instructions', false, 0.7], ['以旧换新', false, 0.6], ['bulk order', false, 0.4], ['warranty registration', false, 0.3],
];

/**
 * Help sessions for the same weeks: one to three settled searches each (some finding nothing), an
 * article or two opened, and, for about a third (more on mobile, more after a search that found
 * nothing), a chat or a ticket of the same shopper within 30 minutes, so the self-service rate
 * and the content gaps have something to show.
 */
export function helpHistory(now = Date.now()) {
  const rand = random(20_250_301);
  const articleIds = faqArticles.filter((article) => article.locale === 'en').map((article) => article.id);
  const total = SEARCHES.reduce((sum, [, , weight]) => sum + weight, 0);
  const searchOf = () => {
    let r = rand() * total;
    return SEARCHES.find(([, , weight]) => (r -= weight) < 0) ?? SEARCHES[0]!;
  };
  const device = () => deviceOf(rand);
  const sessions: { id: string; owner: string; page: string; device: string; at: number; endedAt: number }[] = [];
  const escalations: { type: 'conversation' | 'ticket'; id: string; owner: string; flow: string; page: string; device: string; at: number }[] = [];
  const facts: { sessionId: string; kind: 'help_search' | 'article_viewed'; at: number; query: string | null; results: number | null; articleId: string | null }[] = [];
  const today = Math.floor(now / DAY) * DAY;
  let n = 0;
  for (let day = DAYS; day >= 1; day--) {
    const start = today - day * DAY;
    const weekend = [0, 6].includes(new Date(start).getUTCDay());
    const count = Math.round((weekend ? 30 : 45) + rand() * 20 + (DAYS - day) * 0.4);
    for (let i = 0; i < count; i++) {
      const id = `hist_h_${++n}`;
      const owner = `v:hist_${n}`;
      const dev = device();
      const page = pickOf(rand, PAGES);
      let at = start + Math.floor((7 + rand() * 16) * HOUR);
      const began = at;
      let missed = false;
      for (let s = 1 + Math.floor(rand() * rand() * 3); s > 0; s--) {
        const [query, answered] = searchOf();
        missed ||= !answered;
        facts.push({ sessionId: id, kind: 'help_search', at, query, results: answered ? 1 + Math.floor(rand() * 6) : 0, articleId: null });
        at += 10_000 + Math.floor(rand() * 40_000);
        if (answered && rand() < 0.75) {
          facts.push({ sessionId: id, kind: 'article_viewed', at, query: null, results: null, articleId: pickOf(rand, articleIds) });
          at += 30_000 + Math.floor(rand() * 120_000);
        }
      }
      sessions.push({ id, owner, page, device: dev, at: began, endedAt: at });
      if (rand() < 0.18 + (dev === 'mobile' ? 0.1 : 0) + (missed ? 0.25 : 0)) {
        const ticket = rand() < 0.2;
        escalations.push({
          type: ticket ? 'ticket' : 'conversation', id: `hist_e_${n}`, owner, flow: ticket ? 'complaint' : 'chat', page, device: dev,
          at: at + Math.floor(rand() * 20 * MINUTE),
        });
      }
    }
  }
  return { sessions, escalations, facts: facts.filter((fact) => fact.at < now) };
}


/** Seeds the help history once (its own marker, so a database seeded before this existed gets it too). */
async function seedHelpHistory(db: Db, now: number) {
  const { sessions, escalations, facts } = helpHistory(now);
  const time = (ms: number) => new Date(ms).toISOString();
  await db.tx(async (q) => {
    const [marked] = await q.query(`insert into settings (key, value) values ($1, $2) on conflict do nothing returning key`, [HELP_MARK, time(now)]);
    if (!marked) return;
    await q.query(
      `insert into service_subjects (site, subject_type, subject_id, flow, page, device, owner, created_at, ended_at)
       select $1, 'help', * from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[])
       on conflict do nothing`,
      [
        SITE, sessions.map((s) => s.id), sessions.map(() => 'help'), sessions.map((s) => s.page), sessions.map((s) => s.device),
        sessions.map((s) => s.owner), sessions.map((s) => time(s.at)), sessions.map((s) => time(s.endedAt)),
      ],
    );
    // The chats and tickets that followed: subjects with their owner and a started fact, like the history's others.
    await q.query(
      `insert into service_subjects (site, subject_type, subject_id, flow, page, device, owner, created_at)
       select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
       on conflict do nothing`,
      [
        SITE, escalations.map((e) => e.type), escalations.map((e) => e.id), escalations.map((e) => e.flow), escalations.map((e) => e.page),
        escalations.map((e) => e.device), escalations.map((e) => e.owner), escalations.map((e) => time(e.at)),
      ],
    );
    const started = escalations.filter((e) => e.at < now);
    await q.query(
      `insert into service_facts (site, subject_type, subject_id, kind, at)
       select $1, type, id, case type when 'ticket' then 'ticket_created' else 'conversation_started' end, at
       from unnest($2::text[], $3::text[], $4::timestamptz[]) as e (type, id, at)`,
      [SITE, started.map((e) => e.type), started.map((e) => e.id), started.map((e) => time(e.at))],
    );
    await q.query(
      `insert into service_facts (site, subject_type, subject_id, kind, actor, at, query, results, article_id)
       select $1, 'help', id, kind, 'shopper', at, query, results, article_id
       from unnest($2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::int[], $7::text[]) as f (id, kind, at, query, results, article_id)`,
      [
        SITE, facts.map((f) => f.sessionId), facts.map((f) => f.kind), facts.map((f) => time(f.at)), facts.map((f) => f.query),
        facts.map((f) => f.results), facts.map((f) => f.articleId),
      ],
    );
  });
}

/** Seeds the history once (a marker in `settings` says it is there), in one transaction. */
export async function seedInsightsHistory(db: Db, now = Date.now()) {
  const { subjects, facts } = insightsHistory(now);
  const time = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
  await db.tx(async (q) => {
    const [marked] = await q.query(`insert into settings (key, value) values ($1, $2) on conflict do nothing returning key`, [MARK, time(now)]);
    if (!marked) return;
    await q.query(
      `insert into service_subjects (site, subject_type, subject_id, flow, topic, page, device, signed_in, agent, created_at, handoff_at)
       select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::text[],
         $10::timestamptz[], $11::timestamptz[])
       on conflict do nothing`,
      [
        SITE, subjects.map((s) => s.type), subjects.map((s) => s.id), subjects.map((s) => s.flow), subjects.map((s) => s.topic),
        subjects.map((s) => s.page), subjects.map((s) => s.device), subjects.map((s) => s.signedIn), subjects.map((s) => s.agent),
        subjects.map((s) => time(s.at)), subjects.map((s) => time(s.handoffAt)),
      ],
    );
    await q.query(
      `insert into service_facts (site, subject_type, subject_id, kind, at, actor, duration_ms, score, comment, status, due_at, late)
       select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::bigint[], $8::int[],
         $9::text[], $10::text[], $11::timestamptz[], $12::boolean[])`,
      [
        SITE, facts.map((f) => f.subjectType), facts.map((f) => f.subjectId), facts.map((f) => f.kind), facts.map((f) => time(f.at)),
        facts.map((f) => f.actor ?? null), facts.map((f) => f.durationMs ?? null), facts.map((f) => f.score ?? null),
        facts.map((f) => f.comment ?? null), facts.map((f) => f.status ?? null), facts.map((f) => time(f.dueAt)),
        facts.map((f) => f.late ?? null),
      ],
    );
  });
  await seedHelpHistory(db, now);
}
