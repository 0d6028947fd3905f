import type { MiddlewareHandler } from 'hono'
import type { ApiKeyInfo } from '../index.js'

/** Where request logs go: a pino logger, or anything with the same `info(fields, message)`. */
export interface RequestLogger {
  info(fields: Record<string, unknown>, message: string): void
}

/**
 * One structured line per request: method, route pattern, status, duration and the key's id.
 * Never the key, never a body, never the query string (filters can name users): the route pattern
 * (`/v1/events/:uuid`), not the path.
 */
export function requestLog(logger: RequestLogger): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now()
    try {
      await next()
    } finally {
      const key = (c.var as { apiKey?: ApiKeyInfo }).apiKey
      logger.info(
        {
          method: c.req.method,
          route: c.req.routePath,
          status: c.res.status,
          durationMs: Math.round((performance.now() - started) * 100) / 100,
          keyId: key?.id ?? null,
        },
        'request',
      )
    }
  }
}
