import type { StoredFields } from '../tlog/entry-leaf.js'
import type { Row } from './executor.js'
import type { ListQuery, Position, StoredEntry, StoreFilters } from './store.js'

/** What the shared query builder needs to know of an engine. */
export interface SqlDialect {
  /** The quoted, qualified entries table. */
  readonly table: string
  /** The placeholder of the n-th parameter (1-based): `?` or `$n`. */
  param(n: number): string
  /**
   * The placeholder of the n-th parameter of a read that runs again and again (1-based): as
   * {@link param}, or on SQLite `+?`. SQLite (3.47 on) compiles a statement anew at its next run
   * after any rebinding of a parameter whose value may steer its plan: a plain `?` in a LIMIT or
   * an OFFSET always, and in an indexed comparison once ANALYZE kept STAT4 samples. That is 8-15
   * us a read, more than a light user's whole page. The unary plus passes the value unchanged and
   * keeps it from the planner, which plans as it does without STAT4 (by the averages of ANALYZE).
   */
  readParam(n: number): string
  /** A Date as the engine stores `inserted_at`. */
  encodeDate(date: Date): unknown
  /**
   * How the outermost select reads metadata as JSON text, from the column or alias `metadata`.
   * Applied only there, so that rows an OFFSET skips are never converted.
   */
  metadataAsText(column: string): string
  /** A timestamp column as epoch milliseconds (a number), cheaper for a driver to read than a date. */
  dateAsMs(column: string): string
  /**
   * How a read selects `inserted_at` (from `column`), as `entryOfValues` reads it: epoch
   * milliseconds, or on PostgreSQL the exact epoch seconds as numeric text, which `entryOfValues`
   * floors to milliseconds as `dateAsMs` does (its numeric arithmetic cost the server about
   * 0.3 us a row, more than the parse).
   */
  readDate(column: string): string
  /**
   * An entry's `seq` from a row of `from` (a table or alias with its columns), as column `seq`; or
   * what the engine's `resolveSeqs` turns into it after the read (SQLite: the rowid).
   */
  seqOf(from: string): string
  /**
   * Whether {@link seqOf} is a column of the row that costs next to nothing (SQLite: the rowid,
   * which `resolveSeqs` makes the seq), so that it may be computed for every row an OFFSET or a
   * merge passes: a page is then one SELECT, and branches merge in one compound. Otherwise (a probe
   * of the seals per row) the page is cut first and the seals are looked up for its rows only.
   */
  readonly seqFromRow: boolean
  /**
   * Whether a count can combine the matches of two indexes without reading table rows
   * (PostgreSQL's BitmapAnd); see {@link countSql}.
   */
  readonly bitmapAnd: boolean
}

/** SQL text and its parameters. Values only ever travel as parameters. */
export interface Sql {
  readonly text: string
  readonly params: unknown[]
}

// Aliases without underscores survive result-transforming plugins such as Kysely's CamelCasePlugin.
const ALIASES = 'uuid, target, admin, action, ip, agent, metadata, at'

/** The entry columns under the aliases `toEntry` reads; `prefix` qualifies them (e.g. `e.`). */
export function selectColumns(metadata: string, prefix = '', at = `${prefix}inserted_at`): string {
  const c = (name: string) => `${prefix}${name}`
  return `${c('uuid')} AS uuid, ${c('target_user_uuid')} AS target, ${c('admin_user_uuid')} AS admin, ${c('action')} AS action, ${c('ip_address')} AS ip, ${c('user_agent')} AS agent, ${metadata} AS metadata, ${at} AS at`
}

/** The entry columns as sealing and verification read them in bulk: dates as epoch milliseconds. */
export function bulkColumns(d: SqlDialect, prefix = ''): string {
  return selectColumns(d.metadataAsText(`${prefix}metadata`), prefix, d.dateAsMs(`${prefix}inserted_at`))
}
const COLUMNS = selectColumns('metadata')

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return value
  return typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : String(value)
}

/**
 * A row selected with {@link bulkColumns} as the text it holds: what a row that cannot be read as
 * an entry is sealed and verified by (see `storedFieldsCanonicalJson`). The same on both engines.
 */
export function storedFieldsOf(row: Row): StoredFields {
  return {
    uuid: asText(row.uuid) ?? '',
    targetUserUuid: asText(row.target) ?? '',
    adminUserUuid: asText(row.admin) ?? '',
    action: asText(row.action) ?? '',
    ipAddress: asText(row.ip),
    userAgent: asText(row.agent),
    metadata: asText(row.metadata) ?? 'null',
    insertedAt: asText(row.at) ?? 'null',
  }
}

/** The columns of an INSERT, in the order of {@link insertValues}. */
export const INSERT_COLUMNS =
  'uuid, target_user_uuid, admin_user_uuid, action, ip_address, user_agent, metadata, inserted_at'

/** An entry's values for {@link INSERT_COLUMNS}, with `inserted_at` as the engine stores it. */
export function insertValues(d: SqlDialect, { entry: e, metadataJson }: StoredEntry): unknown[] {
  return [
    e.uuid,
    e.targetUserUuid,
    e.adminUserUuid,
    e.action,
    e.ipAddress,
    e.userAgent,
    metadataJson,
    d.encodeDate(e.insertedAt),
  ]
}

// The columns of a read by uuid, as selectPage's.
function readColumns(d: SqlDialect): string {
  return selectColumns(d.metadataAsText('metadata'), '', d.readDate('inserted_at'))
}

// The page's rows in the order `entryOfValues` reads them (dates as epoch milliseconds, metadata
// as text) with their seals, newest first: the pages of an engine whose seq is not `seqFromRow`.
function selectPage(d: SqlDialect, page: string): string {
  const columns = `page.uuid AS uuid, target, admin, action, ip, agent, ${d.metadataAsText('metadata')} AS metadata, ${d.readDate('page.at')} AS at`
  return `SELECT ${columns}, ${d.seqOf('page')} FROM (${page}) AS page ${NEWEST_FIRST_ALIASED}`
}

const NEWEST_FIRST = 'ORDER BY inserted_at DESC, uuid DESC'
// Qualified: a bare `at` would name the output column (epoch milliseconds) on PostgreSQL.
const NEWEST_FIRST_ALIASED = 'ORDER BY page.at DESC, page.uuid DESC'

class Params {
  readonly values: unknown[] = []
  constructor(private readonly dialect: SqlDialect) {}
  add(value: unknown): string {
    this.values.push(value)
    return this.dialect.readParam(this.values.length)
  }
}

function conditions(d: SqlDialect, f: StoreFilters, p: Params, after: Position | undefined): string[] {
  const where: string[] = []
  if (f.targetUserUuid !== undefined) where.push(`target_user_uuid = ${p.add(f.targetUserUuid)}`)
  if (f.adminUserUuid !== undefined) where.push(`admin_user_uuid = ${p.add(f.adminUserUuid)}`)
  if (f.fromDate !== undefined) where.push(`inserted_at >= ${p.add(d.encodeDate(f.fromDate))}`)
  if (f.toDate !== undefined) where.push(`inserted_at <= ${p.add(d.encodeDate(f.toDate))}`)
  if (after !== undefined) {
    where.push(`(inserted_at, uuid) < (${p.add(d.encodeDate(after.insertedAt))}, ${p.add(after.uuid)})`)
  }
  return where
}

function whereClause(parts: readonly string[]): string {
  return parts.length === 0 ? '' : ` WHERE ${parts.join(' AND ')}`
}

/** One disjoint part of a query: one of the actions asked for, one role of the user asked for. */
interface Branch {
  readonly action: string | undefined
  /**
   * The user's role: `admin` is admin but not target (disjoint from `target`); `anyAdmin` and
   * `both` serve counts only (admin in any case; admin and target at once).
   */
  readonly role: 'target' | 'admin' | 'anyAdmin' | 'both' | undefined
}

// "action IN (a, b)" or "target = u OR admin = u" defeats the indexes that serve the order: each
// branch is one index range scan that stops after `limit + offset` rows, and the branches are
// merged. The branches are disjoint (the admin branch skips rows the target branch has), so their
// counts add up.
function branchesOf(f: StoreFilters): Branch[] {
  const actions: (string | undefined)[] = f.actions === undefined ? [undefined] : [...f.actions]
  const roles: ('target' | 'admin' | undefined)[] = f.userUuid === undefined ? [undefined] : ['target', 'admin']
  return actions.flatMap((action) => roles.map((role) => ({ action, role })))
}

// Parameters are added in the order they appear in the text: SQLite's `?` is positional.
function branchWhere(d: SqlDialect, f: StoreFilters, p: Params, after: Position | undefined, b: Branch): string {
  const where: string[] = []
  if (b.action !== undefined) where.push(`action = ${p.add(b.action)}`)
  where.push(...conditions(d, f, p, after))
  const user = f.userUuid as string
  if (b.role === 'target') where.push(`target_user_uuid = ${p.add(user)}`)
  if (b.role === 'admin') where.push(`admin_user_uuid = ${p.add(user)}`, `target_user_uuid <> ${p.add(user)}`)
  if (b.role === 'anyAdmin') where.push(`admin_user_uuid = ${p.add(user)}`)
  if (b.role === 'both') where.push(`admin_user_uuid = ${p.add(user)}`, `target_user_uuid = ${p.add(user)}`)
  return whereClause(where)
}

// What the text of a list or count depends on, and nothing else: which filters are set (and how
// many actions), not their values, which only ever travel as parameters.
function filterShape(f: StoreFilters): string {
  const set = (value: unknown, flag: string) => (value === undefined ? '-' : flag)
  return (
    `${f.actions === undefined ? '-' : f.actions.length}${set(f.userUuid, 'u')}${set(f.targetUserUuid, 't')}` +
    `${set(f.adminUserUuid, 'a')}${set(f.fromDate, 'f')}${set(f.toDate, 'o')}`
  )
}

// The text of every read of one shape is the same string: both drivers look their prepared
// statements up by the text, and a string built anew is hashed (and compared) in full by each
// lookup, about 1 us for a user's page on SQLite; a kept one carries its hash. A kept text of
// another length than the built one (a shape that missed a difference) is replaced, never used.
const keptTexts = new WeakMap<SqlDialect, Map<string, string>>()
function keptText(d: SqlDialect, shape: string, sql: Sql): Sql {
  let texts = keptTexts.get(d)
  if (texts === undefined) {
    texts = new Map()
    keptTexts.set(d, texts)
  }
  const text = texts.get(shape)
  if (text !== undefined && text.length === sql.text.length) return { text, params: sql.params }
  texts.set(shape, sql.text)
  return sql
}

// The text of a hot read is built once per dialect: a new string is hashed anew by every Map
// lookup of a prepared statement.
const findTexts = new WeakMap<SqlDialect, string>()

// `SELECT <columns>, <seq> FROM <table>`: the head of every SQLite read and of every read by uuid,
// built once per dialect (a few microseconds of string work a read otherwise).
const readHeads = new WeakMap<SqlDialect, string>()
function readHead(d: SqlDialect): string {
  let head = readHeads.get(d)
  if (head === undefined) {
    head = `SELECT ${readColumns(d)}, ${d.seqOf(d.table)} FROM ${d.table}`
    readHeads.set(d, head)
  }
  return head
}

/** `SELECT ... WHERE uuid = ?`, in the columns `entryOfValues` reads. */
export function findSql(d: SqlDialect, uuid: string): Sql {
  let text = findTexts.get(d)
  if (text === undefined) {
    text = `${readHead(d)} WHERE uuid = ${d.readParam(1)}`
    findTexts.set(d, text)
  }
  return { text, params: [uuid] }
}

/** `SELECT ... WHERE uuid IN (...)`: the entries with these uuids, in no particular order. */
export function findManySql(d: SqlDialect, uuids: readonly string[]): Sql {
  const p = new Params(d)
  const list = uuids.map((u) => p.add(u)).join(', ')
  return {
    text: `${readHead(d)} WHERE uuid IN (${list})`,
    params: p.values,
  }
}

/** One page of entries, newest first, by offset or after a position, in the columns `entryOfValues` reads. */
export function listSql(d: SqlDialect, q: ListQuery): Sql {
  const shape = `list ${filterShape(q.filters)} ${q.after === undefined ? 0 : 1} ${q.offset === 0 ? 0 : 1}`
  return keptText(d, shape, buildListSql(d, q))
}

function buildListSql(d: SqlDialect, q: ListQuery): Sql {
  const p = new Params(d)
  const branches = branchesOf(q.filters)
  if (branches.length === 1) {
    const where = branchWhere(d, q.filters, p, q.after, branches[0] as Branch)
    // One SELECT where the seq is an expression of the row (SQLite: its columns need no
    // conversion, and the table row of an entry the OFFSET skips is never read).
    if (d.seqFromRow) {
      const cut = `${NEWEST_FIRST} LIMIT ${p.add(q.limit)} OFFSET ${p.add(q.offset)}`
      return {
        text: `${readHead(d)}${where} ${cut}`,
        params: p.values,
      }
    }
    // The outer select converts metadata and looks up seals for the returned rows only.
    if (q.offset === 0) {
      const page = `SELECT ${COLUMNS} FROM ${d.table}${where} ${NEWEST_FIRST} LIMIT ${p.add(q.limit)}`
      return { text: selectPage(d, page), params: p.values }
    }
    // PostgreSQL reads the table row of every entry an OFFSET skips. The position of the first
    // row of the page is found by an index-only scan instead (the same filters, on the index that
    // serves the order), and the page is read from there: at 900,000 entries deep, 70-100 ms
    // against 190-240 ms. The position is exact: (inserted_at, uuid) is unique.
    const again = branchWhere(d, q.filters, p, q.after, branches[0] as Branch)
    const start = `SELECT inserted_at, uuid FROM ${d.table}${again} ${NEWEST_FIRST} LIMIT 1 OFFSET ${p.add(q.offset)}`
    const from = `${where === '' ? ' WHERE' : `${where} AND`} (inserted_at, uuid) <= (${start})`
    const page = `SELECT ${COLUMNS} FROM ${d.table}${from} ${NEWEST_FIRST} LIMIT ${p.add(q.limit)}`
    return { text: selectPage(d, page), params: p.values }
  }
  // SQLite merges the branches of one compound SELECT lazily, each branch in its index's order
  // (no sort, no per-branch LIMIT): the merge stops after `limit + offset` rows in all. Branches
  // wrapped in subqueries of their own would each be sorted into a temporary B-tree first.
  if (d.seqFromRow) {
    const arms = branches.map((b) => {
      const where = branchWhere(d, q.filters, p, q.after, b)
      return `${readHead(d)}${where}`
    })
    return {
      text: `${arms.join(' UNION ALL ')} ORDER BY at DESC, uuid DESC LIMIT ${p.add(q.limit)} OFFSET ${p.add(q.offset)}`,
      params: p.values,
    }
  }
  const parts = branches.map((b, i) => {
    const where = branchWhere(d, q.filters, p, q.after, b)
    const limit = p.add(q.limit + q.offset)
    return `SELECT ${ALIASES} FROM (SELECT ${COLUMNS} FROM ${d.table}${where} ${NEWEST_FIRST} LIMIT ${limit}) AS b${i}`
  })
  // PostgreSQL plans a compound like SQLite's as a sort of every row of every branch: there each
  // branch is cut to `limit + offset` rows in its own subquery, and the page is cut from the
  // merged branches before the seals are looked up for its rows only.
  const page =
    `SELECT ${ALIASES} FROM (${parts.join(' UNION ALL ')}) AS merged ` +
    `ORDER BY at DESC, uuid DESC LIMIT ${p.add(q.limit)} OFFSET ${p.add(q.offset)}`
  return { text: selectPage(d, page), params: p.values }
}

/** The number of entries matching the filters, as column `n`. */
export function countSql(d: SqlDialect, f: StoreFilters): Sql {
  return keptText(d, `count ${filterShape(f)}`, buildCountSql(d, f))
}

function buildCountSql(d: SqlDialect, f: StoreFilters): Sql {
  const p = new Params(d)
  const count = (b: Branch) => `(SELECT count(*) FROM ${d.table}${branchWhere(d, f, p, undefined, b)})`
  const counts = branchesOf(f).map((b) =>
    // With a BitmapAnd, the admin branch counts all the user's entries as admin less those where
    // they are the target too: an index-only scan and a BitmapAnd of both indexes, where
    // `target_user_uuid <> $1` reads the table row of every entry as admin (PostgreSQL, a hot
    // user's count: 36 ms against 130 ms at 1,000,000 entries). Without one (SQLite), `both`
    // would read as many rows as the filter does.
    b.role === 'admin' && d.bitmapAnd
      ? `${count({ ...b, role: 'anyAdmin' })} - ${count({ ...b, role: 'both' })}`
      : count(b),
  )
  return { text: `SELECT ${counts.join(' + ')} AS n`, params: p.values }
}
