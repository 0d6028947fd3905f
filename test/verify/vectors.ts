// Known-answer vectors for the verification rules, run by the Node.js test and, bundled, in
// Chromium. Pure data: no import, so esbuild can bundle it for a page as it is.
//
// How the constants were made: the two key pairs once with generateNoteKeyPair('vectors.example/log');
// notes, roots and proofs with signNote, formatCheckpoint and MerkleFrontier over the leaves of
// ENTRY_A..ENTRY_G (in that order). Ed25519 is deterministic, so verify-vectors.test.ts rebuilds
// them all from the signer keys and entries and checks they are still these. Every canonical form,
// leaf, root, audit path, key ID and signature below was then checked by an independent Python
// program (hashlib, the `cryptography` package, RFC 6962's MTH/PATH/SUBPROOF written from the RFC).
// The canonicalJson outputs are written by hand from RFC 8785 (§3.2.2 and §3.2.3 are its examples).

/** Bytes in a vector, as hex: the runner hands the verifier a Uint8Array. */
export interface HexBytes {
  readonly $hex: string
}

/** A code a verifier answers with (the union of VerifyCode, repeated so this file imports nothing). */
export type ExpectedCode =
  | 'malformed'
  | 'bad_key'
  | 'unknown_key'
  | 'bad_signature'
  | 'wrong_origin'
  | 'bad_proof'
  | 'root_mismatch'
  | 'leaf_mismatch'

/** What a verifier must answer: `ok` and `code`, plus any fields given, compared as a subset. */
export type Expected = { readonly ok: true; readonly [field: string]: unknown } | { readonly ok: false; readonly code: ExpectedCode }

export type VerifierName = 'verifyCheckpoint' | 'verifyEntryInclusion' | 'verifyInclusionProof' | 'verifyConsistencyProof'

export interface VerifierVector {
  readonly name: string
  readonly fn: VerifierName
  readonly args: readonly unknown[]
  readonly expect: Expected
}

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

export const ORIGIN = 'vectors.example/log'

// Test keys: they sign these vectors and nothing else.
export const SIGNER_KEY_1 = 'PRIVATE+KEY+vectors.example/log+4850f7f7+AX4LasU1hOJtGXNyDTlYOLvqjZ3urOdAedkiA/EsMceB'
export const SIGNER_KEY_2 = 'PRIVATE+KEY+vectors.example/log+8af2d4c0+AVmO6gy3H5Qa5Q6ep2+GQFDEYoICXiOamQ5Yj+6Aqibf'
export const KEY_1 = 'vectors.example/log+4850f7f7+AVJb4tib5+RKshMBMk7GkCAGD3WVzTyRFNQPeC8/ZAtg'
export const KEY_2 = 'vectors.example/log+8af2d4c0+AURlGF+I7RqCBb0OFI2ZcSX3jQBG1O+N4N9lwGO98PiI'
const RAW_KEY_1: HexBytes = { $hex: '525be2d89be7e44ab21301324ec69020060f7595cd3c9114d40f782f3f640b60' }

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

const HEAD = String.raw`{"action":`
const TAIL_A = String.raw`"targetUserUuid":"01940c1a-0000-7000-8000-00000000000a"`
export const LEAF_VECTORS: readonly LeafVector[] = [
  {
    name: 'leaf: plain entry, Date',
    entry: ENTRY_A,
    json: String.raw`${HEAD}"admin_password_reset","adminUserUuid":"01940c1a-0000-7000-8000-00000000000b","insertedAt":"2026-01-15T09:30:00.000Z","ipAddress":"203.0.113.7","metadata":{"attempts":3,"reason":"locked out"},${TAIL_A},"userAgent":"Mozilla/5.0 (X11; Linux x86_64)","uuid":"01940c1a-8b00-7000-8000-000000000001"}`,
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
    json: String.raw`${HEAD}"user_created","adminUserUuid":"01940c1a-0000-7000-8000-00000000000b","insertedAt":"1999-12-31T23:59:59.999Z","ipAddress":null,"metadata":{},"targetUserUuid":"01940c1a-0000-7000-8000-00000000000c","userAgent":null,"uuid":"01940c1a-8b00-7000-8000-000000000003"}`,
    leaf: LEAVES[2],
  },
  {
    name: 'leaf: insertedAt as an ISO string',
    entry: ENTRY_D,
    json: String.raw`${HEAD}"role_granted","adminUserUuid":"01940c1a-0000-7000-8000-00000000000d","insertedAt":"2026-02-01T00:00:00.000Z","ipAddress":"198.51.100.23","metadata":{"role":"auditor"},"targetUserUuid":"01940c1a-0000-7000-8000-00000000000c","userAgent":null,"uuid":"01940c1a-8b00-7000-8000-000000000004"}`,
    leaf: LEAVES[3],
  },
  {
    name: 'leaf: insertedAt as the Date of that ISO string (same leaf)',
    entry: { ...ENTRY_D, insertedAt: new Date('2026-02-01T00:00:00.000Z') },
    json: String.raw`${HEAD}"role_granted","adminUserUuid":"01940c1a-0000-7000-8000-00000000000d","insertedAt":"2026-02-01T00:00:00.000Z","ipAddress":"198.51.100.23","metadata":{"role":"auditor"},"targetUserUuid":"01940c1a-0000-7000-8000-00000000000c","userAgent":null,"uuid":"01940c1a-8b00-7000-8000-000000000004"}`,
    leaf: LEAVES[3],
  },
  {
    name: 'leaf: the same instant with another UTC offset (same leaf)',
    entry: { ...ENTRY_A, insertedAt: '2026-01-15T10:30:00+01:00' },
    json: String.raw`${HEAD}"admin_password_reset","adminUserUuid":"01940c1a-0000-7000-8000-00000000000b","insertedAt":"2026-01-15T09:30:00.000Z","ipAddress":"203.0.113.7","metadata":{"attempts":3,"reason":"locked out"},${TAIL_A},"userAgent":"Mozilla/5.0 (X11; Linux x86_64)","uuid":"01940c1a-8b00-7000-8000-000000000001"}`,
    leaf: LEAVES[0],
  },
  {
    name: 'leaf: numbers written as ECMAScript does (1e+21, -0 as 0, 1e-7)',
    entry: ENTRY_E,
    json: String.raw`${HEAD}"limits_changed","adminUserUuid":"01940c1a-0000-7000-8000-00000000000d","insertedAt":"2026-02-01T00:00:00.500Z","ipAddress":"198.51.100.23","metadata":{"flag":true,"n":[1e+21,0,0.1,1e-7,9007199254740991,1.5e+300],"none":null},"targetUserUuid":"01940c1a-0000-7000-8000-00000000000e","userAgent":"auditkit-tests","uuid":"01940c1a-8b00-7000-8000-000000000005"}`,
    leaf: LEAVES[4],
  },
  {
    name: 'leaf: metadata keys in UTF-16 code unit order (U+1F600 before U+FB33)',
    entry: ENTRY_F,
    json: String.raw`${HEAD}"keys_sorted","adminUserUuid":"01940c1a-0000-7000-8000-00000000000d","insertedAt":"2026-02-01T00:00:01.000Z","ipAddress":"198.51.100.23","metadata":{"1":5,"a":4,"${'\u20ac'}":1,"${'\ud83d\ude00'}":2,"${'\ufb33'}":3},"targetUserUuid":"01940c1a-0000-7000-8000-00000000000e","userAgent":"auditkit-tests","uuid":"01940c1a-8b00-7000-8000-000000000006"}`,
    leaf: LEAVES[5],
  },
]
