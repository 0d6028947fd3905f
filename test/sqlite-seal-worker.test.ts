// Sealing a large backlog of a SQLite file hands part of the hashing to a worker thread
// (sqlite-seal-session.ts): the seals, tiles and state are those the plain sealer writes, and
// every way the session can be cut short (another sealer, a thread that cannot start, close(),
// writes meanwhile) still seals every entry once, in rowid order.
import { randomUUID } from 'node:crypto'
import { copyFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest'
import { createAuditLog } from '../src/index.js'
import { SLICE } from '../src/slices.js'
import { SEAL_PARALLEL, sealSessionCounts } from '../src/store/sqlite/sqlite-seal-session.js'
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js'

const dir = mkdtempSync(join(tmpdir(), 'auditkit-seal-worker-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const saved = { ...SEAL_PARALLEL }
const warnings: Error[] = []
const onWarning = (w: Error) => {
  if ((w as { code?: string }).code === 'auditkit_seal_worker') warnings.push(w)
}
beforeEach(() => {
  Object.assign(sealSessionCounts, { workerChunks: 0, ownChunks: 0, gaveWay: 0 })
  warnings.length = 0
  process.on('warning', onWarning)
})
afterEach(() => {
  Object.assign(SEAL_PARALLEL, saved)
  process.off('warning', onWarning)
})

const ENTRIES = 7 * SEAL_PARALLEL.chunk + 17
const TABLE = 'auditkit_entries'

const input = (i: number) => ({
  targetUserUuid: randomUUID(),
  adminUserUuid: randomUUID(),
  action: 'user_created' as const,
  ipAddress: i % 3 === 0 ? null : `10.0.0.${i % 250}`,
  userAgent: i % 4 === 0 ? undefined : `agent "${i}" \u00e9\u{1f600}`,
  metadata: { i, note: 'x'.repeat(i % 50), nested: { z: i % 2 === 0, a: [i, null] } },
})

/** A file with `entries` entries written and none sealed. */
async function backlog(name: string, entries = ENTRIES): Promise<string> {
  const path = join(dir, `${name}.db`)
  const audit = await createAuditLog({ database: `sqlite:${path}`, sealIntervalMs: 0 })
  await audit.createLogEntries(Array.from({ length: entries }, (_, i) => input(i)))
  await audit.close({ seal: false })
  return path
}

/** A copy of a closed file (its WAL was checkpointed at close). */
function copyOf(path: string, name: string): string {
  const to = join(dir, `${name}.db`)
  copyFileSync(path, to)
  return to
}

/** Everything sealing writes: the state, every seal and every tile. */
function sealed(path: string) {
  const db = new Database(path, { readonly: true })
  try {
    return {
      state: db.prepare(`SELECT size, frontier, last_id, contiguous_to FROM ${TABLE}_sealer`).all(),
      seals: db.prepare(`SELECT seq, uuid FROM ${TABLE}_seals ORDER BY seq`).all(),
      tiles: db.prepare(`SELECT level, idx, hashes FROM ${TABLE}_tiles ORDER BY level, idx`).all(),
    }
  } finally {
    db.close()
  }
}

/** Seals the file with the worker off (the reference), or with these settings. */
async function sealWith(path: string, settings: Partial<typeof SEAL_PARALLEL> | 'plain', sealBatchSize?: number) {
  Object.assign(SEAL_PARALLEL, saved, settings === 'plain' ? { minEntries: Number.POSITIVE_INFINITY } : settings)
  const audit = await createAuditLog({ database: `sqlite:${path}`, sealIntervalMs: 0, sealBatchSize })
  try {
    const result = await audit.seal()
    const verified = await audit.verify()
    return { result, verified }
  } finally {
    await audit.close()
  }
}

/** A backlog, and what the plain sealer writes for a copy of it. */
async function backlogAndReference(name: string) {
  const source = await backlog(name)
  const reference = copyOf(source, `${name}-reference`)
  await sealWith(reference, 'plain')
  return { source, expected: sealed(reference) }
}

describe('sealing a SQLite backlog with a worker thread', () => {
  test('writes the seals, tiles and state the plain sealer writes, at any share and batch size', async () => {
    const source = await backlog('source')
    const reference = copyOf(source, 'reference')
    const plain = await sealWith(reference, 'plain')
    expect(plain.result).toEqual({ sealed: ENTRIES, treeSize: ENTRIES })
    expect(sealSessionCounts).toEqual({ workerChunks: 0, ownChunks: 0, gaveWay: 0 })
    const expected = sealed(reference)
    for (const [share, batch, lead] of [
      [1, 1000, 0],
      [0.5, 1000, 0],
      [0.85, 300, 500],
      [1, 100, 0],
    ] as const) {
      Object.assign(sealSessionCounts, { workerChunks: 0, ownChunks: 0, gaveWay: 0 })
      const copy = copyOf(source, `copy-${share}-${batch}-${lead}`)
      const { result, verified } = await sealWith(copy, { minEntries: 0, workerShare: share, leadEntries: lead }, batch)
      expect(result).toEqual({ sealed: ENTRIES, treeSize: ENTRIES })
      expect(verified).toMatchObject({ ok: true, entries: ENTRIES, problems: [] })
      expect(sealed(copy)).toEqual(expected)
      // The worker hashed chunks, and the main thread the others (the lead, its share, the tail).
      expect(sealSessionCounts.workerChunks).toBeGreaterThan(0)
      if (share < 1 || lead > 0) expect(sealSessionCounts.ownChunks).toBeGreaterThan(0)
      expect(sealSessionCounts.gaveWay).toBe(0)
    }
    expect(warnings).toEqual([])
  })

  test('rows in another shape and rowid gaps, written by raw SQL: the same seals as the plain sealer', async () => {
    const source = await backlog('odd')
    const db = new Database(source)
    const odd = ['not json {', '[1,2,3]', 'null', '{"a":1e400}', '{ "b": 1, "a": 2 }', '{}']
    odd.forEach((metadata, i) => {
      // Explicit rowids with gaps between them, and ones inside the worker's chunks' ranges.
      db.prepare(
        'INSERT INTO auditkit_entries (id, uuid, target_user_uuid, admin_user_uuid, action, ip_address, user_agent, metadata, inserted_at) ' +
          "VALUES (?, ?, ?, ?, 'user_created', NULL, NULL, ?, ?)",
      ).run(ENTRIES + 3 + 97 * i, randomUUID(), randomUUID(), randomUUID(), metadata, Date.now())
    })
    db.close()
    const reference = copyOf(source, 'odd-reference')
    await sealWith(reference, 'plain')
    const copy = copyOf(source, 'odd-copy')
    const { result, verified } = await sealWith(copy, { minEntries: 0, workerShare: 1, leadEntries: 0 })
    expect(result.sealed).toBe(ENTRIES + odd.length)
    expect(sealed(copy)).toEqual(sealed(reference))
    expect(sealSessionCounts.workerChunks).toBeGreaterThan(0)
    // The first four are not entries auditkit writes: sealed as stored, named by verify.
    expect(verified.problems.map((p) => p.kind)).toEqual(Array(4).fill('unreadable_entry'))
  })

  test('another sealer between two batches: the session gives way, and every entry is sealed once', async () => {
    const { source, expected } = await backlogAndReference('rival')
    const options = { table: TABLE, busyTimeoutMs: 5000, synchronous: 'full' } as const
    Object.assign(SEAL_PARALLEL, { minEntries: 0, workerShare: 0.5, leadEntries: 0 })
    const ours = await createSqliteStore({ ...options, database: source })
    const first = await ours.sealBatch(500)
    expect(first).toMatchObject({ sealed: 500, busy: false })
    // Another connection (another process, say) seals two batches of its own, the plain way.
    SEAL_PARALLEL.minEntries = Number.POSITIVE_INFINITY
    const rival = await createSqliteStore({ ...options, database: source })
    expect(await rival.sealBatch(300)).toMatchObject({ sealed: 300 })
    expect(await rival.sealBatch(300)).toMatchObject({ sealed: 300 })
    await rival.close()
    let total = first.sealed + 600
    for (let outcome = await ours.sealBatch(500); outcome.sealed > 0; outcome = await ours.sealBatch(500)) {
      total += outcome.sealed
    }
    await ours.close()
    expect(sealSessionCounts.gaveWay).toBe(1)
    expect(total).toBe(ENTRIES)
    expect(sealed(source)).toEqual(expected)
  })

  test('a worker that cannot open the file: one warning, and the main thread seals the same', async () => {
    const { source, expected } = await backlogAndReference('no-worker')
    Object.assign(SEAL_PARALLEL, { minEntries: 0, workerShare: 1, leadEntries: 0 })
    const audit = await createAuditLog({ database: `sqlite:${source}`, sealIntervalMs: 0 })
    // The worker opens the file again by its path: moved away, the path names nothing.
    renameSync(source, `${source}.moved`)
    try {
      expect(await audit.seal()).toEqual({ sealed: ENTRIES, treeSize: ENTRIES })
    } finally {
      renameSync(`${source}.moved`, source)
    }
    expect((await audit.verify()).ok).toBe(true)
    await audit.close()
    await new Promise((resolve) => setImmediate(resolve))
    expect(sealSessionCounts.workerChunks).toBe(0)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.message).toMatch(/sealing hashes on the main thread alone: .*(unable to open|SQLITE_CANTOPEN)/i)
    expect(sealed(source)).toEqual(expected)
  })

  test('close() during a session stops its worker; the log reopened seals the rest', async () => {
    const { source, expected } = await backlogAndReference('closed')
    Object.assign(SEAL_PARALLEL, { minEntries: 0, workerShare: 0.5, leadEntries: 0 })
    const options = { table: TABLE, busyTimeoutMs: 5000, synchronous: 'full', database: source } as const
    const store = await createSqliteStore(options)
    expect(await store.sealBatch(500)).toMatchObject({ sealed: 500 })
    await store.close()
    const { result, verified } = await sealWith(source, { minEntries: 0, workerShare: 1, leadEntries: 0 })
    expect(result).toEqual({ sealed: ENTRIES - 500, treeSize: ENTRIES })
    expect(verified.ok).toBe(true)
    expect(sealed(source)).toEqual(expected)
    expect(warnings).toEqual([])
  })

  test('entries written during a session, by a sliced batch on the same connection, are sealed after it in order', async () => {
    const path = await backlog('writes')
    Object.assign(SEAL_PARALLEL, { minEntries: 0, workerShare: 0.5, leadEntries: 0 })
    const audit = await createAuditLog({ database: `sqlite:${path}`, sealIntervalMs: 0 })
    const more = Array.from({ length: 2 * SLICE + 5 }, (_, i) => input(i))
    const [sealing] = await Promise.all([audit.seal(), audit.createLogEntries(more), audit.createLogEntries(more)])
    expect(sealing.sealed).toBeGreaterThanOrEqual(ENTRIES)
    const rest = await audit.seal()
    const all = ENTRIES + 2 * more.length
    expect(sealing.sealed + rest.sealed).toBe(all)
    expect(rest.treeSize).toBe(all)
    expect(await audit.verify()).toMatchObject({ ok: true, entries: all })
    await audit.close()
    expect(sealSessionCounts.workerChunks).toBeGreaterThan(0)
    // Seals in rowid order: seq = rowid - 1 for every entry.
    const db = new Database(path, { readonly: true })
    const off = db
      .prepare(`SELECT count(*) AS n FROM ${TABLE} e JOIN ${TABLE}_seals s ON s.uuid = e.uuid WHERE s.seq != e.id - 1`)
      .get() as { n: number }
    db.close()
    expect(off.n).toBe(0)
  })
})
