import { describe, expect, test } from 'vitest'
import type { Entry } from '../../src/index.js'
import { CANONICAL_MAX_DEPTH, canonicalJson } from '../../src/tlog/canonical-json.js'
import {
  entryCanonicalJson,
  entryLeafHash,
  type RowLeaf,
  rowLeaf,
  type StoredFields,
  storedFieldsCanonicalJson,
  storedFieldsLeafHash,
} from '../../src/tlog/entry-leaf.js'
import { leafHash } from '../../src/tlog/merkle.js'

// Expected values computed by an independent implementation, not the code under test: Python 3's
// json.dumps(e, sort_keys=True, separators=(',', ':'), ensure_ascii=False) (equal to JCS for these
// values: no floats, BMP keys) and hashlib.sha256(b'\x00' + bytes).
const VECTORS: { entry: Entry; json: string; leaf: string }[] = [
  {
    entry: {
      uuid: '019abcde-0000-7000-8000-000000000001',
      targetUserUuid: '0190d5f2-0000-7000-8000-000000000001',
      adminUserUuid: '0190d5f2-0000-7000-8000-000000000002',
      action: 'admin_password_reset',
      ipAddress: '192.168.1.1',
      userAgent: 'Mozilla/5.0',
      metadata: {},
      insertedAt: new Date('2026-11-25T10:00:00.000Z'),
      // seq is the leaf's position, not part of its bytes: the vector was computed without it.
      seq: 41,
    },
    json: '{"action":"admin_password_reset","adminUserUuid":"0190d5f2-0000-7000-8000-000000000002","insertedAt":"2026-11-25T10:00:00.000Z","ipAddress":"192.168.1.1","metadata":{},"targetUserUuid":"0190d5f2-0000-7000-8000-000000000001","userAgent":"Mozilla/5.0","uuid":"019abcde-0000-7000-8000-000000000001"}',
    leaf: 'a71f80515dc48f8ed28b039fbecbff6224026328bc68cca242570c2d6b380876',
  },
  {
    entry: {
      uuid: '019abcde-0001-7000-8000-000000000002',
      targetUserUuid: 'auth0|5f7c8ec7',
      adminUserUuid: 'admin-ÄÖ',
      action: 'role_assigned',
      ipAddress: null,
      userAgent: null,
      metadata: { zeta: 1, a: [1, 'two', null, { deep: [true, false] }], é: 'é-key', b: 'q\ufffd' },
      insertedAt: new Date('2026-11-25T10:00:00.123Z'),
      seq: null,
    },
    json: '{"action":"role_assigned","adminUserUuid":"admin-ÄÖ","insertedAt":"2026-11-25T10:00:00.123Z","ipAddress":null,"metadata":{"a":[1,"two",null,{"deep":[true,false]}],"b":"q\ufffd","zeta":1,"é":"é-key"},"targetUserUuid":"auth0|5f7c8ec7","userAgent":null,"uuid":"019abcde-0001-7000-8000-000000000002"}',
    leaf: '4de2cda73be99ee625ed884220968af81a71581c4d5fff17092b1d9835c756cf',
  },
  {
    entry: {
      uuid: '019abcde-0002-7000-8000-000000000003',
      targetUserUuid: '0190d5f2-0000-7000-8000-000000000003',
      adminUserUuid: '0190d5f2-0000-7000-8000-000000000004',
      action: 'user_locked',
      ipAddress: '2001:db8::1',
      userAgent: '\'); DROP TABLE x; -- "quoted" \\ tab\t',
      metadata: { reason: 'fraud', n: -12, ok: true },
      insertedAt: new Date('1999-12-31T23:59:59.999Z'),
      seq: 0,
    },
    json: '{"action":"user_locked","adminUserUuid":"0190d5f2-0000-7000-8000-000000000004","insertedAt":"1999-12-31T23:59:59.999Z","ipAddress":"2001:db8::1","metadata":{"n":-12,"ok":true,"reason":"fraud"},"targetUserUuid":"0190d5f2-0000-7000-8000-000000000003","userAgent":"\'); DROP TABLE x; -- \\"quoted\\" \\\\ tab\\t","uuid":"019abcde-0002-7000-8000-000000000003"}',
    leaf: '9b830d7da74cf4d78fab7b077450820e582780fe18d29e10b0220013d8090487',
  },
]

describe('entry leaf', () => {
  test.each(VECTORS.map((v, i) => [i, v] as const))('vector %i: canonical bytes and leaf hash', (_, v) => {
    expect(entryCanonicalJson(v.entry)).toBe(v.json)
    expect(entryLeafHash(v.entry).toString('hex')).toBe(v.leaf)
    expect(leafHash(Buffer.from(v.json, 'utf8')).toString('hex')).toBe(v.leaf)
  })

  test('any change to any field changes the leaf; metadata key order does not', () => {
    const base = VECTORS[1]!.entry
    const leaf = entryLeafHash(base).toString('hex')
    const changed: Entry[] = [
      { ...base, uuid: '019abcde-0001-7000-8000-000000000009' },
      { ...base, targetUserUuid: 'auth0|5f7c8ec8' },
      { ...base, adminUserUuid: 'admin-AO' },
      { ...base, action: 'role_revoked' },
      { ...base, ipAddress: '10.0.0.1' },
      { ...base, userAgent: '' },
      { ...base, metadata: { ...base.metadata, zeta: 2 } },
      { ...base, insertedAt: new Date(base.insertedAt.getTime() + 1) },
    ]
    for (const entry of changed) expect(entryLeafHash(entry).toString('hex')).not.toBe(leaf)
    const reordered = Object.fromEntries(Object.entries(base.metadata).reverse())
    expect(entryLeafHash({ ...base, metadata: reordered }).toString('hex')).toBe(leaf)
  })

  test('the hand-written serialization equals canonicalJson of the same fields, for awkward values', () => {
    const strings = [
      '',
      'plain',
      'quote " and \\ backslash',
      'tab\t nl\n nul\u0000',
      'é ÄÖ 中文 😀',
      '\u2028\u2029',
      '</script>',
    ]
    let seed = 7
    const pick = <T>(list: readonly T[]): T => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return list[seed % list.length] as T
    }
    for (let i = 0; i < 300; i++) {
      const entry: Entry = {
        uuid: pick(strings),
        targetUserUuid: pick(strings),
        adminUserUuid: pick(strings),
        action: pick(strings),
        ipAddress: pick([null, ...strings]),
        userAgent: pick([null, ...strings]),
        metadata: { [pick(strings)]: pick(strings), z: [pick(strings), i, -0.5, null], [pick(strings)]: { x: true } },
        insertedAt: new Date(1_700_000_000_000 + i * 7919),
        seq: i,
      }
      const { seq: _seq, insertedAt, ...fields } = entry
      expect(entryCanonicalJson(entry)).toBe(canonicalJson({ ...fields, insertedAt: insertedAt.toISOString() }))
    }
  })

  test('a lone surrogate stored by raw SQL is hashed as its escape, not refused (sealing must not stall)', () => {
    const entry = { ...VECTORS[0]!.entry, userAgent: 'bad \ud800', metadata: { 'k\udc00': 'v\ud800' } }
    expect(entryCanonicalJson(entry)).toContain('"userAgent":"bad \\ud800"')
    expect(entryCanonicalJson(entry)).toContain('"metadata":{"k\\udc00":"v\\ud800"}')
    expect(entryLeafHash(entry)).not.toEqual(entryLeafHash({ ...entry, userAgent: 'bad \ufffd' }))
  })

  test('a date a Date cannot hold (stored by raw SQL) hashes as null instead of throwing', () => {
    const entry = { ...VECTORS[0]!.entry, insertedAt: new Date(Number.NaN) }
    expect(entryCanonicalJson(entry)).toContain('"insertedAt":null,')
    expect(entryLeafHash(entry)).not.toEqual(entryLeafHash(VECTORS[0]!.entry))
  })

  test('insertedAt is written exactly as toISOString writes it, across seconds, epochs and six-digit years', () => {
    const times = [
      0, 1, 999, 1000, -1, -1001, 1_764_064_800_123, 1_764_064_800_999, 1_764_064_801_000, -62_167_219_200_001,
      253_402_300_800_000, 8_640_000_000_000_000,
    ]
    for (const ms of [...times, ...times.reverse()]) {
      const date = new Date(ms)
      expect(entryCanonicalJson({ ...VECTORS[0]!.entry, insertedAt: date })).toContain(
        `"insertedAt":"${date.toISOString()}"`,
      )
    }
  })
})

describe('rows that cannot be canonicalised: the fallback leaf of their stored text', () => {
  const fields: StoredFields = {
    uuid: '019abcde-0000-7000-8000-000000000009',
    targetUserUuid: 't',
    adminUserUuid: 'a',
    action: 'user_created',
    ipAddress: null,
    userAgent: 'UA "quoted"',
    metadata: '{"a":1e400}',
    insertedAt: '1764064800000',
  }
  const entry = (metadata: unknown): Entry => ({
    uuid: fields.uuid,
    targetUserUuid: 't',
    adminUserUuid: 'a',
    action: 'user_created',
    ipAddress: null,
    userAgent: fields.userAgent,
    metadata: metadata as Entry['metadata'],
    insertedAt: new Date(1764064800000),
    seq: null,
  })

  test('is JCS of {"unreadable": the columns as text}, so it never equals a readable entry of the same row', () => {
    expect(storedFieldsCanonicalJson(fields)).toBe(
      '{"unreadable":{"action":"user_created","adminUserUuid":"a","insertedAt":"1764064800000","ipAddress":null,' +
        '"metadata":"{\\"a\\":1e400}","targetUserUuid":"t","userAgent":"UA \\"quoted\\"","uuid":"019abcde-0000-7000-8000-000000000009"}}',
    )
    expect(canonicalJson(JSON.parse(storedFieldsCanonicalJson(fields)))).toBe(storedFieldsCanonicalJson(fields))
    expect(storedFieldsLeafHash(fields).equals(leafHash(Buffer.from(storedFieldsCanonicalJson(fields))))).toBe(true)
  })

  test('rowLeaf: the entry leaf when it canonicalises, the fallback when reading or canonicalising fails', () => {
    const readable = rowLeaf(
      () => entry({ a: 1 }),
      () => fields,
    )
    expect(readable.fallback).toBeUndefined()
    expect(readable.leaf.equals(entryLeafHash(entry({ a: 1 })))).toBe(true)
    // Infinity (what JSON.parse makes of 1e400) cannot be canonicalised.
    const infinite = rowLeaf(
      () => entry({ a: Number.POSITIVE_INFINITY }),
      () => fields,
    )
    expect(infinite.fallback).toEqual(fields)
    expect(infinite.leaf.equals(storedFieldsLeafHash(fields))).toBe(true)
    expect(infinite.unreadable).toMatch(/Infinity is not a finite number/)
    // Metadata that is not JSON at all.
    const broken = rowLeaf(
      () => entry(JSON.parse('not json')),
      () => ({ ...fields, metadata: 'not json' }),
    )
    expect(broken.entry).toBeNull()
    expect(broken.leaf.equals(storedFieldsLeafHash({ ...fields, metadata: 'not json' }))).toBe(true)
    // Deeper than canonical JSON goes: refused at a fixed depth, whatever the stack, so the same
    // row gives the same leaf at sealing and at verification.
    let deep: unknown = 1
    for (let i = 0; i < CANONICAL_MAX_DEPTH + 1; i++) deep = { a: deep }
    const first = rowLeaf(
      () => entry(deep),
      () => fields,
    )
    const nested = (n: number): RowLeaf =>
      n === 0
        ? rowLeaf(
            () => entry(deep),
            () => fields,
          )
        : nested(n - 1)
    expect(first.unreadable).toMatch(/nests deeper than 1000 levels/)
    expect(nested(2000).leaf.equals(first.leaf)).toBe(true)
    // Any change to the stored text changes the leaf.
    expect(
      rowLeaf(
        () => entry(Number.NaN),
        () => ({ ...fields, metadata: '{"a":2e400}' }),
      ).leaf.equals(first.leaf),
    ).toBe(false)
  })
})
