import ky, { HTTPError, TimeoutError, type KyInstance, type Options } from 'ky';
import * as v from 'valibot';
import {
  ArticleList, Comment, Conversation, ConversationList, Message, MessageBatchResult, MessageList, Order, OrderList, Problem, Rating,
  Session, SuggestionList, Ticket, TicketList, Upload, type AppealCreate, type CommentCreate, type ConversationCreate,
  type HelpEventBatch, type Locale, type MessageCreate, type RatingCreate, type SessionRequest, type TicketCreate,
} from '../api/schemas';
import type { BackendAdapter, EventStreamOptions, SuggestionContext, UploadOptions } from './BackendAdapter';
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
  /** The shopper's language, sent as `Accept-Language` (change it later through `locale`). */
  locale?: Locale;
  /** Per-request timeout in ms (default 15 s). */
  timeout?: number;
  fetch?: typeof fetch;
}

const at = (path: string, id: string) => `${path}/${encodeURIComponent(id)}`;

/** `BackendAdapter` over the reference REST contract (design §3), with ky and valibot. */
export class RestAdapter implements BackendAdapter {
  /** The shopper's language, sent as `Accept-Language` on every request; assign to switch live. */
  locale: Locale | undefined;
  readonly #http: KyInstance;
  readonly #options: RestAdapterOptions;
  readonly #base: string;
  /** The last ETag and answer of `GET /v1/faq` per locale, for If-None-Match. */
  readonly #faq = new Map<Locale, [etag: string, list: ArticleList]>();
  #session: Session | undefined;
  #renewal: Promise<Session> | undefined;
  /** Every request's signal: `close()` ends them all. */
  readonly #closed = new AbortController();

  constructor(options: RestAdapterOptions) {
    this.#options = options;
    this.#session = options.session;
    this.locale = options.locale;
    this.#base = `${options.baseUrl.replace(/\/+$/, '')}/v1`;
    this.#http = ky.create({
      prefixUrl: this.#base,
      timeout: options.timeout ?? 15_000,
      signal: this.#closed.signal,
      // Only safe methods are retried here; writes are retried by the outbox, which owns their order.
      retry: { limit: 2, methods: ['get'], statusCodes: [408, 429, 500, 502, 503, 504] },
      fetch: options.fetch,
      hooks: {
        beforeRequest: [
          (request) => {
            for (const [name, value] of Object.entries(this.#headers())) request.headers.set(name, value);
          },
        ],
      },
    });
  }

  close() {
    this.#closed.abort();
  }

  /** The current session, if one is open. */
  get session(): Session | undefined {
    return this.#session;
  }

  async startSession(request: SessionRequest): Promise<Session> {
    // Sending the current token (even an expired one) proves this device holds the visitor.
    const response = await this.#send(() => this.#http.post('sessions', { json: request }), false);
    const session = await read(Session, response, 'sessions');
    this.#session = session;
    this.#options.onSession?.(session);
    return session;
  }

  listConversations() {
    return this.#call(ConversationList, 'conversations');
  }

  createConversation(body: ConversationCreate) {
    return this.#create('conversations', Conversation, body);
  }

  listMessages(conversationId: string, after?: string) {
    return this.#call(MessageList, `${at('conversations', conversationId)}/messages`, { searchParams: query({ after }) });
  }

  postMessage(conversationId: string, body: MessageCreate) {
    return this.#create(`${at('conversations', conversationId)}/messages`, Message, body);
  }

  async postMessages(conversationId: string, bodies: MessageCreate[]) {
    const path = `${at('conversations', conversationId)}/messages/batch`;
    const messages = bodies.map((message) => ({ key: message.clientId, message }));
    const { results } = await this.#call(MessageBatchResult, path, { method: 'post', json: { messages } });
    if (results.length != bodies.length) throw new KefuError('invalid_response', `Unexpected response from /v1/${path}`);
    return results.map((result) => ('message' in result ? result.message : new HttpError(result.status, result.problem)));
  }

  handoff(conversationId: string, reason?: string) {
    return this.#call(Conversation, `${at('conversations', conversationId)}/handoff`, { method: 'post', json: { reason } });
  }

  markRead(conversationId: string, messageId: string) {
    return this.#call(Conversation, `${at('conversations', conversationId)}/read`, { method: 'post', json: { messageId } });
  }

  async faq(locale: Locale) {
    const cached = this.#faq.get(locale);
    try {
      const response = await this.#send(() =>
        this.#http('faq', { searchParams: { locale }, headers: cached && { 'If-None-Match': cached[0] } }));
      const list = await read(ArticleList, response, 'faq');
      const etag = response.headers.get('ETag');
      if (etag) this.#faq.set(locale, [etag, list]);
      return list;
    } catch (error) {
      if (cached && (error as HttpError).status === 304) return cached[1];
      throw error;
    }
  }

  suggestions({ page, orderId, productId }: SuggestionContext = {}) {
    return this.#call(SuggestionList, 'suggestions', { searchParams: query({ page, orderId, productId }) });
  }

  listOrders(cursor?: string) {
    return this.#call(OrderList, 'orders', { searchParams: query({ cursor }) });
  }

  getOrder(id: string) {
    return this.#call(Order, at('orders', id));
  }

  listTickets(cursor?: string) {
    return this.#call(TicketList, 'tickets', { searchParams: query({ cursor }) });
  }

  getTicket(id: string) {
    return this.#call(Ticket, at('tickets', id));
  }

  createTicket(body: TicketCreate) {
    return this.#create('tickets', Ticket, body);
  }

  appeal(ticketId: string, body: AppealCreate) {
    return this.#create(`${at('tickets', ticketId)}/appeal`, Ticket, body);
  }

  comment(ticketId: string, body: CommentCreate) {
    return this.#create(`${at('tickets', ticketId)}/comments`, Comment, body);
  }

  rate(body: RatingCreate) {
    return this.#create('ratings', Rating, body);
  }

  helpEvents(batch: HelpEventBatch) {
    // Nothing to read back; keepalive lets the last batch finish when the page is closed.
    return this.#send(() => this.#http.post('help-events', { json: batch, headers: { 'Idempotency-Key': batch.clientId }, keepalive: true }));
  }

  async upload(file: Blob, { clientId, name, onProgress, signal }: UploadOptions) {
    // The XMLHttpRequest path (progress, cancel) loads with the first upload, not with the panel.
    const { postWithProgress, uploadRefusal } = await import('./upload');
    const refusal = uploadRefusal(file);
    if (refusal) throw refusal;
    const form = new FormData();
    form.append('file', file);
    const label = name ?? (file as File).name;
    if (label) form.append('name', label);
    const response = await this.#send(() =>
      postWithProgress(`${this.#base}/uploads`, form, { ...this.#headers(), 'Idempotency-Key': clientId }, onProgress,
        signal ? AbortSignal.any([signal, this.#closed.signal]) : this.#closed.signal));
    const created = await read(Upload, response, 'uploads');
    onProgress?.(1);
    return created;
  }

  /** The bytes, as a File named as uploaded (the server's Content-Disposition `filename*`) when it says. */
  async fetchUpload(id: string) {
    const response = await this.#send(() => this.#http(at('uploads', id)));
    const name = /filename\*=UTF-8''([^;]+)/.exec(response.headers.get('Content-Disposition')!)?.[1];
    const blob = await response.blob();
    return name ? new File([blob], decodeURIComponent(name), { type: blob.type }) : blob;
  }

  subscribe(onEvent: Parameters<BackendAdapter['subscribe']>[0], options: EventStreamOptions = {}) {
    return openEventStream({
      url: `${this.#base}/events`,
      headers: () => this.#headers(),
      renew: () => this.#renew(),
      fetch: this.#options.fetch,
      source: this,
      onEvent,
      ...options,
    });
  }

  /** What every request carries: the bearer token and the shopper's language. */
  #headers(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.#session) headers.Authorization = `Bearer ${this.#session.token}`;
    if (this.locale) headers['Accept-Language'] = this.locale;
    return headers;
  }

  /** Every create carries its client UUID as `Idempotency-Key`, so a resend replays, never duplicates. */
  #create<S extends v.GenericSchema>(path: string, schema: S, body: { clientId: string }) {
    return this.#call(schema, path, { method: 'post', json: body, headers: { 'Idempotency-Key': body.clientId } });
  }

  async #call<S extends v.GenericSchema>(schema: S, path: string, options?: Options): Promise<v.InferOutput<S>> {
    return read(schema, await this.#send(() => this.#http(path, options)), path);
  }

  /**
   * Sends a request (again, with the new token, after one renewal on 401) and answers its 2xx
   * response; every failure comes out as a KefuError.
   */
  async #send(request: () => Promise<Response>, renew = true): Promise<Response> {
    const token = this.#session?.token;
    try {
      const response = await request();
      if (!response.ok) throw await problemOf(response); // ky throws by itself; XMLHttpRequest does not.
      return response;
    } catch (error) {
      const failure = await toKefuError(error);
      if (!renew || (failure as HttpError).status !== 401) throw failure;
      // A request sent with a token that was renewed meanwhile just tries again with the new one.
      if (this.#session?.token === token) await this.#renew();
      return this.#send(request, false);
    }
  }

  /** One renewal at a time, however many requests met the 401 together. */
  #renew(): Promise<Session> {
    this.#renewal ??= this.startSession({ site: this.#options.site, visitorId: this.#session?.visitorId }).finally(() => {
      this.#renewal = undefined;
    });
    return this.#renewal;
  }
}

/** The body of a 2xx answer, checked against the contract. */
async function read<S extends v.GenericSchema>(schema: S, response: Response, path: string): Promise<v.InferOutput<S>> {
  const parsed = v.safeParse(schema, await response.json().catch(() => undefined));
  if (parsed.success) return parsed.output;
  throw new KefuError('invalid_response', `Unexpected response from /v1/${path}`);
}

/** An error status as an HttpError carrying its problem+json document. */
async function problemOf(response: Response): Promise<HttpError> {
  let problem: Problem = { type: 'about:blank', title: response.statusText || 'Error', status: response.status };
  try {
    const parsed = v.safeParse(Problem, await response.json());
    if (parsed.success) problem = parsed.output;
  } catch {
    // Not JSON (a proxy's HTML error page, say): keep the status line as the problem.
  }
  return new HttpError(response.status, problem, retryAfterMs(response.headers.get('Retry-After')));
}

/** Maps ky's and fetch's failures onto the widget's error values. */
export async function toKefuError(error: unknown): Promise<KefuError> {
  if (error instanceof KefuError) return error;
  if (error instanceof HTTPError) return problemOf(error.response);
  if (error instanceof TimeoutError) return new KefuError('timeout', 'The server did not answer in time', { cause: error });
  return new KefuError('network', 'The server could not be reached', { cause: error });
}

/** Search params without the absent ones (ky 1.7 would send them as the string "undefined"). */
function query(params: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** `Retry-After` as delay-seconds or an HTTP date, in ms. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
