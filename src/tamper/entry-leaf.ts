import { createHash } from 'node:crypto'
import type { Entry } from '../entry.js'
import { canonicalJson } from './canonical-json.js'

const LEAF_PREFIX = Buffer.from([0x00])

/**
 * The canonical bytes of an entry, as text: the RFC 8785 (JCS) serialization of every field as
 * stored, `insertedAt` as its ISO-8601 string. `seq` is not part of it: it is the leaf's position.
 *
 * @example
 * entryCanonicalJson(entry) // '{"action":"user_locked","adminUserUuid":"…",…,"uuid":"…"}'
 */
export function entryCanonicalJson(entry: Entry): string {
  return canonicalJson({
    uuid: entry.uuid,
    targetUserUuid: entry.targetUserUuid,
    adminUserUuid: entry.adminUserUuid,
    action: entry.action,
    ipAddress: entry.ipAddress,
    userAgent: entry.userAgent,
    metadata: entry.metadata,
    insertedAt: entry.insertedAt.toISOString(),
  })
}

/**
 * The RFC 6962 leaf hash of an entry: SHA-256 of 0x00 followed by its canonical bytes. Sealing
 * stores it; verification recomputes it from the stored fields.
 *
 * @example
 * const leaf = entryLeafHash(await audit.getLog(uuid)) // 32 bytes
 */
export function entryLeafHash(entry: Entry): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(entryCanonicalJson(entry), 'utf8').digest()
}
