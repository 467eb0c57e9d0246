// `npm run bench:server`: the reference server's message-post throughput and latency over loopback
// (design §8: one process ≥ 2,000 posts/s, p99 ≤ 50 ms). Not part of `npm test`.
//
// Setups, each a real `node --import tsx demo/server/main.ts` process: PGlite in a temp folder;
// PostgreSQL on a fresh database (when one is reachable); two processes on one PostgreSQL with the
// load split between them. Each setup first makes N shopper sessions and conversations, warms up,
// then drives `POST /v1/conversations/:id/messages` with a fresh UUID as clientId and Idempotency-Key
// per request (autocannon, keep-alive connections) for a bounded time and count. Every post is a real
// one: the bot answers it in the same transaction (BM25 over the FAQ), events and idempotency rows
// are written. The abuse guards run as deployed: the per-token limit at its default (each shopper
// posts a few times a second, below it), the per-IP one at a limit the single loopback client never
// reaches, so its check is paid but refuses nothing.
//
// What it reports per post, robust to other jobs on the machine: CPU of the server process (user and
// kernel), of the PostgreSQL backends serving this run's database (from /proc), of the whole cluster
// (also the WAL writer and any other client's backends) and of the load generator itself.
//
// Options: --duration 10 (s per run)  --warmup 2 (s)  --connections 32  --sessions 256
//          --max 200000 (requests per run)  --only pglite,postgres,two  --cpu-prof (writes
//          .bench/prof/*.cpuprofile per server process and prints where its time went)
// PostgreSQL: KEFU_BENCH_DATABASE_URL, else KEFU_TEST_DATABASE_URL, else the local kefu role.
//
// Output: a Markdown table, printed and written to .bench/server.md, raw figures in .bench/server.json.
import { dropDatabase } from '../dropDatabase.mjs';
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freePort, withTimeout } from './util.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const out = path.join(root, '.bench');
const TARGET = { postsPerSecond: 2000, p99: 50 };
const START_MS = 90_000;
const STOP_MS = 15_000;

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    sessions: { type: 'string', default: '256' },
    max: { type: 'string', default: '200000' },
    only: { type: 'string', default: 'pglite,postgres,two' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const DURATION = Number(opts.duration);
const WARMUP = Number(opts.warmup);
const CONNECTIONS = Number(opts.connections);
const SESSIONS = Number(opts.sessions);
const MAX_REQUESTS = Number(opts.max);
const ONLY = new Set(opts.only.split(','));
const PROFILE_DIR = opts['cpu-prof'] ? path.join(out, 'prof') : null;

// No question asks for a person: a handoff would leave the bot quiet in that conversation and make
// later posts cheaper than a shopper's usual one, which the bot answers in the same transaction.
const QUESTIONS = [
  'Where is my parcel?', 'How do I return an item?', 'Can I get a refund for a broken cup?',
  'Is the teapot dishwasher safe?', 'When will my order ship?', 'How do I change my address?',
  '我的包裹在哪里？', '怎么申请退款？', '可以开发票吗？', 'Do you ship abroad?',
];

// --- processes ---------------------------------------------------------------------------------

const ticks = Number(process.env.CLK_TCK ?? 100);

/** User and kernel CPU seconds of a process, zero once it is gone. */
function cpuTimes(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / ticks, system: Number(fields[12]) / ticks };
  } catch {
    return { user: 0, system: 0 };
  }
}

/** utime + stime of a process in seconds, or 0 once it is gone. */
function cpuSeconds(pid) {
  const { user, system } = cpuTimes(pid);
  return user + system;
}

/** Busy CPU seconds of the whole machine, all cores (/proc/stat: everything but idle and iowait). */
function machineCpuSeconds() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return (user + nice + system + irq + softirq + steal) / ticks;
}

/** CPU seconds of every `postgres` process (the server's backends) on this machine. */
function postgresCpuSeconds() {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') total += cpuSeconds(entry);
    } catch { /* gone meanwhile */ }
  }
  return total;
}

/** Server pid → which setup it served, to name the profiles. */
const profiled = new Map();
let setupLabel = '';

/** One server process; resolves when it prints its API address. */
async function startServer(name, env) {
  const port = await freePort();
  const nodeArgs = ['--import', 'tsx'];
  // One profile per thread (tsx runs its loader on a second one), named by pid and thread.
  if (PROFILE_DIR) nodeArgs.push('--cpu-prof', '--cpu-prof-dir', PROFILE_DIR);
  const child = spawn(process.execPath, [...nodeArgs, 'demo/server/main.ts'], {
    cwd: root,
    env: {
      ...process.env, ...env, PORT: String(port), KEFU_DEMO: '1', KEFU_AGENT_TOKEN: 'bench-agent', KEFU_LOG: 'off',
      // demo/server/ratelimit.ts reads these. Per token: the default, which the shoppers stay under.
      // Per IP: checked on every request, but all the load comes from one loopback address, so the
      // limit is one it never reaches. Minting sessions: off, the setup makes hundreds at once.
      KEFU_RATE_TOKEN: '30/s burst 60', KEFU_RATE_IP: '1000000/s', KEFU_RATE_SESSION: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  let exitedWith = null;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => {
    exitedWith = signal ?? code;
    resolve(exitedWith);
  }));
  const ready = new Promise((resolve, reject) => {
    const look = () => {
      if (/API:\s+http:\/\/\S+\/v1/.test(output)) resolve();
    };
    child.stdout.on('data', look);
    exited.then((code) => reject(new Error(`${name} exited (${code}) before listening:\n${output.slice(-2000)}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
    await exited;
    clearTimeout(timer);
  };
  try {
    await withTimeout(ready, START_MS, `${name} to listen`);
  } catch (error) {
    await stop();
    throw error;
  }
  if (PROFILE_DIR) profiled.set(String(child.pid), `${name}${setupLabel ? ` (${setupLabel})` : ''}`);
  return { name, base: `http://127.0.0.1:${port}`, pid: child.pid, stop, output: () => output, exited: () => exitedWith };
}

// --- PostgreSQL --------------------------------------------------------------------------------

const POSTGRES_URL = process.env.KEFU_BENCH_DATABASE_URL ?? process.env.KEFU_TEST_DATABASE_URL ?? 'postgres://kefu:kefu@127.0.0.1:5432/postgres';

async function postgresReachable() {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return `PostgreSQL not reachable at ${POSTGRES_URL.replace(/:[^:@/]*@/, ':***@')}: ${error.message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function freshDatabase() {
  const name = `kefu_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    /** The backends connected to this database now (the server's pool and listener). */
    async backendPids() {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        const { rows } = await client.query('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
        return rows.map((row) => row.pid);
      } finally {
        await client.end();
      }
    },
    async one(sql) {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        return (await client.query(sql)).rows[0];
      } finally {
        await client.end();
      }
    },
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await dropDatabase(client, name);
      } finally {
        await client.end();
      }
    },
  };
}

// --- load --------------------------------------------------------------------------------------

async function call(base, method, pathname, body, headers = {}) {
  const response = await fetch(`${base}${pathname}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${pathname}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** N shoppers, each with a session and one conversation, made through `server`. */
async function prepareSlots(server, count) {
  const slots = [];
  for (let i = 0; i < count; i++) {
    const session = await call(server.base, 'POST', '/v1/sessions', { site: 'pk_demo' });
    const authorization = `Bearer ${session.token}`;
    const key = randomUUID();
    const conversation = await call(server.base, 'POST', '/v1/conversations', { clientId: key }, { Authorization: authorization, 'Idempotency-Key': key });
    slots.push({ authorization, path: `/v1/conversations/${conversation.id}/messages` });
  }
  return slots;
}

/** Posts messages against one server for `seconds` (at most `max` requests); every response time is kept. */
function drive(server, slots, { seconds, connections, max }, latencies) {
  let turn = 0;
  const instance = autocannon({
    url: server.base,
    connections,
    duration: seconds,
    maxOverallRequests: Math.max(max, connections),
    timeout: 10,
    requests: [{
      method: 'POST',
      setupRequest(request) {
        const slot = slots[turn % slots.length];
        const clientId = randomUUID();
        const text = QUESTIONS[turn % QUESTIONS.length];
        turn++;
        return {
          ...request,
          path: slot.path,
          headers: { 'Content-Type': 'application/json', Authorization: slot.authorization, 'Idempotency-Key': clientId },
          body: JSON.stringify({ clientId, text }),
        };
      },
    }],
  });
  instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  // A safety net over autocannon's own duration: the run ends, whatever the server does.
  const guard = setTimeout(() => instance.stop(), (seconds + 15) * 1000);
  return new Promise((resolve, reject) => {
    instance.once('done', (result) => {
      clearTimeout(guard);
      resolve(result);
    });
    instance.once('error', reject);
  });
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Runs the load on every server at once (connections and slots split evenly) and measures it;
 * `backends` are the PostgreSQL backend pids serving these servers (none on PGlite).
 */
async function measure(servers, slotsByServer, seconds, max, backends = []) {
  const latencies = [];
  const cpuBefore = servers.map((s) => cpuTimes(s.pid));
  const backendsBefore = backends.map(cpuSeconds);
  const pgBefore = postgresCpuSeconds();
  const machineBefore = machineCpuSeconds();
  const loadBefore = os.loadavg()[0];
  const selfBefore = process.cpuUsage();
  const started = performance.now();
  const results = await Promise.all(servers.map((server, i) =>
    drive(server, slotsByServer[i], { seconds, connections: Math.max(1, Math.round(CONNECTIONS / servers.length)), max: Math.round(max / servers.length) }, latencies)));
  const elapsed = (performance.now() - started) / 1000;
  const self = process.cpuUsage(selfBefore);
  const machine = machineCpuSeconds() - machineBefore;
  const serverTimes = servers.map((s, i) => {
    const now = cpuTimes(s.pid);
    return { user: now.user - cpuBefore[i].user, system: now.system - cpuBefore[i].system };
  });
  const serverCpu = serverTimes.map((t) => t.user + t.system);
  const backendCpu = backends.reduce((sum, pid, i) => sum + Math.max(0, cpuSeconds(pid) - backendsBefore[i]), 0);
  const postgresCpu = postgresCpuSeconds() - pgBefore;
  const selfCpu = (self.user + self.system) / 1e6;
  const share = (seconds) => Math.round((seconds / elapsed) * 100);
  const perPost = (seconds) => (ok ? Number(((seconds * 1000) / ok).toFixed(2)) : null);
  const serverTotal = serverCpu.reduce((a, b) => a + b, 0);
  const sorted = latencies.sort((a, b) => a - b);
  const ok = results.reduce((n, r) => n + Object.entries(r.statusCodeStats ?? {}).filter(([code]) => code.startsWith('2')).reduce((m, [, s]) => m + Number(s.count), 0), 0);
  const statuses = {};
  for (const r of results) for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statuses[code] = (statuses[code] ?? 0) + Number(s.count);
  return {
    seconds: Number(elapsed.toFixed(2)),
    connections: results.reduce((n, r) => n + r.connections, 0),
    responses: sorted.length,
    ok,
    postsPerSecond: Math.round(ok / elapsed),
    latencyMs: {
      p50: round(percentile(sorted, 50)), p90: round(percentile(sorted, 90)), p99: round(percentile(sorted, 99)),
      max: round(sorted.at(-1) ?? null), mean: round(sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1)),
    },
    errors: results.reduce((n, r) => n + r.errors, 0),
    timeouts: results.reduce((n, r) => n + r.timeouts, 0),
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    statuses,
    // Share of one core over the run: above 100 % means more than one core.
    // PostgreSQL's share counts every backend of the cluster, so also other clients' if it is shared;
    // `other` is everything else the machine did meanwhile (other jobs skew the figures).
    cpu: {
      servers: serverCpu.map(share),
      postgres: share(postgresCpu),
      loadGenerator: share(selfCpu),
      other: Math.max(0, share(machine - postgresCpu - selfCpu - serverTotal)),
      machine: share(machine),
      loadAverageBefore: Number(loadBefore.toFixed(2)),
      loadAverageAfter: Number(os.loadavg()[0].toFixed(2)),
      // Robust to other jobs, unlike posts/s: what one post costs each side, in CPU milliseconds.
      serverMsPerPost: perPost(serverTotal),
      serverKernelMsPerPost: perPost(serverTimes.reduce((sum, t) => sum + t.system, 0)),
      // The backends of this run's database only; the cluster figure adds the WAL writer, the
      // checkpointer and whatever other clients of a shared PostgreSQL did meanwhile.
      postgresBackendsMsPerPost: backends.length ? perPost(backendCpu) : null,
      postgresClusterMsPerPost: backends.length ? perPost(postgresCpu) : null,
      loadGeneratorMsPerPost: perPost(selfCpu),
    },
  };
}

const round = (x) => (x === null ? null : Math.round(x * 10) / 10);

// --- setups ------------------------------------------------------------------------------------

async function runSetup(setup) {
  setupLabel = setup.label;
  const cleanup = [];
  try {
    const servers = [];
    let database;
    if (setup.engine === 'pglite') {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kefu-bench-pglite-'));
      cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
      servers.push(await startServer('pglite', { KEFU_DATA_DIR: dataDir, DATABASE_URL: '' }));
    } else {
      database = await freshDatabase();
      cleanup.push(() => database.drop());
      // One after the other, so the first applies the migrations.
      for (let i = 0; i < setup.processes; i++) servers.push(await startServer(`postgres-${i + 1}`, { DATABASE_URL: database.url }));
    }
    cleanup.unshift(() => Promise.all(servers.map((s) => s.stop())));
    const perServer = Math.max(1, Math.round(SESSIONS / servers.length));
    const slotsByServer = [];
    for (const server of servers) slotsByServer.push(await prepareSlots(server, perServer));
    console.log(`  ${setup.label}: ${servers.length} process(es), ${perServer * servers.length} shoppers; warming up ${WARMUP} s`);
    const warm = await measure(servers, slotsByServer, WARMUP, MAX_REQUESTS);
    // After the warm-up every pooled connection is open.
    const backends = database ? await database.backendPids() : [];
    console.log(`  ${setup.label}: measuring ${DURATION} s with ${CONNECTIONS} connections`);
    const result = await measure(servers, slotsByServer, DURATION, MAX_REQUESTS, backends);
    // A server that died under load makes every later figure meaningless: say so with its last words.
    const dead = servers.filter((server) => server.exited() !== null);
    if (dead.length) {
      throw new Error(dead.map((server) => `${server.name} exited (${server.exited()}) during the run; last output:\n` +
        server.output().trim().split('\n').slice(-20).join('\n')).join('\n'));
    }
    // Stopped before counting, so no post still in flight commits between the counts.
    await Promise.all(servers.map((server) => server.stop()));
    if (database) {
      // Every 2xx is a stored shopper message, none twice; posts still in flight when a run stopped
      // may be stored without their answer having been counted.
      const stored = await database.one(
        "select count(*)::int as messages, count(distinct client_id)::int as distinct from messages where author = 'shopper'");
      const bots = await database.one("select count(*)::int as n from messages where author = 'bot'");
      result.integrity = { accepted: warm.ok + result.ok, stored: stored.messages, distinct: stored.distinct, botReplies: bots.n };
    }
    return { ...setup, ...result };
  } finally {
    for (const step of cleanup) await step();
  }
}

function markdown(rows, skipped) {
  const cores = os.cpus().length;
  const lines = [
    `Reference server, message posts over loopback (${cores} × ${os.cpus()[0]?.model.trim()}, Node ${process.versions.node}; ` +
      `${DURATION} s per run after ${WARMUP} s warm-up, ${CONNECTIONS} keep-alive connections, ${SESSIONS} shoppers). ` +
      `Target (design §8): one process ≥ ${TARGET.postsPerSecond} posts/s, p99 ≤ ${TARGET.p99} ms.`,
    '',
    '| setup | posts/s | p50 ms | p90 ms | p99 ms | max ms | errors | non-2xx | CPU server(s) | CPU postgres | CPU load gen | CPU other | load avg start → end | target |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const target = r.processes === 1
      ? (r.postsPerSecond >= TARGET.postsPerSecond && r.latencyMs.p99 <= TARGET.p99 ? 'met' : 'missed')
      : 'n/a (two processes)';
    lines.push(`| ${r.label} | ${r.postsPerSecond.toLocaleString('en')} | ${r.latencyMs.p50} | ${r.latencyMs.p90} | ${r.latencyMs.p99} | ${r.latencyMs.max} | ` +
      `${r.errors + r.timeouts} | ${r.non2xx} | ${r.cpu.servers.map((c) => `${c} %`).join(' + ')} | ${r.engine === 'pglite' ? '—' : `${r.cpu.postgres} %`} | ` +
      `${r.cpu.loadGenerator} % | ${r.cpu.other} % | ${r.cpu.loadAverageBefore} → ${r.cpu.loadAverageAfter} | ${target} |`);
  }
  for (const s of skipped) lines.push(`| ${s.label} | skipped: ${s.reason} |||||||||||||`);
  lines.push('', `CPU is the share of one core over the run (${cores * 100} % = every core). Latency is per request, ` +
    'from the load generator, which shares the machine with the server and PostgreSQL. "CPU other" is what the rest of the ' +
    'machine used meanwhile and "load avg" the 1-minute load average when the run started and ended: when either is high, ' +
    'posts/s and latency are skewed by other jobs; the CPU per post below less so, though it too rises under heavy contention.');
  lines.push('', 'CPU milliseconds per accepted post, by side (what a post costs, whatever else the machine did):', '',
    '| setup | server | of it kernel | PostgreSQL backends | PostgreSQL cluster | load generator | server + backends + load gen | posts/s per core, server alone | posts/s on these cores, everything here |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const c = r.cpu;
    const total = c.serverMsPerPost + (c.postgresBackendsMsPerPost ?? 0) + c.loadGeneratorMsPerPost;
    const dash = (x) => (x === null ? '—' : x);
    lines.push(`| ${r.label} | ${c.serverMsPerPost} | ${c.serverKernelMsPerPost} | ${dash(c.postgresBackendsMsPerPost)} | ${dash(c.postgresClusterMsPerPost)} | ` +
      `${c.loadGeneratorMsPerPost} | ${total.toFixed(2)} | ${Math.round(1000 / c.serverMsPerPost).toLocaleString('en')} | ` +
      `${Math.round((cores * 1000) / total).toLocaleString('en')} |`);
  }
  lines.push('', 'The PostgreSQL backends are those connected to the run\'s database; the cluster adds the WAL writer, the ' +
    'checkpointer and other clients of a shared server. The last two columns divide a core-second by those costs: the ' +
    'first is what one core of server process could answer with PostgreSQL elsewhere, the second the ceiling of this ' +
    'machine with server, PostgreSQL and load generator all on it.');
  const checked = rows.filter((r) => r.integrity);
  if (checked.length) {
    lines.push('', checked.map(({ label, integrity: i }) => {
      const sound = i.stored === i.distinct && i.stored >= i.accepted;
      return `${label}: ${i.accepted} posts answered 2xx, ${i.stored} shopper messages stored (${i.distinct} distinct clientIds), ` +
        `${i.botReplies} bot replies${sound ? '' : ' — LOST OR DUPLICATED WRITES'}`;
    }).join('; ') + '. Messages stored beyond the answered posts were in flight when a run stopped.');
  }
  return lines.join('\n');
}

/**
 * Where each server process spent its busy time, from the V8 CPU profiles it wrote: self time by
 * package or file and by function, time inclusive of callees for the project's own functions, and
 * who called the busiest native frames (a socket write says little without its caller).
 */
function summarizeProfiles() {
  const lines = ['', '### Where the server time went (V8 CPU profile; shares of the busy, non-idle time)', ''];
  const frameName = ({ functionName, url, lineNumber }) => {
    const file = url.replace(/^file:\/\//, '').replace(`${root}/`, '').replace(/.*node_modules\//, '');
    return `${functionName || '(anonymous)'}${file ? ` ${file.split('/').slice(-2).join('/')}:${lineNumber + 1}` : ''}`;
  };
  for (const file of readdirSync(PROFILE_DIR).filter((name) => name.endsWith('.cpuprofile')).sort()) {
    const profile = JSON.parse(readFileSync(path.join(PROFILE_DIR, file), 'utf8'));
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parentOf = new Map(profile.nodes.flatMap((node) => (node.children ?? []).map((child) => [child, node.id])));
    const self = new Map();
    profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
    let busy = 0;
    let sampled = 0;
    for (const [id, micros] of self) {
      sampled += micros;
      if (byId.get(id).callFrame.functionName !== '(idle)') busy += micros;
    }
    // tsx's loader thread (busy only while modules load) and other mostly idle threads tell nothing.
    if (busy < 0.2 * sampled) continue;
    const byPlace = new Map();
    const byFunction = new Map();
    const inclusive = new Map();
    const callers = new Map();
    const add = (map, key, micros) => map.set(key, (map.get(key) ?? 0) + micros);
    for (const [id, micros] of self) {
      const { callFrame } = byId.get(id);
      if (callFrame.functionName === '(idle)') continue;
      const url = callFrame.url.replace(/^file:\/\//, '').replace(`${root}/`, '');
      add(byPlace, !url ? `(native: ${callFrame.functionName})`
        : url.includes('node_modules/') ? url.replace(/.*node_modules\/((?:@[^/]+\/)?[^/]+).*/, '$1')
        : url.startsWith('node:') ? 'node: internals' : url, micros);
      add(byFunction, frameName(callFrame), micros);
      const seen = new Set();
      const chain = [];
      for (let at = parentOf.get(id); at !== undefined; at = parentOf.get(at)) {
        const frame = byId.get(at).callFrame;
        const name = frameName(frame);
        if (chain.length < 4 && frame.url && !frame.url.startsWith('node:')) chain.push(name);
        if (/^file:\/\/.*\/(demo|src)\//.test(frame.url) && !frame.url.includes('node_modules') && !seen.has(name)) {
          seen.add(name);
          add(inclusive, name, micros);
        }
      }
      if (!callFrame.url) add(callers, `${callFrame.functionName} ← ${chain.join(' ← ') || '?'}`, micros);
    }
    const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n)
      .map(([name, micros]) => `| ${name.replaceAll('|', '\\|')} | ${((micros / busy) * 100).toFixed(1)} % |`);
    lines.push(`**${profiled.get(/\.(\d+)\.\d+\.\d+\.cpuprofile$/.exec(file)?.[1]) ?? file}**: ${(busy / 1e6).toFixed(1)} s busy`, '',
      '| package or file (self) | share |', '|---|---:|', ...top(byPlace, 12), '',
      '| function (self) | share |', '|---|---:|', ...top(byFunction, 12), '',
      '| project function (with callees, synchronous part) | share |', '|---|---:|', ...top(inclusive, 12), '',
      '| native frame ← nearest JS callers | share |', '|---|---:|', ...top(callers, 6), '');
  }
  return lines.join('\n');
}

// --- main --------------------------------------------------------------------------------------

const setups = [
  { key: 'pglite', label: 'PGlite, one process', engine: 'pglite', processes: 1 },
  { key: 'postgres', label: 'PostgreSQL, one process', engine: 'postgres', processes: 1 },
  { key: 'two', label: 'PostgreSQL, two processes', engine: 'postgres', processes: 2 },
].filter((setup) => ONLY.has(setup.key));

mkdirSync(out, { recursive: true });
if (PROFILE_DIR) {
  rmSync(PROFILE_DIR, { recursive: true, force: true });
  mkdirSync(PROFILE_DIR, { recursive: true });
}
const unreachable = setups.some((s) => s.engine === 'postgres') ? await postgresReachable() : null;
const rows = [];
const skipped = [];
let failed = false;
console.log(`bench:server — ${setups.map((s) => s.label).join('; ')}`);
for (const setup of setups) {
  if (setup.engine === 'postgres' && unreachable) {
    skipped.push({ label: setup.label, reason: unreachable });
    continue;
  }
  try {
    rows.push(await runSetup(setup));
  } catch (error) {
    failed = true;
    console.error(`  ${setup.label} failed: ${error.stack ?? error}`);
    skipped.push({ label: setup.label, reason: `failed: ${String(error.message).split('\n')[0]}` });
  }
}

let report = markdown(rows, skipped);
if (PROFILE_DIR) report += `\n${summarizeProfiles()}`;
console.log(`\n${report}`);
writeFileSync(path.join(out, 'server.md'), `${report}\n`);
writeFileSync(path.join(out, 'server.json'), `${JSON.stringify({
  date: new Date().toISOString(), node: process.versions.node, cpus: os.cpus().length, target: TARGET,
  options: { duration: DURATION, warmup: WARMUP, connections: CONNECTIONS, sessions: SESSIONS, max: MAX_REQUESTS },
  results: rows, skipped,
}, null, 2)}\n`);
console.log(`\nwritten: .bench/server.md, .bench/server.json${PROFILE_DIR ? ', .bench/prof/' : ''}`);
process.exit(failed ? 1 : 0);
