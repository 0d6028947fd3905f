import type BetterSqlite3 from 'better-sqlite3'
import type { Entry } from '../../entry.js'
import type { Row } from '../executor.js'
import { leafTextOfValues } from '../row-leaf.js'
import type { SealDialect } from '../seal-sql.js'
import type { SealOutcome } from '../store.js'
import { prepareNumbers } from './sqlite-executor.js'
import { type ChunkReader, type LeafChunk, startChunkReader } from './sqlite-leaf-reader.js'
import {
  type GatheredBatch,
  type GatheredOutcome,
  PENDING_ID,
  pendingRangeText,
  type SqliteSealer,
  sqliteSealer,
} from './sqlite-sealer.js'

type Database = BetterSqlite3.Database

/**
 * When sealing a SQLite file takes a worker thread: from a backlog of `minEntries` entries (by
 * rowid), the worker reads and hashes `workerShare` of the chunks of `chunk` rowids after the
 * first `leadEntries`, which the main thread seals alone while the thread starts. A mutable test
 * seam, like `VERIFY_PARALLEL`; not part of the public API.
 */
export const SEAL_PARALLEL = { minEntries: 65_536, workerShare: 0.85, leadEntries: 32_768, chunk: 250 }

/**
 * How sealing sessions went in this process: chunks hashed by the worker and by the main thread,
 * and batches that found their gathered rows no longer next. A test seam; not part of the public API.
 */
export const sealSessionCounts = { workerChunks: 0, ownChunks: 0, gaveWay: 0 }

/** The entries of one chunk of rowids, read and hashed: in rowid order. */
interface Gathered {
  readonly ids: number[]
  readonly uuids: string[]
  readonly leaves: string[]
}

const BUSY: GatheredOutcome = {
  sealed: 0,
  size: -1,
  busy: true,
  sweepContinued: false,
  sweepEnded: false,
  gathered: false,
}

/**
 * One backlog sealed with a worker thread: the entries with rowids in `(from, to]`, batch by batch
 * in rowid order, as the plain sealer would seal them. Each batch's chunks are read and hashed
 * before its transaction, the worker's on its own connection, the others on this one; the
 * transaction then checks that they are still the next entries (`SqliteSealer.gathered`) and
 * appends their leaves. The log is append-only and rowids follow commit order, so rows read
 * before the transaction are the rows it seals; when that does not hold (another sealer, rows
 * written with explicit rowids), the batch is read inside the transaction as always and the
 * session ends.
 */
export class SealSession {
  #next: number
  #to: number
  readonly #chunks = new Map<number, Gathered>()
  readonly #read: BetterSqlite3.Statement

  constructor(
    private readonly db: Database,
    private readonly sealer: SqliteSealer,
    private readonly reader: ChunkReader,
    from: number,
    to: number,
    readonly chunk: number,
    private readonly toEntry: (row: Row) => Entry,
    dialect: SealDialect,
  ) {
    this.#next = from
    this.#to = to
    this.#read = prepareNumbers(db, pendingRangeText(dialect)).raw(true)
  }

  /** Whether the session has sealed its range, or given up on it. */
  get done(): boolean {
    return this.#next >= this.#to
  }

  /** Seals the next batch: whole chunks, `maxEntries` rowids at most. */
  async sealNext(maxEntries: number): Promise<GatheredOutcome> {
    const upTo = Math.min(this.#to, this.#next + Math.max(1, Math.floor(maxEntries / this.chunk)) * this.chunk)
    for (let at = this.#next; at < upTo; at += this.chunk) {
      if (this.#chunks.has(at)) continue
      const taken = this.reader.owns(at) ? await this.reader.take(at) : undefined
      if (taken !== undefined) {
        sealSessionCounts.workerChunks++
        this.#chunks.set(at, this.#gatheredOf(taken))
        continue
      }
      // A transaction open on this connection (a caller's, or a sliced batch) would show its
      // uncommitted rows to a read: wait for it, as the plain sealer does.
      if (this.db.inTransaction) return BUSY
      sealSessionCounts.ownChunks++
      this.#chunks.set(at, this.#readChunk(at, Math.min(at + this.chunk, this.#to)))
    }
    const ids: number[] = []
    const uuids: string[] = []
    const leaves: string[] = []
    for (let at = this.#next; at < upTo; at += this.chunk) {
      const c = this.#chunks.get(at) as Gathered
      ids.push(...c.ids)
      uuids.push(...c.uuids)
      leaves.push(...c.leaves)
    }
    const batch: GatheredBatch = { after: this.#next, upTo, ids, uuids, leaves }
    const outcome = this.sealer.gathered(this.db, batch, maxEntries)
    if (outcome.busy) return outcome
    for (let at = this.#next; at < upTo; at += this.chunk) this.#chunks.delete(at)
    if (outcome.gathered) this.#next = upTo
    else {
      sealSessionCounts.gaveWay++
      this.#to = this.#next
    }
    return outcome
  }

  #readChunk(after: number, upTo: number): Gathered {
    const rows = this.#read.all(after, upTo) as unknown[][]
    const c: Gathered = { ids: [], uuids: [], leaves: [] }
    for (const v of rows) {
      c.ids.push(Number(v[PENDING_ID]))
      c.uuids.push(String(v[0]))
      c.leaves.push(leafTextOfValues(this.toEntry, v))
    }
    return c
  }

  #gatheredOf(chunk: LeafChunk): Gathered {
    const leaves: string[] = new Array(chunk.kinds.length)
    let fast = 0
    let slow = 0
    for (let i = 0; i < leaves.length; i++) {
      leaves[i] =
        chunk.kinds[i] === 0
          ? chunk.leaves.slice(32 * fast, 32 * ++fast)
          : leafTextOfValues(this.toEntry, chunk.slow[slow++] as unknown[])
    }
    return { ids: chunk.seqs, uuids: chunk.uuids, leaves }
  }

  /** Stops the worker thread. */
  close(): Promise<void> {
    this.#to = this.#next
    return this.reader.close()
  }
}

/** A SQLite file's sealing with a worker thread for large backlogs (see {@link SealSession}). */
export interface ParallelSeal {
  /** Seals a batch with the worker's help, or returns undefined: the plain sealer then seals it. */
  batch(maxEntries: number): Promise<SealOutcome | undefined>
  /** Stops a worker under way. */
  close(): Promise<void>
}

/**
 * Seals the backlog of the SQLite `file` (opened on `db`) with a worker thread when it is large
 * (see {@link SEAL_PARALLEL}); batches of a small backlog are left to the plain sealer. The session
 * lives across `batch` calls and ends with its backlog, on a conflict, or with `close()`. Its
 * thread does not keep the process alive.
 */
export function parallelSeal(
  db: Database,
  file: string,
  table: string,
  dialect: SealDialect,
  toEntry: (row: Row) => Entry,
): ParallelSeal {
  const sealer = sqliteSealer(dialect, toEntry)
  let probe: BetterSqlite3.Statement | undefined
  let session: SealSession | undefined
  const end = async () => {
    const ending = session
    session = undefined
    await ending?.close()
  }
  const start = (maxEntries: number): SealSession | undefined => {
    const { minEntries, workerShare, leadEntries, chunk: most } = SEAL_PARALLEL
    if (db.inTransaction || workerShare <= 0) return undefined
    probe ??= prepareNumbers(
      db,
      `SELECT last_id AS after, (SELECT max(id) FROM ${dialect.table}) AS upto FROM ${dialect.sealer} WHERE id = 1`,
    )
    const row = probe.get() as Row | undefined
    const after = Number(row?.after ?? 0)
    const upTo = Number(row?.upto ?? 0)
    if (row === undefined || upTo - after < Math.max(1, minEntries)) return undefined
    const chunk = Math.min(most, maxEntries)
    const first = after + Math.ceil(leadEntries / chunk) * chunk
    const reader = startChunkReader(
      { mode: 'pending', file, table, from: first, to: upTo, chunk, share: workerShare },
      { text: 'sealing hashes on the main thread alone', code: 'auditkit_seal_worker' },
      true,
    )
    return new SealSession(db, sealer, reader, after, upTo, chunk, toEntry, dialect)
  }
  return {
    async batch(maxEntries) {
      if (session !== undefined && (session.done || maxEntries < session.chunk)) await end()
      session ??= start(maxEntries)
      const current = session
      if (current === undefined) return undefined
      try {
        const outcome = await current.sealNext(maxEntries)
        if (current.done) await end()
        return outcome
      } catch (error) {
        await end()
        throw error
      }
    },
    close: end,
  }
}
