// follow(), the loop behind `auditkit tail`, on a stand-in log: backlogs larger than one read,
// --max-entries cutting a batch, --once, and a stop signal. The binary's own tests run it on real
// databases (query-commands.test.ts).
import { describe, expect, test } from 'vitest'
import { follow } from '../../src/cli/follow.js'
import type { AuditLog, Entry } from '../../src/index.js'

/** A log of `size` sealed entries (action by seq: even `a`, odd `b`) that grows by `grow` on every seal. */
function fakeLog(size: number, grow = 0) {
  const calls = { seal: 0, reads: [] as [number, number][] }
  let sealed = size
  const entry = (seq: number) => ({ seq, action: seq % 2 === 0 ? 'a' : 'b' }) as unknown as Entry<string>
  const log = {
    async seal() {
      if (calls.seal++ > 0) sealed += grow
      return { sealed: 0, treeSize: sealed }
    },
    async readSealed({ fromSeq, toSeq }: { fromSeq: number; toSeq: number }) {
      calls.reads.push([fromSeq, toSeq])
      const to = Math.min(toSeq, sealed)
      return Array.from({ length: Math.max(0, to - fromSeq) }, (_, i) => entry(fromSeq + i))
    },
  }
  return { audit: log as unknown as AuditLog<string>, calls }
}

const never = new AbortController().signal

describe('follow', () => {
  test('--once reads a backlog larger than one read to its end, in seq order, and returns the next seq', async () => {
    const { audit, calls } = fakeLog(25_000)
    const seen: number[] = []
    const next = await follow(
      audit,
      { fromSeq: 3, intervalMs: 0, once: true, signal: never },
      () => true,
      async (entries) => {
        seen.push(...entries.map((e) => e.seq ?? -1))
      },
    )
    expect(next).toBe(25_000)
    expect(seen).toEqual(Array.from({ length: 24_997 }, (_, i) => i + 3))
    expect(calls.reads.map(([from]) => from)).toEqual([3, 10_003, 20_003])
  })

  test('starts at the sealed size by default, and stops after --max-entries, resuming after the last one shown', async () => {
    const { audit } = fakeLog(10, 7)
    const seen: number[] = []
    const next = await follow(
      audit,
      { intervalMs: 0, maxEntries: 5, signal: never },
      (e) => e.action === 'b',
      async (entries) => {
        seen.push(...entries.map((e) => e.seq ?? -1))
      },
    )
    // Sealed sizes 10, 17, 24: the odd seqs from 10 on, cut after the fifth.
    expect(seen).toEqual([11, 13, 15, 17, 19])
    expect(next).toBe(20)
  })

  test('a stop signal ends the wait between polls', async () => {
    const { audit } = fakeLog(5)
    const stop = new AbortController()
    const started = Date.now()
    const following = follow(
      audit,
      { intervalMs: 60_000, signal: stop.signal },
      () => true,
      async () => {},
    )
    setTimeout(() => stop.abort(), 50)
    expect(await following).toBe(5)
    expect(Date.now() - started).toBeLessThan(5_000)
  })
})
