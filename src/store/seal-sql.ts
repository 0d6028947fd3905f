import type { Tile, TileKey } from '../tlog/tiles.js'
import { bulkColumns, type Sql, type SqlDialect } from './entry-sql.js'

/** What the shared sealing queries need to know of an engine, beyond its entry dialect. */
export interface SealDialect extends SqlDialect {
  /** The quoted, qualified seals table (seq by entry uuid). */
  readonly sealsTable: string
  /** The quoted, qualified sealer state table (one row, id 1). */
  readonly sealer: string
  /** The quoted, qualified side tables. */
  readonly tiles: string
  readonly checkpoints: string
  /** The API keys table (hashed keys of the HTTP service). */
  readonly apiKeys: string
  /** The idempotency keys table (records of idempotent writes). */
  readonly idempotency: string
  /**
   * The entries committed and not sealed yet, read through the sealer's own index: `n`, and
   * `oldest`, the earliest `inserted_at` among them in epoch ms (null when there are none).
   */
  readonly pendingSql: string
  /**
   * The condition, on entries `e` joined to the state row `s`, of an entry in the sealed past:
   * every such entry must have a seal.
   */
  readonly sealedPast: string
  /**
   * The condition `unsealed` lists entries by: the sealed past, or (SQLite, where nothing may be
   * sealed after it) up to the last sealed entry when the stored position was moved back.
   */
  readonly unsealedPosition: string
  /**
   * How verify scans entries in chunks, in an order an index serves: the key columns (`k1`, `k2`)
   * of `e`, the order, the conditions of a key after (or at most) the parameters from `first`,
   * the key as read, the order backwards over a chunk `c`, and the statement that reads the last
   * key now (the scan stops there: entries written while verify runs are not chased).
   */
  readonly scan: {
    readonly key: string
    readonly order: string
    after(first: number): string
    upTo(first: number): string
    readonly keyText: string
    readonly keyDesc: string
    readonly lastKey: string
    /** How many of `k1`, `k2` make the key (the uuid alone does not order SQLite's rowids). */
    readonly keyLength: 1 | 2
  }
  /**
   * Settings for a transaction whose reads must follow the indexes whatever the statistics say
   * (one statement), or undefined where none are needed.
   */
  readonly indexSettings: string | undefined
  /**
   * Where verify counts the sealed past instead of scanning it for unsealed entries (PostgreSQL):
   * the condition, on an entry `e` alone, of an entry in the sealed past as the state row stores
   * it now. It only ever grows to more entries (a later snapshot sees every transaction an earlier
   * one saw). Undefined elsewhere.
   */
  readonly pastFlag?: string | undefined
  /** With `pastFlag`: the text of what it compares with (the state row's snapshot), read now. */
  readonly pastNow?: string | undefined
  /** Whether sealing may seal entries after its stored position (PostgreSQL's late commits) or never (SQLite). */
  readonly sealsAhead: boolean
  /**
   * Where entries have a position that sealing follows (SQLite: the rowid, sealed in its order):
   * the sealer state's column of the last sealed position, and the entries' column. Undefined
   * where sealing follows commits instead (PostgreSQL).
   */
  readonly positions: { readonly state: string; readonly entry: string } | undefined
}

/** The state row: `size`, `frontier`. */
export function stateSql(d: SealDialect): Sql {
  return { text: `SELECT size, frontier FROM ${d.sealer} WHERE id = 1`, params: [] }
}

/** These tiles: `level`, `idx`, `hashes`. */
export function tilesSql(d: SealDialect, keys: readonly TileKey[]): Sql {
  const params: unknown[] = []
  const param = (value: unknown) => {
    params.push(value)
    return d.param(params.length)
  }
  // Consecutive tiles of a level as one range of the primary key: verify reads 8 at a time, and
  // SQLite answered 8 ORed key lookups of a WITHOUT ROWID table in 300 us against 70 for the range.
  const match = tileRuns(keys)
    .map(({ level, first, last }) =>
      first === last
        ? `(level = ${param(level)} AND idx = ${param(first)})`
        : `(level = ${param(level)} AND idx BETWEEN ${param(first)} AND ${param(last)})`,
    )
    .join(' OR ')
  return { text: `SELECT level, idx, hashes FROM ${d.tiles} WHERE ${match || 'false'}`, params }
}

/** The keys as runs of consecutive indexes per level (duplicates merged), in level and index order. */
export function tileRuns(keys: readonly TileKey[]): { level: number; first: number; last: number }[] {
  const sorted = [...keys].sort((a, b) => a.level - b.level || a.index - b.index)
  const runs: { level: number; first: number; last: number }[] = []
  for (const { level, index } of sorted) {
    const run = runs.at(-1)
    if (run !== undefined && run.level === level && index <= run.last + 1) run.last = Math.max(run.last, index)
    else runs.push({ level, first: index, last: index })
  }
  return runs
}

/** Writes one tile, whole. */
export function upsertTileText(d: SealDialect): string {
  return (
    `INSERT INTO ${d.tiles} (level, idx, hashes) VALUES (${d.param(1)}, ${d.param(2)}, ${d.param(3)}) ` +
    'ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes'
  )
}

/** The columns of {@link sealedRangeSql}, in select order. */
export const SEALED_RANGE_ALIASES = [
  'seq',
  'sealed_uuid',
  'uuid',
  'target',
  'admin',
  'action',
  'ip',
  'agent',
  'metadata',
  'at',
  'position',
  'past',
] as const

/** Where a row of {@link sealedRangeSql}, read as values, has the entry's position. */
export const SEALED_POSITION = SEALED_RANGE_ALIASES.indexOf('position')

/** Where a row of {@link sealedRangeSql}, read as values, says whether its entry is in the sealed past (engines with `pastFlag`). */
export const SEALED_PAST = SEALED_RANGE_ALIASES.indexOf('past')

/** The seals with `from <= seq < to`, in order, each with its entry (null columns when the entry is gone). */
export function sealedRangeSql(d: SealDialect, from: number, to: number): Sql {
  return sealedRangeJoined(d, from, to, 'e.uuid = s.uuid')
}

/**
 * As {@link sealedRangeSql}, each seal joined by position instead of by uuid: to the entry at
 * position `seq + 1`, where SQLite puts auditkit's own entries (migration 6). Faster than the
 * lookup by uuid; its rows are those of `sealedRangeSql` exactly when every entry read has its
 * seal's uuid ({@link sealsMatchEntries}), since uuids are unique. Undefined for engines without
 * positions.
 */
export function sealedRangeByPositionSql(d: SealDialect, from: number, to: number): Sql | undefined {
  if (d.positions === undefined) return undefined
  return sealedRangeJoined(d, from, to, `e.${d.positions.entry} = s.seq + 1`)
}

function sealedRangeJoined(d: SealDialect, from: number, to: number, on: string): Sql {
  const position =
    d.positions !== undefined
      ? `, e.${d.positions.entry} AS position`
      : d.pastFlag === undefined
        ? ''
        : `, NULL AS position, ${d.pastFlag} AS past`
  return {
    text:
      `SELECT s.seq AS seq, s.uuid AS sealed_uuid, ${bulkColumns(d, 'e.')}${position} ` +
      `FROM ${d.sealsTable} s LEFT JOIN ${d.table} e ON ${on} ` +
      // The LIMIT (the range holds no more seals) makes PostgreSQL plan a fast start: on a log
      // whose tables were never analyzed it otherwise planned a parallel bitmap scan and a sort,
      // whose worker cost milliseconds a chunk (verify at 44k entries/s instead of 150k).
      `WHERE s.seq >= ${d.param(1)} AND s.seq < ${d.param(2)} ORDER BY s.seq LIMIT ${d.readParam(3)}`,
    params: [from, to, Math.max(0, to - from)],
  }
}

/** After a chunk of seals whose entries are not at their positions, the next ones are read by uuid. */
const BY_UUID_AFTER_A_MISS = 64

/** Whether every row read by {@link sealedRangeByPositionSql} is the entry its seal names. */
function sealsMatchEntries(rows: readonly (readonly unknown[])[]): boolean {
  for (const v of rows) if (v[2] !== v[1]) return false
  return true
}

/**
 * How one reader of consecutive chunks of seals (the store's `sealedRange`, verify's worker)
 * chooses between {@link sealedRangeByPositionSql} and {@link sealedRangeSql}: by position first;
 * a chunk whose entries are not all at their positions is read again by uuid, and so are the next
 * 64 directly (a log whose rowids do not follow its seqs pays one read in 65 twice).
 */
export class PositionFirst {
  #byUuidFor = 0

  /** Whether to try the next chunk by position (else read it by uuid, and say so with {@link byUuid}). */
  get tryPosition(): boolean {
    return this.#byUuidFor === 0
  }

  /** Whether rows read by position stand; when not, the chunk is to be read by uuid. */
  accept(rows: readonly (readonly unknown[])[]): boolean {
    if (sealsMatchEntries(rows)) return true
    this.#byUuidFor = BY_UUID_AFTER_A_MISS
    return false
  }

  /** A chunk was read by uuid without trying its position. */
  byUuid(): void {
    if (this.#byUuidFor > 0) this.#byUuidFor--
  }
}

/** The sealer's tree size and last sealed position, together: `size`, `position` (engines with positions). */
export function sealedPositionSql(d: SealDialect): Sql | undefined {
  if (d.positions === undefined) return undefined
  return { text: `SELECT size, ${d.positions.state} AS position FROM ${d.sealer} WHERE id = 1`, params: [] }
}

/**
 * The first `limit` entries with a position in `(after, upTo]`: how many (`n`) and the last
 * position among them (`last`). Bounded by rows, not by positions: a position far past the last
 * entry (an edited state row) costs no more than the entries there are.
 */
export function countPositionsSql(d: SealDialect, after: number, upTo: number, limit: number): Sql {
  if (d.positions === undefined) throw new Error('countPositionsSql: this engine seals in no order of positions')
  const column = d.positions.entry
  return {
    text:
      `SELECT count(*) AS n, max(${column}) AS last FROM (SELECT ${column} FROM ${d.table} ` +
      `WHERE ${column} > ${d.param(1)} AND ${column} <= ${d.param(2)} ORDER BY ${column} LIMIT ${d.readParam(3)}) AS c`,
    params: [after, upTo, limit],
  }
}

/** The seq of one entry: `seq`. */
export function seqOfSql(d: SealDialect, uuid: string): Sql {
  return { text: `SELECT seq FROM ${d.sealsTable} WHERE uuid = ${d.param(1)}`, params: [uuid] }
}

/** The lowest and highest seq among the seals: `min_seq`, `max_seq` (both served by the primary key). */
export function sealRangeSql(d: SealDialect): Sql {
  return { text: `SELECT min(seq) AS min_seq, max(seq) AS max_seq FROM ${d.sealsTable}`, params: [] }
}

// A chunk of entries in key order after `after` (null: from the start) up to `upTo`: its
// conditions on `e`, and their parameters with `limit` last.
function chunkBounds(d: SealDialect, after: readonly unknown[] | null, upTo: readonly unknown[], limit: number) {
  const params: unknown[] = []
  const where: string[] = []
  if (after !== null) {
    where.push(d.scan.after(params.length + 1))
    params.push(...after)
  }
  where.push(d.scan.upTo(params.length + 1))
  params.push(...upTo, limit)
  return { where, params }
}

/**
 * One chunk of verify's scan of the entries, in key order after `after` (null: from the start) up
 * to `upTo`, at most `limit`: the entries whose seal disagrees with their place (in the sealed past
 * without a seal, or after it with one), then one last row with the chunk's last key and its size
 * `n`. Each chunk is a statement of its own, so that no statement grows with the log. The seal is
 * probed by a scalar subquery, which PostgreSQL cannot turn into a hash of every seal.
 */
export function entryScanSql(
  d: SealDialect,
  after: readonly unknown[] | null,
  upTo: readonly unknown[],
  limit: number,
): Sql {
  const { where, params } = chunkBounds(d, after, upTo, limit)
  const chunk =
    `SELECT ${d.scan.key}, ${d.sealedPast} AS past, ` +
    `(SELECT 1 FROM ${d.sealsTable} x WHERE x.uuid = e.uuid LIMIT 1) IS NOT NULL AS sealed ` +
    `FROM ${d.table} e, ${d.sealer} s WHERE s.id = 1 AND ${where.join(' AND ')} ORDER BY ${d.scan.order} LIMIT ${d.readParam(params.length)}`
  return {
    text:
      `WITH c AS MATERIALIZED (${chunk}) ` +
      `SELECT ${d.scan.keyText}, past, sealed, CAST(NULL AS bigint) AS n FROM c WHERE past <> sealed ` +
      `UNION ALL SELECT * FROM (SELECT ${d.scan.keyText}, past, sealed, (SELECT count(*) FROM c) AS n FROM c ORDER BY ${d.scan.keyDesc} LIMIT 1) AS l`,
    params,
  }
}

/**
 * One chunk of verify's count of the sealed past (engines with `pastFlag`): of the entries in key
 * order after `after` (null: from the start) up to `upTo`, at most `limit`, how many there are
 * (`n`), how many lie in the sealed past (`past`), that past (`snapshot`, see `pastNow`), and the
 * chunk's last key (`k1`, `k2`). No probe of the seals: the walk of the seals says how many of
 * them it saw in the sealed past.
 */
export function pastCountSql(
  d: SealDialect,
  after: readonly unknown[] | null,
  upTo: readonly unknown[],
  limit: number,
): Sql {
  if (d.pastFlag === undefined) throw new Error('pastCountSql: this engine counts no sealed past')
  const { where, params } = chunkBounds(d, after, upTo, limit)
  const chunk = `SELECT ${d.scan.key}, ${d.pastFlag} AS past FROM ${d.table} e WHERE ${where.join(' AND ')} ORDER BY ${d.scan.order} LIMIT ${d.readParam(params.length)}`
  return {
    text:
      `WITH c AS MATERIALIZED (${chunk}), t AS (SELECT count(*) AS n, count(*) FILTER (WHERE past) AS past FROM c) ` +
      `SELECT t.n, t.past, ${d.pastNow ?? 'NULL'} AS snapshot, l.* FROM t, (SELECT ${d.scan.keyText} FROM c ORDER BY ${d.scan.keyDesc} LIMIT 1) AS l`,
    params,
  }
}

/** Entries at or before the sealed position that have no seal (at most `limit`): `uuid`. */
export function unsealedSql(d: SealDialect, limit: number): Sql {
  return {
    text:
      `SELECT e.uuid AS uuid FROM ${d.table} e, ${d.sealer} s WHERE s.id = 1 AND ${d.unsealedPosition} ` +
      `AND NOT EXISTS (SELECT 1 FROM ${d.sealsTable} x WHERE x.uuid = e.uuid) ORDER BY e.uuid LIMIT ${d.readParam(1)}`,
    params: [limit],
  }
}

// created_at as epoch milliseconds: pg parses a timestamptz only in the ISO DateStyle.
const checkpointColumns = (d: SealDialect) => `id, size, root_hash, note, ${d.dateAsMs('created_at')} AS created_at`

/** Stores a checkpoint; returns its row. */
export function insertCheckpointSql(d: SealDialect, size: number, rootHash: Buffer, note: string, at: Date): Sql {
  return {
    text:
      `INSERT INTO ${d.checkpoints} (size, root_hash, note, created_at) ` +
      `VALUES (${d.param(1)}, ${d.param(2)}, ${d.param(3)}, ${d.param(4)}) RETURNING ${checkpointColumns(d)}`,
    params: [size, rootHash, note, d.encodeDate(at)],
  }
}

/** Stored checkpoints after id `afterId`, oldest first, at most `limit`. */
export function checkpointsSql(d: SealDialect, afterId: number, limit: number): Sql {
  return {
    text: `SELECT ${checkpointColumns(d)} FROM ${d.checkpoints} WHERE id > ${d.param(1)} ORDER BY id LIMIT ${d.param(2)}`,
    params: [afterId, limit],
  }
}

/** Stored checkpoints of at least `fromSize` entries, oldest first, at most `limit`. */
export function checkpointsFromSizeSql(d: SealDialect, fromSize: number, limit: number): Sql {
  return {
    text: `SELECT ${checkpointColumns(d)} FROM ${d.checkpoints} WHERE size >= ${d.param(1)} ORDER BY id LIMIT ${d.param(2)}`,
    params: [fromSize, limit],
  }
}

/** The newest stored checkpoint, or the newest with an id below `beforeId`. */
export function latestCheckpointSql(d: SealDialect, beforeId?: number): Sql {
  if (beforeId === undefined) {
    return { text: `SELECT ${checkpointColumns(d)} FROM ${d.checkpoints} ORDER BY id DESC LIMIT 1`, params: [] }
  }
  return {
    text: `SELECT ${checkpointColumns(d)} FROM ${d.checkpoints} WHERE id < ${d.param(1)} ORDER BY id DESC LIMIT 1`,
    params: [beforeId],
  }
}

/** A tile row as a Tile. */
export function toTile(row: Record<string, unknown>): Tile {
  return { level: Number(row.level), index: Number(row.idx), hashes: Buffer.from(row.hashes as Uint8Array) }
}
