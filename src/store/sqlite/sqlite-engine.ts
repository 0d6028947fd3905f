import type { Entry } from '../../entry.js'
import { ValidationError } from '../../errors.js'
import type { BatchSql, Engine } from '../engine.js'
import type { Row, SqlExecutor } from '../executor.js'
import { quoteIdentifier } from '../identifiers.js'
import { isKysely, KyselyExecutor } from '../kysely-executor.js'
import { runMigrations } from '../migrations.js'
import type { StoredEntry } from '../store.js'
import { isSqliteDatabase, SqliteExecutor } from './sqlite-executor.js'
import { sqliteMigrationPlan } from './sqlite-migrations.js'

const executors = new WeakMap<object, SqlExecutor>()

/** SQLite's part of the store: `?` parameters, dates as epoch milliseconds, metadata as JSON text. */
export function sqliteEngine(tableName: string): Engine {
  const table = quoteIdentifier(tableName)
  const insert = `INSERT INTO ${table} (uuid, target_user_uuid, admin_user_uuid, action, ip_address, user_agent, metadata, inserted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
  const plan = sqliteMigrationPlan(tableName)
  return {
    name: 'sqlite',
    table,
    param: () => '?',
    encodeDate: (date) => date.getTime(),
    metadataAsText: 'metadata',
    insertSql(entries: readonly StoredEntry[]): BatchSql {
      const paramLists = entries.map((s) => {
        const e = s.entry
        return [
          e.uuid,
          e.targetUserUuid,
          e.adminUserUuid,
          e.action,
          e.ipAddress,
          e.userAgent,
          s.metadataJson,
          e.insertedAt.getTime(),
        ]
      })
      return { text: insert, paramLists }
    },
    toEntry(row: Row): Entry {
      return {
        uuid: row.uuid as string,
        targetUserUuid: row.target as string,
        adminUserUuid: row.admin as string,
        action: row.action as string,
        ipAddress: (row.ip as string | null) ?? null,
        userAgent: (row.agent as string | null) ?? null,
        metadata: JSON.parse(row.metadata as string),
        insertedAt: new Date(Number(row.at)),
      }
    },
    async migrate(executor: SqlExecutor): Promise<void> {
      await runMigrations(executor, plan)
    },
    wrapHandle(handle: unknown): SqlExecutor {
      if (isKysely(handle)) return new KyselyExecutor(handle)
      if (!isSqliteDatabase(handle)) {
        throw new ValidationError([
          { field: 'handle', message: 'must be a better-sqlite3 Database or a Kysely transaction' },
        ])
      }
      return sqliteExecutorFor(handle)
    },
  }
}

/** One executor per Database, so that its prepared statements are reused across `using()` calls. */
export function sqliteExecutorFor(db: Parameters<typeof isSqliteDatabase>[0] & object): SqlExecutor {
  let executor = executors.get(db)
  if (executor === undefined) {
    if (!isSqliteDatabase(db)) throw new TypeError('not a better-sqlite3 Database')
    executor = new SqliteExecutor(db)
    executors.set(db, executor)
  }
  return executor
}
