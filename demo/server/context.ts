/** What every route module shares: the dependencies, the Hono environment and small request helpers. */
import type { Context } from 'hono';
import type { QuickAction } from '../../src/api/schemas';
import type { Db } from './db';
import type { EventBus } from './events';
import type { Auth } from './tokens';

export interface BotReply {
  text: string;
  articleIds: string[];
  actions: QuickAction[];
  handoff: boolean;
}

export interface Bot {
  reply(text: string, locale: 'en' | 'zh-CN'): BotReply;
}

export interface AppConfig {
  demo: boolean;
  /** Folder with the built widget (`kefu.js`, panel chunks). */
  distDir: string;
  /** Folder with the demo shop's pages. */
  demoDir: string;
  /** Bearer token for `/v1/agent/*`; agent endpoints answer 401 without it. */
  agentToken: string;
}

export interface Deps {
  db: Db;
  bus: EventBus;
  bot: Bot;
  secret: Uint8Array;
  config: AppConfig;
}

export type Env = {
  Variables: {
    auth: Auth;
    /** Charges the rate limits `n` more requests (a batch of n + 1 creates); throws the 429 when they are spent. */
    charge?: (n: number) => void;
  };
};

export function bearerOf(c: Context): string | undefined {
  const header = c.req.header('Authorization') ?? '';
  return /^Bearer (.+)$/i.exec(header)?.[1];
}

/** The shopper's language for server-written text (bot replies): the widget sends its locale. */
export function localeOf(c: Context): 'en' | 'zh-CN' {
  return /^zh/i.test(c.req.header('Accept-Language') ?? '') ? 'zh-CN' : 'en';
}

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505';
}

export function log(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}) {
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
  if (level === 'error') console.error(line);
  else if (process.env.KEFU_LOG !== 'off') console.log(line);
}
