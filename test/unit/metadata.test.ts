import { describe, expect, test } from 'vitest'
import { METADATA_MAX_BYTES, METADATA_MAX_DEPTH, toStoredMetadata } from '../../src/schema/metadata.js'
import { seededRandom } from '../verify/random-entry.js'

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

const TOO_LARGE = `is larger than ${METADATA_MAX_BYTES} bytes as JSON`

// Counts the reads of an array's items or an object's values, to show that a refusal came before
// the whole input was walked.
function counted<T extends object>(target: T): { value: T; reads: () => number } {
  let reads = 0
  const value = new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key === 'string' && key !== 'length' && key !== 'constructor') reads++
      return Reflect.get(t, key, receiver)
    },
  })
  return { value, reads: () => reads }
}

// `{"s":"…"}` holding `count` copies of `char`.
const withString = (char: string, count: number) => ({ s: char.repeat(count) })

describe('toStoredMetadata: the size limit', () => {
  test('many keys: refused with the size issue, after reading about the limit’s worth of values', () => {
    const target: Record<string, unknown> = { a: () => 1 } // a later problem the size issue comes before
    for (let i = 0; i < 100_000; i++) target[`key${i}`] = i
    const { value, reads } = counted(target)
    expect(toStoredMetadata(value)).toEqual({ field: 'metadata', message: TOO_LARGE })
    expect(reads()).toBeLessThan(METADATA_MAX_BYTES / 5) // a kept key is at least 5 bytes
    expect(toStoredMetadata(target, '[3].metadata')).toEqual({ field: '[3].metadata', message: TOO_LARGE })
  })

  test('a huge array: refused before its items are read', () => {
    const { value, reads } = counted([...Array.from({ length: 1_000_000 }, () => 1), undefined])
    expect(toStoredMetadata({ list: value })).toEqual({ field: 'metadata', message: TOO_LARGE })
    expect(reads()).toBeLessThan(METADATA_MAX_BYTES / 2) // an item is at least 2 bytes with its comma
    expect(toStoredMetadata({ holes: new Array(2 ** 32 - 1) }, '[3].metadata')).toEqual({
      field: '[3].metadata',
      message: TOO_LARGE,
    })
  })

  test('one huge string, or one huge key: refused before what follows is looked at', () => {
    const huge = 'x'.repeat(10_000_000)
    expect(toStoredMetadata({ a: huge, b: () => 1 })).toEqual({ field: 'metadata', message: TOO_LARGE })
    expect(toStoredMetadata({ a: [huge, 1n] }, '[3].metadata')).toEqual({ field: '[3].metadata', message: TOO_LARGE })
    expect(toStoredMetadata({ [huge]: 1, a: Symbol('later') })).toEqual({ field: 'metadata', message: TOO_LARGE })
  })

  test('deep and wide (one object shared a million times): refused after about the limit’s worth', () => {
    const { value: leaf, reads } = counted({ v: 'leaf' })
    let tree: Record<string, unknown> = leaf
    for (let i = 0; i < 20; i++) tree = { a: tree, b: [tree] }
    expect(toStoredMetadata(tree, '[3].metadata')).toEqual({ field: '[3].metadata', message: TOO_LARGE })
    expect(reads()).toBeLessThan(METADATA_MAX_BYTES / 2)
  })

  test('too large deep inside: the issue names the metadata field, not the nested path', () => {
    let deep: Record<string, unknown> = { end: true }
    for (let i = 0; i < METADATA_MAX_DEPTH - 2; i++) deep = { x: deep, text: 'y'.repeat(2000) }
    expect(toStoredMetadata({ deep })).toEqual({ field: 'metadata', message: TOO_LARGE })
    expect(toStoredMetadata({ deep }, '[3].metadata')).toEqual({ field: '[3].metadata', message: TOO_LARGE })
  })

  test('exactly at the limit is accepted, one byte more is refused, for every kind of character', () => {
    // `{"s":"` and `"}` are 8 bytes; each case gives the count for exactly 65,536 bytes.
    const cases: [string, number][] = [
      ['x', METADATA_MAX_BYTES - 8], // 1 byte
      ['\u00e9', (METADATA_MAX_BYTES - 8) / 2], // 2 bytes
      ['\u20ac', (METADATA_MAX_BYTES - 8 - 2) / 3], // 3 bytes, and an `x` for the 2 left over
      ['\u{1f600}', (METADATA_MAX_BYTES - 8) / 4], // 4 bytes, two UTF-16 units
      ['\n', (METADATA_MAX_BYTES - 8) / 2], // `\n`
      ['"', (METADATA_MAX_BYTES - 8) / 2], // `\"`
      ['\u0001', (METADATA_MAX_BYTES - 8 - 2) / 6], // `\u0001`, and an `x` for the 2 left over
      ['\u0000', (METADATA_MAX_BYTES - 8 - 2) / 3], // stored as U+FFFD
    ]
    for (const [char, count] of cases) {
      const rest =
        METADATA_MAX_BYTES - 8 - Buffer.byteLength(JSON.stringify(storedForm(char.repeat(count))).slice(1, -1))
      const at = { s: char.repeat(count) + 'x'.repeat(rest) }
      const stored = toStoredMetadata(at)
      if ('field' in stored) throw new Error(`${JSON.stringify(char)}: ${stored.message}`)
      expect(Buffer.byteLength(stored.json)).toBe(METADATA_MAX_BYTES)
      expect(toStoredMetadata({ s: `${at.s}x` })).toEqual({ field: 'metadata', message: TOO_LARGE })
    }
    expect(Buffer.byteLength(JSON.stringify(withString('x', METADATA_MAX_BYTES - 9)))).toBe(METADATA_MAX_BYTES - 1)
    expect('field' in toStoredMetadata(withString('x', METADATA_MAX_BYTES - 9))).toBe(false)
  })

  test('exactly at the limit with many small members, where the running count is exact', () => {
    // Every member `"kNNNNN":0,` is 11 bytes, `{` and `}` 2, the comma after the last one dropped.
    const members = Math.floor((METADATA_MAX_BYTES - 1) / 11)
    const at: Record<string, unknown> = { pad: '' }
    for (let i = 0; i < members - 1; i++) at[`k${String(i).padStart(5, '0')}`] = i % 10
    const missing = METADATA_MAX_BYTES - Buffer.byteLength(JSON.stringify(at))
    at.pad = 'x'.repeat(missing)
    const stored = toStoredMetadata(at)
    if ('field' in stored) throw new Error(stored.message)
    expect(Buffer.byteLength(stored.json)).toBe(METADATA_MAX_BYTES)
    const over = toStoredMetadata({ ...at, pad: `${at.pad}x` })
    expect(over).toEqual({ field: 'metadata', message: TOO_LARGE })
  })

  test('keys that clean to one key are refused, never one of them dropped', () => {
    const message = 'is the same key as another once NUL and lone surrogates are replaced by U+FFFD'
    expect(toStoredMetadata({ 'a\u0000': 1, 'a\ufffd': 2 })).toEqual({ field: 'metadata.a\ufffd', message })
    expect(toStoredMetadata({ x: { 'k\ud800': 1, 'k\udfff': 2 } }, '[3].metadata')).toMatchObject({ message })
    // One key cleaned, nothing else the same: stored under its clean form.
    expect(toStoredMetadata({ 'a\u0000': 1, b: 2 })).toMatchObject({ value: { 'a\ufffd': 1, b: 2 } })
    // A colliding key whose value is undefined is no key at all.
    expect(toStoredMetadata({ 'a\u0000': undefined, 'a\ufffd': 2 })).toMatchObject({ value: { 'a\ufffd': 2 } })
  })
})

describe('toStoredMetadata: the size limit (property)', () => {
  test('accepted exactly when the stored JSON is at most the limit, whatever the characters', () => {
    for (let run = 0; run < 400; run++) {
      const g = generator(run)
      const tight = run % 3 === 0 // ASCII without escapes, one-digit numbers, Dates: the running count is exact
      const input = randomObject(g, tight)
      const padChar = tight ? 'x' : g.pick(['x', '\u00e9', '\u20ac', '\u{1f600}'])
      input['~pad'] = ''
      const unpadded = exactSize(input)
      const target = METADATA_MAX_BYTES + g.int(13) - 6
      input['~pad'] = padChar.repeat(Math.max(0, Math.floor((target - unpadded) / Buffer.byteLength(padChar))))
      const exact = exactSize(input)
      const stored = toStoredMetadata(input)
      if ('field' in stored) {
        expect(exact, `run ${run}: refused at ${exact} bytes`).toBeGreaterThan(METADATA_MAX_BYTES)
        expect(stored).toEqual({ field: 'metadata', message: TOO_LARGE })
      } else {
        expect(exact, `run ${run}: accepted at ${exact} bytes`).toBeLessThanOrEqual(METADATA_MAX_BYTES)
        expect(Buffer.byteLength(stored.json)).toBe(exact)
        expect(JSON.parse(stored.json)).toEqual({ ...(storedForm(input) as object) })
      }
    }
  })
})

// What the stored copy holds, written from the rules (strings cleaned, Dates as ISO strings, -0
// as 0, `undefined` properties dropped); key order aside.
function storedForm(value: unknown): unknown {
  if (typeof value === 'string') return value.toWellFormed().replaceAll('\u0000', '\ufffd')
  if (Array.isArray(value)) return value.map(storedForm)
  if (value instanceof Date) return value.toISOString()
  if (Object.is(value, -0)) return 0
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = Object.create(null)
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[storedForm(k) as string] = storedForm(v)
  return out
}

function exactSize(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(storedForm(value)))
}

interface Generator {
  int(n: number): number
  pick<T>(list: readonly T[]): T
}

// A small seeded generator (mulberry32) so a failure reproduces.
function generator(seed: number): Generator {
  const next = seededRandom(seed)
  const int = (n: number) => Math.floor(next() * n)
  return { int, pick: (list) => list[int(list.length)]! }
}

// ASCII, 2-, 3- and 4-byte characters, what JSON escapes, and what the stored copy replaces.
const WIDE_CHARS = ['a', 'Z', ' ', '\u00e9', '\u20ac', '\u2028', '\u{1f600}', '"', '\\', '\n', '\u0001', '\u001f']
const UNSTORABLE = ['\u0000', '\ud800', '\udfff', '\ufffd']
const WIDE_NUMBERS = [-0, 0, 7, -12, 0.5, 1e21, 5e-324, -1.7976931348623157e308, 123456789]

function randomText(g: Generator, tight: boolean, key: boolean): string {
  const long = !key && g.int(20) === 0
  const length = key ? 1 + g.int(3) : g.int(long ? 3000 : 12)
  let s = ''
  for (let i = 0; i < length; i++) {
    if (tight) s += g.pick(['a', 'b', '0', ' ', '~'])
    else s += key || g.int(4) === 0 ? g.pick([...UNSTORABLE, 'a', '\u00e9']) : g.pick(WIDE_CHARS)
  }
  return s
}

function randomValue(g: Generator, tight: boolean, depth: number): unknown {
  const r = g.int(depth > 0 ? 9 : 6)
  if (r === 0) return g.pick([null, true, false])
  if (r === 1) return tight ? g.int(10) : g.pick(WIDE_NUMBERS)
  if (r === 2) return new Date(g.pick([g.int(2 ** 40), 8.64e15, -8.64e15])) // ASCII, 24 or 27 characters
  if (r <= 5) return randomText(g, tight, false)
  if (r <= 6) return Array.from({ length: g.int(6) }, () => randomValue(g, tight, depth - 1))
  return randomObject(g, tight, depth - 1)
}

function randomObject(g: Generator, tight: boolean, depth = 3): Record<string, unknown> {
  const object: Record<string, unknown> = {}
  const size = depth === 3 ? g.int(400) : g.int(8)
  const cleaned = new Set<unknown>()
  for (let i = 0; i < size; i++) {
    const key = randomText(g, tight, true)
    // Keys that clean to one are refused (tested above): this test is about the size alone.
    if (cleaned.has(storedForm(key)) && !(key in object)) continue
    cleaned.add(storedForm(key))
    object[key] = g.int(10) === 0 ? undefined : randomValue(g, tight, depth)
  }
  return object
}
