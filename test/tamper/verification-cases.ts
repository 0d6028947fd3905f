import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import {
  type AuditLog,
  AuditLogError,
  createAuditLog,
  DEFAULT_ACTIONS,
  type DefaultAction,
  type Entry,
  entryLeafHash,
  generateKeyPair,
  IntegrityError,
  type LogEntryInput,
  NoteError,
  NotFoundError,
  readCheckpoint,
  StoreError,
  ValidationError,
  type VerifyProgress,
  type VerifyResult,
  verifyCheckpoint,
  verifyConsistencyProof,
  verifyEntryInclusion,
  verifyExport,
  verifyInclusion,
  verifyInclusionProof,
} from '../../src/index.js'
import { expectInvalid, userId } from '../contract/helpers.js'
import { PG_URL } from '../support/postgres.js'
import { sealTo, type TamperFixture, type TamperHarness } from './tamper-harness.js'

const ORIGIN = 'audit.example.com/verification-test'
const KEY_A = generateKeyPair()
const KEY_B = generateKeyPair()
const KEY_C = generateKeyPair()
const STRANGER = generateKeyPair()
const TILE_WIDTH = 256
const HASH_SIZE = 32

/** The i-th entry written: the optional fields vary. */
function input(i: number): LogEntryInput<DefaultAction> {
  return {
    targetUserUuid: userId(),
    adminUserUuid: userId(),
    action: DEFAULT_ACTIONS[i % DEFAULT_ACTIONS.length] as DefaultAction,
    ipAddress: i % 3 === 0 ? null : `10.0.${i % 256}.${(i * 7) % 256}`,
    userAgent: i % 4 === 0 ? null : `agent ${i} ünïcödé`,
    metadata: i % 5 === 0 ? {} : { n: i, nested: { even: i % 2 === 0 } },
  }
}

/** Writes `count` entries in transactions of up to 1000; returns them in the order written. */
async function write(audit: AuditLog, count: number): Promise<Entry[]> {
  const written: Entry[] = []
  for (let i = 0; i < count; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, count - i) }, (_, j) => input(i + j))
    written.push(...(await audit.createLogEntries(batch)))
  }
  return written
}

/** Writes `count` entries and seals until the tree holds `size`. */
async function writeAndSeal(audit: AuditLog, count: number, size: number): Promise<Entry[]> {
  const written = await write(audit, count)
  await sealTo(audit, size)
  return written
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = []
  for await (const line of lines) out.push(line)
  return out
}

/** What the promise rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => expect.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  )
}

/** Another action than the entry's. */
function otherAction(entry: Entry): DefaultAction {
  return DEFAULT_ACTIONS.find((a) => a !== entry.action) as DefaultAction
}

/** The note with its tree size raised by one, its signature line left as it was. */
function editedNote(note: string): string {
  const lines = note.split('\n')
  lines[1] = String(Number(lines[1]) + 1)
  return lines.join('\n')
}

/** The entries as the log reads them now, in seq order (unsealed ones left out). */
async function inSeqOrder(audit: AuditLog, entries: readonly Entry[]): Promise<Entry[]> {
  const read = await Promise.all(entries.map((e) => audit.getLog(e.uuid)))
  return read.filter((e) => e.seq !== null).sort((a, b) => (a.seq as number) - (b.seq as number))
}

/** The problems without their prose: kind, and seq and uuid where given. */
function problems(result: VerifyResult): { kind: string; seq?: number; uuid?: string }[] {
  return result.problems.map(({ kind, seq, uuid }) => ({
    kind,
    ...(seq === undefined ? {} : { seq }),
    ...(uuid === undefined ? {} : { uuid }),
  }))
}

/** Changes an entry's action and metadata with raw SQL, as the database owner can. */
async function editEntry(fx: TamperFixture, entry: Entry): Promise<Entry> {
  await fx.disableAppendOnly()
  await fx.sql(`UPDATE ${fx.tables.entries} SET action = ?, metadata = ? WHERE uuid = ?`, [
    otherAction(entry),
    JSON.stringify({ forged: true }),
    entry.uuid,
  ])
  const edited = await fx.audit.getLog(entry.uuid)
  expect(edited).toMatchObject({ action: otherAction(entry), metadata: { forged: true } })
  return edited
}

/** Writes `leaf` over the stored leaf hash of `seq` in its level-0 tile. */
async function rewriteStoredLeaf(fx: TamperFixture, seq: number, leaf: Buffer): Promise<void> {
  const index = Math.floor(seq / TILE_WIDTH)
  const [tile] = await fx.sql(`SELECT hashes FROM ${fx.tables.tiles} WHERE level = 0 AND idx = ?`, [index])
  const hashes = Buffer.from(tile?.hashes as Uint8Array)
  expect(hashes.length).toBeGreaterThanOrEqual(((seq % TILE_WIDTH) + 1) * HASH_SIZE)
  leaf.copy(hashes, (seq % TILE_WIDTH) * HASH_SIZE)
  await fx.sql(`UPDATE ${fx.tables.tiles} SET hashes = ? WHERE level = 0 AND idx = ?`, [hashes, index])
}

/**
 * The verification API of issue 8 against a real database on one engine: proofs bound to an
 * entry's content, key rotation, checkpoint reads, seq-range reads and export, incremental and
 * cancellable verify, and the error codes. Each case opens a fresh log.
 */
export function verificationCases(h: TamperHarness, unavailable?: string): void {
  describe.skipIf(unavailable !== undefined)(
    `verification API: ${h.name}${unavailable ? ` (skipped: ${unavailable})` : ''}`,
    () => {
      afterAll(() => h.teardown())
      const open = () => h.open({ signingKey: KEY_A.privateKey, origin: ORIGIN })

      describe('inclusion proofs bound to the entry', () => {
        it('an entry edited after sealing: verifyEntryInclusion says leaf_mismatch, while verifyInclusionProof (which proves the leaf hash, not the entry) still says ok', async () => {
          const fx = await open()
          const { audit } = fx
          const written = await writeAndSeal(audit, 5, 5)
          const cp = await audit.checkpoint()
          expect(cp.treeSize).toBe(5)
          const entry = await audit.getLog((written[2] as Entry).uuid)
          const proof = await audit.proveInclusion(entry.uuid, cp.treeSize)
          expect(proof).toMatchObject({ leafIndex: entry.seq, treeSize: 5 })
          expect(verifyEntryInclusion(entry, proof, cp.note, KEY_A.publicKey, { origin: ORIGIN })).toMatchObject({
            ok: true,
            checkpoint: { origin: ORIGIN, treeSize: 5, rootHash: cp.rootHash },
            leafHash: proof.leafHash,
          })

          const edited = await editEntry(fx, entry)
          expect(verifyEntryInclusion(edited, proof, cp.note, KEY_A.publicKey, { origin: ORIGIN })).toMatchObject({
            ok: false,
            code: 'leaf_mismatch',
          })
          // The old proof of the old leaf hash is still a valid proof: it says nothing about the entry.
          expect(verifyInclusionProof(proof, cp.note, KEY_A.publicKey, { origin: ORIGIN })).toMatchObject({
            ok: true,
            checkpoint: { treeSize: 5, rootHash: cp.rootHash },
          })
          expect(verifyInclusion(proof, cp.note, KEY_A.publicKey)).toBe(true)

          // The log refuses to prove the changed entry, at any size...
          for (const size of [undefined, cp.treeSize]) {
            const refused = await rejection(audit.proveInclusion(entry.uuid, size))
            expect(refused).toBeInstanceOf(IntegrityError)
            expect(refused).toMatchObject({ code: 'leaf_mismatch' })
            expect((refused as Error).message).toContain(entry.uuid)
          }
          // ...but still proves the others.
          const untouched = await audit.getLog((written[0] as Entry).uuid)
          const other = await audit.proveInclusion(untouched.uuid, cp.treeSize)
          expect(verifyEntryInclusion(untouched, other, cp.note, KEY_A.publicKey, { origin: ORIGIN }).ok).toBe(true)

          await fx.settle()
          const result = await audit.verify()
          expect(result.ok).toBe(false)
          expect(problems(result)[0]).toEqual({ kind: 'leaf_mismatch', seq: entry.seq, uuid: entry.uuid })
        })

        it('the checkpoint is checked too: another origin wrong_origin, another key unknown_key, an edited note bad_signature', async () => {
          const { audit } = await open()
          const [first] = await writeAndSeal(audit, 4, 4)
          const cp = await audit.checkpoint()
          const entry = await audit.getLog((first as Entry).uuid)
          const proof = await audit.proveInclusion(entry.uuid, cp.treeSize)
          const check = (note: string, key: string, origin: string) =>
            verifyEntryInclusion(entry, proof, note, key, { origin })

          expect(check(cp.note, KEY_A.publicKey, ORIGIN).ok).toBe(true)
          expect(check(cp.note, KEY_A.publicKey, 'audit.example.com/another-log')).toMatchObject({
            ok: false,
            code: 'wrong_origin',
          })
          expect(check(cp.note, STRANGER.publicKey, ORIGIN)).toMatchObject({ ok: false, code: 'unknown_key' })
          expect(check(editedNote(cp.note), KEY_A.publicKey, ORIGIN)).toMatchObject({
            ok: false,
            code: 'bad_signature',
          })
          expect(verifyInclusionProof(proof, editedNote(cp.note), KEY_A.publicKey)).toMatchObject({
            ok: false,
            code: 'bad_signature',
          })
        })
      })

      describe('key rotation', () => {
        it('three keys in turn: each new log trusts the old keys; verify, proofs and verifyExport accept every key the log signed with', async () => {
          const fx = await open()
          await writeAndSeal(fx.audit, 3, 3)
          const cpA = await fx.audit.checkpoint()
          const logB = await fx.openLog({
            signingKey: KEY_B.privateKey,
            origin: ORIGIN,
            trustedKeys: [KEY_A.publicKey],
          })
          await writeAndSeal(logB, 2, 5)
          const cpB = await logB.checkpoint()
          const logC = await fx.openLog({
            signingKey: KEY_C.privateKey,
            origin: ORIGIN,
            trustedKeys: [KEY_A.publicKey, KEY_B.publicKey],
          })
          await writeAndSeal(logC, 2, 7)
          const cpC = await logC.checkpoint()
          expect([cpA.treeSize, cpB.treeSize, cpC.treeSize]).toEqual([3, 5, 7])
          // Each checkpoint is signed by its own key only.
          expect(verifyCheckpoint(cpA.note, KEY_A.publicKey).ok).toBe(true)
          expect(verifyCheckpoint(cpB.note, KEY_B.publicKey).ok).toBe(true)
          expect(verifyCheckpoint(cpB.note, KEY_A.publicKey)).toMatchObject({ ok: false, code: 'unknown_key' })
          expect(verifyCheckpoint(cpC.note, KEY_C.publicKey).ok).toBe(true)
          await fx.settle()

          const allKeys = [KEY_A.publicKey, KEY_B.publicKey, KEY_C.publicKey]
          const stored = (await fx.audit.listCheckpoints()).length
          expect(stored).toBe(3)
          expect(await fx.audit.verify({ publicKey: allKeys })).toMatchObject({
            ok: true,
            problems: [],
            entries: 7,
            checkpointsChecked: stored,
            signaturesChecked: true,
          })
          // With the newest key alone, the checkpoints of the keys before it do not verify.
          const newestOnly = await fx.audit.verify({ publicKey: KEY_C.publicKey })
          expect(newestOnly.ok).toBe(false)
          expect(problems(newestOnly)).toEqual([{ kind: 'bad_checkpoint' }, { kind: 'bad_checkpoint' }])
          expect(newestOnly.checkpointsChecked).toBe(1)
          // The log opened with C and trusting A and B verifies by default; the one with A alone does not.
          expect(await logC.verify()).toMatchObject({ ok: true, checkpointsChecked: stored, signaturesChecked: true })
          expect(problems(await fx.audit.verify())).toEqual([{ kind: 'bad_checkpoint' }, { kind: 'bad_checkpoint' }])

          const proof = await logC.proveConsistency(cpA.treeSize, cpC.treeSize)
          expect(verifyConsistencyProof(proof, cpA.note, cpC.note, [KEY_A.publicKey, KEY_C.publicKey])).toMatchObject({
            ok: true,
            oldCheckpoint: { treeSize: 3, rootHash: cpA.rootHash },
            newCheckpoint: { treeSize: 7, rootHash: cpC.rootHash },
          })
          expect(verifyConsistencyProof(proof, cpA.note, cpC.note, [KEY_C.publicKey])).toMatchObject({
            ok: false,
            code: 'unknown_key',
          })

          const lines = await collect(logC.exportLog())
          expect(lines).toHaveLength(7)
          expect(await verifyExport(lines, [cpA.note, cpB.note, cpC.note], allKeys)).toMatchObject({
            ok: true,
            problems: [],
            entries: 7,
            checkpointsChecked: 3,
          })
          const withoutB = await verifyExport(lines, [cpA.note, cpB.note, cpC.note], [KEY_A.publicKey, KEY_C.publicKey])
          expect(problems(withoutB)).toEqual([{ kind: 'bad_checkpoint' }])
        })

        it('history rewritten before a rotation: the new key refuses to sign (history_rewritten) when it trusts the old keys, and signs when it does not', async () => {
          const fx = await open()
          const written = await writeAndSeal(fx.audit, 3, 3)
          await fx.audit.checkpoint()
          const logB = await fx.openLog({
            signingKey: KEY_B.privateKey,
            origin: ORIGIN,
            trustedKeys: [KEY_A.publicKey],
          })
          await writeAndSeal(logB, 2, 5)
          const cpB = await logB.checkpoint()

          // The owner changes an early entry and rebuilds the seals and the tree to match it.
          const target = await fx.audit.getLog((written[1] as Entry).uuid)
          await editEntry(fx, target)
          await fx.sql(`DELETE FROM ${fx.tables.seals}`)
          await fx.sql(`DELETE FROM ${fx.tables.tiles}`)
          await fx.resetSealerState()
          await sealTo(fx.audit, 5)
          expect((await fx.audit.treeHead()).rootHash).not.toBe(cpB.rootHash)

          const trusting = await fx.openLog({
            signingKey: KEY_C.privateKey,
            origin: ORIGIN,
            trustedKeys: [KEY_A.publicKey, KEY_B.publicKey],
          })
          const refused = await rejection(trusting.checkpoint())
          expect(refused).toBeInstanceOf(IntegrityError)
          expect(refused).toMatchObject({ code: 'history_rewritten' })
          expect((refused as Error).message).toMatch(/does not extend stored checkpoint #\d+ \(5 entries\)/)
          expect(await trusting.listCheckpoints()).toHaveLength(2)

          // Without trustedKeys the new key knows no checkpoint to continue from: it signs the rewritten tree.
          const unaware = await fx.openLog({ signingKey: KEY_C.privateKey, origin: ORIGIN })
          const signed = await unaware.checkpoint()
          expect(signed.treeSize).toBe(5)
          expect(readCheckpoint(signed.note, KEY_C.publicKey).treeSize).toBe(5)
          // The keys of the whole history show what that signature hides.
          await fx.settle()
          const result = await trusting.verify()
          expect(result.ok).toBe(false)
          expect(problems(result)).toEqual([
            { kind: 'root_mismatch', seq: 3 },
            { kind: 'root_mismatch', seq: 5 },
          ])
        })
      })

      describe('checkpoint reads', () => {
        it('latestCheckpoint and listCheckpoints read the stored checkpoints oldest first, without signing, and need no key', async () => {
          const fx = await open()
          const { audit } = fx
          expect(await audit.latestCheckpoint()).toBeNull()
          expect(await audit.listCheckpoints()).toEqual([])
          const started = Date.now()
          const signed = []
          let size = 0
          for (const next of [3, 7, 12]) {
            await writeAndSeal(audit, next - size, next)
            size = next
            const head = await audit.treeHead()
            const cp = await audit.checkpoint()
            expect(cp).toMatchObject({ treeSize: next, rootHash: head.rootHash, origin: ORIGIN })
            signed.push(cp)
          }

          const listed = await audit.listCheckpoints()
          expect(listed).toEqual(signed)
          for (const cp of listed) {
            expect(readCheckpoint(cp.note, KEY_A.publicKey)).toEqual({
              origin: ORIGIN,
              treeSize: cp.treeSize,
              rootHash: cp.rootHash,
            })
            expect(cp.createdAt).toBeInstanceOf(Date)
            expect(cp.createdAt.getTime()).toBeGreaterThanOrEqual(started - 1000)
            expect(cp.createdAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000)
          }
          expect(await audit.latestCheckpoint()).toEqual(signed[2])
          const sizes = async (options: { fromSize?: number; limit?: number }) =>
            (await audit.listCheckpoints(options)).map((c) => c.treeSize)
          expect(await sizes({ fromSize: 7 })).toEqual([7, 12])
          expect(await sizes({ fromSize: 8 })).toEqual([12])
          expect(await sizes({ fromSize: 13 })).toEqual([])
          expect(await sizes({ limit: 2 })).toEqual([3, 7])
          expect(await sizes({ fromSize: 4, limit: 1 })).toEqual([7])

          // Paging on from the last one read.
          const pages: number[][] = []
          for (let fromSize = 0; ; ) {
            const page = await audit.listCheckpoints({ fromSize, limit: 2 })
            if (page.length === 0) break
            pages.push(page.map((c) => c.treeSize))
            fromSize = (page.at(-1) as { treeSize: number }).treeSize + 1
          }
          expect(pages).toEqual([[3, 7], [12]])

          // A log without a signing key reads them (and cannot sign).
          const reader = await fx.openLog({ origin: ORIGIN })
          expect(await reader.listCheckpoints()).toEqual(signed)
          expect(await reader.latestCheckpoint()).toEqual(signed[2])
          await expectInvalid(reader.checkpoint(), ['signingKey'])
          // Reading signed nothing; with nothing sealed since, checkpoint() returns the newest one.
          expect(await audit.listCheckpoints()).toHaveLength(3)
          expect(await audit.checkpoint()).toEqual(signed[2])
          expect(await audit.listCheckpoints()).toHaveLength(3)
        })

        it('bad options are refused with a ValidationError naming the field', async () => {
          const { audit } = await open()
          await expectInvalid(audit.listCheckpoints({ fromSize: -1 }), ['fromSize'])
          await expectInvalid(audit.listCheckpoints({ fromSize: 1.5 }), ['fromSize'])
          await expectInvalid(audit.listCheckpoints({ limit: 0 }), ['limit'])
          await expectInvalid(audit.listCheckpoints({ limit: 1001 }), ['limit'])
          // @ts-expect-error not an option
          await expectInvalid(audit.listCheckpoints({ fromSeq: 1 }), ['fromSeq'])
        })
      })

      describe('reads by seq', () => {
        it('readSealed returns the sealed entries of a seq range in seq order, never unsealed ones', async () => {
          const fx = await open()
          const { audit } = fx
          const sealed = await writeAndSeal(audit, 8, 8)
          const pending = await write(audit, 2)
          const bySeq = await inSeqOrder(audit, sealed)
          expect(bySeq.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])

          expect(await audit.readSealed({ fromSeq: 2, toSeq: 6 })).toEqual(bySeq.slice(2, 6))
          expect(await audit.readSealed({ fromSeq: 0, toSeq: 1 })).toEqual(bySeq.slice(0, 1))
          expect(await audit.readSealed({ fromSeq: 3, toSeq: 3 })).toEqual([])
          // Beyond the sealed size: what is sealed, without the entries written since.
          const tail = await audit.readSealed({ fromSeq: 5, toSeq: 100 })
          expect(tail).toEqual(bySeq.slice(5))
          expect(await audit.readSealed({ fromSeq: 0, toSeq: 10_000 })).toEqual(bySeq)
          expect(await audit.readSealed({ fromSeq: 8, toSeq: 20 })).toEqual([])
          for (const e of pending) expect((await audit.getLog(e.uuid)).seq).toBeNull()

          // Once sealed, they follow.
          await sealTo(audit, 10)
          const next = await audit.readSealed({ fromSeq: 8, toSeq: 20 })
          expect(next.map((e) => e.seq)).toEqual([8, 9])
          expect(next.map((e) => e.uuid).sort()).toEqual(pending.map((e) => e.uuid).sort())
          expect(next).toEqual(await inSeqOrder(audit, pending))
        })

        it('readSealed refuses a range of more than 10000, a reversed range and missing fields', async () => {
          const { audit } = await open()
          await expectInvalid(audit.readSealed({ fromSeq: 0, toSeq: 10_001 }), ['toSeq'])
          await expectInvalid(audit.readSealed({ fromSeq: 5, toSeq: 4 }), ['toSeq'])
          await expectInvalid(audit.readSealed({ fromSeq: -1, toSeq: 4 }), ['fromSeq'])
          // @ts-expect-error toSeq is required
          await expectInvalid(audit.readSealed({ fromSeq: 0 }), ['toSeq'])
          // @ts-expect-error fromSeq is required
          await expectInvalid(audit.readSealed({ toSeq: 3 }), ['fromSeq'])
          // @ts-expect-error both are required
          await expectInvalid(audit.readSealed({}), ['fromSeq', 'toSeq'])
        })

        it('exportLog of a range is that slice of the full export; two halves verify as one; following picks up exactly the new entries', async () => {
          const { audit } = await open()
          await writeAndSeal(audit, 9, 9)
          const cp = await audit.checkpoint()
          const full = await collect(audit.exportLog())
          expect(full.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8])

          expect(await collect(audit.exportLog({ fromSeq: 2, toSeq: 6 }))).toEqual(full.slice(2, 6))
          expect(await collect(audit.exportLog({ fromSeq: 4 }))).toEqual(full.slice(4))
          expect(await collect(audit.exportLog({ toSeq: 100 }))).toEqual(full)
          expect(await collect(audit.exportLog({ fromSeq: 9 }))).toEqual([])
          for (const k of [0, 4, 9]) {
            const joined = [
              ...(await collect(audit.exportLog({ toSeq: k }))),
              ...(await collect(audit.exportLog({ fromSeq: k }))),
            ]
            expect(joined).toEqual(full)
            expect(await verifyExport(joined, cp.note, KEY_A.publicKey)).toMatchObject({
              ok: true,
              entries: 9,
              checkpointsChecked: 1,
            })
          }
          // A range is checked when the export is asked for, before anything is read.
          expect(() => audit.exportLog({ fromSeq: 3, toSeq: 2 })).toThrow(ValidationError)
          expect(() => audit.exportLog({ fromSeq: -1 })).toThrow(ValidationError)

          // Following: only what was sealed since the last export.
          const previousEnd = full.length
          const added = await writeAndSeal(audit, 3, 12)
          const followed = await collect(audit.exportLog({ fromSeq: previousEnd }))
          expect(followed).toEqual((await collect(audit.exportLog())).slice(previousEnd))
          expect(followed.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([9, 10, 11])
          expect(followed.map((l) => (JSON.parse(l) as { uuid: string }).uuid).sort()).toEqual(
            added.map((e) => e.uuid).sort(),
          )
          const latest = await audit.checkpoint()
          expect(await verifyExport([...full, ...followed], [cp.note, latest.note], KEY_A.publicKey)).toMatchObject({
            ok: true,
            entries: 12,
            checkpointsChecked: 2,
          })
        })
      })

      describe('incremental verify (from a trusted checkpoint)', () => {
        const CP_SIZE = 10
        const TOTAL = 16

        async function build() {
          const fx = await open()
          const before = await writeAndSeal(fx.audit, CP_SIZE, CP_SIZE)
          const cp = await fx.audit.checkpoint()
          expect(cp.treeSize).toBe(CP_SIZE)
          const after = await writeAndSeal(fx.audit, TOTAL - CP_SIZE, TOTAL)
          await fx.settle()
          const atSeq = async (seq: number) =>
            (await inSeqOrder(fx.audit, [...before, ...after])).find((e) => e.seq === seq) as Entry
          return { fx, audit: fx.audit, cp, atSeq }
        }

        it('on a clean log: the result of a full verify, from the checkpoint on, reading only the entries after it', async () => {
          const { audit, cp } = await build()
          const full = await audit.verify()
          expect(full).toMatchObject({ ok: true, entries: TOTAL, treeSize: TOTAL, fromSeq: 0 })
          const progress: VerifyProgress[] = []
          const incremental = await audit.verify({ from: cp.note, onProgress: (p) => progress.push(p) })
          expect(incremental).toMatchObject({
            ok: true,
            problems: [],
            treeSize: full.treeSize,
            rootHash: full.rootHash,
            fromSeq: cp.treeSize,
            entries: TOTAL - cp.treeSize,
          })
          expect(progress.at(-1)).toEqual({ entries: TOTAL - cp.treeSize, total: TOTAL - cp.treeSize })
          expect(await audit.verify({ from: cp.note, publicKey: KEY_A.publicKey })).toMatchObject({
            ok: true,
            fromSeq: cp.treeSize,
          })
        })

        it('an edit after the checkpoint: leaf_mismatch', async () => {
          const { fx, audit, cp, atSeq } = await build()
          const entry = await atSeq(CP_SIZE + 3)
          await editEntry(fx, entry)
          const result = await audit.verify({ from: cp.note })
          expect(result).toMatchObject({ ok: false, fromSeq: CP_SIZE })
          expect(problems(result)[0]).toEqual({ kind: 'leaf_mismatch', seq: CP_SIZE + 3, uuid: entry.uuid })
        })

        it('an edit before the checkpoint is outside its range: a full verify reports it, the incremental one says from where it read', async () => {
          const { fx, audit, cp, atSeq } = await build()
          const entry = await atSeq(4)
          await editEntry(fx, entry)
          const full = await audit.verify()
          expect(full.ok).toBe(false)
          expect(problems(full)[0]).toEqual({ kind: 'leaf_mismatch', seq: 4, uuid: entry.uuid })
          const incremental = await audit.verify({ from: cp.note })
          expect(incremental).toMatchObject({ ok: true, problems: [], fromSeq: CP_SIZE, entries: TOTAL - CP_SIZE })
          expect(incremental.fromSeq).toBeGreaterThan(entry.seq as number)
        })

        it('the stored tree rewritten before the checkpoint: root_mismatch at the trusted checkpoint', async () => {
          const { fx, audit, cp, atSeq } = await build()
          // An entry changed and its stored leaf rewritten to match: only the roots can tell.
          const edited = await editEntry(fx, await atSeq(4))
          await rewriteStoredLeaf(fx, 4, entryLeafHash(edited))
          const result = await audit.verify({ from: cp.note })
          expect(result.ok).toBe(false)
          expect(result.problems[0]).toMatchObject({ kind: 'root_mismatch', seq: CP_SIZE })
          expect(result.problems[0]?.detail).toMatch(/trusted checkpoint/)
          // It then reads the whole log, as a full verify does, and reports what that finds.
          expect(result.fromSeq).toBe(0)
          expect(problems(result)).toEqual([
            { kind: 'root_mismatch', seq: CP_SIZE },
            { kind: 'root_mismatch', seq: CP_SIZE },
            { kind: 'state_mismatch', seq: TOTAL },
          ])
        })

        it('a from note that is not a trusted checkpoint of this log: ValidationError on from', async () => {
          const { audit, cp } = await build()
          const stranger = await h.open({ signingKey: STRANGER.privateKey, origin: ORIGIN })
          await writeAndSeal(stranger.audit, 2, 2)
          const foreign = await stranger.audit.checkpoint()
          const elsewhere = await h.open({ signingKey: KEY_A.privateKey, origin: 'audit.example.com/elsewhere' })
          await writeAndSeal(elsewhere.audit, 2, 2)
          const otherOrigin = await elsewhere.audit.checkpoint()

          await expectInvalid(audit.verify({ from: foreign.note }), ['from'])
          await expectInvalid(audit.verify({ from: otherOrigin.note }), ['from'])
          await expectInvalid(audit.verify({ from: editedNote(cp.note) }), ['from'])
          await expectInvalid(audit.verify({ from: 'not a checkpoint' }), ['from'])
          await expectInvalid(audit.verify({ from: 42 as unknown as string }), ['from'])
          // The log's own note, checked with a key that did not sign it: refused too.
          await expectInvalid(audit.verify({ from: cp.note, publicKey: STRANGER.publicKey }), ['from'])
        })

        /**
         * A careful attacker cuts the log back below the trusted checkpoint: the entries and seals
         * from KEPT on deleted, the sealer's state row put back as it was at KEPT entries (a copy
         * taken then); the stored tiles are left as they are.
         */
        async function cutBelowCheckpoint() {
          const KEPT = 6
          const fx = await open()
          await writeAndSeal(fx.audit, KEPT, KEPT)
          const [state] = await fx.sql(`SELECT * FROM ${fx.tables.sealer} WHERE id = 1`)
          await writeAndSeal(fx.audit, CP_SIZE - KEPT, CP_SIZE)
          const cp = await fx.audit.checkpoint()
          await fx.settle()
          await fx.disableAppendOnly()
          await fx.sql(
            `DELETE FROM ${fx.tables.entries} WHERE uuid IN (SELECT uuid FROM ${fx.tables.seals} WHERE seq >= ?)`,
            [KEPT],
          )
          await fx.sql(`DELETE FROM ${fx.tables.seals} WHERE seq >= ?`, [KEPT])
          const columns = Object.keys(state ?? {}).filter((c) => c !== 'id')
          await fx.sql(
            `UPDATE ${fx.tables.sealer} SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE id = 1`,
            columns.map((c) => state?.[c]),
          )
          return { audit: fx.audit, cp, kept: KEPT }
        }

        it('a log cut back below the trusted checkpoint: a full verify reports it truncated', async () => {
          const { audit, cp, kept } = await cutBelowCheckpoint()
          expect((await audit.treeHead()).treeSize).toBe(kept)
          expect(await audit.readSealed({ fromSeq: 0, toSeq: 100 })).toHaveLength(kept)
          const full = await audit.verify()
          expect(full).toMatchObject({ ok: false, treeSize: kept })
          expect(problems(full)).toEqual([{ kind: 'truncated', seq: cp.treeSize }])
        })

        // The stored nodes still give the trusted root after the cut: the walk has nothing to read,
        // so the sealer's head below the checkpoint must be reported, not dropped.
        it('...and so does an incremental verify from that checkpoint', async () => {
          const { audit, cp } = await cutBelowCheckpoint()
          const incremental = await audit.verify({ from: cp.note })
          expect(incremental.ok).toBe(false)
          expect(problems(incremental)[0]).toEqual({ kind: 'truncated', seq: cp.treeSize })
        })
      })

      describe('cancellable verify', () => {
        it('a signal already aborted: rejects with code aborted', async () => {
          const { audit } = await open()
          await writeAndSeal(audit, 3, 3)
          const controller = new AbortController()
          controller.abort(new Error('user left'))
          const error = await rejection(audit.verify({ signal: controller.signal }))
          expect(error).toBeInstanceOf(AuditLogError)
          expect(error).not.toBeInstanceOf(StoreError)
          expect(error).toMatchObject({ code: 'aborted', cause: controller.signal.reason })
        })

        it('aborted after the first batch of a few thousand entries: rejects with code aborted, and verifies when not aborted', async () => {
          const fx = await open()
          const { audit } = fx
          const total = 3000
          await writeAndSeal(audit, total, total)
          await fx.settle()
          const controller = new AbortController()
          const progress: VerifyProgress[] = []
          const error = await rejection(
            audit.verify({
              signal: controller.signal,
              onProgress: (p) => {
                progress.push(p)
                controller.abort()
              },
            }),
          )
          expect(error).toBeInstanceOf(AuditLogError)
          expect(error).toMatchObject({ code: 'aborted' })
          expect(progress).toHaveLength(1)
          expect(progress[0]?.total).toBe(total)
          expect(progress[0]?.entries).toBeGreaterThan(0)
          expect(progress[0]?.entries).toBeLessThan(total)

          const all: VerifyProgress[] = []
          expect(
            await audit.verify({ signal: new AbortController().signal, onProgress: (p) => all.push(p) }),
          ).toMatchObject({ ok: true, entries: total })
          expect(all.length).toBeGreaterThan(1)
          expect(all.at(-1)).toEqual({ entries: total, total })
        })

        it('a signal that is not an AbortSignal: ValidationError on signal', async () => {
          const { audit } = await open()
          await expectInvalid(audit.verify({ signal: 'stop' as unknown as AbortSignal }), ['signal'])
          await expectInvalid(audit.verify({ signal: {} as AbortSignal }), ['signal'])
        })
      })

      describe('error codes and operation names', () => {
        it('invalid_input (ValidationError) and not_found (NotFoundError)', async () => {
          const { audit } = await open()
          const invalid = await rejection(
            audit.createLogEntry({ targetUserUuid: 'x', adminUserUuid: userId(), action: 'user_created' }),
          )
          expect(invalid).toBeInstanceOf(ValidationError)
          expect(invalid).toMatchObject({ code: 'invalid_input', fields: ['targetUserUuid'] })
          const uuid = userId()
          const missing = await rejection(audit.getLog(uuid))
          expect(missing).toBeInstanceOf(NotFoundError)
          expect(missing).toMatchObject({ code: 'not_found', uuid })
          expect(await rejection(audit.proveInclusion(uuid))).toMatchObject({ code: 'not_found' })
        })

        it('closed: a closed log rejects with a StoreError naming the method called', async () => {
          const fx = await open()
          const log = await fx.openLog({ signingKey: KEY_A.privateKey, origin: ORIGIN })
          await log.close()
          const calls: [string, () => Promise<unknown>][] = [
            ['treeHead', () => log.treeHead()],
            ['listCheckpoints', () => log.listCheckpoints()],
            ['latestCheckpoint', () => log.latestCheckpoint()],
            ['readSealed', () => log.readSealed({ fromSeq: 0, toSeq: 1 })],
            ['verify', () => log.verify()],
            ['checkpoint', () => log.checkpoint()],
          ]
          for (const [operation, call] of calls) {
            const error = await rejection(call())
            expect(error).toBeInstanceOf(StoreError)
            expect(error).toMatchObject({ code: 'closed', operation, retryable: false })
          }
        })

        it('store_failed: a table gone; the StoreError names the public method and carries the driver code', async () => {
          const fx = await open()
          const { audit } = fx
          await writeAndSeal(audit, 2, 2)
          const missingTable = h.engine === 'postgres' ? '42P01' : 'SQLITE_ERROR'
          const rename = (from: string, to: string) =>
            fx.sql(`ALTER TABLE ${from} RENAME TO ${to.slice(to.lastIndexOf('.') + 1)}`)
          const hidden = (table: string) => `${table.slice(0, -1)}_hidden"`

          await rename(fx.tables.sealer, hidden(fx.tables.sealer))
          for (const [operation, call] of [
            ['treeHead', () => audit.treeHead()],
            ['checkpoint', () => audit.checkpoint()],
            ['seal', () => audit.seal()],
            ['verify', () => audit.verify()],
          ] as const) {
            const error = await rejection(call())
            expect(error).toBeInstanceOf(StoreError)
            expect(error).toMatchObject({ code: 'store_failed', operation, retryable: false, driverCode: missingTable })
          }
          await rename(hidden(fx.tables.sealer), fx.tables.sealer)
          expect((await audit.treeHead()).treeSize).toBe(2)

          await rename(fx.tables.entries, hidden(fx.tables.entries))
          const error = await rejection(audit.createLogEntry(input(0)))
          expect(error).toBeInstanceOf(StoreError)
          expect(error).toMatchObject({
            code: 'store_failed',
            operation: 'createLogEntry',
            retryable: false,
            driverCode: missingTable,
          })
          expect(await rejection(audit.getLog(userId()))).toMatchObject({ code: 'store_failed', operation: 'getLog' })
          await rename(hidden(fx.tables.entries), fx.tables.entries)
        })

        it.runIf(h.engine === 'postgres')(
          'store_unavailable: a server that does not answer (retryable, with the system error code)',
          async () => {
            // Nothing listens on port 1; migrate: false so that opening does not connect.
            const url = new URL(PG_URL)
            url.port = '1'
            const audit = await createAuditLog({ database: url.toString(), migrate: false })
            try {
              for (const [operation, call] of [
                ['treeHead', () => audit.treeHead()],
                ['createLogEntry', () => audit.createLogEntry(input(0))],
              ] as const) {
                const error = await rejection(call())
                expect(error).toBeInstanceOf(StoreError)
                expect(error).toMatchObject({
                  code: 'store_unavailable',
                  operation,
                  retryable: true,
                  driverCode: 'ECONNREFUSED',
                })
              }
            } finally {
              await audit.close({ seal: false })
            }
          },
        )

        it.runIf(h.engine === 'sqlite')(
          'store_unavailable: the database locked by another connection (retryable, SQLITE_BUSY)',
          async () => {
            const dir = mkdtempSync(join(tmpdir(), 'auditkit-busy-'))
            const path = join(dir, 'audit.db')
            const audit = await createAuditLog({ database: `sqlite:${path}`, busyTimeoutMs: 50, sealIntervalMs: 0 })
            const other = new Database(path)
            try {
              other.exec('BEGIN IMMEDIATE')
              const error = await rejection(audit.createLogEntry(input(0)))
              expect(error).toBeInstanceOf(StoreError)
              expect(error).toMatchObject({ code: 'store_unavailable', operation: 'createLogEntry', retryable: true })
              expect((error as StoreError).driverCode).toMatch(/^SQLITE_BUSY/)
              other.exec('ROLLBACK')
              await audit.createLogEntry(input(0))
            } finally {
              if (other.inTransaction) other.exec('ROLLBACK')
              other.close()
              await audit.close({ seal: false })
              rmSync(dir, { recursive: true, force: true })
            }
          },
        )

        it('entry_missing: a sealed entry deleted, its seal kept; exportLog, readSealed and proveInclusion refuse', async () => {
          const fx = await open()
          const { audit } = fx
          const written = await writeAndSeal(audit, 5, 5)
          const gone = (await inSeqOrder(audit, written))[2] as Entry
          await fx.disableAppendOnly()
          await fx.sql(`DELETE FROM ${fx.tables.entries} WHERE uuid = ?`, [gone.uuid])

          const exported: string[] = []
          const fromExport = await rejection(
            (async () => {
              for await (const line of audit.exportLog()) exported.push(line)
            })(),
          )
          expect(fromExport).toBeInstanceOf(IntegrityError)
          expect(fromExport).toMatchObject({ code: 'entry_missing' })
          expect((fromExport as Error).message).toContain(gone.uuid)
          expect(exported).toHaveLength(2) // the lines before it

          for (const refused of [
            await rejection(audit.readSealed({ fromSeq: 0, toSeq: 5 })),
            await rejection(audit.proveInclusion(gone.uuid)),
          ]) {
            expect(refused).toBeInstanceOf(IntegrityError)
            expect(refused).toMatchObject({ code: 'entry_missing' })
          }
          // The range without it is still readable.
          expect(await audit.readSealed({ fromSeq: 3, toSeq: 5 })).toHaveLength(2)
        })

        it('tree_damaged: stored tiles deleted; proveInclusion and proveConsistency refuse', async () => {
          const fx = await open()
          const { audit } = fx
          const [first] = await writeAndSeal(audit, 5, 5)
          const uuid = (first as Entry).uuid
          await audit.proveInclusion(uuid)
          await audit.proveConsistency(2, 5)
          await fx.sql(`DELETE FROM ${fx.tables.tiles}`)
          for (const refused of [
            await rejection(audit.proveInclusion(uuid)),
            await rejection(audit.proveConsistency(2, 5)),
          ]) {
            expect(refused).toBeInstanceOf(IntegrityError)
            expect(refused).toMatchObject({ code: 'tree_damaged' })
          }
        })

        it('NoteError codes from readCheckpoint, and the codes the verifiers answer with', async () => {
          const { audit } = await open()
          await writeAndSeal(audit, 2, 2)
          const { note } = await audit.checkpoint()
          expect(readCheckpoint(note, KEY_A.publicKey)).toMatchObject({ origin: ORIGIN, treeSize: 2 })
          const refusals: [string, string, string][] = [
            ['not a signed note', KEY_A.publicKey, 'malformed'],
            [note, STRANGER.publicKey, 'unknown_key'],
            [editedNote(note), KEY_A.publicKey, 'bad_signature'],
          ]
          for (const [text, key, code] of refusals) {
            let thrown: unknown
            try {
              readCheckpoint(text, key)
            } catch (error) {
              thrown = error
            }
            expect(thrown).toBeInstanceOf(NoteError)
            expect(thrown).toBeInstanceOf(AuditLogError)
            expect(thrown).toMatchObject({ code })
            expect(verifyCheckpoint(text, key)).toMatchObject({ ok: false, code })
          }
          // A bad key is the caller's mistake: a ValidationError from readCheckpoint, bad_key from a verifier.
          expect(() => readCheckpoint(note, 'not a key')).toThrow(ValidationError)
          expect(verifyCheckpoint(note, 'not a key')).toMatchObject({ ok: false, code: 'bad_key' })
          expect(verifyCheckpoint(note, KEY_A.publicKey, { origin: 'audit.example.com/another-log' })).toMatchObject({
            ok: false,
            code: 'wrong_origin',
          })
        })
      })
    },
  )
}
