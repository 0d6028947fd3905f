// verify() on a SQLite file hands part of its walk to a worker thread (sqlite-leaf-worker.ts):
// the same result as the main thread alone, clean or tampered, and it stops and fails cleanly.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, afterEach, describe, expect, test } from 'vitest'
import { type AuditLog, createAuditLog, generateKeyPair } from '../src/index.js'
import { VERIFY_CHUNK, VERIFY_PARALLEL } from '../src/sealing/log-verify.js'
import { sqliteEngine } from '../src/store/sqlite/sqlite-engine.js'
import { startLeafReader } from '../src/store/sqlite/sqlite-leaf-reader.js'

const dir = mkdtempSync(join(tmpdir(), 'auditkit-verify-worker-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const saved = { ...VERIFY_PARALLEL }
afterEach(() => {
  Object.assign(VERIFY_PARALLEL, saved)
})

const ENTRIES = 5 * VERIFY_CHUNK + 17

/** A log on a new file, with a signing key and no background sealing. */
async function openLog(name: string): Promise<{ audit: AuditLog; path: string }> {
  const path = join(dir, `${name}.db`)
  const { privateKey } = generateKeyPair()
  return {
    audit: await createAuditLog({ database: `sqlite:${path}`, sealIntervalMs: 0, signingKey: privateKey }),
    path,
  }
}

const input = (i: number) => ({
  targetUserUuid: randomUUID(),
  adminUserUuid: randomUUID(),
  action: 'user_created' as const,
  metadata: { i, note: 'x'.repeat(i % 50) },
})

async function sealedLog(name: string): Promise<{ audit: AuditLog; path: string }> {
  const { audit, path } = await openLog(name)
  await audit.createLogEntries(Array.from({ length: ENTRIES }, (_, i) => input(i)))
  await audit.seal()
  await audit.checkpoint()
  return { audit, path }
}

// verify() with the walk on the main thread alone, and with a worker taking `share` of the chunks.
async function bothWays(audit: AuditLog, share: number) {
  VERIFY_PARALLEL.minEntries = Number.POSITIVE_INFINITY
  const alone = await audit.verify()
  VERIFY_PARALLEL.minEntries = 0
  VERIFY_PARALLEL.leadEntries = 0
  VERIFY_PARALLEL.workerShare = share
  const progress: number[] = []
  const shared = await audit.verify({ onProgress: (p) => progress.push(p.entries) })
  return { alone, shared, progress }
}

describe('verify() with a worker thread on a SQLite file', () => {
  test('gives the result of the main thread alone, with the worker taking none, some or all of the chunks', async () => {
    const { audit } = await sealedLog('clean')
    for (const share of [0.2, 0.5, 0.6, 1]) {
      const { alone, shared, progress } = await bothWays(audit, share)
      expect(alone).toMatchObject({ ok: true, entries: ENTRIES, checkpointsChecked: 1 })
      expect(shared).toEqual(alone)
      expect(progress.at(-1)).toBe(ENTRIES)
      expect([...progress].sort((a, b) => a - b)).toEqual(progress)
    }
    await audit.close()
  })

  test('finds an entry changed in a chunk the worker hashed, and one in a chunk the main thread did', async () => {
    const { audit, path } = await sealedLog('tampered')
    const db = new Database(path)
    db.exec('DROP TRIGGER "auditkit_entries_no_update"')
    // With share 0.5 the worker takes chunks 1, 3, 5 (seq 256-511, ...), the main thread 0, 2, 4.
    const changed = [300, 600]
    for (const seq of changed) {
      db.prepare(
        `UPDATE auditkit_entries SET action = 'user_deleted' WHERE uuid = (SELECT uuid FROM auditkit_entries_seals WHERE seq = ?)`,
      ).run(seq)
    }
    db.close()
    const { alone, shared } = await bothWays(audit, 0.5)
    expect(shared).toEqual(alone)
    expect(shared.ok).toBe(false)
    expect(shared.problems.filter((p) => p.kind === 'leaf_mismatch').map((p) => p.seq)).toEqual(changed)
    await audit.close()
  })

  test('rows raw SQL stored in another shape: the worker sends them back, and both ways name them alike', async () => {
    const { audit, path } = await sealedLog('odd-rows')
    const db = new Database(path)
    const odd = ['not json {', '[1,2,3]', 'null', '{"a":1e400}', '{ "b": 1, "a": 2 }']
    for (const metadata of odd) {
      db.prepare(
        'INSERT INTO auditkit_entries (uuid, target_user_uuid, admin_user_uuid, action, ip_address, user_agent, metadata, inserted_at) ' +
          "VALUES (?, ?, ?, 'user_created', NULL, NULL, ?, ?)",
      ).run(randomUUID(), randomUUID(), randomUUID(), metadata, Date.now())
    }
    db.close()
    await audit.seal()
    const { alone, shared } = await bothWays(audit, 1)
    expect(shared).toEqual(alone)
    expect(shared.entries).toBe(ENTRIES + odd.length)
    // The first four are not entries auditkit writes; the last is, in another key order.
    expect(shared.problems.map((p) => p.kind)).toEqual(Array(4).fill('unreadable_entry'))
    await audit.close()
  })

  test('an aborted verify stops the worker and rejects with code aborted', async () => {
    const { audit } = await sealedLog('aborted')
    VERIFY_PARALLEL.minEntries = 0
    VERIFY_PARALLEL.leadEntries = 0
    VERIFY_PARALLEL.workerShare = 0.5
    const stop = new AbortController()
    const verifying = audit.verify({
      signal: stop.signal,
      onProgress: (p) => {
        if (p.entries >= VERIFY_CHUNK) stop.abort()
      },
    })
    await expect(verifying).rejects.toMatchObject({ code: 'aborted' })
    // The log still verifies afterwards, with the worker again.
    expect((await audit.verify()).ok).toBe(true)
    await audit.close()
  })

  test('a worker that cannot read its file gives no chunk, with one warning, and close() still returns', async () => {
    const engine = sqliteEngine('auditkit_entries')
    const warnings: Error[] = []
    const onWarning = (w: Error) => warnings.push(w)
    process.on('warning', onWarning)
    const reader = startLeafReader(
      join(dir, 'missing.db'),
      'auditkit_entries',
      { from: 0, to: 2 * VERIFY_CHUNK, chunk: VERIFY_CHUNK, share: 1 },
      (row) => engine.toEntry(row),
    )
    expect(reader.owns(0)).toBe(true)
    expect(reader.owns(1)).toBe(false)
    expect(await reader.take(0)).toBeUndefined()
    expect(await reader.take(VERIFY_CHUNK)).toBeUndefined()
    await reader.close()
    await new Promise((resolve) => setImmediate(resolve))
    process.off('warning', onWarning)
    const ours = warnings.filter((w) => (w as { code?: string }).code === 'auditkit_verify_worker')
    expect(ours).toHaveLength(1)
    expect(ours[0]?.message).toMatch(/main thread alone: .*(unable to open|does not exist|SQLITE_CANTOPEN)/i)
  })

  test('a verify whose worker cannot start walks on the main thread and gives the same result', async () => {
    const { audit, path } = await sealedLog('no-worker')
    VERIFY_PARALLEL.minEntries = Number.POSITIVE_INFINITY
    const alone = await audit.verify()
    // The worker opens the file again by its path: moved away, the path names nothing.
    renameSync(path, `${path}.moved`)
    try {
      Object.assign(VERIFY_PARALLEL, { minEntries: 0, leadEntries: 0, workerShare: 1 })
      expect(await audit.verify()).toEqual(alone)
    } finally {
      renameSync(`${path}.moved`, path)
    }
    await audit.close()
  })
})

describe("verify's reads", () => {
  test('from a checkpoint at a size off the tiles: chunks across two reads of leaf tiles give the full result', async () => {
    const { audit } = await openLog('unaligned')
    await audit.createLogEntries(Array.from({ length: 1000 }, (_, i) => input(i)))
    const cp = await audit.checkpoint()
    expect(cp.treeSize).toBe(1000)
    // 8 leaf tiles (2,048 seals) a read: the chunk from 1,768 + 256 on spans tiles 7 and 8.
    await audit.createLogEntries(Array.from({ length: 3000 }, (_, i) => input(1000 + i)))
    await audit.seal()
    const full = await audit.verify()
    expect(full).toMatchObject({ ok: true, entries: 4000 })
    expect(await audit.verify({ from: cp.note })).toMatchObject({
      ok: true,
      problems: [],
      entries: 3000,
      fromSeq: 1000,
      treeSize: 4000,
      rootHash: full.rootHash,
    })
    await audit.close()
  })
})

describe('when verify starts a worker', () => {
  test('after its lead, on a walk long enough; the lead and the rest give the same result', async () => {
    const { audit } = await sealedLog('lead')
    VERIFY_PARALLEL.minEntries = Number.POSITIVE_INFINITY
    const alone = await audit.verify()
    // A lead as long as the walk leaves the worker nothing: no thread, same result.
    Object.assign(VERIFY_PARALLEL, { minEntries: 0, leadEntries: ENTRIES, workerShare: 1 })
    expect(await audit.verify()).toEqual(alone)
    // A lead of two chunks: the worker takes every chunk after them.
    Object.assign(VERIFY_PARALLEL, { minEntries: 0, leadEntries: 2 * VERIFY_CHUNK, workerShare: 1 })
    expect(await audit.verify()).toEqual(alone)
    await audit.close()
  })
})
