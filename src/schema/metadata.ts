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

function copyValue(value: unknown, path: string, depth: number, seen: Set<object>): JsonValue {
  switch (typeof value) {
    case 'string':
      return storableText(value)
    case 'boolean':
      return value
    case 'number':
      if (!Number.isFinite(value)) throw new MetadataProblem(path, `must be a finite number (got ${value})`)
      return value === 0 ? 0 : value // -0 is stored as 0
    case 'bigint':
      throw new MetadataProblem(path, 'BigInt is not JSON; convert it to a string')
    case 'function':
    case 'symbol':
      throw new MetadataProblem(path, `a ${typeof value} is not JSON`)
    case 'undefined':
      throw new MetadataProblem(path, 'undefined is not JSON inside an array')
  }
  if (value === null) return null
  const obj = value as object
  if (depth + 1 > METADATA_MAX_DEPTH) throw new MetadataProblem(path, `nests deeper than ${METADATA_MAX_DEPTH} levels`)
  if (seen.has(obj)) throw new MetadataProblem(path, 'contains a cycle')
  if (obj instanceof Date) {
    if (Number.isNaN(obj.getTime())) throw new MetadataProblem(path, 'is an invalid Date')
    return obj.toISOString()
  }
  seen.add(obj)
  let out: JsonValue
  if (Array.isArray(obj)) {
    out = obj.map((item, i) => copyValue(item, `${path}[${i}]`, depth + 1, seen))
  } else if (isPlainObject(obj)) {
    out = copyObject(obj as Record<string, unknown>, path, depth, seen)
  } else {
    const kind = obj.constructor?.name ?? 'object'
    throw new MetadataProblem(path, `a ${kind} is not a plain JSON value; convert it first`)
  }
  seen.delete(obj)
  return out
}

function copyObject(
  obj: Record<string, unknown>,
  path: string,
  depth: number,
  seen: Set<object>,
): { [key: string]: JsonValue } {
  const keys: Key[] = []
  for (const key of Object.keys(obj)) {
    if (obj[key] === undefined) continue
    const stored = storableText(key)
    keys.push({ key, stored, bytes: utf8Length(stored) })
  }
  if (keys.length > 1) keys.sort(jsonbKeyOrder)
  const out: { [key: string]: JsonValue } = {}
  for (const { key, stored } of keys) {
    const value = copyValue(obj[key], `${path}.${key}`, depth + 1, seen)
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
    value = copyObject(metadata as Record<string, unknown>, field, 0, new Set([metadata]))
  } catch (e) {
    if (e instanceof MetadataProblem) return { field: e.path, message: e.message }
    if (e instanceof RangeError) return { field, message: 'nests too deep' }
    throw e
  }
  const json = JSON.stringify(value)
  // A UTF-8 byte is at least one UTF-16 unit, at most three per unit: skip the count when short.
  if (json.length * 3 > METADATA_MAX_BYTES && Buffer.byteLength(json) > METADATA_MAX_BYTES) {
    return { field, message: `is larger than ${METADATA_MAX_BYTES} bytes as JSON` }
  }
  return { value, json }
}
