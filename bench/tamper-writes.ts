import { performance } from 'node:perf_hooks'
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises'
import type { EntryGenerator } from './data.js'
import { cpuMeter, cpuText, meanOrUndefined } from './server-cpu.js'
import { latencyOf } from './stats.js'
import type { TamperTarget } from './tamper-open.js'
import type { SealMeasure } from './tamper-seal.js'

/** Concurrent createLogEntry callers. */
export const WRITERS = 16
/** The background sealer's interval in the "on" rounds: auditkit's default (options.ts), as a user runs it. */
export const SEAL_INTERVAL_MS = 1000
/** How long each round writes. */
const ROUND_MS = 3000
/** Rounds without and with the sealer, alternately (off/on, then on/off, ...). */
const PAIRS = 5

interface Round {
  readonly perSecond: number
  readonly p50: number
  readonly p99: number
  /** Entries the background sealer sealed during the round. */
  readonly sealed: number
  readonly written: number
  /** This process's CPU time per entry written, microseconds (the background sealer's included). */
  readonly cpuMicros: number
  /** The server's (PostgreSQL on this machine) CPU time per entry written, microseconds. */
  readonly serverCpuMicros: number | undefined
}

/** What the A/B comparison measured. */
export interface SealerWrites {
  /** Medians over the rounds. */
  readonly off: Round
  readonly on: Round
  /** on/off per pair, in run order. */
  readonly ratios: readonly number[]
  readonly medianRatio: number
  readonly sealErrors: number
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/**
 * One round: a fresh log (background sealer every {@link SEAL_INTERVAL_MS} or none), warmed up
 * and with no backlog, then {@link WRITERS} loops of awaited createLogEntry for {@link ROUND_MS}.
 */
async function round(
  t: TamperTarget,
  generator: EntryGenerator,
  sealer: boolean,
  onSealError: () => void,
): Promise<Round> {
  const log = await t.open({ sealIntervalMs: sealer ? SEAL_INTERVAL_MS : 0, onSealError })
  try {
    const loops = (until: () => boolean, latencies?: number[]) =>
      Promise.all(
        Array.from({ length: WRITERS }, async () => {
          while (!until()) {
            const input = generator.next()
            const start = performance.now()
            await log.createLogEntry(input)
            latencies?.push(performance.now() - start)
            // As a server's writes arrive with I/O: SQLite's synchronous writes awaited back to back
            // would run on microtasks alone and never let the sealer's timer fire.
            await nextTurn()
          }
        }),
      )
    let warm = 0
    await loops(() => warm++ >= 4 * WRITERS)
    // Leave no backlog: every round starts with the sealer caught up (off the clock).
    await log.seal()
    if (sealer) await sleep(SEAL_INTERVAL_MS / 2) // start mid-interval, not on a tick
    const before = (await log.treeHead()).treeSize
    const latencies: number[] = []
    const meter = cpuMeter(t.bench.engine)
    const start = performance.now()
    const end = start + ROUND_MS
    await loops(() => performance.now() >= end, latencies)
    const elapsed = performance.now() - start
    const used = meter()
    const after = (await log.treeHead()).treeSize
    const l = latencyOf(latencies)
    return {
      perSecond: (latencies.length * 1000) / elapsed,
      p50: l.p50,
      p99: l.p99,
      sealed: after - before,
      written: latencies.length,
      cpuMicros: used.here / latencies.length,
      serverCpuMicros: used.server === undefined ? undefined : used.server / latencies.length,
    }
  } finally {
    await log.close()
  }
}

/**
 * {@link WRITERS} concurrent createLogEntry callers on a log without a background sealer against
 * the same with one, in alternating rounds; the ratio is with/without, median over the pairs.
 */
export async function measureSealerWrites(
  t: TamperTarget,
  generator: EntryGenerator,
  say: (line: string) => void,
): Promise<SealerWrites> {
  let sealErrors = 0
  const onSealError = () => {
    sealErrors++
  }
  const off: Round[] = []
  const on: Round[] = []
  const ratios: number[] = []
  for (let pair = 0; pair < PAIRS; pair++) {
    const order = pair % 2 === 0 ? [false, true] : [true, false]
    for (const sealer of order) (sealer ? on : off).push(await round(t, generator, sealer, onSealError))
    const a = off[pair] as Round
    const b = on[pair] as Round
    ratios.push(b.perSecond / a.perSecond)
    say(
      `pair ${pair + 1}/${PAIRS}: without sealer ${Math.round(a.perSecond)}/s, with ${Math.round(b.perSecond)}/s ` +
        `(sealed ${b.sealed} of ${b.written} during the round): ${(b.perSecond / a.perSecond).toFixed(3)}x`,
    )
  }
  const med = (rounds: Round[]): Round => ({
    perSecond: median(rounds.map((r) => r.perSecond)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    sealed: median(rounds.map((r) => r.sealed)),
    written: median(rounds.map((r) => r.written)),
    cpuMicros: median(rounds.map((r) => r.cpuMicros)),
    serverCpuMicros: rounds.some((r) => r.serverCpuMicros === undefined)
      ? undefined
      : median(rounds.map((r) => r.serverCpuMicros as number)),
  })
  return { off: med(off), on: med(on), ratios, medianRatio: median(ratios), sealErrors }
}

/**
 * The profile of the writes beside the sealer: the CPU of an entry written (this process and the
 * server), with and without the sealer, against the CPU of an entry sealed (`seals`: seal() at the
 * default batch). Writes bound by CPU lose about the sealing's share of it.
 */
export function sealerShare(w: SealerWrites, seals: readonly SealMeasure[]): string {
  const total = (r: Round) => r.cpuMicros + (r.serverCpuMicros ?? 0)
  const sealHere = meanOrUndefined(seals.map((m) => m.cpuMicros))
  const sealServer = meanOrUndefined(seals.map((m) => m.serverCpuMicros))
  const written =
    `CPU per entry written: without the sealer ${cpuText(w.off.cpuMicros, w.off.serverCpuMicros)}, ` +
    `with it ${cpuText(w.on.cpuMicros, w.on.serverCpuMicros)} (medians of the rounds)`
  const extra = (total(w.on) - total(w.off)) / total(w.off)
  const rounds = `the rounds with the sealer spend ${(100 * extra).toFixed(1)}% more per entry written, for about ${(1 / (1 + extra)).toFixed(3)}x`
  if (sealHere === undefined) return `${written}: ${rounds}.`
  const share = (sealHere + (sealServer ?? 0)) / total(w.off)
  return (
    `${written}; seal() at the default batch (above) takes ${cpuText(sealHere, sealServer)} per entry sealed, ` +
    `${(100 * share).toFixed(1)}% of an entry written: writes bound by CPU keep about 1 / (1 + ${share.toFixed(3)}) = ` +
    `${(1 / (1 + share)).toFixed(3)}x beside a sealer that seals all they write; ${rounds} (the sealer's batches as its timer finds them).`
  )
}
