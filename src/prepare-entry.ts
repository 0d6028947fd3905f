import type { Entry } from './entry.js'
import type { ValidationIssue } from './errors.js'
import type { UserIdFormat } from './schema/fields.js'
import { toStoredMetadata } from './schema/metadata.js'
import { storableUserAgent } from './schema/text.js'
import type { StoredEntry } from './store/store.js'
import { uuidV7 } from './uuid-v7.js'

/** A write after its schema check, before the deep rules. */
export interface CheckedInput {
  targetUserUuid: string
  adminUserUuid: string
  action: string
  ipAddress?: string | null | undefined
  userAgent?: string | null | undefined
  metadata?: unknown
}

/**
 * Turns a checked write into the entry that will be stored: user ids normalized, the user agent
 * cut and cleaned, metadata copied into its stored form, a fresh UUIDv7 and its timestamp.
 * Returns the issues instead when metadata breaks a rule.
 */
export function prepareEntry(
  input: CheckedInput,
  userIdFormat: UserIdFormat,
  prefix: string,
): StoredEntry | ValidationIssue {
  const metadata = toStoredMetadata(input.metadata, `${prefix}metadata`)
  if ('field' in metadata) return metadata
  const { uuid, ms } = uuidV7()
  const lower = userIdFormat === 'uuid'
  const entry: Entry = {
    uuid,
    targetUserUuid: lower ? input.targetUserUuid.toLowerCase() : input.targetUserUuid,
    adminUserUuid: lower ? input.adminUserUuid.toLowerCase() : input.adminUserUuid,
    action: input.action,
    ipAddress: input.ipAddress ?? null,
    userAgent: input.userAgent == null ? null : storableUserAgent(input.userAgent),
    metadata: metadata.value,
    insertedAt: new Date(ms),
    seq: null,
  }
  return { entry, metadataJson: metadata.json }
}
