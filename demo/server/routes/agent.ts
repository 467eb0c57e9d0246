import { Hono } from 'hono';
import type { Deps } from '../context';

/** Placeholder: the agent API (`/v1/agent/*`, bearer KEFU_AGENT_TOKEN). */
export function agentRoutes(_deps: Deps) {
  return new Hono();
}
