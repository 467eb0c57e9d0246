/**
 * The OpenAPI 3.1 document of the REST contract, generated from the contract table (`contract.ts`)
 * and the shared valibot schemas, so the document cannot say what the code does not.
 */
import { toJsonSchema, toJsonSchemaDefs, type ConversionConfig, type JsonSchema } from '@valibot/to-json-schema';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as v from 'valibot';
import * as schemas from '../../src/api/schemas';
import { contract, contractSchemas, errorStatuses, type Body, type Endpoint, type QueryParam, type Success } from './contract';

type Json = Record<string, unknown>;

/**
 * Pipe actions JSON Schema cannot say, ignored on purpose: `trim` transforms before the length
 * checks run, so the document's `minLength: 1` accepts `" "` where the server answers 400. Every
 * other action converts exactly; the drift test converts with `errorMode: 'throw'` to keep it so.
 */
export const APPROXIMATED_ACTIONS = ['trim'];

/** Problem responses every operation may answer, by status. */
const PROBLEMS: Record<number, { name: string; description: string }> = {
  400: { name: 'BadRequest', description: 'Malformed JSON, a body or parameter outside the contract (`errors` names each path), or a missing Idempotency-Key' },
  401: { name: 'Unauthorized', description: 'No valid bearer token (an unknown site key for sessions)' },
  403: { name: 'Forbidden', description: "The page's origin is not allowed for this site" },
  404: { name: 'NotFound', description: "Unknown id, or another shopper's (the two are indistinguishable)" },
  409: { name: 'Conflict', description: 'Not allowed in the current state (an illegal ticket transition, a closed conversation)' },
  413: { name: 'PayloadTooLarge', description: 'The body is over the size limit' },
  415: { name: 'UnsupportedMediaType', description: 'Only the listed file types are accepted' },
  422: { name: 'UnprocessableContent', description: 'This Idempotency-Key was already used with another body' },
  429: { name: 'TooManyRequests', description: 'Rate limited per token and per IP; retry after `Retry-After` seconds' },
};

/** The named components: every schema `src/api/schemas.ts` exports, and the table's own. */
function namedSchemas(): Record<string, v.GenericSchema> {
  const named: Record<string, v.GenericSchema> = {};
  for (const [name, value] of Object.entries({ ...schemas, ...contractSchemas })) {
    if (typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'schema') {
      named[name] = value as v.GenericSchema;
    }
  }
  return named;
}

/** `#/$defs/X` (the converter's) → `#/components/schemas/X` (OpenAPI's), everywhere in `node`. */
function relocateRefs<T>(node: T): T {
  return JSON.parse(JSON.stringify(node).replaceAll('"#/$defs/', '"#/components/schemas/'));
}

export interface DocumentOptions {
  /** The converter's policy for an action it cannot express beyond `APPROXIMATED_ACTIONS`. */
  errorMode?: ConversionConfig['errorMode'];
}

/** Builds the document; the server serves it with `errorMode: 'ignore'` so a new pipe never takes it down. */
export function openapiDocument(options: DocumentOptions = {}) {
  const definitions = namedSchemas();
  const config: ConversionConfig = {
    target: 'draft-2020-12',
    errorMode: options.errorMode ?? 'ignore',
    ignoreActions: APPROXIMATED_ACTIONS,
  };
  const components = relocateRefs(toJsonSchemaDefs(definitions, config)) as Record<string, Json>;
  const refOf = new Map(Object.entries(definitions).map(([name, schema]) => [schema, name]));

  /** A component `$ref` for a named schema, else the schema inline (its named parts as `$ref`s). */
  const schemaOf = (schema: v.GenericSchema): Json => {
    const name = refOf.get(schema);
    if (name) return { $ref: `#/components/schemas/${name}` };
    const { $schema: _dialect, $defs: _defs, ...inline } = toJsonSchema(schema, { ...config, definitions }) as JsonSchema & Json;
    return relocateRefs(inline);
  };

  const paths: Record<string, Record<string, Json>> = {};
  for (const endpoint of contract) {
    const path = endpoint.path.replace(/:([A-Za-z]+)/g, '{$1}');
    (paths[path] ??= {})[endpoint.method.toLowerCase()] = operation(endpoint, schemaOf);
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Kefu REST API',
      version: packageVersion(),
      summary: 'The backend contract of the Kefu customer-service widget',
      description:
        'Sessions, chat, FAQ, orders, complaints, refunds, returns, ratings, uploads and events for one shopper, ' +
        'plus the agent console API. Errors are `application/problem+json`. Every create carries an ' +
        '`Idempotency-Key`: the same key with the same body replays the first answer, another body answers 422, ' +
        'no key answers 400. A shopper reaches only their own resources; anything else is 404.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: [
      { name: 'session', description: 'Shopper sessions' },
      { name: 'help', description: 'FAQ and suggested questions' },
      { name: 'chat', description: 'Conversations with the bot and people' },
      { name: 'orders', description: 'Orders, shipments and tracking' },
      { name: 'tickets', description: 'Complaints, refunds, returns and appeals' },
      { name: 'ratings', description: 'Ratings of answers, tickets and articles' },
      { name: 'uploads', description: 'Evidence files' },
      { name: 'events', description: 'Server-Sent Events' },
      { name: 'agent', description: 'The agent console (bearer KEFU_AGENT_TOKEN)' },
      { name: 'meta', description: 'This document' },
    ],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        shopperSession: {
          type: 'http', scheme: 'bearer', bearerFormat: 'JWT',
          description: 'The token `POST /v1/sessions` returns, bound to one site and one shopper',
        },
        agentToken: { type: 'http', scheme: 'bearer', description: "The server's KEFU_AGENT_TOKEN" },
      },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key', in: 'header', required: true,
          description: "The client's UUID for this create; replays with the same body, 422 with another",
          schema: { type: 'string', minLength: 1, maxLength: 128 },
        },
        LastEventId: {
          name: 'Last-Event-ID', in: 'header', required: false,
          description: 'Resume after this event id (sent by EventSource on reconnect)',
          schema: { type: 'string' },
        },
        IfNoneMatch: { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } },
        AcceptLanguage: {
          name: 'Accept-Language', in: 'header', required: false,
          description: 'The language of server-written text such as bot replies (`zh…` for Chinese, else English)',
          schema: { type: 'string' },
        },
      },
      headers: {
        RetryAfter: { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } },
        ETag: { description: 'Entity tag for If-None-Match', schema: { type: 'string' } },
      },
      responses: Object.fromEntries([
        ...Object.entries(PROBLEMS).map(([status, { name, description }]) => [name, {
          description,
          ...(status === '429' ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } } : {}),
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        }]),
        ['ServerError', {
          description: 'Something failed on the server; no internals are sent',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        }],
      ]),
    },
  };
}

export type OpenApiDocument = ReturnType<typeof openapiDocument>;

function operation(endpoint: Endpoint, schemaOf: (schema: v.GenericSchema) => Json): Json {
  const parameters: Json[] = [];
  for (const name of endpoint.path.match(/:([A-Za-z]+)/g) ?? []) {
    parameters.push({ name: name.slice(1), in: 'path', required: true, schema: { $ref: '#/components/schemas/ResourceId' } });
  }
  for (const [name, param] of Object.entries(endpoint.query ?? {}) as [string, QueryParam][]) {
    parameters.push({ name, in: 'query', required: param.required ?? false, description: param.description, schema: schemaOf(param.schema) });
  }
  if (endpoint.idempotent) parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });
  if (endpoint.resumable) parameters.push({ $ref: '#/components/parameters/LastEventId' });
  if (endpoint.etag) parameters.push({ $ref: '#/components/parameters/IfNoneMatch' });
  if (endpoint.path.startsWith('/v1/conversations/') && endpoint.method === 'POST') {
    parameters.push({ $ref: '#/components/parameters/AcceptLanguage' });
  }

  const responses: Json = { [String(endpoint.success.status)]: success(endpoint, endpoint.success, schemaOf) };
  if (endpoint.etag) responses['304'] = { description: 'Not modified since the ETag sent in If-None-Match' };
  for (const status of errorStatuses(endpoint)) responses[String(status)] = { $ref: `#/components/responses/${PROBLEMS[status]!.name}` };
  responses.default = { $ref: '#/components/responses/ServerError' };

  return {
    operationId: operationId(endpoint),
    summary: endpoint.summary,
    tags: [endpoint.tag],
    // Sessions are public, but a current (even expired) session token may prove the visitor to merge.
    security: endpoint.auth === 'shopper' ? [{ shopperSession: [] }]
      : endpoint.auth === 'agent' ? [{ agentToken: [] }]
      : endpoint.path === '/v1/sessions' ? [{}, { shopperSession: [] }] : [],
    ...(parameters.length ? { parameters } : {}),
    ...(endpoint.body ? { requestBody: requestBody(endpoint.body, schemaOf) } : {}),
    responses,
  };
}

function requestBody(body: Body, schemaOf: (schema: v.GenericSchema) => Json): Json {
  if (body.kind === 'json') {
    return { required: !body.optional, content: { 'application/json': { schema: schemaOf(body.schema) } } };
  }
  return {
    required: true,
    content: {
      'multipart/form-data': {
        schema: {
          type: 'object',
          required: ['file'],
          additionalProperties: false,
          properties: {
            file: { type: 'string', contentMediaType: 'application/octet-stream', description: `At most ${schemas.MAX_UPLOAD_BYTES} bytes; the type is read from the content` },
            name: { type: 'string', description: "The name shown for the file (default: the part's filename)" },
          },
        },
        encoding: { file: { contentType: body.types.join(', ') } },
      },
    },
  };
}

function success(endpoint: Endpoint, answer: Success, schemaOf: (schema: v.GenericSchema) => Json): Json {
  switch (answer.kind) {
    case 'json':
      return {
        description: answer.description,
        ...(endpoint.etag ? { headers: { ETag: { $ref: '#/components/headers/ETag' } } } : {}),
        content: { 'application/json': { schema: answer.schema ? schemaOf(answer.schema) : { type: 'object' } } },
      };
    case 'sse':
      return {
        description: `${answer.description}. Each event has an \`id\` for Last-Event-ID; \`data\` is one JSON ` +
          'object of the `x-event-schema` schema; comment lines keep the connection alive.',
        content: { 'text/event-stream': { schema: { type: 'string' }, 'x-event-schema': schemaOf(answer.event) } },
      };
    case 'binary':
      return {
        description: answer.description,
        content: Object.fromEntries(answer.types.map((type) => [type, { schema: { type: 'string', contentMediaType: type } }])),
      };
    case 'empty':
      return { description: answer.description };
  }
}

/** `POST /v1/agent/tickets/:id/transition` → `postAgentTicketsByIdTransition`. */
function operationId(endpoint: Endpoint): string {
  const words = endpoint.path.replace(/^\/v1\//, '').replace(/\.json$/, '').split('/')
    .map((part) => (part.startsWith(':') ? `by-${part.slice(1)}` : part))
    .flatMap((part) => part.split('-'));
  return endpoint.method.toLowerCase() + words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
