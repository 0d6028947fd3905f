import type { Entry } from '../entry.js'
import { toStoreError } from '../errors.js'
import type { Engine } from './engine.js'
import { countSql, findSql, listSql } from './entry-sql.js'
import type { SqlExecutor } from './executor.js'
import type { ListQuery, Store, StoredEntry, StoreFilters } from './store.js'

/**
 * The store both engines share: SQL from `entry-sql.ts` and the engine, run through an executor.
 * Every driver failure leaves as a StoreError.
 */
export class SqlStore implements Store {
  #closed = false

  constructor(
    private readonly engineSql: Engine,
    private readonly executor: SqlExecutor,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  get engine(): 'sqlite' | 'postgres' {
    return this.engineSql.name
  }

  async migrate(): Promise<void> {
    try {
      await this.engineSql.migrate(this.executor)
    } catch (e) {
      throw toStoreError('migrate', e)
    }
  }

  async insert(entries: readonly StoredEntry[]): Promise<void> {
    if (entries.length === 0) return
    const { text, paramLists, name } = this.engineSql.insertSql(entries)
    try {
      await this.executor.batch(text, paramLists, name)
    } catch (e) {
      throw toStoreError('insert', e)
    }
  }

  async find(uuid: string): Promise<Entry | null> {
    const { text, params } = findSql(this.engineSql, uuid)
    try {
      const rows = await this.executor.query(text, params)
      return rows[0] === undefined ? null : this.engineSql.toEntry(rows[0])
    } catch (e) {
      throw toStoreError('find', e)
    }
  }

  async list(query: ListQuery): Promise<Entry[]> {
    const { text, params } = listSql(this.engineSql, query)
    try {
      const rows = await this.executor.query(text, params)
      return rows.map((row) => this.engineSql.toEntry(row))
    } catch (e) {
      throw toStoreError('list', e)
    }
  }

  async count(filters: StoreFilters): Promise<number> {
    const { text, params } = countSql(this.engineSql, filters)
    try {
      const rows = await this.executor.query(text, params)
      return Number(rows[0]?.n ?? 0)
    } catch (e) {
      throw toStoreError('count', e)
    }
  }

  using(handle: unknown): Store {
    return new SqlStore(this.engineSql, this.engineSql.wrapHandle(handle))
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    try {
      await this.onClose()
    } catch (e) {
      throw toStoreError('close', e)
    }
  }
}
