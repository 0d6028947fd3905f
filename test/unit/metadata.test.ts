import { describe, expect, test } from 'vitest'
import { METADATA_MAX_DEPTH, toStoredMetadata } from '../../src/schema/metadata.js'

describe('toStoredMetadata', () => {
  test('the JSON text is what a JSON round trip of the value gives', () => {
    const input = { b: [1, { c: 'x\u0000' }], a: new Date(0), u: undefined, long_key: null, k: true }
    const stored = toStoredMetadata(input)
    if ('field' in stored) throw new Error(stored.message)
    expect(JSON.parse(stored.json)).toEqual(stored.value)
    expect(stored.json).toBe(JSON.stringify(stored.value))
    expect(Object.keys(stored.value)).toEqual(['a', 'b', 'k', 'long_key'])
  })

  test('64 levels of objects and arrays (the top object is one) are fine; 65 are refused', () => {
    const nest = (levels: number): Record<string, unknown> => (levels === 1 ? {} : { x: nest(levels - 1) })
    expect('field' in toStoredMetadata(nest(METADATA_MAX_DEPTH))).toBe(false)
    expect(toStoredMetadata(nest(METADATA_MAX_DEPTH + 1))).toMatchObject({ message: expect.stringMatching(/deeper/) })
    expect('field' in toStoredMetadata({ a: [[[[[[1]]]]]] })).toBe(false)
  })

  test('a shared (not cyclic) object is fine', () => {
    const shared = { v: 1 }
    const stored = toStoredMetadata({ a: shared, b: shared, list: [shared, shared] })
    expect('field' in stored).toBe(false)
  })

  test('an object with a null prototype is plain', () => {
    const bare = Object.assign(Object.create(null), { a: 1 })
    expect(toStoredMetadata({ bare })).toMatchObject({ value: { bare: { a: 1 } } })
  })
})
