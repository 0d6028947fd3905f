import { z } from 'zod'
import type { AuditLog } from '../index.js'
import { componentSchemasOf, type JsonSchema, jsonSchemaOf } from './json-schema.js'
import { apiPaths, ERROR_RESPONSES } from './openapi-paths.js'
import * as wire from './wire-schemas.js'

/**
 * The version of the `/v1` API the document describes (`info.version`).
 *
 * @example
 * openApiDocument(audit).info // { title: 'auditkit', version: API_VERSION, ... }
 */
export const API_VERSION = '1.0.0'

/**
 * An OpenAPI 3.1 document, as plain JSON.
 *
 * @example
 * const document: OpenApiDocument = openApiDocument(audit)
 */
export type OpenApiDocument = { readonly openapi: '3.1.0' } & JsonSchema

// The document depends only on the log's schemas, fixed when the log is made: one per log.
const documents = new WeakMap<AuditLog<string>, OpenApiDocument>()

/** The component schemas: the log's own entry schema (what a write is checked with) and the wire schemas. */
function componentSchemas(audit: AuditLog<string>): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>()
  const named: Record<string, z.ZodType> = {
    EntryInput: audit.inputSchemas.entry,
    BatchRequest: wire.batchRequestSchema(audit.inputSchemas),
    Metadata: wire.metadataSchema,
    Entry: wire.entrySchema,
    EntryList: wire.entriesSchema,
    Page: wire.pageSchema,
    Count: wire.countSchema,
    InclusionProof: wire.inclusionProofSchema,
    ConsistencyProof: wire.consistencyProofSchema,
    EntryProof: wire.entryProofSchema,
    LogInfo: wire.logInfoSchema,
    BatchProofs: wire.batchProofsSchema,
    Health: wire.healthSchema,
    Problem: wire.problemSchema,
  }
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id })
  const schemas = componentSchemasOf(registry)
  // The library checks metadata itself (a plain JSON object of at most 64 KiB), after zod's
  // `unknown`: on the wire it is the Metadata object.
  const properties = schemas.EntryInput?.properties as Record<string, JsonSchema> | undefined
  if (properties?.metadata !== undefined) properties.metadata = { $ref: '#/components/schemas/Metadata' }
  return schemas
}

function errorResponses(): Record<string, JsonSchema> {
  return Object.fromEntries(
    Object.values(ERROR_RESPONSES).map(({ name, description, headers }) => [
      name,
      {
        description,
        ...(headers === undefined ? {} : { headers }),
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    ]),
  )
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item)
    Object.freeze(value)
  }
  return value
}

function buildDocument(audit: AuditLog<string>): OpenApiDocument {
  const { page, count, idempotencyKey, exportRange } = audit.inputSchemas
  return {
    openapi: '3.1.0',
    info: {
      title: 'auditkit',
      version: API_VERSION,
      description:
        'A tamper-evident audit log as a service. Every error is an RFC 9457 `application/problem+json` response.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    security: [{ bearerAuth: [] }],
    paths: apiPaths({
      page: jsonSchemaOf(page),
      count: jsonSchemaOf(count),
      idempotencyKey: jsonSchemaOf(idempotencyKey),
      exportRange: jsonSchemaOf(exportRange),
    }),
    components: {
      schemas: componentSchemas(audit),
      responses: errorResponses(),
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key made by `createApiKey`.' },
      },
    },
  }
}

/**
 * The OpenAPI 3.1 document of the HTTP service for one log, generated from the zod schemas the
 * log checks its inputs with (its actions and user id format included) and from the service's
 * response schemas. Built once per log and frozen (clone it, e.g. with `structuredClone`, before
 * handing it to a tool that edits it in place); `createAuditApp` serves it at `GET /openapi.json`.
 *
 * @example
 * import { openApiDocument } from 'auditkit/http'
 * writeFileSync('openapi.json', JSON.stringify(openApiDocument(audit), null, 2))
 */
export function openApiDocument(audit: AuditLog<string>): OpenApiDocument {
  let document = documents.get(audit)
  if (document === undefined) {
    document = deepFreeze(buildDocument(audit))
    documents.set(audit, document)
  }
  return document
}
