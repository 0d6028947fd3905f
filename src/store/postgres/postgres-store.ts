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
  /** Prepare the INSERT and the common reads under a name, once per connection. */
  readonly preparedStatements: boolean
}

/** Opens (or adopts) a PostgreSQL pool. Nothing connects until the first query. */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const engine = postgresEngine(options.location, options.preparedStatements)
  if (typeof options.database !== 'string')
    return new SqlStore(engine, new PgPoolExecutor(options.database, options.preparedStatements))
  const { default: pgModule } = await importDriver('pg', () => import('pg'))
  // allowExitOnIdle: a process whose only handles are idle pooled connections may exit (the sealer's
  // timer is unref'd too). keepAlive: a connection to a server that vanished is found out.
  const pool = new pgModule.Pool({
    connectionString: options.database,
    max: options.poolSize,
    allowExitOnIdle: true,
    keepAlive: true,
  })
  // An idle client's error (server restart) would otherwise crash the process; the next query
  // reports it. This is auditkit's own pool: a pool the caller passes in keeps the caller's handlers.
  pool.on('error', () => {})
  return new SqlStore(engine, new PgPoolExecutor(pool, options.preparedStatements), () => pool.end())
}
