import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, test, vi } from 'vitest'
import { createAuditLog, StoreError } from '../src/index.js'
import { verifyStore } from '../src/sealing/log-verify.js'
import { SqliteExecutor } from '../src/store/sqlite/sqlite-executor.js'
import { commitsWithoutFsync } from '../src/store/sqlite/sqlite-sealer.js'
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js'
import type { Store } from '../src/store/store.js'
import { writeFromProcess } from './support/processes.js'

const dir = mkdtempSync(join(tmpdir(), 'auditkit-sqlite-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const file = (name: string) => join(dir, name)
const user = () => randomUUID()

/** The store, except that sealState() answers `state`. */
function withSealState(store: Store, state: Awaited<ReturnType<Store['sealState']>>): Store {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'sealState') return async () => state
      const value = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

describe('SQLite only', () => {
  test('a batch of a single-row INSERT is written in order, all or nothing, in and out of slices', async () => {
    const db = new Database(file('batch.db'))
    db.pragma('journal_mode = WAL')
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT NOT NULL UNIQUE, n INTEGER NOT NULL)')
    const insert = 'INSERT INTO t (k, n) VALUES (?, ?)'
    const rows = (from: number, count: number) => Array.from({ length: count }, (_, i) => [`k${from + i}`, from + i])
    const read = () => db.prepare('SELECT k, n FROM t ORDER BY id').raw(true).all()
    for (const executor of [new SqliteExecutor(db, 1000), new SqliteExecutor(db)]) {
      db.exec('DELETE FROM t')
      // 1234 rows: more than a slice, whole multi-row INSERTs and a remainder; then a few rows.
      await executor.batch(insert, rows(0, 1234))
      await executor.batch(insert, rows(1234, 3))
      expect(read()).toEqual(rows(0, 1237))
      // A conflict in the last multi-row INSERT, or in the remainder, writes none of the batch.
      for (const clash of [1150, 1236]) {
        const batch = rows(5000, 1237)
        batch[clash] = ['k7', 7]
        await expect(executor.batch(insert, batch)).rejects.toThrow(/UNIQUE/)
        expect(read()).toHaveLength(1237)
      }
    }
    db.close()
  })

  test("a read in the caller's turn answers at once, and not while a sliced batch holds the connection or a lock must be waited for", async () => {
    const path = file('read-now.db')
    const db = new Database(path)
    db.pragma('journal_mode = WAL')
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)')
    const count = 'SELECT count(*) FROM t'
    const executor = new SqliteExecutor(db, 1000)
    expect(executor.queryValuesNow(count, [])).toEqual([[0]])
    expect(() => executor.queryValuesNow('SELECT n FROM missing', [])).toThrow(/no such table/)

    // A sliced batch turns the event loop inside its transaction: a read then would see its
    // uncommitted rows. queryValuesNow declines; queryValues waits for the commit.
    const batch = executor.batch(
      'INSERT INTO t (n) VALUES (?)',
      Array.from({ length: 3000 }, (_, i) => [i]),
    )
    await new Promise((resolve) => setImmediate(resolve))
    expect(db.inTransaction).toBe(true)
    expect(executor.queryValuesNow(count, [])).toBeUndefined()
    const waited = executor.queryValues(count, [])
    await batch
    expect(await waited).toEqual([[3000]])
    expect(executor.queryValuesNow(count, [])).toEqual([[3000]])

    db.close()

    // Another connection holding the file exclusively (a rollback journal: WAL readers are never
    // locked out): busy. With a timeout to wait out, the read declines and queryValues waits for
    // the lock; without one, the error is the caller's.
    const journal = new Database(file('read-now-journal.db'))
    journal.pragma('busy_timeout = 0')
    journal.exec('CREATE TABLE t (n INTEGER NOT NULL)')
    const other = new Database(file('read-now-journal.db'))
    other.exec('BEGIN EXCLUSIVE')
    other.exec('INSERT INTO t (n) VALUES (1)')
    const patient = new SqliteExecutor(journal, 2000)
    expect(patient.queryValuesNow(count, [])).toBeUndefined()
    expect(() => new SqliteExecutor(journal).queryValuesNow(count, [])).toThrow(/locked|busy/i)
    const later = patient.queryValues(count, [])
    setTimeout(() => other.exec('COMMIT'), 50)
    expect(await later).toEqual([[1]])
    expect(patient.queryValuesNow(count, [])).toEqual([[1]])
    other.close()
    journal.close()
  })

  test('getLog and listLogs during a sliced batch answer after the batch commits; a well-formed uuid in any case, a malformed one refused', async () => {
    const audit = await createAuditLog({ database: `sqlite:${file('get-during-batch.db')}`, sealIntervalMs: 0 })
    const input = () => ({ targetUserUuid: user(), adminUserUuid: user(), action: 'user_created' as const })
    // Sealed, so that its seq comes from its rowid with no second read (which would wait anyway).
    const before = { ...(await audit.createLogEntry(input())), seq: 0 }
    await audit.seal()
    expect(await audit.getLog(before.uuid)).toEqual(before) // and the connection knows it is sealed
    // Another connection sees only committed rows: when getLog answers, the batch is committed.
    const other = new Database(file('get-during-batch.db'), { readonly: true })
    const committed = () => (other.prepare('SELECT count(*) AS n FROM auditkit_entries').get() as { n: number }).n
    const probe = new Database(file('get-during-batch.db'))
    probe.pragma('busy_timeout = 0')
    const writing = () => {
      try {
        probe.exec('BEGIN IMMEDIATE')
        probe.exec('ROLLBACK')
        return false
      } catch {
        return true
      }
    }
    const batch = audit.createLogEntries(Array.from({ length: 3000 }, input))
    // Until the batch holds the write lock between two of its slices.
    for (let turns = 0; !writing(); turns++) {
      expect(turns).toBeLessThan(1000)
      await new Promise((resolve) => setImmediate(resolve))
    }
    probe.close()
    expect(committed()).toBe(1)
    const read = audit.getLog(before.uuid).then((entry) => ({ entry, committed: committed() }))
    const listed = audit
      .listLogs({ targetUserUuid: before.targetUserUuid })
      .then((entries) => ({ entries, committed: committed() }))
    await batch
    expect(await read).toEqual({ entry: before, committed: 3001 })
    expect(await listed).toEqual({ entries: [before], committed: 3001 })
    other.close()
    expect(await audit.getLog(before.uuid.toUpperCase())).toEqual(before)
    await expect(audit.getLog(`${before.uuid}x`)).rejects.toMatchObject({ name: 'ValidationError' })
    await expect(audit.getLog(42 as unknown as string)).rejects.toMatchObject({ name: 'ValidationError' })
    await expect(audit.getLog(user())).rejects.toMatchObject({ name: 'NotFoundError' })
    await audit.close()
    await expect(audit.getLog(before.uuid)).rejects.toMatchObject({ name: 'StoreError', code: 'closed' })
  })

  test('a file auditkit opens is in WAL mode with synchronous=FULL, and waits for locks outside SQLite', async () => {
    const path = file('pragmas.db')
    // synchronous and busy_timeout belong to the connection: record what auditkit sets on its own.
    // After the pragmas, a busy database is waited for asynchronously (busy_timeout 0 in SQLite).
    const pragma = vi.spyOn(Database.prototype, 'pragma')
    const audit = await createAuditLog({ database: `sqlite:${path}` })
    expect(pragma.mock.calls.map((c) => c[0])).toEqual(['busy_timeout = 0', 'journal_mode = WAL', 'synchronous = FULL'])
    pragma.mockRestore()
    await audit.close()
    const db = new Database(path)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    db.close()
    const normal = await createAuditLog({ database: `sqlite:${path}`, synchronous: 'normal', busyTimeoutMs: 50 })
    await normal.close()
  })

  test('two processes writing one file at once lose nothing', async () => {
    const path = file('two-processes.db')
    const admin = user()
    const setup = await createAuditLog({ database: `sqlite:${path}` })
    const [a, b] = await Promise.all([
      writeFromProcess(`sqlite:${path}`, 'auditkit_entries', undefined, 150, admin),
      writeFromProcess(`sqlite:${path}`, 'auditkit_entries', undefined, 150, admin),
    ])
    expect(new Set([...a, ...b]).size).toBe(300)
    expect(await setup.countLogs({ adminUserUuid: admin })).toBe(300)
    const stored = new Set<string>()
    for await (const e of setup.iterateLogs({ adminUserUuid: admin })) stored.add(e.uuid)
    expect(stored).toEqual(new Set([...a, ...b]))
    await setup.close()
  })

  test('two processes migrating a new file at once both succeed', async () => {
    const path = file('migrate-race.db')
    const admin = user()
    const written = await Promise.all(
      [1, 2, 3].map(() => writeFromProcess(`sqlite:${path}`, 'race', undefined, 5, admin)),
    )
    const audit = await createAuditLog({ database: `sqlite:${path}`, table: 'race' })
    expect(await audit.countLogs()).toBe(written.flat().length)
    await audit.close()
    const db = new Database(path)
    expect(db.prepare('SELECT version FROM race_migrations ORDER BY version').all()).toEqual([
      { version: 1 },
      { version: 2 },
      { version: 3 },
      { version: 4 },
      { version: 5 },
      { version: 6 },
    ])
    db.close()
  })

  test('plain UPDATE and DELETE of entries are refused: the log is append-only', async () => {
    const db = new Database(':memory:')
    const audit = await createAuditLog({ database: db })
    const entry = await audit.createLogEntry({ targetUserUuid: user(), adminUserUuid: user(), action: 'user_created' })
    expect(() => db.prepare("UPDATE auditkit_entries SET action = 'user_deleted'").run()).toThrow(/append-only: UPDATE/)
    expect(() => db.prepare('UPDATE auditkit_entries SET metadata = ? WHERE uuid = ?').run('{}', entry.uuid)).toThrow(
      /append-only/,
    )
    expect(() => db.prepare('DELETE FROM auditkit_entries').run()).toThrow(/append-only: DELETE/)
    // REPLACE deletes without firing DELETE triggers (unless recursive_triggers is on): guarded apart.
    expect(() => db.prepare('INSERT OR REPLACE INTO auditkit_entries SELECT * FROM auditkit_entries').run()).toThrow(
      /append-only: REPLACE/,
    )
    const replace = `INSERT OR REPLACE INTO auditkit_entries (uuid, target_user_uuid, admin_user_uuid, action, metadata, inserted_at)
      SELECT uuid, target_user_uuid, admin_user_uuid, 'user_deleted', metadata, inserted_at FROM auditkit_entries`
    expect(() => db.prepare(replace).run()).toThrow(/append-only: REPLACE/)
    expect(await audit.getLog(entry.uuid)).toEqual(entry)
    expect(db.prepare('SELECT version FROM auditkit_entries_migrations ORDER BY version').all()).toEqual([
      { version: 1 },
      { version: 2 },
      { version: 3 },
      { version: 4 },
      { version: 5 },
      { version: 6 },
    ])
    db.close()
  })

  test('a Database passed in stays open after close()', async () => {
    const db = new Database(':memory:')
    const audit = await createAuditLog({ database: db })
    await audit.createLogEntry({ targetUserUuid: user(), adminUserUuid: user(), action: 'user_created' })
    await audit.close()
    expect(db.open).toBe(true)
    expect(db.prepare('SELECT count(*) AS n FROM auditkit_entries').get()).toEqual({ n: 1 })
    db.close()
  })

  test("'sqlite::memory:' opens a private in-memory database", async () => {
    const audit = await createAuditLog({ database: 'sqlite::memory:' })
    await audit.createLogEntry({ targetUserUuid: user(), adminUserUuid: user(), action: 'user_created' })
    expect(await audit.countLogs()).toBe(1)
    await audit.close()
  })

  test('a failed batch inside the caller transaction is undone by a savepoint; the transaction goes on', async () => {
    const db = new Database(':memory:')
    const audit = await createAuditLog({ database: db })
    db.exec(
      `CREATE TRIGGER no_deletes BEFORE INSERT ON auditkit_entries WHEN NEW.action = 'user_deleted' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
    )
    db.exec('BEGIN IMMEDIATE')
    const log = audit.using(db)
    const ok = { targetUserUuid: user(), adminUserUuid: user(), action: 'user_locked' as const }
    await log.createLogEntry(ok)
    await expect(log.createLogEntries([ok, { ...ok, action: 'user_deleted' }])).rejects.toBeInstanceOf(StoreError)
    expect(db.inTransaction).toBe(true)
    await log.createLogEntry(ok)
    db.exec('COMMIT')
    expect(await audit.countLogs()).toBe(2)
    db.close()
  })

  test('a file in a missing directory is a StoreError', async () => {
    const error = await createAuditLog({ database: `sqlite:${join(dir, 'missing', 'x.db')}` }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).operation).toBe('open')
  })

  test('a log whose table is gone reports StoreError with the driver error as cause', async () => {
    const db = new Database(':memory:')
    const audit = await createAuditLog({ database: db })
    db.exec('DROP TABLE auditkit_entries')
    const error = await audit.listLogs().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).cause).toBeInstanceOf(Error)
    expect((error as StoreError).message).toMatch(/no such table/)
    db.close()
  })

  test('with migrate: false nothing is created until migrate()', async () => {
    const db = new Database(':memory:')
    const audit = await createAuditLog({ database: db, migrate: false, table: 'later' })
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'later'").get()).toEqual({ n: 0 })
    await audit.migrate()
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'later'").get()).toEqual({ n: 1 })
    db.close()
  })

  test('every query shape is served by an index', async () => {
    const db = new Database(':memory:')
    const audit = await createAuditLog({ database: db })
    const plans: string[] = []
    const prepare = db.prepare.bind(db)
    db.prepare = ((sql: string) => {
      if (sql.startsWith('SELECT'))
        plans.push(
          prepare(`EXPLAIN QUERY PLAN ${sql}`)
            .all(...Array(sql.split('?').length - 1).fill(1))
            .map((r) => (r as { detail: string }).detail)
            .join(' | '),
        )
      return prepare(sql)
    }) as typeof db.prepare
    const u = user()
    await audit.listLogs()
    await audit.listLogs({ action: 'user_created', fromDate: '2026-01-01' })
    await audit.listLogsForUser(u)
    await audit.pageLogs({ targetUserUuid: u, cursor: undefined })
    await audit.countLogs({ adminUserUuid: u })
    await audit.countLogs({ userUuid: u })
    await audit.findLog(u)
    expect(plans.length).toBe(7)
    for (const plan of plans) expect(plan, plan).not.toMatch(/SCAN auditkit_entries(?! USING)/)
    db.close()
  })

  test('verify reads the sealer state before the seals: seals committed in between are no false alarm', async () => {
    const db = new Database(':memory:')
    const audit = await createAuditLog({ database: db, sealIntervalMs: 0 })
    const input = () => ({ targetUserUuid: user(), adminUserUuid: user(), action: 'user_locked' as const })
    await audit.createLogEntries(Array.from({ length: 100 }, input))
    await audit.seal()
    const store = await createSqliteStore({
      database: db,
      table: 'auditkit_entries',
      busyTimeoutMs: 0,
      synchronous: 'full',
    })
    const earlier = await store.sealState()
    await audit.createLogEntries(Array.from({ length: 50 }, input))
    await audit.seal()
    // As if the state row had been read just before another process committed 50 more seals.
    const stale = withSealState(store, earlier)
    const result = await verifyStore(stale, 'auditkit/auditkit_entries', undefined, {})
    expect(result).toMatchObject({ ok: true, entries: 150, treeSize: 150, problems: [] })
    // A state that disagrees with the seals at its own size is still reported.
    const forged = { size: 100, frontier: Buffer.alloc(earlier.frontier.length, 7) }
    const bad = withSealState(store, forged)
    const caught = await verifyStore(bad, 'auditkit/auditkit_entries', undefined, {})
    expect(caught.problems).toEqual([expect.objectContaining({ kind: 'state_mismatch', seq: 100 })])
    await audit.close()
    db.close()
  })

  test('a Database whose integers are BigInts (defaultSafeIntegers) still reads, seals and verifies with numbers', async () => {
    const db = new Database(':memory:')
    db.defaultSafeIntegers(true)
    const audit = await createAuditLog({ database: db, sealIntervalMs: 0 })
    const input = () => ({ targetUserUuid: user(), adminUserUuid: user(), action: 'user_locked' as const })
    const made = await audit.createLogEntries(Array.from({ length: 30 }, input))
    expect((await audit.listLogs()).map((e) => e.seq)).toEqual(Array(30).fill(null))
    await audit.seal()
    const listed = await audit.listLogs({ limit: 10 })
    expect(listed.map((e) => e.seq)).toEqual([29, 28, 27, 26, 25, 24, 23, 22, 21, 20])
    expect(listed[0]?.insertedAt).toBeInstanceOf(Date)
    expect(await audit.countLogs()).toBe(30)
    const entry = await audit.getLog(made[7]?.uuid as string)
    expect(entry.seq).toBe(7)
    expect(entry.insertedAt.getTime()).toBe(made[7]?.insertedAt.getTime())
    expect((await audit.proveInclusion(entry.uuid)).leafIndex).toBe(7)
    expect(await audit.verify()).toMatchObject({ ok: true, entries: 30, treeSize: 30 })
    // The caller's own statements keep their setting.
    expect(db.prepare('SELECT count(*) AS n FROM auditkit_entries').get()).toEqual({ n: 30n })
    await audit.close()
    db.close()
  })

  test('seqs sealed by another connection show in reads of a connection that read them unsealed', async () => {
    const path = file('two-connections.db')
    const reader = await createAuditLog({ database: `sqlite:${path}`, sealIntervalMs: 0 })
    const sealer = await createAuditLog({ database: `sqlite:${path}`, sealIntervalMs: 0 })
    const input = () => ({ targetUserUuid: user(), adminUserUuid: user(), action: 'user_locked' as const })
    const first = await reader.createLogEntries(Array.from({ length: 30 }, input))
    await reader.seal()
    const more = await reader.createLogEntries(Array.from({ length: 20 }, input))
    // The reader knows the first 30 sealed; the other 20 are not, yet.
    expect((await reader.listLogs({ limit: 100 })).map((e) => e.seq).filter((s) => s === null)).toHaveLength(20)
    await sealer.seal()
    const listed = await reader.listLogs({ limit: 100 })
    const byUuid = new Map(listed.map((e) => [e.uuid, e.seq]))
    expect([...first, ...more].map((e) => byUuid.get(e.uuid))).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect((await reader.getLog(more[19]?.uuid as string)).seq).toBe(49)
    // A row with a rowid of its own past the last one: rowid - 1 is not its seq once sealed.
    const db = new Database(path)
    const made = { uuid: '01900000-0000-7000-8000-00000000abcd', ms: Date.now() }
    db.prepare(
      `INSERT INTO auditkit_entries (id, uuid, target_user_uuid, admin_user_uuid, action, metadata, inserted_at)
       VALUES (1000, ?, ?, ?, 'user_locked', '{}', ?)`,
    ).run(made.uuid, user(), user(), made.ms)
    db.close()
    const after = await reader.createLogEntries(Array.from({ length: 2 }, input))
    expect((await reader.getLog(made.uuid)).seq).toBeNull()
    await sealer.seal()
    expect((await reader.getLog(made.uuid)).seq).toBe(50)
    expect(await Promise.all(after.map(async (e) => (await reader.getLog(e.uuid)).seq))).toEqual([51, 52])
    expect((await reader.listLogs({ limit: 3 })).map((e) => e.seq).sort()).toEqual([50, 51, 52])
    await sealer.close()
    await reader.close()
  })

  test('the sealer commits without an fsync (WAL at FULL), every other commit with one, and the level is put back', async () => {
    const db = new Database(file('sync-levels.db'))
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    // The level each COMMIT runs at, and which statement of the batch it ended: seals or entries.
    const commits: { level: number; seals: boolean }[] = []
    const exec = db.exec.bind(db)
    let sealing = false
    db.exec = (sql: string) => {
      if (sql === 'COMMIT') commits.push({ level: Number(db.pragma('synchronous', { simple: true })), seals: sealing })
      return exec(sql)
    }
    const log = await createAuditLog({ database: db, sealIntervalMs: 0 })
    const input = () => ({ targetUserUuid: user(), adminUserUuid: user(), action: 'user_locked' as const })
    await log.createLogEntries(Array.from({ length: 30 }, input))
    sealing = true
    expect((await log.seal()).sealed).toBe(30)
    sealing = false
    await log.createLogEntries(Array.from({ length: 3 }, input))
    expect(commits.filter((c) => c.seals).map((c) => c.level)).toEqual([1])
    // The migrations' commits; the entries' multi-row INSERTs commit on their own, at the connection's level.
    const others = commits.filter((c) => !c.seals)
    expect(others.length).toBeGreaterThan(0)
    expect(others.every((c) => c.level === 2)).toBe(true)
    expect(db.pragma('synchronous', { simple: true })).toBe(2)
    expect((await log.verify()).ok).toBe(true)
    await log.close()
    db.close()
  })

  test('commitsWithoutFsync lowers only FULL and EXTRA in WAL mode, and restores the level when its work throws', () => {
    const level = (db: Database.Database) => Number(db.pragma('synchronous', { simple: true }))
    const seen = (db: Database.Database) => commitsWithoutFsync(db, () => level(db))
    const wal = new Database(file('sync-helper.db'))
    wal.pragma('journal_mode = WAL')
    for (const [set, inside] of [
      ['EXTRA', 1],
      ['FULL', 1],
      ['NORMAL', 1],
      ['OFF', 0],
    ] as const) {
      wal.pragma(`synchronous = ${set}`)
      const before = level(wal)
      expect(seen(wal)).toBe(inside)
      expect(level(wal)).toBe(before)
    }
    wal.pragma('synchronous = EXTRA')
    expect(() =>
      commitsWithoutFsync(wal, () => {
        throw new Error('failed inside')
      }),
    ).toThrow('failed inside')
    expect(level(wal)).toBe(3)
    // A rollback journal keeps its level: NORMAL there could lose more than the last commits.
    const journal = new Database(file('sync-helper-journal.db'))
    journal.pragma('journal_mode = DELETE')
    journal.pragma('synchronous = FULL')
    expect(seen(journal)).toBe(2)
    wal.close()
    journal.close()
  })
})
