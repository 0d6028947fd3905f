import type BetterSqlite3 from 'better-sqlite3'
import { nextTurn, SLICE } from '../../slices.js'
import type { Row, SqlExecutor } from '../executor.js'

type Database = BetterSqlite3.Database
type Statement = BetterSqlite3.Statement<unknown[], unknown>

/** True for a better-sqlite3 Database. */
export function isSqliteDatabase(handle: unknown): handle is Database {
  const h = handle as Partial<Database> | null
  return typeof h?.prepare === 'function' && typeof h.pragma === 'function' && typeof h.transaction === 'function'
}

/** True for SQLite's "another connection holds the lock" errors (SQLITE_BUSY, SQLITE_LOCKED and their variants). */
export function isSqliteBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
}

/**
 * Prepares `sql` on `db` with integers read as numbers, whatever the caller set for the
 * connection (`db.defaultSafeIntegers(true)` would make them BigInts, which auditkit's reads and
 * its sealer's arithmetic do not take). auditkit's integers (rowids, seqs, epoch milliseconds,
 * sizes) all stay below 2^53.
 *
 * @example
 * prepareNumbers(db, 'SELECT count(*) AS n FROM t').get() // { n: 3 }, never { n: 3n }
 */
export function prepareNumbers(db: Database, sql: string): Statement {
  return db.prepare(sql).safeIntegers(false)
}

/** One statement run with one parameter list: a row, or several rows of a multi-row INSERT. */
interface Call {
  readonly statement: Statement
  readonly params: readonly unknown[]
  readonly rows: number
}

// A batch of a single-row INSERT runs as INSERTs of this many rows: one call per row costs more
// than the statement's own work (about 3 us of 40 per entry, measured).
const ROWS_PER_INSERT = 50
const SINGLE_ROW_INSERT = /^(INSERT INTO [^;]* VALUES )(\((?:\?, )*\?\))$/

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const MAX_BUSY_PAUSE_MS = 50

/**
 * Runs `fn` (synchronous statements on `db`); while it fails because another connection holds the
 * lock (SQLITE_BUSY, SQLITE_LOCKED), runs it again after a pause of 1 ms doubling to 50 ms, until
 * `timeoutMs` has passed, then rejects with the last error. The pauses are timers: the event loop
 * runs meanwhile. Never inside a transaction of `db`, where the statement belongs to it.
 */
export async function whenUnlocked<T>(db: Database, timeoutMs: number, fn: () => T): Promise<T> {
  let deadline: number | undefined
  for (let pause = 1; ; pause = Math.min(pause * 2, MAX_BUSY_PAUSE_MS)) {
    try {
      return fn()
    } catch (error) {
      if (db.inTransaction || !isSqliteBusy(error)) throw error
      deadline ??= performance.now() + timeoutMs
      const left = deadline - performance.now()
      if (left <= 0) throw error
      await sleep(Math.min(pause, left))
    }
  }
}

/**
 * Runs statements on a better-sqlite3 Database, synchronously under a promise. Statements are
 * prepared once and kept. A batch runs inside one synchronous transaction (a savepoint when the
 * caller has one open), so nothing else on the connection can slip into it.
 *
 * With `busyTimeoutMs` (a file auditkit opened, whose own busy timeout is 0), a statement that
 * finds the database locked by another connection is tried again after a pause, asynchronously,
 * until that time has passed: SQLite's busy handler would wait inside the call and freeze the
 * event loop, and with it whatever the lock holder awaits. A statement refused as busy did
 * nothing, so trying it again never writes twice. Without it, the connection's own busy timeout
 * applies (a Database the caller passed in).
 *
 * On such a file (no one else holds the connection), a batch of more than {@link SLICE}
 * rows is written a slice at a time with the event loop turning between slices, inside one
 * transaction; the connection's other statements wait for it, so that none lands inside it.
 */
export class SqliteExecutor implements SqlExecutor {
  readonly #statements = new Map<string, Statement>()
  /** The same, returning rows as arrays (`raw` mode is a property of the statement). */
  readonly #valueStatements = new Map<string, Statement>()
  #queue: Promise<unknown> = Promise.resolve()
  /** Set while a sliced batch holds the connection: every other statement waits for it. */
  #exclusive: Promise<void> | undefined
  readonly #runAll: BetterSqlite3.Transaction<(calls: readonly Call[]) => void>

  constructor(
    private readonly db: Database,
    private readonly busyTimeoutMs?: number,
  ) {
    this.#runAll = db.transaction((calls: readonly Call[]) => {
      for (const call of calls) call.statement.run(call.params)
    })
  }

  /** The Database this executor runs on (for the sealer, which runs synchronously on it). */
  get database(): Database {
    return this.db
  }

  #prepare(sql: string): Statement {
    let statement = this.#statements.get(sql)
    if (statement === undefined) {
      statement = prepareNumbers(this.db, sql)
      this.#statements.set(sql, statement)
    }
    return statement
  }

  #prepareValues(sql: string): Statement {
    let statement = this.#valueStatements.get(sql)
    if (statement === undefined) {
      statement = prepareNumbers(this.db, sql).raw(true)
      this.#valueStatements.set(sql, statement)
    }
    return statement
  }

  /**
   * Runs `fn` at once; only when another connection holds the lock, again after pauses (see the
   * class). The first attempt adds no promise of its own: reads are the query path.
   */
  #whenFree<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn())
    } catch (error) {
      if (this.busyTimeoutMs === undefined || !isSqliteBusy(error)) return Promise.reject(error)
      return whenUnlocked(this.db, this.busyTimeoutMs, fn)
    }
  }

  /** Resolves when no sliced batch holds the connection (at once, without a turn, when none does). */
  async #free(): Promise<void> {
    while (this.#exclusive !== undefined) await this.#exclusive
  }

  query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    if (this.#exclusive !== undefined) return this.#free().then(() => this.query(sql, params))
    return this.#whenFree(() => {
      const statement = this.#prepare(sql)
      if (statement.reader) return statement.all(params) as Row[]
      statement.run(params)
      return []
    })
  }

  // Every statement is prepared once and kept (`repeated` or not).
  queryValues(sql: string, params: readonly unknown[]): Promise<unknown[][]> {
    if (this.#exclusive !== undefined) return this.#free().then(() => this.queryValues(sql, params))
    return this.#whenFree(() => this.#prepareValues(sql).all(params) as unknown[][])
  }

  // The read in the caller's turn: no promise between the driver and the caller (a single
  // entry's read is where those turns show). Busy with a timeout to wait out: queryValues waits.
  queryValuesNow(sql: string, params: readonly unknown[]): unknown[][] | undefined {
    if (this.#exclusive !== undefined) return undefined
    try {
      return this.#prepareValues(sql).all(params) as unknown[][]
    } catch (error) {
      if (this.busyTimeoutMs !== undefined && isSqliteBusy(error)) return undefined
      throw error
    }
  }

  async batch(sql: string, paramLists: readonly (readonly unknown[])[]): Promise<void> {
    if (this.#exclusive !== undefined) await this.#free()
    const calls = this.#calls(sql, paramLists)
    if (this.busyTimeoutMs !== undefined && paramLists.length > SLICE && !this.db.inTransaction) {
      await this.#sliced(calls)
      return
    }
    await this.#whenFree(() => {
      if (calls.length === 1) (calls[0] as Call).statement.run((calls[0] as Call).params)
      else if (this.db.inTransaction) this.#runAll(calls)
      else this.#runAll.immediate(calls)
    })
  }

  // The statement once per parameter list; a single-row INSERT, ROWS_PER_INSERT rows at a time.
  #calls(sql: string, paramLists: readonly (readonly unknown[])[]): Call[] {
    const statement = this.#prepare(sql)
    const calls: Call[] = []
    let i = 0
    const multi = paramLists.length >= ROWS_PER_INSERT ? SINGLE_ROW_INSERT.exec(sql) : null
    if (multi !== null) {
      const many = this.#prepare(`${multi[1]}${Array(ROWS_PER_INSERT).fill(multi[2]).join(', ')}`)
      for (; i + ROWS_PER_INSERT <= paramLists.length; i += ROWS_PER_INSERT) {
        const params: unknown[] = []
        for (let j = i; j < i + ROWS_PER_INSERT; j++) params.push(...(paramLists[j] as readonly unknown[]))
        calls.push({ statement: many, params, rows: ROWS_PER_INSERT })
      }
    }
    for (; i < paramLists.length; i++) calls.push({ statement, params: paramLists[i] as readonly unknown[], rows: 1 })
    return calls
  }

  // One transaction that lets the event loop turn after about SLICE rows; nothing else runs on
  // the connection meanwhile (#exclusive), the sealer included (it sees the open transaction).
  async #sliced(calls: readonly Call[]): Promise<void> {
    let release = () => {}
    this.#exclusive = new Promise((resolve) => {
      release = resolve
    })
    try {
      await this.#whenFree(() => this.db.exec('BEGIN IMMEDIATE'))
      try {
        let rows = 0
        for (const call of calls) {
          if (rows >= SLICE) {
            await nextTurn()
            rows = 0
          }
          call.statement.run(call.params)
          rows += call.rows
        }
        this.db.exec('COMMIT')
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK')
        throw error
      }
    } finally {
      this.#exclusive = undefined
      release()
    }
  }

  // One connection has one transaction at a time: queue them, or two would interleave.
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => this.#transaction(fn))
    this.#queue = run.catch(() => {})
    return run
  }

  async #transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    await this.#free()
    const nested = this.db.inTransaction
    if (nested) this.db.exec('SAVEPOINT auditkit_tx')
    else await this.#whenFree(() => this.db.exec('BEGIN IMMEDIATE'))
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
