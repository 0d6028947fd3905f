import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, test } from 'vitest'
import {
  type AuditLog,
  createAuditLog,
  generateKeyPair,
  verifyConsistencyProof,
  verifyEntryInclusion,
} from '../src/index.js'
import { uuidV7 } from '../src/uuid-v7.js'

// Migration 6 (seq_by_rowid) on a log sealed under migration 5: the previous schema is made by
// dropping the column the migration adds and forgetting the migration, which is the file the
// previous release leaves (its sealer wrote the same seals, tiles and state).

const KEYS = generateKeyPair()
const ORIGIN = 'upgrade.test/log'
const dir = mkdtempSync(join(tmpdir(), 'auditkit-upgrade-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const entry = () => ({ targetUserUuid: randomUUID(), adminUserUuid: randomUUID(), action: 'user_locked' as const })

function open(path: string): Promise<AuditLog> {
  return createAuditLog({ database: `sqlite:${path}`, signingKey: KEYS.privateKey, origin: ORIGIN, sealIntervalMs: 0 })
}

function toPreviousSchema(path: string): void {
  const db = new Database(path)
  db.exec('ALTER TABLE auditkit_entries_sealer DROP COLUMN contiguous_to')
  db.exec('DELETE FROM auditkit_entries_migrations WHERE version = 6')
  db.close()
}

function contiguousTo(path: string): number {
  const db = new Database(path, { readonly: true })
  const row = db.prepare('SELECT contiguous_to AS c FROM auditkit_entries_sealer WHERE id = 1').get() as { c: number }
  db.close()
  return row.c
}

// Writes entries, some with a rowid of their own (a gap, as raw SQL can leave), and seals them.
async function sealedLog(path: string, gapAfter: number | undefined) {
  const audit = await open(path)
  await audit.createLogEntries(Array.from({ length: 120 }, entry))
  if (gapAfter !== undefined) {
    const made = uuidV7()
    const db = new Database(path)
    db.prepare(
      `INSERT INTO auditkit_entries (id, uuid, target_user_uuid, admin_user_uuid, action, metadata, inserted_at)
       VALUES (?, ?, ?, ?, 'user_locked', '{}', ?)`,
    ).run(gapAfter, made.uuid, randomUUID(), randomUUID(), made.ms)
    db.close()
    await audit.createLogEntries(Array.from({ length: 30 }, entry))
  }
  await audit.seal()
  const checkpoint = await audit.checkpoint()
  const all = []
  for await (const e of audit.iterateLogs()) all.push(e)
  const proofs = await Promise.all(all.map(async (e) => ({ entry: e, proof: await audit.proveInclusion(e.uuid) })))
  await audit.close()
  return { checkpoint, all, proofs }
}

describe('SQLite migration 6 (seq by rowid) on a sealed log of the previous schema', () => {
  for (const [name, gapAfter] of [
    ['contiguous rowids', undefined],
    ['a rowid gap from raw SQL', 500],
  ] as const) {
    test(`${name}: seqs unchanged, verify() clean, old proofs and checkpoint verify, new entries sealed`, async () => {
      const path = join(dir, `${name.replace(/\W/g, '-')}.db`)
      const before = await sealedLog(path, gapAfter)
      toPreviousSchema(path)

      const audit = await open(path)
      // The backfill: rowid - 1 holds up to the gap, or up to the last sealed entry.
      expect(contiguousTo(path)).toBe(120)
      const after = []
      for await (const e of audit.iterateLogs()) after.push(e)
      expect(after).toEqual(before.all)
      for (const { entry: e, proof } of before.proofs) {
        expect(e.seq).toBe(proof.leafIndex)
        expect((await audit.getLog(e.uuid)).seq).toBe(proof.leafIndex)
        expect(verifyEntryInclusion(e, proof, before.checkpoint.note, KEYS.publicKey, { origin: ORIGIN }).ok).toBe(true)
      }
      expect((await audit.verify({ checkpoints: [before.checkpoint.note] })).ok).toBe(true)

      // Sealing goes on: new entries get the next seqs, by rowid while rowids stay contiguous.
      const more = await audit.createLogEntries(Array.from({ length: 25 }, entry))
      await audit.seal()
      const size = before.all.length
      const sealed = await Promise.all(more.map((e) => audit.getLog(e.uuid)))
      expect(sealed.map((e) => e.seq)).toEqual(more.map((_, i) => size + i))
      for (const e of sealed) expect((await audit.proveInclusion(e.uuid)).leafIndex).toBe(e.seq)
      expect(contiguousTo(path)).toBe(gapAfter === undefined ? size + 25 : 120)
      const checkpoint = await audit.checkpoint()
      const consistency = await audit.proveConsistency(before.checkpoint.treeSize, checkpoint.treeSize)
      expect(verifyConsistencyProof(consistency, before.checkpoint.note, checkpoint.note, KEYS.publicKey).ok).toBe(true)
      expect((await audit.verify({ checkpoints: [before.checkpoint.note, checkpoint.note] })).ok).toBe(true)
      const listed = await audit.listLogs({ limit: 500 })
      expect(listed.map((e) => e.seq).sort((a, b) => (a as number) - (b as number))).toEqual(
        Array.from({ length: size + 25 }, (_, i) => i),
      )
      await audit.close()
    })
  }
})
