// What the PostgreSQL fault tests share: writer loops that record what was acknowledged, a log of
// every error auditkit returned, checks of what the server stored, and per-phase event-loop watches.
import { randomUUID } from 'node:crypto'
import { createServer, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { inspect } from 'node:util'
import { expect } from 'vitest'
import {
  type AuditLog,
  type DefaultAction,
  type Entry,
  type LogEntryInput,
  StoreError,
  type VerifyResult,
} from '../../src/index.js'

/** An entry input of the default actions. */
export type Input = LogEntryInput<DefaultAction>

import { type BlockingReport, guardProcess, type ProcessGuard, watchBlocking } from '../support/fault-guards.js'

/** Runs one statement and returns its rows (a private server's `query`, or a pool's). */
export type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>

/** Rejects with a message naming `what` when `promise` has not settled after `ms`: a hang, not a slow test. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Polls `probe` every `everyMs` until it returns true; rejects after `timeoutMs`. */
export async function waitUntil(probe: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = performance.now() + timeoutMs
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(5)
  }
}

/** One line naming an error the way a caller would branch on it. */
export function describeError(error: unknown): string {
  if (error instanceof StoreError) {
    return `StoreError(operation=${error.operation}, code=${error.code}, driverCode=${error.driverCode}, retryable=${error.retryable}): ${error.message}`
  }
  if (error instanceof Error) return `${error.name}: ${error.message}`
  return `non-Error: ${inspect(error)}`
}

/** Every error auditkit handed to the test, grouped by where it came from and what it says. */
export class ErrorLog {
  #total = 0
  readonly #distinct = new Map<string, { count: number; sample: unknown }>()

  add(where: string, error: unknown): void {
    this.#total++
    const key = `${where}: ${describeError(error)}`
    const seen = this.#distinct.get(key)
    if (seen) seen.count++
    else this.#distinct.set(key, { count: 1, sample: error })
  }

  get total(): number {
    return this.#total
  }

  /** The distinct errors that are not a retryable StoreError, each with a sample's stack and cause. */
  offenders(): string[] {
    return [...this.#distinct]
      .filter(([, { sample }]) => !(sample instanceof StoreError && sample.retryable))
      .map(([key, { count, sample }]) => `${key} (x${count})\n${inspect(sample, { depth: 4 })}`)
  }

  /** The distinct errors with their counts, one per line. */
  summary(): string {
    return [...this.#distinct].map(([key, { count }]) => `    ${count} x ${key}`).join('\n') || '    (none)'
  }
}

/**
 * What writers were told. Each entry gets a fresh random targetUserUuid, which identifies a write
 * on the server even when it rejected (auditkit generates the uuid, so a rejected write has none).
 */
export class WriteRecord {
  /** targetUserUuid to uuid, for every entry whose write resolved. */
  readonly acked = new Map<string, string>()
  /** targetUserUuid of every entry whose write rejected: it may or may not have been committed. */
  readonly unacked = new Set<string>()
  /** The targets of each rejected multi-entry write, which must be stored all or not at all. */
  readonly rejectedBatches: string[][] = []
  /** When each write resolved (performance.now()). */
  readonly ackTimes: number[] = []

  /** Records a resolved write; throws if what came back is not what was sent (checked cheaply, per entry). */
  acknowledge(inputs: readonly Input[], entries: readonly Entry[]): void {
    const wrong =
      entries.length !== inputs.length || entries.some((e, i) => e.targetUserUuid !== inputs[i]?.targetUserUuid)
    if (wrong) throw new Error(`a write of ${inputs.length} entries resolved with ${entries.length} others`)
    for (const entry of entries) this.acked.set(entry.targetUserUuid, entry.uuid)
    this.ackTimes.push(performance.now())
  }

  reject(inputs: readonly Input[]): void {
    for (const input of inputs) this.unacked.add(input.targetUserUuid)
    if (inputs.length > 1) this.rejectedBatches.push(inputs.map((i) => i.targetUserUuid))
  }

  /** Ms from `since` to the first write that resolved after it, or undefined. */
  firstAckAfter(since: number): number | undefined {
    for (let i = this.ackTimes.length - 1; i >= 0 && (this.ackTimes[i] as number) > since; i--) {
      if (i === 0 || (this.ackTimes[i - 1] as number) <= since) return (this.ackTimes[i] as number) - since
    }
    return undefined
  }
}

let nextWrite = 0

/** A valid entry with a fresh target (the write's identity on the server). */
export function entryInput(writer: string): Input {
  return {
    targetUserUuid: randomUUID(),
    adminUserUuid: '0190d5f2-0000-7000-8000-00000000a0a0',
    action: 'user_updated',
    metadata: { writer, write: nextWrite++ },
  }
}

/** Writes `inputs` (one createLogEntry, or one createLogEntries) and records what came back. */
export async function write(
  audit: AuditLog,
  inputs: readonly Input[],
  record: WriteRecord,
  errors: ErrorLog,
): Promise<boolean> {
  const single = inputs.length === 1 ? inputs[0] : undefined
  try {
    const entries = single ? [await audit.createLogEntry(single)] : await audit.createLogEntries(inputs)
    record.acknowledge(inputs, entries)
    return true
  } catch (error) {
    record.reject(inputs)
    errors.add(single ? 'createLogEntry' : 'createLogEntries', error)
    return false
  }
}

/** Options of {@link startWriters}. */
export interface WriterOptions {
  /** Every n-th write of a loop is a createLogEntries of `batchSize` entries (default 5; 0: never). */
  readonly batchEvery?: number
  readonly batchSize?: number
  /** The caller's pause after a failed write before writing again (default 25 ms). */
  readonly retryPauseMs?: number
}

/** Loops writing as fast as they can until stopped. */
export interface Writers {
  /** Stops the loops and waits for their last write (a write that never settles fails here). */
  stop(): Promise<void>
}

/**
 * `count` loops writing through one log. A failed write is retried after a short pause, as a
 * caller would; the retry writes a fresh entry so that every attempt stays identifiable.
 */
export function startWriters(
  audit: AuditLog,
  count: number,
  record: WriteRecord,
  errors: ErrorLog,
  options: WriterOptions = {},
): Writers {
  const { batchEvery = 5, batchSize = 4, retryPauseMs = 25 } = options
  let stopped = false
  const loop = async (id: number) => {
    for (let n = 1; !stopped; n++) {
      const size = batchEvery > 0 && n % batchEvery === 0 ? batchSize : 1
      const inputs = Array.from({ length: size }, () => entryInput(`w${id}`))
      if (!(await write(audit, inputs, record, errors))) await sleep(retryPauseMs)
    }
  }
  const loops = Array.from({ length: count }, (_, i) => loop(i))
  let stopping: Promise<void> | undefined
  return {
    stop() {
      stopped = true
      stopping ??= within(Promise.all(loops), 15_000, 'the writer loops').then(() => {})
      return stopping
    },
  }
}

/** Resolves with the ms from `since` to the first write acknowledged after it; fails after `timeoutMs`. */
export async function waitForAckAfter(record: WriteRecord, since: number, timeoutMs: number): Promise<number> {
  await waitUntil(() => record.firstAckAfter(since) !== undefined, timeoutMs, 'a write to succeed again')
  return record.firstAckAfter(since) as number
}

/** What {@link checkStored} found. */
export interface StoredSummary {
  /** Rows in the table. */
  readonly rows: number
  /** Rejected entries that were committed nevertheless. */
  readonly unackedStored: number
  /** Everything wrong: an acknowledged entry missing or stored twice, a stray row, a batch split. */
  readonly problems: string[]
}

/**
 * Compares the table with the record: every acknowledged entry is stored exactly once under its
 * uuid, every row is one the writers sent, each target is stored at most once, and a rejected
 * batch is stored whole or not at all. `extraTargets` are rows written by other means (setup).
 */
export async function checkStored(
  query: Query,
  table: string,
  record: WriteRecord,
  extraTargets: ReadonlySet<string> = new Set(),
): Promise<StoredSummary> {
  const rows = await query(
    `SELECT uuid::text AS uuid, min(target_user_uuid) AS target, count(*)::int AS n FROM ${table} GROUP BY uuid`,
  )
  const byUuid = new Map(rows.map((r) => [r.uuid as string, r]))
  const perTarget = new Map<string, number>()
  for (const r of rows) perTarget.set(r.target as string, (perTarget.get(r.target as string) ?? 0) + (r.n as number))
  const problems: string[] = []
  for (const [target, uuid] of record.acked) {
    const row = byUuid.get(uuid)
    if (row === undefined) problems.push(`acknowledged entry ${uuid} (target ${target}) is not stored`)
    else if (row.n !== 1) problems.push(`acknowledged entry ${uuid} is stored ${row.n} times`)
    else if (row.target !== target) problems.push(`entry ${uuid} is stored with target ${row.target}, not ${target}`)
  }
  let unackedStored = 0
  for (const [target, n] of perTarget) {
    if (n > 1) problems.push(`target ${target} is stored ${n} times (one write, several rows)`)
    if (record.unacked.has(target)) unackedStored++
    else if (!record.acked.has(target) && !extraTargets.has(target)) problems.push(`a stray row with target ${target}`)
  }
  for (const batch of record.rejectedBatches) {
    const stored = batch.filter((t) => perTarget.has(t)).length
    if (stored !== 0 && stored !== batch.length) {
      problems.push(`a rejected batch of ${batch.length} entries is stored in part: ${stored}`)
    }
  }
  return { rows: rows.length, unackedStored, problems: problems.slice(0, 20) }
}

/** Event-loop watches, one per named phase of a test. */
export class LoopWatch {
  readonly #phases: [string, { stop(): BlockingReport }, boolean][] = []

  /** Ends the current phase and starts measuring the next. */
  phase(name: string): void {
    this.#next(name, true)
  }

  /** Starts a phase of the test's own bookkeeping (reading back a whole table): reported, not counted. */
  uncounted(name: string): void {
    this.#next(name, false)
  }

  #next(name: string, counted: boolean): void {
    this.#phases.at(-1)?.[1].stop()
    this.#phases.push([name, watchBlocking(), counted])
  }

  /** Stops measuring; the longest stall (blocked and wall) of each phase, and of all the counted ones. */
  stop(): { blockedMs: number; wallMs: number; phases: string } {
    const stalls = this.#phases.map(([name, watch, counted]) => ({ name, counted, ...watch.stop() }))
    const counted = stalls.filter((s) => s.counted)
    return {
      blockedMs: Math.max(0, ...counted.map((s) => s.blockedMs)),
      wallMs: Math.max(0, ...counted.map((s) => s.wallMs)),
      phases: stalls
        .map(
          (s) =>
            `${s.name}${s.counted ? '' : ' (not counted)'} ${s.blockedMs.toFixed(0)} blocked/${s.wallMs.toFixed(0)} wall`,
        )
        .join(', '),
    }
  }
}

/**
 * One fault test's bookkeeping: the process guard (installed first), the errors seen, what the
 * writers were told, the event-loop watch, and cleanups that run even when the test fails.
 */
export class FaultRun {
  readonly guard: ProcessGuard = guardProcess()
  readonly errors = new ErrorLog()
  readonly record = new WriteRecord()
  readonly loop = new LoopWatch()
  readonly #started = performance.now()
  readonly #cleanups: (() => Promise<unknown> | unknown)[] = []
  #disposed = false
  /** Stray errors already reported by assertNoStrayErrors(): dispose() reports only later ones. */
  #reported = 0

  constructor(readonly name: string) {}

  /** Runs `fn` in dispose(), last registered first. */
  onCleanup(fn: () => Promise<unknown> | unknown): void {
    this.#cleanups.push(fn)
  }

  /** (a): throws, listing them, if an uncaught exception or unhandled rejection happened so far. */
  assertNoStrayErrors(): void {
    this.#reported = this.guard.errors.length
    this.guard.assertNone()
  }

  /** Seconds since the run began. */
  get seconds(): string {
    return ((performance.now() - this.#started) / 1000).toFixed(1)
  }

  /**
   * Runs the cleanups, then checks that no uncaught exception or unhandled rejection happened,
   * including during cleanup, and removes the guard. For afterEach: a failed test still cleans up.
   */
  async dispose(): Promise<void> {
    if (this.#disposed) return
    this.#disposed = true
    this.loop.stop()
    for (const cleanup of this.#cleanups.reverse()) {
      await Promise.resolve()
        .then(cleanup)
        .catch(() => {})
    }
    await sleep(50)
    try {
      if (this.guard.errors.length > this.#reported) this.guard.assertNone()
    } finally {
      this.guard.dispose()
    }
  }
}

/**
 * After recovery: seal, verify (ok, no problems, every row sealed), close, each in a phase of its
 * own on `loop`. Resolves with verify's result.
 */
export async function sealVerifyClose(audit: AuditLog, rows: number, loop: LoopWatch): Promise<VerifyResult> {
  loop.phase('final seal')
  const sealed = await within(audit.seal(), 30_000, 'seal() after recovery')
  expect(sealed.treeSize).toBe(rows)
  loop.phase('verify')
  const result = await within(audit.verify(), 30_000, 'verify() after recovery')
  loop.phase('close')
  expect(result.problems).toEqual([])
  expect(result.ok).toBe(true)
  expect(result.entries).toBe(rows)
  await within(audit.close(), 15_000, 'close() after recovery')
  return result
}

/** What {@link startTerminatingServer} returns. */
export interface TerminatingServer {
  /** A postgres:// URL to it. */
  readonly url: string
  /** Connections accepted so far. */
  readonly connections: number
  close(): Promise<void>
}

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5)
  head.write(type, 0, 'latin1')
  head.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([head, body])
}

/**
 * A TCP server that speaks just enough of the PostgreSQL protocol to accept a connection and end
 * it at once, the way a backend terminated (pg_terminate_backend, a shutdown) right after its
 * startup does: AuthenticationOk, ReadyForQuery, then `FATAL 57P01`. The three go out in one write,
 * so the client reads them in one chunk, as a busy client reads a real server's.
 */
export async function startTerminatingServer(): Promise<TerminatingServer> {
  const fatal = ['SFATAL', 'VFATAL', 'C57P01', 'Mterminating connection due to administrator command']
  const reply = Buffer.concat([
    message('R', Buffer.from([0, 0, 0, 0])),
    message('Z', Buffer.from('I')),
    message('E', Buffer.from(`${fatal.join('\0')}\0\0`, 'utf8')),
  ])
  const sockets = new Set<Socket>()
  let connections = 0
  const server = createServer((socket) => {
    connections++
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
    socket.once('data', () => socket.end(reply))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/terminated`,
    get connections() {
      return connections
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
