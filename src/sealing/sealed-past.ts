import { nextTurn } from '../slices.js'
import type { SealedPosition, SealedRow, Store, WalkRow } from '../store/store.js'

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

/** Entries per statement of verify's count of the sealed past (PostgreSQL: no probe of the seals). */
const PAST_COUNT_CHUNK = 65_536

/**
 * Where the store says of each sealed entry whether it lies in the sealed past (PostgreSQL), how
 * many of the seals of the sealer's tree the walk saw name such an entry. Seals name distinct
 * entries (their uuids are unique), and the sealed past only grows while verify runs; so if the
 * entries in the sealed past, counted after the walk, are as many, every one of them has one of
 * those seals, and the scan for unsealed entries (a probe of the seals per entry) can be skipped.
 * Anything else (a seal past the tree, a row that does not say) sends verify to the scan.
 */
export class PastFlagTally {
  #seen = 0
  #clean = true

  constructor(readonly size: number) {}

  see(row: Pick<WalkRow, 'seq' | 'row' | 'past'>): void {
    if (!this.#clean) return
    if (row.seq >= this.size || (row.row !== null && (row.past === undefined || row.past === null))) {
      this.#clean = false
      return
    }
    if (row.past === true) this.#seen++
  }

  /** The seals seen that name an entry of the sealed past; undefined when the walk could not show it. */
  get sealed(): number | undefined {
    return this.#clean ? this.#seen : undefined
  }
}

/**
 * Counts the entries of the sealed past, up to the last entry now, beside verify's walk; `finish`
 * then says whether they are exactly as many as the walk saw sealed there, so that none is without
 * a seal. Sound because seals name distinct entries and the sealed past only grows: a count made
 * after the walk, in a sealed past at least as large as any the walk read, can only match if the
 * walk saw every entry of it sealed. The count beside the walk is used when the sealer's snapshot
 * did not move from before the walk to after the count (both read one and the same sealed past);
 * when it moved (a sealer at work meanwhile), the entries are counted again after the walk.
 * `checkAbort` runs before each statement.
 */
export async function countPastBeside(
  store: Store,
  checkAbort: () => void,
): Promise<{ finish(tally: PastFlagTally): Promise<boolean> }> {
  const countPast = store.countPast?.bind(store)
  const upTo = await store.lastEntryKey()
  if (countPast === undefined || upTo === null) return { finish: async () => false }
  const snapshot = async () => (await countPast(null, upTo, 1)).snapshot
  const countAll = async () => {
    let past = 0
    for (let after: readonly unknown[] | null = null; ; ) {
      checkAbort()
      const chunk = await countPast(after, upTo, PAST_COUNT_CHUNK)
      past += chunk.past
      if (chunk.count < PAST_COUNT_CHUNK || chunk.last === null) return past
      after = chunk.last
    }
  }
  const before = await snapshot()
  const counting = countAll()
  // Awaited by finish(); a walk that fails first must not leave it unhandled.
  counting.catch(() => {})
  return {
    async finish(tally) {
      const sealed = tally.sealed
      if (sealed === undefined) return false
      const beside = await counting
      const still = before !== null && (await snapshot()) === before
      return (still ? beside : await countAll()) === sealed
    },
  }
}
