import type { Entry } from '../entry.js'
import { storedEntryProblem } from '../schema/stored-entry.js'

/** The aliases of an entry read, in select order (see `findSql` and `listSql`). */
export const READ_ALIASES = ['uuid', 'target', 'admin', 'action', 'ip', 'agent', 'metadata', 'at', 'seq'] as const

/**
 * Epoch seconds as PostgreSQL's numeric text (`1764400000.123456`, `-0.5`, `Infinity`) as epoch
 * milliseconds rounded down, exactly: what `floor(extract(epoch from t) * 1000)` gives, without
 * the float error of multiplying the parsed seconds.
 *
 * @example
 * epochTextMs('-4320913338.157001') // -4320913338158
 */
export function epochTextMs(text: string): number {
  const dot = text.indexOf('.')
  if (dot === -1) return Number(text) * 1000
  const whole = Number(text.slice(0, dot)) * 1000
  const fraction = text.slice(dot + 1)
  const ms = Number(`${fraction}00`.slice(0, 3))
  if (text.charCodeAt(0) !== 45) return whole + ms
  // Negative: below the whole second, and one more millisecond down for any digit past the third.
  return whole - ms - (/[1-9]/.test(fraction.slice(3)) ? 1 : 0)
}

/**
 * A time read as epoch milliseconds, as both engines select them (`dateAsMs`, SQLite's integers):
 * a number, its text (a driver that reads float8 as text) or a BigInt.
 *
 * @example
 * dateOfMs('1764400000000').toISOString() // '2025-11-29T07:06:40.000Z'
 */
export function dateOfMs(value: unknown): Date {
  return value instanceof Date ? value : new Date(Number(value))
}

/**
 * An entry from the values of a read, in select order: uuid, target, admin, action, ip, agent,
 * metadata (JSON text, or an object from a driver that parses it), inserted_at (epoch
 * milliseconds, or PostgreSQL's epoch seconds as numeric text), seq. The same on both engines. Returns why the row is not an {@link Entry}
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
    insertedAt: new Date(typeof at === 'string' ? epochTextMs(at) : Number(at)),
    seq: seq === null || seq === undefined ? null : Number(seq),
  } as Entry
  const problem = storedEntryProblem(entry)
  return problem === undefined ? entry : { problem }
}
