// Finding 8 (process lifetime: exit when idle, close() seals and waits for using() logs, concurrent
// close() calls), ping(), finding 9's batch cap and finding 10 (a caller's Kysely result plugins).
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import {
  CamelCasePlugin,
  Kysely,
  type KyselyPlugin,
  ParseJSONResultsPlugin,
  PostgresDialect,
  SqliteDialect,
} from 'kysely'
import pg from 'pg'
import { afterAll, describe, expect, test } from 'vitest'
import { type AuditLog, createAuditLog, StoreError, ValidationError } from '../../src/index.js'
import { assertNoStall, guardEachTest, watchBlocking } from '../support/fault-guards.js'
import { PG_URL, postgresUnavailable, uniqueSchema } from '../support/postgres.js'

// Nothing escapes uncaught and the event loop never stalls, in any test of this file.
guardEachTest({ stalls: true })

const unavailable = await postgresUnavailable()
const dir = mkdtempSync(join(tmpdir(), 'auditkit-lifecycle-'))
const schema = uniqueSchema('auditkit_lifecycle')
const IDLE_EXIT = fileURLToPath(new URL('./idle-exit.ts', import.meta.url))

const pools: pg.Pool[] = []
const pgPool = () => {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 3 })
  pools.push(pool)
  return pool
}

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  if (unavailable === undefined) {
    const pool = pgPool()
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  }
  for (const pool of pools) await pool.end()
})

interface EngineSetup {
  readonly name: string
  readonly unavailable: string | undefined
  /** The `database` string of a log on table `table`, and the matching `schema` option. */
  database(table: string): { database: string; schema?: string }
  /** A Kysely instance on a connection of its own, with the given plugins. */
  kysely(table: string, plugins: KyselyPlugin[]): Kysely<never>
}

const ENGINES: readonly EngineSetup[] = [
  {
    name: 'SQLite file',
    unavailable: undefined,
    database: (table) => ({ database: `sqlite:${join(dir, `${table}.db`)}` }),
    kysely: (table, plugins) =>
      new Kysely<never>({ dialect: new SqliteDialect({ database: new Database(join(dir, `${table}.db`)) }), plugins }),
  },
  {
    name: 'PostgreSQL',
    unavailable,
    database: () => ({ database: PG_URL, schema }),
    // Kysely ends its pool when destroyed.
    kysely: (_table, plugins) =>
      new Kysely<never>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: PG_URL, max: 3 }) }),
        plugins,
      }),
  },
]

const input = () => ({ targetUserUuid: randomUUID(), adminUserUuid: randomUUID(), action: 'user_created' as const })
const write = (audit: AuditLog, n: number) => audit.createLogEntries(Array.from({ length: n }, input))

function runIdle(database: string, table: string, schemaName: string | undefined) {
  return new Promise<{ exited: boolean; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', IDLE_EXIT, database, table, schemaName ?? '-'],
      { timeout: 25_000, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => resolve({ exited: error === null, stdout, stderr }),
    )
  })
}

for (const engine of ENGINES) {
  describe.skipIf(engine.unavailable !== undefined)(`lifetime: ${engine.name}`, () => {
    const open = async (table: string, sealIntervalMs = 0) =>
      (await createAuditLog({ ...engine.database(table), table, sealIntervalMs })) as AuditLog

    test('a process that leaves its log open ends by itself once idle', async () => {
      const { database, schema: s } = engine.database('idle')
      const started = performance.now()
      const run = await runIdle(database, 'idle', s)
      expect(run.stderr).toBe('')
      expect(run.exited).toBe(true)
      expect(run.stdout).toMatch(/^[0-9a-f-]{36}\n$/)
      // Well before the pool's 10 s idle timeout would have closed the connections.
      expect(performance.now() - started).toBeLessThan(9000)
    })

    test('close() seals what is committed; close({ seal: false }) leaves it to others', async () => {
      const audit = await open('closing')
      const sealed = await write(audit, 30)
      await audit.close()
      const unsealedLog = await open('closing')
      for (const e of sealed) expect((await unsealedLog.getLog(e.uuid)).seq).not.toBeNull()
      const unsealed = await write(unsealedLog, 5)
      await unsealedLog.close({ seal: false })
      const again = await open('closing')
      for (const e of unsealed) expect((await again.getLog(e.uuid)).seq).toBeNull()
      expect((await again.seal()).treeSize).toBe(35)
      await expect(again.close({ sael: true } as never)).rejects.toBeInstanceOf(ValidationError)
      await again.close()
    })

    test('close() waits for what logs made by using() have under way', async () => {
      const audit = await open('waits')
      await write(audit, 5000)
      await audit.seal()
      const kysely = engine.kysely('waits', [])
      try {
        const verifying = audit.using(kysely).verify()
        const proving = audit.using(kysely).treeHead()
        await audit.close()
        // Both ran to the end on the root's connection, which close() kept open until they were done.
        const [result, head] = await Promise.all([verifying, proving])
        expect(result.ok).toBe(true)
        expect(result.entries).toBe(5000)
        expect(head.treeSize).toBe(5000)
        // And the log made by using() is closed with its root.
        await expect(audit.using(kysely).countLogs()).rejects.toThrow(/closed/)
      } finally {
        await kysely.destroy()
      }
    })

    test('concurrent close() calls all resolve once the log is closed', async () => {
      const audit = await open('twice', 20)
      await write(audit, 100)
      let first = false
      const closing = audit.close().then(() => {
        first = true
      })
      await audit.close()
      expect(first).toBe(true)
      await closing
      await expect(audit.countLogs()).rejects.toBeInstanceOf(StoreError)
    })

    test('ping() resolves while the store answers, rejects with a StoreError once closed', async () => {
      const audit = await open('ping')
      await expect(audit.ping()).resolves.toBeUndefined()
      await audit.close()
      const closed = await audit.ping().catch((e: unknown) => e)
      expect(closed).toBeInstanceOf(StoreError)
      expect(closed).toMatchObject({ operation: 'ping', retryable: false })
    })

    test("a caller's Kysely result plugins change nothing auditkit reads", async () => {
      const audit = await open('plugins')
      const kysely = engine.kysely('plugins', [new ParseJSONResultsPlugin(), new CamelCasePlugin()])
      try {
        const inTx = audit.using(kysely)
        const written = await inTx.createLogEntry({
          ...input(),
          userAgent: '{"admin":true}',
          ipAddress: '10.0.0.1',
          metadata: { snake_key: '[1,2]', nested_obj: { inner_key: '{"x":1}' } },
        })
        for (const read of [
          await inTx.getLog(written.uuid),
          (await inTx.listLogs())[0],
          await audit.getLog(written.uuid),
        ]) {
          expect(read).toEqual(written)
          expect(typeof read?.userAgent).toBe('string')
          expect(read?.insertedAt).toBeInstanceOf(Date)
        }
        const page = await inTx.pageLogs({ limit: 1 })
        expect(page.entries).toEqual([written])
      } finally {
        await kysely.destroy()
        await audit.close()
      }
    })
  })
}

describe('createLogEntries is bounded', () => {
  test('more than 10,000 entries in one call are refused before anything is checked or written', async () => {
    const audit = await createAuditLog({ database: 'sqlite::memory:', sealIntervalMs: 0 })
    const error = await audit.createLogEntries(Array.from({ length: 10_001 }, input)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).issues).toEqual([
      { field: 'entries', message: 'must hold at most 10000 entries (got 10001)' },
    ])
    expect(await audit.countLogs()).toBe(0)
    await audit.close()
  })

  test('10,000 entries on a SQLite file: written in slices, the event loop turning, all or nothing', async () => {
    const file = join(dir, 'big-batch.db')
    const audit = (await createAuditLog({ database: `sqlite:${file}`, sealIntervalMs: 50 })) as AuditLog
    const watch = watchBlocking()
    let reads = 0
    // Reads of the same log while the batch is written wait for it: they never see part of it.
    const reader = (async () => {
      for (let i = 0; i < 20; i++) {
        const n = await audit.countLogs()
        expect([0, 10_000]).toContain(n)
        reads++
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    })()
    expect(await audit.createLogEntries(Array.from({ length: 10_000 }, input))).toHaveLength(10_000)
    await reader
    assertNoStall(watch.stop())
    expect(reads).toBe(20)
    // A failure in the last slice takes the whole batch with it.
    const other = new Database(file)
    other.exec(
      "CREATE TRIGGER fail_late BEFORE INSERT ON auditkit_entries WHEN NEW.action = 'user_deleted' BEGIN SELECT RAISE(ABORT, 'injected'); END",
    )
    other.close()
    const batch = Array.from({ length: 10_000 }, input).map((e, i) =>
      i === 9_999 ? { ...e, action: 'user_deleted' as const } : e,
    )
    await expect(audit.createLogEntries(batch)).rejects.toBeInstanceOf(StoreError)
    expect(await audit.countLogs()).toBe(10_000)
    expect((await audit.seal()).treeSize).toBe(10_000)
    await audit.close()
  })
})

describe.skipIf(unavailable !== undefined)('ping() against a server that does not answer', () => {
  test('rejects with a retryable StoreError carrying the system error code', async () => {
    // Nothing listens on port 1; migrate: false so that opening does not connect.
    const audit = await createAuditLog({ database: 'postgres://postgres@127.0.0.1:1/none', migrate: false })
    const error = await audit.ping().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StoreError)
    expect(error).toMatchObject({
      operation: 'ping',
      retryable: true,
      code: 'store_unavailable',
      driverCode: 'ECONNREFUSED',
    })
    await audit.close({ seal: false })
  })
})
