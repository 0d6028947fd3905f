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
const ID = 8

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
      upsertTile: prepare(upsertTileText(d)),
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
function contiguousTo(contiguous: number, lastId: number, size: number, rows: readonly unknown[][]): number {
  if (contiguous !== lastId || contiguous !== size) return contiguous
  let to = contiguous
  for (let j = 0; j < rows.length; j++) {
    if (Number((rows[j] as unknown[])[ID]) !== size + j + 1) break
    to = size + j + 1
  }
  return to
}

// Runs inside BEGIN IMMEDIATE: reads the pending rows, appends their leaves, writes seals, tiles, state.
function sealBatch(db: Database, s: Statements, maxEntries: number): SealOutcome {
  const row = s.state.get() as Row | undefined
  if (row === undefined) throw new Error('the sealer state row is missing: run migrate()')
  const current = { size: Number(row.size), frontier: Buffer.from(row.frontier as Uint8Array) }
  const rows = s.pending.all(row.last_id, maxEntries) as unknown[][]
  const outcome = { busy: false, sweepContinued: false, sweepEnded: rows.length < maxEntries }
  if (rows.length === 0) return { ...outcome, sealed: 0, size: current.size }
  const keys = partialTiles(current.size)
  const tiles = tilesSql(s.d, keys)
  const partial = keys.length === 0 ? [] : (prepareNumbers(db, tiles.text).all(tiles.params) as Row[])
  const open = openBatch(current, partial.map(toTile))
  for (const r of rows) open.pushText(leafTextOfValues(s.toEntry, r))
  const batch = open.finish()
  let i = 0
  for (; i + SEALS_PER_INSERT <= rows.length; i += SEALS_PER_INSERT) {
    const params: unknown[] = []
    for (let j = i; j < i + SEALS_PER_INSERT; j++) params.push(current.size + j, (rows[j] as unknown[])[UUID])
    s.insertSeals.run(params)
  }
  for (; i < rows.length; i++) s.insertSeal.run(current.size + i, (rows[i] as unknown[])[UUID])
  for (const tile of batch.tiles) s.upsertTile.run(tile.level, tile.index, tile.hashes)
  const last = rows[rows.length - 1] as unknown[]
  const contiguous = contiguousTo(Number(row.contiguous_to), Number(row.last_id), current.size, rows)
  s.saveState.run(batch.state.size, batch.state.frontier, last[ID], contiguous, Date.now())
  return { ...outcome, sealed: rows.length, size: batch.state.size }
}

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
export function sqliteSealer(
  d: SealDialect,
  toEntry: (row: Row) => Entry,
): (db: Database, maxEntries: number) => SealOutcome {
  const prepare = prepareSealer(d, toEntry)
  const statements = new WeakMap<Database, Statements>()
  return (db, maxEntries) => {
    // A caller's transaction is open on this connection: sealing inside it would tie the seals to
    // its fate. Report busy; the next round seals what it commits.
    if (db.inTransaction) return BUSY
    let s = statements.get(db)
    if (s === undefined) {
      s = prepare(db)
      statements.set(db, s)
    }
    const check = s.check.get() as Row | undefined
    if (check === undefined) throw new Error('the sealer state row is missing: run migrate()')
    if (!check.pending)
      return { sealed: 0, size: Number(check.size), busy: false, sweepContinued: false, sweepEnded: true }
    if (!beginWithoutWaiting(db)) return BUSY
    try {
      const outcome = sealBatch(db, s, maxEntries)
      db.exec('COMMIT')
      return outcome
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK')
      throw error
    }
  }
}
