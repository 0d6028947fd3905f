// Writers killed with SIGKILL in the middle of their writes lose nothing they acknowledged and leave
// nothing half-written. Several rounds, each starting writer processes (./kill-writer.ts) that write
// single entries and batches of 2 to 50 and print each operation before sending it and after it
// resolved, then killing them at a random moment. On PostgreSQL (a schema of its own, dropped after)
// and on a SQLite file. After each round a fresh log on the same table reads back every entry,
// seals and verifies.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { describe, expect, test } from 'vitest'
import { type AuditLog, createAuditLog } from '../../src/index.js'
import { ChildScript } from '../support/child-script.js'
import { assertNoStall, guardProcess, watchBlocking } from '../support/fault-guards.js'
import { PG_URL, postgresUnavailable, uniqueSchema } from '../support/postgres.js'
import type { KillWriterConfig } from './kill-writer.js'

const WRITER = fileURLToPath(new URL('./kill-writer.ts', import.meta.url))
const ROUNDS = 4
const WRITERS = 3
const KILL_AFTER_MS = { min: 100, max: 600 }

/** What one writer printed: its operations announced (targets) and acknowledged (uuids). */
interface WriterLog {
  readonly announced: Map<string, string[]>
  readonly acked: Map<string, string[]>
  readonly errors: string[]
}

/** A kill-writer child: `ready` once its log answers (it writes nothing before `go`). */
class Writer extends ChildScript {
  constructor(config: KillWriterConfig) {
    super(WRITER, config)
  }

  /** Resolves once the writer's log answers; rejects if it ends first. */
  started(): Promise<void> {
    return this.waitFor('ready')
  }

  /** Lets the writer write, kills it with SIGKILL `ms` later; resolves with what it printed (whole lines). */
  async killAfter(ms: number): Promise<WriterLog> {
    this.child.stdin.write('go\n')
    await sleep(ms)
    this.child.kill('SIGKILL')
    const exit = await this.exited
    if (exit.signal !== 'SIGKILL') {
      throw new Error(`a writer ended by itself (${exit.code ?? exit.signal}) before the kill:\n${exit.stderr}`)
    }
    const log: WriterLog = { announced: new Map(), acked: new Map(), errors: [] }
    // The last line may have been cut by the kill: only lines that end with a newline count.
    for (const line of exit.stdout.split('\n').slice(0, -1)) {
      const [kind, op = '', list = ''] = line.split(' ')
      if (kind === 'about') log.announced.set(op, list.split(','))
      else if (kind === 'ack') log.acked.set(op, list.split(','))
      else if (kind === 'error') log.errors.push(line)
    }
    return log
  }
}

/** What a round's checks counted. */
interface RoundStats {
  acked: number
  ackedEntries: number
  inFlight: number
  inFlightCommitted: number
  stored: number
}

/**
 * Everything that is wrong with the stored entries given what the writers printed (every round
 * so far): entries no operation announced, entries stored twice, operations partly stored,
 * acknowledged entries missing or stored under another uuid. The stats count the writers from
 * index `countFrom` on (this round's).
 */
async function problemsOf(
  log: AuditLog,
  writers: readonly WriterLog[],
  countFrom: number,
): Promise<{ problems: string[]; stats: RoundStats }> {
  const problems: string[] = []
  const byTarget = new Map<string, string[]>()
  const uuids = new Set<string>()
  for await (const entry of log.iterateLogs()) {
    if (uuids.has(entry.uuid)) problems.push(`uuid ${entry.uuid} is stored twice`)
    uuids.add(entry.uuid)
    byTarget.set(entry.targetUserUuid, [...(byTarget.get(entry.targetUserUuid) ?? []), entry.uuid])
  }
  const announcedTargets = new Set<string>()
  const stats: RoundStats = { acked: 0, ackedEntries: 0, inFlight: 0, inFlightCommitted: 0, stored: uuids.size }
  for (const [index, writer] of writers.entries()) {
    const counted = index >= countFrom
    problems.push(...writer.errors)
    for (const [op, targets] of writer.announced) {
      for (const target of targets) announcedTargets.add(target)
      const stored = targets.map((target) => byTarget.get(target) ?? [])
      const present = stored.filter((list) => list.length > 0).length
      if (present !== 0 && present !== targets.length) {
        problems.push(`operation ${op} is half-written: ${present} of its ${targets.length} entries are stored`)
      }
      stored.forEach((list, i) => {
        if (list.length > 1) problems.push(`operation ${op}: entry ${i} is stored ${list.length} times (${list})`)
      })
      const acked = writer.acked.get(op)
      if (acked === undefined) {
        if (counted) stats.inFlight++
        if (counted && present === targets.length) stats.inFlightCommitted++
        continue
      }
      if (counted) stats.acked++
      if (counted) stats.ackedEntries += acked.length
      if (acked.length !== targets.length) {
        problems.push(`operation ${op} acknowledged ${acked.length} entries, announced ${targets.length}`)
      }
      acked.forEach((uuid, i) => {
        const list = stored[i] ?? []
        if (list.length === 0) problems.push(`operation ${op}: acknowledged entry ${uuid} is not stored`)
        else if (!list.includes(uuid)) problems.push(`operation ${op}: acknowledged entry ${uuid} is stored as ${list}`)
      })
    }
    for (const op of writer.acked.keys()) {
      if (!writer.announced.has(op)) problems.push(`operation ${op} was acknowledged but never announced`)
    }
  }
  for (const [target, list] of byTarget) {
    if (!announcedTargets.has(target)) problems.push(`entries ${list} (target ${target}) were never announced`)
  }
  return { problems, stats }
}

interface Engine {
  readonly name: string
  /** Where the writers write: the `database`, `table` and `schema` of their log. */
  readonly writerConfig: Omit<KillWriterConfig, 'id' | 'concurrency'>
  /** A log on the same table, opened now (the first one migrates). */
  open(): Promise<AuditLog>
  /** Resolves once nothing a killed writer started can still commit. */
  settle(): Promise<void>
  cleanup(): Promise<void>
}

function sqliteEngine(): Engine {
  const dir = mkdtempSync(join(tmpdir(), 'auditkit-writer-kill-'))
  const database = `sqlite:${join(dir, 'audit.db')}`
  return {
    name: 'SQLite file',
    writerConfig: { database, table: 'killed_writers' },
    open: () => createAuditLog({ database, table: 'killed_writers', sealIntervalMs: 0 }),
    // A killed process's locks go with it; the next connection recovers the WAL.
    settle: async () => {},
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  }
}

function postgresEngine(): Engine {
  const schema = uniqueSchema('faults_writer_kill')
  // The writers' sessions carry this name, so the test can wait until the server has ended them all.
  const url = new URL(PG_URL)
  url.searchParams.set('application_name', schema)
  const admin = new pg.Pool({ connectionString: PG_URL, max: 1 })
  return {
    name: 'PostgreSQL',
    writerConfig: { database: url.toString(), table: 'killed_writers', schema },
    open: () => createAuditLog({ database: PG_URL, table: 'killed_writers', schema, poolSize: 2, sealIntervalMs: 0 }),
    // A backend whose client died finishes the statement it was running (and commits it) before it
    // notices: wait until every writer's session is gone.
    async settle() {
      const deadline = Date.now() + 10_000
      for (;;) {
        const { rows } = await admin.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
          [schema],
        )
        if (rows[0]?.n === 0) return
        if (Date.now() > deadline) throw new Error(`${rows[0]?.n} sessions of killed writers are still open`)
        await sleep(20)
      }
    },
    async cleanup() {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await admin.end()
    },
  }
}

const pgUnavailable = await postgresUnavailable()
const engines: { where: string; make: () => Engine; skip: string | undefined }[] = [
  { where: 'PostgreSQL', make: postgresEngine, skip: pgUnavailable },
  { where: 'a SQLite file', make: sqliteEngine, skip: undefined },
]

for (const { where, make, skip } of engines) {
  const title = skip === undefined ? '' : ` (skipped: ${skip})`
  describe.skipIf(skip !== undefined)(`writers killed mid-write on ${where}${title}`, () => {
    test('every acknowledged entry is stored once, no batch is half-written, and the log seals and verifies', {
      timeout: 90_000,
    }, async () => {
      const guard = guardProcess()
      const engine = make()
      const writers: WriterLog[] = []
      const rounds: (RoundStats & { startMs: number; writeMs: number; checkMs: number })[] = []
      try {
        await (await engine.open()).close()
        const spawnRound = (round: number) =>
          Array.from(
            { length: WRITERS },
            (_, i) => new Writer({ ...engine.writerConfig, id: round * WRITERS + i, concurrency: 3 }),
          )
        let next = spawnRound(0)
        for (let round = 0; round < ROUNDS; round++) {
          const started = performance.now()
          const children = next
          await Promise.all(children.map((child) => child.started()))
          const ready = performance.now()
          const killAt = () => KILL_AFTER_MS.min + Math.floor(Math.random() * (KILL_AFTER_MS.max - KILL_AFTER_MS.min))
          const countFrom = writers.length
          writers.push(...(await Promise.all(children.map((child) => child.killAfter(killAt())))))
          await engine.settle()
          const killed = performance.now()

          const log = await engine.open()
          try {
            const { problems, stats } = await problemsOf(log, writers, countFrom)
            expect(problems).toEqual([])
            expect(stats.acked).toBeGreaterThan(0)
            // Each writer keeps three operations in flight: the kill always lands in some.
            expect(stats.inFlight).toBeGreaterThan(0)
            expect(await log.countLogs()).toBe(stats.stored)

            // Sealing and verifying what the killed writers left: the event loop keeps turning (the
            // bookkeeping above is the test's own work).
            const watch = watchBlocking()
            const sealed = await log.seal()
            expect(sealed.treeSize).toBe(stats.stored)
            const verified = await log.verify()
            expect(verified.problems).toEqual([])
            expect(verified.ok).toBe(true)
            expect(verified.entries).toBe(stats.stored)
            assertNoStall(watch.stop(), `the event loop, checking round ${round} on ${engine.name},`)
            // The next round's writers start only now: their start-up (compiling TypeScript on this
            // machine's two cores) would otherwise be measured as this process's stall.
            if (round + 1 < ROUNDS) next = spawnRound(round + 1)
            const ms = (from: number, to: number) => Math.round(to - from)
            rounds.push({
              ...stats,
              startMs: ms(started, ready),
              writeMs: ms(ready, killed),
              checkMs: ms(killed, performance.now()),
            })
          } finally {
            await log.close()
          }
        }
        console.info(`${engine.name}, writers killed mid-write, per round:`, rounds)
        guard.assertNone()
      } finally {
        guard.dispose()
        await engine.cleanup()
      }
    })
  })
}
