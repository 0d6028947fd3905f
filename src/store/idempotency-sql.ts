import type { Sql } from './entry-sql.js'
import { dateOfMs } from './entry-values.js'
import type { Row } from './executor.js'
import type { SealDialect } from './seal-sql.js'

/** An idempotency key's record: what the first write with the key wrote, and when. */
export interface IdempotencyRecord {
  /** What identifies the request the key was first used with (compared on a retry). */
  readonly fingerprint: string
  /** The uuids of the entries that write created, in order. */
  readonly uuids: readonly string[]
  readonly createdAt: Date
}

/**
 * Claims a key: inserts its record, or takes over one that expired by `at`; returns a row only
 * when the key was claimed. A live record (of any writer, committed or not: PostgreSQL waits for
 * the other transaction) is left alone and nothing is returned.
 */
export function claimIdempotencyKeySql(
  d: SealDialect,
  key: string,
  fingerprint: string,
  uuids: readonly string[],
  at: Date,
  expiresAt: Date,
): Sql {
  const t = d.idempotency
  const p = d.param.bind(d)
  return {
    text:
      `INSERT INTO ${t} AS r (idempotency_key, fingerprint, uuids, created_at, expires_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}) ` +
      'ON CONFLICT (idempotency_key) DO UPDATE SET fingerprint = excluded.fingerprint, uuids = excluded.uuids, ' +
      `created_at = excluded.created_at, expires_at = excluded.expires_at WHERE r.expires_at <= ${p(6)} RETURNING idempotency_key`,
    params: [key, fingerprint, uuids.join(','), d.encodeDate(at), d.encodeDate(expiresAt), d.encodeDate(at)],
  }
}

/** The record of a key. */
export function idempotencyRecordSql(d: SealDialect, key: string): Sql {
  return {
    text: `SELECT fingerprint, uuids, ${d.dateAsMs('created_at')} AS created_at FROM ${d.idempotency} WHERE idempotency_key = ${d.param(1)}`,
    params: [key],
  }
}

/** Removes the records that expired by `at`. */
export function purgeIdempotencySql(d: SealDialect, at: Date): Sql {
  return {
    text: `DELETE FROM ${d.idempotency} WHERE expires_at <= ${d.param(1)}`,
    params: [d.encodeDate(at)],
  }
}

/** A row as an IdempotencyRecord. */
export function toIdempotencyRecord(row: Row): IdempotencyRecord {
  return {
    fingerprint: String(row.fingerprint),
    uuids: String(row.uuids)
      .split(',')
      .filter((u) => u !== ''),
    createdAt: dateOfMs(row.created_at),
  }
}
