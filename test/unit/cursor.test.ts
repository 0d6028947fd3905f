import { describe, expect, test } from 'vitest'
import { decodeCursor, encodeCursor } from '../../src/cursor.js'
import { ValidationError } from '../../src/index.js'

describe('cursor', () => {
  test('round-trips a position', () => {
    const position = { insertedAt: new Date('2026-11-25T10:00:00.123Z'), uuid: '019abcde-0000-7000-8000-000000000001' }
    expect(decodeCursor(encodeCursor(position))).toEqual(position)
  })

  test('anything else is a ValidationError on cursor', () => {
    const good = encodeCursor({ insertedAt: new Date(0), uuid: '019abcde-0000-7000-8000-000000000001' })
    const flipped = good.slice(0, 5) + (good[5] === 'A' ? 'B' : 'A') + good.slice(6)
    for (const bad of [
      '',
      'a',
      '====',
      `${good}x`,
      flipped,
      'x'.repeat(101),
      Buffer.from('1:-5:x').toString('base64url'),
    ]) {
      let error: unknown
      try {
        decodeCursor(bad)
      } catch (e) {
        error = e
      }
      if (error === undefined) {
        // a flip that still decodes must still be a well-formed position
        expect(decodeCursor(bad).uuid).toMatch(/^[0-9a-f-]{36}$/)
        continue
      }
      expect(error).toBeInstanceOf(ValidationError)
      expect((error as ValidationError).fields).toEqual(['cursor'])
    }
  })
})
