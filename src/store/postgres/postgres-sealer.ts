import { createHash } from 'node:crypto'
import type { Entry } from '../../entry.js'
import { sealEntries } from '../../tamper/seal-batch.js'
import { partialTiles } from '../../tamper/tiles.js'
import { bulkColumns } from '../entry-sql.js'
import type { Row, SqlExecutor } from '../executor.js'
import { type SealDialect, tilesSql, toTile } from '../seal-sql.js'
import type { SealOutcome, StoreLocation } from '../store.js'

/** A stable 64-bit advisory lock key for sealing one entries table. */
function sealLockKey({ schema, table }: StoreLocation): string {
  return createHash('sha256').update(`auditkit-seal:${schema}.${table}`).digest().readBigInt64BE(0).toString()
}

/**
 * PostgreSQL's sealer. Every entry records the top-level transaction that wrote it (`tx_id`). A
 * batch runs in one transaction under a transaction-scoped advisory lock (a second sealer gets
 * `busy` at once) and seals, in `(tx_id, uuid)` order, committed entries it can see that have no
 * seal. Invariant: every entry with `tx_id` below the horizon is sealed. Batches sweep from the
 * horizon on, each continuing after the last position the previous one read; a sweep records
 * `x = pg_snapshot_xmin` of a snapshot taken before its first read (every transaction below `x`
 * had ended, so all their entries are visible to every batch of the sweep), and when a batch finds
 * fewer entries than it could take the sweep is over and the horizon moves to `x`. A transaction
 * that commits behind the sweep's position is sealed by the next sweep, whatever its age; a
 * long-running one only keeps the horizon back. The state row is written in the same transaction
 * as the seals: a sealer killed mid-batch leaves nothing behind.
 */
export function postgresSealer(
  d: SealDialect,
  location: StoreLocation,
  toEntry: (row: Row) => Entry,
): (executor: SqlExecutor, maxEntries: number) => Promise<SealOutcome> {
  const lockKey = sealLockKey(location)
  const state =
    'SELECT size, frontier, horizon::text AS horizon, sweep_xmin::text AS sweep_xmin, cursor_tx::text AS cursor_tx, ' +
    `cursor_uuid::text AS cursor_uuid, pg_snapshot_xmin(pg_current_snapshot())::text AS xmin FROM ${d.sealer} WHERE id = 1`
  const pending = (after: boolean) =>
    `SELECT ${bulkColumns(d)}, tx_id::text AS tx FROM ${d.table} e WHERE tx_id >= $1::xid8 ` +
    (after ? 'AND (tx_id, uuid) > ($3::xid8, $4::uuid) ' : '') +
    `AND NOT EXISTS (SELECT 1 FROM ${d.sealsTable} s WHERE s.uuid = e.uuid) ORDER BY tx_id, uuid LIMIT $2`
  const sweepStart = pending(false)
  const sweepNext = pending(true)
  const insertSeals = `INSERT INTO ${d.sealsTable} (seq, uuid) SELECT $1::bigint + n - 1, u FROM unnest($2::uuid[]) WITH ORDINALITY AS x(u, n)`
  const upsertTiles =
    `INSERT INTO ${d.tiles} (level, idx, hashes) SELECT * FROM unnest($1::integer[], $2::bigint[], $3::bytea[]) ` +
    'ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes'
  const saveState =
    `UPDATE ${d.sealer} SET size = $1, frontier = $2, horizon = $3::xid8, sweep_xmin = $4::xid8, ` +
    'cursor_tx = $5::xid8, cursor_uuid = $6::uuid, sealed_at = now() WHERE id = 1'

  return (executor, maxEntries) =>
    executor.transaction(async (tx) => {
      // Each statement must see what committed before it (a server default of REPEATABLE READ
      // would read the state as of before the lock was granted).
      await tx.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED')
      // One round trip: the read below must walk the (tx_id, uuid) index and probe the seals
      // index per row (a hash anti-join would scan every seal ever written, on every batch; parallel
      // workers cost more to start than a batch's read takes); then the lock.
      const [lock] = await tx.query(
        "SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true), " +
          "set_config('max_parallel_workers_per_gather', '0', true), pg_try_advisory_xact_lock($1::bigint) AS ok",
        [lockKey],
      )
      if (lock?.ok !== true) return { sealed: 0, size: -1, busy: true }
      // A new sweep takes its xmin from this statement's snapshot, taken before the read below.
      const [row] = await tx.query(state)
      if (row === undefined) throw new Error('the sealer state row is missing: run migrate()')
      const current = { size: Number(row.size), frontier: Buffer.from(row.frontier as Uint8Array) }
      const continuing = row.sweep_xmin !== null
      const sweepXmin = continuing ? row.sweep_xmin : row.xmin
      const rows = continuing
        ? await tx.query(sweepNext, [row.horizon, maxEntries, row.cursor_tx, row.cursor_uuid])
        : await tx.query(sweepStart, [row.horizon, maxEntries])
      const last = rows.at(-1)
      // A short read ends the sweep: everything below its xmin is sealed now.
      const next =
        rows.length < maxEntries || last === undefined
          ? [sweepXmin, null, null, null]
          : [row.horizon, sweepXmin, last.tx, last.uuid]
      if (rows.length === 0) {
        // Idle: write the state only when the horizon moves.
        if (continuing || next[0] !== row.horizon) await tx.query(saveState, [current.size, current.frontier, ...next])
        return { sealed: 0, size: current.size, busy: false }
      }
      const keys = partialTiles(current.size)
      const tiles = tilesSql(d, keys)
      const partial = keys.length === 0 ? [] : await tx.query(tiles.text, tiles.params)
      // The seals need only the uuids: the server inserts them while this process hashes.
      const inserting = tx.query(insertSeals, [current.size, rows.map((r) => r.uuid)])
      let batch: ReturnType<typeof sealEntries>
      try {
        batch = sealEntries(current, partial.map(toTile), rows.map(toEntry))
      } catch (error) {
        await inserting.catch(() => {})
        throw error
      }
      await inserting
      await tx.query(upsertTiles, [
        batch.tiles.map((t) => t.level),
        batch.tiles.map((t) => t.index),
        batch.tiles.map((t) => t.hashes),
      ])
      await tx.query(saveState, [batch.state.size, batch.state.frontier, ...next])
      return { sealed: rows.length, size: batch.state.size, busy: false }
    })
}
