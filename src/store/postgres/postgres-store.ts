import type pg from 'pg'
import { importDriver } from '../import-driver.js'
import { SqlStore } from '../sql-store.js'
import type { Store, StoreLocation } from '../store.js'
import { postgresEngine } from './postgres-engine.js'
import { PgPoolExecutor } from './postgres-executor.js'

/** How to open a PostgreSQL store. */
export interface PostgresStoreOptions {
  /** A `postgres://` URL (auditkit opens and closes a pool) or the caller's pg.Pool (left open). */
  readonly database: string | pg.Pool
  readonly location: StoreLocation
  /** The size of the pool auditkit opens. */
  readonly poolSize: number
  /** Prepare the INSERT under a name, once per connection. */
  readonly preparedStatements: boolean
}

/** Opens (or adopts) a PostgreSQL pool. Nothing connects until the first query. */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const engine = postgresEngine(options.location, options.preparedStatements)
  if (typeof options.database !== 'string') return new SqlStore(engine, new PgPoolExecutor(options.database))
  const { default: pgModule } = await importDriver('pg', () => import('pg'))
  const pool = new pgModule.Pool({ connectionString: options.database, max: options.poolSize })
  // An idle client's error (server restart) would otherwise crash the process; the next query reports it.
  pool.on('error', () => {})
  return new SqlStore(engine, new PgPoolExecutor(pool), () => pool.end())
}
