import type { Context } from 'hono';
import * as v from 'valibot';
import { fieldErrors, type FieldError } from '../../src/api/schemas';

/** An error a handler throws to answer with problem+json (design §3). */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail ?? title);
  }
}

/** The problem+json document of an error. */
export const problemBody = (error: ProblemError) => ({
  type: 'about:blank',
  title: error.title,
  status: error.status,
  ...(error.detail ? { detail: error.detail } : {}),
  ...(error.errors ? { errors: error.errors } : {}),
});

export function problemResponse(c: Context, error: ProblemError): Response {
  return c.body(JSON.stringify(problemBody(error)), error.status as never, {
    'Content-Type': 'application/problem+json',
    ...error.headers,
  });
}

export const notFound = (what = 'Resource') => new ProblemError(404, 'Not Found', `${what} not found`);

/** Reads and validates a JSON body with a request schema; malformed or invalid → 400 with field paths. */
export async function readBody<S extends v.GenericSchema>(c: Context, schema: S, text?: string): Promise<v.InferOutput<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(text ?? (await c.req.text()));
  } catch {
    throw new ProblemError(400, 'Bad Request', 'The body is not valid JSON');
  }
  return checkBody(schema, raw);
}

/** Validates (part of) a parsed body; `at` prefixes the field paths (`messages.3`). Invalid → 400. */
export function checkBody<S extends v.GenericSchema>(schema: S, raw: unknown, at = ''): v.InferOutput<S> {
  const parsed = v.safeParse(schema, raw);
  const under = (errors: FieldError[]) => (at ? errors.map((e) => ({ ...e, path: e.path ? `${at}.${e.path}` : at })) : errors);
  if (!parsed.success) {
    throw new ProblemError(400, 'Bad Request', 'The body does not match the contract', under(fieldErrors(parsed.issues)));
  }
  // PostgreSQL text and jsonb cannot hold U+0000: without this the insert fails as a 500, which the
  // widget's outbox retries for ever; a 400 naming the field lets the shopper edit or discard it.
  const nul = nulPath(parsed.output);
  if (nul !== undefined) {
    throw new ProblemError(400, 'Bad Request', 'The body does not match the contract', under([
      { path: nul, message: 'must not contain the NUL character (U+0000)' },
    ]));
  }
  return parsed.output;
}

/** The path (`items.0.name`) of the first string or key holding U+0000, or undefined. */
function nulPath(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return at;
    const found = nulPath(item, at);
    if (found !== undefined) return found;
  }
  return undefined;
}
