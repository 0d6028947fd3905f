import type { Entry } from '../entry.js'
import type { Row, SqlExecutor } from './executor.js'
import type { SealDialect } from './seal-sql.js'
import type { SealOutcome, StoredEntry } from './store.js'

/** One statement to run once per parameter list. */
export interface BatchSql {
  readonly text: string
  readonly paramLists: readonly (readonly unknown[])[]
  /** A name to prepare the statement under, where the engine prepares named statements. */
  readonly name?: string | undefined
}

/**
 * Everything engine-specific a {@link SqlStore} needs: the dialect of the shared queries, the
 * insert, the row mapping, migrations, and how to wrap a caller's handle for `using()`.
 */
export interface Engine extends SealDialect {
  readonly name: 'sqlite' | 'postgres'
  /** The statement(s) that insert these entries. */
  insertSql(entries: readonly StoredEntry[]): BatchSql
  /**
   * Where `seqOf` selects something cheaper than the seq itself (SQLite: the rowid), turns it into
   * each entry read's seq (column 8 of the values), in place; a promise only when it must read more.
   */
  resolveSeqs?(executor: SqlExecutor, rows: unknown[][]): Promise<void> | undefined
  /** A row selected with `columns` as an Entry. */
  toEntry(row: Row): Entry
  /** Applies the missing migrations; safe under concurrency. */
  migrate(executor: SqlExecutor): Promise<void>
  /** Seals one batch through this executor (the store's own, never a caller's transaction). */
  sealBatch(executor: SqlExecutor, maxEntries: number): Promise<SealOutcome>
  /** Wraps a caller's connection or transaction, or throws ValidationError. */
  wrapHandle(handle: unknown): SqlExecutor
}
