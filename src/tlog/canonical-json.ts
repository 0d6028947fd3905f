import { utf8 } from './bytes.js'

// RFC 8785, the JSON Canonicalization Scheme (JCS): the one byte form of a JSON value that tamper
// evidence hashes. Every rule leans on ECMAScript itself, which JCS was defined from: strings are
// escaped by JSON.stringify (§3.2.2.2), numbers written by Number::toString (§3.2.2.3), and keys
// compared with `<`, which orders strings by UTF-16 code units (§3.2.3).

// What went wrong, and where: `segments` is filled from the offending value up to the root while
// the stack unwinds, so the success path never builds a path string.
class Refusal {
  readonly segments: string[] = []
  constructor(readonly reason: string) {}
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

/**
 * The deepest nesting serialized. Deeper values are refused with a TypeError rather than left to
 * overflow the call stack, whose depth depends on the caller: a leaf must not hash on one call
 * and fail on another. PostgreSQL's jsonb accepts far deeper values than auditkit ever writes (64).
 */
export const CANONICAL_MAX_DEPTH = 1000

function keySegment(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`
}

function pathOf(segments: readonly string[]): string {
  let path = '$'
  for (let i = segments.length - 1; i >= 0; i--) path += segments[i]
  return path
}

// Most strings need no escape and hold no surrogate: one regex test, then quotes. Doing this
// rather than calling JSON.stringify and isWellFormed on every string and key is about a third
// faster on a typical entry.
const NEEDS_CARE = /["\\\u0000-\u001f\ud800-\udfff]/

// Set while canonicalJsonLenient runs (serialization is synchronous, so no other call can see it).
let lenient = false

function serializeString(s: string, what: string): string {
  if (!NEEDS_CARE.test(s)) return `"${s}"`
  // JSON.stringify would quietly write a lone surrogate as `\udxxx`; JCS wants valid Unicode.
  if (!lenient && !s.isWellFormed()) throw new Refusal(`${what} holds a lone surrogate (not valid Unicode)`)
  return JSON.stringify(s)
}

function kindOf(value: object): string {
  const proto: unknown = Object.getPrototypeOf(value)
  const name = (proto as { constructor?: { name?: unknown } } | null)?.constructor?.name
  return typeof name === 'string' && name !== '' ? `an instance of ${name}` : 'an object with a custom prototype'
}

function serializeArray(array: readonly unknown[], ancestors: object[]): string {
  if (Object.getPrototypeOf(array) !== Array.prototype) throw new Refusal(`${kindOf(array)} is not a plain array`)
  if (ancestors.includes(array)) throw new Refusal('a cycle: the array contains itself')
  if (ancestors.length >= CANONICAL_MAX_DEPTH) throw new Refusal(`nests deeper than ${CANONICAL_MAX_DEPTH} levels`)
  ancestors.push(array)
  let out = '['
  let i = 0
  try {
    for (; i < array.length; i++) {
      if (i > 0) out += ','
      out += serialize(array[i], ancestors) // a hole reads as undefined and is refused
    }
  } catch (e) {
    if (e instanceof Refusal) e.segments.push(`[${i}]`)
    throw e
  }
  ancestors.pop()
  return `${out}]`
}

function serializeObject(object: object, ancestors: object[]): string {
  const proto: unknown = Object.getPrototypeOf(object)
  if (proto !== Object.prototype && proto !== null) throw new Refusal(`${kindOf(object)} is not a plain object`)
  if (ancestors.includes(object)) throw new Refusal('a cycle: the object contains itself')
  if (ancestors.length >= CANONICAL_MAX_DEPTH) throw new Refusal(`nests deeper than ${CANONICAL_MAX_DEPTH} levels`)
  // JSON.stringify would drop them silently; a hash that skips a field proves nothing about it.
  if (Object.getOwnPropertySymbols(object).length > 0) throw new Refusal('an object with symbol keys is not JSON')
  const record = object as Record<string, unknown>
  // Without a comparator, sort compares strings with `<`: UTF-16 code units, what §3.2.3 asks,
  // and faster than passing the same comparison as a function.
  const keys = Object.keys(record).sort()
  ancestors.push(object)
  let out = '{'
  let i = 0
  try {
    for (; i < keys.length; i++) {
      const key = keys[i]!
      if (i > 0) out += ','
      out += `${serializeString(key, 'the key')}:${serialize(record[key], ancestors)}`
    }
  } catch (e) {
    if (e instanceof Refusal) e.segments.push(keySegment(keys[i]!))
    throw e
  }
  ancestors.pop()
  return `${out}}`
}

function serialize(value: unknown, ancestors: object[]): string {
  switch (typeof value) {
    case 'string':
      return serializeString(value, 'the string')
    case 'number':
      if (!Number.isFinite(value)) throw new Refusal(`${value} is not a finite number`)
      return `${value}` // Number::toString, which writes -0 as 0
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object':
      if (value === null) return 'null'
      return Array.isArray(value) ? serializeArray(value, ancestors) : serializeObject(value, ancestors)
    case 'undefined':
      throw new Refusal('undefined is not JSON')
    case 'bigint':
      throw new Refusal('a BigInt is not JSON (store it as a string)')
    case 'function':
      throw new Refusal('a function is not JSON')
    default:
      throw new Refusal(`a ${typeof value} is not JSON`)
  }
}

/**
 * The RFC 8785 (JCS) canonical form of a JSON value: object members sorted by key in UTF-16 code
 * unit order at every depth, arrays kept in order, no whitespace, strings escaped and numbers
 * written exactly as ECMAScript's `JSON.stringify` does (so `-0` is `0`, `1e21` is `1e+21`).
 *
 * It takes plain JSON only. Anything JSON cannot hold is refused, never dropped or converted:
 * throws a `TypeError` whose message names the offending place as a path such as `$.a[2]` for
 * `undefined` (at the top, as a member value, or as an array element or hole), a non-finite
 * number, a BigInt, a function, a symbol, a cycle, a Date, Map or other non-plain object or array,
 * an object with symbol keys, or a string or key holding a lone surrogate. Shared references that
 * are not cycles are serialized at each place. `toJSON` methods are not called (a function member
 * is refused), and nesting deeper than {@link CANONICAL_MAX_DEPTH} levels.
 *
 * @example
 * canonicalJson({ b: [1, -0, 1e21], a: 'é\n' }) // '{"a":"é\\n","b":[1,0,1e+21]}'
 * canonicalJson({ a: undefined }) // throws TypeError: canonicalJson: undefined is not JSON, at $.a
 */
export function canonicalJson(value: unknown): string {
  try {
    return serialize(value, [])
  } catch (e) {
    if (e instanceof Refusal) throw new TypeError(`canonicalJson: ${e.reason}, at ${pathOf(e.segments)}`)
    throw e
  }
}

/**
 * As canonicalJson, except that a lone surrogate is written as its `\\uXXXX` escape (as
 * JSON.stringify does) instead of refused: entry leaves use it, so that an entry that raw SQL
 * stored with one can still be sealed and verified rather than block the log.
 *
 * @example
 * canonicalJsonLenient({ b: 'x\ud800', a: 1 }) // '{"a":1,"b":"x\\ud800"}'
 */
export function canonicalJsonLenient(value: unknown): string {
  lenient = true
  try {
    return canonicalJson(value)
  } finally {
    lenient = false
  }
}

/**
 * One string as canonicalJsonLenient writes it (quoted, escaped as JSON.stringify does).
 *
 * @example
 * canonicalStringLenient('a"b') // '"a\\"b"'
 */
export function canonicalStringLenient(value: string): string {
  return NEEDS_CARE.test(value) ? JSON.stringify(value) : `"${value}"`
}

// The same output as canonicalJsonLenient for what JSON.parse returns, without the checks only
// other values need (prototypes, cycles, symbol keys, holes, undefined): JSON.parse makes plain
// objects and arrays, strings, numbers, booleans and null only. Non-finite numbers (`1e400`
// parses as Infinity) and nesting deeper than CANONICAL_MAX_DEPTH are still refused.
function parsedValue(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return NEEDS_CARE.test(value) ? JSON.stringify(value) : `"${value}"`
    case 'number':
      if (!Number.isFinite(value)) throw new Refusal(`${value} is not a finite number`)
      return `${value}`
    case 'boolean':
      return value ? 'true' : 'false'
    default: {
      if (value === null) return 'null'
      if (depth >= CANONICAL_MAX_DEPTH) throw new Refusal(`nests deeper than ${CANONICAL_MAX_DEPTH} levels`)
      if (Array.isArray(value)) {
        let out = '['
        for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + parsedValue(value[i], depth + 1)
        return `${out}]`
      }
      const record = value as Record<string, unknown>
      const keys = Object.keys(record).sort()
      let out = '{'
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string
        const name = NEEDS_CARE.test(key) ? JSON.stringify(key) : `"${key}"`
        out += `${i > 0 ? ',' : ''}${name}:${parsedValue(record[key], depth + 1)}`
      }
      return `${out}}`
    }
  }
}

/**
 * {@link canonicalJsonLenient} of `JSON.parse(text)`, or undefined when the text is not JSON or
 * its value is refused (a number beyond what a double holds, nesting too deep). The same bytes,
 * about twice as fast: the sealing and verify hot path, for metadata read as JSON text.
 *
 * @example
 * canonicalJsonOfText('{"b":1,"a":[true]}') // '{"a":[true],"b":1}'
 */
export function canonicalJsonOfText(text: string): { value: unknown; json: string } | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  try {
    return { value, json: parsedValue(value, 0) }
  } catch (e) {
    if (e instanceof Refusal) return undefined
    throw e
  }
}

/**
 * The UTF-8 bytes of {@link canonicalJson} (RFC 8785 §3.2.4): what tamper evidence hashes.
 * Refuses the same values, with the same `TypeError`.
 *
 * @example
 * createHash('sha256').update(canonicalBytes({ action: 'user_locked', n: 1 })).digest('hex')
 */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8(canonicalJson(value))
}
