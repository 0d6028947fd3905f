import { describe, expect, test } from 'vitest'
import { tileRuns, tilesSql } from '../../src/store/seal-sql.js'

const dialect = { tiles: '"t_tiles"', param: (n: number) => `$${n}` } as Parameters<typeof tilesSql>[0]

describe('tile reads', () => {
  test('tileRuns merges consecutive indexes of a level into runs, and nothing else', () => {
    const keys = [
      { level: 0, index: 9 },
      { level: 0, index: 7 },
      { level: 1, index: 8 },
      { level: 0, index: 8 },
      { level: 0, index: 8 },
      { level: 0, index: 11 },
      { level: 1, index: 9 },
      { level: 2, index: 0 },
    ]
    expect(tileRuns(keys)).toEqual([
      { level: 0, first: 7, last: 9 },
      { level: 0, first: 11, last: 11 },
      { level: 1, first: 8, last: 9 },
      { level: 2, first: 0, last: 0 },
    ])
    expect(tileRuns([])).toEqual([])
  })

  test('tilesSql asks for a run by range and a lone tile by key, every value a parameter', () => {
    const sql = tilesSql(dialect, [
      { level: 0, index: 4 },
      { level: 0, index: 5 },
      { level: 3, index: 1 },
    ])
    expect(sql.text).toBe(
      'SELECT level, idx, hashes FROM "t_tiles" WHERE (level = $1 AND idx BETWEEN $2 AND $3) OR (level = $4 AND idx = $5)',
    )
    expect(sql.params).toEqual([0, 4, 5, 3, 1])
    expect(tilesSql(dialect, []).text).toMatch(/WHERE false$/)
  })
})
