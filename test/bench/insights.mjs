// `npm run bench:insights`: how long the console's common `GET /v1/agent/insights` queries take
// over a realistic volume (design §3; budget p95 ≤ 200 ms). Not part of `npm test`.
//
// For each engine (PGlite in a temp folder; PostgreSQL on a fresh database when one is reachable)
// a real server (demo/server/server.ts, in this process, over loopback HTTP) is seeded directly in
// SQL with N conversations and N ratings spread over the last 90 days — with their subjects and
// facts as facts.ts records them: several topics, pages, devices and flows, a share handed off and
// answered by a person, closed, and some tickets past their `dueAt`; as many help sessions with
// searches (some finding nothing) and article views — then each query (groupBy day,
// topic, page, device, agent, flow over 30 and 90 days) is asked R times; p50 and p95 per query.
//
// Options: --conversations 100000 (also the number of help sessions)  --ratings 100000  --runs 20  --only pglite,postgres
// PostgreSQL: KEFU_BENCH_DATABASE_URL, else KEFU_TEST_DATABASE_URL, else the local kefu role.
// Output: a Markdown table, printed and written to .bench/insights.md (raw: .bench/insights.json).
// Its last column is this process's CPU time per request (the p95): on PGlite that is all the
// work (the server, the database and the client share this process), so on a machine busy with
// other jobs it says what the request costs when wall clock cannot; on PostgreSQL it leaves out
// the backends.
import { serve } from '@hono/node-server';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createServer } from '../../demo/server/server.ts';
import { freshDatabase } from '../server/harness.ts';

const root = path.resolve(import.meta.dirname, '../..');
const out = path.join(root, '.bench');
const BUDGET_MS = 200;
const AGENT_TOKEN = 'bench-agent';

const { values: opts } = parseArgs({
  options: {
    conversations: { type: 'string', default: '100000' },
    ratings: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '20' },
    only: { type: 'string', default: 'pglite,postgres' },
  },
});
const CONVERSATIONS = Number(opts.conversations);
const RATINGS = Number(opts.ratings);
const RUNS = Number(opts.runs);
const ONLY = new Set(opts.only.split(','));
const POSTGRES_URL = process.env.KEFU_BENCH_DATABASE_URL ?? process.env.KEFU_TEST_DATABASE_URL ?? 'postgres://kefu:kefu@127.0.0.1:5432/postgres';

const QUERIES = ['day', 'topic', 'page', 'device', 'agent', 'flow'].flatMap((groupBy) => [30, 90].map((days) => ({ groupBy, days })));

// The seed, in SQL: `$1` conversations, `$2` ratings. Spread: a conversation starts at a random
// time in the last 90 days; its dimensions cycle through small sets (topics, devices) or a longer
// one (pages); a fifth are handed off, of which most get a person's answer; about half are closed.
export const SEED = [
  `insert into conversations (id, site, owner, client_id, status, created_at, updated_at, context)
   select 'c_bench_' || i, 'pk_demo', 'v:bench_' || (i % 20000), 'bench_' || i,
     case when i % 2 = 0 then 'closed' when i % 5 = 0 then 'agent' else 'bot' end, at, at,
     jsonb_build_object('page', '/p/' || (i % 60), 'device', (array['mobile', 'desktop', 'tablet'])[1 + i % 3])
   from (select i, now() - (random() * interval '90 days') as at from generate_series(1, $1::int) i) g`,
  `insert into service_subjects (site, subject_type, subject_id, flow, topic, page, device, locale, signed_in, agent,
     created_at, asked_at, handoff_at, bot_answered_at, agent_answered_at)
   select 'pk_demo', 'conversation', c.id, 'chat',
     (array['shipping', 'refunds', 'returns', 'payment', 'account', 'product', 'invoice', 'coupons'])[1 + n % 8],
     c.context->>'page', c.context->>'device', case when n % 3 = 0 then 'zh-CN' else 'en' end, n % 4 = 0,
     case when n % 5 = 0 then 'agent' end,
     c.created_at, c.created_at, case when n % 5 = 0 then c.created_at + interval '1 minute' end,
     c.created_at + interval '200 milliseconds', case when n % 5 = 0 and n % 25 <> 0 then c.created_at + interval '3 minutes' end
   from (select *, substr(id, 9)::int as n from conversations where id like 'c_bench_%') c`,
  `insert into service_facts (site, subject_type, subject_id, kind, at, actor, duration_ms)
   select 'pk_demo', 'conversation', s.subject_id, k.kind, s.created_at + k.after, k.actor, k.duration_ms
   from service_subjects s
   cross join lateral (values
     ('conversation_started', interval '0', null::text, null::bigint, true),
     ('first_response', interval '200 milliseconds', 'bot', 200 + (random() * 800)::bigint, true),
     ('handoff', interval '1 minute', null, null, s.handoff_at is not null),
     ('first_response', interval '3 minutes', 'agent', 60000 + (random() * 600000)::bigint, s.agent_answered_at is not null),
     ('conversation_closed', interval '20 minutes', 'agent', 300000 + (random() * 3600000)::bigint,
       (select status from conversations where id = s.subject_id) = 'closed')
   ) as k (kind, after, actor, duration_ms, happened)
   where s.subject_id like 'c_bench_%' and k.happened and s.created_at + k.after < now()`,
  `insert into ratings (id, site, owner, client_id, subject_type, subject_id, score, comment, created_at)
   select 'r_bench_' || i, 'pk_demo', 'v:bench_rater_' || i, 'bench_' || i, 'conversation', 'c_bench_' || (1 + i % $1::int),
     (array[5, 5, 5, 4, 4, 3, 2, 1])[1 + i % 8], case when i % 8 >= 6 then 'slow answer' end,
     now() - (random() * interval '90 days')
   from generate_series(1, $2::int) i`,
  `insert into service_facts (site, subject_type, subject_id, kind, at, actor, score, comment)
   select site, subject_type, subject_id, 'rating', created_at, 'shopper', score, comment from ratings where id like 'r_bench_%'`,
  // Tickets past their promise: the query reads them from `tickets` too.
  `insert into tickets (id, site, owner, client_id, kind, status, category, description, due_at, created_at)
   select 't_bench_' || i, 'pk_demo', 'v:bench_' || i, 'bench_' || i, (array['complaint', 'refund', 'return'])[1 + i % 3],
     'submitted', 'delivery', 'bench', now() - (random() * interval '89 days'), now() - interval '90 days'
   from generate_series(1, greatest(1, $1::int / 50)) i`,
  `insert into service_subjects (site, subject_type, subject_id, flow, topic, created_at)
   select site, 'ticket', id, kind, category, created_at from tickets where id like 't_bench_%'`,
  `insert into service_facts (site, subject_type, subject_id, kind, at, actor, status, due_at)
   select site, 'ticket', id, 'ticket_created', created_at, 'shopper', status, due_at from tickets where id like 't_bench_%'`,
  // Help sessions, one per conversation in number, by the same shoppers (so some escalate to a
  // chat): each lasts 0–9 minutes with two searches (about one in seven finds nothing, from a few
  // hundred distinct questions) and an article opened.
  `insert into service_subjects (site, subject_type, subject_id, flow, page, device, locale, signed_in, owner, created_at, ended_at)
   select 'pk_demo', 'help', 'h_bench_' || i, 'help', '/p/' || (i % 60), (array['mobile', 'desktop', 'tablet'])[1 + i % 3],
     'en', false, 'v:bench_' || (i % 20000), at, at + (i % 10) * interval '1 minute'
   from (select i, now() - (random() * interval '90 days') as at from generate_series(1, $1::int) i) g`,
  `insert into service_facts (site, subject_type, subject_id, kind, at, actor, query, results, article_id)
   select 'pk_demo', 'help', s.subject_id, k.kind, least(s.created_at + k.after, s.ended_at), 'shopper', k.query, k.results, k.article_id
   from (select *, substr(subject_id, 9)::int as n from service_subjects where subject_type = 'help' and subject_id like 'h_bench_%') s
   cross join lateral (values
     ('help_search', interval '0', case when s.n % 7 = 0 then 'missing question ' || (s.n % 300) else 'where is my order' end,
       case when s.n % 7 = 0 then 0 else 3 end, null::text),
     ('help_search', interval '20 seconds', 'refund ' || (s.n % 40), 1 + s.n % 5, null),
     ('article_viewed', interval '40 seconds', null, null, 'a_' || (s.n % 30))
   ) as k (kind, after, query, results, article_id)`,
  // The state autovacuum (PostgreSQL) or db.ts's maintenance (PGlite) leaves within a minute: statistics
  // and visibility maps up to date, so the percentiles' index-only scans need no heap fetches.
  'vacuum analyze',
];

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}


async function runEngine(engine) {
  const cleanup = [];
  try {
    let options;
    if (engine === 'pglite') {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kefu-bench-insights-'));
      cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
      options = { dataDir };
    } else {
      const database = await freshDatabase(POSTGRES_URL);
      cleanup.push(() => database.drop());
      options = { databaseUrl: database.url };
    }
    const server = await createServer({ ...options, demo: true, root, agentToken: AGENT_TOKEN });
    cleanup.unshift(() => server.close());
    const http = await new Promise((ready) => {
      const s = serve({ fetch: server.app.fetch, port: 0, hostname: '127.0.0.1' }, () => ready(s));
    });
    cleanup.unshift(() => new Promise((done) => { http.closeAllConnections(); http.close(done); }));
    const base = `http://127.0.0.1:${http.address().port}`;

    const seedStarted = performance.now();
    await seed(server.db);
    const [counts] = await server.db.query(
      `select (select count(*) from service_facts)::int as facts, (select count(*) from service_subjects)::int as subjects`);
    console.log(`  ${engine}: seeded ${counts.facts.toLocaleString('en')} facts over ${counts.subjects.toLocaleString('en')} subjects in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

    const results = [];
    const now = Date.now();
    for (const { groupBy, days } of QUERIES) {
      const from = new Date(now - days * 86_400_000).toISOString();
      const url = `${base}/v1/agent/insights?groupBy=${groupBy}&from=${encodeURIComponent(from)}`;
      const times = [];
      const cpu = [];
      let groups = 0;
      for (let run = 0; run < RUNS + 1; run++) {
        const started = performance.now();
        const cpuBefore = process.cpuUsage();
        const response = await fetch(url, { headers: { Authorization: `Bearer ${AGENT_TOKEN}` } });
        const body = await response.json();
        if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`);
        const { user, system } = process.cpuUsage(cpuBefore);
        if (run > 0) times.push(performance.now() - started), cpu.push((user + system) / 1000); // The first one warms caches and plans.
        groups = body.groups.length;
      }
      times.sort((a, b) => a - b);
      cpu.sort((a, b) => a - b);
      results.push({ groupBy, days, groups, p50: percentile(times, 50), p95: percentile(times, 95), max: times.at(-1), cpuP95: percentile(cpu, 95) });
      console.log(`  ${engine}: groupBy=${groupBy} ${days} days: p95 ${percentile(times, 95).toFixed(0)} ms (this process's CPU p95 ${percentile(cpu, 95).toFixed(0)} ms)`);
    }
    return { engine, facts: counts.facts, subjects: counts.subjects, results };
  } finally {
    for (const step of cleanup) await step();
  }
}

/** Runs the seed on a server's database (`$1` conversations, `$2` ratings). */
export async function seed(db, conversations = CONVERSATIONS, ratings = RATINGS) {
  for (const sql of SEED) {
    const params = sql.includes('$2') ? [conversations, ratings] : sql.includes('$1') ? [conversations] : [];
    await db.query(sql, params);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();

async function main() {
mkdirSync(out, { recursive: true });
const loadBefore = os.loadavg()[0];
const rows = [];
for (const engine of ['pglite', 'postgres'].filter((e) => ONLY.has(e))) {
  try {
    rows.push(await runEngine(engine));
  } catch (error) {
    console.error(`  ${engine} failed: ${error.stack ?? error}`);
    rows.push({ engine, failed: String(error.message).split('\n')[0] });
  }
}

const lines = [
  `Insights queries (\`GET /v1/agent/insights\`) over ${CONVERSATIONS.toLocaleString('en')} conversations and ${RATINGS.toLocaleString('en')} ratings ` +
    `spread over 90 days (${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.versions.node}, load average ${loadBefore.toFixed(2)} at the start); ` +
    `${RUNS} runs per query after one warm-up, over loopback HTTP. Budget: p95 ≤ ${BUDGET_MS} ms.`,
  '',
  '| engine | facts | groupBy | days | groups | p50 ms | p95 ms | max ms | budget | CPU p95 ms |',
  '|---|---:|---|---:|---:|---:|---:|---:|---|---:|',
];
for (const row of rows) {
  if (row.failed) {
    lines.push(`| ${row.engine} | failed: ${row.failed} |||||||||`);
    continue;
  }
  for (const r of row.results) {
    lines.push(`| ${row.engine} | ${row.facts.toLocaleString('en')} | ${r.groupBy} | ${r.days} | ${r.groups} | ${r.p50.toFixed(0)} | ${r.p95.toFixed(0)} | ${r.max.toFixed(0)} | ${r.p95 <= BUDGET_MS ? 'met' : 'missed'} | ${r.cpuP95.toFixed(0)} |`);
  }
}
const report = lines.join('\n');
console.log(`\n${report}`);
writeFileSync(path.join(out, 'insights.md'), `${report}\n`);
writeFileSync(path.join(out, 'insights.json'), `${JSON.stringify({ date: new Date().toISOString(), conversations: CONVERSATIONS, ratings: RATINGS, runs: RUNS, results: rows }, null, 2)}\n`);
console.log('\nwritten: .bench/insights.md, .bench/insights.json');
process.exit(rows.some((row) => row.failed) ? 1 : 0);
}
