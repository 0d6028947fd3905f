import { createHash } from 'node:crypto'
import type { Entry } from '../../entry.js'
import { sealEntries } from '../../tamper/seal-batch.js'
import { partialTiles } from '../../tamper/tiles.js'
import { selectColumns } from '../entry-sql.js'
import type { Row, SqlExecutor } from '../executor.js'
import { type SealDialect, tilesSql, toTile, upsertTileText } from '../seal-sql.js'
import type { SealOutcome, StoreLocation } from '../store.js'

/** A stable 64-bit advisory lock key for sealing one entries table. */
function sealLockKey({ schema, table }: StoreLocation): string {
  return createHash('sha256').update(`auditkit-seal:${schema}.${table}`).digest().readBigInt64BE(0).toString()
}

/**
 * PostgreSQL's sealer. Every entry records the transaction that wrote it (`tx_id`). A batch runs in
 * one transaction under a transaction-scoped advisory lock (a second sealer gets `busy` at once),
 * and seals the next entries in `(tx_id, uuid)` order among those with `tx_id` below the oldest
 * transaction still running, `pg_snapshot_xmin(pg_current_snapshot())`. Those are final: every
 * transaction that could still commit has a larger id, so later commits sort after every sealed
 * entry, and a transaction that began early and commits late holds the horizon back until it ends.
 * The state row (size, right edge, last sealed position) is written in the same transaction: a
 * sealer killed mid-batch leaves nothing behind.
 */
export function postgresSealer(
  d: SealDialect,
  location: StoreLocation,
  toEntry: (row: Row) => Entry,
): (executor: SqlExecutor, maxEntries: number) => Promise<SealOutcome> {
  const lockKey = sealLockKey(location)
  const state = `SELECT size, frontier, last_tx::text AS last_tx, last_uuid::text AS last_uuid FROM ${d.sealer} WHERE id = 1`
  const pending =
    `SELECT ${selectColumns(d.metadataAsText('metadata'))}, tx_id::text AS tx FROM ${d.table} ` +
    'WHERE (tx_id, uuid) > ($1::xid8, $2::uuid) AND tx_id < (SELECT pg_snapshot_xmin(pg_current_snapshot())) ' +
    'ORDER BY tx_id, uuid LIMIT $3'
  const insertSeals = `INSERT INTO ${d.sealsTable} (seq, uuid) SELECT $1::bigint + n - 1, u FROM unnest($2::uuid[]) WITH ORDINALITY AS x(u, n)`
  const upsertTile = upsertTileText(d)
  const saveState = `UPDATE ${d.sealer} SET size = $1, frontier = $2, last_tx = $3::xid8, last_uuid = $4::uuid, sealed_at = now() WHERE id = 1`

  return (executor, maxEntries) =>
    executor.transaction(async (tx) => {
      const [lock] = await tx.query('SELECT pg_try_advisory_xact_lock($1::bigint) AS ok', [lockKey])
      if (lock?.ok !== true) return { sealed: 0, size: -1, busy: true }
      const [row] = await tx.query(state)
      if (row === undefined) throw new Error('the sealer state row is missing: run migrate()')
      const current = { size: Number(row.size), frontier: Buffer.from(row.frontier as Uint8Array) }
      const rows = await tx.query(pending, [row.last_tx, row.last_uuid, maxEntries])
      if (rows.length === 0) return { sealed: 0, size: current.size, busy: false }
      const keys = partialTiles(current.size)
      const tiles = tilesSql(d, keys)
      const partial = keys.length === 0 ? [] : await tx.query(tiles.text, tiles.params)
      const batch = sealEntries(current, partial.map(toTile), rows.map(toEntry))
      await tx.query(insertSeals, [current.size, rows.map((r) => r.uuid)])
      for (const tile of batch.tiles) await tx.query(upsertTile, [tile.level, tile.index, tile.hashes])
      const last = rows[rows.length - 1] as Row
      await tx.query(saveState, [batch.state.size, batch.state.frontier, last.tx, last.uuid])
      return { sealed: rows.length, size: batch.state.size, busy: false }
    })
}
