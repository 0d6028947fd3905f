import type BetterSqlite3 from 'better-sqlite3'
import type { Entry } from '../../entry.js'
import { sealEntries } from '../../tamper/seal-batch.js'
import { partialTiles } from '../../tamper/tiles.js'
import { bulkColumns } from '../entry-sql.js'
import type { Row } from '../executor.js'
import { type SealDialect, tilesSql, toTile, upsertTileText } from '../seal-sql.js'
import type { SealOutcome } from '../store.js'

type Database = BetterSqlite3.Database

const SEALS_PER_INSERT = 100

/**
 * SQLite's sealer. SQLite has one writer at a time and gives a new entry the rowid after the
 * largest, so rowids follow commit order and every snapshot sees a prefix of what will ever
 * commit (a rolled-back transaction's rows never existed). A batch seals the next entries by rowid
 * after the last sealed one, in one `BEGIN IMMEDIATE` transaction run synchronously: nothing else
 * on the connection can slip into it, other processes wait for the write lock as for any write,
 * and a process killed mid-batch leaves nothing behind.
 */
export function sqliteSealer(
  d: SealDialect,
  toEntry: (row: Row) => Entry,
): (db: Database, maxEntries: number) => SealOutcome {
  const statements = new WeakMap<Database, ReturnType<typeof prepare>>()
  function prepare(db: Database) {
    return {
      state: db.prepare(`SELECT size, frontier, last_id FROM ${d.sealer} WHERE id = 1`),
      pending: db.prepare(`SELECT ${bulkColumns(d)}, id FROM ${d.table} WHERE id > ? ORDER BY id LIMIT ?`),
      insertSeal: db.prepare(`INSERT INTO ${d.sealsTable} (seq, uuid) VALUES (?, ?)`),
      // Seals go in 100 per statement: one call per row costs more than the row itself.
      insertSeals: db.prepare(
        `INSERT INTO ${d.sealsTable} (seq, uuid) VALUES ${Array.from({ length: SEALS_PER_INSERT }, () => '(?, ?)').join(', ')}`,
      ),
      upsertTile: db.prepare(upsertTileText(d)),
      saveState: db.prepare(`UPDATE ${d.sealer} SET size = ?, frontier = ?, last_id = ?, sealed_at = ? WHERE id = 1`),
      batch: db.transaction((maxEntries: number): SealOutcome => {
        const s = cached(db)
        const row = s.state.get() as Row | undefined
        if (row === undefined) throw new Error('the sealer state row is missing: run migrate()')
        const current = { size: Number(row.size), frontier: Buffer.from(row.frontier as Uint8Array) }
        const rows = s.pending.all(row.last_id, maxEntries) as Row[]
        if (rows.length === 0) return { sealed: 0, size: current.size, busy: false }
        const keys = partialTiles(current.size)
        const tiles = tilesSql(d, keys)
        const partial = keys.length === 0 ? [] : (db.prepare(tiles.text).all(tiles.params) as Row[])
        const batch = sealEntries(current, partial.map(toTile), rows.map(toEntry))
        let i = 0
        for (; i + SEALS_PER_INSERT <= rows.length; i += SEALS_PER_INSERT) {
          const params: unknown[] = []
          for (let j = i; j < i + SEALS_PER_INSERT; j++) params.push(current.size + j, (rows[j] as Row).uuid)
          s.insertSeals.run(params)
        }
        for (; i < rows.length; i++) s.insertSeal.run(current.size + i, (rows[i] as Row).uuid)
        for (const tile of batch.tiles) s.upsertTile.run(tile.level, tile.index, tile.hashes)
        const last = rows[rows.length - 1] as Row
        s.saveState.run(batch.state.size, batch.state.frontier, last.id, Date.now())
        return { sealed: rows.length, size: batch.state.size, busy: false }
      }),
    }
  }
  function cached(db: Database) {
    let s = statements.get(db)
    if (s === undefined) {
      s = prepare(db)
      statements.set(db, s)
    }
    return s
  }
  return (db, maxEntries) => {
    // A caller's transaction is open on this connection: sealing inside it would tie the seals to
    // its fate. Report busy; the next round seals what it commits.
    if (db.inTransaction) return { sealed: 0, size: -1, busy: true }
    return cached(db).batch.immediate(maxEntries)
  }
}
