import type { Entry } from '../entry.js'
import { canonicalJsonLenient as canonicalJson, canonicalStringLenient as canonicalString } from './canonical-json.js'
import { sha256 } from './merkle-hash.js'

// auditkit never stores a date a Date cannot hold; raw SQL can ('infinity', a huge epoch): hash it
// as null rather than fail, so that such an entry is still sealed and verify reports the change.
function isoOrNull(date: Date): string {
  const ms = date.getTime()
  if (Number.isNaN(ms)) return 'null'
  // Years outside 0000..9999 are written with a sign and six digits: no shortcut for those.
  if (ms < MIN_FOUR_DIGIT_YEAR || ms > MAX_FOUR_DIGIT_YEAR) return `"${date.toISOString()}"`
  // Entries sealed together mostly share their second: format the second once.
  const second = Math.floor(ms / 1000)
  if (second !== lastSecond) {
    lastSecond = second
    lastPrefix = `"${date.toISOString().slice(0, 20)}`
  }
  return `${lastPrefix}${String(ms - second * 1000).padStart(3, '0')}Z"`
}
const MIN_FOUR_DIGIT_YEAR = -62_167_219_200_000 // 0000-01-01T00:00:00.000Z
const MAX_FOUR_DIGIT_YEAR = 253_402_300_799_999 // 9999-12-31T23:59:59.999Z
let lastSecond = Number.NaN
let lastPrefix = ''

const nullable = (value: string | null) => (value === null ? 'null' : canonicalString(value))

/**
 * The canonical bytes of an entry, as text: the RFC 8785 (JCS) serialization of every field as
 * stored, `insertedAt` as its ISO-8601 string. `seq` is not part of it: it is the leaf's position.
 * auditkit never stores a lone surrogate; one that raw SQL stored is written as its `\\uXXXX`
 * escape (as JSON.stringify does), so that such an entry is still sealed, never left behind.
 *
 * @example
 * entryCanonicalJson(entry) // '{"action":"user_locked","adminUserUuid":"…",…,"uuid":"…"}'
 */
export function entryCanonicalJson(entry: Entry): string {
  // canonicalJson of the object with these eight fields, written out in JCS key order (sorted by
  // UTF-16 code units) without building and sorting the object: the sealing and verify hot path.
  return (
    `{"action":${canonicalString(entry.action)},"adminUserUuid":${canonicalString(entry.adminUserUuid)},` +
    `"insertedAt":${isoOrNull(entry.insertedAt)},"ipAddress":${nullable(entry.ipAddress)},` +
    `"metadata":${canonicalJson(entry.metadata)},"targetUserUuid":${canonicalString(entry.targetUserUuid)},` +
    `"userAgent":${nullable(entry.userAgent)},"uuid":${canonicalString(entry.uuid)}}`
  )
}

/**
 * The RFC 6962 leaf hash of an entry: SHA-256 of 0x00 followed by its canonical bytes. Sealing
 * stores it; verification recomputes it from the stored fields.
 *
 * @example
 * const leaf = entryLeafHash(await audit.getLog(uuid)) // 32 bytes
 */
export function entryLeafHash(entry: Entry): Buffer {
  // '\u0000' is the single byte 0x00 in UTF-8: the RFC 6962 leaf prefix.
  return sha256(`\u0000${entryCanonicalJson(entry)}`)
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

/**
 * The leaf of one stored row and what verification needs to know of it: the entry's own leaf when
 * its fields canonicalise, the {@link storedFieldsCanonicalJson} fallback otherwise, so that sealing
 * never stops on what a row holds.
 */
export interface RowLeaf {
  readonly leaf: Buffer
  /** The row as an entry; null when it could not be read as one. */
  readonly entry: Entry | null
  /** The columns the leaf was computed from, when it is the fallback (exported as they are). */
  readonly fallback: StoredFields | undefined
  /** Why the row is not an entry auditkit would write (verify reports it), or undefined. */
  readonly unreadable: string | undefined
}

/**
 * The {@link RowLeaf} of a row: `read` turns it into an entry (and may throw: metadata that is not
 * JSON), `fields` gives its columns as text, `problem` (optional) says whether the entry has the
 * documented shape.
 *
 * @example
 * const { leaf } = rowLeaf(() => engine.toEntry(row), () => storedFieldsOf(row))
 */
export function rowLeaf(
  read: () => Entry,
  fields: () => StoredFields,
  problem?: (entry: Entry) => string | undefined,
): RowLeaf {
  let entry: Entry | null = null
  try {
    entry = read()
    return { leaf: entryLeafHash(entry), entry, fallback: undefined, unreadable: problem?.(entry) }
  } catch (error) {
    const stored = fields()
    return {
      leaf: storedFieldsLeafHash(stored),
      entry,
      fallback: stored,
      unreadable: error instanceof Error ? error.message : String(error),
    }
  }
}

/** The RFC 6962 leaf hash of {@link storedFieldsCanonicalJson}: a row sealed by its stored text. */
export function storedFieldsLeafHash(fields: StoredFields): Buffer {
  return sha256(`\u0000${storedFieldsCanonicalJson(fields)}`)
}
