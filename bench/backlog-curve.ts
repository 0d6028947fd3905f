/** The sealed tree's size seen at one moment (ms on the performance clock). */
export interface SizeSample {
  readonly ms: number
  readonly size: number
}

/** The rate of sealing along one backlog, from samples of the tree size taken while it was sealed. */
export interface BacklogCurve {
  /** Entries/s over each tenth of the backlog, first to last. */
  readonly tenths: readonly number[]
  /** Entries/s over the first tenth (size 0 to 10% of the backlog). */
  readonly start: number
  /** Entries/s over the last tenth (size 90% to 100%). */
  readonly end: number
  /** end / start: the criterion is this >= 0.8. */
  readonly ratio: number
  /** Samples strictly inside each tenth (the ones its two end points are interpolated between excluded). */
  readonly samplesPerTenth: readonly number[]
  /** The longest time between two samples, ms: how coarse the curve is. */
  readonly longestGapMs: number
}

/**
 * When the size first reached `size`: linear between the last sample below it and the first at
 * or above it. The true curve is a staircase (a batch's entries appear at its commit), so this is
 * exact only to within one sample interval; over a tenth of a large backlog that is small.
 */
export function reachedAt(samples: readonly SizeSample[], size: number): number {
  const first = samples[0]
  if (first === undefined) throw new Error('no samples')
  if (first.size >= size) return first.ms
  for (let i = 1; i < samples.length; i++) {
    const b = samples[i] as SizeSample
    if (b.size < size) continue
    const a = samples[i - 1] as SizeSample
    return a.ms + ((b.ms - a.ms) * (size - a.size)) / (b.size - a.size)
  }
  throw new Error(`the samples never reach size ${size} (last ${samples.at(-1)?.size})`)
}

/**
 * The rate over each tenth of a backlog of `rows` entries sealed onto an empty tree, from samples
 * that start at size 0 (when seal() was called) and end at size `rows` (when it returned).
 */
export function backlogCurve(samples: readonly SizeSample[], rows: number): BacklogCurve {
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1] as SizeSample
    const b = samples[i] as SizeSample
    if (b.ms < a.ms || b.size < a.size) throw new Error(`samples out of order at ${i}: ${a.size} then ${b.size}`)
  }
  const bounds = Array.from({ length: 11 }, (_, i) => Math.round((rows * i) / 10))
  const times = bounds.map((size) => reachedAt(samples, size))
  const tenths = bounds.slice(1).map((size, i) => {
    const from = bounds[i] as number
    return ((size - from) * 1000) / Math.max(1e-6, (times[i + 1] as number) - (times[i] as number))
  })
  const samplesPerTenth = bounds
    .slice(1)
    .map((size, i) => samples.filter((s) => s.size > (bounds[i] as number) && s.size < size).length)
  let longestGapMs = 0
  for (let i = 1; i < samples.length; i++)
    longestGapMs = Math.max(longestGapMs, (samples[i] as SizeSample).ms - (samples[i - 1] as SizeSample).ms)
  const start = tenths[0] as number
  const end = tenths[9] as number
  return { tenths, start, end, ratio: end / start, samplesPerTenth, longestGapMs }
}
