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

export function problemResponse(c: Context, error: ProblemError): Response {
  const body = {
    type: 'about:blank',
    title: error.title,
    status: error.status,
    ...(error.detail ? { detail: error.detail } : {}),
    ...(error.errors ? { errors: error.errors } : {}),
  };
  return c.body(JSON.stringify(body), error.status as never, {
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
  const parsed = v.safeParse(schema, raw);
  if (!parsed.success) {
    throw new ProblemError(400, 'Bad Request', 'The body does not match the contract', fieldErrors(parsed.issues));
  }
  return parsed.output;
}
