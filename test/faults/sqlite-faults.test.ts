// SQLite faults surface as clear StoreErrors and leave nothing half-written: a full disk, a read-only
// file or directory, a file that is not a database, a write lock another connection holds past the
// busy timeout. And neither a write waiting for the lock nor the background sealer freezes the
// event loop: the connection holding the lock may be awaiting something in this very process.
import { execFile, execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type AuditLog, createAuditLog, type DefaultAction, type LogEntryInput, StoreError } from '../../src/index.js'
import { assertNoStall, guardEachTest, watchBlocking } from '../support/fault-guards.js'
import type { ProbeError, ProbeReport } from './readonly-probe.js'

const PROBE = fileURLToPath(new URL('./readonly-probe.ts', import.meta.url))
const REPO = resolve(dirname(PROBE), '../..')

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-sqlite-faults-'))
  // mkdtemp makes it private: the unprivileged probe user must reach the folders inside.
  chmodSync(dir, 0o755)
})
afterAll(() => {
  if (dir === undefined) return
  // The read-only directory made below: writable again, so that it can be removed.
  if (existsSync(join(dir, 'ro-dir'))) chmodSync(join(dir, 'ro-dir'), 0o755)
  rmSync(dir, { recursive: true, force: true })
})

guardEachTest()

function input(adminUserUuid: string = randomUUID(), padding = 0): LogEntryInput<DefaultAction> {
  return {
    targetUserUuid: randomUUID(),
    adminUserUuid,
    action: 'user_updated',
    metadata: padding > 0 ? { note: 'x'.repeat(padding) } : {},
  }
}

/** The error `promise` rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<StoreError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  )
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`)
  expect(outcome.error).toBeInstanceOf(StoreError)
  return outcome.error as StoreError
}

/** Resolves once `check` is true; fails after `ms`. */
async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${ms} ms`)
    await sleep(10)
  }
}

/** A file with a log of `entries` entries, written and sealed by auditkit, closed. */
async function logFile(path: string, entries: number): Promise<void> {
  const log = await createAuditLog({ database: `sqlite:${path}`, sealIntervalMs: 0 })
  await log.createLogEntries(Array.from({ length: entries }, () => input()))
  await log.close()
}

function countRows(path: string): number {
  const db = new Database(path, { readonly: true })
  try {
    return (db.prepare('SELECT count(*) AS n FROM auditkit_entries').get() as { n: number }).n
  } finally {
    db.close()
  }
}

describe('a full disk (max_page_count)', () => {
  test('a write that does not fit is a StoreError SQLITE_FULL, a batch that hits the limit leaves none of its entries, and all works again once there is room', async () => {
    const file = join(dir, 'full.db')
    const db = new Database(file)
    db.pragma('journal_mode = WAL')
    const log = await createAuditLog({ database: db, sealIntervalMs: 0 })
    try {
      const [first] = await log.createLogEntries(Array.from({ length: 10 }, () => input()))
      await log.seal()
      db.pragma(`max_page_count = ${(db.pragma('page_count', { simple: true }) as number) + 4}`)

      // Batches of 20 entries of about 600 bytes (three pages or so) until one does not fit.
      const written: string[] = []
      let full: { admin: string; error: StoreError } | undefined
      for (let i = 0; i < 200 && full === undefined; i++) {
        const admin = randomUUID()
        try {
          await log.createLogEntries(Array.from({ length: 20 }, () => input(admin, 600)))
          written.push(admin)
        } catch (error) {
          expect(error).toBeInstanceOf(StoreError)
          full = { admin, error: error as StoreError }
        }
      }
      expect(full?.error).toMatchObject({ driverCode: 'SQLITE_FULL', retryable: false, operation: 'createLogEntries' })
      expect(full?.error.message).toMatch(/full/)
      expect(db.inTransaction).toBe(false)
      expect(await log.countLogs({ adminUserUuid: full?.admin })).toBe(0)
      for (const admin of written) expect(await log.countLogs({ adminUserUuid: admin })).toBe(20)

      // Single entries until one does not fit either.
      let singles = 0
      let single: StoreError | undefined
      for (let i = 0; i < 1000 && single === undefined; i++) {
        try {
          await log.createLogEntry(input(undefined, 600))
          singles++
        } catch (error) {
          expect(error).toBeInstanceOf(StoreError)
          single = error as StoreError
        }
      }
      expect(single).toMatchObject({ driverCode: 'SQLITE_FULL', retryable: false, operation: 'createLogEntry' })

      // The log still reads; sealing succeeds or fails with a StoreError, never half-done.
      const stored = 10 + 20 * written.length + singles
      expect(await log.countLogs()).toBe(stored)
      expect(await log.findLog(first?.uuid ?? '')).toMatchObject({ uuid: first?.uuid, seq: 0 })
      expect(await log.listLogs({ limit: 5 })).toHaveLength(5)
      const sealing = await log.seal().catch((error: unknown) => error)
      if (sealing instanceof Error) expect(sealing).toBeInstanceOf(StoreError)
      expect(db.inTransaction).toBe(false)
      const whileFull = await log.verify()
      expect(whileFull.problems).toEqual([])

      // Room again: writes work, everything seals and verifies.
      db.pragma('max_page_count = 1000000')
      await log.createLogEntries(Array.from({ length: 20 }, () => input()))
      await log.createLogEntry(input())
      const sealed = await log.seal()
      expect(sealed.treeSize).toBe(stored + 21)
      const verified = await log.verify()
      expect(verified.problems).toEqual([])
      expect(verified).toMatchObject({ ok: true, entries: stored + 21 })
    } finally {
      await log.close()
      db.close()
    }
  })
})

/**
 * Who the read-only probes run as: root writes through file permissions, so as root they run as
 * `nobody`; otherwise as this user. A reason instead when that cannot work; under CI=true that
 * fails the suite rather than skipping it.
 */
function probeUser(): { uid?: number; gid?: number } | string {
  const reason = (() => {
    if (process.getuid === undefined) return 'no POSIX user ids on this platform'
    if (process.getuid() !== 0) return undefined
    let id: { uid: number; gid: number }
    try {
      const lookup = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim())
      id = { uid: lookup('-u'), gid: lookup('-g') }
    } catch (error) {
      return `running as root and no user 'nobody' to drop to (${String(error)})`
    }
    // The probe runs node, this repository's sources and node_modules: every directory on the way
    // must be open to others.
    for (const start of [join(REPO, 'node_modules'), dirname(process.execPath)]) {
      for (let d = start; d !== dirname(d); d = dirname(d)) {
        if ((statSync(d).mode & 0o005) !== 0o005) return `${d} is not readable by 'nobody'`
      }
    }
    return id
  })()
  if (typeof reason === 'string' && process.env.CI === 'true')
    throw new Error(`read-only probes under CI=true: ${reason}`)
  return reason ?? {}
}

const user = probeUser()

/** Runs ./readonly-probe.ts on `path` as the probe user; its report. */
function probe(path: string): Promise<ProbeReport> {
  const ids = typeof user === 'string' ? {} : user
  return new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', PROBE, path],
      { ...ids, cwd: REPO, timeout: 30_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolvePromise(JSON.parse(stdout) as ProbeReport),
    )
  })
}

/** Makes `path` belong to the probe user (as root), so that only its mode stops the writes. */
function giveToProbeUser(path: string): void {
  if (typeof user !== 'string' && user.uid !== undefined && user.gid !== undefined) chownSync(path, user.uid, user.gid)
}

/**
 * What a probe of a read-only log must report: a StoreError at createAuditLog naming the file, or
 * at both writes (and then the log still counts its entries); nothing else failed or escaped.
 */
function expectRefused(report: ProbeReport, file: string, entries: number): void {
  expect(report.stray).toEqual([])
  for (const error of report.errors) expectReadOnlyError(error)
  const steps = report.errors.map((e) => e.step)
  if (steps[0] === 'createAuditLog') {
    expect(steps).toEqual(['createAuditLog'])
    expect(report.errors[0]?.message).toContain(file)
  } else {
    expect(steps).toEqual(['createLogEntry', 'createLogEntries'])
    expect(report.count).toBe(entries)
  }
}

/** A read-only failure as auditkit should report it: a StoreError naming the problem, not retryable. */
function expectReadOnlyError(error: ProbeError | StoreError | undefined): void {
  expect(error).toBeDefined()
  if (error !== undefined && 'storeError' in error) expect(error.storeError).toBe(true)
  expect(error?.driverCode).toMatch(/^SQLITE_(READONLY|CANTOPEN)/)
  expect(error?.message).toMatch(/readonly|read-only|unable to open/i)
  expect(error?.retryable).toBe(false)
}

describe('read-only', () => {
  test('a Database opened read-only: every write is a StoreError SQLITE_READONLY, nothing is written, reads work', async () => {
    const file = join(dir, 'readonly-handle.db')
    await logFile(file, 3)
    // One more entry, left unsealed.
    const writer = await createAuditLog({ database: `sqlite:${file}`, sealIntervalMs: 0 })
    await writer.createLogEntry(input())
    await writer.close({ seal: false })

    const db = new Database(file, { readonly: true })
    try {
      // Nothing to migrate: opening may succeed (then the writes fail) or fail with the same error.
      const log = await createAuditLog({ database: db, sealIntervalMs: 0 }).catch((error: unknown) => error)
      if (log instanceof Error) {
        expect(log).toBeInstanceOf(StoreError)
        expectReadOnlyError(log as StoreError)
      } else {
        await expectWritesRefused(log as AuditLog, db)
      }
    } finally {
      db.close()
    }
    expect(countRows(file)).toBe(4)
  })

  /** On a log over a read-only Database: writes and sealing refused, reads and verify work. */
  async function expectWritesRefused(log: AuditLog, db: Database.Database): Promise<void> {
    expectReadOnlyError(await rejection(log.createLogEntry(input())))
    const batch = await rejection(log.createLogEntries([input(), input()]))
    expectReadOnlyError(batch)
    expect(batch.operation).toBe('createLogEntries')
    expect(await log.countLogs()).toBe(4)
    expectReadOnlyError(await rejection(log.seal()))
    expect(db.inTransaction).toBe(false)
    const verified = await log.verify()
    expect(verified.problems).toEqual([])
    expect(verified).toMatchObject({ ok: true, entries: 3 })
    await log.close({ seal: false })
  }

  const skip = typeof user === 'string' ? user : undefined
  describe.skipIf(skip !== undefined)(
    `as an unprivileged user${skip === undefined ? '' : ` (skipped: ${skip})`}`,
    () => {
      test("a read-only file opened with 'sqlite:<path>': a StoreError at createAuditLog or at the first write, nothing written", {
        timeout: 60_000,
      }, async () => {
        const folder = join(dir, 'ro-file')
        mkdirSync(folder)
        giveToProbeUser(folder)
        const file = join(folder, 'audit.db')
        await logFile(file, 2)
        giveToProbeUser(file)
        chmodSync(file, 0o444)

        const report = await probe(file)
        // The setup worked: the probe may write the directory, not the file.
        expect(report).toMatchObject({ fileWritable: false, dirWritable: true })
        expectRefused(report, file, 2)
        expect(countRows(file)).toBe(2)
      })

      test('a read-only directory: a StoreError naming the file, for an existing log and for a new file', {
        timeout: 60_000,
      }, async () => {
        const folder = join(dir, 'ro-dir')
        mkdirSync(folder)
        const file = join(folder, 'audit.db')
        await logFile(file, 2)
        // Closed cleanly: no -wal or -shm left, and SQLite cannot make them in a read-only directory.
        expect(existsSync(`${file}-wal`)).toBe(false)
        giveToProbeUser(file)
        giveToProbeUser(folder)
        chmodSync(folder, 0o555)

        const existing = await probe(file)
        // The setup worked: the probe may write the file, not the directory.
        expect(existing).toMatchObject({ fileWritable: true, dirWritable: false })
        expectRefused(existing, file, 2)

        const fresh = join(folder, 'new.db')
        const created = await probe(fresh)
        expectRefused(created, fresh, 0)
        expect(created.errors[0]).toMatchObject({ step: 'createAuditLog', operation: 'open' })
        expect(existsSync(fresh)).toBe(false)

        chmodSync(folder, 0o755)
        expect(countRows(file)).toBe(2)
      })
    },
  )
})

describe('a file that is not a database', () => {
  const text = 'name,email\nAda,ada@example.com\n'.repeat(200)

  test("'sqlite:<path>': createAuditLog rejects with a StoreError naming the file, and leaves it as it was", async () => {
    const file = join(dir, 'users.csv')
    writeFileSync(file, text)
    const error = await rejection(createAuditLog({ database: `sqlite:${file}` }))
    expect(error).toMatchObject({ driverCode: 'SQLITE_NOTADB', retryable: false })
    expect(error.message).toContain(file)
    expect(error.message).toMatch(/not a database/)
    expect(readFileSync(file, 'utf8')).toBe(text)
  })

  test('a Database on it: createAuditLog rejects with a StoreError naming the file, and leaves the Database open', async () => {
    const file = join(dir, 'notes.txt')
    writeFileSync(file, text)
    const db = new Database(file)
    try {
      const error = await rejection(createAuditLog({ database: db }))
      expect(error).toMatchObject({ driverCode: 'SQLITE_NOTADB', retryable: false })
      expect(error.message).toContain(file)
      expect(db.open).toBe(true)
    } finally {
      db.close()
    }
    expect(readFileSync(file, 'utf8')).toBe(text)
  })
})

describe('a write lock held by another connection', () => {
  test('a write waits for it without blocking the event loop, fails after busyTimeoutMs with a retryable StoreError SQLITE_BUSY, and works once it is released', async () => {
    const file = join(dir, 'busy.db')
    const log = await createAuditLog({ database: `sqlite:${file}`, busyTimeoutMs: 300, sealIntervalMs: 0 })
    const other = new Database(file)
    try {
      other.exec('BEGIN IMMEDIATE')
      const admin = randomUUID()
      const watch = watchBlocking()
      for (const [operation, write] of [
        ['createLogEntry', () => log.createLogEntry(input(admin))],
        ['createLogEntries', () => log.createLogEntries([input(admin), input(admin)])],
      ] as const) {
        const started = performance.now()
        const error = await rejection(write())
        const waited = performance.now() - started
        expect(error).toMatchObject({ retryable: true, operation, code: 'store_unavailable' })
        expect(error.driverCode).toMatch(/^SQLITE_BUSY/)
        expect(waited).toBeGreaterThanOrEqual(250)
        expect(waited).toBeLessThan(1500)
      }
      // Released while a write waits: that write goes through.
      const waiting = log.createLogEntry(input(admin))
      await sleep(100)
      other.exec('COMMIT')
      await waiting
      assertNoStall(watch.stop())

      await log.createLogEntries([input(admin), input(admin)])
      expect(await log.countLogs({ adminUserUuid: admin })).toBe(3)
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK')
      other.close()
      await log.close()
    }
  })
})

describe('a lock held by another connection while auditkit opens a file not yet in WAL mode', () => {
  // Switching an application's database (rollback journal) to WAL needs the file to itself: the
  // wait for that must be as asynchronous as a write's, or the holder can never finish.
  for (const hold of ['read', 'write'] as const) {
    test(`a ${hold} transaction released after 200 ms: createAuditLog waits for it without blocking the event loop, then opens`, async () => {
      const file = join(dir, `open-${hold}-locked.db`)
      const app = new Database(file)
      app.exec('CREATE TABLE app_users (id TEXT PRIMARY KEY)')
      if (hold === 'read') {
        app.exec('BEGIN')
        app.prepare('SELECT count(*) FROM app_users').get()
      } else {
        app.exec('BEGIN IMMEDIATE')
      }
      const watch = watchBlocking()
      const started = performance.now()
      const released = sleep(200).then(() => {
        app.exec('COMMIT')
        return performance.now() - started
      })
      try {
        const log = await createAuditLog({ database: `sqlite:${file}`, busyTimeoutMs: 2000, sealIntervalMs: 0 }).catch(
          (error: unknown) => error,
        )
        const stall = watch.stop()
        const releasedAfter = await released
        const outcome = log instanceof Error ? `${log.name}: ${log.message}` : 'opened'
        expect(outcome, `the event loop stalled up to ${Math.round(stall.wallMs)} ms`).toBe('opened')
        assertNoStall(stall)
        expect(releasedAfter).toBeLessThan(300)
        if (log instanceof Error) return
        const audit = log as AuditLog
        await audit.createLogEntry(input())
        expect(await audit.countLogs()).toBe(1)
        await audit.close()
      } finally {
        watch.stop()
        await released.catch(() => {})
        if (app.inTransaction) app.exec('ROLLBACK')
        app.close()
      }
    })
  }
})

describe('the SQLite sealer', () => {
  test('with entries to seal, it does not freeze the event loop while the connection holding the write lock awaits, and seals everything once it is released', async () => {
    const file = join(dir, 'sealer-pending.db')
    const sealErrors: unknown[] = []
    const log = await createAuditLog({
      database: `sqlite:${file}`,
      sealIntervalMs: 20,
      onSealError: (error) => sealErrors.push(error),
    })
    // The application's own connection, in this process.
    const app = new Database(file)
    app.exec('CREATE TABLE app_users (id TEXT PRIMARY KEY, locked INTEGER NOT NULL)')
    const watch = watchBlocking()
    try {
      app.exec('BEGIN IMMEDIATE')
      await log.using(app).createLogEntries(Array.from({ length: 50 }, () => input()))
      // Committed, and the lock taken again at once: the sealer cannot run in between.
      app.exec('COMMIT')
      app.exec('BEGIN IMMEDIATE')
      app.prepare('INSERT INTO app_users (id, locked) VALUES (?, 1)').run(randomUUID())
      await log.using(app).createLogEntry(input())
      const started = performance.now()
      await sleep(200)
      const waited = performance.now() - started
      // Still nothing sealed: the sealer found the lock taken every time.
      expect((await log.treeHead()).treeSize).toBe(0)
      app.exec('COMMIT')
      expect(waited).toBeLessThan(300)

      await until(
        async () => (await log.treeHead()).treeSize === 51,
        5000,
        'the background sealer sealed all 51 entries',
      )
      assertNoStall(watch.stop())
      expect((await log.seal()).treeSize).toBe(51)
      const verified = await log.verify()
      expect(verified.problems).toEqual([])
      expect(verified).toMatchObject({ ok: true, entries: 51 })
      expect(sealErrors).toEqual([])
    } finally {
      watch.stop()
      if (app.inTransaction) app.exec('ROLLBACK')
      app.close()
      await log.close()
    }
  })

  test('with nothing to seal, it does not take the write lock: another connection holds it for 2 s and nothing fails or waits', {
    timeout: 30_000,
  }, async () => {
    const file = join(dir, 'sealer-idle.db')
    const sealErrors: unknown[] = []
    const onSealError = (error: unknown) => sealErrors.push(error)
    const log = await createAuditLog({ database: `sqlite:${file}`, sealIntervalMs: 20, onSealError })
    // A second log on the same file, on a Database that records every statement it runs.
    const statements: string[] = []
    const traced = new Database(file, { verbose: (sql) => statements.push(String(sql)) })
    const tracedLog = await createAuditLog({ database: traced, sealIntervalMs: 20, onSealError })
    const app = new Database(file)
    try {
      await log.createLogEntries(Array.from({ length: 10 }, () => input()))
      await until(async () => (await log.treeHead()).treeSize === 10, 5000, 'the background sealer sealed 10 entries')
      await sleep(50)

      const watch = watchBlocking()
      const before = statements.length
      app.exec('BEGIN IMMEDIATE')
      app.exec('CREATE TABLE app_settings (key TEXT PRIMARY KEY, value TEXT)')
      let slowestRead = 0
      for (const end = performance.now() + 2000; performance.now() < end; ) {
        const started = performance.now()
        expect(await log.countLogs()).toBe(10)
        slowestRead = Math.max(slowestRead, performance.now() - started)
        await sleep(50)
      }
      expect(() => app.exec('COMMIT')).not.toThrow()
      const during = statements.slice(before)

      assertNoStall(watch.stop())
      expect(slowestRead).toBeLessThan(100)
      expect(sealErrors).toEqual([])
      // The traced log's sealer (the only user of its connection meanwhile) ran all along, about every
      // 20 ms, and never began a transaction.
      expect(during.length).toBeGreaterThan(10)
      expect(during.filter((sql) => /^\s*BEGIN/i.test(sql))).toEqual([])

      await log.createLogEntry(input())
      expect((await log.seal()).treeSize).toBe(11)
      expect(await log.verify()).toMatchObject({ ok: true, problems: [] })
    } finally {
      if (app.inTransaction) app.exec('ROLLBACK')
      app.close()
      await tracedLog.close()
      traced.close()
      await log.close()
    }
  })
})
