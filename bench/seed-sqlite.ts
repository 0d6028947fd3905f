import type Database from 'better-sqlite3'
import type { RawRow } from './engine-bench.js'
import { SEED_COLUMNS, SEED_TABLE, type SeedSide, seedRowOf, seedSchema, seedSql } from './seed-design.js'
import { sqliteWritePaths } from './sqlite-writes.js'

const iso = (now: Date) => now.toISOString()

/**
 * The seed's design on SQLite, in the bench's file beside auditkit's table: text columns, the
 * seed's five indexes, reached through the raw connection. Created empty before the fill, so that
 * its indexes grow by inserts in time order, as an app's would.
 */
export function openSqliteSeed(db: Database.Database, auditkitTable: string): SeedSide {
  const table = `"${SEED_TABLE}"`
  for (const statement of seedSchema('sqlite', table, (suffix) => `"${SEED_TABLE}_${suffix}"`)) db.exec(statement)
  const sql = seedSql(table, () => '?')
  const writes = sqliteWritePaths(db, sql, (input) => seedRowOf(input, iso))
  return {
    table,
    sql,
    // What ecto_sqlite3 does when it loads the seed's rows: metadata decoded from JSON, inserted_at
    // parsed (pg does both itself, for jsonb and timestamptz).
    prepare(text) {
      const statement = db.prepare(text)
      const loads = statement.columns().some((c) => c.name === 'metadata')
      return (params) => {
        const rows = statement.all(params) as RawRow[]
        if (loads) {
          for (const row of rows) {
            row.metadata = JSON.parse(row.metadata as string)
            row.inserted_at = new Date(row.inserted_at as string)
          }
        }
        return rows
      }
    },
    ...writes,
    async copyFromAuditkit() {
      // inserted_at as the ISO 8601 text toISOString() writes, to the millisecond.
      const at = `strftime('%Y-%m-%dT%H:%M:%S', inserted_at / 1000, 'unixepoch') || printf('.%03dZ', inserted_at % 1000)`
      db.exec(
        `INSERT INTO ${table} (${SEED_COLUMNS}) SELECT uuid, action, ip_address, user_agent, metadata, ${at}, ` +
          `target_user_uuid, admin_user_uuid FROM ${auditkitTable} ORDER BY id`,
      )
    },
    async analyze() {
      db.exec(`ANALYZE ${table}`)
      db.pragma('wal_checkpoint(TRUNCATE)')
    },
    timeOf: (value) => (value instanceof Date ? value.getTime() : Date.parse(String(value))),
  }
}
