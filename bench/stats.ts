import { performance } from 'node:perf_hooks'
import { setImmediate as nextTurn } from 'node:timers/promises'

/** A latency distribution, in milliseconds. */
export interface Latency {
  readonly p50: number
  readonly p99: number
  readonly samples: number
}

/** The nearest-rank percentile of sorted samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number
}

function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  )
}

export function latencyOf(samples: readonly number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b)
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), samples: sorted.length }
}

/** How many times to run a read, and for how long at most. */
export interface LatencyPlan {
  readonly iterations: number
  readonly warmup: number
  /** Each side stops early once it has spent this long (and has at least `minSamples`). */
  readonly budgetMs: number
  readonly minSamples: number
}

// 1000 samples: p99 is then the 10th worst, not the 2nd worst as with 200.
export const FAST_READ: LatencyPlan = { iterations: 1000, warmup: 50, budgetMs: 10_000, minSamples: 100 }
export const SLOW_READ: LatencyPlan = { iterations: 10, warmup: 1, budgetMs: 15_000, minSamples: 3 }
export const MEDIUM_READ: LatencyPlan = { iterations: 50, warmup: 3, budgetMs: 10_000, minSamples: 5 }

type Call = () => unknown

async function timeOnce(call: Call): Promise<number> {
  const start = performance.now()
  await call()
  return performance.now() - start
}

/**
 * The latencies of two ways of doing the same read, measured in alternating blocks (the order
 * flipping every block) so that drift in the machine's state falls on both alike.
 */
export async function compareLatency(
  auditkit: Call,
  raw: Call,
  plan: LatencyPlan,
): Promise<{ auditkit: Latency; raw: Latency }> {
  const [a, r] = (await compareLatencies([auditkit, raw], plan)) as [Latency, Latency]
  return { auditkit: a, raw: r }
}

/**
 * The latencies of several ways of doing the same read, measured in blocks that take turns (the
 * order rotating every block) so that drift in the machine's state falls on all alike. All sides
 * stop together once one has spent the plan's budget.
 */
export async function compareLatencies(calls: readonly Call[], plan: LatencyPlan): Promise<Latency[]> {
  for (let i = 0; i < plan.warmup; i++) for (const call of calls) await call()
  const block = Math.max(1, Math.min(10, Math.floor(plan.iterations / 10)))
  const samples = calls.map(() => [] as number[])
  const first = samples[0] as number[]
  for (let i = 0; first.length < plan.iterations; i++) {
    for (let k = 0; k < calls.length; k++) {
      // Two sides alternate which goes first; three or more rotate.
      const side = calls.length === 2 ? (i % 2 === 0 ? k : 1 - k) : (i + k) % calls.length
      const call = calls[side] as Call
      const out = samples[side] as number[]
      for (let j = 0; j < block && out.length < plan.iterations; j++) out.push(await timeOnce(call))
    }
    await nextTurn() // SQLite reads are synchronous: let a Ctrl-C in between blocks
    const spent = Math.max(...samples.map((s) => s.reduce((sum, x) => sum + x, 0)))
    if (spent > plan.budgetMs && first.length >= plan.minSamples) break
  }
  return samples.map(latencyOf)
}

/** The latency of one call alone (for a figure that has no auditkit counterpart). */
export async function measureLatency(call: Call, plan: LatencyPlan): Promise<Latency> {
  for (let i = 0; i < plan.warmup; i++) await call()
  const samples: number[] = []
  let spent = 0
  while (samples.length < plan.iterations && (spent <= plan.budgetMs || samples.length < plan.minSamples)) {
    const ms = await timeOnce(call)
    samples.push(ms)
    spent += ms
    if (samples.length % 10 === 0) await nextTurn()
  }
  return latencyOf(samples)
}

/** One contender of a throughput comparison: writes the given entries, however it likes. */
export interface RateContender<T> {
  readonly label: string
  run(items: readonly T[]): Promise<void>
}

/** One contender's throughput, and what it cost this process's CPU. */
export interface Rate {
  /** Items per second (median of the rounds). */
  readonly perSecond: number
  /** This process's CPU time per item, user + system, in microseconds (median of the rounds). */
  readonly cpuMicros: number
}

/**
 * The throughput of each contender: the median over `rounds` rounds of `total / rounds` fresh
 * items each. Each round runs every contender once, back to back, in an order that rotates from
 * round to round; the median keeps a burst of load on the machine from deciding the figure.
 */
export async function compareRates<T>(
  contenders: readonly RateContender<T>[],
  make: (count: number) => T[],
  total: number,
  rounds: number,
): Promise<Map<string, Rate>> {
  const rates = new Map<string, number[]>(contenders.map((c) => [c.label, []]))
  const cpu = new Map<string, number[]>(contenders.map((c) => [c.label, []]))
  const perRound = Math.ceil(total / rounds)
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(round + k) % contenders.length] as RateContender<T>
      const items = make(perRound)
      const cpuStart = process.cpuUsage()
      const start = performance.now()
      await contender.run(items)
      const elapsed = performance.now() - start
      const used = process.cpuUsage(cpuStart)
      rates.get(contender.label)?.push((perRound * 1000) / elapsed)
      cpu.get(contender.label)?.push((used.user + used.system) / perRound)
      await nextTurn()
    }
  }
  return new Map(
    contenders.map((c) => [
      c.label,
      { perSecond: median(rates.get(c.label) ?? []), cpuMicros: median(cpu.get(c.label) ?? []) },
    ]),
  )
}
