import type { EngineName } from './args.js'
import type { Latency } from './stats.js'

/**
 * One figure: auditkit and the raw driver doing the same work in the same run on auditkit's
 * schema, and (where it has a counterpart) the seed's design doing it on the seed's schema.
 */
export type Figure =
  | {
      readonly kind: 'rate'
      readonly unit: string
      readonly auditkit: number
      readonly raw: number
      /** When the runs were paired: the median of the pairs' ratios, shown instead of auditkit / raw. */
      readonly pairedRatio?: number
      /** The seed's design doing the same work in the same run, when it has a counterpart. */
      readonly seed?: number
    }
  | { readonly kind: 'latency'; readonly auditkit: Latency; readonly raw: Latency; readonly seed?: Latency }

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

/** The tamper-evidence suite on one engine. */
export interface TamperRun {
  /** Sealed entries in the log when verify and the inclusion proofs ran. */
  readonly sealedEntries: number
  readonly results: readonly Result[]
  readonly notes: readonly string[]
  readonly seconds: number
}

/** Everything measured on one engine. */
export interface EngineRun {
  readonly engine: EngineName
  /** Entries in the table when the reads ran (or, for a tamper-only run, in the sealed log). */
  readonly rows: number
  readonly settings: Record<string, string>
  /** The main suite's results (empty when it did not run). */
  readonly results: readonly Result[]
  /** Absent when the main suite did not run. */
  readonly cursorDepth: CursorDepth | undefined
  /** Figures without an auditkit counterpart, and how the data was made. */
  readonly notes: readonly string[]
  readonly plans: readonly Plan[]
  readonly tamper: TamperRun | undefined
  readonly seconds: number
}

/** auditkit's figure over the raw driver's: above 1 means auditkit is faster. */
export function ratio(figure: Figure, which: 'p50' | 'p99' = 'p50'): number {
  if (figure.kind === 'rate') return figure.pairedRatio ?? figure.auditkit / figure.raw
  return figure.raw[which] / figure.auditkit[which]
}

/** auditkit's figure over the seed design's, above 1 when auditkit is faster; undefined without one. */
export function seedRatio(figure: Figure, which: 'p50' | 'p99' = 'p50'): number | undefined {
  if (figure.seed === undefined) return undefined
  if (figure.kind === 'rate') return figure.auditkit / figure.seed
  return figure.seed[which] / figure.auditkit[which]
}
