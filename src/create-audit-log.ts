import type { DEFAULT_ACTIONS } from './actions.js'
import { AuditLog } from './audit-log.js'
import { type AuditLogOptions, type ResolvedOptions, resolveOptions } from './options.js'
import type { Store } from './store/store.js'

async function openStore(o: ResolvedOptions): Promise<Store> {
  if (o.engine === 'sqlite') {
    const { createSqliteStore } = await import('./store/sqlite/sqlite-store.js')
    return createSqliteStore({
      database: o.database as Parameters<typeof createSqliteStore>[0]['database'],
      table: o.table,
      busyTimeoutMs: o.busyTimeoutMs,
      synchronous: o.synchronous,
    })
  }
  const { createPostgresStore } = await import('./store/postgres/postgres-store.js')
  return createPostgresStore({
    database: o.database as Parameters<typeof createPostgresStore>[0]['database'],
    location: { table: o.table, schema: o.schema },
    poolSize: o.poolSize,
    preparedStatements: o.preparedStatements,
  })
}

/**
 * Opens an audit log on SQLite or PostgreSQL and (unless `migrate: false`) creates its tables.
 * The engine's driver is loaded only now, and only the one in use. Bad options throw a
 * ValidationError; a database that cannot be opened or migrated, a StoreError.
 *
 * With `actions`, every method accepts only those actions, checked by TypeScript and at run time.
 *
 * @example
 * const audit = await createAuditLog({ database: 'sqlite:./audit.db' })
 * await audit.logPasswordChange({ targetUserUuid, adminUserUuid, ipAddress: '192.168.1.1' })
 * const resets = await audit.listLogsByAction('admin_password_reset')
 * await audit.close()
 *
 * @example
 * const audit = await createAuditLog({ database: pool, actions: ['invoice_voided', 'refund_issued'] })
 */
export async function createAuditLog<const A extends readonly string[] = typeof DEFAULT_ACTIONS>(
  options: AuditLogOptions<A>,
): Promise<AuditLog<A[number]>> {
  const resolved = resolveOptions(options)
  const store = await openStore(resolved)
  if (resolved.migrate) {
    try {
      await store.migrate()
    } catch (error) {
      await store.close().catch(() => {})
      throw error
    }
  }
  const audit = new AuditLog<A[number]>(store, resolved)
  audit.startSealing()
  return audit
}
