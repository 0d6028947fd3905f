import { createHash } from 'node:crypto'
import type { Entry } from '../../entry.js'
import { openBatch, type SealedBatch } from '../../tlog/seal-batch.js'
import { partialTiles } from '../../tlog/tiles.js'
import { bulkColumns } from '../entry-sql.js'
import { eachValues, type Row, type SqlExecutor } from '../executor.js'
import { leafTextOfValues } from '../row-leaf.js'
import { type SealDialect, tilesSql, toTile } from '../seal-sql.js'
import type { SealOutcome, StoreLocation } from '../store.js'

/** A stable 64-bit advisory lock key for sealing one entries table. */
function sealLockKey({ schema, table }: StoreLocation): string {
  return createHash('sha256').update(`auditkit-seal:${schema}.${table}`).digest().readBigInt64BE(0).toString()
}

/** How long one statement of the sealer (or verify's scan) may run, and wait for a lock, whatever the pool's defaults. */
export const SEALER_STATEMENT_TIMEOUT_MS = 60_000
export const SEALER_LOCK_TIMEOUT_MS = 5_000

/**
 * Settings (one statement) for a transaction of auditkit's own bounded work (a sealing batch, a
 * chunk of verify's scan) whose reads must walk the `(tx_id, uuid)` index in order and probe the
 * seals index per row, whatever the planner's statistics say: a table never analyzed would
 * otherwise be read whole and sorted on every batch (quadratic in a backlog), and a hash
 * anti-join would scan every seal ever written. Parallel workers cost more to start than a
 * batch's read takes, and so does the JIT. The timeouts replace an application pool's (often far
 * shorter) ones and bound auditkit's own. For this transaction only.
 */
export const INDEX_SETTINGS =
  "SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true), " +
  "set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true), " +
  "set_config('enable_sort', 'off', true), set_config('max_parallel_workers_per_gather', '0', true), " +
  // A plan with a disabled node costs 1e10, far above jit_above_cost: the JIT would compile
  // every batch's statements (a quarter of a second each) for reads of milliseconds.
  "set_config('jit', 'off', true), " +
  `set_config('statement_timeout', '${SEALER_STATEMENT_TIMEOUT_MS}', true), ` +
  `set_config('lock_timeout', '${SEALER_LOCK_TIMEOUT_MS}', true)`

// The sealer's transaction: READ COMMITTED (each statement sees what committed before it, not a
// snapshot from before the lock) and the settings above.
const SETTINGS = `SET TRANSACTION ISOLATION LEVEL READ COMMITTED; ${INDEX_SETTINGS}`

/** A pg_snapshot's text `xmin:xmax:xip,...` read as its xmax and in-progress ids. */
function parseSnapshot(text: string): { xmax: string; xip: string[] } {
  const [, xmax, xip] = text.split(':')
  if (xmax === undefined || xip === undefined) throw new Error(`the sealer state holds a bad snapshot: ${text}`)
  return { xmax, xip: xip === '' ? [] : xip.split(',') }
}

// The pending rows as arrays: bulkColumns (uuid first), then the transaction id. pg builds arrays
// faster than objects; an executor without queryValues (Kysely's) gives objects, read in this order.
const PENDING_ALIASES = ['uuid', 'target', 'admin', 'action', 'ip', 'agent', 'metadata', 'at', 'tx'] as const
const UUID = 0
const TX = 8

function eachOf(
  tx: SqlExecutor,
  sql: string,
  params: readonly unknown[],
  onRow: (row: unknown[]) => void,
): Promise<number> {
  return eachValues(tx, sql, params, PENDING_ALIASES, onRow)
}

/** The parameters of the tiles' upsert: levels, indexes, every tile's hashes in one Buffer, offsets, lengths. */
function tileParams(tiles: SealedBatch['tiles']): unknown[] {
  const offsets: number[] = []
  let offset = 0
  for (const tile of tiles) {
    offsets.push(offset)
    offset += tile.hashes.length
  }
  return [
    tiles.map((t) => t.level),
    tiles.map((t) => t.index),
    Buffer.concat(tiles.map((t) => t.hashes)),
    offsets,
    tiles.map((t) => t.hashes.length),
  ]
}

const IDLE = { busy: false, sweepContinued: false, sweepEnded: true, sealed: 0 }
const BUSY: SealOutcome = { sealed: 0, size: -1, busy: true, sweepContinued: false, sweepEnded: false }

/**
 * PostgreSQL's sealer. Every entry records the top-level transaction that wrote it (`tx_id`). The
 * state row keeps `sealed_snapshot`, a snapshot S with the invariant: every entry whose
 * transaction S sees as committed is sealed. Batches run in sweeps. A sweep records the current
 * snapshot S' before its first read and seals, in `(tx_id, uuid)` order with a cursor that each
 * batch continues, the committed entries without a seal whose transaction S did not see: those in
 * S's in-progress list, and those from S's xmax up to S''s xmax. Every such transaction that S'
 * sees as committed had ended before S' was taken, so all its entries are visible to every batch
 * of the sweep; when a batch finds fewer entries than it could take, the sweep is over and
 * `sealed_snapshot` becomes S'. A transaction that began early and commits late is sealed by the
 * first sweep after its commit, whatever its age; an open one costs each sweep only its own rows.
 * Each sweep reads what it seals, never what earlier sweeps sealed.
 *
 * A batch is one transaction under a transaction-scoped advisory lock (a second sealer gets
 * `busy` at once) that also writes the state: a sealer killed mid-batch leaves nothing behind.
 * Before the lock, the batch looks for pending entries and stops when there are none.
 */
export function postgresSealer(
  d: SealDialect,
  location: StoreLocation,
  toEntry: (row: Row) => Entry,
): (executor: SqlExecutor, maxEntries: number) => Promise<SealOutcome> {
  const lockKey = sealLockKey(location)
  const unsealed = `NOT EXISTS (SELECT 1 FROM ${d.sealsTable} x WHERE x.uuid = e.uuid)`
  // While a sweep is under way the batch goes on without looking: the look would walk every entry
  // the sweep sealed so far (its snapshot is not the state's yet).
  const check =
    `SELECT s.size AS size, CASE WHEN s.sweep_snapshot IS NOT NULL THEN true ELSE ` +
    `(EXISTS (SELECT 1 FROM ${d.table} e WHERE e.tx_id >= pg_snapshot_xmax(s.sealed_snapshot) AND ${unsealed}) ` +
    `OR EXISTS (SELECT 1 FROM ${d.table} e WHERE e.tx_id IN (SELECT pg_snapshot_xip(s.sealed_snapshot)) AND ${unsealed})) END AS pending ` +
    `FROM ${d.sealer} s WHERE s.id = 1`
  const state =
    'SELECT size, frontier, sealed_snapshot::text AS sealed, sweep_snapshot::text AS sweep, cursor_tx::text AS cursor_tx, ' +
    `cursor_uuid::text AS cursor_uuid, pg_current_snapshot()::text AS now FROM ${d.sealer} WHERE id = 1`
  const columns = `${bulkColumns(d, 'e.')}, e.tx_id::text AS tx`
  const order = 'ORDER BY e.tx_id, e.uuid'
  const after = (n: number) => `AND (e.tx_id, e.uuid) > ($${n}::xid8, $${n + 1}::uuid) `
  // Transactions the last sweep saw in progress; all of them lie below its xmax.
  const inProgress = (next: boolean) =>
    `SELECT ${columns} FROM ${d.table} e WHERE e.tx_id = ANY($1::xid8[]) ${next ? after(3) : ''}AND ${unsealed} ${order} LIMIT $2`
  // Transactions that started after the last sweep's snapshot and before this sweep's.
  const newer = (next: boolean) =>
    `SELECT ${columns} FROM ${d.table} e WHERE e.tx_id >= $1::xid8 AND e.tx_id < $2::xid8 ${next ? after(4) : ''}AND ${unsealed} ${order} LIMIT $3`
  const sql = {
    inProgressStart: inProgress(false),
    inProgressNext: inProgress(true),
    newerStart: newer(false),
    newerNext: newer(true),
  }
  const insertSeals = `INSERT INTO ${d.sealsTable} (seq, uuid) SELECT $1::bigint + n - 1, u FROM unnest($2::uuid[]) WITH ORDINALITY AS x(u, n)`
  // The tiles' hashes travel as one binary parameter, cut by offset on the server: pg would send a
  // bytea[] as hex text for the server to parse (a batch's 20 tiles of 8 KiB: 4.0 -> 1.1 ms).
  const upsertTiles =
    `INSERT INTO ${d.tiles} (level, idx, hashes) SELECT l, i, substring($3::bytea FROM o + 1 FOR n) ` +
    'FROM unnest($1::integer[], $2::bigint[], $4::integer[], $5::integer[]) AS t(l, i, o, n) ' +
    'ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes'
  const saveState =
    `UPDATE ${d.sealer} SET size = $1, frontier = $2, sealed_snapshot = $3::pg_snapshot, sweep_snapshot = $4::pg_snapshot, ` +
    'cursor_tx = $5::xid8, cursor_uuid = $6::uuid, horizon = pg_snapshot_xmin($3::pg_snapshot), sealed_at = now() WHERE id = 1'

  /**
   * Hands up to `max` entries of this sweep after `cursor` (null: from its start) to `onRow`, in
   * (tx_id, uuid) order, as they arrive; resolves to how many, and the last one's key.
   */
  async function pendingRows(
    tx: SqlExecutor,
    sealed: { xmax: string; xip: string[] },
    sweepXmax: string,
    cursor: readonly [string, string] | null,
    max: number,
    onRow: (row: unknown[]) => void,
  ): Promise<{ count: number; last: readonly [string, string] | null }> {
    let count = 0
    let at = cursor
    const take = (row: unknown[]) => {
      onRow(row)
      at = [row[TX] as string, row[UUID] as string]
    }
    if (sealed.xip.length > 0 && (at === null || BigInt(at[0]) < BigInt(sealed.xmax))) {
      count =
        at === null
          ? await eachOf(tx, sql.inProgressStart, [sealed.xip, max], take)
          : await eachOf(tx, sql.inProgressNext, [sealed.xip, max, ...at], take)
    }
    if (count >= max) return { count, last: at }
    const inNewer = at !== null && BigInt(at[0]) >= BigInt(sealed.xmax)
    count += inNewer
      ? await eachOf(tx, sql.newerNext, [sealed.xmax, sweepXmax, max - count, ...(at as [string, string])], take)
      : await eachOf(tx, sql.newerStart, [sealed.xmax, sweepXmax, max - count], take)
    return { count, last: count === 0 ? null : at }
  }

  return (executor, maxEntries) =>
    executor.transaction(async (tx) => {
      // One round trip: this transaction's settings, then whether anything is pending at all.
      const [found] = await tx.query(`${SETTINGS}; ${check}`)
      if (found === undefined) throw new Error('the sealer state row is missing: run migrate()')
      if (found.pending !== true) return { ...IDLE, size: Number(found.size) }
      const [lock] = await tx.query('SELECT pg_try_advisory_xact_lock($1::bigint) AS ok', [lockKey])
      if (lock?.ok !== true) return BUSY
      // Read after the lock is held (a statement of its own: its snapshot follows the lock). A new
      // sweep takes its snapshot from this statement, before the rows are read.
      const [row] = await tx.query(state)
      if (row === undefined) throw new Error('the sealer state row is missing: run migrate()')
      const current = { size: Number(row.size), frontier: Buffer.from(row.frontier as Uint8Array) }
      const continued = row.sweep !== null
      const sweep = (continued ? row.sweep : row.now) as string
      const cursor = continued && row.cursor_tx !== null ? ([row.cursor_tx, row.cursor_uuid] as [string, string]) : null
      const keys = partialTiles(current.size)
      const tiles = tilesSql(d, keys)
      const partial = keys.length === 0 ? [] : await tx.query(tiles.text, tiles.params)
      const open = openBatch(current, partial.map(toTile))
      // Each row is hashed as it arrives, while the server sends the next ones, and dropped: only
      // its uuid is kept, for the seals.
      const uuids: unknown[] = []
      const { count, last } = await pendingRows(
        tx,
        parseSnapshot(row.sealed as string),
        parseSnapshot(sweep).xmax,
        cursor,
        maxEntries,
        (values) => {
          uuids.push(values[UUID])
          open.pushText(leafTextOfValues(toEntry, values))
        },
      )
      const ended = count < maxEntries || last === null
      // A short read ends the sweep: everything its snapshot saw as committed is sealed now.
      const next = ended ? [sweep, null, null, null] : [row.sealed, sweep, ...last]
      const outcome = { busy: false, sweepContinued: continued, sweepEnded: ended }
      if (count === 0) {
        await tx.query(saveState, [current.size, current.frontier, ...next])
        return { ...outcome, sealed: 0, size: current.size }
      }
      await tx.query(insertSeals, [current.size, uuids])
      const batch = open.finish()
      await tx.query(upsertTiles, tileParams(batch.tiles))
      await tx.query(saveState, [batch.state.size, batch.state.frontier, ...next])
      return { ...outcome, sealed: count, size: batch.state.size }
    })
}
