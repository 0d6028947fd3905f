import type { Result, TamperRun } from './results.js'
import { ratio } from './results.js'
import type { TargetCheck } from './targets.js'

/** The inclusion-proof target is stated for a log of this many sealed entries. */
export const PROOF_TARGET_ROWS = 1_000_000
const SEAL_RATE = 100_000
const VERIFY_RATE = 200_000
const SEALER_WRITE_RATIO = 0.9
const PROOF_P99_MS = 50

const n = (v: number) => Math.round(v).toLocaleString('en-US')

function rateAtLeast(target: string, measured: number, goal: number): TargetCheck {
  const met = measured >= goal
  return {
    target,
    measured: `${n(measured)} entries/s`,
    met,
    margin: met ? `${(measured / goal).toFixed(2)}x the target` : `${((1 - measured / goal) * 100).toFixed(1)}% below`,
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
    checks.push(rateAtLeast(`${r.label.split(', vs')[0]} >= ${n(SEAL_RATE)} entries/s`, r.figure.auditkit, SEAL_RATE))
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
    checks.push(rateAtLeast(`verify() >= ${n(VERIFY_RATE)} entries/s`, v.figure.auditkit, VERIFY_RATE))
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
