import ky, { HTTPError, TimeoutError, type KyInstance, type Options } from 'ky';
import * as v from 'valibot';
import {
  Conversation, ConversationList, Message, MessageList, Problem, Session, type ConversationCreate,
  type MessageCreate, type SessionRequest,
} from '../api/schemas';
import type { BackendAdapter, EventStreamOptions } from './BackendAdapter';
import { HttpError, KefuError } from './errors';
import { openEventStream } from './eventStream';

export interface RestAdapterOptions {
  /** Origin (and optional path) of the Kefu API, without `/v1`. */
  baseUrl: string;
  /** The site key the session is opened for (and renewed for, after a 401). */
  site: string;
  /** A session saved earlier (for example in IndexedDB) to resume without a round trip. */
  session?: Session;
  /** Called whenever the adapter opens or renews a session, so the caller can persist it. */
  onSession?: (session: Session) => void;
  /** Per-request timeout in ms (default 15 s). */
  timeout?: number;
  fetch?: typeof fetch;
}

/** `BackendAdapter` over the reference REST contract (design §3), with ky and valibot. */
export class RestAdapter implements BackendAdapter {
  readonly #http: KyInstance;
  readonly #options: RestAdapterOptions;
  #session: Session | undefined;
  #renewal: Promise<Session> | undefined;

  constructor(options: RestAdapterOptions) {
    this.#options = options;
    this.#session = options.session;
    this.#http = ky.create({
      prefixUrl: `${options.baseUrl.replace(/\/+$/, '')}/v1`,
      timeout: options.timeout ?? 15_000,
      // Only safe methods are retried here; writes are retried by the outbox, which owns their order.
      retry: { limit: 2, methods: ['get'], statusCodes: [408, 429, 500, 502, 503, 504] },
      fetch: options.fetch,
      hooks: {
        beforeRequest: [
          (request) => {
            if (this.#session && !request.headers.has('Authorization')) {
              request.headers.set('Authorization', `Bearer ${this.#session.token}`);
            }
          },
        ],
      },
    });
  }

  /** The current session, if one is open. */
  get session(): Session | undefined {
    return this.#session;
  }

  async startSession(request: SessionRequest): Promise<Session> {
    // Sending the current token (even an expired one) proves this device holds the visitor.
    const session = await this.#call(Session, 'post', 'sessions', { json: request }, false);
    this.#session = session;
    this.#options.onSession?.(session);
    return session;
  }

  listConversations() {
    return this.#call(ConversationList, 'get', 'conversations');
  }

  createConversation(body: ConversationCreate) {
    return this.#call(Conversation, 'post', 'conversations', this.#create(body));
  }

  listMessages(conversationId: string, after?: string) {
    const searchParams = after ? { after } : undefined;
    return this.#call(MessageList, 'get', `conversations/${encodeURIComponent(conversationId)}/messages`, {
      searchParams,
    });
  }

  postMessage(conversationId: string, body: MessageCreate) {
    return this.#call(Message, 'post', `conversations/${encodeURIComponent(conversationId)}/messages`, this.#create(body));
  }

  subscribe(onEvent: Parameters<BackendAdapter['subscribe']>[0], options: EventStreamOptions = {}) {
    return openEventStream({
      url: `${this.#options.baseUrl.replace(/\/+$/, '')}/v1/events`,
      token: () => this.#session?.token,
      renew: () => this.#renew(),
      fetch: this.#options.fetch,
      onEvent,
      ...options,
    });
  }

  /** Every create carries its client UUID as `Idempotency-Key`, so a resend replays, never duplicates. */
  #create(body: { clientId: string }): Options {
    return { json: body, headers: { 'Idempotency-Key': body.clientId } };
  }

  /** One renewal at a time, however many requests met the 401 together. */
  #renew(): Promise<Session> {
    this.#renewal ??= this.startSession({ site: this.#options.site, visitorId: this.#session?.visitorId }).finally(() => {
      this.#renewal = undefined;
    });
    return this.#renewal;
  }

  async #call<S extends v.GenericSchema>(
    schema: S, method: 'get' | 'post', path: string, options: Options = {}, renewOn401 = true,
  ): Promise<v.InferOutput<S>> {
    try {
      const body: unknown = await this.#http(path, { ...options, method }).json();
      const parsed = v.safeParse(schema, body);
      if (!parsed.success) {
        throw new KefuError('invalid_response', `Unexpected response from ${method.toUpperCase()} /v1/${path}`);
      }
      return parsed.output;
    } catch (error) {
      const failure = await toKefuError(error);
      if (renewOn401 && failure instanceof HttpError && failure.status === 401) {
        await this.#renew();
        return this.#call(schema, method, path, options, false);
      }
      throw failure;
    }
  }
}

/** Maps ky's and fetch's failures onto the widget's error values. */
export async function toKefuError(error: unknown): Promise<KefuError> {
  if (error instanceof KefuError) return error;
  if (error instanceof HTTPError) {
    const { response } = error;
    let problem: Problem = { type: 'about:blank', title: response.statusText || 'Error', status: response.status };
    try {
      const parsed = v.safeParse(Problem, await response.json());
      if (parsed.success) problem = parsed.output;
    } catch {
      // Not JSON (a proxy's HTML error page, say): keep the status line as the problem.
    }
    return new HttpError(response.status, problem, retryAfterMs(response.headers.get('Retry-After')));
  }
  if (error instanceof TimeoutError) return new KefuError('timeout', 'The server did not answer in time', { cause: error });
  return new KefuError('network', 'The server could not be reached', { cause: error });
}

/** `Retry-After` as delay-seconds or an HTTP date, in ms. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
