import { describe, expect, test } from 'vitest'
import { canonicalJson, canonicalJsonOfText } from '../../src/tlog/canonical-json.js'
import { canonicalObjectTextOf, isCanonicalObjectText } from '../../src/tlog/canonical-text.js'
import { randomEntry, seededRandom } from '../verify/random-entry.js'

/** The random entry generator's metadata as an object: itself when it is one, else wrapped in one. */
function randomMetadataObject(random: () => number): object {
  const metadata = randomEntry(random).metadata
  return typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) ? metadata : { v: metadata }
}

/** When the scanner accepts a text, it must be exactly the canonical JSON of what it parses to. */
function expectSound(text: string): boolean {
  const accepted = isCanonicalObjectText(text)
  if (accepted) expect(canonicalJsonOfText(text)?.json).toBe(text)
  return accepted
}

describe('isCanonicalObjectText', () => {
  test('accepts only text that is its own canonical JSON, for random metadata written both ways', () => {
    const random = seededRandom(99)
    let accepted = 0
    for (let i = 0; i < 3000; i++) {
      const wrapped = randomMetadataObject(random)
      if (expectSound(canonicalJson(wrapped))) accepted++
      expectSound(JSON.stringify(wrapped))
      expectSound(JSON.stringify(wrapped, null, 1))
    }
    expect(accepted).toBeGreaterThan(100)
  })

  test.each([
    ['{}', true],
    ['{"a":1,"b":[true,false,null,"x",{"c":-1.5e-7}]}', true],
    ['{"1":0,"10":1,"2":2}', true],
    ['{"__proto__":{"x":1},"a":2}', true],
    ['{"a":"é\u2028\u007f"}', true],
    ['{"a":1e+21}', true],
    ['{"b":1,"a":2}', false],
    ['{"a":1,"a":2}', false],
    ['{"a": 1}', false],
    [' {"a":1}', false],
    ['{"a":1} ', false],
    ['{"a":1.0}', false],
    ['{"a":-0}', false],
    ['{"a":1E+21}', false],
    ['{"a":1e21}', false],
    ['{"a":01}', false],
    ['{"a":.5}', false],
    ['{"a":1e400}', false],
    ['{"a":"\\n"}', false],
    ['{"a":"\\u00e9"}', false],
    ['{"a":"\ud800"}', false],
    ['{"a":"\ud83d\ude00"}', false],
    ['{"a":[1,]}', false],
    ['{"a":tru}', false],
    ['{"a":1', false],
    ['{"a"', false],
    ['[1]', false],
    ['"a"', false],
    ['', false],
    [`{"a":${'['.repeat(70)}${']'.repeat(70)}}`, false],
  ])('%s: %s', (text, expected) => {
    expect(isCanonicalObjectText(text)).toBe(expected)
    expectSound(text)
  })
})

describe('canonicalObjectTextOf: canonical text, or canonical but for jsonb spaces', () => {
  test.each([
    ['{"a":1}', '{"a":1}'],
    ['{"a": 1}', '{"a":1}'],
    ['{"a": [1, "x, y: z", {"b": null}], "bb": {}}', '{"a":[1,"x, y: z",{"b":null}],"bb":{}}'],
    ['{"a": [], "b": {}}', '{"a":[],"b":{}}'],
    ['{"a":  1}', undefined],
    ['{"a" : 1}', undefined],
    ['{ "a": 1}', undefined],
    ['{"a": 1 }', undefined],
    ['{"a": 1,"b": 2}', '{"a":1,"b":2}'],
    ['{"b": 1, "aa": 2}', '{"aa":2,"b":1}'],
    ['{"b":1,"aa":2}', '{"aa":2,"b":1}'],
    ['{"n": 1, "tags": ["a", {"z": 1, "y": [2]}], "reason": "x"}', '{"n":1,"reason":"x","tags":["a",{"y":[2],"z":1}]}'],
    ['{"b": 1, "a": 2, "b": 3}', undefined],
    ['{"b": 1, "a": 2, "a": 3}', undefined],
    ['{"b": {"d": 1, "c": 2, "d": 3}, "a": 1}', undefined],
    ['{"b": 1, "a": 1.0}', undefined],
    ['{"b": 1, "a": "\n"}', undefined],
    ['{"b": 1, "a":  2}', undefined],
    ['{"a": 1.0}', undefined],
    ['{"a": "\\n"}', undefined],
  ])('%s', (text, expected) => {
    const got = canonicalObjectTextOf(text)
    expect(got).toBe(expected)
    if (got !== undefined) expect(canonicalJsonOfText(text)?.json).toBe(got)
  })

  test('is the canonical JSON whenever it answers, for random metadata written with spaces', () => {
    const random = seededRandom(101)
    let answered = 0
    for (let i = 0; i < 3000; i++) {
      const wrapped = randomMetadataObject(random)
      for (const text of [
        jsonbText(wrapped),
        JSON.stringify(wrapped, null, 1).replace(/\n */g, ''),
        canonicalJson(wrapped).replace(/([,:])/g, '$1 '),
        JSON.stringify(wrapped),
      ]) {
        const got = canonicalObjectTextOf(text)
        if (got === undefined) continue
        answered++
        expect(got).toBe(canonicalJsonOfText(text)?.json)
      }
    }
    expect(answered).toBeGreaterThan(300)
  })

  test('sorts the members of jsonb text at every depth: the leaf of metadata PostgreSQL wrote out', () => {
    const random = seededRandom(103)
    let reordered = 0
    for (let i = 0; i < 3000; i++) {
      // Plain metadata (keys of 1-8 letters, numbers, words, nesting) and the generator's harder kind.
      const text = jsonbText(i % 2 === 0 ? plainObject(random, 0) : randomMetadataObject(random))
      const got = canonicalObjectTextOf(text)
      if (got === undefined) continue
      expect(got).toBe(canonicalJsonOfText(text)?.json)
      if (got !== text.replace(/([,:]) /g, '$1')) reordered++
    }
    expect(reordered).toBeGreaterThan(700)
  })
})

/** JSON as PostgreSQL writes jsonb out: object keys by length, then bytes; a space after each `,` and `:`. */
function jsonbText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null'
  const keys = Object.keys(value).sort((a, b) => {
    const x = Buffer.from(a)
    const y = Buffer.from(b)
    return x.length - y.length || Buffer.compare(x, y)
  })
  return `{${keys.map((k) => `${JSON.stringify(k)}: ${jsonbText((value as Record<string, unknown>)[k])}`).join(', ')}}`
}

/** An object of plain values: keys of 1-8 letters, integers and decimals, words, booleans, null, nesting. */
function plainObject(random: () => number, depth: number): Record<string, unknown> {
  const value = (): unknown => {
    const pick = random()
    if (depth < 3 && pick < 0.1) return plainObject(random, depth + 1)
    if (depth < 3 && pick < 0.2) return [value(), value()]
    if (pick < 0.4) return Math.floor(random() * 2000) - 1000
    if (pick < 0.5) return random() * 1e6
    if (pick < 0.8) return 'word'.repeat(Math.floor(random() * 3))
    return pick < 0.9 ? random() < 0.5 : null
  }
  const object: Record<string, unknown> = {}
  const count = Math.floor(random() * 6)
  for (let i = 0; i < count; i++) {
    const key = Array.from({ length: 1 + Math.floor(random() * 8) }, () =>
      String.fromCharCode(97 + Math.floor(random() * 26)),
    ).join('')
    object[key] = value()
  }
  return object
}
