import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { AuditLog, LogEntryInput } from '../index.js'
import { type AuthVariables, requireScope } from './auth.js'
import { registerExportRoutes } from './export-routes.js'
import { problem } from './problem.js'
import { registerProofRoutes } from './proof-routes.js'
import { queryOptions } from './query.js'
import { registerStreamRoutes } from './stream-routes.js'

/** The `/v1` routes of one log: events (write and read) and the log's own state. */
export function v1Routes(audit: AuditLog<string>, maxBodyBytes: number): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>()
  const read = requireScope(audit, 'read')
  const write = requireScope(audit, 'write')

  app.post(
    '/events',
    write,
    bodyLimit({ maxSize: maxBodyBytes, onError: (c) => problem(c, 413, `the body is over ${maxBodyBytes} bytes`) }),
    async (c) => {
      const type = c.req.header('Content-Type') ?? ''
      if (!/^application\/json\s*(;|$)/i.test(type)) return problem(c, 415, 'the body must be application/json')
      let body: unknown
      try {
        body = await c.req.json()
      } catch {
        return problem(c, 400, 'the body is not valid JSON')
      }
      const entry = await audit.createLogEntry(body as LogEntryInput<string>)
      return c.json(entry, 201)
    },
  )

  // Static paths before /events/:uuid.
  registerExportRoutes(app, audit, read)
  registerStreamRoutes(app, audit, read)
  registerProofRoutes(app, audit, read)
  app.get('/events', read, async (c) => c.json(await audit.pageLogs(queryOptions(c))))
  app.get('/events/count', read, async (c) => c.json({ count: await audit.countLogs(queryOptions(c)) }))
  app.get('/events/:uuid', read, async (c) => {
    queryOptions(c) // a repeated parameter is still refused
    if (Object.keys(c.req.queries()).length > 0) return problem(c, 400, 'this route takes no query parameters')
    return c.json(await audit.getLog(c.req.param('uuid')))
  })

  app.get('/log', read, async (c) => {
    const head = await audit.treeHead()
    const latest = await audit.latestCheckpoint()
    return c.json({ origin: latest?.origin ?? null, treeSize: head.treeSize, rootHash: head.rootHash })
  })
  app.get('/log/checkpoint', read, async (c) => {
    const latest = await audit.latestCheckpoint()
    if (latest === null) return problem(c, 404, 'no checkpoint has been signed yet')
    return c.text(latest.note, 200, { 'Content-Type': 'text/plain; charset=utf-8' })
  })
  return app
}
