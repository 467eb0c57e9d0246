/**
 * One small error hierarchy (after ky): every failure the widget can meet is a `KefuError` with a
 * stable `code` the UI maps to a message in both catalogs. The brand is a registered symbol, so
 * `isKefuError` works across bundles and realms where `instanceof` would not.
 */
import type { FieldError, Problem } from '../api/schemas';

const brand = Symbol.for('kefu.error');

export type ErrorCode =
  | 'network' // no answer: offline, DNS, CORS, connection reset
  | 'timeout'
  | 'http' // the server answered with a problem
  | 'invalid_response' // the server answered something the contract does not allow
  | 'not_configured'
  | 'destroyed'
  | 'aborted' // cancelled through an AbortSignal (an upload the shopper stopped)
  | 'file_type' // refused before sending: not an image or a PDF
  | 'file_too_large'; // refused before sending: over MAX_UPLOAD_BYTES

export class KefuError extends Error {
  readonly [brand] = true;
  override name = 'KefuError';
  constructor(readonly code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The server answered with an error status; `problem` is its problem+json document. */
export class HttpError extends KefuError {
  override name = 'HttpError';
  constructor(readonly status: number, readonly problem: Problem, readonly retryAfterMs?: number) {
    super('http', `${status} ${problem.title}${problem.detail ? `: ${problem.detail}` : ''}`);
  }
  /** Field errors with their paths, for forms. */
  get fieldErrors(): FieldError[] {
    return this.problem.errors ?? [];
  }
}

export function isKefuError(value: unknown): value is KefuError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

export function isHttpError(value: unknown): value is HttpError {
  return isKefuError(value) && value.code === 'http';
}

/**
 * Whether trying the same request again later may succeed: no answer, 408, 429 and 5xx.
 * Any other 4xx means the request itself is wrong and must be edited or dropped.
 */
export function isRetryable(error: unknown): boolean {
  if (!isKefuError(error)) return false;
  if (error.code === 'network' || error.code === 'timeout') return true;
  if (error.code !== 'http') return false;
  const { status } = error as HttpError;
  return status === 408 || status === 429 || status >= 500;
}
