import type BetterSqlite3 from 'better-sqlite3'
import type { Entry } from '../../entry.js'
import { ValidationError } from '../../errors.js'
import type { BatchSql, Engine } from '../engine.js'
import { INSERT_COLUMNS, insertValues } from '../entry-sql.js'
import { dateOfMs } from '../entry-values.js'
import type { Row, SqlExecutor } from '../executor.js'
import { quoteIdentifier } from '../identifiers.js'
import { isKysely, KyselyExecutor } from '../kysely-executor.js'
import { runMigrations } from '../migrations.js'
import type { StoredEntry } from '../store.js'
import { isSqliteDatabase, SqliteExecutor } from './sqlite-executor.js'
import { sqliteMigrationPlan } from './sqlite-migrations.js'
import { sqliteSealer } from './sqlite-sealer.js'
import { sqliteSeqs } from './sqlite-seqs.js'

type Database = BetterSqlite3.Database

const executors = new WeakMap<object, SqlExecutor>()

/** SQLite's part of the store: `?` parameters, dates as epoch milliseconds, metadata as JSON text. */
export function sqliteEngine(tableName: string): Engine {
  const table = quoteIdentifier(tableName)
  const side = (name: string) => quoteIdentifier(`${tableName}_${name}`)
  const insert = `INSERT INTO ${table} (${INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
  const plan = sqliteMigrationPlan(tableName)
  let seal: ReturnType<typeof sqliteSealer> | undefined
  const engine: Engine = {
    name: 'sqlite',
    table,
    sealsTable: side('seals'),
    tiles: side('tiles'),
    sealer: side('sealer'),
    checkpoints: side('checkpoints'),
    apiKeys: side('api_keys'),
    idempotency: side('idempotency'),
    // Entries after the stored position (rowid order is commit order: nothing is sealed after it).
    pendingSql:
      `SELECT count(*) AS n, min(e.inserted_at) AS oldest FROM ${table} e ` +
      `WHERE e.id > (SELECT last_id FROM ${side('sealer')} WHERE id = 1)`,
    sealedPast: 'e.id <= s.last_id',
    scan: {
      key: 'e.id AS k1, e.uuid AS k2',
      order: 'e.id',
      after: () => 'e.id > ?',
      upTo: () => 'e.id <= ?',
      keyText: 'c.k1 AS k1, c.k2 AS k2',
      keyDesc: 'c.k1 DESC',
      lastKey: `SELECT id AS k1, uuid AS k2 FROM ${table} ORDER BY id DESC LIMIT 1`,
      keyLength: 1,
    },
    indexSettings: undefined,
    unsealedPosition: `e.id <= max(s.last_id, coalesce((SELECT max(x.id) FROM ${table} x JOIN ${side('seals')} y ON y.uuid = x.uuid), 0))`,
    sealsAhead: false,
    positions: { state: 'last_id', entry: 'id' },
    param: () => '?',
    readParam: () => '+?',
    encodeDate: (date) => date.getTime(),
    metadataAsText: (column) => column,
    dateAsMs: (column) => column,
    readDate: (column) => column,
    // SQLite seals in rowid order: reads select the rowid, and resolveSeqs makes it the seq (rowid - 1
    // up to the sealer's `contiguous_to`, migration 6; only rows past it are looked up).
    seqOf: (from) => `${from}.id AS seq`,
    resolveSeqs: sqliteSeqs(side('sealer'), side('seals')),
    seqFromRow: true,
    bitmapAnd: false,
    insertSql(entries: readonly StoredEntry[]): BatchSql {
      return { text: insert, paramLists: entries.map((stored) => insertValues(this, stored)) }
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
        insertedAt: dateOfMs(row.at),
        seq: row.seq === null || row.seq === undefined ? null : Number(row.seq),
      }
    },
    async sealBatch(executor: SqlExecutor, maxEntries: number) {
      if (!(executor instanceof SqliteExecutor)) throw new Error('sealing needs the log’s own SQLite connection')
      seal ??= sqliteSealer(engine, (row) => engine.toEntry(row))
      return seal.batch(executor.database, maxEntries)
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
  return engine
}

/** One executor per Database, so that its prepared statements are reused across `using()` calls. */
export function sqliteExecutorFor(db: Database): SqlExecutor {
  let executor = executors.get(db)
  if (executor === undefined) {
    executor = new SqliteExecutor(db)
    executors.set(db, executor)
  }
  return executor
}
