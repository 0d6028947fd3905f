import type { Entry } from '../entry.js'

const isText = (value: unknown): value is string => typeof value === 'string'
const isNullableText = (value: unknown) => value === null || typeof value === 'string'

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * Why an entry read back from the database does not have the shape {@link Entry} documents, or
 * undefined when it does. auditkit never writes such a row; raw SQL can (metadata that is not an
 * object, a date a Date cannot hold). Reads refuse such a row with a StoreError rather than hand
 * out a value of another type; verify reports it as `unreadable_entry`.
 *
 * @example
 * storedEntryProblem({ ...entry, metadata: [1, 2] }) // 'metadata is not a JSON object'
 */
export function storedEntryProblem(entry: Entry): string | undefined {
  if (!isText(entry.uuid) || !isText(entry.targetUserUuid) || !isText(entry.adminUserUuid) || !isText(entry.action)) {
    return 'a text column holds something else'
  }
  if (!isNullableText(entry.ipAddress) || !isNullableText(entry.userAgent)) return 'a text column holds something else'
  if (!isPlainObject(entry.metadata)) return 'metadata is not a JSON object'
  if (!(entry.insertedAt instanceof Date) || Number.isNaN(entry.insertedAt.getTime())) {
    return 'inserted_at is not a date a JavaScript Date can hold'
  }
  return undefined
}
