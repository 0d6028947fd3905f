// Finding 2: anyone who can INSERT into the entries table can store a row auditkit would never
// write. Sealing must go on past it (a leaf from the row's stored text), reads must refuse it with
// a StoreError, and verify and verifyExport must name it without failing the rest.
import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, test } from 'vitest'
import { type AuditLog, generateKeyPair, StoreError, verifyExport } from '../../src/index.js'
import { guardEachTest } from '../support/fault-guards.js'
import { postgresUnavailable } from '../support/postgres.js'
import {
  postgresTamperHarness,
  sqliteTamperHarness,
  type TamperFixture,
  type TamperHarness,
} from '../tamper/tamper-harness.js'

const KEYS = generateKeyPair()
const ORIGIN = 'audit.example.com/bad-rows'

/** A bad row: what goes in each column, as raw SQL text on each engine. */
interface BadShape {
  readonly name: string
  readonly engines: readonly ('sqlite' | 'postgres')[]
  /** The metadata column's text. */
  readonly metadata: string
  /** inserted_at: null for a normal date. */
  readonly insertedAt?: { sqlite: number; postgres: string }
  /**
   * Whether reads return it: a row of the documented shape that only canonical JSON refuses (a
   * number JavaScript reads as Infinity, nesting deeper than canonical JSON goes) reads back; a
   * row of another shape is refused with a StoreError.
   */
  readonly readable: boolean
}

const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`

const SHAPES: readonly BadShape[] = [
  // PostgreSQL stores the number exactly; JavaScript reads Infinity, which JSON cannot canonicalise.
  {
    name: 'a number JavaScript cannot hold (1e400)',
    engines: ['sqlite', 'postgres'],
    metadata: '{"a":1e400}',
    readable: true,
  },
  // Deeper than canonical JSON goes (1000), shallower than what vitest can pass between processes.
  { name: 'metadata nested 1,500 levels deep', engines: ['sqlite', 'postgres'], metadata: deep(1500), readable: true },
  { name: 'metadata that is not JSON', engines: ['sqlite'], metadata: 'not json {', readable: false },
  { name: 'metadata that is an array, not an object', engines: ['sqlite'], metadata: '[1,2,3]', readable: false },
  { name: 'metadata that is JSON null', engines: ['sqlite'], metadata: 'null', readable: false },
  {
    name: 'a date a JavaScript Date cannot hold',
    engines: ['sqlite', 'postgres'],
    metadata: '{}',
    insertedAt: { sqlite: 9e15, postgres: 'infinity' },
    readable: false,
  },
]

function cases(h: TamperHarness, unavailable?: string) {
  describe.skipIf(unavailable !== undefined)(
    `rows auditkit would never write: ${h.name}${unavailable ? ` (skipped: ${unavailable})` : ''}`,
    () => {
      afterAll(() => h.teardown())
      // Whatever a row holds, nothing escapes uncaught and the event loop never stalls.
      guardEachTest({ stalls: true })

      async function insertRaw(fx: TamperFixture, shape: BadShape): Promise<string> {
        const uuid = randomUUID()
        const at = shape.insertedAt === undefined ? fx.dateValue(new Date()) : shape.insertedAt[fx.engine]
        const cast = fx.engine === 'postgres' ? '::jsonb' : ''
        await fx.sql(
          `INSERT INTO ${fx.tables.entries} (uuid, target_user_uuid, admin_user_uuid, action, ip_address, user_agent, metadata, inserted_at) ` +
            `VALUES (?, ?, ?, 'user_created', NULL, NULL, ?${cast}, ?)`,
          [uuid, randomUUID(), randomUUID(), shape.metadata, at],
        )
        return uuid
      }

      const write = (audit: AuditLog, n: number) =>
        audit.createLogEntries(
          Array.from({ length: n }, (_, i) => ({
            targetUserUuid: randomUUID(),
            adminUserUuid: randomUUID(),
            action: 'user_updated' as const,
            metadata: { i },
          })),
        )

      for (const shape of SHAPES.filter((s) => s.engines.includes(h.engine))) {
        const reads = shape.readable ? 'read back' : 'refused by reads'
        test(`${shape.name}: sealed with everything after it, ${reads}, named by verify`, async () => {
          const fx = await h.open({ signingKey: KEYS.privateKey, origin: ORIGIN })
          const { audit } = fx
          await write(audit, 3)
          const bad = await insertRaw(fx, shape)
          const after = await write(audit, 4)

          // Sealing does not stop at the row: everything, the entries after it included, is sealed.
          const sealed = await audit.seal()
          expect(sealed.treeSize).toBe(8)
          for (const e of after) expect((await audit.getLog(e.uuid)).seq).not.toBeNull()
          const checkpoint = await audit.checkpoint()
          expect(checkpoint.treeSize).toBe(8)

          // Reads refuse a row of another shape rather than hand out a value of another type.
          const read = await audit.getLog(bad).catch((e: unknown) => e)
          if (shape.readable) {
            expect(read).toMatchObject({ uuid: bad, seq: 3 })
            expect(await audit.listLogs()).toHaveLength(8)
          } else {
            expect(read).toBeInstanceOf(StoreError)
            expect((read as StoreError).message).toContain(bad)
            expect((read as StoreError).retryable).toBe(false)
            await expect(audit.listLogs()).rejects.toBeInstanceOf(StoreError)
          }
          expect(await audit.countLogs()).toBe(8)

          // verify names the row, and only the row: no leaf mismatch, checkpoints met.
          const result = await audit.verify({ checkpoints: [checkpoint.note] })
          expect(result.problems.map((p) => ({ kind: p.kind, uuid: p.uuid }))).toEqual([
            { kind: 'unreadable_entry', uuid: bad },
          ])
          expect(result.entries).toBe(8)
          expect(result.checkpointsChecked).toBeGreaterThanOrEqual(2)

          // The export carries the row so that verifyExport recomputes the same leaf.
          const lines: string[] = []
          for await (const line of audit.exportLog()) lines.push(line)
          expect(lines).toHaveLength(8)
          const offline = await verifyExport(lines, checkpoint.note, KEYS.publicKey)
          expect(offline.problems.map((p) => ({ kind: p.kind, uuid: p.uuid }))).toEqual([
            { kind: 'unreadable_entry', uuid: bad },
          ])
          // ...and a change to that line no longer gives the checkpoint's root.
          const edited = lines.map((l) =>
            l.includes(bad) ? l.replace('"action":"user_created"', '"action":"user_deleted"') : l,
          )
          expect(edited).not.toEqual(lines)
          const changed = await verifyExport(edited, checkpoint.note, KEYS.publicKey)
          expect(changed.problems.map((p) => p.kind)).toContain('root_mismatch')

          // More entries after it still seal.
          await write(audit, 2)
          expect((await audit.seal()).treeSize).toBe(10)
        })
      }

      test('a bad row edited after sealing is a leaf mismatch naming it', async () => {
        const fx = await h.open({ signingKey: KEYS.privateKey, origin: ORIGIN })
        const shape = SHAPES[0] as BadShape
        const bad = await insertRaw(fx, shape)
        await write(fx.audit, 2)
        expect((await fx.audit.seal()).treeSize).toBe(3)
        await fx.disableAppendOnly()
        const cast = fx.engine === 'postgres' ? '::jsonb' : ''
        await fx.sql(`UPDATE ${fx.tables.entries} SET metadata = ?${cast} WHERE uuid = ?`, ['{"a":2e400}', bad])
        const result = await fx.audit.verify()
        // The changed leaf no longer gives the sealer's stored root either.
        expect(result.problems.map((p) => ({ kind: p.kind, uuid: p.uuid }))).toEqual([
          { kind: 'leaf_mismatch', uuid: bad },
          { kind: 'state_mismatch', uuid: undefined },
        ])
      })
    },
  )
}

cases(sqliteTamperHarness())
cases(postgresTamperHarness(), await postgresUnavailable())
