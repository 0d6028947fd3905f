import type { AuditLog } from '../src/index.js'
import type { SqlDialect } from '../src/store/entry-sql.js'
import type { EngineName } from './args.js'
import type { Input } from './data.js'
import type { SeedSide } from './seed-design.js'

/** A prepared statement of the raw driver: runs with these parameters and returns the rows. */
export type RawQuery = (params: readonly unknown[]) => Promise<readonly RawRow[]> | readonly RawRow[]

export type RawRow = Record<string, unknown>

/** A raw bulk path: writes the entries in one transaction, the way a hand-written app would. */
export interface RawBulkPath {
  readonly label: string
  insert(inputs: readonly Input[]): Promise<void> | void
}

/**
 * The raw driver doing what a hand-written app would: its own prepared statements on the same
 * table, a random UUID and JSON.stringify per entry, no validation, rows as the driver returns them.
 */
export interface RawBaseline {
  /** The placeholder of the n-th parameter (1-based). */
  param(n: number): string
  /** Prepares a statement once; the result runs it. */
  prepare(text: string): RawQuery
  /** One single-row INSERT, committed on its own. */
  insertOne(input: Input): Promise<void> | void
  readonly bulkPaths: readonly RawBulkPath[]
}

/** One store under test: the same table reached through auditkit and through the raw driver. */
export interface EngineBench {
  readonly engine: EngineName
  /** The quoted, qualified entries table. */
  readonly table: string
  readonly raw: RawBaseline
  /** The seed's design (PhoenixKit's schema and SQL) on the same engine, filled with the same entries. */
  readonly seed: SeedSide
  /** auditkit's own dialect of this table, to print the plans of the exact SQL it runs. */
  readonly dialect: SqlDialect
  /** How many writes a "many in flight" run keeps going (the pool size on PostgreSQL). */
  readonly inFlight: number
  /** Opens an auditkit log on the table (creating it on first call). */
  openAudit(): Promise<AuditLog>
  /** Fresh planner statistics and a checkpoint, after the fill. */
  analyze(): Promise<void>
  /** Engine, driver and settings worth printing beside the figures. */
  describe(): Promise<Record<string, string>>
  /** The plan of one of auditkit's statements, as text. */
  explain(text: string, params: readonly unknown[]): Promise<string>
  /** Closes everything and removes the database or schema. Safe to call twice. */
  destroy(): Promise<void>
}
