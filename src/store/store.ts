import type { Entry } from '../entry.js'
import type { TreeState } from '../tamper/seal-batch.js'
import type { Tile, TileKey } from '../tamper/tiles.js'

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

/** What one sealing batch did. `busy`: another sealer holds the log; nothing was done. */
export interface SealOutcome {
  readonly sealed: number
  readonly size: number
  readonly busy: boolean
}

/** One seal as verification reads it: its seq, the uuid it names, and that entry (null if it is gone). */
export interface SealedRow {
  readonly seq: number
  readonly uuid: string
  readonly entry: Entry | null
  /** Why the entry's row could not be read as an entry (raw SQL stored something auditkit never would). */
  readonly unreadable?: string
}

/** Counts verification compares: seal rows, their seq range, and entries that must have a seal. */
export interface SealCounts {
  readonly seals: number
  readonly minSeq: number | null
  readonly maxSeq: number | null
  readonly sealedEntries: number
  readonly sealedAfter: number
}

/** A signed checkpoint as stored. */
export interface StoredCheckpoint {
  readonly id: number
  readonly size: number
  readonly rootHash: Buffer
  readonly note: string
  readonly createdAt: Date
}

/**
 * The contract every engine implements. A store gets validated input and returns Entries;
 * it throws StoreError (never a raw driver error) when the database fails.
 */
export interface Store {
  readonly engine: 'sqlite' | 'postgres'
  /** Whether sealing may seal entries after its stored position (PostgreSQL's late commits), or never (SQLite). */
  readonly sealsAhead: boolean
  /** Creates or upgrades the tables; safe to run from several processes at once. */
  migrate(): Promise<void>
  /** Writes every entry in one transaction: all are committed, or none. */
  insert(entries: readonly StoredEntry[]): Promise<void>
  find(uuid: string): Promise<Entry | null>
  /** Entries newest first, by insertedAt then uuid. */
  list(query: ListQuery): Promise<Entry[]>
  count(filters: StoreFilters): Promise<number>
  /**
   * Seals at most `maxEntries` committed entries, in one transaction, unless another sealer is at
   * work (`busy`). Entries are sealed in an order every sealer agrees on, each exactly once.
   */
  sealBatch(maxEntries: number): Promise<SealOutcome>
  /** The sealed tree's size and right edge. */
  sealState(): Promise<TreeState>
  /** These stored tiles (missing ones are left out). */
  tiles(keys: readonly TileKey[]): Promise<Tile[]>
  /** Seals with `from <= seq < to`, in seq order, with their entries. */
  sealedRange(from: number, to: number): Promise<SealedRow[]>
  sealCounts(): Promise<SealCounts>
  /** Uuids of entries before the sealed position that have no seal (forged or unsealed), at most `limit`. */
  unsealed(limit: number): Promise<string[]>
  /** The seq of an entry, or null when it is not sealed. */
  seqOf(uuid: string): Promise<number | null>
  addCheckpoint(size: number, rootHash: Buffer, note: string, at: Date): Promise<StoredCheckpoint>
  /** Stored checkpoints with id above `afterId`, oldest first. */
  checkpoints(afterId: number, limit: number): Promise<StoredCheckpoint[]>
  /** The newest stored checkpoint (with an id below `beforeId`, when given). */
  latestCheckpoint(beforeId?: number): Promise<StoredCheckpoint | null>
  /** A store that reads and writes through the caller's connection or transaction. */
  using(handle: unknown): Store
  /** Closes what this store opened; a handle the caller passed in stays open. */
  close(): Promise<void>
}
