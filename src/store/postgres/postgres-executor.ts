import { createHash } from 'node:crypto'
import type pg from 'pg'
import { eachInSlices, type Row, type SqlExecutor } from '../executor.js'
import { AUDITKIT_PG_TYPES } from './pg-types.js'

interface Queryable {
  query(config: {
    text: string
    values?: unknown[]
    name?: string
    rowMode?: 'array'
    types?: typeof AUDITKIT_PG_TYPES
  }): Promise<Result | Result[]>
}

interface Result {
  rows: Row[]
}

interface ValuesResult {
  rows: unknown[][]
}

/** pg's Query class: a submittable that emits each row ('row') and then 'end' or 'error'. */
type PgQueryClass = new (
  config: ReturnType<typeof valuesConfig>,
) => { on(event: string, listener: (...args: never[]) => void): unknown }

// Several statements in one text (no parameters) come back as one result each: the last one's rows.
function rowsOf(result: Result | Result[]): Row[] {
  return Array.isArray(result) ? (result.at(-1)?.rows ?? []) : result.rows
}

/** True for a pg Pool, Client or PoolClient. */
export function isPgQueryable(handle: unknown): handle is Queryable {
  return typeof (handle as Partial<Queryable> | null)?.query === 'function'
}

/** True for a pg Pool (which hands out a client per query). */
export function isPgPool(handle: unknown): handle is pg.Pool {
  const h = handle as Partial<pg.Pool> | null
  return isPgQueryable(h) && typeof h?.connect === 'function' && typeof h.totalCount === 'number'
}

const NO_ACTIVE_TRANSACTION = '25P01'

type Run = (sql: string, params: readonly unknown[], name: string | undefined) => Promise<unknown>

async function runBatch(
  ex: SqlExecutor,
  run: Run,
  sql: string,
  lists: readonly (readonly unknown[])[],
  name: string | undefined,
): Promise<void> {
  if (lists.length === 1) {
    await run(sql, lists[0] as readonly unknown[], name)
    return
  }
  await ex.transaction(async (tx) => {
    for (const params of lists) await tx.batch(sql, [params], name)
  })
}

// Named statements are parsed once per connection; a pooler in transaction mode cannot keep them.
// Every query reads its values with auditkit's own type parsers, whatever the app set (pg-types.ts).
function config(text: string, params: readonly unknown[], name: string | undefined) {
  const values = params as unknown[]
  return name === undefined
    ? { text, values, types: AUDITKIT_PG_TYPES }
    : { text, values, name, types: AUDITKIT_PG_TYPES }
}

// Reads as arrays: pg builds them faster than objects, and a name saves the parse and plan.
function valuesConfig(text: string, params: readonly unknown[], name: string | undefined) {
  const values = params as unknown[]
  return name === undefined
    ? { text, values, rowMode: 'array' as const, types: AUDITKIT_PG_TYPES }
    : { text, values, name, rowMode: 'array' as const, types: AUDITKIT_PG_TYPES }
}

/**
 * Runs statements on one pg client: the caller's (in `using()`), or one checked out for a transaction.
 * Its transactions are savepoints when the caller has a transaction open, and BEGIN/COMMIT otherwise.
 */
export class PgClientExecutor implements SqlExecutor {
  readonly #run: Run = (sql, params, name) => this.client.query(config(sql, params, name))

  constructor(
    private readonly client: Queryable,
    private readonly inTransaction = false,
  ) {}

  async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return rowsOf(await this.client.query(config(sql, params, undefined)))
  }

  async queryValues(sql: string, params: readonly unknown[]): Promise<unknown[][]> {
    return ((await this.client.query(valuesConfig(sql, params, undefined))) as unknown as ValuesResult).rows
  }

  eachValue(sql: string, params: readonly unknown[], onRow: (values: unknown[]) => void): Promise<number> {
    // pg's Query (its Client's), with a 'row' listener: pg then keeps no rows of its own. Not with
    // a client-side `query_timeout`: pg then answers the query through a callback of its own and
    // emits neither 'error' nor 'end' when it fails or times out (the read would never settle).
    const client = this.client as {
      constructor?: { Query?: PgQueryClass }
      connectionParameters?: { query_timeout?: unknown }
    }
    const Query = client.constructor?.Query
    if (typeof Query !== 'function' || client.connectionParameters?.query_timeout) {
      return this.queryValues(sql, params).then((rows) => eachInSlices(rows, onRow))
    }
    return new Promise((resolve, reject) => {
      let count = 0
      let failure: { error: unknown } | undefined
      const query = new Query(valuesConfig(sql, params, undefined))
      // Called from pg's parser, on its socket's data: an error thrown here would escape it.
      query.on('row', (row: unknown[]) => {
        if (failure !== undefined) return
        try {
          onRow(row)
          count++
        } catch (error) {
          failure = { error }
        }
      })
      query.on('error', reject)
      query.on('end', () => (failure === undefined ? resolve(count) : reject(failure.error)))
      this.client.query(query as never)
    })
  }

  batch(sql: string, paramLists: readonly (readonly unknown[])[], name?: string): Promise<void> {
    return runBatch(this, this.#run, sql, paramLists, name)
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    let nested = true
    try {
      await this.query('SAVEPOINT auditkit_tx')
    } catch (error) {
      if (this.inTransaction || (error as { code?: string }).code !== NO_ACTIVE_TRANSACTION) throw error
      nested = false
      await this.query('BEGIN')
    }
    try {
      const result = await fn(nested ? this : new PgClientExecutor(this.client, true))
      await this.query(nested ? 'RELEASE SAVEPOINT auditkit_tx' : 'COMMIT')
      return result
    } catch (error) {
      await this.query(nested ? 'ROLLBACK TO SAVEPOINT auditkit_tx' : 'ROLLBACK').catch(() => {})
      throw error
    }
  }
}

/**
 * Runs statements on a pg Pool; a transaction checks out one client for its whole length. While
 * it is checked out the client has an `'error'` listener (a connection lost between two statements
 * would otherwise be an uncaught exception), removed on release; a client that failed is released
 * as broken, so that the pool discards it.
 */
export class PgPoolExecutor implements SqlExecutor {
  readonly #run: Run = (sql, params, name) => this.pool.query(config(sql, params, name))
  readonly #names = new Map<string, string>()

  /** With `prepareReads`, a repeated read is prepared under a name once per connection. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly prepareReads = false,
  ) {}

  async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return rowsOf(await this.pool.query(config(sql, params, undefined)))
  }

  async queryValues(sql: string, params: readonly unknown[], repeated: boolean): Promise<unknown[][]> {
    const name = repeated && this.prepareReads ? this.#nameOf(sql) : undefined
    return (await this.pool.query(valuesConfig(sql, params, name))).rows as unknown[][]
  }

  // One name per text, as the engine names its INSERT: a connection that prepared it keeps it.
  #nameOf(sql: string): string {
    let name = this.#names.get(sql)
    if (name === undefined) {
      name = `auditkit_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`
      this.#names.set(sql, name)
    }
    return name
  }

  batch(sql: string, paramLists: readonly (readonly unknown[])[], name?: string): Promise<void> {
    return runBatch(this, this.#run, sql, paramLists, name)
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    let broken: Error | undefined
    const onError = (error: Error) => {
      broken ??= error
    }
    // The listener goes on inside pg-pool's callback, in the same turn as pg-pool takes its own off:
    // a connection killed right after opening reports its error in that very read.
    const client = await new Promise<pg.PoolClient>((resolve, reject) => {
      this.pool.connect((error, checkedOut) => {
        if (error || checkedOut === undefined) reject(error ?? new Error('pg-pool gave no client'))
        else {
          checkedOut.on('error', onError)
          resolve(checkedOut)
        }
      })
    })
    try {
      await client.query('BEGIN')
      const result = await fn(new PgClientExecutor(client, true))
      await client.query('COMMIT')
      return result
    } catch (error) {
      // A connection that cannot even roll back is gone: the pool must not hand it out again.
      if (broken === undefined) {
        await client.query('ROLLBACK').catch((e: Error) => {
          broken ??= e
        })
      }
      throw error
    } finally {
      client.removeListener('error', onError)
      client.release(broken)
    }
  }
}
