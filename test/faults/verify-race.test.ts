// Finding 7: verify() must not report a false `truncated` when another process seals and stores a
// checkpoint while verify reads the sealer's state and the stored checkpoints.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest'
import { type AuditLog, createAuditLog, generateKeyPair } from '../../src/index.js'
import { SqlStore } from '../../src/store/sql-store.js'
import { guardEachTest } from '../support/fault-guards.js'
import { PG_URL, postgresUnavailable, uniqueSchema } from '../support/postgres.js'

// Nothing escapes uncaught and the event loop never stalls, in any test of this file.
guardEachTest({ stalls: true })

const KEYS = generateKeyPair()
const unavailable = await postgresUnavailable()
const dir = mkdtempSync(join(tmpdir(), 'auditkit-verify-race-'))
const schema = uniqueSchema('auditkit_race')

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  if (unavailable === undefined) {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 })
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await pool.end()
  }
})
afterEach(() => vi.restoreAllMocks())

const ENGINES = [
  { name: 'SQLite file', database: () => `sqlite:${join(dir, 'race.db')}`, extra: {} },
  { name: 'PostgreSQL', database: () => PG_URL, extra: { schema }, unavailable },
] as const

const write = (audit: AuditLog, n: number) =>
  audit.createLogEntries(
    Array.from({ length: n }, () => ({
      targetUserUuid: randomUUID(),
      adminUserUuid: randomUUID(),
      action: 'user_created' as const,
    })),
  )

for (const engine of ENGINES) {
  describe.skipIf('unavailable' in engine && engine.unavailable !== undefined)(`verify() races: ${engine.name}`, () => {
    test('a checkpoint stored by another process while verify reads the state is no false alarm', async () => {
      const options = {
        database: engine.database(),
        table: 'race',
        signingKey: KEYS.privateKey,
        sealIntervalMs: 0,
        ...engine.extra,
      }
      const audit = (await createAuditLog(options)) as AuditLog
      const other = (await createAuditLog(options)) as AuditLog
      try {
        await write(audit, 20)
        await audit.checkpoint()
        // The interleaving, made certain: verify reads the sealer's state, then (before verify goes
        // on) another process seals more entries and stores a checkpoint of the bigger tree.
        const sealState = SqlStore.prototype.sealState
        let armed = true
        vi.spyOn(SqlStore.prototype, 'sealState').mockImplementation(async function (this: SqlStore) {
          const state = await sealState.call(this)
          if (armed) {
            armed = false
            await write(other, 7)
            const cp = await other.checkpoint()
            expect(cp.treeSize).toBe(27)
          }
          return state
        })
        const result = await audit.verify()
        expect(armed).toBe(false)
        expect(result.problems).toEqual([])
        expect(result.ok).toBe(true)
        vi.restoreAllMocks()
        // Once it is done, the next verify meets the new checkpoint.
        const again = await audit.verify()
        expect(again.ok).toBe(true)
        expect(again.checkpointsChecked).toBe(2)
      } finally {
        await other.close()
        await audit.close()
      }
    })
  })
}
