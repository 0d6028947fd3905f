/**
 * `auditkit/http`: the audit log as an HTTP service: the `/v1` API, `/openapi.json`, health and
 * metrics, and the web viewer at `/`.
 *
 * @example
 * import { createAuditApp } from 'auditkit/http'
 * const app = createAuditApp({ audit })
 */
export { type AuditAppOptions, createAuditApp, DEFAULT_MAX_BODY_BYTES } from './http/create-audit-app.js'
export { API_VERSION, type OpenApiDocument, openApiDocument } from './http/openapi.js'
export type { Problem, ProblemField } from './http/problem.js'
export type { RequestLogger } from './http/request-log.js'
export type { ViewerOptions } from './http/viewer-routes.js'
