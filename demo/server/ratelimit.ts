/**
 * Per-token and per-IP rate limits (design §4): token buckets in this process's memory; over the
 * limit a request answers 429 problem+json with `Retry-After` in whole seconds.
 *
 * Why memory is enough: these limits are abuse guards, not quotas. Nothing is billed or promised by
 * them, so they need no exactness across processes or restarts; with N processes behind a balancer
 * a client gets at most N times the limit, which still stops a flood, and no request pays a database
 * round trip for the check. A restart forgets the buckets, which only forgives.
 *
 * Configuration, read from the environment when the middleware is created:
 *   KEFU_RATE_TOKEN    per session token (keyed by its SHA-256; agent calls are exempt)  "30/s burst 60"
 *   KEFU_RATE_IP       per client IP (IPv6: per /64, what one client usually holds)      "300/s burst 600"
 *   KEFU_RATE_SESSION  per client IP, POST /v1/sessions only (minting writes a row)      "10/s burst 100"
 *   KEFU_TRUST_PROXY   n > 0: the client IP is the n-th X-Forwarded-For entry from the right (1 = what
 *                      the nearest proxy appended); unset or 0: the socket's address, since any client
 *                      can send that header.
 * A limit reads `<count>/<s|m|h>[ burst <n>]`: the bucket refills `count` requests per second, minute
 * or hour and holds at most `burst` (default: `count`); `off` disables it (a load test from one
 * loopback address sets KEFU_RATE_IP=off).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createHash } from 'node:crypto';
import { bearerOf, type Deps, type Env } from './context';
import { ProblemError } from './problem';

interface Limit {
  /** Requests per millisecond. */
  rate: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

const DEFAULTS = {
  KEFU_RATE_TOKEN: '30/s burst 60',
  KEFU_RATE_IP: '300/s burst 600',
  KEFU_RATE_SESSION: '10/s burst 100',
} as const;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };
/** How often full buckets are dropped (a full bucket is the same as none). */
const SWEEP_MS = 10_000;

/** The rate-limit middleware for `/v1/*`, configured from the environment now. */
export function rateLimit(_deps: Deps): MiddlewareHandler {
  const perToken = limitFromEnv('KEFU_RATE_TOKEN');
  const perIp = limitFromEnv('KEFU_RATE_IP');
  const perIpMinting = limitFromEnv('KEFU_RATE_SESSION');
  const hops = Number(process.env.KEFU_TRUST_PROXY ?? 0);
  if (!Number.isInteger(hops) || hops < 0) throw new Error('KEFU_TRUST_PROXY must be a whole number of proxies (0 or more)');

  return async (c, next) => {
    const now = performance.now();
    const checked: [Buckets, Bucket][] = [];
    if (perIp || perIpMinting) {
      const ip = clientIp(c, hops);
      if (perIp) checked.push([perIp, perIp.level(ip, now)]);
      if (perIpMinting && c.req.method === 'POST' && c.req.path === '/v1/sessions') checked.push([perIpMinting, perIpMinting.level(ip, now)]);
    }
    if (perToken && !c.req.path.startsWith('/v1/agent/')) {
      const bearer = bearerOf(c);
      // Hashed so the process never keeps credentials; forged tokens only get their own bucket, and the IP's still counts.
      if (bearer) checked.push([perToken, perToken.level(createHash('sha256').update(bearer).digest('base64url'), now)]);
    }
    charge(checked, 1);
    // A batch (`…/messages/batch`) counts as as many requests as it carries creates, up to a burst.
    (c as Context<Env>).set('charge', (n) => charge(checked, n));
    await next();
  };
}

/**
 * Takes `n` requests from every bucket, or none: all are checked before any is charged, so a refused
 * request costs nothing. A charge above a bucket's burst takes the burst, or it could never pass.
 */
function charge(checked: [Buckets, Bucket][], n: number) {
  let wait = 0;
  for (const [buckets, bucket] of checked) {
    const need = Math.min(n, buckets.limit.burst);
    if (bucket.tokens < need) wait = Math.max(wait, (need - bucket.tokens) / buckets.limit.rate);
  }
  if (wait > 0) {
    const seconds = Math.max(1, Math.ceil(wait / 1000));
    throw new ProblemError(429, 'Too Many Requests', `Too many requests; retry in ${seconds} s`, undefined, {
      'Retry-After': String(seconds),
    });
  }
  for (const [buckets, bucket] of checked) bucket.tokens -= Math.min(n, buckets.limit.burst);
}

/** Token buckets of one limit, by key. */
class Buckets {
  private readonly buckets = new Map<string, Bucket>();
  private sweptAt = 0;

  constructor(readonly limit: Limit) {}

  /** The key's bucket, refilled up to now (created full). */
  level(key: string, now: number): Bucket {
    if (now - this.sweptAt > SWEEP_MS) this.sweep(now);
    const bucket = this.buckets.get(key);
    if (!bucket) {
      const fresh = { tokens: this.limit.burst, at: now };
      this.buckets.set(key, fresh);
      return fresh;
    }
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + (now - bucket.at) * this.limit.rate);
    bucket.at = now;
    return bucket;
  }

  /** Drops buckets that have refilled, so memory follows the clients active in the last few seconds. */
  private sweep(now: number) {
    this.sweptAt = now;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.limit.rate >= this.limit.burst) this.buckets.delete(key);
    }
  }
}

function limitFromEnv(name: keyof typeof DEFAULTS): Buckets | undefined {
  const text = (process.env[name] ?? DEFAULTS[name]).trim();
  if (text === 'off') return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*\/\s*(s|m|h)(?:\s+burst\s+(\d+))?$/.exec(text);
  const count = Number(match?.[1]);
  const burst = match?.[3] === undefined ? Math.max(1, Math.floor(count)) : Number(match[3]);
  if (!match || !(count > 0) || !(burst >= 1)) {
    throw new Error(`${name} must look like "30/s burst 60" (count per s, m or h, optional burst) or "off", not "${text}"`);
  }
  return new Buckets({ rate: count / UNIT_MS[match[2]!]!, burst });
}

/** The client's address: the socket's, or the trusted proxy's X-Forwarded-For entry. */
function clientIp(c: Context, hops: number): string {
  if (hops > 0) {
    const forwarded = c.req.header('X-Forwarded-For');
    if (forwarded) {
      const entries = forwarded.split(',');
      const entry = entries[Math.max(0, entries.length - hops)]!.trim();
      if (entry) return ipKey(entry);
    }
  }
  // Requests handed to app.fetch without a Node socket (in-process callers) share one bucket.
  const env = c.env as { incoming?: unknown; server?: { incoming?: unknown } } | undefined;
  const address = env?.incoming || env?.server?.incoming ? getConnInfo(c).remote.address : undefined;
  return address ? ipKey(address) : 'unknown';
}

/** IPv4 as is (also when IPv4-mapped); IPv6 by its /64 prefix. */
function ipKey(address: string): string {
  if (!address.includes(':')) return address;
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address)) return address.slice(7);
  const bare = address.split('%')[0]!.toLowerCase();
  const [head = '', tail] = bare.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
