import { resolve as resolvePath } from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'
import { toStoreError } from '../../errors.js'
import type { Engine } from '../engine.js'
import type { Row } from '../executor.js'
import { importDriver } from '../import-driver.js'
import { SqlStore } from '../sql-store.js'
import type { SealOutcome, Store } from '../store.js'
import { sqliteEngine, sqliteExecutorFor } from './sqlite-engine.js'
import { SqliteExecutor, whenUnlocked } from './sqlite-executor.js'
import { startLeafReader } from './sqlite-leaf-reader.js'
import { type ParallelSeal, parallelSeal } from './sqlite-seal-session.js'

/** How to open a SQLite store. */
export interface SqliteStoreOptions {
  /** A file path, `:memory:`, or an open better-sqlite3 Database (which close() leaves open). */
  readonly database: string | BetterSqlite3.Database
  readonly table: string
  /** How long a write waits for another process's lock, in milliseconds. */
  readonly busyTimeoutMs: number
  /** `full` (default): a resolved write survives power loss. `normal`: faster, may lose the last commits. */
  readonly synchronous: 'full' | 'normal'
}

/**
 * Opens (or adopts) a SQLite database. A database auditkit opens itself gets WAL mode, the
 * chosen `synchronous` level and a busy timeout, so several processes can write one file.
 */
export async function createSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const engine = sqliteEngine(options.table)
  if (typeof options.database !== 'string') {
    const db = options.database
    const where = db.memory ? undefined : `file ${db.name}`
    return new SqlStore(engine, sqliteExecutorFor(db), async () => {}, where)
  }
  const { default: Database } = await importDriver('better-sqlite3', () => import('better-sqlite3'))
  const file = `file ${options.database}`
  let db: BetterSqlite3.Database
  try {
    db = new Database(options.database)
  } catch (e) {
    throw toStoreError('open', e, file)
  }
  try {
    // A lock held by another connection is waited for asynchronously, never inside a call
    // (SqliteExecutor): switching a file to WAL needs it to itself, for one.
    db.pragma('busy_timeout = 0')
    await whenUnlocked(db, options.busyTimeoutMs, () => db.pragma('journal_mode = WAL'))
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`)
  } catch (e) {
    db.close()
    throw toStoreError('open', e, file)
  }
  const executor = new SqliteExecutor(db, options.busyTimeoutMs)
  // A file on disk can be opened again by a worker thread (verify's leaves), by its absolute path
  // as of now (a later chdir changes nothing); `:memory:` cannot.
  const path = resolvePath(options.database)
  const onDisk = options.database !== '' && options.database !== ':memory:' && !db.memory
  const close = async () => {
    db.close()
  }
  if (!onDisk) return new SqlStore(engine, executor, close, file)
  const toEntry = (row: Row) => engine.toEntry(row)
  return new SqliteFileStore(
    engine,
    executor,
    close,
    file,
    (range, toEntry) => startLeafReader(path, options.table, range, toEntry),
    parallelSeal(db, path, options.table, engine, toEntry),
  )
}

/**
 * The store of a SQLite file auditkit opened: a worker thread can open the file again, to hash
 * for verify (`leafReader`) and for the sealer on a large backlog (`seals`).
 */
class SqliteFileStore extends SqlStore {
  constructor(
    engine: Engine,
    executor: SqliteExecutor,
    onClose: () => Promise<void>,
    where: string,
    leafReader: ConstructorParameters<typeof SqlStore>[4],
    private readonly seals: ParallelSeal,
  ) {
    super(engine, executor, onClose, where, leafReader)
  }

  override async sealBatch(maxEntries: number): Promise<SealOutcome> {
    let outcome: SealOutcome | undefined
    try {
      outcome = await this.seals.batch(maxEntries)
    } catch (e) {
      throw toStoreError('seal', e)
    }
    return outcome ?? super.sealBatch(maxEntries)
  }

  override async close(): Promise<void> {
    await this.seals.close()
    await super.close()
  }
}
