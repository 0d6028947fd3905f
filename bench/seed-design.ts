import { v7 as uuidV7 } from 'uuid'
import type { EngineName } from './args.js'
import type { Input } from './data.js'
import type { RawBulkPath, RawQuery } from './engine-bench.js'

/** The seed's table name (PhoenixKit's `phoenix_kit_audit_logs`). */
export const SEED_TABLE = 'phoenix_kit_audit_logs'

/** The seed's columns, in the order its Ecto schema declares them (and its INSERTs list them). */
export const SEED_COLUMNS =
  'uuid, action, ip_address, user_agent, metadata, inserted_at, target_user_uuid, admin_user_uuid'

/**
 * The seed's schema as its migration creates it: a UUIDv7 primary key and five single-purpose
 * indexes. On SQLite the same with text columns (as ecto_sqlite3 stores uuids, maps and datetimes).
 */
export function seedSchema(engine: EngineName, table: string, indexName: (suffix: string) => string): string[] {
  const pg = engine === 'postgres'
  const columns = pg
    ? `uuid uuid PRIMARY KEY, action varchar(255) NOT NULL, ip_address varchar(255), user_agent text,
       metadata jsonb DEFAULT '{}', inserted_at timestamptz NOT NULL, target_user_uuid uuid NOT NULL,
       admin_user_uuid uuid NOT NULL`
    : `uuid TEXT PRIMARY KEY, action TEXT NOT NULL, ip_address TEXT, user_agent TEXT,
       metadata TEXT DEFAULT '{}', inserted_at TEXT NOT NULL, target_user_uuid TEXT NOT NULL,
       admin_user_uuid TEXT NOT NULL`
  const index = (suffix: string, cols: string) => `CREATE INDEX ${indexName(suffix)} ON ${table} (${cols})`
  return [
    `CREATE TABLE ${table} (${columns})`,
    index('action_index', 'action'),
    index('action_inserted_at_index', 'action, inserted_at'),
    index('inserted_at_index', 'inserted_at'),
    index('admin_user_uuid_index', 'admin_user_uuid'),
    index('target_user_uuid_index', 'target_user_uuid'),
  ]
}

/**
 * The SQL Ecto generates for the seed's functions (`list_logs`, `list_logs_for_user`,
 * `count_logs`, `get_log`, `create_log_entry`), with the engine's placeholders. Lists select every
 * column and order by `inserted_at DESC` only, as the seed does; it pages by LIMIT/OFFSET.
 */
export function seedSql(table: string, p: (n: number) => string) {
  const select = `SELECT a0.uuid, a0.action, a0.ip_address, a0.user_agent, a0.metadata, a0.inserted_at, a0.target_user_uuid, a0.admin_user_uuid FROM ${table} AS a0`
  const newest = 'ORDER BY a0.inserted_at DESC'
  const values = (row: number) => `(${Array.from({ length: 8 }, (_, i) => p(row * 8 + i + 1)).join(', ')})`
  return {
    insert: `INSERT INTO ${table} (${SEED_COLUMNS}) VALUES ${values(0)}`,
    insertRows: (rows: number) =>
      `INSERT INTO ${table} (${SEED_COLUMNS}) VALUES ${Array.from({ length: rows }, (_, r) => values(r)).join(', ')}`,
    list: `${select} ${newest} LIMIT ${p(1)} OFFSET ${p(2)}`,
    listByAction: `${select} WHERE a0.action = ${p(1)} ${newest} LIMIT ${p(2)} OFFSET ${p(3)}`,
    listForUser: `${select} WHERE a0.target_user_uuid = ${p(1)} OR a0.admin_user_uuid = ${p(2)} ${newest} LIMIT ${p(3)}`,
    countAll: `SELECT count(a0.uuid) AS n FROM ${table} AS a0`,
    countTarget: `SELECT count(a0.uuid) AS n FROM ${table} AS a0 WHERE a0.target_user_uuid = ${p(1)}`,
    countUser: `SELECT count(a0.uuid) AS n FROM ${table} AS a0 WHERE a0.target_user_uuid = ${p(1)} OR a0.admin_user_uuid = ${p(2)}`,
    countAction: `SELECT count(a0.uuid) AS n FROM ${table} AS a0 WHERE a0.action = ${p(1)}`,
    get: `${select} WHERE a0.uuid = ${p(1)}`,
  }
}

export type SeedSql = ReturnType<typeof seedSql>

/**
 * One seed row for {@link SEED_COLUMNS}, as a Node.js app on the seed's schema would make it: a
 * UUIDv7 from the `uuid` package, the metadata as JSON, the time now (`at` turns it into what the
 * engine stores).
 */
export function seedRowOf(input: Input, at: (now: Date) => unknown): unknown[] {
  return [
    uuidV7(),
    input.action,
    input.ipAddress ?? null,
    input.userAgent ?? null,
    JSON.stringify(input.metadata ?? {}),
    at(new Date()),
    input.targetUserUuid,
    input.adminUserUuid,
  ]
}

/** The seed's design on one engine: its table, reached through the raw driver. */
export interface SeedSide {
  /** The quoted, qualified seed table. */
  readonly table: string
  readonly sql: SeedSql
  prepare(text: string): RawQuery
  /** One `create_log_entry`: a single-row INSERT, committed on its own. */
  insertOne(input: Input): Promise<void> | void
  /** Batches as the seed would write them; the faster one is its figure. */
  readonly bulkPaths: readonly RawBulkPath[]
  /** Copies auditkit's entries (same uuids, times and fields) into the seed's table, oldest first. */
  copyFromAuditkit(): Promise<void>
  /** Fresh planner statistics, as after auditkit's fill. */
  analyze(): Promise<void>
  /** A value of `inserted_at` as the seed's driver returns it, as epoch milliseconds. */
  timeOf(value: unknown): number
}
