import { type EngineRun, type Result, ratio, seedRatio } from './results.js'
import { checkTamperTargets } from './tamper-targets.js'

/** One of the issue's targets, checked against one engine's run. */
export interface TargetCheck {
  readonly target: string
  readonly measured: string
  readonly met: boolean
  /** How far from the target, when missed (or how much room, when met). */
  readonly margin: string
  /** False when the run is too small for the target to apply (shown as n/a, not as met or missed). */
  readonly applicable?: boolean
}

const FIRST_PAGES = ['list-first', 'list-action', 'by-action', 'for-user', 'page-first', 'iterate-first']
const FIRST_PAGE_P99_MS = 5
const SELECTIVE_COUNT_P99_MS = 20
const WRITE_RATIO = 0.9
const BATCH_RATIO = 0.5
/** "As fast at depth 90% as at depth 0": the deep page's p50 within this factor of the first page's. */
const CURSOR_TOLERANCE = 1.25

const x = (n: number) => `${n.toFixed(2)}x`
const ms = (n: number) => `${n < 1 ? n.toFixed(3) : n.toFixed(2)} ms`

function atLeast(target: string, measured: number, goal: number): TargetCheck {
  const met = measured >= goal
  const pct = Math.abs(measured / goal - 1) * 100
  // Three decimals: 0.895x must not read as 0.90x beside "missed".
  return {
    target,
    measured: `${measured.toFixed(3)}x`,
    met,
    margin: `${pct.toFixed(1)}% ${met ? 'above' : 'below'} ${x(goal)}`,
  }
}

function under(target: string, measured: number, limit: number): TargetCheck {
  const met = measured < limit
  return {
    target,
    measured: ms(measured),
    met,
    margin: met ? `${x(limit / measured)} under` : `${x(measured / limit)} over`,
  }
}

function latencyOf(r: Result | undefined) {
  if (r?.figure.kind !== 'latency') throw new Error(`missing latency ${r?.id}`)
  return r.figure.auditkit
}

/** Checks the run against every target of the suites it ran. */
export function checkTargets(run: EngineRun): TargetCheck[] {
  return [
    ...(run.cursorDepth === undefined ? [] : checkMain(run)),
    ...(run.tamper ? checkTamperTargets(run.tamper) : []),
  ]
}

/** Checks the main suite against every target of the issue. */
function checkMain(run: EngineRun): TargetCheck[] {
  const byId = new Map(run.results.map((r) => [r.id, r]))
  const get = (id: string) => {
    const r = byId.get(id)
    if (r === undefined) throw new Error(`no result ${id}`)
    return r
  }
  const checks: TargetCheck[] = []
  for (const id of ['write-1', 'write-n']) {
    checks.push(atLeast(`${get(id).label} >= ${x(WRITE_RATIO)} raw single INSERT`, ratio(get(id).figure), WRITE_RATIO))
  }
  const batches = run.results.filter((r) => r.id.startsWith('batch:'))
  const slowest = batches.reduce((a, b) => (ratio(b.figure) < ratio(a.figure) ? b : a))
  const fastestRaw = slowest.id.slice('batch:'.length)
  checks.push(
    atLeast(
      `createLogEntries >= ${x(BATCH_RATIO)} fastest raw bulk path (${fastestRaw})`,
      ratio(slowest.figure),
      BATCH_RATIO,
    ),
  )
  for (const id of FIRST_PAGES) {
    checks.push(under(`${get(id).label} p99 < ${FIRST_PAGE_P99_MS} ms`, latencyOf(get(id)).p99, FIRST_PAGE_P99_MS))
  }
  const { shallow, deep } = run.cursorDepth as NonNullable<EngineRun['cursorDepth']>
  const slower = deep.p50 / shallow.p50
  checks.push({
    target: `${get('page-deep').label} as fast as at depth 0 (p50 within ${x(CURSOR_TOLERANCE)}, measured interleaved)`,
    measured: `p50 ${ms(deep.p50)} vs ${ms(shallow.p50)}, p99 ${ms(deep.p99)} vs ${ms(shallow.p99)}`,
    met: slower <= CURSOR_TOLERANCE,
    margin: `deep/shallow p50 = ${x(slower)}`,
  })
  checks.push(checkSeed(run.results))
  for (const id of ['count-selective', 'count-user-selective']) {
    checks.push(
      under(`${get(id).label} p99 < ${SELECTIVE_COUNT_P99_MS} ms`, latencyOf(get(id)).p99, SELECTIVE_COUNT_P99_MS),
    )
  }
  return checks
}

/** "At or above 1.0x the seed's design on every measure": each p50 and p99, and each rate. */
function checkSeed(results: readonly Result[]): TargetCheck {
  const below: string[] = []
  let measures = 0
  let batchSeen = false
  for (const r of results) {
    // The batch figure is repeated once per raw bulk path, with the same seed figure: count it once.
    if (r.id.startsWith('batch:')) {
      if (batchSeen) continue
      batchSeen = true
    }
    const whichs = r.figure.kind === 'rate' ? (['p50'] as const) : (['p50', 'p99'] as const)
    for (const which of whichs) {
      const value = seedRatio(r.figure, which)
      if (value === undefined) continue
      measures++
      if (value < 1) below.push(`${r.label}${r.figure.kind === 'rate' ? '' : ` ${which}`} ${x(value)}`)
    }
  }
  return {
    target: "auditkit >= 1.00x the seed's design on every measure (p50 and p99 of each read, each write rate)",
    measured: `${measures - below.length} of ${measures} at or above`,
    met: below.length === 0,
    margin: below.length === 0 ? 'none below' : `below: ${below.join('; ')}`,
  }
}
