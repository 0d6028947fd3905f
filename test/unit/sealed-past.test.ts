// verify's count of PostgreSQL's sealed past, instead of a scan of every entry for a seal: the
// count beside the walk serves only when the sealer's snapshot did not move; otherwise a count after
// the walk does, and an unclean walk always sends verify to the scan.
import { describe, expect, test } from 'vitest'
import { countPastBeside, PastFlagTally } from '../../src/sealing/sealed-past.js'
import type { PastCount, Store } from '../../src/store/store.js'

/**
 * A store whose entries are `past` flags (one per key 0..n-1), read in chunks, and whose
 * sealer's snapshot is whatever `snapshot()` says at each call.
 */
function fakeStore(entries: () => boolean[], snapshot: () => string | null) {
  const calls: string[] = []
  const store = {
    async lastEntryKey() {
      const n = entries().length
      return n === 0 ? null : [n - 1]
    },
    async countPast(after: readonly unknown[] | null, upTo: readonly unknown[], limit: number): Promise<PastCount> {
      const from = after === null ? 0 : Number(after[0]) + 1
      const to = Math.min(Number(upTo[0]) + 1, from + limit)
      const chunk = entries().slice(from, to)
      calls.push(limit === 1 ? 'snapshot' : `count ${from}`)
      return {
        count: chunk.length,
        past: chunk.filter(Boolean).length,
        last: chunk.length === 0 ? null : [to - 1],
        snapshot: chunk.length === 0 ? null : snapshot(),
      }
    },
  }
  return { store: store as unknown as Store, calls }
}

/** A walk that saw `sealedPast` seals of the sealed past (of `size` seals), and nothing amiss. */
function walked(size: number, sealedPast: number): PastFlagTally {
  const tally = new PastFlagTally(size)
  const row = { leaf: Buffer.alloc(32), leafText: undefined, fallback: undefined, unreadable: undefined }
  for (let seq = 0; seq < size; seq++) tally.see({ seq, row, past: seq < sealedPast })
  return tally
}

const never = () => {}

describe('countPastBeside', () => {
  test('the snapshot did not move: the count beside the walk decides, both ways', async () => {
    const past = Array.from({ length: 70_000 }, (_, i) => i < 69_000)
    const { store, calls } = fakeStore(
      () => past,
      () => 'S1',
    )
    const count = await countPastBeside(store, never)
    expect(await count.finish(walked(69_500, 69_000))).toBe(true)
    // Chunks of 65,536 entries, then the snapshot before and after: no count after the walk.
    expect(calls).toEqual(['snapshot', 'count 0', 'count 65536', 'snapshot'])
    // One entry of the sealed past the walk did not see sealed: not as many.
    const other = await countPastBeside(store, never)
    expect(await other.finish(walked(69_500, 68_999))).toBe(false)
  })

  test('the snapshot moved: the entries are counted again after the walk, and that count decides', async () => {
    let past = Array.from({ length: 100 }, (_, i) => i < 60)
    let snapshot = 'S1'
    const { store, calls } = fakeStore(
      () => past,
      () => snapshot,
    )
    const count = await countPastBeside(store, never)
    // A sealer sealed 20 more meanwhile, and the walk saw them (its state had them).
    snapshot = 'S2'
    past = Array.from({ length: 100 }, (_, i) => i < 80)
    expect(await count.finish(walked(90, 80))).toBe(true)
    expect(calls.filter((c) => c === 'count 0')).toHaveLength(2)
    // The same, with an entry of the larger sealed past that the walk did not see sealed.
    snapshot = 'S1'
    past = Array.from({ length: 100 }, (_, i) => i < 60)
    const again = await countPastBeside(store, never)
    snapshot = 'S3'
    past = Array.from({ length: 100 }, (_, i) => i < 81)
    expect(await again.finish(walked(90, 80))).toBe(false)
  })

  test('a walk that could not say, or no entries: the scan decides', async () => {
    const { store } = fakeStore(
      () => [true, true],
      () => 'S1',
    )
    const tally = new PastFlagTally(2)
    tally.see({ seq: 0, row: null, past: null })
    tally.see({
      seq: 1,
      row: { leaf: Buffer.alloc(32), leafText: undefined, fallback: undefined, unreadable: undefined },
      past: undefined,
    })
    expect(tally.sealed).toBeUndefined()
    expect(await (await countPastBeside(store, never)).finish(tally)).toBe(false)
    const beyond = new PastFlagTally(1)
    beyond.see({ seq: 1, row: null, past: true })
    expect(beyond.sealed).toBeUndefined()
    const empty = fakeStore(
      () => [],
      () => 'S1',
    )
    expect(await (await countPastBeside(empty.store, never)).finish(walked(0, 0))).toBe(false)
  })
})
