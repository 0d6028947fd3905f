import type BetterSqlite3 from 'better-sqlite3'
import type { Entry } from '../../entry.js'
import { openBatch } from '../../tlog/seal-batch.js'
import { partialTiles } from '../../tlog/tiles.js'
import { bulkColumns } from '../entry-sql.js'
import type { Row } from '../executor.js'
import { leafTextOfValues } from '../row-leaf.js'
import { type SealDialect, tilesSql, toTile, upsertTileText } from '../seal-sql.js'
import type { SealOutcome } from '../store.js'
import { isSqliteBusy, prepareNumbers } from './sqlite-executor.js'

type Database = BetterSqlite3.Database

const SEALS_PER_INSERT = 100
// Where the pending rows' uuid and id are: bulkColumns starts with the uuid; id follows them.
const UUID = 0
/** Where a pending row's rowid is: after the bulk columns. */
export const PENDING_ID = 8
const ID = PENDING_ID

/**
 * The pending entries with rowids in `(?, ?]`, in rowid order, as the sealer reads them (the bulk
 * columns, then the rowid): the chunks of a parallel seal (`sqlite-seal-session.ts`).
 */
export function pendingRangeText(d: SealDialect): string {
  return `SELECT ${bulkColumns(d)}, id FROM ${d.table} WHERE id > +? AND id <= +? ORDER BY id`
}

function prepareSealer(d: SealDialect, toEntry: (row: Row) => Entry) {
  return (db: Database) => {
    const prepare = (sql: string) => prepareNumbers(db, sql)
    return {
      check: prepare(
        `SELECT s.size AS size, EXISTS (SELECT 1 FROM ${d.table} e WHERE e.id > s.last_id) AS pending FROM ${d.sealer} s WHERE s.id = 1`,
      ),
      state: prepare(`SELECT size, frontier, last_id, contiguous_to FROM ${d.sealer} WHERE id = 1`),
      // Rows as arrays (bulkColumns, then id): better-sqlite3 builds them faster than objects.
      pending: prepare(`SELECT ${bulkColumns(d)}, id FROM ${d.table} WHERE id > ? ORDER BY id LIMIT ?`).raw(true),
      insertSeal: prepare(`INSERT INTO ${d.sealsTable} (seq, uuid) VALUES (?, ?)`),
      // Seals go in 100 per statement: one call per row costs more than the row itself.
      insertSeals: prepare(
        `INSERT INTO ${d.sealsTable} (seq, uuid) VALUES ${Array.from({ length: SEALS_PER_INSERT }, () => '(?, ?)').join(', ')}`,
      ),
      // A batch of every rowid in a range: its seals copied from the entries, in one statement.
      sealRange: prepare(
        `INSERT INTO ${d.sealsTable} (seq, uuid) SELECT id + ?, uuid FROM ${d.table} WHERE id > ? AND id <= ? ORDER BY id`,
      ),
      upsertTile: prepare(upsertTileText(d)),
      // The partial tiles' reads, by text (a few shapes: one run of tiles per level).
      tileReads: new Map<string, BetterSqlite3.Statement>(),
      countRange: prepare(`SELECT count(*) AS n FROM ${d.table} WHERE id > ? AND id <= ?`).pluck(),
      saveState: prepare(
        `UPDATE ${d.sealer} SET size = ?, frontier = ?, last_id = ?, contiguous_to = ?, sealed_at = ? WHERE id = 1`,
      ),
      toEntry,
      d,
    }
  }
}

type Statements = ReturnType<ReturnType<typeof prepareSealer>>

// How far `seq = rowid - 1` holds after this batch (migration 6): it grows only while every entry
// sealed so far has had the rowid after the last one's, starting from rowid 1 at seq 0.
function contiguousTo(contiguous: number, lastId: number, size: number, count: number, idAt: (j: number) => number) {
  if (contiguous !== lastId || contiguous !== size) return contiguous
  let to = contiguous
  for (let j = 0; j < count; j++) {
    if (idAt(j) !== size + j + 1) break
    to = size + j + 1
  }
  return to
}

/** The entries a batch seals, in rowid order: how many, and each one's uuid, rowid and leaf (latin1). */
interface BatchRows {
  readonly count: number
  uuidAt(j: number): unknown
  idAt(j: number): number
  leafAt(j: number): string
}

// Appends the rows' leaves after the stored state `row`, and writes seals, tiles and the state
// (its last_id: `lastId`). Inside the batch's transaction.
function writeBatch(db: Database, s: Statements, row: Row, rows: BatchRows, lastId: number): number {
  const size = Number(row.size)
  const keys = partialTiles(size)
  const tiles = tilesSql(s.d, keys)
  let read = s.tileReads.get(tiles.text)
  if (read === undefined && keys.length > 0) {
    read = prepareNumbers(db, tiles.text)
    if (s.tileReads.size < 32) s.tileReads.set(tiles.text, read)
  }
  const partial = read === undefined ? [] : (read.all(tiles.params) as Row[])
  const open = openBatch({ size, frontier: Buffer.from(row.frontier as Uint8Array) }, partial.map(toTile))
  for (let j = 0; j < rows.count; j++) open.pushText(rows.leafAt(j))
  const batch = open.finish()
  const after = Number(row.last_id)
  // Every rowid of (after, lastId] is in the batch: the entries hold exactly its uuids, in order
  // (it is one transaction, and the log is append-only), so the seals are copied from them.
  if (rows.count === lastId - after) s.sealRange.run(size - after - 1, after, lastId)
  else {
    let i = 0
    for (; i + SEALS_PER_INSERT <= rows.count; i += SEALS_PER_INSERT) {
      const params: unknown[] = []
      for (let j = i; j < i + SEALS_PER_INSERT; j++) params.push(size + j, rows.uuidAt(j))
      s.insertSeals.run(params)
    }
    for (; i < rows.count; i++) s.insertSeal.run(size + i, rows.uuidAt(i))
  }
  for (const tile of batch.tiles) s.upsertTile.run(tile.level, tile.index, tile.hashes)
  const contiguous = contiguousTo(Number(row.contiguous_to), Number(row.last_id), size, rows.count, rows.idAt)
  s.saveState.run(batch.state.size, batch.state.frontier, lastId, contiguous, Date.now())
  return batch.state.size
}

function stateRow(s: Statements): Row {
  const row = s.state.get() as Row | undefined
  if (row === undefined) throw new Error('the sealer state row is missing: run migrate()')
  return row
}

// Runs inside BEGIN IMMEDIATE: reads the pending rows, appends their leaves, writes seals, tiles, state.
function sealBatch(db: Database, s: Statements, maxEntries: number): SealOutcome {
  const row = stateRow(s)
  const rows = s.pending.all(row.last_id, maxEntries) as unknown[][]
  const outcome = { busy: false, sweepContinued: false, sweepEnded: rows.length < maxEntries }
  if (rows.length === 0) return { ...outcome, sealed: 0, size: Number(row.size) }
  const at = (j: number) => rows[j] as unknown[]
  const size = writeBatch(
    db,
    s,
    row,
    {
      count: rows.length,
      uuidAt: (j) => at(j)[UUID],
      idAt: (j) => Number(at(j)[ID]),
      leafAt: (j) => leafTextOfValues(s.toEntry, at(j)),
    },
    Number(at(rows.length - 1)[ID]),
  )
  return { ...outcome, sealed: rows.length, size }
}

/**
 * The entries with rowids in `(after, upTo]`, read and hashed before the batch's transaction (by
 * a parallel seal, `sqlite-seal-session.ts`): their rowids, uuids and leaves, in rowid order.
 */
export interface GatheredBatch {
  readonly after: number
  readonly upTo: number
  readonly ids: readonly number[]
  readonly uuids: readonly string[]
  readonly leaves: readonly string[]
}

// Inside BEGIN IMMEDIATE: seals the gathered entries when they are still the next ones (the
// state's last_id is `after`, and `(after, upTo]` holds exactly as many entries; the log is
// append-only, so the same rowids are the same rows); else a batch read here, as always.
function sealGathered(db: Database, s: Statements, g: GatheredBatch, maxEntries: number): GatheredOutcome {
  const row = stateRow(s)
  // Every rowid of the range gathered (as auditkit's rowids are): no other row can be in it.
  const whole = g.ids.length === g.upTo - g.after
  if (Number(row.last_id) !== g.after || (!whole && Number(s.countRange.get(g.after, g.upTo)) !== g.ids.length)) {
    return { ...sealBatch(db, s, maxEntries), gathered: false }
  }
  const size = writeBatch(
    db,
    s,
    row,
    {
      count: g.ids.length,
      uuidAt: (j) => g.uuids[j],
      idAt: (j) => g.ids[j] as number,
      leafAt: (j) => g.leaves[j] as string,
    },
    g.upTo,
  )
  return { sealed: g.ids.length, size, busy: false, sweepContinued: false, sweepEnded: false, gathered: true }
}

/** What sealing a gathered batch did: `gathered` is false when it sealed a batch it read itself instead. */
export type GatheredOutcome = SealOutcome & { readonly gathered: boolean }

const BUSY: SealOutcome = { sealed: 0, size: -1, busy: true, sweepContinued: false, sweepEnded: false }

/** Takes the write lock without waiting: true when taken, false when another connection holds it. */
function beginWithoutWaiting(db: Database): boolean {
  const saved = Number(db.pragma('busy_timeout', { simple: true }))
  if (saved !== 0) db.pragma('busy_timeout = 0')
  try {
    db.exec('BEGIN IMMEDIATE')
    return true
  } catch (error) {
    if (isSqliteBusy(error)) return false
    throw error
  } finally {
    if (saved !== 0) db.pragma(`busy_timeout = ${Math.trunc(saved)}`)
  }
}

/**
 * Runs `fn` (a sealer's transaction, BEGIN to COMMIT, on a connection with none open) with the
 * connection at `synchronous = NORMAL` when it is in WAL mode at FULL or EXTRA, and puts the level
 * back after, whatever `fn` did. In WAL mode a NORMAL commit is atomic and durable up to the next
 * fsync of the WAL, which any later FULL commit on the file does for every frame before its own.
 *
 * Sealing can skip its own fsync because seals are derived data: they are computed from entries
 * already committed, in rowid order, which is durable with the entries. A power loss can only take
 * the newest batches of seals (never the entries they name, nor a checkpoint, which `checkpoint()`
 * stores with a FULL commit after them), and the sealer then seals the same entries again in the
 * same order: the same seqs, leaves and tree, so checkpoints and proofs given out still hold. On
 * this project's test machine that takes about 0.8 ms off a batch of 1,000 (BENCHMARKS.md, issue
 * 12, "SQLite sealing without its own fsync").
 *
 * @example
 * commitsWithoutFsync(db, () => { db.exec('BEGIN IMMEDIATE'); writeSeals(); db.exec('COMMIT') })
 */
export function commitsWithoutFsync<T>(db: Database, fn: () => T): T {
  const level = db.inTransaction ? 0 : Number(db.pragma('synchronous', { simple: true }))
  // 2: FULL, 3: EXTRA. An app's NORMAL or OFF stays as it is; so does a rollback journal, where
  // NORMAL could lose more than the last transactions.
  const lower = (level === 2 || level === 3) && String(db.pragma('journal_mode', { simple: true })) === 'wal'
  if (!lower) return fn()
  db.exec('PRAGMA synchronous = NORMAL')
  try {
    return fn()
  } finally {
    db.exec(level === 3 ? 'PRAGMA synchronous = EXTRA' : 'PRAGMA synchronous = FULL')
  }
}

/**
 * SQLite's sealer. SQLite has one writer at a time and gives a new entry the rowid after the
 * largest, so rowids follow commit order and every snapshot sees a prefix of what will ever
 * commit (a rolled-back transaction's rows never existed). A batch seals the next entries by rowid
 * after the last sealed one, in one `BEGIN IMMEDIATE` transaction run synchronously: nothing else
 * on the connection can slip into it, and a process killed mid-batch leaves nothing behind.
 *
 * It never blocks the event loop waiting for the lock: it first looks for pending rows without
 * any lock (a read, which WAL never blocks), then asks for the write lock with a busy timeout of
 * 0 for that one statement; when another connection holds it, the batch reports `busy` and the
 * caller tries again later, asynchronously.
 */
export function sqliteSealer(d: SealDialect, toEntry: (row: Row) => Entry): SqliteSealer {
  const prepare = prepareSealer(d, toEntry)
  const statements = new WeakMap<Database, Statements>()
  const statementsOf = (db: Database) => {
    let s = statements.get(db)
    if (s === undefined) {
      s = prepare(db)
      statements.set(db, s)
    }
    return s
  }
  // One transaction taken without waiting; a caller's transaction open on this connection (sealing
  // inside it would tie the seals to its fate) or another connection's lock: busy, try later.
  function inTransaction<T extends SealOutcome>(db: Database, busy: T, run: (s: Statements) => T): T {
    if (db.inTransaction) return busy
    const s = statementsOf(db)
    return commitsWithoutFsync(db, () => {
      if (!beginWithoutWaiting(db)) return busy
      try {
        const outcome = run(s)
        db.exec('COMMIT')
        return outcome
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK')
        throw error
      }
    })
  }
  return {
    batch(db, maxEntries) {
      if (db.inTransaction) return BUSY
      const check = statementsOf(db).check.get() as Row | undefined
      if (check === undefined) throw new Error('the sealer state row is missing: run migrate()')
      if (!check.pending)
        return { sealed: 0, size: Number(check.size), busy: false, sweepContinued: false, sweepEnded: true }
      return inTransaction(db, BUSY, (s) => sealBatch(db, s, maxEntries))
    },
    gathered(db, g, maxEntries) {
      return inTransaction(db, { ...BUSY, gathered: false }, (s) => sealGathered(db, s, g, maxEntries))
    },
  }
}

/** SQLite's sealer on a connection (see {@link sqliteSealer}). */
export interface SqliteSealer {
  /** Seals the next `maxEntries` pending entries at most, read in the batch's transaction. */
  batch(db: Database, maxEntries: number): SealOutcome
  /** Seals a batch gathered before its transaction, or, when it is no longer the next, one read in it. */
  gathered(db: Database, g: GatheredBatch, maxEntries: number): GatheredOutcome
}
