import type { Entry } from '../entry.js'
import type { JsonValue } from '../schema/metadata.js'

/**
 * One line of an exported log (JSON Lines): the entry's fields as stored, `insertedAt` as an
 * ISO-8601 string, and its `seq`. `verifyExport` recomputes each leaf from exactly these fields.
 *
 * @example
 * exportLine(entry) // '{"seq":0,"uuid":"019a...","targetUserUuid":"...",...,"insertedAt":"2026-11-25T10:00:00.000Z"}'
 */
export function exportLine(entry: Entry): string {
  return JSON.stringify({
    seq: entry.seq,
    uuid: entry.uuid,
    targetUserUuid: entry.targetUserUuid,
    adminUserUuid: entry.adminUserUuid,
    action: entry.action,
    ipAddress: entry.ipAddress,
    userAgent: entry.userAgent,
    metadata: entry.metadata,
    insertedAt: Number.isNaN(entry.insertedAt.getTime()) ? null : entry.insertedAt.toISOString(),
  })
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

function isPlainObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const nullableString = (v: unknown) => v === null || typeof v === 'string'

/** An exported line back as an Entry, or a message saying what is wrong with it. */
export function parseExportLine(line: string): Entry | string {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return 'is not JSON'
  }
  if (!isPlainObject(value)) return 'is not a JSON object'
  const v = value as Record<string, unknown>
  if (!Number.isSafeInteger(v.seq) || (v.seq as number) < 0) return 'has no valid seq'
  for (const field of ['uuid', 'targetUserUuid', 'adminUserUuid', 'action'] as const) {
    if (typeof v[field] !== 'string') return `has no string ${field}`
  }
  if (!nullableString(v.ipAddress) || !nullableString(v.userAgent)) return 'has a bad ipAddress or userAgent'
  if (!isPlainObject(v.metadata)) return 'has no metadata object'
  if (typeof v.insertedAt !== 'string' || !ISO.test(v.insertedAt) || Number.isNaN(Date.parse(v.insertedAt))) {
    return 'has no ISO-8601 insertedAt'
  }
  const insertedAt = new Date(v.insertedAt)
  // Exactly the exported text: a date that does not round-trip would hash differently.
  if (insertedAt.toISOString() !== v.insertedAt) return 'has no ISO-8601 insertedAt'
  return {
    uuid: v.uuid as string,
    targetUserUuid: v.targetUserUuid as string,
    adminUserUuid: v.adminUserUuid as string,
    action: v.action as string,
    ipAddress: v.ipAddress as string | null,
    userAgent: v.userAgent as string | null,
    metadata: v.metadata,
    insertedAt,
    seq: v.seq as number,
  }
}
