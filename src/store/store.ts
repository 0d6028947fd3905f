import type { Entry } from '../entry.js'
import type { RowLeaf } from '../tlog/entry-leaf.js'
import type { TreeState } from '../tlog/seal-batch.js'
import type { Tile, TileKey } from '../tlog/tiles.js'
import type { StoredApiKey } from './api-key-sql.js'
import type { IdempotencyRecord } from './idempotency-sql.js'

/** An entry as handed to a store: checked, cleaned, with its metadata already serialized. */
export interface StoredEntry {
  readonly entry: Entry
  readonly metadataJson: string
}

/** What {@link Store.insertOnce} writes, and how it treats the key's earlier records. */
export interface IdempotentWrite {
  readonly key: string
  readonly fingerprint: string
  readonly entries: readonly StoredEntry[]
  readonly at: Date
  /** When the record this write makes expires: from then on the key is free again. */
  readonly expiresAt: Date
  /** Also remove every record expired by `at`. */
  readonly purge: boolean
}

/** Filters after validation: user ids normalized, dates as Dates. */
export interface StoreFilters {
  /** One of these actions (one or more, no repeats). */
  readonly actions?: readonly string[] | undefined
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
 * What one sealing batch did. `busy`: another sealer holds the log; nothing was done. Batches run
 * in sweeps: a sweep starts from the last completed one and, when it ends, every entry committed
 * before it started is sealed (SQLite: every batch is a sweep of its own).
 */
export interface SealOutcome {
  readonly sealed: number
  readonly size: number
  readonly busy: boolean
  /** The batch continued a sweep begun by an earlier batch (of any process). */
  readonly sweepContinued: boolean
  /** The batch ended its sweep: everything committed before the sweep began is sealed now. */
  readonly sweepEnded: boolean
}

/** One seal as verification reads it: its seq, the uuid it names, and that entry's row and leaf (null if it is gone). */
export interface SealedRow {
  readonly seq: number
  readonly uuid: string
  readonly row: RowLeaf | null
  /** The entry's position where the engine seals in that order (SQLite: its rowid); else undefined. */
  readonly position?: number | null | undefined
  /** Whether the entry lies in the sealed past, where the store counts it (`Store.countsPast`); else undefined. */
  readonly past?: boolean | null | undefined
}

/** What verify's walk reads of a row's leaf (a {@link RowLeaf}, or one computed on another thread). */
export type WalkLeaf = Pick<RowLeaf, 'leaf' | 'leafText' | 'fallback' | 'unreadable'>

/** A seal as verify's walk reads it: a {@link SealedRow} whose leaf may have been computed elsewhere. */
export interface WalkRow extends Omit<SealedRow, 'row'> {
  readonly row: WalkLeaf | null
}

/**
 * A chunk of seals computed on another thread. `subtree`, when the chunk is a whole aligned
 * perfect subtree of entries in auditkit's own shape: their leaves (32 latin1 characters each,
 * in seq order) and that subtree's root, which the walk may append instead of each leaf.
 */
export interface TakenChunk {
  readonly rows: WalkRow[]
  readonly subtree?: { readonly leaves: string; readonly root: string } | undefined
}

/**
 * Some chunks of a range of seals with their leaves, computed on another thread while the caller
 * reads the others (see `Store.parallelSealed`).
 */
export interface ParallelSealed {
  /** Whether the chunk that starts at `at` is one of those computed on the other thread. */
  owns(at: number): boolean
  /**
   * That chunk's seals, with their leaves; undefined when the other thread cannot give it (it
   * failed or stopped), and the caller reads the chunk itself.
   */
  take(at: number): Promise<TakenChunk | undefined>
  /** Stops the work and frees the thread (also when not every chunk was taken). */
  close(): Promise<void>
}

/** How many entries a count of positions found, and the last position among them (null when none). */
export interface PositionCount {
  readonly count: number
  readonly last: number | null
}

/** The sealer's tree size and the position of the last entry it sealed, read together. */
export interface SealedPosition {
  readonly size: number
  readonly position: number
}

/** The lowest and highest seq among the seals (null when there are none). */
export interface SealRange {
  readonly minSeq: number | null
  readonly maxSeq: number | null
}

/** One chunk of verify's scan of the entries (see `entryScanSql`). */
export interface EntryScan {
  /** Entries in the chunk; fewer than asked means the scan is over. */
  readonly count: number
  /** The chunk's last key, to continue after; null when the chunk is empty. */
  readonly last: readonly unknown[] | null
  /** Entries in the sealed past without a seal (`past`), or after it with one (`!past`). */
  readonly misplaced: readonly { readonly uuid: string; readonly past: boolean }[]
}

/** One chunk of verify's count of the sealed past (see `Store.countPast`). */
export interface PastCount {
  /** Entries in the chunk; fewer than asked means the count is over. */
  readonly count: number
  /** Those in the sealed past. */
  readonly past: number
  /** The chunk's last key, to continue after; null when the chunk is empty. */
  readonly last: readonly unknown[] | null
  /** The sealed past the chunk was counted in, as the state row stored it (null when the chunk is empty). */
  readonly snapshot: string | null
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
  /**
   * Writes the entries and the idempotency key's record in one transaction, unless a live record
   * of the key (one not expired by `at`) exists: then writes nothing and returns it.
   * Returns null when it wrote. With `purge`, also removes the expired records.
   */
  insertOnce(write: IdempotentWrite): Promise<IdempotencyRecord | null>
  find(uuid: string): Promise<Entry | null>
  /** The entries with these uuids, in the order given (missing ones left out). */
  findMany(uuids: readonly string[]): Promise<Entry[]>
  /** Entries newest first, by insertedAt then uuid. */
  list(query: ListQuery): Promise<Entry[]>
  count(filters: StoreFilters): Promise<number>
  /**
   * Seals at most `maxEntries` committed entries, in one transaction, unless another sealer is at
   * work (`busy`). Entries are sealed in an order every sealer agrees on, each exactly once.
   */
  sealBatch(maxEntries: number): Promise<SealOutcome>
  /** The entries committed and not sealed yet: how many, and the earliest `insertedAt` among them. */
  pending(): Promise<{ entries: number; oldest: Date | null }>
  /** The sealed tree's size and right edge. */
  sealState(): Promise<TreeState>
  /** These stored tiles (missing ones are left out). */
  tiles(keys: readonly TileKey[]): Promise<Tile[]>
  /** Seals with `from <= seq < to`, in seq order, with their entries. */
  sealedRange(from: number, to: number): Promise<SealedRow[]>
  /**
   * `share` of the chunks of `chunk` seals of `[from, to)`, with their leaves computed on a worker
   * thread, or undefined where the store cannot (only a SQLite file auditkit opened can: the
   * worker opens it again). Optional.
   */
  parallelSealed?(from: number, to: number, chunk: number, share: number): ParallelSealed | undefined
  sealRange(): Promise<SealRange>
  /** The key of the last entry now (null when there is none): where verify's scan ends. */
  lastEntryKey(): Promise<readonly unknown[] | null>
  /** Verify's scan of the entries: one chunk of at most `limit` after the key `after` (null: from the start), up to `upTo`. */
  scanEntries(after: readonly unknown[] | null, upTo: readonly unknown[], limit: number): Promise<EntryScan>
  /**
   * Where the engine seals entries in the order of a position (SQLite: the rowid), the sealer's
   * size and last sealed position; null where it does not (PostgreSQL).
   */
  sealedPosition(): Promise<SealedPosition | null>
  /** The first `limit` entries with a position in `(after, upTo]`: how many, and the last position (engines with positions). */
  countPositions(after: number, upTo: number, limit: number): Promise<PositionCount>
  /**
   * Whether `sealedRange` says of each entry whether it lies in the sealed past, and `countPast`
   * counts the entries there (PostgreSQL): verify then counts instead of scanning. Optional.
   */
  readonly countsPast?: boolean
  /**
   * Verify's count of the sealed past: one chunk of at most `limit` entries in key order after
   * `after` (null: from the start) up to `upTo`; how many, how many in the sealed past, the last key.
   */
  countPast?(after: readonly unknown[] | null, upTo: readonly unknown[], limit: number): Promise<PastCount>
  /** Uuids of entries in the sealed past (or, SQLite, before the last seal) that have no seal, at most `limit`. */
  unsealed(limit: number): Promise<string[]>
  /** The seq of an entry, or null when it is not sealed. */
  seqOf(uuid: string): Promise<number | null>
  addCheckpoint(size: number, rootHash: Buffer, note: string, at: Date): Promise<StoredCheckpoint>
  /** Stored checkpoints with id above `afterId`, oldest first. */
  checkpoints(afterId: number, limit: number): Promise<StoredCheckpoint[]>
  /** Stored checkpoints of at least `fromSize` entries, oldest first. */
  checkpointsFrom(fromSize: number, limit: number): Promise<StoredCheckpoint[]>
  /** The newest stored checkpoint (with an id below `beforeId`, when given). */
  latestCheckpoint(beforeId?: number): Promise<StoredCheckpoint | null>
  /** Stores a new API key. */
  addApiKey(key: StoredApiKey): Promise<void>
  /** Every API key, oldest first. */
  apiKeys(): Promise<StoredApiKey[]>
  /** One API key, or null. */
  apiKey(id: string): Promise<StoredApiKey | null>
  /** Marks a key revoked (once); false when there is no such key. */
  revokeApiKey(id: string, at: Date): Promise<boolean>
  /** Records that a key was used. */
  touchApiKey(id: string, at: Date): Promise<void>
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>
  /** A store that reads and writes through the caller's connection or transaction. */
  using(handle: unknown): Store
  /** Closes what this store opened; a handle the caller passed in stays open. */
  close(): Promise<void>
}
