import type { Entry } from '../entry.js'
import { storedEntryProblem } from '../schema/stored-entry.js'
import type { Row } from './executor.js'

/** The aliases of an entry read, in select order (see `findSql` and `listSql`). */
const READ_ALIASES = ['uuid', 'target', 'admin', 'action', 'ip', 'agent', 'metadata', 'at', 'seq'] as const

/** A row read as an object (an executor without `queryValues`, such as Kysely's) as its values in select order. */
export function valuesOfRow(row: Row): unknown[] {
  return READ_ALIASES.map((alias) => row[alias])
}

/**
 * An entry from the values of a read, in select order: uuid, target, admin, action, ip, agent,
 * metadata (JSON text, or an object from a driver that parses it), inserted_at (epoch
 * milliseconds), seq. The same on both engines. Returns why the row is not an {@link Entry}
 * instead when it is not one (see `storedEntryProblem`): raw SQL can store such a row.
 *
 * @example
 * entryOfValues([uuid, target, admin, 'user_locked', null, null, '{}', 1764400000000, null])
 */
export function entryOfValues(values: readonly unknown[]): Entry | { readonly problem: string } {
  const text = values[6]
  let metadata: unknown
  try {
    metadata = typeof text === 'string' ? JSON.parse(text) : text
  } catch (e) {
    return { problem: e instanceof Error ? e.message : String(e) }
  }
  const at = values[7]
  const seq = values[8]
  const entry = {
    uuid: values[0],
    targetUserUuid: values[1],
    adminUserUuid: values[2],
    action: values[3],
    ipAddress: values[4] ?? null,
    userAgent: values[5] ?? null,
    metadata,
    insertedAt: at instanceof Date ? at : new Date(typeof at === 'number' ? at : Number(at)),
    seq: seq === null || seq === undefined ? null : Number(seq),
  } as Entry
  const problem = storedEntryProblem(entry)
  return problem === undefined ? entry : { problem }
}
