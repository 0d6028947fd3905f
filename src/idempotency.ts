import { createHash } from 'node:crypto'
import { z } from 'zod'
import type { Entry } from './entry.js'
import { ConflictError, StoreError } from './errors.js'
import { parseOrThrow } from './schema/issues.js'
import type { Store, StoredEntry } from './store/store.js'

/** How long an idempotency key holds (24 hours): a retry within it replays, after it writes anew. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000

// Expired records are removed at most this often per log, inside a write.
const PURGE_EVERY_MS = 10 * 60 * 1000

/**
 * The options of `createLogEntriesOnce`.
 *
 * @example
 * await audit.createLogEntriesOnce(key, entries, { fingerprint: sha256(requestBody) })
 */
export interface IdempotencyOptions {
  /**
   * What identifies the write the key stands for: a retry with the same key and another
   * fingerprint is a ConflictError. Default: a SHA-256 of the entries as they would be stored.
   * An HTTP service passes a hash of the route and the request body.
   */
  readonly fingerprint?: string
  /** How long the key holds, in ms (default {@link IDEMPOTENCY_WINDOW_MS}, 24 hours). */
  readonly windowMs?: number
}

/** What `createLogEntriesOnce` did: wrote `entries`, or (`replayed`) found them written by an earlier call with the key. */
export interface IdempotentResult<A extends string = string> {
  readonly entries: Entry<A>[]
  /** True when nothing was written: the entries are those of the key's first use (`seq` as it is now). */
  readonly replayed: boolean
}

/** An idempotency key: 1 to 255 printable ASCII characters (what an HTTP header carries safely). */
export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, { error: 'must be 1 to 255 printable ASCII characters, without spaces' })

const optionsSchema = z.strictObject({
  fingerprint: z.string().min(1).max(1024).optional(),
  windowMs: z
    .int()
    .min(1)
    .max(366 * 24 * 60 * 60 * 1000)
    .optional(),
})

/** The default fingerprint: a SHA-256 of every field of the entries as stored, uuids and times aside. */
function fingerprintOf(prepared: readonly StoredEntry[]): string {
  const fields = prepared.map(({ entry: e, metadataJson }) => [
    e.targetUserUuid,
    e.adminUserUuid,
    e.action,
    e.ipAddress,
    e.userAgent,
    metadataJson,
  ])
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex')
}

/** Checks a key and options before anything is prepared. */
export function checkIdempotency(key: unknown, options: unknown): { key: string; options: IdempotencyOptions } {
  return {
    key: parseOrThrow(idempotencyKeySchema, key, 'idempotencyKey'),
    options: parseOrThrow(optionsSchema, options) as IdempotencyOptions,
  }
}

/** Writes prepared entries once per key, for one log (and the logs `using()` makes from it). */
export class IdempotentWriter {
  #purgedAt = Number.NEGATIVE_INFINITY

  async write(
    store: Store,
    key: string,
    prepared: readonly StoredEntry[],
    options: IdempotencyOptions,
  ): Promise<IdempotentResult> {
    const fingerprint = options.fingerprint ?? fingerprintOf(prepared)
    const now = Date.now()
    const purge = now - this.#purgedAt >= PURGE_EVERY_MS
    if (purge) this.#purgedAt = now
    const record = await store.insertOnce({
      key,
      fingerprint,
      entries: prepared,
      at: new Date(now),
      expiresAt: new Date(now + (options.windowMs ?? IDEMPOTENCY_WINDOW_MS)),
      purge,
    })
    if (record === null) return { entries: prepared.map((p) => p.entry), replayed: false }
    if (record.fingerprint !== fingerprint) throw new ConflictError(key, record.createdAt)
    const entries = await store.findMany(record.uuids)
    if (entries.length !== record.uuids.length) {
      throw new StoreError(
        'insert',
        `the entries first written with this idempotency key are missing (${record.uuids.length - entries.length} of ${record.uuids.length}): run verify()`,
        { retryable: false },
      )
    }
    return { entries, replayed: true }
  }
}
