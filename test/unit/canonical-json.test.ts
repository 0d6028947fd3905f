import { describe, expect, test } from 'vitest'
import { canonicalBytes, canonicalJson } from '../../src/tlog/canonical-json.js'
import { seededRandom } from '../verify/random-entry.js'

// Expected outputs below are data copied from published sources or written by hand from the rule
// they test; none is computed by the code under test.

/** A double from its IEEE-754 bits, as the RFC's Appendix B and the ES6 number file give them. */
function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8))
  view.setBigUint64(0, BigInt(`0x${hex}`))
  return view.getFloat64(0)
}

interface Vector {
  readonly name: string
  readonly input: string // JSON text, exactly as in the file
  readonly output: string // its canonical form
}

// Copied from cyberphone/json-canonicalization (the reference implementation), testdata/input/*.json
// and testdata/output/*.json, the revision the search index holds (commit in each name). JSON text is
// kept verbatim in String.raw; characters the files hold raw (non-ASCII, U+0080, U+007F) are written
// as JS escapes (`${'\u20ac'}`) so the exact code units are visible.
const REFERENCE_TESTDATA: readonly Vector[] = [
  {
    // testdata/output/arrays.json is not in the index: output written by hand from RFC 8785 §3.2.3
    // ("1" < "10" < "d" by code units; array order kept).
    name: 'arrays.json (input @72a2163)',
    input: '[\n  56,\n  {\n    "d": true,\n    "10": null,\n    "1": [ ]\n  }\n]',
    output: '[56,{"1":[],"10":null,"d":true}]',
  },
  {
    name: 'french.json (@b01b023)',
    input:
      '{\n  "peach": "This sorting order",\n  "p\u00e9ch\u00e9": "is wrong according to French",\n' +
      '  "p\u00eache": "but canonicalization MUST",\n  "sin":   "ingnore locale"\n}\n',
    output:
      '{"peach":"This sorting order","p\u00e9ch\u00e9":"is wrong according to French",' +
      '"p\u00eache":"but canonicalization MUST","sin":"ingnore locale"}',
  },
  {
    name: 'structures.json (@72a2163)',
    input: String.raw`{
  "1": {"f": {"f": "hi","F": 5} ,"\n": 56.0},
  "10": { },
  "": "empty",
  "a": { },
  "111": [ { } ],
  "A": { }
}`,
    output: String.raw`{"":"empty","1":{"\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}`,
  },
  {
    name: 'unicode.json (@ff22567)',
    input: String.raw`{
  "Unnormalized Unicode":"\u1e0d\u0307"
}
`,
    output: '{"Unnormalized Unicode":"\u1e0d\u0307"}',
  },
  {
    name: 'values.json (@1e2733f)',
    input: String.raw`{
  "numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],
  "escaping": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`,
    output: String.raw`{"escaping":"${'\u20ac'}$\u000f\nA'B\"\\\\\"/","literals":[null,true,false],"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}`,
  },
  {
    name: 'weird.json (@77917fb)',
    input: String.raw`{
  "\u20ac": "Euro Sign",
  "1": "One",
  "\u0080": "Control\u007f",
  "\ud83d\ude02": "Smiley",
  "\u00f6": "Latin Small Letter O With Diaeresis",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "</script>": "Browser Challenge"
}
`,
    output:
      '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis",' +
      '"\u20ac":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  },
  {
    // The current upstream weird.json adds "\r" and "\n" keys; the index holds only the older file
    // above, so this text is as vendored verbatim by ports (e.g. the Go `jsoncs` package's tests).
    name: 'weird.json (current upstream revision)',
    input: String.raw`{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\u000a": "Newline",
  "1": "One",
  "\u0080": "Control\u007f",
  "\ud83d\ude02": "Smiley",
  "\u00f6": "Latin Small Letter O With Diaeresis",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "</script>": "Browser Challenge"
}`,
    output:
      String.raw`{"\n":"Newline","\r":"Carriage Return","1":"One","</script>":"Browser Challenge",` +
      '"\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",' +
      '"\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  },
]

// RFC 8785 §3.2.2 (input), §3.2.3 (sorted output), §3.2.4 (its UTF-8 bytes, hex), also in
// cyberphone/json-canonicalization README.md.
const RFC_SAMPLE_INPUT = String.raw`{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`
const RFC_SAMPLE_OUTPUT = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"${'\u20ac'}$\u000f\nA'B\"\\\\\"/"}`
const RFC_SAMPLE_HEX = `
  7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72
  75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a
  5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31
  65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37
  5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30
  30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d`

// RFC 8785 §3.2.3, the sorting example, and the order of values the RFC says it must give.
const RFC_SORTING_INPUT = String.raw`{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}`
const RFC_SORTING_OUTPUT =
  String.raw`{"\r":"Carriage Return","1":"One",` +
  '"\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",' +
  '"\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'

// RFC 8785 Appendix B: IEEE-754 bits and their serialization.
const APPENDIX_B: readonly (readonly [string, string])[] = [
  ['0000000000000000', '0'],
  ['8000000000000000', '0'],
  ['0000000000000001', '5e-324'],
  ['8000000000000001', '-5e-324'],
  ['7fefffffffffffff', '1.7976931348623157e+308'],
  ['ffefffffffffffff', '-1.7976931348623157e+308'],
  ['4340000000000000', '9007199254740992'],
  ['c340000000000000', '-9007199254740992'],
  ['4430000000000000', '295147905179352830000'],
  ['44b52d02c7e14af5', '9.999999999999997e+22'],
  ['44b52d02c7e14af6', '1e+23'],
  ['44b52d02c7e14af7', '1.0000000000000001e+23'],
  ['444b1ae4d6e2ef4e', '999999999999999700000'],
  ['444b1ae4d6e2ef4f', '999999999999999900000'],
  ['444b1ae4d6e2ef50', '1e+21'],
  ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
  ['3eb0c6f7a0b5ed8d', '0.000001'],
  ['41b3de4355555553', '333333333.3333332'],
  ['41b3de4355555554', '333333333.33333325'],
  ['41b3de4355555555', '333333333.3333333'],
  ['41b3de4355555556', '333333333.3333334'],
  ['41b3de4355555557', '333333333.33333343'],
  ['becbf647612f3696', '-0.0000033333333333333333'],
  ['43143ff3c1cb0959', '1424953923781206.2'],
]
const APPENDIX_B_NOT_FINITE = ['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000']

// cyberphone/json-canonicalization testdata/README.md: sample lines of the ES6 number test file.
const ES6_NUMBER_SAMPLES: readonly (readonly [string, string])[] = [
  ['4340000000000001', '9007199254740994'],
  ['4340000000000002', '9007199254740996'],
  ['444b1ae4d6e2ef50', '1e+21'],
  ['3eb0c6f7a0b5ed8d', '0.000001'],
  ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
  ['8000000000000000', '0'],
  ['0', '0'],
]

describe('canonicalJson: published vectors', () => {
  test.each(REFERENCE_TESTDATA)('reference testdata $name', ({ input, output }) => {
    expect(canonicalJson(JSON.parse(input))).toBe(output)
    expect(Buffer.from(canonicalBytes(JSON.parse(input))).equals(Buffer.from(output, 'utf8'))).toBe(true)
  })

  test('RFC 8785 §3.2.2 sample: its canonical text, and §3.2.4 its UTF-8 bytes', () => {
    expect(canonicalJson(JSON.parse(RFC_SAMPLE_INPUT))).toBe(RFC_SAMPLE_OUTPUT)
    expect(Buffer.from(canonicalBytes(JSON.parse(RFC_SAMPLE_INPUT))).toString('hex')).toBe(
      RFC_SAMPLE_HEX.replace(/\s/g, ''),
    )
  })

  test('RFC 8785 §3.2.3 sorting example', () => {
    expect(canonicalJson(JSON.parse(RFC_SORTING_INPUT))).toBe(RFC_SORTING_OUTPUT)
  })

  test.each(APPENDIX_B)('RFC 8785 Appendix B: %s is %s', (bits, expected) => {
    expect(canonicalJson(fromBits(bits))).toBe(expected)
    expect(canonicalJson([fromBits(bits)])).toBe(`[${expected}]`)
  })

  test.each(APPENDIX_B_NOT_FINITE)('RFC 8785 Appendix B: %s (NaN or Infinity) is refused', (bits) => {
    expect(() => canonicalJson(fromBits(bits))).toThrow(TypeError)
  })

  test.each(ES6_NUMBER_SAMPLES)('ES6 number sample %s is %s', (bits, expected) => {
    expect(canonicalJson(fromBits(bits))).toBe(expected)
  })
})

describe('canonicalJson: each rule, by hand', () => {
  test('§3.2.2.1 literals, and the top level may be any value', () => {
    expect(canonicalJson(null)).toBe('null')
    expect(canonicalJson(true)).toBe('true')
    expect(canonicalJson(false)).toBe('false')
    expect(canonicalJson('x')).toBe('"x"')
    expect(canonicalJson([])).toBe('[]')
    expect(canonicalJson({})).toBe('{}')
  })

  test('§3.2.2.2 strings: C0 controls as \\b \\t \\n \\f \\r or lowercase \\u00xx', () => {
    let all = ''
    for (let c = 0; c < 0x20; c++) all += String.fromCharCode(c)
    expect(canonicalJson(all)).toBe(
      String.raw`"\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f` +
        String.raw`\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f"`,
    )
  })

  test('§3.2.2.2 strings: only " and \\ escaped besides; everything else as is', () => {
    expect(canonicalJson('"')).toBe(String.raw`"\""`)
    expect(canonicalJson('\\')).toBe(String.raw`"\\"`)
    expect(canonicalJson('a/b')).toBe('"a/b"')
    expect(canonicalJson('</script>')).toBe('"</script>"')
    expect(canonicalJson('\u007f\u0080\u00e9\u2028\u2029\ufeff\uffff')).toBe(
      '"\u007f\u0080\u00e9\u2028\u2029\ufeff\uffff"',
    )
    expect(canonicalJson('\u{1f600}\u{10ffff}')).toBe('"\ud83d\ude00\udbff\udfff"')
    expect(canonicalJson('e\u0301')).toBe('"e\u0301"') // no Unicode normalization
    expect(Buffer.from(canonicalBytes('\u00e9\u20ac\u{1f600}')).toString('hex')).toBe('22c3a9e282acf09f988022')
  })

  test('§3.2.2.3 numbers: as ECMAScript Number::toString', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [-0, '0'],
      [1, '1'],
      [-1.5, '-1.5'],
      [100, '100'],
      [0.1, '0.1'],
      [1e20, '100000000000000000000'],
      [1e21, '1e+21'],
      [1e-6, '0.000001'],
      [1e-7, '1e-7'],
      [1.23456e-8, '1.23456e-8'],
      [2 ** 53, '9007199254740992'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
    ]
    for (const [n, text] of cases) expect(canonicalJson(n)).toBe(text)
    expect(canonicalJson({ z: -0, a: [-0] })).toBe('{"a":[0],"z":0}')
  })

  test('§3.2.3 keys sorted by UTF-16 code units: not by locale, not by code point or UTF-8', () => {
    const keys = [
      'b',
      'a',
      'aa',
      '',
      'A',
      'Z',
      '10',
      '1',
      '2',
      '\u00e9',
      'f',
      '\ue000',
      '\uffff',
      '\u{10000}',
      '\u{1f600}',
    ]
    const value: Record<string, number> = {}
    keys.forEach((k, i) => {
      value[k] = i
    })
    expect(canonicalJson(value)).toBe(
      '{"":3,"1":7,"10":6,"2":8,"A":4,"Z":5,"a":1,"aa":2,"b":0,"f":10,"\u00e9":9,' +
        '"\ud800\udc00":13,"\ud83d\ude00":14,"\ue000":11,"\uffff":12}',
    )
  })

  test('§3.2.3 sorting is recursive; array order is kept', () => {
    const value = { b: { d: 1, c: [{ z: 1, y: { x: 2, w: 3 } }] }, a: [3, 1, 2] }
    expect(canonicalJson(value)).toBe('{"a":[3,1,2],"b":{"c":[{"y":{"w":3,"x":2},"z":1}],"d":1}}')
  })

  test('§3.2.1 no whitespace between tokens; whitespace inside strings kept', () => {
    const text = String.raw` { "a b" : [ 1 ,
      { } , " x\t" ] } `
    expect(canonicalJson(JSON.parse(text))).toBe(String.raw`{"a b":[1,{}," x\t"]}`)
  })

  test('accepts null-prototype objects and shared (non-cyclic) references', () => {
    const bare = Object.create(null) as Record<string, unknown>
    bare.b = 1
    bare.a = 2
    expect(canonicalJson(bare)).toBe('{"a":2,"b":1}')
    const shared = { x: 1 }
    expect(canonicalJson({ a: shared, b: [shared, shared] })).toBe('{"a":{"x":1},"b":[{"x":1},{"x":1}]}')
  })
})

describe('canonicalJson: refusals name the path', () => {
  class Point {
    x = 1
  }
  const cyclic: Record<string, unknown> = { a: 1 }
  cyclic.self = cyclic
  const cyclicArray: unknown[] = []
  cyclicArray.push({ inner: cyclicArray })
  const sparse = [1, 2, 3]
  delete sparse[1]
  class MyArray extends Array<number> {}

  const cases: [string, unknown, string][] = [
    ['undefined at the top', undefined, '$'],
    ['an undefined member', { a: undefined }, '$.a'],
    ['an undefined element', [1, undefined], '$[1]'],
    ['an array hole', sparse, '$[1]'],
    ['NaN', { a: [0, 1, Number.NaN] }, '$.a[2]'],
    ['Infinity', Number.POSITIVE_INFINITY, '$'],
    ['-Infinity', { deep: { list: [{ n: Number.NEGATIVE_INFINITY }] } }, '$.deep.list[0].n'],
    ['a BigInt', { n: 10n }, '$.n'],
    ['a function', [() => 1], '$[0]'],
    ['a toJSON method (never called)', { when: { toJSON: () => 'x' } }, '$.when.toJSON'],
    ['a symbol value', { s: Symbol('s') }, '$.s'],
    ['a symbol key', { a: { [Symbol('k')]: 1 } }, '$.a'],
    ['a cycle through an object', cyclic, '$.self'],
    ['a cycle through an array', { list: cyclicArray }, '$.list[0].inner'],
    ['a Date', { when: new Date(0) }, '$.when'],
    ['a Map', { m: new Map() }, '$.m'],
    ['a Set', [new Set()], '$[0]'],
    ['a class instance', { p: new Point() }, '$.p'],
    ['a boxed string', { s: new String('x') }, '$.s'],
    ['a typed array', { b: new Uint8Array(2) }, '$.b'],
    ['an Array subclass', { a: MyArray.from([1]) }, '$.a'],
    ['a lone high surrogate in a string', { s: ['ok', 'a\ud800b'] }, '$.s[1]'],
    ['a lone low surrogate in a string', 'x\udc00', '$'],
    ['a reversed surrogate pair', { s: '\udc00\ud800' }, '$.s'],
    ['a lone surrogate in a key', { a: { '\udc00': 1 } }, String.raw`$.a["\udc00"]`],
    ['a key that is no identifier', { 'a b': [0, Number.NaN] }, '$["a b"][1]'],
  ]

  test.each(cases)('%s', (_name, value, path) => {
    let error: unknown
    try {
      canonicalJson(value)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(TypeError)
    expect((error as TypeError).message).toMatch(/^canonicalJson: /)
    expect((error as TypeError).message.endsWith(`, at ${path}`)).toBe(true)
    expect(() => canonicalBytes(value)).toThrow(TypeError)
  })

  test('the message says what is wrong', () => {
    expect(() => canonicalJson({ a: undefined })).toThrow('canonicalJson: undefined is not JSON, at $.a')
    expect(() => canonicalJson({ n: Number.NaN })).toThrow('NaN is not a finite number')
    expect(() => canonicalJson({ d: new Date(0) })).toThrow('an instance of Date is not a plain object')
    expect(() => canonicalJson(cyclic)).toThrow('a cycle')
    expect(() => canonicalJson('\ud800')).toThrow('lone surrogate')
  })

  test('an error thrown by a getter passes through unchanged', () => {
    const boom = new Error('boom')
    const value = {
      get a(): number {
        throw boom
      },
    }
    expect(() => canonicalJson(value)).toThrow(boom)
  })
})

// A small seeded generator (mulberry32) so a failure reproduces.
const random = seededRandom

const SPECIAL_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.1,
  1e21,
  1e-7,
  1e-6,
  2 ** 53,
  -(2 ** 53),
  2 ** 53 + 2,
  5e-324,
  -5e-324,
  1.7976931348623157e308,
  333333333.3333333,
  1e23,
]
// Pieces of strings and keys: ASCII, what needs escaping, C1 and other BMP characters, the top of
// the BMP (U+E000..U+FFFF, which sort after surrogates) and astral characters (surrogate pairs).
const PIECES = [
  'a',
  'b',
  'Z',
  '0',
  '1',
  ' ',
  '"',
  '\\',
  '/',
  '\n',
  '\u0000',
  '\u001f',
  '\u007f',
  '\u0080',
  '\u00e9',
  '\u2028',
  '\ud7ff',
  '\ue000',
  '\uf8ff',
  '\ufffd',
  '\uffff',
  '\u{10000}',
  '\u{1f600}',
  '\u{10ffff}',
]

interface Generator {
  int(n: number): number
  pick<T>(list: readonly T[]): T
}

function generator(seed: number): Generator {
  const next = random(seed)
  const int = (n: number) => Math.floor(next() * n)
  return { int, pick: (list) => list[int(list.length)]! }
}

function randomString(g: Generator, maxPieces: number): string {
  let s = ''
  const n = g.int(maxPieces + 1)
  for (let i = 0; i < n; i++) {
    const r = g.int(10)
    // a piece, a BMP character below the surrogates, one above them, or an astral one
    if (r < 6) s += g.pick(PIECES)
    else if (r < 8) s += String.fromCharCode(0x20 + g.int(0xd800 - 0x20))
    else if (r < 9) s += String.fromCharCode(0xe000 + g.int(0x2000))
    else s += String.fromCodePoint(0x10000 + g.int(0x100000))
  }
  return s
}

function randomNumber(g: Generator): number {
  const r = g.int(4)
  if (r === 0) return g.pick(SPECIAL_NUMBERS)
  if (r === 1) return g.int(2_000_001) - 1_000_000
  if (r === 2) return (g.int(2_000_001) - 1_000_000) / 10 ** g.int(12)
  for (;;) {
    const bits = [...Array(16)].map(() => g.int(16).toString(16)).join('')
    const n = fromBits(bits)
    if (Number.isFinite(n)) return n
  }
}

function randomValue(g: Generator, depth: number): unknown {
  const r = g.int(depth > 0 ? 8 : 5)
  if (r === 0) return g.pick([null, true, false])
  if (r <= 2) return randomNumber(g)
  if (r <= 4) return randomString(g, 6)
  if (r === 5) return Array.from({ length: g.int(5) }, () => randomValue(g, depth - 1))
  const object: Record<string, unknown> = {}
  const size = g.int(7)
  for (let i = 0; i < size; i++) object[randomString(g, 3)] = randomValue(g, depth - 1)
  if (g.int(3) === 0) {
    // keys that differ only where a surrogate pair meets U+E000..U+FFFF
    const stem = randomString(g, 2)
    for (const tail of ['\ue000', '\uffff', '\u{10000}', '\u{10ffff}', '\ud7ff']) object[stem + tail] = g.int(100)
  }
  return object
}

// Same value, every object's keys inserted in a different order.
function reinserted(value: unknown, g: Generator): unknown {
  if (Array.isArray(value)) return value.map((v) => reinserted(v, g))
  if (value === null || typeof value !== 'object') return value
  const entries = Object.entries(value)
  for (let i = entries.length - 1; i > 0; i--) {
    const j = g.int(i + 1)
    ;[entries[i], entries[j]] = [entries[j]!, entries[i]!]
  }
  const copy: Record<string, unknown> = {}
  for (const [k, v] of entries) copy[k] = reinserted(v, g)
  return copy
}

function withoutNegativeZero(value: unknown): unknown {
  if (Object.is(value, -0)) return 0
  if (Array.isArray(value)) return value.map(withoutNegativeZero)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNegativeZero(v)]))
}

function byCodeUnits(a: string, b: string): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i)
    if (d !== 0) return d
  }
  return a.length - b.length
}

/**
 * Reads canonical text token by token: fails on whitespace or a raw C0 control outside or inside
 * strings, and returns the keys of every object in the order they were written.
 */
function scan(text: string): string[][] {
  const objects: string[][] = []
  const stack: ({ keys: string[]; expectKey: boolean } | null)[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '"') {
      let j = i + 1
      while (text[j] !== '"') {
        if (j >= text.length) throw new Error(`unterminated string from ${i}`)
        if (text.charCodeAt(j) < 0x20) throw new Error(`raw control character at ${j}`)
        j += text[j] === '\\' ? 2 : 1
      }
      const top = stack.at(-1)
      if (top?.expectKey) {
        top.keys.push(JSON.parse(text.slice(i, j + 1)) as string)
        top.expectKey = false
      }
      i = j
    } else if (c === '{') {
      const frame = { keys: [], expectKey: true }
      objects.push(frame.keys)
      stack.push(frame)
    } else if (c === '[') stack.push(null)
    else if (c === '}' || c === ']') stack.pop()
    else if (c === ',') {
      const top = stack.at(-1)
      if (top) top.expectKey = true
    } else if (/\s/.test(c)) throw new Error(`whitespace outside a string at ${i}`)
  }
  return objects
}

describe('canonicalJson: properties of random JSON values', () => {
  const RUNS = 400
  const values = Array.from({ length: RUNS }, (_, i) => randomValue(generator(1000 + i), 4))

  test('parses back to the same value (with -0 read back as 0)', () => {
    for (const value of values) expect(JSON.parse(canonicalJson(value))).toEqual(withoutNegativeZero(value))
  })

  test('does not depend on the order keys were inserted in', () => {
    values.forEach((value, i) => {
      const g = generator(5000 + i)
      const text = canonicalJson(value)
      for (let k = 0; k < 3; k++) expect(canonicalJson(reinserted(value, g))).toBe(text)
    })
  })

  test('no whitespace outside strings, no raw control characters, keys in UTF-16 code unit order', () => {
    let checkedObjects = 0
    for (const value of values) {
      for (const keys of scan(canonicalJson(value))) {
        for (let k = 1; k < keys.length; k++) expect(byCodeUnits(keys[k - 1]!, keys[k]!)).toBeLessThan(0)
        checkedObjects++
      }
    }
    expect(checkedObjects).toBeGreaterThan(RUNS / 2)
  })

  test('is a fixed point, and canonicalBytes is its UTF-8', () => {
    for (const value of values) {
      const text = canonicalJson(value)
      expect(canonicalJson(JSON.parse(text))).toBe(text)
      expect(Buffer.from(canonicalBytes(value)).toString('utf8')).toBe(text)
    }
  })
})
