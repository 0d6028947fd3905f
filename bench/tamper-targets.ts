import type { Result, TamperRun } from './results.js'
import { ratio } from './results.js'
import type { TargetCheck } from './targets.js'

/** The inclusion-proof target is stated for a log of this many sealed entries. */
export const PROOF_TARGET_ROWS = 1_000_000
// Issue 12: each against the raw driver's read of the same rows in the same run.
const SEAL_RATIO = 0.6
const VERIFY_RATIO = 0.8
const SEALER_WRITE_RATIO = 0.95
const PROOF_P99_MS = 50

const n = (v: number) => Math.round(v).toLocaleString('en-US')

function ratioAtLeast(target: string, r: Result, goal: number): TargetCheck {
  const measured = ratio(r.figure)
  const met = measured >= goal
  const rate = r.figure.kind === 'rate' ? ` (${n(r.figure.auditkit)} vs ${n(r.figure.raw)} entries/s)` : ''
  return {
    target,
    measured: `${measured.toFixed(2)}x${rate}`,
    met,
    margin: `${(Math.abs(measured / goal - 1) * 100).toFixed(1)}% ${met ? 'above' : 'below'} ${goal.toFixed(2)}x`,
  }
}

/** Checks the tamper suite against its targets. */
export function checkTamperTargets(run: TamperRun): TargetCheck[] {
  const byId = new Map(run.results.map((r) => [r.id, r]))
  const get = (id: string): Result => {
    const r = byId.get(id)
    if (r === undefined) throw new Error(`no result ${id}`)
    return r
  }
  const checks: TargetCheck[] = []
  for (const id of ['seal-initial', 'seal:default']) {
    const r = byId.get(id)
    if (r?.figure.kind !== 'rate') continue
    checks.push(ratioAtLeast(`${r.label.split(', vs')[0]} >= ${SEAL_RATIO.toFixed(2)}x the raw read`, r, SEAL_RATIO))
  }
  const w = get('seal-writes')
  const wr = ratio(w.figure)
  checks.push({
    target: `createLogEntry with the background sealer >= ${SEALER_WRITE_RATIO.toFixed(2)}x without (median of pairs)`,
    measured: `${wr.toFixed(3)}x`,
    met: wr >= SEALER_WRITE_RATIO,
    margin: `${(Math.abs(wr / SEALER_WRITE_RATIO - 1) * 100).toFixed(1)}% ${wr >= SEALER_WRITE_RATIO ? 'above' : 'below'} ${SEALER_WRITE_RATIO.toFixed(2)}x`,
  })
  const v = get('verify')
  if (v.figure.kind === 'rate')
    checks.push(
      ratioAtLeast(`verify() >= ${VERIFY_RATIO.toFixed(2)}x the raw read of the seals joined`, v, VERIFY_RATIO),
    )
  const p = get('prove')
  if (p.figure.kind === 'latency') {
    const { p50, p99 } = p.figure.auditkit
    const applicable = run.sealedEntries >= PROOF_TARGET_ROWS
    const met = p99 < PROOF_P99_MS
    checks.push({
      target: `proveInclusion p99 < ${PROOF_P99_MS} ms at >= ${n(PROOF_TARGET_ROWS)} sealed entries`,
      measured: `p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms at ${n(run.sealedEntries)}`,
      met,
      applicable,
      margin: `${met ? `${(PROOF_P99_MS / p99).toFixed(1)}x under` : `${(p99 / PROOF_P99_MS).toFixed(2)}x over`}${applicable ? '' : ' (log below the target size)'}`,
    })
  }
  return checks
}
