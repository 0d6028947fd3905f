import { expect, test } from 'vitest'
import { type Entry, entryFilter, type LogFilters } from '../../src/index.js'

const A = '0190a000-0000-7000-8000-00000000000a'
const B = '0190a000-0000-7000-8000-00000000000b'
const entry = (over: Partial<Entry>): Entry => ({
  uuid: '0190a000-0000-7000-8000-000000000001',
  targetUserUuid: A,
  adminUserUuid: B,
  action: 'user_locked',
  ipAddress: null,
  userAgent: null,
  metadata: {},
  insertedAt: new Date('2026-11-29T10:00:00Z'),
  seq: 0,
  ...over,
})

test('entryFilter: each filter as listLogs applies it, in memory', () => {
  const e = entry({})
  const f = (filters: LogFilters, format?: 'uuid' | 'string') => entryFilter<string>(filters, format)
  expect(f({})(e)).toBe(true)
  expect(f({ action: 'user_locked' })(e)).toBe(true)
  expect(f({ action: 'user_deleted' })(e)).toBe(false)
  expect(f({ action: ['user_deleted', 'user_locked'] })(e)).toBe(true)
  expect(f({ action: ['user_deleted'] })(e)).toBe(false)
  expect(entryFilter({ targetUserUuid: A.toUpperCase() })(e)).toBe(true)
  expect(entryFilter({ targetUserUuid: A.toUpperCase() }, 'string')(e)).toBe(false)
  expect(f({ adminUserUuid: A })(e)).toBe(false)
  expect(f({ userUuid: A })(e)).toBe(true)
  expect(f({ userUuid: B })(e)).toBe(true)
  expect(f({ fromDate: '2026-11-29T10:00:00Z', toDate: '2026-11-29T10:00:00Z' })(e)).toBe(true)
  expect(entryFilter({ fromDate: new Date('2026-11-29T10:00:00.001Z') })(e)).toBe(false)
  expect(f({ toDate: '2026-11-29' })(e)).toBe(false)
})
