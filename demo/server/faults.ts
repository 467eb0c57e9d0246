/**
 * Fault injection for the reliability tests (test/fault): active only when KEFU_FAULTS is set, a
 * pass-through otherwise. It answers a seeded share of `/v1` POSTs with what a real deployment
 * meets now and then:
 *
 *   KEFU_FAULTS="5xx=0.1,429=0.05,lost=0.05,seed=42"
 *   5xx   share answered 503 before the handler runs (half of them with Retry-After)
 *   429   share answered 429 with Retry-After (alternately in seconds and as an HTTP date)
 *   lost  share whose handler runs and commits, but whose answer is replaced by a 503: the
 *         lost answer, the case that proves a resend is replayed, never stored twice
 *   seed  of the generator, so a failing run can be replayed (default 1)
 *
 * `Retry-After` is at most 2 s, so a test run stays short. Counts are logged on exit.
 */
import type { MiddlewareHandler } from 'hono';
import { log } from './context';
import { ProblemError, problemResponse } from './problem';

export function faults(spec = process.env.KEFU_FAULTS): MiddlewareHandler {
  if (!spec) return (_c, next) => next();
  const share = parse(spec);
  const random = mulberry32(share.seed ?? 1);
  const counts = { before5xx: 0, before429: 0, lost: 0, passed: 0 };
  process.once('exit', () => log('info', 'faults injected', counts));
  log('info', 'fault injection on', share);

  return async (c, next) => {
    if (c.req.method != 'POST') return next();
    const roll = random();
    const wait = 1 + Math.floor(random() * 2);
    if (roll < (share['5xx'] ?? 0)) {
      counts.before5xx++;
      const headers = random() < 0.5 ? { 'Retry-After': String(wait) } : undefined;
      return problemResponse(c, new ProblemError(503, 'Service Unavailable', 'Injected fault (before the handler)', undefined, headers));
    }
    if (roll < (share['5xx'] ?? 0) + (share['429'] ?? 0)) {
      counts.before429++;
      const after = random() < 0.5 ? String(wait) : new Date(Date.now() + wait * 1000).toUTCString();
      return problemResponse(c, new ProblemError(429, 'Too Many Requests', 'Injected fault', undefined, { 'Retry-After': after }));
    }
    const lose = roll < (share['5xx'] ?? 0) + (share['429'] ?? 0) + (share.lost ?? 0);
    await next();
    if (!lose || c.res.status >= 300) {
      counts.passed++;
      return;
    }
    counts.lost++;
    await c.res.body?.cancel();
    c.res = problemResponse(c, new ProblemError(503, 'Service Unavailable', 'Injected fault (the answer was lost after the commit)'));
  };
}

function parse(spec: string): Record<string, number> {
  const share: Record<string, number> = {};
  for (const part of spec.split(',')) {
    const [name = '', value] = part.split('=').map((text) => text.trim());
    const number = Number(value);
    if (!['5xx', '429', 'lost', 'seed'].includes(name) || !Number.isFinite(number) || number < 0) {
      throw new Error(`KEFU_FAULTS: "${part}" is not one of 5xx=<share>, 429=<share>, lost=<share>, seed=<n>`);
    }
    share[name] = number;
  }
  if ((share['5xx'] ?? 0) + (share['429'] ?? 0) + (share.lost ?? 0) > 1) throw new Error('KEFU_FAULTS: the shares add up to more than 1');
  return share;
}

/** A small seeded generator (mulberry32): the same seed, the same numbers (faults here, cases in the tests). */
export function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
