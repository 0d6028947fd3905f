import type { Context } from 'hono'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { type AuditLog, type LogEntryInput, ValidationError } from '../index.js'
import { type AuthVariables, requireScope } from './auth.js'
import { registerExportRoutes } from './export-routes.js'
import { registerLogRoutes } from './log-routes.js'
import { problem } from './problem.js'
import { registerProofRoutes } from './proof-routes.js'
import { queryOptions } from './query.js'
import { registerStreamRoutes } from './stream-routes.js'

/** The most entries one `POST /v1/events/batch` takes. */
export const MAX_BATCH = 1000

/** The request's JSON body, or the problem response to send instead (415 not JSON, 400 malformed). */
async function jsonBody(c: Context): Promise<unknown> {
  const type = c.req.header('Content-Type') ?? ''
  if (!/^application\/json\s*(;|$)/i.test(type)) return problem(c, 415, 'the body must be application/json')
  try {
    return (await c.req.json()) as unknown
  } catch {
    return problem(c, 400, 'the body is not valid JSON')
  }
}

/** The `entries` of a batch body; anything else (other keys, not an array, too many) is a ValidationError. */
function batchOf(body: unknown): unknown[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError([{ field: 'entries', message: 'the body must be { "entries": [...] }' }])
  }
  const unknown = Object.keys(body).filter((k) => k !== 'entries')
  if (unknown.length > 0)
    throw new ValidationError(unknown.map((field) => ({ field, message: 'is not a known field' })))
  const { entries } = body as { entries?: unknown }
  if (!Array.isArray(entries)) throw new ValidationError([{ field: 'entries', message: 'must be an array of entries' }])
  if (entries.length > MAX_BATCH) {
    throw new ValidationError([
      { field: 'entries', message: `must hold at most ${MAX_BATCH} entries (got ${entries.length})` },
    ])
  }
  return entries
}

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
  const limit = bodyLimit({
    maxSize: maxBodyBytes,
    onError: (c) => problem(c, 413, `the body is over ${maxBodyBytes} bytes`),
  })

  app.post('/events', write, limit, async (c) => {
    const body = await jsonBody(c)
    if (body instanceof Response) return body
    const entry = await audit.createLogEntry(body as LogEntryInput<string>)
    written(1)
    return c.json(entry, 201)
  })

  // Static paths before /events/:uuid.
  registerExportRoutes(app, audit, read)
  registerStreamRoutes(app, audit, read, signal)
  registerProofRoutes(app, audit, read)
  app.post('/events/batch', write, limit, async (c) => {
    const body = await jsonBody(c)
    if (body instanceof Response) return body
    const entries = batchOf(body)
    try {
      const created = await audit.createLogEntries(entries as LogEntryInput<string>[])
      written(created.length)
      return c.json(created, 201)
    } catch (error) {
      // The library names a batch's fields `[i].field`; in the request they are under `entries`.
      if (error instanceof ValidationError) {
        throw new ValidationError(
          error.issues.map((i) => ({ ...i, field: i.field.startsWith('[') ? `entries${i.field}` : i.field })),
        )
      }
      throw error
    }
  })

  app.get('/events', read, async (c) => c.json(await audit.pageLogs(queryOptions(c))))
  app.get('/events/count', read, async (c) => c.json({ count: await audit.countLogs(queryOptions(c)) }))
  app.get('/events/:uuid', read, async (c) => {
    queryOptions(c) // a repeated parameter is still refused
    if (Object.keys(c.req.queries()).length > 0) return problem(c, 400, 'this route takes no query parameters')
    return c.json(await audit.getLog(c.req.param('uuid')))
  })

  registerLogRoutes(app, audit, read)
  return app
}
