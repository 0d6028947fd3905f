import { describe, expect, test } from 'vitest'
import { countSql, findManySql, findSql, listSql, type SqlDialect } from '../../src/store/entry-sql.js'
import { postgresEngine } from '../../src/store/postgres/postgres-engine.js'
import { countPositionsSql, entryScanSql, sealedRangeSql, unsealedSql } from '../../src/store/seal-sql.js'
import { sqliteEngine } from '../../src/store/sqlite/sqlite-engine.js'
import type { ListQuery, StoreFilters } from '../../src/store/store.js'

const USERS = ['0190a000-0000-7000-8000-000000000001', '0190a000-0000-7000-8000-000000000002']
const ACTIONS = ['user_locked', 'user_deleted', 'admin_password_reset', 'user_created']

// A small deterministic generator (the test must be repeatable).
function random(seed: number): () => number {
  let s = seed
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31
    return s / 2 ** 31
  }
}

function randomQuery(next: () => number): ListQuery {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T
  const maybe = <T>(value: T): T | undefined => (next() < 0.5 ? value : undefined)
  const actions = maybe(ACTIONS.slice(0, 1 + Math.floor(next() * ACTIONS.length)))
  const filters: StoreFilters = {
    actions,
    userUuid: maybe(pick(USERS)),
    targetUserUuid: maybe(pick(USERS)),
    adminUserUuid: maybe(pick(USERS)),
    fromDate: maybe(new Date(1_700_000_000_000 + Math.floor(next() * 1e9))),
    toDate: maybe(new Date(1_800_000_000_000 + Math.floor(next() * 1e9))),
  }
  const after = maybe({ insertedAt: new Date(1_750_000_000_000 + Math.floor(next() * 1e9)), uuid: pick(USERS) })
  return { filters, limit: 1 + Math.floor(next() * 500), offset: next() < 0.5 ? 0 : Math.floor(next() * 1e6), after }
}

const engines: [string, SqlDialect][] = [
  ['sqlite', sqliteEngine('audit_entries')],
  ['postgres', postgresEngine({ schema: 'audit', table: 'audit_entries' })],
]

describe.each(engines)('entry reads on %s', (_name, dialect) => {
  test('a kept text is the text built for that query, with its own parameters, over 600 random queries', () => {
    const next = random(7)
    for (let i = 0; i < 600; i++) {
      const query = randomQuery(next)
      // A dialect seen for the first time (a new object with the same behaviour) builds its text anew.
      const fresh = Object.create(dialect) as SqlDialect
      expect(listSql(dialect, query)).toEqual(listSql(fresh, query))
      expect(countSql(dialect, query.filters)).toEqual(countSql(fresh, query.filters))
    }
  })

  test('queries of one shape share one text; a value never reaches it', () => {
    const one = listSql(dialect, { filters: { userUuid: USERS[0] }, limit: 10, offset: 0 })
    const other = listSql(dialect, { filters: { userUuid: USERS[1] }, limit: 99, offset: 0 })
    expect(other.text).toBe(one.text)
    expect(one.params).toContain(USERS[0])
    expect(other.params).toContain(USERS[1])
    expect(one.text).not.toContain(USERS[0])
    // fromDate and toDate have texts of the same length: the shape tells them apart.
    const from = countSql(dialect, { fromDate: new Date(0) })
    const to = countSql(dialect, { toDate: new Date(0) })
    expect(from.text).toMatch(/inserted_at >=/)
    expect(to.text).toMatch(/inserted_at <=/)
  })
})

describe('SQLite reads keep their values from the planner', () => {
  // SQLite 3.47+ compiles a statement again on every run after a rebinding when a plain `?` may
  // steer its plan (LIMIT, OFFSET; indexed comparisons once ANALYZE kept STAT4 samples). Every
  // parameter of a repeated read is `+?` instead.
  const d = sqliteEngine('audit_entries')
  const reads = (): { name: string; text: string }[] => {
    const next = random(11)
    const queries = Array.from({ length: 200 }, () => randomQuery(next))
    return [
      ...queries.map((q, i) => ({ name: `listSql #${i}`, text: listSql(d, q).text })),
      ...queries.map((q, i) => ({ name: `countSql #${i}`, text: countSql(d, q.filters).text })),
      { name: 'findSql', text: findSql(d, USERS[0] as string).text },
      { name: 'findManySql', text: findManySql(d, USERS).text },
      { name: 'sealedRangeSql', text: sealedRangeSql(d, 0, 256).text },
      { name: 'countPositionsSql', text: countPositionsSql(d, 0, 4096, 4096).text },
      { name: 'unsealedSql', text: unsealedSql(d, 100).text },
    ]
  }

  test('no read binds a bare ? where the planner would look at it', () => {
    for (const { name, text } of reads()) {
      const bare = [...text.matchAll(/(^|[^+])\?/g)]
      if (name.startsWith('listSql') || name.startsWith('countSql') || name.startsWith('find')) {
        expect(bare, `${name}: ${text}`).toEqual([])
      }
      expect(text, name).not.toMatch(/(LIMIT|OFFSET) \?/)
    }
  })

  test("verify's scan takes its LIMIT the same way", () => {
    const scan = entryScanSql(d, null, [10, USERS[0]], 512)
    expect(scan.text).toMatch(/LIMIT \+\?/)
  })
})
