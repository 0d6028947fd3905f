import { randomUUID } from 'node:crypto'
import { get, type IncomingMessage } from 'node:http'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { AuditLog } from '../src/index.js'
import type { Input } from './data.js'
import type { ServerChild } from './http-server.js'
import { percentile } from './stats.js'

/** The write rate the live tail is measured under, and for how long. */
export const TAIL_WRITES_PER_SECOND = 1000
export const TAIL_SECONDS = 10
/** How long to wait for the last entries to arrive once the writes stop. */
const DRAIN_MS = 10_000

/** Write-to-delivery lag of the live tail (`GET /v1/events/stream`), in milliseconds. */
export interface TailFigure {
  /** Entries written, and writes that failed (SQLite: the lock held by the server past the busy timeout). */
  readonly written: number
  readonly failedWrites: number
  readonly firstFailure: string | undefined
  readonly writesPerSecond: number
  readonly delivered: number
  readonly p50: number
  readonly p99: number
  readonly max: number
  readonly serverCores: number
}

/** Opens the live tail and calls `onEntry` with each entry event's data; resolves once the headers are in. */
function openTail(
  server: ServerChild,
  headers: Record<string, string>,
  onEntry: (data: string) => void,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    get(`${server.url}/v1/events/stream`, { headers: { ...headers, Accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume()
        reject(new Error(`GET /v1/events/stream: ${res.statusCode}`))
        return
      }
      let pending = ''
      res.setEncoding('utf8').on('data', (text: string) => {
        pending += text
        const lines = pending.split('\n')
        pending = lines.pop() ?? ''
        for (const line of lines) if (line.startsWith('data: ')) onEntry(line.slice(6))
      })
      resolve(res)
    }).on('error', reject)
  })
}

/**
 * Opens the live tail, then writes {@link TAIL_WRITES_PER_SECOND} entries a second for
 * {@link TAIL_SECONDS} s through `writer` (a log of this process on the same database, that does
 * not seal: the server does, every 250 ms). Each entry carries `Date.now()` at its write in its
 * metadata; its lag is the time it arrives on the tail minus that.
 */
export async function measureTail(
  server: ServerChild,
  headers: Record<string, string>,
  writer: AuditLog,
  base: Input,
): Promise<TailFigure> {
  const run = randomUUID()
  const lags: number[] = []
  const res = await openTail(server, headers, (data) => {
    const entry = JSON.parse(data) as { metadata?: { run?: string; t?: number } }
    if (entry.metadata?.run === run) lags.push(Date.now() - (entry.metadata.t as number))
  })
  const cpu = server.cpuSeconds()
  const writes: Promise<unknown>[] = []
  const failed: unknown[] = []
  const start = performance.now()
  const total = TAIL_WRITES_PER_SECOND * TAIL_SECONDS
  while (writes.length < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * TAIL_WRITES_PER_SECOND) / 1000))
    while (writes.length < due) {
      writes.push(
        writer.createLogEntry({ ...base, metadata: { run, t: Date.now() } }).catch((error: unknown) => {
          failed.push(error)
        }),
      )
    }
    await sleep(2)
  }
  await Promise.all(writes)
  const writeSeconds = (performance.now() - start) / 1000
  const drainUntil = performance.now() + DRAIN_MS
  while (lags.length < total - failed.length && performance.now() < drainUntil) await sleep(20)
  const serverCores = (server.cpuSeconds() - cpu) / ((performance.now() - start) / 1000)
  res.destroy()
  const sorted = lags.sort((a, b) => a - b)
  return {
    written: total - failed.length,
    failedWrites: failed.length,
    firstFailure: failed.length === 0 ? undefined : String(failed[0]),
    writesPerSecond: total / writeSeconds,
    delivered: lags.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    serverCores,
  }
}
