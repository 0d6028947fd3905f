import { inSlices } from '../slices.js'

/** A row as a driver returns it. */
export type Row = Record<string, unknown>

/**
 * How a store talks to one connection, pool or transaction. Each engine wraps its driver in one;
 * a Kysely instance or transaction is wrapped the same way for both engines.
 */
export interface SqlExecutor {
  /** Runs one parameterized statement and returns its rows. */
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>
  /**
   * Runs one parameterized SELECT and returns its rows as arrays of values in select order, which
   * a driver builds faster than objects. With `repeated` (a text sent again and again), an engine
   * that supports it prepares the statement once per connection. Optional: `query` serves without it.
   */
  queryValues?(sql: string, params: readonly unknown[], repeated: boolean): Promise<unknown[][]>
  /**
   * Runs one SELECT in the caller's turn and returns its rows as `queryValues` would, or
   * `undefined` when it cannot answer at once (the connection is held by a sliced batch, or
   * another connection holds a lock it must wait for): `queryValues` then serves. Only an engine
   * whose driver is synchronous has it (SQLite). Optional.
   */
  queryValuesNow?(sql: string, params: readonly unknown[]): unknown[][] | undefined
  /**
   * Runs one SELECT and hands each row to `onRow` as it arrives, as `queryValues` would give it,
   * keeping none: the caller works on the first rows while the server sends the rest. Resolves to
   * the number of rows; rejects when the statement fails, or with `onRow`'s error once the
   * statement has finished (the connection stays usable; rows after a failed one are dropped).
   * Only PostgreSQL's executors have it. Optional: see {@link eachValues}.
   */
  eachValue?(sql: string, params: readonly unknown[], onRow: (values: unknown[]) => void): Promise<number>
  /**
   * Runs one statement once per parameter list, atomically (a savepoint inside the caller's
   * transaction). With a `name`, an engine that supports it prepares the statement once per
   * connection under that name.
   */
  batch(sql: string, paramLists: readonly (readonly unknown[])[], name?: string): Promise<void>
  /**
   * Runs `fn` in a transaction of its own, or inside the caller's when this executor wraps one.
   * On SQLite the transaction takes the write lock at once (BEGIN IMMEDIATE).
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>
}

/**
 * A SELECT's rows as arrays of values in the order of `aliases` (its select list): through
 * `queryValues` where the executor has it, else from `query`'s objects (Kysely's executor).
 *
 * @example
 * const rows = await selectValues(executor, 'SELECT 1 AS a, 2 AS b', [], ['a', 'b'], false) // [[1, 2]]
 */
export function selectValues(
  executor: SqlExecutor,
  sql: string,
  params: readonly unknown[],
  aliases: readonly string[],
  repeated: boolean,
): Promise<unknown[][]> {
  // Not async: the read path hands on the driver's promise without wrapping it in another.
  if (executor.queryValues !== undefined) return executor.queryValues(sql, params, repeated)
  return executor.query(sql, params).then((rows) => rows.map((row) => aliases.map((alias) => row[alias])))
}

/**
 * Hands each row of a SELECT to `onRow` in order, as arrays of values in the order of `aliases`:
 * as they arrive where the executor streams them (`eachValue`), else once all are read, with a
 * turn of the event loop every `SLICE` rows (slices.ts). Resolves to the number of rows.
 *
 * @example
 * const n = await eachValues(executor, 'SELECT a, b FROM t', [], ['a', 'b'], (row) => hash(row))
 */
export async function eachValues(
  executor: SqlExecutor,
  sql: string,
  params: readonly unknown[],
  aliases: readonly string[],
  onRow: (values: unknown[]) => void,
): Promise<number> {
  if (executor.eachValue !== undefined) return executor.eachValue(sql, params, onRow)
  return eachInSlices(await selectValues(executor, sql, params, aliases, false), onRow)
}

/**
 * Hands rows already read to `onRow` in order, with a turn of the event loop every `SLICE` rows
 * (slices.ts), as {@link eachValues} does for an executor that cannot stream them. Resolves to
 * the number of rows.
 *
 * @example
 * const n = await eachInSlices(await executor.queryValues(sql, params, false), (row) => hash(row))
 */
export async function eachInSlices(rows: readonly unknown[][], onRow: (values: unknown[]) => void): Promise<number> {
  await inSlices(rows.length, (i) => onRow(rows[i] as unknown[]))
  return rows.length
}
