import { createHash } from 'node:crypto'
import type { Context, Hono, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { type AuditLog, type Entry, type LogEntryInput, ValidationError } from '../index.js'
import type { AuthVariables } from './auth.js'
import { problem } from './problem.js'

/** The most entries one `POST /v1/events/batch` takes. */
export const MAX_BATCH = 1000

/** The request header that makes a write idempotent, and the response header of a replay. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key'
export const REPLAYED_HEADER = 'Idempotent-Replayed'

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
 * Runs a write, naming refused fields as the request does: the library names a batch's fields
 * `[i].field`; a single event's are plain (`single`), a batch's are under `entries`, and the
 * idempotency key is the header.
 */
async function renamingFields<T>(single: boolean, write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    const rename = (field: string) => {
      if (field === 'idempotencyKey') return IDEMPOTENCY_KEY_HEADER
      if (!field.startsWith('[')) return field
      return single ? field.replace(/^\[0\]\.?/, '') || 'body' : `entries${field}`
    }
    throw new ValidationError(error.issues.map((i) => ({ ...i, field: rename(i.field) })))
  }
}

/**
 * Writes the entries, once per `Idempotency-Key` when the request has one: the key's record is
 * written with the entries in one transaction; a retry with the same key and body answers with
 * the first write's entries (and `Idempotent-Replayed: true`); another body is a 409.
 */
async function writeEntries(
  c: Context,
  audit: AuditLog<string>,
  route: string,
  body: unknown,
  inputs: readonly unknown[],
): Promise<{ entries: Entry<string>[]; replayed: boolean }> {
  const key = c.req.header(IDEMPOTENCY_KEY_HEADER)
  const batch = inputs as LogEntryInput<string>[]
  if (key === undefined) return { entries: await audit.createLogEntries(batch), replayed: false }
  // The request is its route and body: the same entries sent to the other route are another request.
  const fingerprint = createHash('sha256')
    .update(`${route}\n${JSON.stringify(body)}`)
    .digest('base64url')
  return audit.createLogEntriesOnce(key, batch, { fingerprint })
}

/**
 * `POST /events` (one entry, 201 with it) and `POST /events/batch` (`{ entries }`, at most
 * {@link MAX_BATCH}, atomic; 201 with them). Both honour `Idempotency-Key`. `written` counts the
 * entries written, replays aside.
 */
export function registerWriteRoutes(
  app: Hono<{ Variables: AuthVariables }>,
  audit: AuditLog<string>,
  write: MiddlewareHandler<{ Variables: AuthVariables }>,
  maxBodyBytes: number,
  written: (entries: number) => void,
): void {
  const limit = bodyLimit({
    maxSize: maxBodyBytes,
    onError: (c) => problem(c, 413, `the body is over ${maxBodyBytes} bytes`),
  })
  const respond = (c: Context, result: { entries: Entry<string>[]; replayed: boolean }, body: unknown) => {
    if (result.replayed) c.header(REPLAYED_HEADER, 'true')
    else written(result.entries.length)
    return c.json(body, 201)
  }

  app.post('/events', write, limit, async (c) => {
    const body = await jsonBody(c)
    if (body instanceof Response) return body
    const result = await renamingFields(true, () => writeEntries(c, audit, 'POST /v1/events', body, [body]))
    return respond(c, result, result.entries[0])
  })

  app.post('/events/batch', write, limit, async (c) => {
    const body = await jsonBody(c)
    if (body instanceof Response) return body
    const entries = batchOf(body)
    const result = await renamingFields(false, () => writeEntries(c, audit, 'POST /v1/events/batch', body, entries))
    return respond(c, result, result.entries)
  })
}
