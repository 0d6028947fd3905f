import pg from 'pg'
import type { AuditLog, AuditLogOptions } from '../../src/index.js'
import { createAuditLog } from '../../src/index.js'
import { PG_URL, postgresUnavailable, uniqueSchema } from '../support/postgres.js'

/** A fresh log on one engine, and how to drop its data. */
export interface OpenedLog {
  readonly audit: AuditLog
  readonly drop: () => Promise<void>
}

/** One engine the HTTP tests run on; `skip` says why it cannot run here. */
export interface HttpEngine {
  readonly name: string
  readonly skip?: string | undefined
  open(options?: Omit<AuditLogOptions, 'database'>): Promise<OpenedLog>
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  } finally {
    await client.end()
  }
}

/**
 * SQLite in memory and PostgreSQL in a schema of its own (dropped after), both with
 * `sealIntervalMs: 0` unless the options say otherwise.
 */
export async function httpEngines(prefix: string): Promise<HttpEngine[]> {
  const pgUnavailable = await postgresUnavailable()
  return [
    {
      name: 'SQLite',
      open: async (options = {}) => ({
        audit: (await createAuditLog({ sealIntervalMs: 0, ...options, database: 'sqlite::memory:' })) as AuditLog,
        drop: async () => {},
      }),
    },
    {
      name: 'PostgreSQL',
      skip: pgUnavailable,
      open: async (options = {}) => {
        const schema = uniqueSchema(prefix)
        const audit = (await createAuditLog({ sealIntervalMs: 0, ...options, database: PG_URL, schema })) as AuditLog
        return { audit, drop: () => dropSchema(schema) }
      },
    },
  ]
}
