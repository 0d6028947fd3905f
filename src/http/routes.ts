import { Hono } from 'hono'
import type { AuditLog } from '../index.js'
import { type AuthVariables, requireScope } from './auth.js'
import { registerExportRoutes } from './export-routes.js'
import { registerLogRoutes } from './log-routes.js'
import { registerProofRoutes } from './proof-routes.js'
import { noQueryParameters, queryOptions } from './query.js'
import { registerStreamRoutes } from './stream-routes.js'
import { registerWriteRoutes } from './write-routes.js'

export { MAX_BATCH } from './write-routes.js'

/**
 * The `/v1` routes of one log: events (write and read) and the log's own state. `signal` ends the
 * live tails when it aborts; `written` counts the entries written (for the metrics).
 */
export function v1Routes(
  audit: AuditLog<string>,
  maxBodyBytes: number,
  signal?: AbortSignal,
  written: (entries: number) => void = () => {},
): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>()
  const read = requireScope(audit, 'read')
  const write = requireScope(audit, 'write')
  // Static paths before /events/:uuid.
  registerWriteRoutes(app, audit, write, maxBodyBytes, written)
  registerExportRoutes(app, audit, read)
  registerStreamRoutes(app, audit, read, signal)
  registerProofRoutes(app, audit, read)
  app.get('/events', read, async (c) => c.json(await audit.pageLogs(queryOptions(c))))
  app.get('/events/count', read, async (c) => c.json({ count: await audit.countLogs(queryOptions(c)) }))
  app.get('/events/:uuid', read, noQueryParameters, async (c) => c.json(await audit.getLog(c.req.param('uuid'))))

  registerLogRoutes(app, audit, read)
  return app
}
