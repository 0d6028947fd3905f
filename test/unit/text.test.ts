import { describe, expect, test } from 'vitest'
import { hasUnstorableText, storableText, storableUserAgent, USER_AGENT_MAX_LENGTH } from '../../src/schema/text.js'

// A small deterministic generator, so that a failure can be replayed.
function* randomStrings(seed: number, count: number): Generator<string> {
  let x = seed
  const next = () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff
    return x
  }
  const alphabet = [0, 0x41, 0x7f, 0xe9, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xfffd, 0xffff, 0x1f600]
  for (let i = 0; i < count; i++) {
    const length = next() % 40
    let s = ''
    for (let j = 0; j < length; j++) {
      const pick = alphabet[next() % alphabet.length]!
      s += pick > 0xffff ? String.fromCodePoint(pick) : String.fromCharCode(pick)
    }
    yield s
  }
}

describe('storable text (property)', () => {
  test('output is well-formed, has no NUL, keeps clean strings as they are, and is idempotent', () => {
    for (const s of randomStrings(42, 20_000)) {
      const out = storableText(s)
      expect(out.isWellFormed()).toBe(true)
      expect(out.includes('\u0000')).toBe(false)
      expect(out).toHaveLength(s.length)
      expect(storableText(out)).toBe(out)
      expect(hasUnstorableText(out)).toBe(false)
      if (!hasUnstorableText(s)) expect(out).toBe(s)
      expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out)
    }
  })

  test('user agents: cut to the limit, never a broken pair at the cut', () => {
    for (const s of randomStrings(7, 2000)) {
      const long = s.repeat(200)
      const out = storableUserAgent(long)
      expect(out.length).toBeLessThanOrEqual(USER_AGENT_MAX_LENGTH)
      expect(out.isWellFormed()).toBe(true)
      expect(out).toBe(storableText(long.slice(0, USER_AGENT_MAX_LENGTH)))
    }
  })
})
