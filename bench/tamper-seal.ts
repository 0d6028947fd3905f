import { performance } from 'node:perf_hooks'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { AuditLog } from '../src/index.js'
import { bulkColumns, selectColumns } from '../src/store/entry-sql.js'
import type { Row } from '../src/store/executor.js'
import { fastRowMessage, leafHashOfRow } from '../src/store/row-leaf.js'
import { sha256Text } from '../src/tlog/merkle-hash.js'
import { openBatch } from '../src/tlog/seal-batch.js'
import type { EntryGenerator } from './data.js'
import { fillTable } from './fill.js'
import { cpuMeter } from './server-cpu.js'
import type { TamperTarget } from './tamper-open.js'

/** The batch sizes compared: both engines' defaults (DEFAULT_SEAL_BATCH_SIZE: 1000, 5000) and a larger one. */
export const SEAL_BATCH_SIZES = [1000, 5000, 10_000] as const
/** Each batch size seals this many backlogs; the order runs there and back (ABC CBA) against drift. */
const ROUNDS_PER_SIZE = 2

/** Where the time of sealing one backlog went, in microseconds per entry. */
export interface SealSplit {
  /** The sealer's own SELECT of the pending rows, through the raw driver (rows as it returns them). */
  readonly read: number
  /** RFC 8785 canonical JSON of each row's entry, as the sealer builds it from the columns (fastRowMessage). */
  readonly canonical: number
  /** SHA-256 of the leaf (canonical JSON included), minus the canonical JSON alone. */
  readonly hash: number
  /** Merkle frontier and tiles over the leaves (openBatch: one interior hash per entry). */
  readonly tree: number
  /** The rest of seal(): its writes (seals, tiles, state), commit, and its driver overhead beyond the raw read. */
  readonly rest: number
}

/** One seal() of one backlog. */
export interface SealMeasure {
  readonly batchSize: number
  readonly entries: number
  readonly seconds: number
  /** Entries/s of seal(). */
  readonly rate: number
  /**
   * Entries/s of the raw driver's plain SELECT of the same rows, in the sealing order, in batches of
   * the same size: the floor. On SQLite the sealer's own query is that already.
   */
  readonly rawRate: number
  /** Entries/s of the sealer's own pending-rows query through the raw driver (the split's `read`). */
  readonly sealerReadRate: number
  /** This process's CPU time per entry during seal(), microseconds. */
  readonly cpuMicros: number
  /** The server's CPU time per entry during seal() (PostgreSQL on this machine), microseconds. */
  readonly serverCpuMicros: number | undefined
  readonly split: SealSplit
}

/** The sealer's position before a backlog: where its pending query starts. */
type Position = readonly unknown[]

const NIL_UUID = '00000000-0000-0000-0000-000000000000'

/**
 * The sealer's pending-rows query as `sqlite-sealer.ts` and `postgres-sealer.ts` write it (kept in
 * step by hand), made to continue after a row so that it can be run before seal() without sealing:
 * SQLite's is keyset by rowid already; PostgreSQL's (unsealed entries from the horizon, in
 * `(tx_id, uuid)` order) gains `AND (tx_id, uuid) > (last read)`, which the first batch satisfies
 * anyway.
 */
function pendingQuery(t: TamperTarget) {
  const d = t.engine
  if (t.bench.engine === 'sqlite') {
    return {
      plain: undefined,
      text: `SELECT ${bulkColumns(d)}, id FROM ${d.table} WHERE id > ? ORDER BY id LIMIT ?`,
      position: `SELECT last_id FROM ${d.sealer} WHERE id = 1`,
      after: (row: Row): Position => [row.id],
      start: (row: Row): Position => [row.last_id],
    }
  }
  // The floor reads the columns plainly (dates as the driver parses them); the sealer's query as
  // the sealer does (bulkColumns: dates as epoch ms).
  const columns = `${selectColumns(d.metadataAsText('metadata'))}, tx_id::text AS tx`
  const sealerColumns = `${bulkColumns(d)}, tx_id::text AS tx`
  return {
    plain: `SELECT ${columns} FROM ${d.table} WHERE (tx_id, uuid) > ($1::xid8, $2::uuid) ORDER BY tx_id, uuid LIMIT $3`,
    text:
      `SELECT ${sealerColumns} FROM ${d.table} e ` +
      // OFFSET 0 keeps the probe a per-row subplan: the plan the sealer gets by turning hash and
      // merge joins off in its transaction (a pooled raw query cannot set that).
      `WHERE tx_id >= $1::xid8 AND NOT EXISTS (SELECT 1 FROM ${d.sealsTable} s WHERE s.uuid = e.uuid OFFSET 0) ` +
      'AND (tx_id, uuid) > ($2::xid8, $3::uuid) ORDER BY tx_id, uuid LIMIT $4',
    position: `SELECT horizon::text AS horizon FROM ${d.sealer} WHERE id = 1`,
    after: (row: Row, from: Position): Position => [from[0], row.tx, row.uuid],
    start: (row: Row): Position => [row.horizon, row.horizon, NIL_UUID],
  }
}

/** The sealer's position now. */
async function sealerPosition(t: TamperTarget): Promise<Position> {
  const q = pendingQuery(t)
  const [row] = await t.bench.raw.prepare(q.position)([])
  if (row === undefined) throw new Error('the sealer state row is missing')
  return q.start(row)
}

/**
 * Reads the pending rows the way the sealer does, through the raw driver, in batches of
 * `batchSize` until a batch comes back short; times the query alone (the floor), then the
 * computing steps of sealing on the rows.
 */
async function readAndSplit(
  t: TamperTarget,
  batchSize: number,
): Promise<{ rows: number; readMs: number; sealerReadMs: number; split: Omit<SealSplit, 'rest'> }> {
  const q = pendingQuery(t)
  const query = t.bench.raw.prepare(q.text)
  const toEntry = (row: Row) => t.engine.toEntry(row)
  const start = await sealerPosition(t)
  let position = start
  let done = 0
  const ms = { read: 0, canonical: 0, leaf: 0, seal: 0 }
  const empty = { size: 0, frontier: Buffer.alloc(0) }
  for (;;) {
    let at = performance.now()
    const rows = await query([...position, batchSize])
    const lap = (key: keyof typeof ms) => {
      const now = performance.now()
      ms[key] += now - at
      at = now
    }
    lap('read')
    if (rows.length === 0) break
    for (const row of rows) fastRowMessage(row)
    lap('canonical')
    const leaves = rows.map((row) => {
      const message = fastRowMessage(row)
      return message === undefined ? leafHashOfRow(toEntry, row).toString('latin1') : sha256Text(message)
    })
    lap('leaf')
    // From an empty tree: the same hashing and tile work as appending to the real one.
    const batch = openBatch(empty, [])
    for (const leaf of leaves) batch.pushText(leaf)
    batch.finish()
    lap('seal')
    done += rows.length
    position = q.after(rows[rows.length - 1] as Row, position)
    await nextTurn()
    if (rows.length < batchSize) break
  }
  const per = (v: number) => (v * 1000) / Math.max(1, done)
  return {
    rows: done,
    sealerReadMs: ms.read,
    readMs: q.plain === undefined ? ms.read : await plainRead(t, q.plain, start, done, batchSize),
    split: {
      read: per(ms.read),
      canonical: per(ms.canonical),
      hash: per(ms.leaf - ms.canonical),
      tree: per(ms.seal),
    },
  }
}

/**
 * PostgreSQL's plain floor: the same `count` rows in the same order and batches, by keyset on
 * `(tx_id, uuid)` from the horizon, without the sealer's anti-join on the seals table.
 */
async function plainRead(t: TamperTarget, text: string, start: Position, count: number, batchSize: number) {
  const query = t.bench.raw.prepare(text)
  let after: Position = [start[1], start[2]]
  let done = 0
  let ms = 0
  while (done < count) {
    const at = performance.now()
    const rows = await query([...after, Math.min(batchSize, count - done)])
    ms += performance.now() - at
    if (rows.length === 0) break
    done += rows.length
    const last = rows[rows.length - 1] as Row
    after = [last.tx, last.uuid]
    await nextTurn()
  }
  if (done !== count) throw new Error(`the plain read found ${done} rows, the sealer's read ${count}`)
  return ms
}

/**
 * After a checkpoint (so that the backlog is on disk and, on PostgreSQL, vacuumed: hint bits set),
 * reads the backlog through the raw driver the way the sealer will (the floor, and the split over
 * those rows), then times `audit.seal()` over it.
 */
export async function measureSeal(t: TamperTarget, audit: AuditLog, batchSize: number): Promise<SealMeasure> {
  await t.bench.analyze()
  const { rows, readMs, sealerReadMs, split } = await readAndSplit(t, batchSize)
  const meter = cpuMeter(t.bench.engine)
  const start = performance.now()
  const { sealed } = await audit.seal()
  const ms = performance.now() - start
  const used = meter()
  if (sealed === 0) throw new Error('seal() found nothing to seal')
  if (sealed !== rows) throw new Error(`seal() sealed ${sealed} entries, the raw read found ${rows}: the floor is off`)
  const per = (ms * 1000) / sealed
  const rest = per - split.read - split.canonical - split.hash - split.tree
  return {
    batchSize,
    entries: sealed,
    seconds: ms / 1000,
    rate: (sealed * 1000) / ms,
    rawRate: (sealed * 1000) / readMs,
    sealerReadRate: (sealed * 1000) / sealerReadMs,
    cpuMicros: used.here / sealed,
    serverCpuMicros: used.server === undefined ? undefined : used.server / sealed,
    split: { ...split, rest },
  }
}

/**
 * Sealing throughput for each of {@link SEAL_BATCH_SIZES}: fills a backlog of `backlog` unsealed
 * entries with `filler` (a log without a background sealer), seals it through a log of that batch
 * size, ROUNDS_PER_SIZE times per size in the order ABC CBA.
 */
export async function measureSealSizes(
  t: TamperTarget,
  filler: AuditLog,
  generator: EntryGenerator,
  backlog: number,
  say: (line: string) => void,
): Promise<SealMeasure[]> {
  const logs = new Map<number, AuditLog>()
  for (const size of SEAL_BATCH_SIZES) logs.set(size, await t.open({ sealIntervalMs: 0, sealBatchSize: size }))
  const order = [...SEAL_BATCH_SIZES, ...[...SEAL_BATCH_SIZES].reverse()]
  const rounds = Array.from({ length: ROUNDS_PER_SIZE / 2 }, () => order).flat()
  const measures: SealMeasure[] = []
  try {
    for (const size of rounds) {
      await fillBacklog(filler, generator, backlog, say)
      const m = await measureSeal(t, logs.get(size) as AuditLog, size)
      say(`seal(), batches of ${size}: ${describeSeal(m)}`)
      measures.push(m)
    }
  } finally {
    for (const log of logs.values()) await log.close()
  }
  return measures
}

/** Writes `count` unsealed entries with createLogEntries in batches of 1000. */
export async function fillBacklog(
  filler: AuditLog,
  generator: EntryGenerator,
  count: number,
  say: (line: string) => void,
): Promise<void> {
  const fill = await fillTable(filler, generator, count, () => {})
  say(
    `filled a backlog of ${count.toLocaleString('en-US')} (${Math.round(fill.entriesPerSecond).toLocaleString('en-US')} entries/s)`,
  )
}

export function describeSeal(m: SealMeasure): string {
  const n = (v: number) => Math.round(v).toLocaleString('en-US')
  return `${n(m.entries)} entries in ${m.seconds.toFixed(2)} s = ${n(m.rate)} entries/s (raw SELECT floor ${n(m.rawRate)} entries/s, the sealer's query ${n(m.sealerReadRate)})`
}

/** The split as one line, microseconds per entry. */
export function describeSplit(s: SealSplit): string {
  const f = (v: number) => v.toFixed(2)
  return (
    `read ${f(s.read)}, canonical JSON ${f(s.canonical)}, SHA-256 of the leaf ${f(s.hash)}, ` +
    `tree+tiles ${f(s.tree)}, rest (writes, commit, driver) ${f(s.rest)} µs/entry`
  )
}
