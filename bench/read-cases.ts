import { encodeCursor } from '../src/cursor.js'
import type { AuditLog, Entry, Page } from '../src/index.js'
import type { Position } from '../src/store/store.js'
import { lightUser, type Population } from './data.js'
import type { EngineBench, RawRow } from './engine-bench.js'
import { rawSql } from './raw-sql.js'
import { FAST_READ, type LatencyPlan, MEDIUM_READ, SLOW_READ } from './stats.js'

/** The share of the table a deep page skips. */
export const DEPTH_SHARE = 0.9
/** The page size of every list read (auditkit's default). */
export const LIMIT = 100
const ACTION = 'user_locked'

/** One read, done by auditkit and by the raw driver. */
export interface ReadCase {
  readonly id: string
  readonly label: string
  readonly plan: LatencyPlan
  auditkit(): Promise<unknown>
  raw(): Promise<unknown> | unknown
  /** What both must agree on, from each side's answer (checked once before measuring). */
  agree(auditkit: unknown, raw: unknown): [string, string]
  /** The seed's design doing the same on its own table, and what it must agree with auditkit on. */
  readonly seed?: {
    run(): Promise<unknown> | unknown
    agree(auditkit: unknown, seed: unknown): [string, string]
  }
}

/** What the reads need to know about the filled table. */
export interface ReadSetup {
  readonly bench: EngineBench
  readonly audit: AuditLog
  readonly population: Population
  readonly rows: number
  readonly sampleUuids: readonly string[]
  /** The entry just before the deep page (see {@link deepPosition}). */
  readonly deep: Position
}

/** The depth of the deep pages. */
export function depthOf(rows: number): number {
  return Math.floor(rows * DEPTH_SHARE)
}

/**
 * The position of the entry just before depth {@link DEPTH_SHARE} of the table, fetched with raw
 * SQL, so that the cursor page and the offset page start at the same entry.
 */
export async function deepPosition(bench: EngineBench, rows: number): Promise<Position> {
  const sql = rawSql(bench.table, bench.raw.param)
  const at = (await bench.raw.prepare(sql.positionAt)([depthOf(rows) - 1]))[0]
  if (at === undefined) throw new Error(`the table has fewer than ${depthOf(rows)} entries`)
  return { insertedAt: new Date(at.inserted_at as number | Date), uuid: String(at.uuid) }
}

function describeRows(rows: readonly { uuid?: unknown }[]): string {
  return `${rows.length} rows from ${String(rows[0]?.uuid)} to ${String(rows[rows.length - 1]?.uuid)}`
}

const sameRows = (a: unknown, r: unknown): [string, string] => [describeRows(a as Entry[]), describeRows(r as RawRow[])]
// pageLogs asks for one row more than it returns, to know whether a next page exists.
const samePage = (a: unknown, r: unknown): [string, string] => [
  `${describeRows((a as Page).entries)}, more: ${(a as Page).nextCursor !== null}`,
  `${describeRows((r as RawRow[]).slice(0, LIMIT))}, more: ${(r as RawRow[]).length > LIMIT}`,
]
const sameCount = (a: unknown, r: unknown): [string, string] => [String(a), String(r)]

// The seed orders by inserted_at alone, so rows sharing a millisecond may come in another order:
// both sides must return as many rows, from the same time to the same time.
function describeTimes(times: readonly number[]): string {
  return `${times.length} rows from ${new Date(times[0] ?? 0).toISOString()} to ${new Date(times[times.length - 1] ?? 0).toISOString()}`
}
function sameTimes(timeOf: (value: unknown) => number) {
  return (a: unknown, r: unknown): [string, string] => {
    const entries = Array.isArray(a) ? (a as Entry[]) : (a as Page).entries
    return [
      describeTimes(entries.map((e) => e.insertedAt.getTime())),
      describeTimes((r as RawRow[]).map((row) => timeOf(row.inserted_at))),
    ]
  }
}

async function firstOf(audit: AuditLog, count: number): Promise<Entry[]> {
  const out: Entry[] = []
  for await (const entry of audit.iterateLogs({ batchSize: count })) {
    out.push(entry)
    if (out.length === count) break
  }
  return out
}

/** Every read the benchmark measures, first pages first. */
export function readCases(s: ReadSetup): ReadCase[] {
  const { audit, bench, population: pop } = s
  const sql = rawSql(bench.table, bench.raw.param)
  const q = (text: string) => bench.raw.prepare(text)
  const count = (text: string) => {
    const query = q(text)
    return async (params: readonly unknown[]) => Number((await query(params))[0]?.n)
  }
  const depth = depthOf(s.rows)
  const position = s.deep
  const cursor = encodeCursor(position)
  const deepAt = bench.engine === 'sqlite' ? position.insertedAt.getTime() : position.insertedAt
  const [first, byAction, forUser, offsetPage, afterPage] = [
    q(sql.firstPage),
    q(sql.byAction),
    q(bench.engine === 'sqlite' ? sql.forUserCompound : sql.forUser),
    q(bench.engine === 'sqlite' ? sql.offsetPage : sql.offsetPageFromPosition),
    q(sql.afterPage),
  ]
  const [countTarget, countUser, countAction, byUuid] = [
    count(sql.countTarget),
    count(bench.engine === 'sqlite' ? sql.countUser : sql.countUserMinus),
    count(sql.countAction),
    q(sql.byUuid),
  ]
  const hot = pop.hotUser
  const sel = pop.selectiveUser
  const uniform = pop.users[0] as string
  const light = lightUser(0)
  const seed = bench.seed
  const seedSql = seed.sql
  const [seedList, seedByAction, seedForUser, seedGet] = [
    seed.prepare(seedSql.list),
    seed.prepare(seedSql.listByAction),
    seed.prepare(seedSql.listForUser),
    seed.prepare(seedSql.get),
  ]
  const seedCount = (text: string) => {
    const query = seed.prepare(text)
    return async (params: readonly unknown[]) => Number((await query(params))[0]?.n)
  }
  const [seedCountAll, seedCountTarget, seedCountUser, seedCountAction] = [
    seedCount(seedSql.countAll),
    seedCount(seedSql.countTarget),
    seedCount(seedSql.countUser),
    seedCount(seedSql.countAction),
  ]
  const times = sameTimes(seed.timeOf)
  const seedFirstPage = { run: () => seedList([LIMIT, 0]), agree: times }
  const seedActionPage = { run: () => seedByAction([ACTION, LIMIT, 0]), agree: times }
  const seedDeepPage = { run: () => seedList([LIMIT, depth]), agree: times }
  const seedUser = (user: string) => ({ run: () => seedForUser([user, user, LIMIT]), agree: times })
  const forUserCase = (id: string, who: string, user: string): ReadCase => ({
    id,
    label: `listLogsForUser(${who}) first page`,
    plan: FAST_READ,
    auditkit: () => audit.listLogsForUser(user),
    raw: () => forUser(bench.engine === 'sqlite' ? [user, user, user, LIMIT] : [user, LIMIT, user, user, LIMIT, LIMIT]),
    agree: sameRows,
    seed: seedUser(user),
  })
  let nextS = 0
  const countAll = count(sql.countAll)
  let nextA = 0
  let nextR = 0
  const uuids = s.sampleUuids
  const deep = depth.toLocaleString('en-US')
  return [
    {
      id: 'list-first',
      label: 'listLogs first page',
      plan: FAST_READ,
      auditkit: () => audit.listLogs(),
      raw: () => first([LIMIT]),
      agree: sameRows,
      seed: seedFirstPage,
    },
    {
      id: 'list-action',
      label: `listLogs({ action }) first page`,
      plan: FAST_READ,
      auditkit: () => audit.listLogs({ action: ACTION }),
      raw: () => byAction([ACTION, LIMIT]),
      agree: sameRows,
      seed: seedActionPage,
    },
    {
      id: 'by-action',
      label: 'listLogsByAction first page',
      plan: FAST_READ,
      auditkit: () => audit.listLogsByAction(ACTION),
      raw: () => byAction([ACTION, LIMIT]),
      agree: sameRows,
      seed: seedActionPage,
    },
    forUserCase('for-user', 'hot user', hot),
    forUserCase('for-user-uniform', 'a uniform user', uniform),
    forUserCase('for-user-light', `a light user`, light),
    {
      id: 'page-first',
      label: 'pageLogs first page (depth 0)',
      plan: FAST_READ,
      auditkit: () => audit.pageLogs(),
      raw: () => first([LIMIT + 1]),
      agree: samePage,
      seed: seedFirstPage,
    },
    {
      id: 'iterate-first',
      label: 'iterateLogs first 100 (batchSize 100)',
      plan: FAST_READ,
      auditkit: () => firstOf(audit, LIMIT),
      raw: () => first([LIMIT]),
      agree: sameRows,
      seed: seedFirstPage,
    },
    {
      id: 'page-deep',
      label: `pageLogs by cursor at depth ${deep}`,
      plan: FAST_READ,
      auditkit: () => audit.pageLogs({ cursor }),
      raw: () => afterPage([deepAt, position.uuid, LIMIT + 1]),
      agree: samePage,
      // The seed has no cursor: its way to the same page is the offset.
      seed: seedDeepPage,
    },
    {
      id: 'offset-deep',
      label: `listLogs by offset at depth ${deep}`,
      plan: SLOW_READ,
      auditkit: () => audit.listLogs({ offset: depth }),
      raw: () => offsetPage([LIMIT, depth]),
      agree: sameRows,
      seed: seedDeepPage,
    },
    {
      id: 'count-selective',
      label: 'countLogs({ targetUserUuid: selective user })',
      plan: FAST_READ,
      auditkit: () => audit.countLogs({ targetUserUuid: sel }),
      raw: () => countTarget([sel]),
      agree: sameCount,
      seed: { run: () => seedCountTarget([sel]), agree: sameCount },
    },
    {
      id: 'count-user-selective',
      label: 'countLogs({ userUuid: selective user })',
      plan: FAST_READ,
      auditkit: () => audit.countLogs({ userUuid: sel }),
      raw: () => countUser([sel, sel, sel]),
      agree: sameCount,
      seed: { run: () => seedCountUser([sel, sel]), agree: sameCount },
    },
    {
      id: 'count-user-hot',
      label: 'countLogs({ userUuid: hot user })',
      plan: MEDIUM_READ,
      auditkit: () => audit.countLogs({ userUuid: hot }),
      raw: () => countUser([hot, hot, hot]),
      agree: sameCount,
      seed: { run: () => seedCountUser([hot, hot]), agree: sameCount },
    },
    {
      id: 'count-action',
      label: 'countLogs({ action }) (1 in 9, not selective)',
      plan: MEDIUM_READ,
      auditkit: () => audit.countLogs({ action: ACTION }),
      raw: () => countAction([ACTION]),
      agree: sameCount,
      seed: { run: () => seedCountAction([ACTION]), agree: sameCount },
    },
    {
      id: 'count-all',
      label: 'countLogs() (every entry)',
      plan: MEDIUM_READ,
      auditkit: () => audit.countLogs(),
      raw: () => countAll([]),
      agree: sameCount,
      seed: { run: () => seedCountAll([]), agree: sameCount },
    },
    {
      id: 'get',
      label: 'getLog(uuid)',
      plan: FAST_READ,
      auditkit: () => audit.getLog(uuids[nextA++ % uuids.length] as string),
      raw: () => byUuid([uuids[nextR++ % uuids.length]]),
      agree: (a, r) => [String((a as Entry).uuid), String((r as RawRow[])[0]?.uuid)],
      seed: {
        run: () => seedGet([uuids[nextS++ % uuids.length]]),
        agree: (a, r) => [String((a as Entry).uuid), String((r as RawRow[])[0]?.uuid)],
      },
    },
  ]
}
