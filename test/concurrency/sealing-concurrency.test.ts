// Every committed entry is sealed exactly once: several writer processes and two sealer processes
// on one log, then sealers killed with SIGKILL in the middle of a batch. On a SQLite file and on
// PostgreSQL (a schema of its own, dropped after). The children are ./worker.ts.
import { createHash, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type AuditLog, createAuditLog } from '../../src/index.js'
import { ChildScript } from '../support/child-script.js'
import { PG_URL, postgresUnavailable, uniqueSchema } from '../support/postgres.js'
import type { WorkerConfig } from './worker.js'

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url))
/** A worker child process (./worker.ts). */
class Worker extends ChildScript {
  constructor(config: WorkerConfig) {
    super(WORKER, config)
  }
}

interface WriterResult {
  readonly committed: string[]
  readonly rolledBack: string[]
  readonly lateCommits: number
}
interface SealerResult {
  readonly sealed: number
  readonly calls: number
  readonly nonEmpty: number
}

/** Raw reads of a log's tables, behind auditkit's back. */
interface Raw {
  /** Every seal, in seq order. */
  seals(): Promise<{ seq: number; uuid: string }[]>
  /** Every entry's uuid. */
  entries(): Promise<string[]>
  /** The sealer state row's size. */
  stateSize(): Promise<number>
  /**
   * How many things disagree with the sealer's position. SQLite: consecutive seals whose entries
   * are not in rowid order, a state row whose `last_id` is not the last seal's entry, entries at or
   * before `last_id` without a seal. PostgreSQL (which seals late commits after newer entries, so
   * seq does not follow tx_id): entries with `tx_id` below the state's horizon without a seal.
   */
  misplaced(): Promise<number>
  /**
   * PostgreSQL: seals whose entry's transaction is older than one sealed before it: late commits
   * sealed after newer entries (the case the horizon exists for).
   */
  sealedLate?(): Promise<number>
  /** Resolves once no sealer holds the log (PostgreSQL: its advisory lock); the time it took. */
  sealerGone(): Promise<number>
}

interface Target {
  /** createAuditLog's `database`, `table`, `schema`. */
  readonly database: string
  readonly table: string
  readonly schema?: string
  readonly raw: Raw
  /**
   * Starts a sealer (through `start`) and kills it with SIGKILL while its batch is writing, inside
   * its transaction, `remaining` entries being unsealed. SQLite: the child kills itself from a
   * trigger after inserting half of the seal rows. PostgreSQL: once the sealer's session has a
   * transaction id (it has begun to write) and a query on this log's tables, the test kills it.
   * Resolves true when the kill landed while writing.
   */
  killWhileWriting(start: (extra: Partial<WorkerConfig>) => Worker, remaining: number): Promise<boolean>
}

interface EngineHarness {
  readonly name: string
  target(table: string): Target
  cleanup(): Promise<void>
}

function sqliteHarness(): EngineHarness {
  const dir = mkdtempSync(join(tmpdir(), 'auditkit-concurrency-'))
  const opened: Database.Database[] = []
  return {
    name: 'SQLite file',
    target(table) {
      const path = join(dir, `${table}.db`)
      let db: Database.Database | undefined
      // Opened on first use, after the log created the file.
      const conn = () => {
        if (db === undefined) {
          db = new Database(path, { readonly: true })
          opened.push(db)
        }
        return db
      }
      const q = (name: string) => `"${table}${name}"`
      return {
        database: `sqlite:${path}`,
        table,
        killWhileWriting: async (start, remaining) => {
          const exit = await start({ killAfterSeals: Math.ceil(remaining / 2) }).exited
          return exit.signal === 'SIGKILL' && !exit.stdout.includes('sealed ')
        },
        raw: {
          seals: async () =>
            conn()
              .prepare(`SELECT seq, uuid FROM ${q('_seals')} ORDER BY seq`)
              .all() as never,
          entries: async () =>
            conn()
              .prepare(`SELECT uuid FROM ${q('')}`)
              .pluck()
              .all() as string[],
          stateSize: async () =>
            conn()
              .prepare(`SELECT size FROM ${q('_sealer')} WHERE id = 1`)
              .pluck()
              .get() as number,
          misplaced: async () => {
            const count = (sql: string) => conn().prepare(sql).pluck().get() as number
            return (
              count(
                `SELECT count(*) FROM (SELECT e.id AS id, lag(e.id) OVER (ORDER BY s.seq) AS prev ` +
                  `FROM ${q('_seals')} s JOIN ${q('')} e ON e.uuid = s.uuid) WHERE prev IS NOT NULL AND id <= prev`,
              ) +
              count(
                `SELECT count(*) FROM ${q('_sealer')} st JOIN ${q('_seals')} s ON s.seq = st.size - 1 ` +
                  `JOIN ${q('')} e ON e.uuid = s.uuid WHERE st.last_id <> e.id`,
              ) +
              count(
                `SELECT count(*) FROM ${q('')} e, ${q('_sealer')} st WHERE e.id <= st.last_id ` +
                  `AND NOT EXISTS (SELECT 1 FROM ${q('_seals')} s WHERE s.uuid = e.uuid)`,
              )
            )
          },
          // A killed process's locks go with it (the kernel drops its file locks).
          sealerGone: async () => 0,
        },
      }
    },
    cleanup: async () => {
      for (const db of opened) db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The advisory lock key of src/store/postgres/postgres-sealer.ts (not exported there). */
function sealLockKey(schema: string, table: string): string {
  return createHash('sha256').update(`auditkit-seal:${schema}.${table}`).digest().readBigInt64BE(0).toString()
}

function postgresHarness(): EngineHarness {
  const schema = uniqueSchema('auditkit_conc')
  const pool = new pg.Pool({ connectionString: PG_URL, max: 3 })
  return {
    name: 'PostgreSQL',
    target(table) {
      const q = (name: string) => `"${schema}"."${table}${name}"`
      const query = async (text: string, params: unknown[] = []) => (await pool.query(text, params)).rows
      return {
        database: PG_URL,
        table,
        schema,
        killWhileWriting: async (start) => {
          const sealer = start({})
          await sealer.waitFor('"sealing"')
          const client = await pool.connect()
          let writing = false
          try {
            let ended = false
            void sealer.exited.then(() => {
              ended = true
            })
            while (!ended && !writing) {
              const { rows } = await client.query(
                'SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND query LIKE $1',
                [`%"${schema}"."${table}_%`],
              )
              writing = rows[0]?.n > 0
            }
          } finally {
            client.release()
          }
          sealer.child.kill('SIGKILL')
          const exit = await sealer.exited
          return writing && exit.signal === 'SIGKILL' && !exit.stdout.includes('sealed ')
        },
        raw: {
          seals: async () =>
            (await query(`SELECT seq::int AS seq, uuid::text AS uuid FROM ${q('_seals')} ORDER BY seq`)) as never,
          entries: async () => (await query(`SELECT uuid::text AS uuid FROM ${q('')}`)).map((r) => r.uuid as string),
          stateSize: async () => Number((await query(`SELECT size FROM ${q('_sealer')} WHERE id = 1`))[0]?.size),
          misplaced: async () => {
            const [row] = await query(
              `SELECT count(*)::int AS n FROM ${q('')} e, ${q('_sealer')} st WHERE st.id = 1 AND e.tx_id < st.horizon ` +
                `AND NOT EXISTS (SELECT 1 FROM ${q('_seals')} s WHERE s.uuid = e.uuid)`,
            )
            return Number(row?.n)
          },
          sealedLate: async () => {
            const rows = await query(
              `SELECT e.tx_id::text AS tx FROM ${q('_seals')} s JOIN ${q('')} e ON e.uuid = s.uuid ORDER BY s.seq`,
            )
            let newest = 0n
            let late = 0
            for (const { tx } of rows) {
              const id = BigInt(tx as string)
              if (id < newest) late++
              else newest = id
            }
            return late
          },
          sealerGone: async () => {
            const key = sealLockKey(schema, table)
            const start = Date.now()
            const client = await pool.connect()
            try {
              for (;;) {
                await client.query('BEGIN')
                const [row] = (await client.query('SELECT pg_try_advisory_xact_lock($1::bigint) AS ok', [key])).rows
                await client.query('ROLLBACK')
                if (row?.ok === true) return Date.now() - start
                if (Date.now() - start > 10_000) throw new Error('the killed sealer still holds the advisory lock')
                await sleep(20)
              }
            } finally {
              client.release()
            }
          },
        },
      }
    },
    cleanup: async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await pool.end()
    },
  }
}

/** Seals hold seq 0..n-1 exactly once each, for exactly these uuids, and nothing else is sealed. */
async function expectSealedExactly(raw: Raw, uuids: ReadonlySet<string>): Promise<void> {
  const seals = await raw.seals()
  expect(seals.map((s) => s.seq)).toEqual(Array.from({ length: uuids.size }, (_, i) => i))
  const sealed = new Set(seals.map((s) => s.uuid))
  expect(sealed.size).toBe(seals.length)
  expect([...uuids].filter((u) => !sealed.has(u))).toEqual([])
  expect([...sealed].filter((u) => !uuids.has(u))).toEqual([])
  expect(await raw.stateSize()).toBe(uuids.size)
  expect(await raw.misplaced()).toBe(0)
}

const N_WRITERS = 4
const WRITE_MS = 3000
const KILLED_TOTAL = 20_000

function sealingSuite(harness: () => EngineHarness) {
  let h: EngineHarness
  const logs: AuditLog[] = []
  const open = async (t: Target, sealBatchSize: number) => {
    const audit = await createAuditLog({
      database: t.database,
      table: t.table,
      ...(t.schema === undefined ? {} : { schema: t.schema }),
      sealIntervalMs: 0,
      sealBatchSize,
    })
    logs.push(audit)
    return audit
  }
  const child = (t: Target, config: Omit<WorkerConfig, 'database' | 'table' | 'schema'>) =>
    new Worker({
      database: t.database,
      table: t.table,
      ...(t.schema === undefined ? {} : { schema: t.schema }),
      ...config,
    })

  return () => {
    beforeAll(() => {
      h = harness()
    })
    afterAll(async () => {
      for (const log of logs) await log.close()
      await h.cleanup()
    })

    test(`${N_WRITERS} writers and 2 sealers: every committed entry sealed exactly once, seq 0..n-1, nothing rolled back`, {
      timeout: 45_000,
    }, async () => {
      const t = h.target('conc_race')
      const audit = await open(t, 100) // migrates before any child starts
      const sealers = [50, 73].map((sealBatchSize) => child(t, { role: 'sealer', sealBatchSize }))
      await Promise.all(sealers.map((s) => s.waitFor('"ready"')))
      const writers = Array.from({ length: N_WRITERS }, (_, id) =>
        child(t, { role: 'writer', id, durationMs: WRITE_MS, sealBatchSize: 100 }),
      )
      const written = await Promise.all(writers.map((w) => w.result<WriterResult>()))
      for (const s of sealers) s.child.stdin.end('stop\n')
      const sealedBy = await Promise.all(sealers.map((s) => s.result<SealerResult>()))
      const last = await audit.seal()

      const committed = new Set(written.flatMap((w) => w.committed))
      const rolledBack = new Set(written.flatMap((w) => w.rolledBack))
      const n = committed.size
      // Every kind of write happened, and uuids never repeat.
      expect(written.flatMap((w) => w.committed)).toHaveLength(n)
      expect(n).toBeGreaterThan(200)
      expect(rolledBack.size).toBeGreaterThan(0)
      // Every writer wrote plain entries, committed late and rolled back.
      for (const w of written) {
        expect(w.committed.length).toBeGreaterThan(w.lateCommits)
        expect(w.lateCommits).toBeGreaterThan(0)
        expect(w.rolledBack.length).toBeGreaterThan(0)
      }
      expect([...rolledBack].filter((u) => committed.has(u))).toEqual([])

      const entries = await t.raw.entries()
      expect(entries).toHaveLength(n)
      expect(new Set(entries)).toEqual(committed)
      expect(entries.filter((u) => rolledBack.has(u))).toEqual([])
      expect((await t.raw.seals()).filter((s) => rolledBack.has(s.uuid))).toEqual([])
      await expectSealedExactly(t.raw, committed)
      // Both sealers sealed a share while the writers wrote, and together with the last seal()
      // they sealed each entry once.
      expect(sealedBy.map((s) => s.sealed).every((sealed) => sealed > 0)).toBe(true)
      expect(sealedBy.reduce((sum, s) => sum + s.sealed, 0) + last.sealed).toBe(n)
      expect(last.treeSize).toBe(n)

      const result = await audit.verify()
      expect(result.problems).toEqual([])
      expect(result.ok).toBe(true)
      expect(result.entries).toBe(n)
      expect((await audit.treeHead()).treeSize).toBe(n)
      // PostgreSQL: late commits were sealed after newer entries (and still exactly once).
      const late = await t.raw.sealedLate?.()
      if (late !== undefined) expect(late).toBeGreaterThan(0)
      console.info(
        `${h.name}: ${n} committed (${written.map((w) => w.committed.length).join('/')}, ${written
          .map((w) => w.lateCommits)
          .join('/')} late commits), ${rolledBack.size} rolled back; sealers sealed ${sealedBy
          .map((s) => `${s.sealed} in ${s.nonEmpty}/${s.calls} calls`)
          .join(
            ' and ',
          )}, the last seal() ${last.sealed}${late === undefined ? '' : `; ${late} sealed after a newer transaction's`}`,
      )
    })

    test('a sealer killed with SIGKILL mid-batch leaves whole batches or nothing, and the next sealer seals everything once', {
      timeout: 45_000,
    }, async () => {
      const t = h.target('conc_kill')
      const audit = await open(t, KILLED_TOTAL)
      const admin = randomUUID()
      const written = new Set<string>()
      for (let i = 0; i < KILLED_TOTAL; i += 2000) {
        const chunk = Array.from({ length: 2000 }, (_, j) => ({
          targetUserUuid: randomUUID(),
          adminUserUuid: admin,
          action: 'user_updated' as const,
          metadata: { i: i + j, note: 'x'.repeat(40) },
        }))
        for (const e of await audit.createLogEntries(chunk)) written.add(e.uuid)
      }
      expect(written.size).toBe(KILLED_TOTAL)

      const kills: string[] = []
      let midBatch = 0
      let before = 0
      // One batch of everything (a few hundred ms) killed early, then while it writes; then
      // 5000-entry batches killed after 40 ms (the first may have committed; at 150 ms a fast
      // sealer can have sealed all 20,000 already); then the rest
      // killed while it writes.
      const rounds: { batch: number; kill: number | 'while writing' }[] = [
        { batch: KILLED_TOTAL, kill: 50 },
        { batch: KILLED_TOTAL, kill: 'while writing' },
        { batch: 5000, kill: 40 },
        { batch: KILLED_TOTAL, kill: 'while writing' },
      ]
      for (const { batch, kill } of rounds) {
        const start = (extra: Partial<WorkerConfig>) =>
          child(t, { role: 'kill-sealer', sealBatchSize: batch, ...extra })
        if (kill === 'while writing') {
          // Killed inside the batch's transaction after it wrote seals: none of them may stay.
          expect(await t.killWhileWriting(start, KILLED_TOTAL - before)).toBe(true)
          midBatch++
        } else {
          const sealer = start({})
          await sealer.waitFor('"sealing"')
          await sleep(kill)
          sealer.child.kill('SIGKILL')
          const exit = await sealer.exited
          // Killed, or (a late kill on a fast machine) done before the signal came.
          expect(exit.signal === 'SIGKILL' || exit.code === 0).toBe(true)
          if (!exit.stdout.includes('sealed ')) midBatch++
        }
        // PostgreSQL drops the killed session's advisory lock once it notices: no later sealer
        // may find the log busy for good.
        const lockMs = await t.raw.sealerGone()

        // Nothing half-done: the seals are what whole batches wrote, seq 0..k-1, the state agrees.
        const seals = await t.raw.seals()
        const added = seals.length - before
        if (kill === 'while writing') expect(added).toBe(0)
        expect(added).toBeGreaterThanOrEqual(0)
        expect(added % batch === 0 || seals.length === KILLED_TOTAL).toBe(true)
        expect(seals.map((s) => s.seq)).toEqual(Array.from({ length: seals.length }, (_, i) => i))
        expect(new Set(seals.map((s) => s.uuid)).size).toBe(seals.length)
        expect(seals.filter((s) => !written.has(s.uuid))).toEqual([])
        expect(await t.raw.stateSize()).toBe(seals.length)
        expect(await t.raw.misplaced()).toBe(0)
        const check = await audit.verify()
        expect(check.problems).toEqual([])
        expect(check.ok).toBe(true)
        expect(check.entries).toBe(seals.length)
        kills.push(
          `${kill === 'while writing' ? kill : `after ${kill} ms`} (batch ${batch}): ${seals.length} sealed, lock free after ${lockMs} ms`,
        )
        before = seals.length
        if (seals.length === KILLED_TOTAL) break
      }
      // The kills landed while seal() was under way (at least the two while writing).
      expect(midBatch).toBeGreaterThanOrEqual(2)
      expect(before).toBeLessThan(KILLED_TOTAL)

      const fresh = await open(t, 5000)
      const done = await fresh.seal()
      expect(done.treeSize).toBe(KILLED_TOTAL)
      await expectSealedExactly(t.raw, written)
      expect(new Set(await t.raw.entries())).toEqual(written)
      const result = await fresh.verify()
      expect(result.problems).toEqual([])
      expect(result.ok).toBe(true)
      expect(result.entries).toBe(KILLED_TOTAL)
      console.info(`${h.name}: ${kills.join('; ')}; then ${done.sealed} sealed by a fresh sealer`)
    })
  }
}

describe('sealing under concurrency: SQLite file', sealingSuite(sqliteHarness))

const unavailable = await postgresUnavailable()
// Skipped only where no server answers, never under CI=true (see postgresUnavailable).
describe.skipIf(unavailable !== undefined)(
  `sealing under concurrency: PostgreSQL${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  sealingSuite(postgresHarness),
)
