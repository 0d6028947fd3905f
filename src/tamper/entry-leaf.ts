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
