import { Hono } from 'hono'
import type { AuditLog } from '../index.js'
import { appMetrics, registerMetrics } from './metrics.js'
import { openApiDocument } from './openapi.js'
import { errorResponse, problem } from './problem.js'
import { type RequestLogger, requestLog } from './request-log.js'
import { v1Routes } from './routes.js'
import { registerViewerRoutes, type ViewerOptions } from './viewer-routes.js'

/**
 * The options of `createAuditApp`.
 *
 * @example
 * createAuditApp({ audit, maxBodyBytes: 1024 * 1024 })
 */
export interface AuditAppOptions {
  /** The log the service writes to and reads from. */
  readonly audit: AuditLog<string>
  /** The largest request body accepted (default 4 MiB); larger ones are a 413. */
  readonly maxBodyBytes?: number
  /**
   * When it aborts, the live tails (`/v1/events/stream`) end: a server shutting down gracefully
   * waits for requests in flight, and a tail never finishes by itself. Clients reconnect with
   * `Last-Event-ID` and miss nothing.
   */
  readonly signal?: AbortSignal
  /**
   * Where to write one structured line per request (a pino logger, say): method, route pattern,
   * status, duration, key id; never a key, a body or a query string. None by default.
   */
  readonly logger?: RequestLogger
  /**
   * The web viewer at `/` (default true): a page that lists, filters, exports and verifies the
   * log in the browser, with a strict Content-Security-Policy. `false` leaves it out; options
   * allow framing it (`frameAncestors`).
   */
  readonly viewer?: boolean | ViewerOptions
}

/** The default body limit: 4 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024

/**
 * The audit log as a web-standard HTTP app (Hono): `app.fetch` mounts into Node.js
 * (`@hono/node-server`), Express, Fastify, Next.js route handlers, Bun and Deno. Everything under
 * `/v1` needs `Authorization: Bearer <key>` (see `createApiKey`); `/healthz`, `/readyz`,
 * `/metrics` (Prometheus text format) and `/openapi.json` (the OpenAPI 3.1 document, see
 * `openApiDocument`) do not.
 * Every error is an RFC 9457 `application/problem+json` response.
 *
 * The live tail (`GET /v1/events/stream`, Server-Sent Events) follows the
 * sealed log: give the log a `sealIntervalMs`, or seal elsewhere.
 *
 * @example
 * const app = createAuditApp({ audit })
 * const res = await app.request('/v1/events?limit=10', { headers: { Authorization: `Bearer ${key}` } })
 */
export function createAuditApp(options: AuditAppOptions): Hono {
  const { audit, maxBodyBytes = DEFAULT_MAX_BODY_BYTES, signal, logger, viewer = true } = options
  const app = new Hono()
  if (logger !== undefined) app.use(requestLog(logger))
  const metrics = appMetrics(audit)
  app.use(metrics.middleware)
  app.get('/healthz', (c) => c.json({ ok: true }))
  app.get('/readyz', async (c) => {
    await audit.ping()
    return c.json({ ok: true })
  })
  registerMetrics(app, metrics)
  app.get('/openapi.json', (c) => c.json(openApiDocument(audit)))
  if (viewer !== false) registerViewerRoutes(app, viewer === true ? {} : viewer)
  app.route('/v1', v1Routes(audit, maxBodyBytes, signal, metrics.entriesWritten))
  app.notFound((c) => problem(c, 404, `no route ${c.req.method} ${c.req.path}`))
  app.onError((error, c) => errorResponse(c, error))
  return app
}
