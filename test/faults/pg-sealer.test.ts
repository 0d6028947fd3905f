// Findings 4, 5 and 6: the PostgreSQL sealer under an application pool's statement_timeout, after
// a long transaction, on a table never analyzed, and seal() after a sweep another process left.
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type AuditLog, createAuditLog, generateKeyPair } from '../../src/index.js'
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js'
import { assertNoStall, guardEachTest, watchBlocking } from '../support/fault-guards.js'
import { type PgServer, pgServerUnavailable, startPgServer } from '../support/pg-server.js'
import { PG_URL, postgresUnavailable, uniqueSchema } from '../support/postgres.js'

// Nothing escapes uncaught and the event loop never stalls, in any test of this file.
guardEachTest({ stalls: true })

const unavailable = await postgresUnavailable()
const serverUnavailable = await pgServerUnavailable()

const input = (i: number) => ({
  targetUserUuid: randomUUID(),
  adminUserUuid: randomUUID(),
  action: 'user_updated' as const,
  metadata: { i },
})

async function write(audit: AuditLog, n: number): Promise<string[]> {
  const uuids: string[] = []
  for (let i = 0; i < n; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, n - i) }, (_, j) => input(i + j))
    uuids.push(...(await audit.createLogEntries(batch)).map((e) => e.uuid))
  }
  return uuids
}

describe.skipIf(unavailable !== undefined)(
  `the PostgreSQL sealer${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    const schema = uniqueSchema('auditkit_sealer')
    const admin = new pg.Pool({ connectionString: PG_URL, max: 3 })
    const logs: AuditLog[] = []
    const pools: pg.Pool[] = []
    afterAll(async () => {
      for (const log of logs) await log.close({ seal: false }).catch(() => {})
      for (const pool of pools) await pool.end().catch(() => {})
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await admin.end()
    })
    const open = async (table: string, options: { database?: pg.Pool; sealBatchSize?: number } = {}) => {
      const audit = await createAuditLog({
        database: options.database ?? PG_URL,
        schema,
        table,
        sealIntervalMs: 0,
        ...(options.sealBatchSize === undefined ? {} : { sealBatchSize: options.sealBatchSize }),
      })
      logs.push(audit as AuditLog)
      return audit as AuditLog
    }
    // A transaction left open, with an entry of its own: it holds back every horizon behind it.
    const openTransaction = async (audit: AuditLog) => {
      const client = await admin.connect()
      await client.query('BEGIN')
      const [entry] = await audit.using(client).createLogEntries([input(-1)])
      return {
        uuid: (entry as { uuid: string }).uuid,
        end: async (sql: 'COMMIT' | 'ROLLBACK') => {
          await client.query(sql)
          client.release()
        },
      }
    }

    test("an application pool's short statement_timeout does not stop sealing, even behind a long transaction", async () => {
      // Statements of the app's pool may run 150 ms; the sealer's batches of 10,000 need longer.
      const pool = new pg.Pool({ connectionString: PG_URL, max: 4, options: '-c statement_timeout=150' })
      pools.push(pool)
      const audit = await open('timeout', { database: pool })
      const long = await openTransaction(audit)
      try {
        await write(audit, 40_000)
        // Sealing 40,000 and verifying them: the event loop keeps turning throughout.
        const watch = watchBlocking()
        expect((await audit.seal()).treeSize).toBe(40_000)
        // Sweeps after the first walk past every entry sealed ahead of the open transaction: they
        // must cost only what they seal.
        for (let round = 0; round < 3; round++) {
          await write(audit, 10)
          expect((await audit.seal()).treeSize).toBe(40_010 + round * 10)
        }
        await long.end('COMMIT')
        expect((await audit.seal()).treeSize).toBe(40_031)
        expect(await audit.findLog(long.uuid)).toMatchObject({ seq: 40_030 })
        const result = await audit.verify()
        assertNoStall(watch.stop())
        expect(result.problems).toEqual([])
        expect(result.entries).toBe(40_031)
      } finally {
        await long.end('ROLLBACK').catch(() => {})
      }
    })

    test('a sweep behind a long transaction reads what it seals, not what earlier sweeps sealed', async () => {
      const audit = await open('rescan')
      const table = `${schema}.rescan`
      const long = await openTransaction(audit)
      try {
        await write(audit, 20_000)
        await audit.seal()
        // Index tuples read from the (tx_id, uuid) index by one more sweep of 10 new entries. The
        // counters are flushed when the sealer's connections end (the log closes).
        const before = await indexReads(admin, `${schema}.rescan_tx_idx`)
        const second = await open('rescan')
        await write(second, 10)
        expect((await second.seal()).sealed).toBe(10)
        await second.close({ seal: false })
        const after = await indexReads(admin, `${schema}.rescan_tx_idx`, before)
        expect(after - before).toBeLessThan(1000)
        expect(table).toContain('rescan')
      } finally {
        await long.end('ROLLBACK')
      }
    })

    test('seal() seals an entry committed before the call behind a sweep another process left part-way', async () => {
      const audit = await open('late', { sealBatchSize: 5 })
      const late = await openTransaction(audit)
      const later = await write(audit, 30)
      // Another process runs one batch of a new sweep: its cursor passes the open transaction's
      // position (that transaction was invisible to it), then the process goes away.
      const other = await createPostgresStore({
        database: PG_URL,
        location: { schema, table: 'late' },
        poolSize: 1,
        preparedStatements: true,
      })
      expect((await other.sealBatch(5)).sealed).toBe(5)
      await other.close()
      await late.end('COMMIT')
      // Committed before the call: seal() must not return without it.
      await audit.seal()
      expect((await audit.findLog(late.uuid))?.seq).not.toBeNull()
      for (const uuid of later) expect((await audit.findLog(uuid))?.seq).not.toBeNull()
      expect((await audit.verify()).problems).toEqual([])
    })
  },
)

/** `idx_tup_read` of an index once it stops changing (statistics are flushed as backends end). */
async function indexReads(pool: pg.Pool, index: string, previous = -1): Promise<number> {
  let last = -1
  let stable = 0
  for (let i = 0; i < 100; i++) {
    const { rows } = await pool.query(
      'SELECT pg_stat_clear_snapshot(), idx_tup_read::float8 AS n FROM pg_stat_user_indexes WHERE indexrelid = $1::regclass',
      [index],
    )
    const n = Number(rows[0]?.n ?? 0)
    if (n === last && n !== previous) stable++
    else stable = 0
    if (stable >= 3) return n
    last = n
    await sleep(100)
  }
  return last
}

describe.skipIf(serverUnavailable !== undefined)(
  `sealing a table never analyzed${serverUnavailable ? ` (skipped: ${serverUnavailable})` : ''}`,
  () => {
    let server: PgServer
    beforeAll(async () => {
      // Every statement's plan in the server log; no autovacuum, so the table stays unanalyzed.
      server = await startPgServer({
        settings: {
          autovacuum: 'off',
          session_preload_libraries: 'auto_explain',
          'auto_explain.log_min_duration': 0,
        },
      })
    })
    afterAll(() => server?.destroy())

    test('every batch reads the pending entries by index, never a full scan and sort', async () => {
      const audit = await createAuditLog({
        database: server.url,
        table: 'fresh',
        sealIntervalMs: 0,
        sealBatchSize: 500,
        signingKey: generateKeyPair().privateKey,
      })
      try {
        await write(audit as AuditLog, 5000)
        const [analyzed] = await server.query<{ n: string }>(
          "SELECT coalesce(last_analyze, last_autoanalyze)::text AS n FROM pg_stat_user_tables WHERE relname = 'fresh'",
        )
        expect(analyzed?.n ?? null).toBeNull()
        expect((await audit.seal()).treeSize).toBe(5000)
        // The plans of the sealer's reads of pending entries (they probe the seals table).
        const log = await server.logTail(100_000)
        const plans = log
          .split(/LOG: {2}duration: /)
          .filter((p) => p.includes('fresh_seals') && /ORDER BY (e\.)?tx_id, (e\.)?uuid/.test(p))
        expect(plans.length).toBeGreaterThanOrEqual(10)
        for (const plan of plans) {
          expect(plan).not.toMatch(/Seq Scan on fresh\b/)
          expect(plan).not.toMatch(/\bSort\b/)
        }
        // verify's reads of every entry, by index too: a full verify counts the sealed past
        // (no probe of the seals); one from a checkpoint scans for unsealed entries, one seal
        // probe per entry (a hashed subplan would read every seal for every chunk).
        const cp = await audit.checkpoint()
        await write(audit as AuditLog, 100)
        await audit.seal()
        expect((await audit.verify()).ok).toBe(true)
        expect((await audit.verify({ from: cp.note })).ok).toBe(true)
        const reads = (await server.logTail(100_000))
          .split(/LOG: {2}duration: /)
          .filter((p) => p.includes('WITH c AS MATERIALIZED'))
        const scans = reads.filter((p) => /fresh_seals"? x WHERE x\.uuid/.test(p))
        expect(scans.length).toBeGreaterThanOrEqual(1)
        expect(reads.length - scans.length).toBeGreaterThanOrEqual(1)
        for (const plan of reads) {
          expect(plan).not.toMatch(/Seq Scan on fresh\b/)
          expect(plan).not.toMatch(/hashed SubPlan/)
          expect(plan).toMatch(
            scans.includes(plan)
              ? /Index Only Scan using fresh_seals_uuid_key|Index Scan using fresh_seals_uuid_key/
              : /Index Only Scan using fresh_tx_idx|Index Scan using fresh_tx_idx/,
          )
        }
      } finally {
        await audit.close()
      }
    })
  },
)
