import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type AuditLog,
  DEFAULT_ACTIONS,
  type DefaultAction,
  type Entry,
  generateKeyPair,
  type LogEntryInput,
  type SignedCheckpoint,
  type VerifyResult,
  verifyExport,
} from '../../src/index.js'
import { entryLeafHash } from '../../src/tlog/entry-leaf.js'
import { type Row, sealTo, type TamperFixture, type TamperHarness } from './tamper-harness.js'

const ORIGIN = 'audit.example.com/tamper-test'
const ORIGINAL = generateKeyPair()
const ATTACKER = generateKeyPair()

/** Entries sealed when the checkpoint is signed: more than two full 256-leaf tiles. */
const CHECKPOINT_SIZE = 600
/** Entries sealed in all: a few after the checkpoint. */
const TOTAL = 605
/** The seq most cases tamper with: in the second leaf tile, well before the checkpoint. */
const TARGET = 302
const TILE_WIDTH = 256
const HASH_SIZE = 32

const TARGET_USERS = Array.from({ length: 37 }, () => randomUUID())
const ADMINS = Array.from({ length: 5 }, () => randomUUID())

/** The i-th entry written: every optional field varies, some are null or empty. */
function input(i: number): LogEntryInput<DefaultAction> {
  return {
    targetUserUuid: TARGET_USERS[i % TARGET_USERS.length]!,
    adminUserUuid: ADMINS[i % ADMINS.length]!,
    action: DEFAULT_ACTIONS[i % DEFAULT_ACTIONS.length]!,
    ipAddress:
      i % 7 === 0 ? null : i % 2 === 0 ? `10.${i % 251}.${(i * 7) % 256}.${i % 256}` : `2001:db8::${i.toString(16)}`,
    userAgent: i % 11 === 0 ? null : `Mozilla/5.0 (test ${i}) ünïcödé ${'·'.repeat(i % 13)}`,
    metadata:
      i % 5 === 0
        ? {}
        : { n: i, tags: ['x', String(i % 3)], nested: { even: i % 2 === 0, ratio: i / 8 }, quote: 'é"\\' },
  }
}

/** Writes entries `from` to `to - 1` in transactions of up to 100. */
async function write(audit: AuditLog, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 100) {
    const batch = []
    for (let j = i; j < Math.min(i + 100, to); j++) batch.push(input(j))
    await audit.createLogEntries(batch)
  }
}

interface Built {
  readonly fx: TamperFixture
  readonly audit: AuditLog
  /** The checkpoint at CHECKPOINT_SIZE, as copied out of the database. */
  readonly cp: SignedCheckpoint
  /** The sealer's state row when `snapshotAt` entries were sealed (if asked for). */
  readonly snapshot: Row | undefined
}

/**
 * A fresh log: CHECKPOINT_SIZE entries sealed, a checkpoint (stored, and its note kept as if copied
 * out), then more entries up to TOTAL, sealed. Checks that it verifies before anyone tampers.
 */
async function build(h: TamperHarness, { snapshotAt }: { snapshotAt?: number } = {}): Promise<Built> {
  const fx = await h.open({ signingKey: ORIGINAL.privateKey, origin: ORIGIN })
  const { audit } = fx
  let snapshot: Row | undefined
  if (snapshotAt !== undefined) {
    await write(audit, 0, snapshotAt)
    await sealTo(audit, snapshotAt)
    ;[snapshot] = await fx.sql(`SELECT * FROM ${fx.tables.sealer} WHERE id = 1`)
  }
  await write(audit, snapshotAt ?? 0, CHECKPOINT_SIZE)
  await sealTo(audit, CHECKPOINT_SIZE)
  const cp = await audit.checkpoint()
  expect(cp.treeSize).toBe(CHECKPOINT_SIZE)
  for (let i = CHECKPOINT_SIZE; i < TOTAL; i++) await audit.createLogEntry(input(i))
  await sealTo(audit, TOTAL)
  await fx.settle()
  const before = await audit.verify({ checkpoints: [cp.note] })
  expect(before).toMatchObject({
    ok: true,
    problems: [],
    entries: TOTAL,
    treeSize: TOTAL,
    checkpointsChecked: 2,
    signaturesChecked: true,
  })
  return { fx, audit, cp, snapshot }
}

async function uuidAt(fx: TamperFixture, seq: number): Promise<string> {
  const [row] = await fx.sql(`SELECT uuid FROM ${fx.tables.seals} WHERE seq = ?`, [seq])
  if (row === undefined) throw new Error(`no seal at seq ${seq}`)
  return String(row.uuid)
}

/** The problems without their prose: kind, and seq and uuid where given. */
function problems(result: VerifyResult): { kind: string; seq?: number; uuid?: string }[] {
  return result.problems.map(({ kind, seq, uuid }) => ({
    kind,
    ...(seq === undefined ? {} : { seq }),
    ...(uuid === undefined ? {} : { uuid }),
  }))
}

/** Another action than the entry's. */
function otherAction(entry: Entry): DefaultAction {
  return DEFAULT_ACTIONS.find((a) => a !== entry.action) as DefaultAction
}

/** A change of one column to a value that differs from the stored one. */
interface ColumnChange {
  readonly column: string
  readonly value: (entry: Entry, fx: TamperFixture) => unknown
}

const COLUMN_CHANGES: readonly ColumnChange[] = [
  { column: 'target_user_uuid', value: () => randomUUID() },
  { column: 'admin_user_uuid', value: () => randomUUID() },
  { column: 'action', value: otherAction },
  { column: 'ip_address', value: (e) => (e.ipAddress === '203.0.113.66' ? '203.0.113.67' : '203.0.113.66') },
  { column: 'user_agent', value: (e) => `${e.userAgent ?? 'curl/8.0'} (edited)` },
  // A value inside the object changes (on PostgreSQL the parameter is read as jsonb).
  { column: 'metadata', value: (e) => JSON.stringify({ ...e.metadata, n: 999_999 }) },
  { column: 'inserted_at', value: (e, fx) => fx.dateValue(new Date(e.insertedAt.getTime() + 1)) },
]

/**
 * Tampering as an attacker with the owner's rights would do it (guards off, then plain SQL), one
 * fresh log per case, on one engine. Each case checks what `verify` reports first, exactly.
 */
export function tamperingCases(h: TamperHarness, unavailable?: string): void {
  describe.skipIf(unavailable !== undefined)(
    `tampering: ${h.name}${unavailable ? ` (skipped: ${unavailable})` : ''}`,
    () => {
      afterAll(() => h.teardown())

      describe('an entry changed in place', () => {
        for (const change of COLUMN_CHANGES) {
          it(`${change.column}: leaf_mismatch at its seq, naming it`, async () => {
            const { fx, audit, cp } = await build(h)
            const uuid = await uuidAt(fx, TARGET)
            const original = await audit.getLog(uuid)
            await fx.disableAppendOnly()
            await fx.sql(`UPDATE ${fx.tables.entries} SET ${change.column} = ? WHERE uuid = ?`, [
              change.value(original, fx),
              uuid,
            ])
            expect(await audit.getLog(uuid)).not.toEqual(original)

            const result = await audit.verify({ checkpoints: [cp.note] })
            expect(result.ok).toBe(false)
            expect(result.problems[0]).toMatchObject({ kind: 'leaf_mismatch', seq: TARGET, uuid })
            expect(problems(result)).toEqual([
              { kind: 'leaf_mismatch', seq: TARGET, uuid },
              // The tree is rebuilt from the entries as they are now: the stored checkpoint and
              // the one passed in both had another root, and so has the sealer's state.
              { kind: 'root_mismatch', seq: CHECKPOINT_SIZE },
              { kind: 'root_mismatch', seq: CHECKPOINT_SIZE },
              { kind: 'state_mismatch', seq: TOTAL },
            ])
          })
        }

        it('uuid: the seal names an entry that is gone (entry_missing), the renamed one is unsealed', async () => {
          const { fx, audit, cp } = await build(h)
          const uuid = await uuidAt(fx, TARGET)
          const renamed = randomUUID()
          await fx.disableAppendOnly()
          await fx.sql(`UPDATE ${fx.tables.entries} SET uuid = ? WHERE uuid = ?`, [renamed, uuid])

          const result = await audit.verify({ checkpoints: [cp.note] })
          expect(result.ok).toBe(false)
          expect(result.problems[0]).toMatchObject({ kind: 'entry_missing', seq: TARGET, uuid })
          expect(problems(result)).toEqual([
            { kind: 'entry_missing', seq: TARGET, uuid },
            { kind: 'unsealed_entry', uuid: renamed },
          ])
        })

        it('inserted_at moved beyond what a Date can hold: reported as leaf_mismatch, not thrown', async () => {
          const { fx, audit, cp } = await build(h)
          const uuid = await uuidAt(fx, TARGET)
          await fx.disableAppendOnly()
          // One past the largest Date (8.64e15 ms); PostgreSQL's own 'infinity'.
          const outOfRange = h.engine === 'sqlite' ? 8_640_000_000_000_001 : 'infinity'
          await fx.sql(`UPDATE ${fx.tables.entries} SET inserted_at = ? WHERE uuid = ?`, [outOfRange, uuid])

          // Read back as an invalid Date: its leaf hashes insertedAt as null, which differs from the sealed leaf.
          const result = await audit.verify({ checkpoints: [cp.note] })
          expect(result.ok).toBe(false)
          expect(result.problems[0]).toMatchObject({ kind: 'leaf_mismatch', seq: TARGET, uuid })
        })

        // SQLite stores metadata as TEXT, so an attacker can rewrite its bytes without changing its
        // value. The leaf hashes the RFC 8785 (JCS) form of the parsed value (no whitespace, keys
        // sorted), so JSON text with the same value gives the same leaf, and every read returns an
        // equal value (a key-order rewrite only changes the order keys come back in): nothing is
        // reported. (PostgreSQL
        // stores jsonb, which normalizes the text on write: there such a rewrite changes nothing.)
        it.runIf(h.engine === 'sqlite')(
          'metadata rewritten as other JSON text of the same value: not reported',
          async () => {
            const { fx, audit, cp } = await build(h)
            const uuid = await uuidAt(fx, TARGET)
            const read = async () =>
              String((await fx.sql(`SELECT metadata FROM ${fx.tables.entries} WHERE uuid = ?`, [uuid]))[0]?.metadata)
            const stored = await read()
            const value = JSON.parse(stored) as Record<string, unknown>
            expect(Object.keys(value).length).toBeGreaterThan(1)
            await fx.disableAppendOnly()

            const spaced = JSON.stringify(value, null, 2) // {"a":1} -> {\n  "a": 1\n}
            await fx.sql(`UPDATE ${fx.tables.entries} SET metadata = ? WHERE uuid = ?`, [spaced, uuid])
            expect(await read()).not.toBe(stored)
            expect(await audit.verify({ checkpoints: [cp.note] })).toMatchObject({ ok: true, problems: [] })

            const reordered = JSON.stringify(Object.fromEntries(Object.entries(value).reverse()))
            await fx.sql(`UPDATE ${fx.tables.entries} SET metadata = ? WHERE uuid = ?`, [reordered, uuid])
            expect(await read()).toBe(reordered)
            expect(await audit.verify({ checkpoints: [cp.note] })).toMatchObject({ ok: true, problems: [] })
          },
        )
      })

      describe('entries removed', () => {
        it('an entry deleted, its seal left: entry_missing naming its seq and uuid', async () => {
          const { fx, audit, cp } = await build(h)
          const uuid = await uuidAt(fx, TARGET)
          await fx.disableAppendOnly()
          await fx.sql(`DELETE FROM ${fx.tables.entries} WHERE uuid = ?`, [uuid])

          const result = await audit.verify({ checkpoints: [cp.note] })
          expect(result.ok).toBe(false)
          expect(result.problems[0]).toMatchObject({ kind: 'entry_missing', seq: TARGET, uuid })
          // The stored leaf stands in for the entry, so the tree and the checkpoints still agree.
          expect(problems(result)).toEqual([{ kind: 'entry_missing', seq: TARGET, uuid }])
        })

        it('an entry deleted with its seal: seq_gap at its seq, and the checkpoint root fails', async () => {
          const { fx, audit, cp } = await build(h)
          const uuid = await uuidAt(fx, TARGET)
          await fx.disableAppendOnly()
          await fx.sql(`DELETE FROM ${fx.tables.entries} WHERE uuid = ?`, [uuid])
          await fx.sql(`DELETE FROM ${fx.tables.seals} WHERE seq = ?`, [TARGET])

          const result = await audit.verify({ checkpoints: [cp.note] })
          expect(result.ok).toBe(false)
          // The leaf stored for the missing seq fills its place, so the tree still lines up with
          // the checkpoint and the state: the gap is the whole finding, named at its seq.
          expect(problems(result)).toEqual([{ kind: 'seq_gap', seq: TARGET }])
        })
      })

      describe('entries forged into the sealed past', () => {
        const forge = (fx: TamperFixture) => {
          const uuid = randomUUID()
          return {
            uuid,
            insert: () =>
              fx.insertIntoSealedPast({
                uuid,
                targetUserUuid: TARGET_USERS[0]!,
                adminUserUuid: ADMINS[0]!,
                action: 'role_assigned',
                ipAddress: '198.51.100.7',
                userAgent: 'forger/1.0',
                metadataJson: '{"role":"superuser"}',
                insertedAt: new Date(Date.now() - 86_400_000),
              }),
          }
        }

        it('an entry inserted before the sealed position: unsealed_entry naming it', async () => {
          const { fx, audit, cp } = await build(h)
          const forged = forge(fx)
          await fx.disableAppendOnly()
          await forged.insert()
          expect((await audit.getLog(forged.uuid)).seq).toBeNull()

          const result = await audit.verify({ checkpoints: [cp.note] })
          expect(result.ok).toBe(false)
          expect(problems(result)).toEqual([{ kind: 'unsealed_entry', uuid: forged.uuid }])
          // Sealing never picks it up later: it sorts before what was sealed.
          expect((await audit.seal()).treeSize).toBe(TOTAL)
          expect(problems(await audit.verify())).toEqual([{ kind: 'unsealed_entry', uuid: forged.uuid }])
        })

        // SQLite seals strictly in rowid order, so no sealed entry can lie after the sealed position
        // (last_id): a state row saying otherwise was edited.
        it.runIf(h.engine === 'sqlite')(
          '...and the sealed position (last_id) moved back before it: still reported',
          async () => {
            const { fx, audit, cp } = await build(h)
            const forged = forge(fx)
            await fx.disableAppendOnly()
            await forged.insert()
            await fx.sql(`UPDATE ${fx.tables.sealer} SET last_id = -1 WHERE id = 1`)

            // On SQLite nothing is ever sealed after the stored position: verify says the state row
            // was moved back, and lists unsealed entries up to the last sealed one instead.
            const result = await audit.verify({ checkpoints: [cp.note] })
            expect(result.ok).toBe(false)
            expect(problems(result)[0]).toEqual({ kind: 'state_mismatch' })
            expect(problems(result)).toContainEqual({ kind: 'unsealed_entry', uuid: forged.uuid })
          },
        )

        // verify() counts the entries up to the sealed position instead of scanning each one when
        // the seals show them all sealed. Here the counts agree (one entry forged in, the last
        // sealed one put after the position): the seal past the position must still send it to
        // the scan.
        it.runIf(h.engine === 'sqlite')(
          '...and the sealed position moved back by one entry, so that the counts agree: both reported',
          async () => {
            const { fx, audit, cp } = await build(h)
            const forged = forge(fx)
            await fx.disableAppendOnly()
            await forged.insert()
            await fx.sql(`UPDATE ${fx.tables.sealer} SET last_id = last_id - 1 WHERE id = 1`)

            const result = await audit.verify({ checkpoints: [cp.note] })
            expect(result.ok).toBe(false)
            expect(problems(result)).toContainEqual({ kind: 'state_mismatch' })
            expect(problems(result)).toContainEqual({ kind: 'unsealed_entry', uuid: forged.uuid })
          },
        )

        // The count goes a chunk of entries at a time, not of positions: a sealed position moved
        // far past the last entry must not make verify() walk 2^53 positions.
        it.runIf(h.engine === 'sqlite')(
          'the sealed position moved far ahead: verify() ends, and names the entry written after it',
          async () => {
            const { fx, audit } = await build(h)
            await fx.sql(`UPDATE ${fx.tables.sealer} SET last_id = ? WHERE id = 1`, [Number.MAX_SAFE_INTEGER])
            // Every entry is sealed still: nothing to report, but the count must end.
            expect(problems(await audit.verify())).toEqual([])
            // The sealer now takes every new entry for sealed already.
            const later = await audit.createLogEntry(input(TOTAL))
            expect((await audit.seal()).sealed).toBe(0)
            const result = await audit.verify()
            expect(result.entries).toBe(TOTAL)
            expect(problems(result)).toEqual([{ kind: 'unsealed_entry', uuid: later.uuid }])
          },
        )

        // The same count, with the seals table rebuilt without its UNIQUE (uuid): a seal moved
        // to an entry sealed already leaves as many seals as entries, one entry named twice.
        it.runIf(h.engine === 'sqlite')(
          'a seal moved to an entry sealed already (seals rebuilt without UNIQUE): the entry it left is unsealed',
          async () => {
            const { fx, audit, cp } = await build(h)
            const left = await uuidAt(fx, TARGET)
            const twice = await uuidAt(fx, TARGET - 1)
            await fx.disableAppendOnly()
            const seals = fx.tables.seals
            const rebuilt = seals.replace(/"$/, '_rebuilt"')
            await fx.sql(`CREATE TABLE ${rebuilt} (seq INTEGER PRIMARY KEY, uuid TEXT NOT NULL) STRICT`)
            await fx.sql(`INSERT INTO ${rebuilt} SELECT seq, uuid FROM ${seals}`)
            await fx.sql(`DROP TABLE ${seals}`)
            await fx.sql(`ALTER TABLE ${rebuilt} RENAME TO ${seals}`)
            await fx.sql(`UPDATE ${seals} SET uuid = ? WHERE seq = ?`, [twice, TARGET])

            const result = await audit.verify({ checkpoints: [cp.note] })
            expect(result.ok).toBe(false)
            expect(problems(result)).toContainEqual({ kind: 'unsealed_entry', uuid: left })
          },
        )

        it('...and a seal row added for it at the end, tiles and state untouched: leaf_missing', async () => {
          const { fx, audit, cp } = await build(h)
          const forged = forge(fx)
          await fx.disableAppendOnly()
          await forged.insert()
          await fx.sql(`INSERT INTO ${fx.tables.seals} (seq, uuid) VALUES (?, ?)`, [TOTAL, forged.uuid])

          const result = await audit.verify({ checkpoints: [cp.note] })
          expect(result.ok).toBe(false)
          expect(result.problems[0]).toMatchObject({ kind: 'leaf_missing', seq: TOTAL, uuid: forged.uuid })
          // The sealer's head is met at its own size (seals may legitimately be committed after
          // it was read, while verify runs); the forged seal beyond it is named by its missing leaf.
          expect(problems(result)).toEqual([{ kind: 'leaf_missing', seq: TOTAL, uuid: forged.uuid }])
        })
      })

      it('two seals swapped (through seq -1): leaf_mismatch at the lower seq, naming the entry now there', async () => {
        const { fx, audit, cp } = await build(h)
        const low = 100
        const high = 400
        const atLow = await uuidAt(fx, low)
        const atHigh = await uuidAt(fx, high)
        await fx.disableAppendOnly()
        await fx.sql(`UPDATE ${fx.tables.seals} SET seq = -1 WHERE seq = ?`, [low])
        await fx.sql(`UPDATE ${fx.tables.seals} SET seq = ? WHERE seq = ?`, [low, high])
        await fx.sql(`UPDATE ${fx.tables.seals} SET seq = ? WHERE seq = -1`, [high])
        expect(await uuidAt(fx, low)).toBe(atHigh)

        const result = await audit.verify({ checkpoints: [cp.note] })
        expect(result.ok).toBe(false)
        expect(result.problems[0]).toMatchObject({ kind: 'leaf_mismatch', seq: low, uuid: atHigh })
        expect(problems(result)).toEqual([
          { kind: 'leaf_mismatch', seq: low, uuid: atHigh },
          { kind: 'leaf_mismatch', seq: high, uuid: atLow },
          { kind: 'root_mismatch', seq: CHECKPOINT_SIZE },
          { kind: 'root_mismatch', seq: CHECKPOINT_SIZE },
          { kind: 'state_mismatch', seq: TOTAL },
        ])
      })

      describe('the newest entries dropped', () => {
        const KEPT = CHECKPOINT_SIZE - 5

        /** Deletes the entries and seals from seq KEPT on. */
        async function dropTail(fx: TamperFixture): Promise<void> {
          await fx.disableAppendOnly()
          await fx.sql(
            `DELETE FROM ${fx.tables.entries} WHERE uuid IN (SELECT uuid FROM ${fx.tables.seals} WHERE seq >= ?)`,
            [KEPT],
          )
          await fx.sql(`DELETE FROM ${fx.tables.seals} WHERE seq >= ?`, [KEPT])
        }

        /**
         * A careful attacker: the tail dropped, the sealer's state row put back as it was at KEPT
         * entries (a copy taken then), the last leaf tile cut to KEPT leaves. The log is then
         * exactly what it was at KEPT entries; only a checkpoint beyond KEPT can tell.
         */
        async function truncate({ fx, snapshot }: Built): Promise<void> {
          await dropTail(fx)
          const state = snapshot as Row
          const columns = Object.keys(state).filter((c) => c !== 'id')
          await fx.sql(
            `UPDATE ${fx.tables.sealer} SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE id = 1`,
            columns.map((c) => state[c]),
          )
          const index = Math.floor(KEPT / TILE_WIDTH)
          const [tile] = await fx.sql(`SELECT hashes FROM ${fx.tables.tiles} WHERE level = 0 AND idx = ?`, [index])
          const hashes = Buffer.from(tile?.hashes as Uint8Array).subarray(0, (KEPT % TILE_WIDTH) * HASH_SIZE)
          await fx.sql(`UPDATE ${fx.tables.tiles} SET hashes = ? WHERE level = 0 AND idx = ?`, [hashes, index])
        }

        it('stored checkpoints deleted too: only the copied-out checkpoint tells, as truncated', async () => {
          const built = await build(h, { snapshotAt: KEPT })
          const { fx, audit, cp } = built
          await truncate(built)
          await fx.sql(`DELETE FROM ${fx.tables.checkpoints}`)

          // What the database holds is consistent: its own checks find nothing.
          expect(await audit.verify()).toMatchObject({ ok: true, problems: [], entries: KEPT, checkpointsChecked: 0 })
          const result = await audit.verify({ checkpoints: [cp.note] })
          expect(result.ok).toBe(false)
          expect(problems(result)).toEqual([{ kind: 'truncated', seq: CHECKPOINT_SIZE }])
        })

        it('stored checkpoints left in place: the stored one of the larger size reports truncated', async () => {
          const built = await build(h, { snapshotAt: KEPT })
          await truncate(built)

          const result = await built.audit.verify()
          expect(result.ok).toBe(false)
          expect(problems(result)).toEqual([{ kind: 'truncated', seq: CHECKPOINT_SIZE }])
        })

        it('entries and seals only (state row and tiles left): one seq_gap from the cut to the end', async () => {
          const { fx, audit, cp } = await build(h)
          await dropTail(fx)
          await fx.sql(`DELETE FROM ${fx.tables.checkpoints}`)

          const result = await audit.verify({ checkpoints: [cp.note] })
          expect(result.ok).toBe(false)
          expect(problems(result)).toEqual([{ kind: 'seq_gap', seq: KEPT }])
          expect(result.problems[0]?.detail).toBe(`no seals at seq ${KEPT} to ${TOTAL - 1} (${TOTAL - KEPT} missing)`)
        })
      })

      it('a field changed and its stored leaf rewritten to match: root_mismatch at the checkpoint', async () => {
        const { fx, audit, cp } = await build(h)
        const uuid = await uuidAt(fx, TARGET)
        const original = await audit.getLog(uuid)
        await fx.disableAppendOnly()
        await fx.sql(`UPDATE ${fx.tables.entries} SET action = ? WHERE uuid = ?`, [otherAction(original), uuid])
        const leaf = entryLeafHash(await audit.getLog(uuid))
        expect(leaf.equals(entryLeafHash(original))).toBe(false)
        const index = Math.floor(TARGET / TILE_WIDTH)
        const [tile] = await fx.sql(`SELECT hashes FROM ${fx.tables.tiles} WHERE level = 0 AND idx = ?`, [index])
        const hashes = Buffer.from(tile?.hashes as Uint8Array)
        expect(hashes.length).toBe(TILE_WIDTH * HASH_SIZE)
        leaf.copy(hashes, (TARGET % TILE_WIDTH) * HASH_SIZE)
        await fx.sql(`UPDATE ${fx.tables.tiles} SET hashes = ? WHERE level = 0 AND idx = ?`, [hashes, index])

        const result = await audit.verify({ checkpoints: [cp.note] })
        expect(result.ok).toBe(false)
        expect(problems(result)[0]).toEqual({ kind: 'root_mismatch', seq: CHECKPOINT_SIZE })
        expect(problems(result)).toEqual([
          { kind: 'root_mismatch', seq: CHECKPOINT_SIZE },
          { kind: 'root_mismatch', seq: CHECKPOINT_SIZE },
          { kind: 'state_mismatch', seq: TOTAL },
        ])
        // The interior hashes and the state still hold the history as sealed: the log may sign
        // that tree (it is the true one), and verify keeps naming the changed entry.
        expect((await audit.checkpoint()).treeSize).toBe(TOTAL)
      })

      it('the log rebuilt with its stored checkpoints left in place: checkpoint() refuses to sign it', async () => {
        const { fx, audit } = await build(h)
        const uuid = await uuidAt(fx, TARGET)
        const original = await audit.getLog(uuid)
        await fx.disableAppendOnly()
        await fx.sql(`DELETE FROM ${fx.tables.seals}`)
        await fx.sql(`DELETE FROM ${fx.tables.tiles}`)
        await fx.resetSealerState()
        await fx.sql(`UPDATE ${fx.tables.entries} SET action = ? WHERE uuid = ?`, [otherAction(original), uuid])
        // Re-sealed, and an attacker's checkpoint stored after the log's own.
        const rebuilt = await fx.openLog({ signingKey: ATTACKER.privateKey, origin: ORIGIN })
        await sealTo(rebuilt, TOTAL)
        await rebuilt.checkpoint()
        await expect(audit.checkpoint()).rejects.toThrow(
          /^refusing to sign: the sealed tree \(605 entries\) does not extend stored checkpoint #\d+ \(600 entries\)/,
        )
      })

      it('the log rebuilt and re-signed with another key: caught by the real key and the copied-out checkpoint only', async () => {
        const { fx, audit, cp } = await build(h)
        const uuid = await uuidAt(fx, TARGET)
        const original = await audit.getLog(uuid)
        await fx.disableAppendOnly()
        await fx.sql(`DELETE FROM ${fx.tables.seals}`)
        await fx.sql(`DELETE FROM ${fx.tables.tiles}`)
        await fx.sql(`DELETE FROM ${fx.tables.checkpoints}`)
        await fx.resetSealerState()
        await fx.sql(`UPDATE ${fx.tables.entries} SET action = ? WHERE uuid = ?`, [otherAction(original), uuid])
        const rebuilt = await fx.openLog({ signingKey: ATTACKER.privateKey, origin: ORIGIN })
        await sealTo(rebuilt, TOTAL)
        expect(await uuidAt(fx, TARGET)).toBe(uuid)

        // Re-sealed but not yet re-signed: nothing is stored to contradict it, the copied-out
        // checkpoint does.
        expect(await audit.verify()).toMatchObject({ ok: true, problems: [], entries: TOTAL })
        const unsigned = await audit.verify({ checkpoints: [cp.note] })
        expect(unsigned.ok).toBe(false)
        expect(problems(unsigned)).toEqual([{ kind: 'root_mismatch', seq: CHECKPOINT_SIZE }])

        const forgedCp = await rebuilt.checkpoint()
        expect(forgedCp.treeSize).toBe(TOTAL)
        // With the attacker's key and the stored checkpoints only, the rebuilt log passes.
        expect(await rebuilt.verify()).toMatchObject({
          ok: true,
          problems: [],
          entries: TOTAL,
          checkpointsChecked: 1,
          signaturesChecked: true,
        })

        // The real public key refuses the re-signed stored checkpoint...
        const stored = await audit.verify({ publicKey: ORIGINAL.publicKey })
        expect(stored.ok).toBe(false)
        expect(problems(stored)).toEqual([{ kind: 'bad_checkpoint' }])
        expect(stored.problems[0]?.detail).toMatch(/stored checkpoint #\d+ does not verify/)
        // ...and the copied-out checkpoint shows what changed: the tree of its size has another
        // root (after the refused stored checkpoint, which is reported first).
        const copied = await audit.verify({ checkpoints: [cp.note] })
        expect(copied.ok).toBe(false)
        expect(problems(copied)).toEqual([{ kind: 'bad_checkpoint' }, { kind: 'root_mismatch', seq: CHECKPOINT_SIZE }])
        expect(copied.problems[1]?.detail).toMatch(/^checkpoint 0 passed in has another root/)
        // The attacker's log, told the real key, says the same.
        expect(problems(await rebuilt.verify({ checkpoints: [cp.note], publicKey: ORIGINAL.publicKey }))).toEqual([
          { kind: 'bad_checkpoint' },
          { kind: 'root_mismatch', seq: CHECKPOINT_SIZE },
        ])
      })

      describe('verifyExport', () => {
        let lines: string[] = []
        let cp: SignedCheckpoint
        const withLine = (at: number, line: string) => lines.map((l, i) => (i === at ? line : l))
        const edited = (at: number) => {
          const entry = JSON.parse(lines[at] as string) as Entry
          return withLine(at, JSON.stringify({ ...entry, action: otherAction(entry) }))
        }

        beforeAll(async () => {
          if (unavailable !== undefined) return
          const built = await build(h)
          cp = built.cp
          lines = []
          for await (const line of built.audit.exportLog()) lines.push(line)
        })

        it('the untampered export verifies', async () => {
          expect(lines).toHaveLength(TOTAL)
          expect(await verifyExport(lines, cp.note, ORIGINAL.publicKey)).toMatchObject({
            ok: true,
            problems: [],
            entries: TOTAL,
            treeSize: TOTAL,
            checkpointsChecked: 1,
          })
          expect(await verifyExport(lines.join('\n'), [cp.note], ORIGINAL.publicKey)).toMatchObject({ ok: true })
        })

        it('a field edited in a line: root_mismatch at the checkpoint (no stored leaves to compare)', async () => {
          const result = await verifyExport(edited(TARGET), cp.note, ORIGINAL.publicKey)
          expect(result.ok).toBe(false)
          expect(problems(result)).toEqual([{ kind: 'root_mismatch', seq: CHECKPOINT_SIZE }])
        })

        it('a line edited after the checkpoint is not covered by it (not reported)', async () => {
          const result = await verifyExport(edited(TOTAL - 2), cp.note, ORIGINAL.publicKey)
          expect(result).toMatchObject({ ok: true, problems: [] })
        })

        it('a line dropped: seq_gap at its seq', async () => {
          const result = await verifyExport(
            lines.filter((_, i) => i !== TARGET),
            cp.note,
            ORIGINAL.publicKey,
          )
          expect(result.ok).toBe(false)
          expect(problems(result)[0]).toEqual({ kind: 'seq_gap', seq: TARGET })
          expect(problems(result)).toEqual([
            { kind: 'seq_gap', seq: TARGET },
            { kind: 'root_mismatch', seq: CHECKPOINT_SIZE },
          ])
        })

        it('the export cut short: truncated at the checkpoint size', async () => {
          const result = await verifyExport(lines.slice(0, CHECKPOINT_SIZE - 5), cp.note, ORIGINAL.publicKey)
          expect(result.ok).toBe(false)
          expect(problems(result)).toEqual([{ kind: 'truncated', seq: CHECKPOINT_SIZE }])
        })

        it('a garbage line: bad_line naming the line', async () => {
          const withGarbage = [...lines.slice(0, TARGET), 'this is not an entry', ...lines.slice(TARGET)]
          const result = await verifyExport(withGarbage, cp.note, ORIGINAL.publicKey)
          expect(result.ok).toBe(false)
          expect(problems(result)).toEqual([{ kind: 'bad_line' }])
          expect(result.problems[0]?.detail).toBe(`line ${TARGET + 1} is not JSON`)
        })

        it('another public key: bad_checkpoint', async () => {
          const result = await verifyExport(lines, cp.note, ATTACKER.publicKey)
          expect(result.ok).toBe(false)
          expect(problems(result)).toEqual([{ kind: 'bad_checkpoint' }])
        })
      })

      describe('the append-only guards, left on', () => {
        let fx: TamperFixture
        let uuid: string
        beforeAll(async () => {
          if (unavailable !== undefined) return
          const built = await build(h)
          fx = built.fx
          uuid = await uuidAt(fx, TARGET)
        })

        const attempts: { name: string; sql: (fx: TamperFixture) => string; params: () => unknown[] }[] = [
          {
            name: 'UPDATE of entries',
            sql: (f) => `UPDATE ${f.tables.entries} SET action = 'user_deleted' WHERE uuid = ?`,
            params: () => [uuid],
          },
          {
            name: 'DELETE of entries',
            sql: (f) => `DELETE FROM ${f.tables.entries} WHERE uuid = ?`,
            params: () => [uuid],
          },
          {
            name: 'UPSERT of entries (INSERT ... ON CONFLICT DO UPDATE)',
            sql: (f) =>
              `INSERT INTO ${f.tables.entries} (uuid, target_user_uuid, admin_user_uuid, action, ip_address, user_agent, metadata, inserted_at) ` +
              `SELECT uuid, target_user_uuid, admin_user_uuid, 'user_deleted', ip_address, user_agent, metadata, inserted_at ` +
              `FROM ${f.tables.entries} WHERE uuid = ? ON CONFLICT (uuid) DO UPDATE SET action = excluded.action`,
            params: () => [uuid],
          },
          {
            name: 'UPDATE of seals',
            sql: (f) => `UPDATE ${f.tables.seals} SET seq = seq + 100000 WHERE seq = ?`,
            params: () => [TARGET],
          },
          {
            name: 'DELETE of seals',
            sql: (f) => `DELETE FROM ${f.tables.seals} WHERE seq = ?`,
            params: () => [TARGET],
          },
          {
            name: 'UPDATE of checkpoints',
            sql: (f) => `UPDATE ${f.tables.checkpoints} SET note = 'forged'`,
            params: () => [],
          },
          { name: 'DELETE of checkpoints', sql: (f) => `DELETE FROM ${f.tables.checkpoints}`, params: () => [] },
        ]
        if (h.engine === 'sqlite') {
          attempts.push({
            name: 'INSERT OR REPLACE of entries',
            sql: (f) =>
              `INSERT OR REPLACE INTO ${f.tables.entries} (id, uuid, target_user_uuid, admin_user_uuid, action, ip_address, user_agent, metadata, inserted_at) ` +
              `SELECT id, uuid, target_user_uuid, admin_user_uuid, 'user_deleted', ip_address, user_agent, metadata, inserted_at ` +
              `FROM ${f.tables.entries} WHERE uuid = ?`,
            params: () => [uuid],
          })
        } else {
          for (const table of ['entries', 'seals', 'checkpoints'] as const) {
            attempts.push({ name: `TRUNCATE of ${table}`, sql: (f) => `TRUNCATE ${f.tables[table]}`, params: () => [] })
          }
        }

        for (const attempt of attempts) {
          it(`${attempt.name} is refused as append-only`, async () => {
            await expect(fx.sql(attempt.sql(fx), attempt.params())).rejects.toThrow(/append-only/)
          })
        }

        it('after every refused attempt the log still verifies', async () => {
          expect(await fx.audit.verify()).toMatchObject({ ok: true, problems: [], entries: TOTAL })
        })
      })
    },
  )
}
