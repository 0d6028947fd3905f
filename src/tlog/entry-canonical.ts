import type { JsonValue } from '../schema/metadata.js'
import { canonicalJsonLenient as canonicalJson, canonicalStringLenient as canonicalString } from './canonical-json.js'

/**
 * The fields of an entry that its leaf hash covers, as `Entry` has them or as JSON carries them
 * (`insertedAt` as an ISO-8601 string, as the HTTP API and exports write it). `seq` is not among
 * them: it is the leaf's position.
 *
 * @example
 * const fields: LeafEntry = await (await fetch(`/v1/events/${uuid}`)).json()
 */
export interface LeafEntry {
  readonly uuid: string
  readonly targetUserUuid: string
  readonly adminUserUuid: string
  readonly action: string
  readonly ipAddress: string | null
  readonly userAgent: string | null
  readonly metadata: { readonly [key: string]: JsonValue } | JsonValue
  readonly insertedAt: Date | string
}

// auditkit never stores a date a Date cannot hold; raw SQL can ('infinity', a huge epoch): hash it
// as null rather than fail, so that such an entry is still sealed and verify reports the change.
// An ISO-8601 date-time with a zone (Z or an offset): a string without one would be read as the
// reader's local time, and the same entry would hash differently in two time zones.
const ISO_WITH_ZONE = /^(?:\d{4}|[+-]\d{6})-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/

function dateOf(at: Date | string): Date {
  if (typeof at !== 'string') return at
  if (!ISO_WITH_ZONE.test(at))
    throw new TypeError(`insertedAt '${at}' is not an ISO-8601 date-time with Z or an offset`)
  return new Date(at)
}

function isoOrNull(at: Date | string): string {
  const date = dateOf(at)
  const ms = date.getTime()
  if (Number.isNaN(ms)) return 'null'
  // Years outside 0000..9999 are written with a sign and six digits: no shortcut for those.
  return epochMsJson(ms) ?? `"${date.toISOString()}"`
}

/**
 * `insertedAt` as canonical JSON (a quoted ISO-8601 string) for a time in epoch milliseconds, or
 * undefined when it is not a whole millisecond in the years 0000..9999 (the caller then goes
 * through a Date). Entries sealed together mostly share their second: it is formatted once.
 *
 * @example
 * epochMsJson(Date.UTC(2026, 10, 25, 10, 0, 0, 7)) // '"2026-11-25T10:00:00.007Z"'
 */
export function epochMsJson(ms: number): string | undefined {
  if (!Number.isInteger(ms) || ms < MIN_FOUR_DIGIT_YEAR || ms > MAX_FOUR_DIGIT_YEAR) return undefined
  const second = Math.floor(ms / 1000)
  if (second !== lastSecond) {
    lastSecond = second
    lastPrefix = `"${new Date(second * 1000).toISOString().slice(0, 20)}`
  }
  const milli = ms - second * 1000
  return `${lastPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z"`
}
const MIN_FOUR_DIGIT_YEAR = -62_167_219_200_000 // 0000-01-01T00:00:00.000Z
const MAX_FOUR_DIGIT_YEAR = 253_402_300_799_999 // 9999-12-31T23:59:59.999Z
let lastSecond = Number.NaN
let lastPrefix = ''

/**
 * A nullable text field as canonical JSON.
 *
 * @example
 * nullable(null) // 'null'
 */
export const nullable = (value: string | null): string => (value === null ? 'null' : canonicalString(value))

/**
 * The canonical bytes of an entry, as text: the RFC 8785 (JCS) serialization of every field as
 * stored, `insertedAt` as its ISO-8601 string. `seq` is not part of it: it is the leaf's position.
 * auditkit never stores a lone surrogate; one that raw SQL stored is written as its `\\uXXXX`
 * escape (as JSON.stringify does), so that such an entry is still sealed, never left behind.
 *
 * @example
 * entryCanonicalJson(entry) // '{"action":"user_locked","adminUserUuid":"…",…,"uuid":"…"}'
 */
export function entryCanonicalJson(entry: LeafEntry): string {
  return canonicalJsonOfParts(
    canonicalString(entry.action),
    canonicalString(entry.adminUserUuid),
    isoOrNull(entry.insertedAt),
    nullable(entry.ipAddress),
    canonicalJson(entry.metadata),
    canonicalString(entry.targetUserUuid),
    nullable(entry.userAgent),
    canonicalString(entry.uuid),
  )
}

/**
 * {@link entryCanonicalJson} from its eight fields, each already canonical JSON: the object
 * written out in JCS key order (sorted by UTF-16 code units) without building and sorting it.
 * The sealing and verify hot path, which reads the fields straight from a row.
 *
 * @example
 * canonicalJsonOfParts('"a"', '"b"', epochMsJson(0) as string, 'null', '{}', '"t"', 'null', '"u"')
 */
export function canonicalJsonOfParts(
  action: string,
  adminUserUuid: string,
  insertedAt: string,
  ipAddress: string,
  metadata: string,
  targetUserUuid: string,
  userAgent: string,
  uuid: string,
): string {
  return (
    `{"action":${action},"adminUserUuid":${adminUserUuid},"insertedAt":${insertedAt},"ipAddress":${ipAddress},` +
    `"metadata":${metadata},"targetUserUuid":${targetUserUuid},"userAgent":${userAgent},"uuid":${uuid}}`
  )
}

/**
 * An entry's columns exactly as the database returned them, as text (metadata as its JSON text,
 * `insertedAt` as epoch milliseconds): what a row that cannot be read as an entry is sealed by.
 */
export interface StoredFields {
  readonly uuid: string
  readonly targetUserUuid: string
  readonly adminUserUuid: string
  readonly action: string
  readonly ipAddress: string | null
  readonly userAgent: string | null
  readonly metadata: string
  readonly insertedAt: string
}

/**
 * The canonical bytes, as text, of a row that cannot be read as an entry (its metadata is not
 * JSON, or holds a number JavaScript cannot hold, or nests deeper than canonical JSON goes):
 * `{"unreadable":{...}}` with every column as the text it was read as. No entry's canonical JSON
 * has that shape, so the fallback never collides with a readable entry's leaf. Deterministic: the
 * sealer and verify read the same text, and any change to it changes the leaf.
 *
 * @example
 * storedFieldsCanonicalJson({ ...fields, metadata: 'not json' }) // '{"unreadable":{"action":…,"metadata":"not json",…}}'
 */
export function storedFieldsCanonicalJson(f: StoredFields): string {
  return (
    `{"unreadable":{"action":${canonicalString(f.action)},"adminUserUuid":${canonicalString(f.adminUserUuid)},` +
    `"insertedAt":${canonicalString(f.insertedAt)},"ipAddress":${nullable(f.ipAddress)},` +
    `"metadata":${canonicalString(f.metadata)},"targetUserUuid":${canonicalString(f.targetUserUuid)},` +
    `"userAgent":${nullable(f.userAgent)},"uuid":${canonicalString(f.uuid)}}}`
  )
}

const TEXT_FIELDS = ['uuid', 'targetUserUuid', 'adminUserUuid', 'action'] as const

/**
 * Why a value cannot be hashed as an entry (a field missing or of the wrong type), or undefined
 * when it can. Never throws.
 *
 * @example
 * leafEntryProblem({ uuid: 1 }) // 'uuid must be a string'
 */
export function leafEntryProblem(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null) return 'the entry must be an object'
  const e = entry as Record<string, unknown>
  for (const field of TEXT_FIELDS) if (typeof e[field] !== 'string') return `${field} must be a string`
  for (const field of ['ipAddress', 'userAgent'] as const) {
    if (e[field] !== null && typeof e[field] !== 'string') return `${field} must be a string or null`
  }
  const at = e.insertedAt
  if (!(at instanceof Date) && typeof at !== 'string') return 'insertedAt must be a Date or an ISO-8601 string'
  if (typeof at === 'string' && (!ISO_WITH_ZONE.test(at) || Number.isNaN(Date.parse(at)))) {
    return 'insertedAt must be an ISO-8601 date-time with Z or an offset'
  }
  if (!('metadata' in e)) return 'metadata is missing'
  return undefined
}

/**
 * What an entry's leaf hashes: the RFC 6962 leaf prefix 0x00 (here as the character U+0000, one
 * byte in UTF-8) followed by {@link entryCanonicalJson}. SHA-256 of its UTF-8 bytes is the leaf.
 *
 * @example
 * entryLeafMessage(entry).startsWith('\u0000{"action":') // true
 */
export function entryLeafMessage(entry: LeafEntry): string {
  return `\u0000${entryCanonicalJson(entry)}`
}

/** What a row sealed by its stored text hashes: 0x00 then {@link storedFieldsCanonicalJson}. */
export function storedFieldsLeafMessage(fields: StoredFields): string {
  return `\u0000${storedFieldsCanonicalJson(fields)}`
}
