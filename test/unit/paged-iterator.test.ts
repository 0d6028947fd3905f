import { describe, expect, test } from 'vitest'
import { pagedIterator } from '../../src/paged-iterator.js'

// Pages of `size` over 0..total-1, each read after the last item seen, with a log of the reads.
function pages(total: number, size: number) {
  const reads: (number | undefined)[] = []
  const read = async (last: number | undefined) => {
    reads.push(last)
    const from = last === undefined ? 0 : last + 1
    return Array.from({ length: Math.max(0, Math.min(size, total - from)) }, (_, i) => from + i)
  }
  return { reads, read }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

describe('pagedIterator', () => {
  test('hands on every item in order, reading each page after the last item of the one before', async () => {
    for (const [total, size] of [
      [0, 3],
      [1, 3],
      [3, 3],
      [7, 3],
      [9, 3],
      [10, 1],
    ] as const) {
      const { reads, read } = pages(total, size)
      expect(await collect(pagedIterator(read, size))).toEqual(Array.from({ length: total }, (_, i) => i))
      // A short page is the last; a full one is followed by one more read (empty when nothing is left).
      const expected = Math.floor(total / size) + 1
      expect(reads.length, `${total} by ${size}`).toBe(expected)
      expect(reads[0]).toBeUndefined()
      for (let i = 1; i < reads.length; i++) expect(reads[i]).toBe(i * size - 1)
    }
  })

  test('reads nothing before the first next(), and nothing after return()', async () => {
    const { reads, read } = pages(10, 3)
    const items = pagedIterator(read, 3)
    expect(reads).toEqual([])
    expect(await items.next()).toEqual({ value: 0, done: false })
    for await (const item of items) if (item === 4) break // calls return()
    expect(reads).toEqual([undefined, 2])
    expect(await items.next()).toEqual({ value: undefined, done: true })
    expect(reads).toEqual([undefined, 2])
  })

  test('calls to next() made at once are served in order, with one read per page', async () => {
    const { reads, read } = pages(8, 3)
    const items = pagedIterator(read, 3)
    const results = await Promise.all(Array.from({ length: 10 }, () => items.next()))
    expect(results.map((r) => (r.done ? 'done' : r.value))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 'done', 'done'])
    expect(reads).toEqual([undefined, 2, 5])
  })

  test('a failed read rejects that next(), and the iteration ends', async () => {
    let calls = 0
    const items = pagedIterator(async (last: number | undefined) => {
      calls++
      if (last !== undefined) throw new Error('the store is down')
      return [1, 2]
    }, 2)
    const waiting = [items.next(), items.next(), items.next(), items.next()]
    const results = await Promise.allSettled(waiting)
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ message: 'the store is down' })
    expect((results[3] as PromiseFulfilledResult<IteratorResult<number>>).value.done).toBe(true)
    expect(await items.next()).toEqual({ value: undefined, done: true })
    expect(calls).toBe(2)
  })

  test('the event loop turns between two pages', async () => {
    let turns = 0
    let counting = true
    const tick = () => {
      turns++
      if (counting) setImmediate(tick)
    }
    setImmediate(tick)
    const seen: number[] = []
    const { read } = pages(12, 3)
    const items = pagedIterator(async (last: number | undefined) => {
      seen.push(turns)
      return read(last)
    }, 3)
    await collect(items)
    counting = false
    // Five reads (four full pages and an empty one); each after the first comes a turn later.
    expect(seen).toHaveLength(5)
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1] as number)
  })
})
