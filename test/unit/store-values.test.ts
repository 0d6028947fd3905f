import { describe, expect, test } from 'vitest'
import { dateOfMs } from '../../src/store/entry-values.js'
import { parseBytea } from '../../src/store/postgres/pg-types.js'

describe('values as the stores read them', () => {
  test('dateOfMs takes epoch milliseconds as a number, its text or a BigInt, and a Date as it is', () => {
    const ms = 1_764_400_000_123
    for (const value of [ms, String(ms), BigInt(ms), `${ms}.0`]) expect(dateOfMs(value).getTime()).toBe(ms)
    const date = new Date(ms)
    expect(dateOfMs(date)).toBe(date)
    expect(dateOfMs('-1000').toISOString()).toBe('1969-12-31T23:59:59.000Z')
    expect(Number.isNaN(dateOfMs('Infinity').getTime())).toBe(true)
  })

  test('parseBytea reads both of PostgreSQL bytea output formats', () => {
    const bytes = Buffer.from([0, 1, 92, 39, 97, 127, 128, 255])
    expect(parseBytea(`\\x${bytes.toString('hex')}`)).toEqual(bytes)
    // escape: printable ASCII as itself, a backslash doubled, every other byte as \ooo
    expect(parseBytea("\\000\\001\\\\'a\\177\\200\\377")).toEqual(bytes)
    expect(parseBytea('')).toEqual(Buffer.alloc(0))
    expect(parseBytea('\\x')).toEqual(Buffer.alloc(0))
  })
})
