import { encodeCursor } from '../src/cursor.js'
import { rawSql } from './raw-sql.js'
import { LIMIT, type ReadCase, type ReadSetup, readCases } from './read-cases.js'
import type { CursorDepth, Result } from './results.js'
import { compareLatencies, compareLatency, FAST_READ, type Latency, measureLatency, SLOW_READ } from './stats.js'

/** Runs each case once on every side and refuses to measure sides that disagree. */
async function checkAgreement(c: ReadCase): Promise<void> {
  const answer = await c.auditkit()
  const [a, r] = c.agree(answer, await c.raw())
  if (a !== r) throw new Error(`${c.label}: auditkit and the raw driver disagree:\n  auditkit: ${a}\n  raw:      ${r}`)
  if (c.seed === undefined) return
  const [a2, s] = c.seed.agree(answer, await c.seed.run())
  if (a2 !== s)
    throw new Error(`${c.label}: auditkit and the seed's design disagree:\n  auditkit: ${a2}\n  seed:     ${s}`)
}

/** Measures every read case, and the naive OR query for the hot user as a note. */
export async function measureReads(
  s: ReadSetup,
  progress: (label: string) => void,
): Promise<{ results: Result[]; notes: string[]; cursorDepth: CursorDepth }> {
  const cases = readCases(s)
  const results: Result[] = []
  for (const c of cases) {
    progress(c.label)
    await checkAgreement(c)
    const sides = c.seed === undefined ? [c.auditkit, c.raw] : [c.auditkit, c.raw, c.seed.run]
    const [auditkit, raw, seed] = (await compareLatencies(sides, c.plan)) as [Latency, Latency, Latency?]
    results.push({ id: c.id, label: c.label, figure: { kind: 'latency', auditkit, raw, ...(seed && { seed }) } })
  }
  progress('pageLogs at depth 0 against pageLogs at depth 90%, interleaved')
  const cursor = encodeCursor(s.deep)
  const depth = await compareLatency(
    () => s.audit.pageLogs(),
    () => s.audit.pageLogs({ cursor }),
    FAST_READ,
  )
  const cursorDepth = { shallow: depth.auditkit, deep: depth.raw }
  const sql = rawSql(s.bench.table, s.bench.raw.param)
  const naive = s.bench.raw.prepare(sql.forUserOr)
  const hot = s.population.hotUser
  progress('raw naive OR query for the hot user')
  const or = await measureLatency(() => naive([hot, hot, LIMIT]), SLOW_READ)
  progress('raw SELECT 1, the floor of any read')
  const selectOne = s.bench.raw.prepare('SELECT 1 AS one')
  const floor = await measureLatency(() => selectOne([]), FAST_READ)
  const notes = [
    `For comparison, the naive \`WHERE target_user_uuid = $u OR admin_user_uuid = $u ORDER BY inserted_at DESC, uuid DESC LIMIT 100\` ` +
      `for the hot user takes p50 ${or.p50.toFixed(1)} ms, p99 ${or.p99.toFixed(1)} ms through the raw driver ` +
      `(listLogsForUser runs two index range scans merged instead).`,
    `The floor of any read on this machine: \`SELECT 1\` through the raw driver takes p50 ${floor.p50.toFixed(3)} ms, ` +
      `p99 ${floor.p99.toFixed(3)} ms.`,
  ]
  return { results, notes, cursorDepth }
}
