import { setTimeout as sleep } from 'node:timers/promises'
import { type AuditLog, type Entry, MAX_LIMIT } from '../index.js'

/** How `follow` reads: where from, how often, when to stop. */
export interface FollowOptions {
  /** The first seq to read (default: the sealed size at the start, i.e. only entries sealed from now on). */
  readonly fromSeq?: number | undefined
  readonly intervalMs: number
  /** Stop after one pass over what is sealed (sealing first). */
  readonly once?: boolean | undefined
  /** Stop once this many entries were emitted. */
  readonly maxEntries?: number | undefined
  readonly signal: AbortSignal
  /** Told the first seq once it is known. */
  readonly onStart?: (fromSeq: number) => Promise<void>
}

/**
 * Seals, then reads the sealed entries in seq order from `fromSeq`, hands those that `matches`
 * accepts to `emit`, and polls for more every `intervalMs` until the signal aborts. Reading by seq,
 * not by time, is what makes it miss nothing: an entry committed late is sealed after the ones
 * already read and so still comes next. Resolves to the seq to resume from.
 */
export async function follow(
  audit: AuditLog<string>,
  o: FollowOptions,
  matches: (entry: Entry<string>) => boolean,
  emit: (entries: Entry<string>[]) => Promise<void>,
): Promise<number> {
  const head = await audit.seal()
  let next = o.fromSeq ?? head.treeSize
  await o.onStart?.(next)
  let emitted = 0
  for (;;) {
    const batch = await audit.readSealed({ fromSeq: next, toSeq: next + MAX_LIMIT })
    const matching = batch.filter(matches)
    const shown = o.maxEntries === undefined ? matching : matching.slice(0, o.maxEntries - emitted)
    // When --max-entries cuts the batch, resume right after the last entry shown, not after the batch.
    const cut = shown.length < matching.length
    next = cut ? (shown.at(-1)?.seq ?? next - 1) + 1 : next + batch.length
    if (shown.length > 0) await emit(shown)
    emitted += shown.length
    if ((o.maxEntries !== undefined && emitted >= o.maxEntries) || o.signal.aborted) return next
    // A full batch means more is sealed already: read on without waiting (and, with --once, before stopping).
    if (batch.length === MAX_LIMIT) continue
    if (o.once) return next
    try {
      await sleep(o.intervalMs, undefined, { signal: o.signal })
    } catch {
      return next
    }
    await audit.seal()
  }
}
