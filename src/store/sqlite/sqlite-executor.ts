import type BetterSqlite3 from 'better-sqlite3'
import type { Row, SqlExecutor } from '../executor.js'

type Database = BetterSqlite3.Database
type Statement = BetterSqlite3.Statement<unknown[], unknown>

/** True for a better-sqlite3 Database. */
export function isSqliteDatabase(handle: unknown): handle is Database {
  const h = handle as Partial<Database> | null
  return typeof h?.prepare === 'function' && typeof h.pragma === 'function' && typeof h.transaction === 'function'
}

/**
 * Runs statements on a better-sqlite3 Database, synchronously under a promise. Statements are
 * prepared once and kept. A batch runs inside one synchronous transaction (a savepoint when the
 * caller has one open), so nothing else on the connection can slip into it.
 */
export class SqliteExecutor implements SqlExecutor {
  readonly #statements = new Map<string, Statement>()
  #queue: Promise<unknown> = Promise.resolve()
  readonly #runAll: BetterSqlite3.Transaction<(st: Statement, lists: readonly (readonly unknown[])[]) => void>

  constructor(private readonly db: Database) {
    this.#runAll = db.transaction((st: Statement, lists: readonly (readonly unknown[])[]) => {
      for (const params of lists) st.run(params)
    })
  }

  /** The Database this executor runs on (for the sealer, which runs synchronously on it). */
  get database(): Database {
    return this.db
  }

  #prepare(sql: string): Statement {
    let statement = this.#statements.get(sql)
    if (statement === undefined) {
      statement = this.db.prepare(sql)
      this.#statements.set(sql, statement)
    }
    return statement
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const statement = this.#prepare(sql)
    if (statement.reader) return statement.all(params) as Row[]
    statement.run(params)
    return []
  }

  async batch(sql: string, paramLists: readonly (readonly unknown[])[]): Promise<void> {
    const statement = this.#prepare(sql)
    if (paramLists.length === 1) statement.run(paramLists[0])
    else if (this.db.inTransaction) this.#runAll(statement, paramLists)
    else this.#runAll.immediate(statement, paramLists)
  }

  // One connection has one transaction at a time: queue them, or two would interleave.
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => this.#transaction(fn))
    this.#queue = run.catch(() => {})
    return run
  }

  async #transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const nested = this.db.inTransaction
    this.db.exec(nested ? 'SAVEPOINT auditkit_tx' : 'BEGIN IMMEDIATE')
    try {
      const result = await fn(this)
      this.db.exec(nested ? 'RELEASE auditkit_tx' : 'COMMIT')
      return result
    } catch (error) {
      if (this.db.inTransaction) this.db.exec(nested ? 'ROLLBACK TO auditkit_tx; RELEASE auditkit_tx' : 'ROLLBACK')
      throw error
    }
  }
}
