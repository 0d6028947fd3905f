import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { type AuditLog, createAuditLog } from '../../src/index.js'
import { PG_URL, uniqueSchema } from '../support/postgres.js'
import type { CallerTransaction, Fixture, Harness } from './harness.js'

/**
 * PostgreSQL: a schema of its own per test file, a table per fixture. The log opens its own pool
 * from the URL; the caller has a pool of their own, as an application would.
 */
export function postgresHarness(): Harness {
  const schema = uniqueSchema('auditkit_test')
  const logs: AuditLog<string>[] = []
  let callerPool: pg.Pool | undefined
  let kysely: Kysely<Record<string, never>> | undefined
  let n = 0
  // Transactions a failed test left open would block DROP SCHEMA: teardown ends them.
  const open = new Set<() => Promise<void>>()
  const track = (tx: CallerTransaction): CallerTransaction => {
    const rollback = () => tx.rollback().catch(() => {})
    open.add(rollback)
    const done = (fn: () => Promise<void>) => async () => {
      open.delete(rollback)
      await fn()
    }
    return { ...tx, commit: done(tx.commit), rollback: done(tx.rollback) }
  }
  const pool = () => {
    callerPool ??= new pg.Pool({ connectionString: PG_URL, max: 4 })
    return callerPool
  }

  function transactions(passwords: string): Fixture<string>['transactions'] {
    kysely ??= new Kysely({ dialect: new PostgresDialect({ pool: pool() }) })
    const k = kysely
    return {
      'pg client after BEGIN': async (): Promise<CallerTransaction> => {
        const client = await pool().connect()
        await client.query('BEGIN')
        const end = async (sql: string) => {
          try {
            await client.query(sql)
          } finally {
            client.release()
          }
        }
        return track({
          handle: client,
          changePassword: async () => void (await client.query(`INSERT INTO ${passwords} (hash) VALUES ('x')`)),
          commit: () => end('COMMIT'),
          rollback: () => end('ROLLBACK'),
        })
      },
      'Kysely transaction': async (): Promise<CallerTransaction> => {
        const trx = await k.startTransaction().execute()
        return track({
          handle: trx,
          changePassword: async () =>
            void (await trx
              .withSchema(schema)
              .insertInto(passwords.split('.')[1] as never)
              .values({ hash: 'x' } as never)
              .execute()),
          commit: () => trx.commit().execute(),
          rollback: () => trx.rollback().execute(),
        })
      },
    }
  }

  return {
    name: 'PostgreSQL',
    engine: 'postgres',
    async open(options) {
      const table = `e${++n}`
      const passwords = `${schema}.${table}_passwords`
      const openLog = () =>
        createAuditLog({ sealIntervalMs: 0, ...options, database: PG_URL, schema, table, poolSize: 4 })
      const audit = await openLog()
      logs.push(audit as AuditLog<string>)
      await pool().query(`CREATE TABLE ${passwords} (hash text)`)
      return {
        audit,
        transactions: transactions(passwords),
        committedPasswordChanges: async () =>
          Number((await pool().query(`SELECT count(*) AS n FROM ${passwords}`)).rows[0].n),
        failInsertsOf: async (action) => {
          if (!/^[a-z_]+$/.test(action)) throw new Error('test actions are plain words')
          const fn = `${schema}.${table}_fail_${action}`
          await pool().query(
            `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`,
          )
          await pool().query(
            `CREATE TRIGGER ${table}_fail_${action} BEFORE INSERT ON ${schema}.${table} FOR EACH ROW WHEN (NEW.action = '${action}') EXECUTE FUNCTION ${fn}()`,
          )
        },
        reopen: async () => {
          await audit.close()
          const again = await openLog()
          logs.push(again as AuditLog<string>)
          return again
        },
      }
    },
    async teardown() {
      for (const log of logs) await log.close()
      for (const rollback of open) await rollback()
      if (callerPool) {
        await callerPool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
        await kysely?.destroy()
        if (!kysely) await callerPool.end()
      }
    },
  }
}
