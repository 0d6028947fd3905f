import { describe, expect, test } from 'vitest'
import { MAX_CLOCK_REGRESSION_MS, uuidV7, uuidV7Ms } from '../../src/uuid-v7.js'

const FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('uuidV7', () => {
  test('is a version 7, variant 10 UUID whose timestamp is the returned ms', () => {
    for (let i = 0; i < 5000; i++) {
      const { uuid, ms } = uuidV7()
      expect(uuid).toMatch(FORMAT)
      expect(uuidV7Ms(uuid)).toBe(ms)
    }
  })

  test('is strictly increasing, within one millisecond and past 4096 ids in it', () => {
    const now = Date.now() + 20_000
    const ids = Array.from({ length: 10_000 }, () => uuidV7(now))
    for (let i = 1; i < ids.length; i++) expect(ids[i]!.uuid > ids[i - 1]!.uuid).toBe(true)
    expect(ids[0]!.ms).toBe(now)
    expect(ids.at(-1)!.ms).toBeGreaterThan(now)
  })

  test('stays monotonic over a small clock step back and follows a large one', () => {
    const t = Date.now() + 40_000
    const a = uuidV7(t)
    const b = uuidV7(t - 5)
    expect(b.uuid > a.uuid).toBe(true)
    const c = uuidV7(t - MAX_CLOCK_REGRESSION_MS - 1)
    expect(c.ms).toBe(t - MAX_CLOCK_REGRESSION_MS - 1)
  })

  test('random bits differ between ids', () => {
    const tails = new Set(Array.from({ length: 2000 }, () => uuidV7().uuid.slice(19)))
    expect(tails.size).toBe(2000)
  })
})
