import type { ValidationIssue } from '../errors.js'
import { storableText } from './text.js'

/** A JSON value as stored in metadata. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** Extra context of an entry: a plain JSON object. */
export type Metadata = Record<string, unknown>

/** The largest metadata accepted, as UTF-8 JSON. */
export const METADATA_MAX_BYTES = 64 * 1024
/** The most levels of nested objects and arrays accepted, the top object being one; deeper JSON breaks some engines' parsers. */
export const METADATA_MAX_DEPTH = 64

class MetadataProblem extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message)
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

// PostgreSQL's jsonb orders keys by UTF-8 length, then bytes; SQLite keeps what it is given.
// Ordering keys the jsonb way at write time makes every engine read back the same object.
function utf8Length(s: string): number {
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x80) n += c < 0x800 ? 1 : c >= 0xd800 && c < 0xdc00 ? 0 : 2 // a pair is 4 bytes for 2 units
  }
  return n
}

// UTF-8 byte order is code point order; UTF-16 unit order differs only between a surrogate pair
// and U+E000..U+FFFF.
function compareCodePoints(a: string, b: string): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const x = a.codePointAt(i) as number
    const y = b.codePointAt(i) as number
    if (x !== y) return x - y
    if (x > 0xffff) i++
  }
  return a.length - b.length
}

interface Key {
  readonly key: string
  readonly stored: string
  readonly bytes: number
}

function jsonbKeyOrder(a: Key, b: Key): number {
  return a.bytes - b.bytes || compareCodePoints(a.stored, b.stored)
}

const TOO_LARGE = `is larger than ${METADATA_MAX_BYTES} bytes as JSON`

// A copy in progress. `bytes` is a lower bound of the copy's UTF-8 JSON size, kept as it grows so
// that oversized metadata is refused after about METADATA_MAX_BYTES of work, not after copying all
// of it. A UTF-16 unit is at least one UTF-8 byte and escapes only add, so a string counts its
// length and its quotes; every JSON value is at least one byte.
class Copy {
  bytes = 0
  readonly seen: Set<object>

  constructor(
    readonly field: string,
    top: object,
  ) {
    this.seen = new Set([top])
  }

  /** Counts `bytes` more of output; refuses when the count plus `ahead` bytes still to come is too large. */
  grow(bytes: number, ahead = 0): void {
    this.bytes += bytes
    if (this.bytes + ahead > METADATA_MAX_BYTES) throw this.tooLarge()
  }

  tooLarge(): MetadataProblem {
    return new MetadataProblem(this.field, TOO_LARGE)
  }
}

function copyValue(value: unknown, path: string, depth: number, copy: Copy): JsonValue {
  switch (typeof value) {
    case 'string':
      copy.grow(value.length + 2)
      return storableText(value)
    case 'boolean':
      copy.grow(value ? 4 : 5)
      return value
    case 'number':
      if (!Number.isFinite(value)) throw new MetadataProblem(path, `must be a finite number (got ${value})`)
      copy.grow(1)
      return value === 0 ? 0 : value // -0 is stored as 0
    case 'bigint':
      throw new MetadataProblem(path, 'BigInt is not JSON; convert it to a string')
    case 'function':
    case 'symbol':
      throw new MetadataProblem(path, `a ${typeof value} is not JSON`)
    case 'undefined':
      throw new MetadataProblem(path, 'undefined is not JSON inside an array')
  }
  if (value === null) {
    copy.grow(4)
    return null
  }
  const obj = value as object
  if (depth + 1 > METADATA_MAX_DEPTH) throw new MetadataProblem(path, `nests deeper than ${METADATA_MAX_DEPTH} levels`)
  if (copy.seen.has(obj)) throw new MetadataProblem(path, 'contains a cycle')
  if (obj instanceof Date) {
    if (Number.isNaN(obj.getTime())) throw new MetadataProblem(path, 'is an invalid Date')
    const iso = obj.toISOString()
    copy.grow(iso.length + 2)
    return iso
  }
  copy.seen.add(obj)
  let out: JsonValue
  if (Array.isArray(obj)) {
    // Brackets and commas now; each item (a hole is `null`) is at least one byte more.
    copy.grow(obj.length === 0 ? 2 : obj.length + 1, obj.length)
    out = obj.map((item, i) => copyValue(item, `${path}[${i}]`, depth + 1, copy))
  } else if (isPlainObject(obj)) {
    out = copyObject(obj as Record<string, unknown>, path, depth, copy)
  } else {
    const kind = obj.constructor?.name ?? 'object'
    throw new MetadataProblem(path, `a ${kind} is not a plain JSON value; convert it first`)
  }
  copy.seen.delete(obj)
  return out
}

function copyObject(
  obj: Record<string, unknown>,
  path: string,
  depth: number,
  copy: Copy,
): { [key: string]: JsonValue } {
  copy.grow(1) // `{`
  const keys: Key[] = []
  let cleaned = false
  // Object.keys, not a for...in that stops early: V8 lists every key of a large object before
  // for...in yields the first, so stopping early saves nothing (measured on 1,000,000 keys).
  for (const key of Object.keys(obj)) {
    if (obj[key] === undefined) continue
    // `"key":` and a comma or the closing `}`: counted before the key is cleaned or measured.
    copy.grow(key.length + 4)
    const stored = storableText(key)
    if (stored !== key) cleaned = true
    keys.push({ key, stored, bytes: utf8Length(stored) })
  }
  if (keys.length === 0) copy.grow(1) // `}`
  if (keys.length > 1) keys.sort(jsonbKeyOrder)
  // Two keys that clean to one (`a\u0000` and `a\uFFFD`) would keep one value and drop the
  // other without a word: refused. Sorted, they are neighbours.
  if (cleaned) {
    for (let i = 1; i < keys.length; i++) {
      const { key, stored } = keys[i] as Key
      if (stored === (keys[i - 1] as Key).stored) {
        throw new MetadataProblem(
          `${path}.${key}`,
          'is the same key as another once NUL and lone surrogates are replaced by U+FFFD',
        )
      }
    }
  }
  const out: { [key: string]: JsonValue } = {}
  for (const { key, stored } of keys) {
    const value = copyValue(obj[key], `${path}.${key}`, depth + 1, copy)
    // Assigning `__proto__` would set the prototype and lose the key.
    if (stored === '__proto__') {
      Object.defineProperty(out, stored, { value, enumerable: true, writable: true, configurable: true })
    } else out[stored] = value
  }
  return out
}

/** Metadata checked and copied into its stored form, with its JSON text. */
export interface StoredMetadata {
  readonly value: { [key: string]: JsonValue }
  readonly json: string
}

/**
 * Checks metadata and returns the copy that will be stored: strings made storable, keys in
 * jsonb order, Dates as ISO strings, `undefined` properties dropped. Throws a list of issues
 * when it is not a plain JSON object, has a cycle, a function, a BigInt, a non-finite number,
 * nests too deep or exceeds {@link METADATA_MAX_BYTES}.
 */
export function toStoredMetadata(metadata: unknown, field = 'metadata'): StoredMetadata | ValidationIssue {
  if (metadata === undefined) return { value: {}, json: '{}' }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata) || !isPlainObject(metadata)) {
    return { field, message: 'must be a plain JSON object' }
  }
  let value: { [key: string]: JsonValue }
  try {
    value = copyObject(metadata as Record<string, unknown>, field, 0, new Copy(field, metadata))
  } catch (e) {
    if (e instanceof MetadataProblem) return { field: e.path, message: e.message }
    if (e instanceof RangeError) return { field, message: 'nests too deep' }
    throw e
  }
  // The copy's count is a lower bound; the exact size decides. A UTF-16 unit is one to three UTF-8
  // bytes: skip the count when the text is short.
  const json = JSON.stringify(value)
  if (json.length * 3 > METADATA_MAX_BYTES && Buffer.byteLength(json) > METADATA_MAX_BYTES) {
    return { field, message: TOO_LARGE }
  }
  return { value, json }
}
