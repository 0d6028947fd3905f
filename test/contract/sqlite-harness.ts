import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { type AuditLog, createAuditLog } from '../../src/index.js'
import type { CallerTransaction, Fixture, Harness } from './harness.js'

type Db = Database.Database

function callerTransactions(callerDb: Db, passwords: string): Fixture<string>['transactions'] {
  const kysely = new Kysely<Record<string, never>>({ dialect: new SqliteDialect({ database: callerDb }) })
  const change = () => callerDb.prepare(`INSERT INTO ${passwords} (hash) VALUES ('x')`).run()
  return {
    'better-sqlite3 Database': async (): Promise<CallerTransaction> => {
      callerDb.exec('BEGIN IMMEDIATE')
      return {
        handle: callerDb,
        changePassword: async () => void change(),
        commit: async () => void callerDb.exec('COMMIT'),
        rollback: async () => void callerDb.exec('ROLLBACK'),
      }
    },
    'Kysely transaction': async (): Promise<CallerTransaction> => {
      const trx = await kysely.startTransaction().execute()
      return {
        handle: trx,
        changePassword: async () =>
          void (await trx
            .insertInto(passwords as never)
            .values({ hash: 'x' } as never)
            .execute()),
        commit: () => trx.commit().execute(),
        rollback: () => trx.rollback().execute(),
      }
    },
  }
}

function failTrigger(table: string, action: string): string {
  if (!/^[a-z_]+$/.test(action)) throw new Error('test actions are plain words')
  return `CREATE TRIGGER ${table}_fail_${action} BEFORE INSERT ON ${table} WHEN NEW.action = '${action}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`
}

/**
 * SQLite in memory: the log and the caller share one better-sqlite3 Database handed to
 * `createAuditLog` (an in-memory database is private to its connection).
 */
export function sqliteMemoryHarness(): Harness {
  const dbs: Db[] = []
  let n = 0
  return {
    name: 'SQLite :memory:',
    engine: 'sqlite',
    async open(options) {
      const db = new Database(':memory:')
      dbs.push(db)
      const table = `e${++n}`
      db.exec(`CREATE TABLE ${table}_passwords (hash TEXT)`)
      const audit = await createAuditLog({ sealIntervalMs: 0, ...options, database: db, table })
      return {
        audit,
        transactions: callerTransactions(db, `${table}_passwords`),
        committedPasswordChanges: async () =>
          (db.prepare(`SELECT count(*) AS n FROM ${table}_passwords`).get() as { n: number }).n,
        failInsertsOf: async (action) => void db.exec(failTrigger(table, action)),
        reopen: undefined,
      }
    },
    async teardown() {
      for (const db of dbs) db.close()
    },
  }
}

/**
 * SQLite on a real file: the log opens the file itself (WAL, synchronous=FULL); the caller has a
 * connection of their own to the same file, as an application would.
 */
export function sqliteFileHarness(): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'auditkit-test-'))
  const logs: AuditLog<string>[] = []
  const dbs: Db[] = []
  let n = 0
  return {
    name: 'SQLite file',
    engine: 'sqlite',
    async open(options) {
      const path = join(dir, `audit-${++n}.db`)
      const table = 'entries'
      const callerDb = new Database(path)
      callerDb.pragma('busy_timeout = 5000')
      callerDb.pragma('journal_mode = WAL')
      callerDb.exec('CREATE TABLE passwords (hash TEXT)')
      dbs.push(callerDb)
      const open = () => createAuditLog({ sealIntervalMs: 0, ...options, database: `sqlite:${path}`, table })
      const audit = await open()
      logs.push(audit as AuditLog<string>)
      return {
        audit,
        transactions: callerTransactions(callerDb, 'passwords'),
        committedPasswordChanges: async () =>
          (callerDb.prepare('SELECT count(*) AS n FROM passwords').get() as { n: number }).n,
        failInsertsOf: async (action) => void callerDb.exec(failTrigger(table, action)),
        reopen: async () => {
          await audit.close()
          const again = await open()
          logs.push(again as AuditLog<string>)
          return again
        },
      }
    },
    async teardown() {
      for (const log of logs) await log.close()
      for (const db of dbs) db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
