import { describe, expect, test } from 'vitest'
import type { Entry } from '../../src/entry.js'
import type { Row } from '../../src/store/executor.js'
import { fastRowLeaf, leafHashOfRow, leafOfRow, leafOfValues, leafTextOfValues } from '../../src/store/row-leaf.js'
import { sqliteEngine } from '../../src/store/sqlite/sqlite-engine.js'
import { entryLeafHash } from '../../src/tlog/entry-leaf.js'
import { randomEntry, seededRandom } from '../verify/random-entry.js'

const engine = sqliteEngine('audit_entries')
const toEntry = (row: Row): Entry => engine.toEntry(row)

/** A row as sealing reads it (bulkColumns): metadata as JSON text, the date as epoch ms. */
function rowOf(fields: Partial<Row> = {}): Row {
  return {
    uuid: '019abcde-0000-7000-8000-000000000001',
    target: 'auth0|5f7c8ec7',
    admin: 'admin-ÄÖ',
    action: 'role_assigned',
    ip: '192.168.1.1',
    agent: null,
    metadata: '{"zeta":1,"a":[1,"two",null,{"deep":[true,false]}],"é":"é-key"}',
    at: Date.UTC(2026, 10, 25, 10, 0, 0, 7),
    ...fields,
  }
}

/** A value as PostgreSQL writes jsonb out: keys by length then bytes, `, ` and `: ` between. */
function jsonbText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort(
      (a, b) => Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b)),
    )
    return `{${keys.map((k) => `${JSON.stringify(k)}: ${jsonbText((value as Record<string, unknown>)[k])}`).join(', ')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

// The general path: the row read as an Entry, hashed as entryLeafHash does (or the stored-text fallback).
const generalLeaf = (row: Row) => leafOfRow(toEntry, row, true)

function expectSameLeaf(row: Row): void {
  const fast = fastRowLeaf(row)
  let expected: Buffer
  try {
    expected = entryLeafHash(toEntry(row))
  } catch {
    expect(fast).toBeUndefined()
    return
  }
  if (fast !== undefined) expect(fast.toString('hex')).toBe(expected.toString('hex'))
  const general = generalLeaf(row).leaf.toString('hex')
  expect(leafHashOfRow(toEntry, row).toString('hex')).toBe(general)
  const values = ['uuid', 'target', 'admin', 'action', 'ip', 'agent', 'metadata', 'at', 'id'].map((k) => row[k])
  expect(Buffer.from(leafTextOfValues(toEntry, values), 'latin1').toString('hex')).toBe(general)
  const ofValues = leafOfValues(toEntry, [7, ...values], 1, true)
  expect(ofValues.leaf.toString('hex')).toBe(general)
  expect(ofValues.unreadable).toBe(generalLeaf(row).unreadable)
}

describe('the fast row leaf', () => {
  test('gives the leaf of the entry the row reads as, for random entries', () => {
    const random = seededRandom(12)
    let fast = 0
    for (let i = 0; i < 2000; i++) {
      const e = randomEntry(random)
      const at = e.insertedAt instanceof Date ? e.insertedAt.getTime() : Date.parse(e.insertedAt)
      const row = rowOf({
        uuid: e.uuid,
        target: e.targetUserUuid,
        admin: e.adminUserUuid,
        action: e.action,
        ip: e.ipAddress,
        agent: e.userAgent,
        metadata: JSON.stringify(e.metadata),
        at,
      })
      if (fastRowLeaf(row) !== undefined) fast++
      expectSameLeaf(row)
    }
    expect(fast).toBeGreaterThan(1000)
  })

  test('gives the same leaf for metadata as PostgreSQL writes jsonb out (a space after each , and :)', () => {
    const random = seededRandom(13)
    let spaced = 0
    for (let i = 0; i < 2000; i++) {
      const e = randomEntry(random)
      const metadata = jsonbText(e.metadata)
      if (metadata.includes(', ') || metadata.includes(': ')) spaced++
      expectSameLeaf(rowOf({ uuid: e.uuid, metadata }))
    }
    expect(spaced).toBeGreaterThan(1000)
    const row = rowOf({ metadata: '{"a": [1, "x, y: z", {"b": null}], "bb": {}}' })
    expect(fastRowLeaf(row)?.toString('hex')).toBe(entryLeafHash(toEntry(row)).toString('hex'))
    // Keys in jsonb's order (by length), not the canonical one, at two depths.
    const reordered = rowOf({ metadata: '{"n": 1, "tags": ["a", {"zz": 1, "y": [2]}], "reason": "x"}' })
    expect(fastRowLeaf(reordered)?.toString('hex')).toBe(entryLeafHash(toEntry(reordered)).toString('hex'))
  })

  test.each([
    ['metadata with escapes and a lone surrogate', { metadata: '{"b":"x\\ud800","a":"\\u0001\\"","\\n":1}' }],
    ['numbers in every written form', { metadata: '{"n":[1.0,-0,1e21,1E-7,0.1,123456789012345678901234567890]}' }],
    ['a number beyond a double', { metadata: '{"n":1e400}' }],
    ['metadata that is not JSON', { metadata: '{"a":' }],
    ['metadata that is an array', { metadata: '[1,2]' }],
    ['metadata that is a string', { metadata: '"text"' }],
    ['metadata nested too deep', { metadata: `${'['.repeat(1001)}${']'.repeat(1001)}` }],
    ['metadata nested just deep enough', { metadata: `{"a":${'['.repeat(998)}${']'.repeat(998)}}` }],
    ['a __proto__ key', { metadata: '{"__proto__":{"x":1},"a":2}' }],
    ['text that needs escaping', { action: 'a"b\\c\u0007', agent: 'tab\there', ip: '\u2028' }],
    ['a text column that is not text', { action: 42 }],
    ['an undefined nullable column', { ip: undefined, agent: undefined }],
    ['a date before 1970', { at: -1 }],
    ['the first date of year 0000', { at: -62_167_219_200_000 }],
    ['the last date of year 9999', { at: 253_402_300_799_999 }],
    ['a date after 9999', { at: 253_402_300_800_000 }],
    ['a date no Date holds', { at: 9e15 }],
    ['a fractional date', { at: 1.5 }],
    ['a date as a bigint', { at: 1_700_000_000_000n }],
    ['metadata as an object (a driver that parses jsonb)', { metadata: { b: 1, a: 2 } }],
  ])('agrees with the general path: %s', (_name, fields) => {
    expectSameLeaf(rowOf(fields as Partial<Row>))
  })

  test('builds the Entry of a hashed row only when asked, the same as toEntry', () => {
    const row = rowOf()
    const leaf = leafOfRow(toEntry, row, true)
    expect(leaf.unreadable).toBeUndefined()
    expect(leaf.fallback).toBeUndefined()
    expect(leaf.entry).toEqual(toEntry(row))
  })
})
