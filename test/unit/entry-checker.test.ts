import { describe, expect, test } from 'vitest'
import { DEFAULT_ACTIONS } from '../../src/actions.js'
import { entryInputChecker, entryInputSchema } from '../../src/schema/entry-schema.js'
import type { UserIdFormat } from '../../src/schema/fields.js'

// A small seeded generator: the same cases every run.
function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const UUID = '0192f3a4-7b1c-7def-8a12-3456789abcde'
// Half the time the first (well-formed) value, so that many inputs are well formed throughout.
const pick = <T>(random: () => number, values: readonly T[]): T =>
  values[random() < 0.5 ? 0 : Math.floor(random() * values.length)] as T
const USER_IDS = [
  UUID,
  UUID.toUpperCase(),
  'not-a-uuid',
  '',
  'x'.repeat(255),
  'x'.repeat(256),
  'a\u0000b',
  '\ud800',
  'alice',
  7,
  null,
]
const ACTIONS = [...DEFAULT_ACTIONS, 'nope', '', 3, null]
const IPS = [
  '10.0.0.1',
  '::1',
  '2001:db8::1',
  'fe80::1%eth0',
  '999.0.0.1',
  'localhost',
  '',
  `${'1:'.repeat(40)}1`,
  1,
  null,
  undefined,
]
const AGENTS = ['Mozilla/5.0', '', 'a\u0000', 'x'.repeat(3000), 5, null, undefined]
const METADATA = [{ a: 1 }, {}, [1], 'text', null, undefined, new Date(0), { nested: { deep: [1, 2] } }]

function randomInput(random: () => number): unknown {
  const input: Record<string, unknown> = {}
  const maybe = (key: string, values: readonly unknown[], absent = 0.15) => {
    if (random() >= absent) input[key] = pick(random, values)
  }
  maybe('targetUserUuid', USER_IDS, 0.05)
  maybe('adminUserUuid', USER_IDS, 0.05)
  maybe('action', ACTIONS, 0.05)
  maybe('ipAddress', IPS, 0.4)
  maybe('userAgent', AGENTS, 0.4)
  maybe('metadata', METADATA, 0.4)
  if (random() < 0.05) input.extra = 1
  if (random() < 0.03) return Object.assign(Object.create(null), input)
  if (random() < 0.03) return [input]
  return input
}

describe('entryInputChecker, the fast path of the entry schema', () => {
  for (const format of ['uuid', 'string'] as UserIdFormat[]) {
    test(`accepts only what the schema accepts, with the same output (userIdFormat ${format})`, () => {
      const schema = entryInputSchema(DEFAULT_ACTIONS, format)
      const check = entryInputChecker(DEFAULT_ACTIONS, format)
      const random = seeded(format === 'uuid' ? 1 : 2)
      let accepted = 0
      for (let i = 0; i < 50_000; i++) {
        const input = randomInput(random)
        const fast = check(input)
        if (fast === undefined) continue
        accepted++
        const result = schema.safeParse(input)
        expect(result.success, JSON.stringify(input)).toBe(true)
        // Absent and undefined are the same to the write.
        expect(JSON.parse(JSON.stringify(fast))).toEqual(JSON.parse(JSON.stringify(result.data)))
        expect(fast.metadata).toBe(result.data?.metadata)
      }
      expect(accepted).toBeGreaterThan(200)
    })
  }

  test('a well-formed write takes the fast path', () => {
    const check = entryInputChecker(DEFAULT_ACTIONS, 'uuid')
    const input = {
      targetUserUuid: UUID,
      adminUserUuid: UUID,
      action: 'user_locked',
      ipAddress: '10.0.0.1',
      metadata: {},
    }
    expect(check(input)).toEqual({ ...input, userAgent: undefined })
    expect(check({ ...input, ipAddress: null, userAgent: null })).toBeDefined()
  })
})
