/**
 * Session tokens (HS256 JWTs signed with the server's own secret) and the merchant's user tokens
 * (HS256 JWTs signed with the site's secret, `sub`/`name`/`email`/`exp`).
 */
import { SignJWT, jwtVerify, errors } from 'jose';
import { randomBytes } from 'node:crypto';
import type { Db } from './db';

export interface Auth {
  site: string;
  visitorId: string;
  userId: string | null;
  /** The ownership key stored on rows: the signed-in user when known, else the visitor. */
  owner: string;
}

const SESSION_SECONDS = 24 * 3600;
/** An expired session may still be renewed (proof of holding it) for this long. */
const RENEWAL_SECONDS = 30 * 24 * 3600;

export const ownerOf = (visitorId: string, userId: string | null) => (userId ? `u:${userId}` : `v:${visitorId}`);

/** The server secret lives in the database, so every process on it accepts every token. */
export async function serverSecret(db: Db): Promise<Uint8Array> {
  await db.query(`insert into settings (key, value) values ('session_secret', $1) on conflict (key) do nothing`, [
    randomBytes(32).toString('base64url'),
  ]);
  const [row] = await db.query<{ value: string }>(`select value from settings where key = 'session_secret'`);
  return new TextEncoder().encode(row!.value);
}

export async function issueSession(secret: Uint8Array, auth: Omit<Auth, 'owner'>) {
  const expiresAt = new Date(Date.now() + SESSION_SECONDS * 1000);
  const token = await new SignJWT({ site: auth.site, vid: auth.visitorId, uid: auth.userId })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(secret);
  return { token, expiresAt: expiresAt.toISOString() };
}

/**
 * Verified session tokens, so the HMAC check (WebCrypto through jose, ~0.4 ms) runs once per token
 * rather than on every request. Bounded; an entry is used only until its token's own expiry.
 */
const verified = new Map<string, { auth: Auth; exp: number }>();
const VERIFIED_MAX = 10_000;

/** Verifies a session token; `renewal` accepts one expired within the renewal window. */
export async function verifySession(secret: Uint8Array, token: string, renewal = false): Promise<Auth | null> {
  const hit = renewal ? undefined : verified.get(token);
  if (hit && hit.exp * 1000 > Date.now()) return hit.auth;
  try {
    const { payload } = await jwtVerify(token, secret, {
      algorithms: ['HS256'],
      clockTolerance: renewal ? RENEWAL_SECONDS : 0,
    });
    const { site, vid, uid } = payload as { site?: unknown; vid?: unknown; uid?: unknown };
    if (typeof site !== 'string' || typeof vid !== 'string') return null;
    const userId = typeof uid === 'string' ? uid : null;
    const auth = { site, visitorId: vid, userId, owner: ownerOf(vid, userId) };
    if (!renewal && typeof payload.exp === 'number') {
      if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
      verified.set(token, { auth, exp: payload.exp });
    }
    return auth;
  } catch (error) {
    if (error instanceof errors.JOSEError) return null;
    throw error;
  }
}

export interface SignedUser {
  id: string;
  name: string | null;
  email: string | null;
}

/** Verifies the merchant-signed user token with the site's secret; `exp` is required. */
export async function verifyUserToken(siteSecret: string, token: string): Promise<SignedUser | null> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(siteSecret), {
      algorithms: ['HS256'],
      requiredClaims: ['sub', 'exp'],
    });
    const text = (value: unknown) => (typeof value === 'string' ? value : null);
    return { id: payload.sub!, name: text(payload.name), email: text(payload.email) };
  } catch (error) {
    if (error instanceof errors.JOSEError) return null;
    throw error;
  }
}

/** Signs a user token the way a merchant's backend would (demo endpoint and tests). */
export function signUserToken(siteSecret: string, user: { sub: string; name?: string; email?: string }, seconds = 3600) {
  return new SignJWT({ name: user.name, email: user.email })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + seconds)
    .sign(new TextEncoder().encode(siteSecret));
}
