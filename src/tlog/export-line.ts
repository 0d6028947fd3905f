import type { Entry } from '../entry.js'
import type { JsonValue } from '../schema/metadata.js'
import { storedEntryProblem } from '../schema/stored-entry.js'
import { type RowLeaf, rowLeaf, type StoredFields, storedFieldsLeafHash } from './entry-leaf.js'

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

/**
 * The export line of a row that was sealed by its stored text (see `storedFieldsCanonicalJson`):
 * `{"seq":n,"unreadable":{...the columns as text...}}`, from which verifyExport recomputes the same leaf.
 *
 * @example
 * storedFieldsLine(12, fields) // '{"seq":12,"unreadable":{"uuid":"…","metadata":"not json",…}}'
 */
export function storedFieldsLine(seq: number, fields: StoredFields): string {
  return JSON.stringify({ seq, unreadable: fields })
}

/** The export line of a sealed row. */
export function exportRowLine(seq: number, row: RowLeaf): string {
  if (row.fallback !== undefined) return storedFieldsLine(seq, row.fallback)
  return exportLine({ ...(row.entry as Entry), seq })
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

function isPlainObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const nullableString = (v: unknown) => v === null || typeof v === 'string'

/** A line parsed: its seq, uuid and leaf. */
export interface ExportedRow {
  readonly seq: number
  readonly uuid: string
  readonly row: RowLeaf
}

const FIELD_NAMES = ['uuid', 'targetUserUuid', 'adminUserUuid', 'action', 'metadata', 'insertedAt'] as const

function parseStoredFields(seq: number, v: unknown): ExportedRow | string {
  if (!isPlainObject(v)) return 'has no unreadable fields object'
  const f = v as Record<string, unknown>
  for (const field of FIELD_NAMES) if (typeof f[field] !== 'string') return `has no string unreadable.${field}`
  if (!nullableString(f.ipAddress) || !nullableString(f.userAgent)) return 'has a bad unreadable.ipAddress or userAgent'
  const fields = f as unknown as StoredFields
  const reason = 'it was exported as its stored text: it could not be read as an entry'
  return {
    seq,
    uuid: fields.uuid,
    row: { leaf: storedFieldsLeafHash(fields), entry: null, fallback: fields, unreadable: reason },
  }
}

function parseDate(value: unknown): Date | string {
  // null: a date a Date cannot hold, hashed as null (see entryCanonicalJson).
  if (value === null) return new Date(Number.NaN)
  if (typeof value !== 'string' || !ISO.test(value) || Number.isNaN(Date.parse(value))) {
    return 'has no ISO-8601 insertedAt'
  }
  const date = new Date(value)
  // Exactly the exported text: a date that does not round-trip would hash differently.
  return date.toISOString() === value ? date : 'has no ISO-8601 insertedAt'
}

/** An exported line back as its seq, uuid and leaf, or a message saying what is wrong with it. */
export function parseExportLine(line: string): ExportedRow | string {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return 'is not JSON'
  }
  if (!isPlainObject(value)) return 'is not a JSON object'
  const v = value as Record<string, unknown>
  if (!Number.isSafeInteger(v.seq) || (v.seq as number) < 0) return 'has no valid seq'
  const seq = v.seq as number
  if ('unreadable' in v) return parseStoredFields(seq, v.unreadable)
  for (const field of ['uuid', 'targetUserUuid', 'adminUserUuid', 'action'] as const) {
    if (typeof v[field] !== 'string') return `has no string ${field}`
  }
  if (!nullableString(v.ipAddress) || !nullableString(v.userAgent)) return 'has a bad ipAddress or userAgent'
  if (!('metadata' in v)) return 'has no metadata'
  const insertedAt = parseDate(v.insertedAt)
  if (typeof insertedAt === 'string') return insertedAt
  const entry: Entry = {
    uuid: v.uuid as string,
    targetUserUuid: v.targetUserUuid as string,
    adminUserUuid: v.adminUserUuid as string,
    action: v.action as string,
    ipAddress: v.ipAddress as string | null,
    userAgent: v.userAgent as string | null,
    metadata: v.metadata as Entry['metadata'],
    insertedAt,
    seq,
  }
  const fields = (): StoredFields => ({
    ...entry,
    metadata: JSON.stringify(entry.metadata),
    insertedAt: String(entry.insertedAt.getTime()),
  })
  return { seq, uuid: entry.uuid, row: rowLeaf(() => entry, fields, storedEntryProblem) }
}
