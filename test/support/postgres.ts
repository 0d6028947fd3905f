import pg from 'pg'

/** The PostgreSQL the tests use (a real server; CI starts it). */
export const PG_URL = process.env.AUDITKIT_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/**
 * Why the PostgreSQL tests cannot run here, or undefined when the server answers. Under CI=true
 * a missing server throws, so that those tests fail instead of being skipped.
 */
export async function postgresUnavailable(): Promise<string | undefined> {
  return (await postgresAvailable()) ? undefined : `PostgreSQL does not answer at ${PG_URL} (set AUDITKIT_PG_URL)`
}

/** True when PostgreSQL answers. Under CI=true a missing server fails the suite instead of skipping it. */
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  } catch (error) {
    if (process.env.CI === 'true') throw new Error(`PostgreSQL is required under CI=true: ${String(error)}`)
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

/** A schema name of its own for one test file, so that parallel runs never see each other. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
}

/** Drops a test's schema and everything in it, on a connection of its own. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema.replaceAll('"', '""')}" CASCADE`)
  } finally {
    await client.end()
  }
}
