import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'
import { NotFoundError } from './errors.js'
import { parseOrThrow } from './schema/issues.js'
import type { StoredApiKey } from './store/api-key-sql.js'
import type { Store } from './store/store.js'

/** What an API key may do in the HTTP service: `write` the two POSTs, `read` everything else under `/v1`. */
export type ApiKeyScope = 'read' | 'write'

/** The scopes, in the order they are listed. */
export const API_KEY_SCOPES: readonly ApiKeyScope[] = Object.freeze(['read', 'write'])

/** An API key as listed: everything but its secret, which is never stored. */
export interface ApiKeyInfo {
  readonly id: string
  readonly name: string
  readonly scopes: readonly ApiKeyScope[]
  readonly createdAt: Date
  readonly lastUsedAt: Date | null
  readonly revokedAt: Date | null
}

/** A key just created: `key` is the secret to hand over, shown this once. */
export interface CreatedApiKey extends ApiKeyInfo {
  /** `ak_<id>_<secret>`: send it as `Authorization: Bearer <key>`. */
  readonly key: string
}

/**
 * The options of `createApiKey`.
 *
 * @example
 * await audit.createApiKey({ name: 'billing-service', scopes: ['write'] })
 */
export interface CreateApiKeyOptions {
  /** Who holds it, for people reading `listApiKeys()` (1 to 100 characters). */
  name: string
  /** At least one of `read`, `write`. */
  scopes: readonly ApiKeyScope[]
}

const createSchema = z.strictObject({
  name: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(100, { error: 'must be at most 100 characters' })
    .refine((n) => !/[\u0000-\u001f\u007f]/.test(n), { error: 'must not hold control characters' }),
  scopes: z
    .array(z.enum(['read', 'write'], { error: 'must be read or write' }), { error: 'must be an array of scopes' })
    .min(1, { error: 'must hold at least one scope' }),
})
const idSchema = z
  .string({ error: 'must be a string' })
  .regex(/^[0-9a-f]{24}$/, { error: 'must be an API key id (24 hexadecimal digits)' })

const KEY = /^ak_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/
// A key's last use is written at most this often: a write per request would double the load of reads.
const TOUCH_EVERY_MS = 60_000

function hashOf(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest()
}

function info(stored: StoredApiKey): ApiKeyInfo {
  return Object.freeze({
    id: stored.id,
    name: stored.name,
    scopes: Object.freeze(API_KEY_SCOPES.filter((s) => stored.scopes.includes(s))),
    createdAt: stored.createdAt,
    lastUsedAt: stored.lastUsedAt,
    revokedAt: stored.revokedAt,
  })
}

/** Makes a key: 12 random bytes of id, 32 of secret; stores the SHA-256 of the whole key. */
export async function createApiKey(store: Store, options: unknown): Promise<CreatedApiKey> {
  const { name, scopes } = parseOrThrow(createSchema, options)
  const id = randomBytes(12).toString('hex')
  const key = `ak_${id}_${randomBytes(32).toString('base64url')}`
  const stored: StoredApiKey = {
    id,
    name,
    scopes: API_KEY_SCOPES.filter((s) => scopes.includes(s)),
    keyHash: hashOf(key),
    createdAt: new Date(),
    lastUsedAt: null,
    revokedAt: null,
  }
  await store.addApiKey(stored)
  return Object.freeze({ ...info(stored), key })
}

/** Every key, oldest first, without secrets. */
export async function listApiKeys(store: Store): Promise<ApiKeyInfo[]> {
  return (await store.apiKeys()).map(info)
}

/** Revokes a key at once; NotFoundError when there is none. Revoking twice keeps the first time. */
export async function revokeApiKey(store: Store, id: unknown): Promise<ApiKeyInfo> {
  const checked = parseOrThrow(idSchema, id, 'id')
  if (!(await store.revokeApiKey(checked, new Date()))) throw new NotFoundError(checked, 'API key')
  return info((await store.apiKey(checked)) as StoredApiKey)
}

/**
 * The key's record when `key` is a live key: well formed, stored, not revoked, its hash equal
 * (compared in constant time). Null otherwise, whatever the reason, so that a caller cannot tell
 * an unknown id from a wrong secret.
 */
export async function verifyApiKey(store: Store, key: unknown): Promise<ApiKeyInfo | null> {
  if (typeof key !== 'string') return null
  const match = KEY.exec(key)
  if (match === null) return null
  const stored = await store.apiKey(match[1] as string)
  if (stored === null || stored.revokedAt !== null || stored.keyHash.length !== 32) return null
  if (!timingSafeEqual(hashOf(key), stored.keyHash)) return null
  const now = new Date()
  if (stored.lastUsedAt === null || now.getTime() - stored.lastUsedAt.getTime() >= TOUCH_EVERY_MS) {
    await store.touchApiKey(stored.id, now)
    return info({ ...stored, lastUsedAt: now })
  }
  return info(stored)
}
