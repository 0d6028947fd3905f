import type { Entry } from '../entry.js'

/** An entry as handed to a store: checked, cleaned, with its metadata already serialized. */
export interface StoredEntry {
  readonly entry: Entry
  readonly metadataJson: string
}

/** Filters after validation: user ids normalized, dates as Dates. */
export interface StoreFilters {
  readonly action?: string | undefined
  readonly targetUserUuid?: string | undefined
  readonly adminUserUuid?: string | undefined
  readonly userUuid?: string | undefined
  readonly fromDate?: Date | undefined
  readonly toDate?: Date | undefined
}

/** A position in the log's order (newest first): entries strictly older than it follow. */
export interface Position {
  readonly insertedAt: Date
  readonly uuid: string
}

/** One list query: filters, then either an offset or a position to continue after. */
export interface ListQuery {
  readonly filters: StoreFilters
  readonly limit: number
  readonly offset: number
  readonly after?: Position | undefined
}

/** Where a store keeps its entries. */
export interface StoreLocation {
  /** The entries table (default `auditkit_entries`); migrations are recorded in `<table>_migrations`. */
  readonly table: string
  /** PostgreSQL schema (default `public`); ignored by SQLite. */
  readonly schema: string
}

/**
 * The contract every engine implements. A store gets validated input and returns Entries;
 * it throws StoreError (never a raw driver error) when the database fails.
 */
export interface Store {
  readonly engine: 'sqlite' | 'postgres'
  /** Creates or upgrades the tables; safe to run from several processes at once. */
  migrate(): Promise<void>
  /** Writes every entry in one transaction: all are committed, or none. */
  insert(entries: readonly StoredEntry[]): Promise<void>
  find(uuid: string): Promise<Entry | null>
  /** Entries newest first, by insertedAt then uuid. */
  list(query: ListQuery): Promise<Entry[]>
  count(filters: StoreFilters): Promise<number>
  /** A store that reads and writes through the caller's connection or transaction. */
  using(handle: unknown): Store
  /** Closes what this store opened; a handle the caller passed in stays open. */
  close(): Promise<void>
}
