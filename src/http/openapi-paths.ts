import { type JsonSchema, jsonSchemaOf } from './json-schema.js'
import * as wire from './wire-schemas.js'

type Json = JsonSchema

/** Each error status a route can answer with: its response component, all `application/problem+json`. */
export const ERROR_RESPONSES: Readonly<Record<number, { name: string; description: string; headers?: Json }>> = {
  400: { name: 'BadRequest', description: 'A parameter or the body is invalid; `errors` names each offending field.' },
  401: {
    name: 'Unauthorized',
    description: 'No API key, or one that is unknown, revoked or malformed.',
    headers: { 'WWW-Authenticate': { schema: { type: 'string' } } },
  },
  403: { name: 'Forbidden', description: 'The key lacks the scope this route needs.' },
  404: { name: 'NotFound', description: 'No such entry, checkpoint or route.' },
  409: { name: 'Conflict', description: 'The request conflicts with the state of the log.' },
  413: { name: 'ContentTooLarge', description: 'The body is over the size limit (4 MiB by default).' },
  415: { name: 'UnsupportedMediaType', description: 'The body is not `application/json`.' },
  500: { name: 'InternalError', description: 'An unexpected error; the body says nothing of the internals.' },
  503: {
    name: 'ServiceUnavailable',
    description: 'The database is unavailable; retry after `Retry-After` seconds.',
    headers: { 'Retry-After': { schema: { type: 'integer', minimum: 1 } } },
  },
}

// The filters' meaning, as the library documents LogFilters and PageOptions.
const PARAMETER_DESCRIPTIONS: Readonly<Record<string, string>> = {
  action: 'Only entries with this action; repeat the parameter for any of several (at most 50).',
  targetUserUuid: 'Only entries whose target is this user.',
  adminUserUuid: 'Only entries whose admin is this user.',
  userUuid: 'Only entries where this user is the target or the admin.',
  fromDate: 'Only entries inserted at or after this instant (an ISO-8601 date-time with a zone, or a date).',
  toDate: 'Only entries inserted at or before this instant (an ISO-8601 date-time with a zone, or a date).',
  limit: 'The page size (default 100).',
  cursor: 'The `nextCursor` of the previous page.',
  format: 'JSON Lines (the default) or CSV.',
  fromSeq: 'The first seq (inclusive).',
  toSeq: 'The last seq (exclusive).',
  from: 'The older tree size.',
  to: 'The newer tree size.',
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` })
const jsonContent = (name: string): Json => ({ 'application/json': { schema: ref(name) } })
const ok = (description: string, content: Json, headers?: Json): Json => ({
  description,
  content,
  ...(headers === undefined ? {} : { headers }),
})

/** One query parameter per property of an object schema, required as the schema says. */
export function queryParameters(schema: Json): Json[] {
  const properties = (schema.properties ?? {}) as Record<string, Json>
  const required = new Set((schema.required ?? []) as string[])
  return Object.entries(properties).map(([name, property]) => {
    // A value or a list of values (`action`): in a query string, the parameter repeated.
    const list = ((property.anyOf ?? []) as Json[]).find((branch) => branch.type === 'array')
    return {
      name,
      in: 'query',
      required: required.has(name),
      ...(PARAMETER_DESCRIPTIONS[name] === undefined ? {} : { description: PARAMETER_DESCRIPTIONS[name] }),
      ...(list === undefined ? { schema: property } : { schema: list, style: 'form', explode: true }),
    }
  })
}

interface OperationSpec {
  readonly id: string
  readonly summary: string
  /** The scope the key needs; none for the routes outside /v1. */
  readonly scope?: 'read' | 'write'
  readonly parameters?: Json[]
  readonly body?: Json
  readonly responses: Record<string, Json>
  /** The error statuses beyond those every route (and every /v1 route) can give. */
  readonly errors?: number[]
}

function operation(spec: OperationSpec): Json {
  const always = spec.scope === undefined ? [500] : [400, 401, 403, 500, 503]
  const statuses = [...new Set([...always, ...(spec.errors ?? [])])].sort((a, b) => a - b)
  const errors = statuses.map((s) => [String(s), { $ref: `#/components/responses/${ERROR_RESPONSES[s]?.name}` }])
  return {
    operationId: spec.id,
    summary: spec.summary,
    ...(spec.scope === undefined ? { security: [] } : { description: `Needs a key with the \`${spec.scope}\` scope.` }),
    ...(spec.parameters === undefined ? {} : { parameters: spec.parameters }),
    ...(spec.body === undefined ? {} : { requestBody: spec.body }),
    responses: { ...spec.responses, ...Object.fromEntries(errors) },
  }
}

/** The JSON Schemas of the log's own inputs that the paths take as query parameters. */
export interface QueryInputs {
  /** `pageLogs` options: filters, limit, cursor. */
  readonly page: Json
  /** The filters alone (`countLogs`). */
  readonly count: Json
  /** The `Idempotency-Key` header (`createLogEntriesOnce`'s key). */
  readonly idempotencyKey: Json
  /** The range of `GET /v1/log/export` (`exportLog`'s). */
  readonly exportRange: Json
}

function writeParts(inputs: QueryInputs) {
  const idempotencyKey: Json = {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'The same key with the same body within 24 h returns the original response and writes nothing; with a different body it is a 409.',
    schema: inputs.idempotencyKey,
  }
  const replayed: Json = {
    'Idempotent-Replayed': {
      description: 'Sent when this is the original response to an earlier request with the same Idempotency-Key.',
      schema: jsonSchemaOf(wire.idempotentReplayedSchema),
    },
  }
  const body = (name: string): Json => ({ required: true, content: jsonContent(name) })
  return { parameters: [idempotencyKey], replayed, body, errors: [409, 413, 415] }
}

/** Every path of the service, its parameters, bodies and responses. */
export function apiPaths(inputs: QueryInputs): Record<string, Record<string, Json>> {
  const write = writeParts(inputs)
  const uuid: Json = { name: 'uuid', in: 'path', required: true, schema: jsonSchemaOf(wire.entryUuidSchema) }
  const filters = queryParameters(inputs.count)
  const attachment = { 'Content-Disposition': { schema: { type: 'string' } } }
  const lines = (description: string): Json => ({ schema: { type: 'string', description } })
  return {
    '/': {
      get: operation({
        id: 'viewer',
        summary: 'The web viewer (an HTML page; it asks for a read key and keeps it in sessionStorage)',
        responses: { 200: ok('The page.', { 'text/html': { schema: { type: 'string' } } }) },
        errors: [404],
      }),
    },
    '/viewer/{file}': {
      get: operation({
        id: 'viewerFile',
        summary: "The web viewer's script and style",
        parameters: [
          {
            name: 'file',
            in: 'path',
            required: true,
            schema: { type: 'string', enum: ['app.js', 'app.css', 'size.json'] },
          },
        ],
        responses: {
          200: ok('The file.', {
            'text/javascript': { schema: { type: 'string' } },
            'text/css': { schema: { type: 'string' } },
            'application/json': { schema: { type: 'object' } },
          }),
        },
        errors: [404],
      }),
    },
    '/healthz': {
      get: operation({ id: 'healthz', summary: 'Liveness', responses: { 200: ok('Alive.', jsonContent('Health')) } }),
    },
    '/readyz': {
      get: operation({
        id: 'readyz',
        summary: 'Readiness: the database answers',
        responses: { 200: ok('Ready.', jsonContent('Health')) },
        errors: [503],
      }),
    },
    '/metrics': {
      get: operation({
        id: 'metrics',
        summary: 'Prometheus metrics',
        responses: { 200: ok('The Prometheus text format.', { 'text/plain': { schema: { type: 'string' } } }) },
      }),
    },
    '/openapi.json': {
      get: operation({
        id: 'openapi',
        summary: 'This document',
        responses: { 200: ok('The OpenAPI 3.1 document.', { 'application/json': { schema: { type: 'object' } } }) },
      }),
    },
    '/v1/events': {
      post: operation({
        id: 'createEvent',
        summary: 'Write one entry',
        scope: 'write',
        parameters: write.parameters,
        body: write.body('EntryInput'),
        responses: { 201: ok('The entry written.', jsonContent('Entry'), write.replayed) },
        errors: write.errors,
      }),
      get: operation({
        id: 'listEvents',
        summary: 'One page of entries, newest first',
        scope: 'read',
        parameters: queryParameters(inputs.page),
        responses: { 200: ok('A page.', jsonContent('Page')) },
      }),
    },
    '/v1/events/batch': {
      post: operation({
        id: 'createEvents',
        summary: 'Write up to 1000 entries, atomically',
        scope: 'write',
        parameters: write.parameters,
        body: write.body('BatchRequest'),
        responses: { 201: ok('The entries written, in order.', jsonContent('EntryList'), write.replayed) },
        errors: write.errors,
      }),
    },
    '/v1/events/count': {
      get: operation({
        id: 'countEvents',
        summary: 'How many entries match',
        scope: 'read',
        parameters: filters,
        responses: { 200: ok('The count.', jsonContent('Count')) },
      }),
    },
    '/v1/events/export': {
      get: operation({
        id: 'exportEvents',
        summary: 'Every matching entry, streamed',
        scope: 'read',
        parameters: [...filters, ...queryParameters(jsonSchemaOf(wire.exportQuerySchema))],
        responses: {
          200: ok(
            'An attachment: one entry per line (JSON Lines), or CSV with a header row (formula cells neutralised).',
            {
              'application/x-ndjson': lines('One Entry as JSON per line.'),
              'text/csv': lines('RFC 4180 CSV with a header row.'),
            },
            attachment,
          ),
        },
      }),
    },
    '/v1/events/stream': {
      get: operation({
        id: 'streamEvents',
        summary: 'A live tail of the sealed log (Server-Sent Events)',
        scope: 'read',
        parameters: [
          ...filters,
          ...queryParameters(jsonSchemaOf(wire.streamQuerySchema)),
          {
            name: 'Last-Event-ID',
            in: 'header',
            required: false,
            description: 'Resume after this seq (what a reconnecting EventSource sends); wins over fromSeq.',
            schema: jsonSchemaOf(wire.seqSchema),
          },
        ],
        responses: {
          200: ok('`entry` events (`id` the seq, `data` an Entry as JSON), comment heartbeats, `error` on failure.', {
            'text/event-stream': lines('Server-Sent Events.'),
          }),
        },
      }),
    },
    '/v1/events/{uuid}': {
      get: operation({
        id: 'getEvent',
        summary: 'One entry',
        scope: 'read',
        parameters: [uuid],
        responses: { 200: ok('The entry.', jsonContent('Entry')) },
        errors: [404],
      }),
    },
    '/v1/events/{uuid}/proof': {
      get: operation({
        id: 'getEventProof',
        summary: 'An inclusion proof of one entry against a signed checkpoint',
        scope: 'read',
        parameters: [uuid],
        responses: { 200: ok('What verifyEntryInclusion takes.', jsonContent('EntryProof')) },
        errors: [404, 409],
      }),
    },
    '/v1/log/proofs': {
      get: operation({
        id: 'getProofs',
        summary: 'Inclusion proofs of up to 100 entries against one signed checkpoint',
        scope: 'read',
        parameters: queryParameters(jsonSchemaOf(wire.batchProofsQuerySchema)).map((p) => ({
          ...p,
          style: 'form',
          explode: true,
        })),
        responses: {
          200: ok('One answer per uuid, every proof against the one checkpoint.', jsonContent('BatchProofs')),
        },
        errors: [409],
      }),
    },
    '/v1/log': {
      get: operation({
        id: 'getLog',
        summary: "The log's origin, sealed size, root hash and public key",
        scope: 'read',
        responses: { 200: ok('The log.', jsonContent('LogInfo')) },
      }),
    },
    '/v1/log/checkpoint': {
      get: operation({
        id: 'getCheckpoint',
        summary: 'The newest signed checkpoint note',
        scope: 'read',
        responses: { 200: ok('A C2SP signed note.', { 'text/plain': { schema: { type: 'string' } } }) },
        errors: [404],
      }),
    },
    '/v1/log/export': {
      get: operation({
        id: 'exportLog',
        summary: 'The verifiable export of the sealed log, streamed',
        scope: 'read',
        parameters: queryParameters(inputs.exportRange),
        responses: {
          200: ok(
            'An attachment: one line per sealed entry, in seq order (what verifyExport checks).',
            { 'application/x-ndjson': lines('One JSON object per line.') },
            attachment,
          ),
        },
      }),
    },
    '/v1/log/consistency': {
      get: operation({
        id: 'getConsistencyProof',
        summary: 'A consistency proof between two tree sizes',
        scope: 'read',
        parameters: queryParameters(jsonSchemaOf(wire.consistencyQuerySchema)),
        responses: { 200: ok('The proof.', jsonContent('ConsistencyProof')) },
      }),
    },
  }
}
