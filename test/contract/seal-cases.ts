import { describe, expect, test } from 'vitest'
import {
  type Entry,
  generateKeyPair,
  NotFoundError,
  readCheckpoint,
  ValidationError,
  verifyConsistency,
  verifyExport,
  verifyInclusion,
} from '../../src/index.js'
import type { Harness } from './harness.js'
import { expectInvalid, HOSTILE_STRINGS, userId } from './helpers.js'

const KEYS = generateKeyPair()
const OTHER_KEYS = generateKeyPair()
const ORIGIN = 'audit.example.com/contract'

function inputs(n: number, admin = userId()) {
  return Array.from({ length: n }, (_, i) => ({
    targetUserUuid: userId(),
    adminUserUuid: admin,
    action: 'user_locked' as const,
    ipAddress: i % 2 === 0 ? '10.0.0.1' : null,
    userAgent: HOSTILE_STRINGS[i % HOSTILE_STRINGS.length] ?? null,
    metadata: { i, reason: HOSTILE_STRINGS[(i + 1) % HOSTILE_STRINGS.length] ?? '', nested: { ok: i % 3 === 0 } },
  }))
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = []
  for await (const line of lines) out.push(line)
  return out
}

/** Sealing, checkpoints, verification and proofs: the tamper-evidence contract. */
export function sealCases(h: Harness): void {
  describe('sealing and tamper evidence', () => {
    test('entries are unsealed (seq null) until seal(), then numbered 0..n-1 without gaps, each once', async () => {
      const { audit } = await h.open({ sealBatchSize: 7 })
      const written = await audit.createLogEntries(inputs(30))
      expect(written.every((e) => e.seq === null)).toBe(true)
      expect((await audit.getLog(written[0]!.uuid)).seq).toBeNull()
      expect(await audit.treeHead()).toEqual({ treeSize: 0, rootHash: '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' })
      expect(await audit.seal()).toEqual({ sealed: 30, treeSize: 30 })
      expect(await audit.seal()).toEqual({ sealed: 0, treeSize: 30 })
      const all = await audit.listLogs({ limit: 100 })
      expect(all.map((e) => e.seq).sort((a, b) => (a as number) - (b as number))).toEqual(
        Array.from({ length: 30 }, (_, i) => i),
      )
      // Every read path shows the seq; nothing else about the entry changed.
      const first = written[0] as Entry
      const read = await audit.getLog(first.uuid)
      expect(read).toEqual({ ...first, seq: read.seq })
      expect(await audit.findLog(first.uuid)).toEqual(read)
      expect((await audit.listLogsForUser(first.adminUserUuid, { limit: 100 })).every((e) => e.seq !== null)).toBe(true)
      expect((await audit.pageLogs({ limit: 5 })).entries.every((e) => e.seq !== null)).toBe(true)
      await audit.createLogEntry(inputs(1)[0]!)
      expect(await audit.seal()).toEqual({ sealed: 1, treeSize: 31 })
    })

    test('entries rolled back in a caller transaction are never sealed; committed ones are', async () => {
      const fixture = await h.open()
      const [kind, begin] = Object.entries(fixture.transactions)[0]!
      const tx = await begin()
      const rolledBack = await fixture.audit.using(tx.handle).createLogEntry(inputs(1)[0]!)
      await tx.rollback()
      const tx2 = await begin()
      const committed = await fixture.audit.using(tx2.handle).createLogEntry(inputs(1)[0]!)
      await tx2.commit()
      expect(await fixture.audit.seal(), kind).toEqual({ sealed: 1, treeSize: 1 })
      expect((await fixture.audit.getLog(committed.uuid)).seq).toBe(0)
      await expect(fixture.audit.proveInclusion(rolledBack.uuid)).rejects.toBeInstanceOf(NotFoundError)
      expect((await fixture.audit.verify()).ok).toBe(true)
    })

    test('sealLag() counts the committed entries not sealed yet and the age of the oldest', async () => {
      const fixture = await h.open({ sealBatchSize: 4 })
      const { audit } = fixture
      expect(await audit.sealLag()).toEqual({ entries: 0, seconds: 0 })
      const written = await audit.createLogEntries(inputs(10))
      await new Promise((resolve) => setTimeout(resolve, 30))
      const lag = await audit.sealLag()
      expect(lag.entries).toBe(10)
      const age = (Date.now() - (written[0] as Entry).insertedAt.getTime()) / 1000
      expect(lag.seconds).toBeGreaterThanOrEqual(0.02) // a 30 ms wait, timers being coarse
      expect(lag.seconds).toBeLessThanOrEqual(age + 0.001)
      // An open caller transaction's entry is not committed: not counted until it is.
      const [, begin] = Object.entries(fixture.transactions)[0]!
      const tx = await begin()
      await audit.using(tx.handle).createLogEntry(inputs(1)[0]!)
      if (h.engine === 'postgres') expect((await audit.sealLag()).entries).toBe(10)
      await tx.commit()
      expect((await audit.sealLag()).entries).toBe(11)
      await audit.seal()
      expect(await audit.sealLag()).toEqual({ entries: 0, seconds: 0 })
      await audit.createLogEntry(inputs(1)[0]!)
      expect((await audit.sealLag()).entries).toBe(1)
    })

    test('a live log seals in the background', async () => {
      const { audit } = await h.open({ sealIntervalMs: 20 })
      const entry = await audit.createLogEntry(inputs(1)[0]!)
      const deadline = Date.now() + 5000
      while ((await audit.getLog(entry.uuid)).seq === null && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      expect((await audit.getLog(entry.uuid)).seq).toBe(0)
      await audit.close() // stops the background sealer
    })

    test('checkpoint() signs the tree head as a C2SP signed note, verifiable with only the public key', async () => {
      const { audit } = await h.open({ signingKey: KEYS.privateKey, origin: ORIGIN })
      await audit.createLogEntries(inputs(5))
      const cp = await audit.checkpoint()
      expect(cp.treeSize).toBe(5)
      expect(cp.origin).toBe(ORIGIN)
      const lines = cp.note.split('\n')
      expect(lines.slice(0, 4)).toEqual([ORIGIN, '5', cp.rootHash, ''])
      expect(lines[4]).toMatch(new RegExp(`^\u2014 ${ORIGIN.replace(/\./g, '\\.')} [A-Za-z0-9+/]{91}=$`))
      expect(await audit.treeHead()).toEqual({ treeSize: 5, rootHash: cp.rootHash })
      expect(readCheckpoint(cp.note, KEYS.publicKey)).toEqual({ origin: ORIGIN, treeSize: 5, rootHash: cp.rootHash })
      expect(() => readCheckpoint(cp.note, OTHER_KEYS.publicKey)).toThrow()
      // Nothing new: the stored checkpoint is returned, not a second one.
      expect((await audit.checkpoint()).note).toBe(cp.note)
      await audit.createLogEntry(inputs(1)[0]!)
      expect((await audit.checkpoint()).treeSize).toBe(6)
    })

    test('checkpoint() without a signing key is a ValidationError; bad keys and origins are refused at creation', async () => {
      const { audit } = await h.open()
      await expectInvalid(audit.checkpoint(), ['signingKey'])
      await expectInvalid(h.open({ signingKey: 'not a key' }) as Promise<unknown>, ['signingKey'])
      await expectInvalid(h.open({ signingKey: KEYS.publicKey }) as Promise<unknown>, ['signingKey'])
      await expectInvalid(h.open({ signingKey: KEYS.privateKey, origin: 'has space' }) as Promise<unknown>, ['origin'])
      await expectInvalid(h.open({ sealIntervalMs: -1 }) as Promise<unknown>, ['sealIntervalMs'])
      await expectInvalid(h.open({ sealBatchSize: 0 }) as Promise<unknown>, ['sealBatchSize'])
    })

    test('inclusion proofs verify for every entry against a checkpoint, and fail against another', async () => {
      const { audit } = await h.open({ signingKey: KEYS.privateKey, origin: ORIGIN, sealBatchSize: 100 })
      const written = await audit.createLogEntries(inputs(37))
      const cp = await audit.checkpoint()
      for (const entry of written) {
        const proof = await audit.proveInclusion(entry.uuid, cp.treeSize)
        expect(proof.treeSize).toBe(37)
        expect(verifyInclusion(proof, cp.note, KEYS.publicKey)).toBe(true)
        expect(verifyInclusion(proof, cp.note, OTHER_KEYS.publicKey)).toBe(false)
      }
      const later = await audit.createLogEntries(inputs(300))
      const cp2 = await audit.checkpoint()
      const proof = await audit.proveInclusion(written[3]!.uuid)
      expect(proof.treeSize).toBe(337)
      expect(verifyInclusion(proof, cp2.note, KEYS.publicKey)).toBe(true)
      expect(verifyInclusion(proof, cp.note, KEYS.publicKey)).toBe(false)
      expect(verifyInclusion(await audit.proveInclusion(later[299]!.uuid), cp2.note, KEYS.publicKey)).toBe(true)
      const consistency = await audit.proveConsistency(cp.treeSize, cp2.treeSize)
      expect(verifyConsistency(consistency, cp.note, cp2.note, KEYS.publicKey)).toBe(true)
      expect(verifyConsistency(consistency, cp2.note, cp.note, KEYS.publicKey)).toBe(false)
      expect(verifyConsistency(await audit.proveConsistency(0, 337), cp.note, cp2.note, KEYS.publicKey)).toBe(false)
    })

    test('proofs refuse bad input with clear errors', async () => {
      const { audit } = await h.open({ sealIntervalMs: 0 })
      const [entry] = await audit.createLogEntries(inputs(3))
      await expectInvalid(audit.proveInclusion(entry!.uuid), ['uuid']) // not sealed yet
      await audit.seal()
      await expectInvalid(audit.proveInclusion('nope'), ['uuid'])
      await expect(audit.proveInclusion(userId())).rejects.toBeInstanceOf(NotFoundError)
      await expectInvalid(audit.proveInclusion(entry!.uuid, 4), ['treeSize'])
      await expectInvalid(audit.proveInclusion(entry!.uuid, 1.5), ['treeSize'])
      const seq = (await audit.getLog(entry!.uuid)).seq as number
      await expectInvalid(audit.proveInclusion(entry!.uuid, seq), ['treeSize'])
      await expectInvalid(audit.proveConsistency(2, 4), ['newSize'])
      await expectInvalid(audit.proveConsistency(3, 2), ['oldSize'])
      await expectInvalid(audit.proveConsistency(-1, 2), ['oldSize'])
      await expectInvalid(audit.proveConsistency('1' as unknown as number, 2), ['oldSize'])
      expect((await audit.proveConsistency(3, 3)).path).toEqual([])
    })

    test('verify() is clean on an untouched log, counts entries and checkpoints, reports progress', async () => {
      const { audit } = await h.open({ signingKey: KEYS.privateKey, origin: ORIGIN, sealBatchSize: 50 })
      await audit.createLogEntries(inputs(120))
      const cp1 = await audit.checkpoint()
      await audit.createLogEntries(inputs(200))
      await audit.checkpoint()
      await audit.createLogEntries(inputs(10)) // unsealed: not verified yet, not a problem
      const progress: number[] = []
      const result = await audit.verify({ checkpoints: [cp1.note], onProgress: (p) => progress.push(p.entries) })
      expect(result).toMatchObject({ ok: true, entries: 320, checkpointsChecked: 3, problems: [], treeSize: 320 })
      expect(result.signaturesChecked).toBe(true)
      expect(progress.at(-1)).toBe(320)
      expect((await audit.verify({ publicKey: OTHER_KEYS.publicKey })).problems[0]?.kind).toBe('bad_checkpoint')
      await expectInvalid(audit.verify({ checkpoints: 'x' as unknown as string[] }), ['checkpoints'])
      await expectInvalid(audit.verify({ onProgress: 1 as unknown as () => void }), ['onProgress'])
      await expectInvalid(audit.verify({ publicKey: 'garbage' }), ['publicKey'])
      await expectInvalid(audit.verify({ checkpoint: cp1.note } as never), ['checkpoint'])
    })

    test('verify() lets the event loop turn between its chunks (SQLite answers without I/O)', async () => {
      const { audit } = await h.open()
      await audit.createLogEntries(inputs(3000))
      await audit.seal()
      // A callback that reschedules itself runs once per turn of the event loop.
      let turns = 0
      let running = true
      const spin = () => {
        if (!running) return
        turns++
        setImmediate(spin)
      }
      setImmediate(spin)
      try {
        expect((await audit.verify()).ok).toBe(true)
      } finally {
        running = false
      }
      // 3000 entries are 12 chunks of one tile: a turn after every second one at least.
      expect(turns).toBeGreaterThanOrEqual(6)
    })

    test('verify() while entries are written and sealed meanwhile reports no false problem', async () => {
      const { audit } = await h.open({ sealIntervalMs: 1, sealBatchSize: 37 })
      await audit.createLogEntries(inputs(3000))
      await audit.seal()
      let writing = true
      // A writer as an application has one: between writes the event loop turns (on SQLite, whose
      // calls resolve without I/O, a bare loop would starve every timer, the background sealer's too).
      const writer = (async () => {
        while (writing) {
          await audit.createLogEntries(inputs(25))
          await new Promise((resolve) => setImmediate(resolve))
        }
      })()
      try {
        for (let round = 0; round < 3; round++) {
          const result = await audit.verify()
          expect(result.problems).toEqual([])
          expect(result.entries).toBeGreaterThanOrEqual(3000)
        }
      } finally {
        writing = false
        await writer
        await audit.close()
      }
    })

    test('verify() on an empty log and through using() works', async () => {
      const fixture = await h.open()
      expect(await fixture.audit.verify()).toMatchObject({
        ok: true,
        entries: 0,
        treeSize: 0,
        signaturesChecked: false,
      })
      const [, begin] = Object.entries(fixture.transactions)[0]!
      const tx = await begin()
      expect((await fixture.audit.using(tx.handle).verify()).ok).toBe(true)
      await tx.rollback()
    })

    test('exportLog() lines verify with verifyExport and no database; an edited line does not', async () => {
      const { audit } = await h.open({ signingKey: KEYS.privateKey, origin: ORIGIN })
      await audit.createLogEntries(inputs(40))
      const cp = await audit.checkpoint()
      const lines = await collect(audit.exportLog())
      expect(lines).toHaveLength(40)
      expect(JSON.parse(lines[0] as string).seq).toBe(0)
      expect(await verifyExport(lines, cp.note, KEYS.publicKey)).toMatchObject({ ok: true, entries: 40 })
      expect(await verifyExport(`${lines.join('\n')}\n`, [cp.note], KEYS.publicKey)).toMatchObject({ ok: true })
      const edited = [...lines]
      edited[5] = (edited[5] as string).replace('"user_locked"', '"user_unlocked"')
      const bad = await verifyExport(edited, cp.note, KEYS.publicKey)
      expect(bad.ok).toBe(false)
      expect(bad.problems[0]).toMatchObject({ kind: 'root_mismatch', seq: 40 })
      await expect(verifyExport(42 as unknown as string, cp.note, KEYS.publicKey)).rejects.toBeInstanceOf(
        ValidationError,
      )
    })
  })
}
