import type { SqlExecutor } from './executor.js'

/** One versioned schema change: statements applied in order, in one transaction. */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly statements: readonly string[]
}

/** How an engine runs its migrations. */
export interface MigrationPlan {
  /** Run first inside the transaction, to keep other processes out (null where the transaction itself locks). */
  readonly lock: { readonly text: string; readonly params: readonly unknown[] } | null
  /** Statements run before the migrations table is created (e.g. its schema). */
  readonly setup: readonly string[]
  /** Creates the migrations table if missing. */
  readonly createTable: string
  /** The quoted migrations table. */
  readonly table: string
  readonly param: (n: number) => string
  readonly migrations: readonly Migration[]
}

/**
 * Applies every migration not yet recorded, in one transaction that holds a lock, so that
 * processes starting together apply each migration exactly once.
 */
export async function runMigrations(executor: SqlExecutor, plan: MigrationPlan): Promise<number[]> {
  return executor.transaction(async (tx) => {
    if (plan.lock) await tx.query(plan.lock.text, plan.lock.params)
    for (const statement of plan.setup) await tx.query(statement)
    await tx.query(plan.createTable)
    const rows = await tx.query(`SELECT version FROM ${plan.table}`)
    const done = new Set(rows.map((r) => Number(r.version)))
    const applied: number[] = []
    for (const migration of plan.migrations) {
      if (done.has(migration.version)) continue
      for (const statement of migration.statements) await tx.query(statement)
      await tx.query(`INSERT INTO ${plan.table} (version, name) VALUES (${plan.param(1)}, ${plan.param(2)})`, [
        migration.version,
        migration.name,
      ])
      applied.push(migration.version)
    }
    return applied
  })
}
