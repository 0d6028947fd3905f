import { nextTurn } from '../slices.js'
import type { SealedPosition, SealedRow, Store } from '../store/store.js'

/**
 * Entries per statement when verify counts the entries of the sealed past: as many as a chunk of
 * its scan, so that no synchronous SQLite statement of verify's runs long.
 */
const COUNT_CHUNK = 4096

/**
 * Where entries are sealed in the order of a position (SQLite: the rowid), what the walk of the
 * seals shows of the sealed past, so that the scan of every entry can be skipped: the seals of
 * the sealer's tree name entries in strictly increasing position, all at or before its last
 * sealed position. Then, if the entries up to that position are as many as those seals, every
 * one of them has a seal (the positions are distinct). Anything else (a seal past the tree, a
 * position out of order or past the last sealed one) sends verify to the full scan, which names
 * the entries.
 */
export class SealedPastTally {
  #last = Number.NEGATIVE_INFINITY
  #seen = 0
  #clean = true

  constructor(readonly past: SealedPosition) {}

  see(row: Pick<SealedRow, 'seq' | 'position'>): void {
    if (!this.#clean) return
    if (row.seq >= this.past.size) {
      this.#clean = false
      return
    }
    const position = row.position
    // An entry that is gone is reported by the walk; its seal names no entry to count.
    if (position === null) return
    if (position === undefined || !(position > this.#last) || position > this.past.position) {
      this.#clean = false
      return
    }
    this.#last = position
    this.#seen++
  }

  /** The seals seen name every entry up to the sealed position; undefined when the walk could not show it. */
  get sealed(): number | undefined {
    return this.#clean ? this.#seen : undefined
  }
}

/**
 * Whether the entries up to the sealed position are exactly those the walk saw sealed (no scan
 * needed). `checkAbort` runs before each statement and throws to stop.
 */
export async function pastAllSealed(store: Store, tally: SealedPastTally, checkAbort: () => void): Promise<boolean> {
  const sealed = tally.sealed
  if (sealed === undefined) return false
  const { position } = tally.past
  let entries = 0
  // From the lowest position there is (raw SQL may store rowids at or below 0), a chunk of rows at a time.
  for (let after = Number.NEGATIVE_INFINITY; entries <= sealed; ) {
    checkAbort()
    const chunk = await store.countPositions(after, position, COUNT_CHUNK)
    entries += chunk.count
    if (chunk.count < COUNT_CHUNK || chunk.last === null) break
    after = chunk.last
    await nextTurn()
  }
  return entries === sealed
}
