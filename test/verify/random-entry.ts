// Random entries for property tests, from a seeded generator so that a failure replays. Text is
// drawn across the ranges canonical JSON and UTF-8 treat apart (controls, quotes and backslash,
// Latin-1, two- and three-byte UTF-8, U+2028, astral characters), never a lone surrogate; metadata
// nests objects and arrays with numbers of every written form.
import type { LeafEntry } from '../../src/verify.js'

export type Random = () => number

/**
 * A seeded generator of floats in [0, 1) (mulberry32).
 *
 * @example
 * const random = seededRandom(42)
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

const int = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1))
const pick = <T>(random: Random, list: readonly T[]): T => list[int(random, 0, list.length - 1)] as T

// Code point ranges, each as likely as the others; the surrogates D800-DFFF are in none.
const RANGES: readonly (readonly [number, number])[] = [
  [0x20, 0x7e],
  [0x20, 0x7e],
  [0x00, 0x1f],
  [0x22, 0x22],
  [0x5c, 0x5c],
  [0x7f, 0xff],
  [0x100, 0x7ff],
  [0x800, 0xd7ff],
  [0x2028, 0x2029],
  [0xe000, 0xffff],
  [0x10000, 0x10ffff],
]

function text(random: Random, maxLength = 12): string {
  let out = ''
  for (let n = int(random, 0, maxLength); n > 0; n--) {
    const [low, high] = pick(random, RANGES)
    out += String.fromCodePoint(int(random, low, high))
  }
  return out
}

const SPECIAL_NUMBERS = [0, -0, 1e21, 1e-7, 0.1, 5e-324, Number.MAX_VALUE, Number.MAX_SAFE_INTEGER, -1.5e300]

function number(random: Random): number {
  const kind = int(random, 0, 2)
  if (kind === 0) return pick(random, SPECIAL_NUMBERS)
  if (kind === 1) return int(random, -(2 ** 53) + 1, 2 ** 53 - 1)
  return (random() - 0.5) * 10 ** int(random, -30, 30)
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

function json(random: Random, depth: number): Json {
  const kind = int(random, 0, depth > 0 ? 5 : 3)
  if (kind === 0) return pick(random, [null, true, false])
  if (kind === 1) return number(random)
  if (kind <= 3) return text(random)
  if (kind === 4) return Array.from({ length: int(random, 0, 4) }, () => json(random, depth - 1))
  return object(random, depth - 1)
}

function object(random: Random, depth: number): { [key: string]: Json } {
  const out: { [key: string]: Json } = {}
  for (let n = int(random, 0, 5); n > 0; n--) out[text(random, 6)] = json(random, depth)
  return out
}

// Most dates in auditkit's lifetime; one in ten anywhere a Date can be (six-digit and negative years).
function insertedAt(random: Random): Date | string {
  const ms = random() < 0.1 ? int(random, -8.64e15, 8.64e15) : int(random, 0, 4_102_444_800_000)
  const date = new Date(ms)
  return random() < 0.5 ? date : date.toISOString()
}

/**
 * A random entry as the leaf rule takes it: `insertedAt` a Date or its ISO string, ip and user agent
 * sometimes null, metadata a random object up to four levels deep.
 *
 * @example
 * const entry = randomEntry(seededRandom(1))
 */
export function randomEntry(random: Random): LeafEntry {
  return {
    uuid: text(random, 36),
    targetUserUuid: text(random, 36),
    adminUserUuid: text(random, 36),
    action: text(random, 20),
    ipAddress: random() < 0.3 ? null : text(random, 39),
    userAgent: random() < 0.3 ? null : text(random, 60),
    metadata: object(random, 4),
    insertedAt: insertedAt(random),
  }
}
