import { setTimeout as sleep } from 'node:timers/promises'
import type { Context, Hono, MiddlewareHandler } from 'hono'
import { type SSEStreamingApi, streamSSE } from 'hono/streaming'
import { type AuditLog, type Entry, entryFilter, type LogFilters, StoreError, ValidationError } from '../index.js'
import type { AuthVariables } from './auth.js'
import type { Problem } from './problem.js'
import { queryOptions } from './query.js'

/** How often the live tail looks for newly sealed entries when it has caught up. */
export const STREAM_POLL_MS = 250
/** How long the live tail may stay silent before it sends a comment, so that proxies keep the connection. */
export const STREAM_HEARTBEAT_MS = 15_000
// Entries read per readSealed call.
const BATCH = 1000

/**
 * `GET /events/stream`: the live tail, as Server-Sent Events. It follows the SEALED log in seq
 * order (each event's `id` is the entry's seq), so an entry committed late, sealed after newer
 * ones, still arrives, after them, once. Starts after `Last-Event-ID` (what a reconnecting
 * EventSource sends), else at `?fromSeq=` (inclusive), else at the sealed size now (new entries
 * only). Filters are checked by the library before the stream starts (a 400 otherwise) and then
 * applied in memory. Ends when the client goes away or `signal` aborts (a server shutting down).
 */
export function registerStreamRoutes(
  app: Hono<{ Variables: AuthVariables }>,
  audit: AuditLog<string>,
  read: MiddlewareHandler<{ Variables: AuthVariables }>,
  signal?: AbortSignal,
): void {
  app.get('/events/stream', read, async (c) => {
    const filters = queryOptions(c, ['fromSeq'])
    if ('batchSize' in filters)
      throw new ValidationError([{ field: 'batchSize', message: 'is not a stream parameter' }])
    audit.iterateLogs(filters) // checks the filters now (naming the field), reads nothing
    const matches = entryFilter(filters as LogFilters<string>, audit.userIdFormat)
    // Fixed before the response starts: an entry written once the client has the headers is never skipped.
    const from = resumePoint(c) ?? (await audit.treeHead()).treeSize
    return streamSSE(c, (stream) => follow(stream, audit, from, matches, signal))
  })
}

function resumePoint(c: Context): number | undefined {
  const lastId = c.req.header('Last-Event-ID')
  if (lastId !== undefined) return seqParam('Last-Event-ID', lastId) + 1
  const fromSeq = c.req.query('fromSeq')
  return fromSeq === undefined ? undefined : seqParam('fromSeq', fromSeq)
}

function seqParam(field: string, value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n > Number.MAX_SAFE_INTEGER - 2 * BATCH) {
    throw new ValidationError([{ field, message: 'must be a non-negative integer (a seq)' }])
  }
  return n
}

async function follow(
  stream: SSEStreamingApi,
  audit: AuditLog<string>,
  from: number,
  matches: (entry: Entry<string>) => boolean,
  shutdown: AbortSignal | undefined,
): Promise<void> {
  const stop = new AbortController()
  stream.onAbort(() => stop.abort())
  const onShutdown = () => stop.abort()
  shutdown?.addEventListener('abort', onShutdown, { once: true })
  if (shutdown?.aborted) stop.abort()
  let next = from
  let lastWrite = Date.now()
  try {
    while (!stop.signal.aborted) {
      const batch = await audit.readSealed({ fromSeq: next, toSeq: next + BATCH })
      for (const entry of batch) {
        if (stop.signal.aborted) return
        if (!matches(entry)) continue
        await stream.writeSSE({ id: String(entry.seq), event: 'entry', data: JSON.stringify(entry) })
        lastWrite = Date.now()
      }
      next += batch.length
      if (batch.length === BATCH) continue // more is sealed already
      if (Date.now() - lastWrite >= STREAM_HEARTBEAT_MS) {
        await stream.write(': keep-alive\n\n')
        lastWrite = Date.now()
      }
      await sleep(STREAM_POLL_MS, undefined, { signal: stop.signal }).catch(() => {})
    }
  } catch (error) {
    // The headers are gone: the failure becomes a last event, and the client reconnects with Last-Event-ID.
    if (!stop.signal.aborted) await stream.writeSSE({ event: 'error', data: JSON.stringify(failure(error)) })
  } finally {
    shutdown?.removeEventListener('abort', onShutdown)
  }
}

// As errorResponse words it: nothing of the internals.
function failure(error: unknown): Problem {
  return error instanceof StoreError && error.retryable
    ? { type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'the database is unavailable' }
    : { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'internal error' }
}
