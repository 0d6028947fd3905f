import type { Entry } from '../entry.js'
import { StoreError, toStoreError } from '../errors.js'
import { inSlices } from '../slices.js'
import type { TreeState } from '../tlog/seal-batch.js'
import type { Tile, TileKey } from '../tlog/tiles.js'
import {
  apiKeySql,
  apiKeysSql,
  insertApiKeySql,
  revokeApiKeySql,
  type StoredApiKey,
  toApiKey,
  touchApiKeySql,
} from './api-key-sql.js'
import type { Engine } from './engine.js'
import { countSql, findManySql, findSql, listSql, type Sql } from './entry-sql.js'
import { dateOfMs, entryOfValues, READ_ALIASES } from './entry-values.js'
import { type Row, type SqlExecutor, selectValues } from './executor.js'
import {
  claimIdempotencyKeySql,
  type IdempotencyRecord,
  idempotencyRecordSql,
  purgeIdempotencySql,
  toIdempotencyRecord,
} from './idempotency-sql.js'
import { leafOfValues } from './row-leaf.js'
import {
  checkpointsFromSizeSql,
  checkpointsSql,
  countPositionsSql,
  entryScanSql,
  insertCheckpointSql,
  latestCheckpointSql,
  PositionFirst,
  pastCountSql,
  SEALED_PAST,
  SEALED_POSITION,
  SEALED_RANGE_ALIASES,
  sealedPositionSql,
  sealedRangeByPositionSql,
  sealedRangeSql,
  sealRangeSql,
  seqOfSql,
  stateSql,
  tilesSql,
  toTile,
  unsealedSql,
} from './seal-sql.js'
import type {
  EntryScan,
  IdempotentWrite,
  ListQuery,
  ParallelSealed,
  PastCount,
  PositionCount,
  SealedPosition,
  SealedRow,
  SealOutcome,
  SealRange,
  Store,
  StoredCheckpoint,
  StoredEntry,
  StoreFilters,
} from './store.js'

function toCount(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value)
}

function toCheckpoint(row: Row): StoredCheckpoint {
  return {
    id: Number(row.id),
    size: Number(row.size),
    rootHash: Buffer.from(row.root_hash as Uint8Array),
    note: row.note as string,
    createdAt: dateOfMs(row.created_at),
  }
}

// Up to two branches (one action, or a user's two roles): a few texts, each worth preparing.
function fewBranches(filters: StoreFilters): boolean {
  return (filters.actions?.length ?? 1) * (filters.userUuid === undefined ? 1 : 2) <= 2
}

/**
 * The store both engines share: SQL from `entry-sql.ts` and the engine, run through an executor.
 * Every driver failure leaves as a StoreError.
 */
export class SqlStore implements Store {
  #closed = false
  // sealedRange's choice between the reads by position and by uuid.
  readonly #positionFirst = new PositionFirst()

  constructor(
    private readonly engineSql: Engine,
    private readonly executor: SqlExecutor,
    private readonly onClose: () => Promise<void> = async () => {},
    /** Where the data lives (`file /path/audit.db`), added to the message of a failed migration. */
    private readonly where?: string,
    /** Starts a worker that reads and hashes sealed ranges (a SQLite file auditkit opened). */
    private readonly leafReader?: (
      range: { readonly from: number; readonly to: number; readonly chunk: number; readonly share: number },
      toEntry: (row: Row) => Entry,
    ) => ParallelSealed,
  ) {}

  get engine(): 'sqlite' | 'postgres' {
    return this.engineSql.name
  }

  get sealsAhead(): boolean {
    return this.engineSql.sealsAhead
  }

  async migrate(): Promise<void> {
    try {
      await this.engineSql.migrate(this.executor)
    } catch (e) {
      throw toStoreError('migrate', e, this.where)
    }
  }

  async insert(entries: readonly StoredEntry[]): Promise<void> {
    if (entries.length === 0) return
    const { text, paramLists, name } = this.engineSql.insertSql(entries)
    try {
      await this.executor.batch(text, paramLists, name)
    } catch (e) {
      throw toStoreError('insert', e)
    }
  }

  async insertOnce(write: IdempotentWrite): Promise<IdempotencyRecord | null> {
    const d = this.engineSql
    const uuids = write.entries.map((e) => e.entry.uuid)
    const claim = claimIdempotencyKeySql(d, write.key, write.fingerprint, uuids, write.at, write.expiresAt)
    try {
      return await this.executor.transaction(async (tx) => {
        if (write.purge) {
          const purge = purgeIdempotencySql(d, write.at)
          await tx.query(purge.text, purge.params)
        }
        // PostgreSQL: a claim meeting another transaction's uncommitted record waits for it.
        if ((await tx.query(claim.text, claim.params)).length === 0) {
          const record = idempotencyRecordSql(d, write.key)
          // The claim locked the live record it met (PostgreSQL), or holds the write lock (SQLite).
          const [row] = await tx.query(record.text, record.params)
          return toIdempotencyRecord(row as Row)
        }
        if (write.entries.length > 0) {
          const { text, paramLists, name } = d.insertSql(write.entries)
          await tx.batch(text, paramLists, name)
        }
        return null
      })
    } catch (e) {
      throw toStoreError('insert', e)
    }
  }

  findMany(uuids: readonly string[]): Promise<Entry[]> {
    if (uuids.length === 0) return Promise.resolve([])
    return this.#entriesThen('find', findManySql(this.engineSql, uuids), false, (rows) => {
      const byUuid = new Map(rows.map((values) => [String(values[0]), values]))
      return uuids.flatMap((uuid) => {
        const values = byUuid.get(uuid)
        return values === undefined ? [] : [this.#entry('find', values)]
      })
    })
  }

  find(uuid: string): Promise<Entry | null> {
    return this.#entriesThen('find', findSql(this.engineSql, uuid), true, (rows) =>
      rows[0] === undefined ? null : this.#entry('find', rows[0]),
    )
  }

  list(query: ListQuery): Promise<Entry[]> {
    return this.#entriesThen('list', listSql(this.engineSql, query), fewBranches(query.filters), (rows) => {
      const entries: Entry[] = new Array(rows.length)
      for (let i = 0; i < rows.length; i++) entries[i] = this.#entry('list', rows[i] as unknown[])
      return entries
    })
  }

  // The entries' rows, with their seqs, handed to `use`. Where the executor can answer in the
  // caller's turn (SQLite), they are read, resolved and used in this turn and handed over in one
  // resolved promise: no promise turns between the driver and the caller (BENCHMARKS.md, issue 12,
  // "SQLite `getLog` on a row not read before").
  #entriesThen<T>(operation: string, sql: Sql, repeated: boolean, use: (rows: unknown[][]) => T): Promise<T> {
    let rows: unknown[][] | undefined
    try {
      rows = this.executor.queryValuesNow?.(sql.text, sql.params)
    } catch (e) {
      return Promise.reject(toStoreError(operation, e))
    }
    if (rows === undefined) return this.#readEntries(operation, sql, repeated).then(use)
    const read = rows
    const resolving = this.engineSql.resolveSeqs?.(this.executor, read)
    if (resolving !== undefined) {
      return resolving.then(
        () => use(read),
        (e) => {
          throw toStoreError(operation, e)
        },
      )
    }
    // As in the async path, what `use` throws (a StoreError for a row it cannot read) is the
    // caller's rejection as it is.
    try {
      return Promise.resolve(use(read))
    } catch (e) {
      return Promise.reject(e)
    }
  }

  // Rows as arrays where the executor can give them (cheaper for the driver), else as objects.
  async #read(operation: string, { text, params }: Sql, repeated: boolean): Promise<unknown[][]> {
    try {
      return await selectValues(this.executor, text, params, READ_ALIASES, repeated)
    } catch (e) {
      throw toStoreError(operation, e)
    }
  }

  // Entries' values, with their seqs where the engine selects something else in their place.
  async #readEntries(operation: string, sql: Sql, repeated: boolean): Promise<unknown[][]> {
    const rows = await this.#read(operation, sql, repeated)
    const resolving = this.engineSql.resolveSeqs?.(this.executor, rows)
    if (resolving !== undefined) {
      try {
        await resolving
      } catch (e) {
        throw toStoreError(operation, e)
      }
    }
    return rows
  }

  // A row raw SQL stored in a shape auditkit never writes is refused, never handed out mistyped.
  #entry(operation: string, values: readonly unknown[]): Entry {
    const entry = entryOfValues(values)
    if (!('problem' in entry)) return entry
    throw new StoreError(operation, `the entry ${String(values[0])} cannot be read (${entry.problem}): run verify()`, {
      retryable: false,
    })
  }

  async count(filters: StoreFilters): Promise<number> {
    const [values] = await this.#read('count', countSql(this.engineSql, filters), fewBranches(filters))
    return Number(values?.[0] ?? 0)
  }

  async sealBatch(maxEntries: number): Promise<SealOutcome> {
    try {
      return await this.engineSql.sealBatch(this.executor, maxEntries)
    } catch (e) {
      throw toStoreError('seal', e)
    }
  }

  async pending(): Promise<{ entries: number; oldest: Date | null }> {
    const [row] = await this.#query('seal', { text: this.engineSql.pendingSql, params: [] })
    const oldest = row?.oldest
    return {
      entries: Number(row?.n ?? 0),
      oldest: oldest === null || oldest === undefined ? null : dateOfMs(oldest),
    }
  }

  async sealState(): Promise<TreeState> {
    const [row] = await this.#query('seal', stateSql(this.engineSql))
    if (row === undefined) return { size: 0, frontier: Buffer.alloc(0) }
    return { size: Number(row.size), frontier: Buffer.from(row.frontier as Uint8Array) }
  }

  async tiles(keys: readonly TileKey[]): Promise<Tile[]> {
    if (keys.length === 0) return []
    const rows = await this.#query('tiles', tilesSql(this.engineSql, keys))
    return rows.map(toTile)
  }

  parallelSealed(from: number, to: number, chunk: number, share: number): ParallelSealed | undefined {
    return this.leafReader?.({ from, to, chunk, share }, (row) => this.engineSql.toEntry(row))
  }

  async sealedRange(from: number, to: number): Promise<SealedRow[]> {
    // By position first (SQLite): every entry its seal's, the same rows as by uuid, read faster.
    // A range where that fails (entries not in seal order) is read by uuid for a while.
    const byPosition = this.#positionFirst.tryPosition ? sealedRangeByPositionSql(this.engineSql, from, to) : undefined
    let rows = byPosition === undefined ? undefined : await this.#sealedValues(byPosition)
    if (rows === undefined) this.#positionFirst.byUuid()
    if (rows === undefined || !this.#positionFirst.accept(rows)) {
      rows = await this.#sealedValues(sealedRangeSql(this.engineSql, from, to))
    }
    const toEntry = (row: Row) => this.engineSql.toEntry(row)
    const sealed: SealedRow[] = []
    // Hashing costs microseconds a row: the event loop turns between slices.
    await inSlices(rows.length, (i) => {
      const v = rows[i] as unknown[]
      const position = v[SEALED_POSITION]
      const past = v[SEALED_PAST]
      sealed.push({
        seq: Number(v[0]),
        uuid: String(v[1]),
        row: v[2] === null || v[2] === undefined ? null : leafOfValues(toEntry, v, 2, true),
        position: position === null || position === undefined ? position : Number(position),
        past: past === null || past === undefined ? past : past === true || past === 1,
      })
    })
    return sealed
  }

  // seq, sealed_uuid, then bulkColumns: as arrays where the executor gives them.
  async #sealedValues({ text, params }: Sql): Promise<unknown[][]> {
    try {
      return await selectValues(this.executor, text, params, SEALED_RANGE_ALIASES, true)
    } catch (e) {
      throw toStoreError('verify', e)
    }
  }

  async sealRange(): Promise<SealRange> {
    const [row = {}] = await this.#query('verify', sealRangeSql(this.engineSql))
    return { minSeq: toCount(row.min_seq), maxSeq: toCount(row.max_seq) }
  }

  async lastEntryKey(): Promise<readonly unknown[] | null> {
    const [row] = await this.#query('verify', { text: this.engineSql.scan.lastKey, params: [] })
    return row === undefined ? null : this.#scanKey(row)
  }

  #scanKey(row: Row): unknown[] {
    return this.engineSql.scan.keyLength === 2 ? [row.k1, row.k2] : [row.k1]
  }

  get countsPast(): boolean {
    return this.engineSql.pastFlag !== undefined
  }

  async countPast(after: readonly unknown[] | null, upTo: readonly unknown[], limit: number): Promise<PastCount> {
    const [row] = await this.#alongIndexes(pastCountSql(this.engineSql, after, upTo, limit))
    if (row === undefined) return { count: 0, past: 0, last: null, snapshot: null }
    const snapshot = row.snapshot === null || row.snapshot === undefined ? null : String(row.snapshot)
    return { count: Number(row.n), past: Number(row.past), last: this.#scanKey(row), snapshot }
  }

  // Verify's chunked reads of every entry, in a transaction whose reads follow the indexes.
  async #alongIndexes({ text, params }: Sql): Promise<Row[]> {
    const settings = this.engineSql.indexSettings
    try {
      return settings === undefined
        ? await this.executor.query(text, params)
        : await this.executor.transaction(async (tx) => {
            await tx.query(settings)
            return tx.query(text, params)
          })
    } catch (e) {
      throw toStoreError('verify', e)
    }
  }

  async scanEntries(after: readonly unknown[] | null, upTo: readonly unknown[], limit: number): Promise<EntryScan> {
    const rows = await this.#alongIndexes(entryScanSql(this.engineSql, after, upTo, limit))
    const truthy = (v: unknown) => v === true || v === 1 || v === 1n
    const last = rows.find((r) => r.n !== null && r.n !== undefined)
    return {
      count: last === undefined ? 0 : Number(last.n),
      last: last === undefined ? null : this.#scanKey(last),
      misplaced: rows
        .filter((r) => r.n === null || r.n === undefined)
        .map((r) => ({ uuid: String(r.k2), past: truthy(r.past) })),
    }
  }

  async sealedPosition(): Promise<SealedPosition | null> {
    const sql = sealedPositionSql(this.engineSql)
    if (sql === undefined) return null
    const [row] = await this.#query('verify', sql)
    return row === undefined ? null : { size: Number(row.size), position: Number(row.position) }
  }

  async countPositions(after: number, upTo: number, limit: number): Promise<PositionCount> {
    const [row] = await this.#query('verify', countPositionsSql(this.engineSql, after, upTo, limit))
    return { count: Number(row?.n ?? 0), last: toCount(row?.last) }
  }

  async unsealed(limit: number): Promise<string[]> {
    const rows = await this.#query('verify', unsealedSql(this.engineSql, limit))
    return rows.map((r) => String(r.uuid))
  }

  async seqOf(uuid: string): Promise<number | null> {
    const [row] = await this.#query('prove', seqOfSql(this.engineSql, uuid))
    return row === undefined ? null : Number(row.seq)
  }

  async addCheckpoint(size: number, rootHash: Buffer, note: string, at: Date): Promise<StoredCheckpoint> {
    const [row] = await this.#query('checkpoint', insertCheckpointSql(this.engineSql, size, rootHash, note, at))
    return toCheckpoint(row as Row)
  }

  async checkpoints(afterId: number, limit: number): Promise<StoredCheckpoint[]> {
    return (await this.#query('checkpoints', checkpointsSql(this.engineSql, afterId, limit))).map(toCheckpoint)
  }

  async checkpointsFrom(fromSize: number, limit: number): Promise<StoredCheckpoint[]> {
    const sql = checkpointsFromSizeSql(this.engineSql, fromSize, limit)
    return (await this.#query('checkpoints', sql)).map(toCheckpoint)
  }

  async addApiKey(key: StoredApiKey): Promise<void> {
    await this.#query('apiKeys', insertApiKeySql(this.engineSql, key))
  }

  async apiKeys(): Promise<StoredApiKey[]> {
    return (await this.#query('apiKeys', apiKeysSql(this.engineSql))).map(toApiKey)
  }

  async apiKey(id: string): Promise<StoredApiKey | null> {
    const [row] = await this.#query('apiKeys', apiKeySql(this.engineSql, id))
    return row === undefined ? null : toApiKey(row)
  }

  async revokeApiKey(id: string, at: Date): Promise<boolean> {
    await this.#query('apiKeys', revokeApiKeySql(this.engineSql, id, at))
    return (await this.apiKey(id)) !== null
  }

  async touchApiKey(id: string, at: Date): Promise<void> {
    await this.#query('apiKeys', touchApiKeySql(this.engineSql, id, at))
  }

  async latestCheckpoint(beforeId?: number): Promise<StoredCheckpoint | null> {
    const [row] = await this.#query('checkpoint', latestCheckpointSql(this.engineSql, beforeId))
    return row === undefined ? null : toCheckpoint(row)
  }

  async #query(operation: string, { text, params }: Sql): Promise<Row[]> {
    try {
      return await this.executor.query(text, params)
    } catch (e) {
      throw toStoreError(operation, e)
    }
  }

  async ping(): Promise<void> {
    await this.#query('ping', { text: 'SELECT 1 AS ok', params: [] })
  }

  using(handle: unknown): Store {
    return new SqlStore(this.engineSql, this.engineSql.wrapHandle(handle))
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    try {
      await this.onClose()
    } catch (e) {
      throw toStoreError('close', e)
    }
  }
}
