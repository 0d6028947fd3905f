import type { Row, SqlExecutor } from './executor.js'

/** The part of a Kysely instance or transaction auditkit uses. */
interface KyselyLike {
  executeQuery(query: unknown): Promise<{ rows: unknown[] }>
  readonly isTransaction: boolean
  transaction(): { execute<T>(fn: (trx: KyselyLike) => Promise<T>): Promise<T> }
  withoutPlugins?(): KyselyLike
}

/** True for a Kysely instance or transaction. */
export function isKysely(handle: unknown): handle is KyselyLike {
  const h = handle as Partial<KyselyLike> | null
  return typeof h?.executeQuery === 'function' && typeof (h as { selectFrom?: unknown }).selectFrom === 'function'
}

let compiledQuery: Promise<typeof import('kysely').CompiledQuery> | undefined

/**
 * Runs auditkit's SQL through the caller's Kysely instance or transaction (either engine), without
 * the caller's plugins: a result plugin such as ParseJSONResultsPlugin or CamelCasePlugin would
 * otherwise rewrite auditkit's rows (parse a user agent that looks like JSON, rename keys).
 */
export class KyselyExecutor implements SqlExecutor {
  private readonly db: KyselyLike

  constructor(db: KyselyLike) {
    this.db = typeof db.withoutPlugins === 'function' ? db.withoutPlugins() : db
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    compiledQuery ??= import('kysely').then((m) => m.CompiledQuery)
    const raw = (await compiledQuery).raw(sql, [...params])
    return (await this.db.executeQuery(raw)).rows as Row[]
  }

  async batch(sql: string, paramLists: readonly (readonly unknown[])[]): Promise<void> {
    if (paramLists.length === 1) {
      await this.query(sql, paramLists[0])
      return
    }
    await this.transaction(async (tx) => {
      for (const params of paramLists) await tx.query(sql, params)
    })
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    if (!this.db.isTransaction) return this.db.transaction().execute((trx) => fn(new KyselyExecutor(trx)))
    await this.query('SAVEPOINT auditkit_batch')
    try {
      const result = await fn(this)
      await this.query('RELEASE SAVEPOINT auditkit_batch')
      return result
    } catch (error) {
      await this.query('ROLLBACK TO SAVEPOINT auditkit_batch')
      throw error
    }
  }
}
