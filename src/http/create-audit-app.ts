import { Hono } from 'hono'
import type { AuditLog } from '../index.js'
import { errorResponse, problem } from './problem.js'
import { v1Routes } from './routes.js'

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
}

/** The default body limit: 4 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024

/**
 * The audit log as a web-standard HTTP app (Hono): `app.fetch` mounts into Node.js
 * (`@hono/node-server`), Express, Fastify, Next.js route handlers, Bun and Deno. Everything under
 * `/v1` needs `Authorization: Bearer <key>` (see `createApiKey`); `/healthz` and `/readyz` do not.
 * Every error is an RFC 9457 `application/problem+json` response.
 *
 * Work in progress (issue 10): idempotent writes, batches, export, proofs, the live tail,
 * OpenAPI and metrics are not served yet.
 *
 * @example
 * const app = createAuditApp({ audit })
 * const res = await app.request('/v1/events?limit=10', { headers: { Authorization: `Bearer ${key}` } })
 */
export function createAuditApp(options: AuditAppOptions): Hono {
  const { audit, maxBodyBytes = DEFAULT_MAX_BODY_BYTES } = options
  const app = new Hono()
  app.get('/healthz', (c) => c.json({ ok: true }))
  app.get('/readyz', async (c) => {
    await audit.ping()
    return c.json({ ok: true })
  })
  app.route('/v1', v1Routes(audit, maxBodyBytes))
  app.notFound((c) => problem(c, 404, `no route ${c.req.method} ${c.req.path}`))
  app.onError((error, c) => errorResponse(c, error))
  return app
}
