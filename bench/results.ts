import type { EngineName } from './args.js'
import type { Latency } from './stats.js'

/** One figure: auditkit and the raw driver doing the same work in the same run. */
export type Figure =
  | { readonly kind: 'rate'; readonly unit: string; readonly auditkit: number; readonly raw: number }
  | { readonly kind: 'latency'; readonly auditkit: Latency; readonly raw: Latency }

export interface Result {
  /** Stable key the targets refer to. */
  readonly id: string
  /** What auditkit does, and (after "vs") what the raw driver does when it is not obvious. */
  readonly label: string
  readonly figure: Figure
}

/** pageLogs' first page and a page at depth 90%, measured interleaved (both through auditkit). */
export interface CursorDepth {
  readonly shallow: Latency
  readonly deep: Latency
}

/** A plan of one of auditkit's queries. */
export interface Plan {
  readonly label: string
  readonly text: string
}

/** Everything measured on one engine. */
export interface EngineRun {
  readonly engine: EngineName
  /** Entries in the table when the reads ran. */
  readonly rows: number
  readonly settings: Record<string, string>
  readonly results: readonly Result[]
  readonly cursorDepth: CursorDepth
  /** Figures without an auditkit counterpart, and how the data was made. */
  readonly notes: readonly string[]
  readonly plans: readonly Plan[]
  readonly seconds: number
}

/** auditkit's figure over the raw driver's: above 1 means auditkit is faster. */
export function ratio(figure: Figure, which: 'p50' | 'p99' = 'p50'): number {
  if (figure.kind === 'rate') return figure.auditkit / figure.raw
  return figure.raw[which] / figure.auditkit[which]
}
