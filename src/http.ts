/**
 * `auditkit/http`: the audit log as an HTTP service (work in progress, issue 10).
 *
 * @example
 * import { createAuditApp } from 'auditkit/http'
 * const app = createAuditApp({ audit })
 */
export { type AuditAppOptions, createAuditApp, DEFAULT_MAX_BODY_BYTES } from './http/create-audit-app.js'
export { API_VERSION, type OpenApiDocument, openApiDocument } from './http/openapi.js'
export type { Problem, ProblemField } from './http/problem.js'
export type { RequestLogger } from './http/request-log.js'
