// Known answers of the hashing rules: canonicalJson (RFC 8785) and the entry leaf. Pure data, no
// import (it is bundled for the browser). The canonicalJson outputs are written by hand from RFC
// 8785 (its §3.2.2 and §3.2.3 examples among them); every entry's canonical form and leaf was
// checked by an independent Python program (hashlib, keys sorted by their UTF-16 encoding).

/** canonicalJson(value) must be `json`; `json: null` means it must throw a TypeError. */
export interface CanonicalVector {
  readonly name: string
  readonly value: unknown
  readonly json: string | null
}

/** entryCanonicalJson(entry) must be `json` and entryLeafHash(entry) the hex `leaf`. */
export interface LeafVector {
  readonly name: string
  readonly entry: unknown
  readonly json: string
  readonly leaf: string
}

const ids = (n: number) => ({
  uuid: `01940c1a-8b00-7000-8000-00000000000${n}`,
  targetUserUuid: `01940c1a-0000-7000-8000-00000000000${'aacceef'[n - 1]}`,
  adminUserUuid: `01940c1a-0000-7000-8000-00000000000${'bbbdddb'[n - 1]}`,
})

/** One entry of each kind the leaf rule treats apart; the tree of size 7 holds them in this order. */
export const ENTRY_A = {
  ...ids(1),
  action: 'admin_password_reset',
  ipAddress: '203.0.113.7',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
  metadata: { reason: 'locked out', attempts: 3 },
  insertedAt: new Date('2026-01-15T09:30:00.000Z'),
}
export const ENTRY_B = {
  ...ids(2),
  action: 'user_locked',
  ipAddress: '2001:db8::1',
  userAgent: 'curl/8.5.0',
  metadata: { note: 'Zoë “quoted” \u2028 \ud83d\ude00', ключ: '値', nested: { é: ['\u0000\u001f\n', '\\"'] } },
  insertedAt: new Date('2026-01-15T09:30:01.123Z'),
}
export const ENTRY_C = {
  ...ids(3),
  action: 'user_created',
  ipAddress: null,
  userAgent: null,
  metadata: {},
  insertedAt: new Date('1999-12-31T23:59:59.999Z'),
}
export const ENTRY_D = {
  ...ids(4),
  action: 'role_granted',
  ipAddress: '198.51.100.23',
  userAgent: null,
  metadata: { role: 'auditor' },
  insertedAt: '2026-02-01T00:00:00.000Z',
}
export const ENTRY_E = {
  ...ids(5),
  action: 'limits_changed',
  ipAddress: '198.51.100.23',
  userAgent: 'auditkit-tests',
  metadata: { n: [1e21, -0, 0.1, 1e-7, 9007199254740991, 1.5e300], flag: true, none: null },
  insertedAt: new Date('2026-02-01T00:00:00.500Z'),
}
export const ENTRY_F = {
  ...ids(6),
  action: 'keys_sorted',
  ipAddress: '198.51.100.23',
  userAgent: 'auditkit-tests',
  metadata: { '\u20ac': 1, '\ud83d\ude00': 2, '\ufb33': 3, a: 4, '1': 5 },
  insertedAt: new Date('2026-02-01T00:00:01.000Z'),
}
export const ENTRY_G = {
  ...ids(7),
  action: 'user_unlocked',
  ipAddress: '203.0.113.7',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
  metadata: { ticket: 'OPS-42' },
  insertedAt: new Date('2026-02-02T08:00:00.000Z'),
}
export const ENTRIES = [ENTRY_A, ENTRY_B, ENTRY_C, ENTRY_D, ENTRY_E, ENTRY_F, ENTRY_G] as const

/** The leaf hashes of ENTRIES, hex. */
export const LEAVES = [
  '6b9698c7549af0d7dab2c0b4fc1e945e5646836d9f7efe118642cc3b8530705c',
  '897c7af487167d99255376e16dbc547fb21502b36bf77020f21679416fc13003',
  'e27df7deda9188014e217e5bd44abdbc22cd87c7e519a6e1aa67a20fc6e0925b',
  'ac6da4ab7871a81184ce4c379ae938a38051581551fdbafe42e7131d7c6a970a',
  '88a78e448011311f5e375b533ee0dcf4ee5b2e4c7b05cd5069903150cb8a1e59',
  '16dccdba0b3f88e56fdb6e677517bd6c58b375010b48e76c884192972e8e308d',
  '73017d8bcb6d3f44ab8169be6240bee8e920b73629c2485bd452b26374d0a50e',
] as const

const HEAD = '{"action":'
const TAIL_A = '"targetUserUuid":"01940c1a-0000-7000-8000-00000000000a"'
export const LEAF_VECTORS: readonly LeafVector[] = [
  {
    name: 'leaf: plain entry, Date',
    entry: ENTRY_A,
    json: `${HEAD}"admin_password_reset","adminUserUuid":"01940c1a-0000-7000-8000-00000000000b","insertedAt":"2026-01-15T09:30:00.000Z","ipAddress":"203.0.113.7","metadata":{"attempts":3,"reason":"locked out"},${TAIL_A},"userAgent":"Mozilla/5.0 (X11; Linux x86_64)","uuid":"01940c1a-8b00-7000-8000-000000000001"}`,
    leaf: LEAVES[0],
  },
  {
    name: 'leaf: unicode and escapes in metadata',
    entry: ENTRY_B,
    json: String.raw`${HEAD}"user_locked","adminUserUuid":"01940c1a-0000-7000-8000-00000000000b","insertedAt":"2026-01-15T09:30:01.123Z","ipAddress":"2001:db8::1","metadata":{"nested":{"é":["\u0000\u001f\n","\\\""]},"note":"Zoë “quoted” ${'\u2028'} ${'\ud83d\ude00'}","ключ":"値"},${TAIL_A},"userAgent":"curl/8.5.0","uuid":"01940c1a-8b00-7000-8000-000000000002"}`,
    leaf: LEAVES[1],
  },
  {
    name: 'leaf: null ipAddress and userAgent, empty metadata',
    entry: ENTRY_C,
    json: `${HEAD}"user_created","adminUserUuid":"01940c1a-0000-7000-8000-00000000000b","insertedAt":"1999-12-31T23:59:59.999Z","ipAddress":null,"metadata":{},"targetUserUuid":"01940c1a-0000-7000-8000-00000000000c","userAgent":null,"uuid":"01940c1a-8b00-7000-8000-000000000003"}`,
    leaf: LEAVES[2],
  },
  {
    name: 'leaf: insertedAt as an ISO string',
    entry: ENTRY_D,
    json: `${HEAD}"role_granted","adminUserUuid":"01940c1a-0000-7000-8000-00000000000d","insertedAt":"2026-02-01T00:00:00.000Z","ipAddress":"198.51.100.23","metadata":{"role":"auditor"},"targetUserUuid":"01940c1a-0000-7000-8000-00000000000c","userAgent":null,"uuid":"01940c1a-8b00-7000-8000-000000000004"}`,
    leaf: LEAVES[3],
  },
  {
    name: 'leaf: insertedAt as the Date of that ISO string (same leaf)',
    entry: { ...ENTRY_D, insertedAt: new Date('2026-02-01T00:00:00.000Z') },
    json: `${HEAD}"role_granted","adminUserUuid":"01940c1a-0000-7000-8000-00000000000d","insertedAt":"2026-02-01T00:00:00.000Z","ipAddress":"198.51.100.23","metadata":{"role":"auditor"},"targetUserUuid":"01940c1a-0000-7000-8000-00000000000c","userAgent":null,"uuid":"01940c1a-8b00-7000-8000-000000000004"}`,
    leaf: LEAVES[3],
  },
  {
    name: 'leaf: the same instant with another UTC offset (same leaf)',
    entry: { ...ENTRY_A, insertedAt: '2026-01-15T10:30:00+01:00' },
    json: `${HEAD}"admin_password_reset","adminUserUuid":"01940c1a-0000-7000-8000-00000000000b","insertedAt":"2026-01-15T09:30:00.000Z","ipAddress":"203.0.113.7","metadata":{"attempts":3,"reason":"locked out"},${TAIL_A},"userAgent":"Mozilla/5.0 (X11; Linux x86_64)","uuid":"01940c1a-8b00-7000-8000-000000000001"}`,
    leaf: LEAVES[0],
  },
  {
    name: 'leaf: numbers written as ECMAScript does (1e+21, -0 as 0, 1e-7)',
    entry: ENTRY_E,
    json: `${HEAD}"limits_changed","adminUserUuid":"01940c1a-0000-7000-8000-00000000000d","insertedAt":"2026-02-01T00:00:00.500Z","ipAddress":"198.51.100.23","metadata":{"flag":true,"n":[1e+21,0,0.1,1e-7,9007199254740991,1.5e+300],"none":null},"targetUserUuid":"01940c1a-0000-7000-8000-00000000000e","userAgent":"auditkit-tests","uuid":"01940c1a-8b00-7000-8000-000000000005"}`,
    leaf: LEAVES[4],
  },
  {
    name: 'leaf: metadata keys in UTF-16 code unit order (U+1F600 before U+FB33)',
    entry: ENTRY_F,
    json: `${HEAD}"keys_sorted","adminUserUuid":"01940c1a-0000-7000-8000-00000000000d","insertedAt":"2026-02-01T00:00:01.000Z","ipAddress":"198.51.100.23","metadata":{"1":5,"a":4,"${'\u20ac'}":1,"${'\ud83d\ude00'}":2,"${'\ufb33'}":3},"targetUserUuid":"01940c1a-0000-7000-8000-00000000000e","userAgent":"auditkit-tests","uuid":"01940c1a-8b00-7000-8000-000000000006"}`,
    leaf: LEAVES[5],
  },
  {
    name: 'leaf: a year past 9999 (six digits and a sign)',
    entry: { ...ENTRY_G, insertedAt: new Date(8.64e15) },
    json: `${HEAD}"user_unlocked","adminUserUuid":"01940c1a-0000-7000-8000-00000000000b","insertedAt":"+275760-09-13T00:00:00.000Z","ipAddress":"203.0.113.7","metadata":{"ticket":"OPS-42"},"targetUserUuid":"01940c1a-0000-7000-8000-00000000000f","userAgent":"Mozilla/5.0 (X11; Linux x86_64)","uuid":"01940c1a-8b00-7000-8000-000000000007"}`,
    leaf: '6d1331b6a5753fe14bc8285cde52ab1ed1ccd82a53eb7dee8bb048a9983f1a64',
  },
  {
    name: 'leaf: a year before 0000',
    entry: { ...ENTRY_G, insertedAt: new Date('-000001-01-01T00:00:00.000Z') },
    json: `${HEAD}"user_unlocked","adminUserUuid":"01940c1a-0000-7000-8000-00000000000b","insertedAt":"-000001-01-01T00:00:00.000Z","ipAddress":"203.0.113.7","metadata":{"ticket":"OPS-42"},"targetUserUuid":"01940c1a-0000-7000-8000-00000000000f","userAgent":"Mozilla/5.0 (X11; Linux x86_64)","uuid":"01940c1a-8b00-7000-8000-000000000007"}`,
    leaf: '1c71ec6d8415e1c01090e9a916fc1a53ff9bec9149352b00723abb590eaf7666',
  },
  {
    // Raw SQL can store a date no Date holds; it is hashed as null so that the row is still sealed.
    name: 'leaf: an invalid Date is hashed as null',
    entry: { ...ENTRY_C, insertedAt: new Date(Number.NaN) },
    json: `${HEAD}"user_created","adminUserUuid":"01940c1a-0000-7000-8000-00000000000b","insertedAt":null,"ipAddress":null,"metadata":{},"targetUserUuid":"01940c1a-0000-7000-8000-00000000000c","userAgent":null,"uuid":"01940c1a-8b00-7000-8000-000000000003"}`,
    leaf: '926548ca503bc025a243a27f52343e4e55f4badef9ee4b6e44d5fb01601b33bf',
  },
]

export const CANONICAL_VECTORS: readonly CanonicalVector[] = [
  {
    name: 'canonical: RFC 8785 §3.2.2 example',
    value: {
      // biome-ignore lint/correctness/noPrecisionLoss: the RFC's own input, which is about this rounding
      numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001],
      string: '\u20ac$\u000f\nA\'B"\\\\"/',
      literals: [null, true, false],
    },
    json: String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"${'\u20ac'}$\u000f\nA'B\"\\\\\"/"}`,
  },
  {
    name: 'canonical: RFC 8785 §3.2.3 sorting example (UTF-16 code units)',
    value: {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    },
    json: String.raw`{"\r":"Carriage Return","1":"One","${'\u0080'}":"Control","${'\u00f6'}":"Latin Small Letter O With Diaeresis","${'\u20ac'}":"Euro Sign","${'\ud83d\ude00'}":"Emoji: Grinning Face","${'\ufb33'}":"Hebrew Letter Dalet With Dagesh"}`,
  },
  {
    name: 'canonical: numbers as Number::toString writes them',
    value: [1e21, 1e20, -0, 0, 5e-324, 1.7976931348623157e308, 0.1 + 0.2, 1e-7, 123456789012345680000, -1.5],
    json: '[1e+21,100000000000000000000,0,0,5e-324,1.7976931348623157e+308,0.30000000000000004,1e-7,123456789012345680000,-1.5]',
  },
  {
    name: 'canonical: string escapes (short forms, \\u00XX, U+007F and U+2028 unescaped)',
    value: '\b\f\n\r\t"\\/\u0001\u001f\u007f\u2028\u2029\ud83d\ude00',
    json: String.raw`"\b\f\n\r\t\"\\/\u0001\u001f${'\u007f\u2028\u2029\ud83d\ude00'}"`,
  },
  {
    name: 'canonical: nesting, empty containers, keys sorted at every depth',
    value: { z: [{}, [[]]], é: { b: { d: 1, c: [] }, a: null }, a: {} },
    json: '{"a":{},"z":[{},[[]]],"é":{"a":null,"b":{"c":[],"d":1}}}',
  },
  { name: 'canonical: top-level scalar', value: 'plain', json: '"plain"' },
  { name: 'canonical: refuses a lone surrogate', value: { a: 'x\ud800' }, json: null },
  { name: 'canonical: refuses a lone surrogate in a key', value: { '\udc00': 1 }, json: null },
  { name: 'canonical: refuses undefined', value: { a: undefined }, json: null },
  { name: 'canonical: refuses NaN', value: [Number.NaN], json: null },
  { name: 'canonical: refuses Infinity', value: Number.POSITIVE_INFINITY, json: null },
  { name: 'canonical: refuses a Date', value: new Date(0), json: null },
  { name: 'canonical: refuses a BigInt', value: 1n, json: null },
]
