import type { Sql } from './entry-sql.js'
import { dateOfMs } from './entry-values.js'
import type { SealDialect } from './seal-sql.js'

/** An API key as stored: never its secret, only the SHA-256 of the whole key. */
export interface StoredApiKey {
  readonly id: string
  readonly name: string
  readonly scopes: readonly string[]
  readonly keyHash: Buffer
  readonly createdAt: Date
  readonly lastUsedAt: Date | null
  readonly revokedAt: Date | null
}

// Times as epoch milliseconds: pg parses a timestamptz only in the ISO DateStyle.
const columns = (d: SealDialect) =>
  `id, name, scopes, key_hash, ${d.dateAsMs('created_at')} AS created_at, ` +
  `${d.dateAsMs('last_used_at')} AS last_used_at, ${d.dateAsMs('revoked_at')} AS revoked_at`

/** Stores a new key. */
export function insertApiKeySql(d: SealDialect, key: StoredApiKey): Sql {
  return {
    text: `INSERT INTO ${d.apiKeys} (id, name, scopes, key_hash, created_at) VALUES (${d.param(1)}, ${d.param(2)}, ${d.param(3)}, ${d.param(4)}, ${d.param(5)})`,
    params: [key.id, key.name, key.scopes.join(','), key.keyHash, d.encodeDate(key.createdAt)],
  }
}

/** Every key, oldest first. */
export function apiKeysSql(d: SealDialect): Sql {
  return { text: `SELECT ${columns(d)} FROM ${d.apiKeys} ORDER BY created_at, id`, params: [] }
}

/** One key by id. */
export function apiKeySql(d: SealDialect, id: string): Sql {
  return { text: `SELECT ${columns(d)} FROM ${d.apiKeys} WHERE id = ${d.param(1)}`, params: [id] }
}

/** Revokes a key (a revoked key stays revoked at its first revocation time). */
export function revokeApiKeySql(d: SealDialect, id: string, at: Date): Sql {
  return {
    text: `UPDATE ${d.apiKeys} SET revoked_at = COALESCE(revoked_at, ${d.param(1)}) WHERE id = ${d.param(2)}`,
    params: [d.encodeDate(at), id],
  }
}

/** Records a use of a key. */
export function touchApiKeySql(d: SealDialect, id: string, at: Date): Sql {
  return {
    text: `UPDATE ${d.apiKeys} SET last_used_at = ${d.param(1)} WHERE id = ${d.param(2)}`,
    params: [d.encodeDate(at), id],
  }
}

function date(value: unknown): Date | null {
  return value === null || value === undefined ? null : dateOfMs(value)
}

/** A row as a StoredApiKey. */
export function toApiKey(row: Record<string, unknown>): StoredApiKey {
  return {
    id: String(row.id),
    name: String(row.name),
    scopes: String(row.scopes)
      .split(',')
      .filter((s) => s !== ''),
    keyHash: Buffer.from(row.key_hash as Uint8Array),
    createdAt: date(row.created_at) as Date,
    lastUsedAt: date(row.last_used_at),
    revokedAt: date(row.revoked_at),
  }
}
