// The background sealer's schedule: the interval while rounds succeed, 100 ms doubling to 5 s
// while they fail, back to the interval after a success, and a prompt stop. The store is a stand-in
// whose batches fail on demand: this is the scheduling alone (fault tests run it on real databases).
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { LogSealer } from '../../src/sealing/log-sealer.js'
import type { SealOutcome, Store } from '../../src/store/store.js'

const DONE: SealOutcome = { sealed: 0, size: 0, busy: false, sweepContinued: false, sweepEnded: true }

function fakeStore(fail: () => boolean) {
  const calls: number[] = []
  const store = {
    sealBatch: async () => {
      calls.push(Date.now())
      if (fail()) throw new Error('connection refused')
      return DONE
    },
    sealState: async () => ({ size: 0, frontier: Buffer.alloc(0) }),
  } as unknown as Store
  return { store, calls }
}

describe('LogSealer: background schedule', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }))
  afterEach(() => vi.useRealTimers())

  test('fails: 100 ms doubling to 5 s, each failure reported; the first success brings the interval back', async () => {
    let failing = true
    const { store, calls } = fakeStore(() => failing)
    const errors: unknown[] = []
    const sealer = new LogSealer(store, 100, 1000, (e) => errors.push(e))
    sealer.start()
    await vi.advanceTimersByTimeAsync(1000 + 100 + 200 + 400 + 800 + 1600 + 3200 + 5000 + 5000)
    const gaps = calls.slice(1).map((t, i) => t - (calls[i] as number))
    expect(calls[0]).toBe(1000)
    expect(gaps).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000])
    expect(errors).toHaveLength(9)
    failing = false
    await vi.advanceTimersByTimeAsync(5000)
    const recovered = calls.length
    await vi.advanceTimersByTimeAsync(3000)
    expect(calls.length - recovered).toBe(3) // every 1000 ms again
    expect(errors).toHaveLength(9)
    await sealer.stop()
  })

  test('a throwing onSealError does not stop sealing', async () => {
    const { store, calls } = fakeStore(() => true)
    const sealer = new LogSealer(store, 100, 50, () => {
      throw new Error('handler bug')
    })
    sealer.start()
    await vi.advanceTimersByTimeAsync(50 + 100 + 200 + 400)
    expect(calls).toHaveLength(4)
    await sealer.stop()
  })

  test('stop() cancels a pending retry at once and nothing runs after it', async () => {
    const { store, calls } = fakeStore(() => true)
    const sealer = new LogSealer(store, 100, 10, () => {})
    sealer.start()
    await vi.advanceTimersByTimeAsync(10 + 100 + 200)
    const before = calls.length
    await sealer.stop()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(calls).toHaveLength(before)
  })
})
