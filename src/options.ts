import { createPublicKey, type KeyObject } from 'node:crypto'
import { z } from 'zod'
import { DEFAULT_ACTIONS } from './actions.js'
import { ValidationError } from './errors.js'
import type { UserIdFormat } from './schema/fields.js'
import { parseOrThrow } from './schema/issues.js'
import { IDENTIFIER, TABLE_NAME_MAX_LENGTH } from './store/identifiers.js'
import { isKysely } from './store/kysely-executor.js'
import { isPgPool } from './store/postgres/postgres-executor.js'
import { isSqliteDatabase } from './store/sqlite/sqlite-executor.js'
import { type KeySet, noteSignerFor, toTrustedKeys } from './tlog/keys.js'
import { isValidKeyName, type NoteSigner, type TrustedKeyInput } from './tlog/note-keys.js'

/** A pg.Pool, as far as auditkit's types need to know (so that @types/pg is not required). */
export interface PgPoolLike {
  query(...args: never[]): unknown
  connect(...args: never[]): unknown
  readonly totalCount: number
}

/** A better-sqlite3 Database, as far as auditkit's types need to know. */
export interface SqliteDatabaseLike {
  prepare(...args: never[]): unknown
  pragma(...args: never[]): unknown
  transaction(...args: never[]): unknown
}

/** A pg Client or PoolClient (inside the caller's `BEGIN`), as far as auditkit's types need to know. */
export interface PgClientLike {
  query(...args: never[]): unknown
}

/** A Kysely instance or transaction (either engine), as far as auditkit's types need to know. */
export interface KyselyLike {
  executeQuery(...args: never[]): unknown
  selectFrom(...args: never[]): unknown
}

/**
 * What `using()` takes: a pg Client, PoolClient or Pool (PostgreSQL), a better-sqlite3 Database
 * (SQLite), or a Kysely instance or transaction (either engine).
 *
 * @example
 * await db.transaction().execute(async (trx) => audit.using(trx).createLogEntry(input))
 */
export type UsingHandle = PgClientLike | PgPoolLike | SqliteDatabaseLike | KyselyLike

/**
 * The options of `createAuditLog`.
 *
 * @example
 * const audit = await createAuditLog({ database: process.env.DATABASE_URL!, table: 'admin_audit', schema: 'audit' })
 */
export interface AuditLogOptions<A extends readonly string[] = typeof DEFAULT_ACTIONS> {
  /**
   * Where entries live: `'sqlite::memory:'`, `'sqlite:<path>'`, a `postgres://` or `postgresql://`
   * URL, or an open pg.Pool or better-sqlite3 Database (which `close()` leaves open).
   */
  database: string | PgPoolLike | SqliteDatabaseLike
  /** The allowed actions (default {@link DEFAULT_ACTIONS}). Non-empty, unique, each 1..100 characters. */
  actions?: A
  /** `'uuid'` (default): user ids are UUIDs, stored lowercase. `'string'`: any string of 1..255 characters. */
  userIdFormat?: UserIdFormat
  /** Apply migrations when the log is created (default true). */
  migrate?: boolean
  /** The entries table (default `auditkit_entries`). Letters, digits, underscores; at most 47 characters. */
  table?: string
  /** PostgreSQL only: the schema of the table (default `public`, created if missing). */
  schema?: string
  /** PostgreSQL URL only: the size of the pool auditkit opens (default 10). */
  poolSize?: number
  /**
   * PostgreSQL only: prepare auditkit's INSERT and its common reads once per connection under a
   * fixed name (default true). Set false behind a pooler in transaction mode that cannot keep
   * prepared statements.
   */
  preparedStatements?: boolean
  /** SQLite path only: how long a write waits for another process's lock, in ms (default 5000). */
  busyTimeoutMs?: number
  /** SQLite path only: `'full'` (default, a resolved write survives power loss) or `'normal'`. */
  synchronous?: 'full' | 'normal'
  /**
   * The Ed25519 private key (PEM or KeyObject) that `checkpoint()` signs tree heads with; make
   * one with `generateKeyPair()`. Without it the log still seals and verifies, but cannot sign.
   */
  signingKey?: string | KeyObject
  /**
   * Public keys this log's checkpoints may also be signed by: the keys it signed with before a
   * rotation (one or a list; PEM, KeyObject, C2SP verifier key or `{ name?, publicKey }`). `verify()`
   * accepts checkpoints signed by them as by `signingKey`'s, and `checkpoint()` checks that the tree
   * it signs extends the newest checkpoint any of them signed.
   *
   * @example
   * createAuditLog({ database, signingKey: key2026, trustedKeys: [publicKey2025] })
   */
  trustedKeys?: KeySet
  /**
   * The log's name in its checkpoints and the name of its key (C2SP tlog-checkpoint origin), e.g.
   * `audit.example.com/prod`. Default `auditkit/<table>`. No spaces, no `+`.
   */
  origin?: string
  /** How often a live log seals new entries in the background, in ms (default 1000; 0: only `seal()`). */
  sealIntervalMs?: number
  /**
   * At most this many entries per sealing transaction (default {@link DEFAULT_SEAL_BATCH_SIZE}: 1000
   * on SQLite, where a batch runs synchronously and holds the write lock; 5000 on PostgreSQL, where a
   * batch's rows stay in memory while it is hashed).
   */
  sealBatchSize?: number
  /** Called when background sealing fails (default: a process warning). The next round retries. */
  onSealError?: (error: unknown) => void
}

/**
 * The default `sealBatchSize` of each engine: as fast as larger batches in the benchmarks, and a
 * batch's synchronous work (SQLite) and the rows it holds in memory (both) stay small enough that
 * the host's event loop is never held up long (BENCHMARKS.md, issue 7).
 */
export const DEFAULT_SEAL_BATCH_SIZE = Object.freeze({ sqlite: 1000, postgres: 5000 })

/** Resolved options: every default applied, the engine known. */
export interface ResolvedOptions {
  readonly engine: 'sqlite' | 'postgres'
  readonly database: string | object
  readonly actions: readonly [string, ...string[]]
  readonly userIdFormat: UserIdFormat
  readonly migrate: boolean
  readonly table: string
  readonly schema: string
  readonly poolSize: number
  readonly preparedStatements: boolean
  readonly busyTimeoutMs: number
  readonly synchronous: 'full' | 'normal'
  readonly origin: string
  readonly signer: NoteSigner | undefined
  /** The public half of `signingKey` as SPKI PEM (undefined without a signing key). */
  readonly publicKeyPem: string | undefined
  /** The public half of `signingKey` then `trustedKeys`: verify's default keys (undefined when none). */
  readonly keys: readonly TrustedKeyInput[] | undefined
  readonly sealIntervalMs: number
  readonly sealBatchSize: number
  readonly onSealError: (error: unknown) => void
}

const identifier = z.string().regex(IDENTIFIER, { error: 'must be letters, digits and underscores (at most 63)' })
// Index names append up to 16 characters (`_inserted_at_idx`) and must fit PostgreSQL's 63.
const tableName = identifier.max(TABLE_NAME_MAX_LENGTH, {
  error: `must have at most ${TABLE_NAME_MAX_LENGTH} characters`,
})

const optionsSchema = z.strictObject({
  database: z.union([z.string(), z.custom<object>((v) => typeof v === 'object' && v !== null)], {
    error: 'is required',
  }),
  actions: z
    .array(z.string().min(1).max(100))
    .min(1)
    .refine((a) => new Set(a).size === a.length, { error: 'must not repeat an action' })
    .optional(),
  userIdFormat: z.enum(['uuid', 'string']).optional(),
  migrate: z.boolean().optional(),
  table: tableName.optional(),
  schema: identifier.optional(),
  poolSize: z.int().min(1).max(1000).optional(),
  preparedStatements: z.boolean().optional(),
  busyTimeoutMs: z.int().min(0).max(3_600_000).optional(),
  synchronous: z.enum(['full', 'normal']).optional(),
  signingKey: z
    .custom<string | KeyObject>((v) => typeof v === 'string' || (typeof v === 'object' && v !== null), {
      error: 'must be an Ed25519 private key (PEM or KeyObject)',
    })
    .optional(),
  trustedKeys: z.unknown().optional(),
  origin: z
    .string()
    .max(200)
    .refine(isValidKeyName, { error: 'must be non-empty, without spaces, + or control characters' })
    .optional(),
  sealIntervalMs: z.int().min(0).max(3_600_000).optional(),
  sealBatchSize: z.int().min(1).max(100_000).optional(),
  onSealError: z
    .custom<(error: unknown) => void>((v) => typeof v === 'function', { error: 'must be a function' })
    .optional(),
})

function warn(error: unknown): void {
  process.emitWarning(error instanceof Error ? error : String(error), { code: 'AUDITKIT_SEAL' })
}

const DATABASE_HELP =
  "must be 'sqlite::memory:', 'sqlite:<path>', a postgres:// URL, a pg.Pool or a better-sqlite3 Database"

function resolveDatabase(database: string | object): { engine: 'sqlite' | 'postgres'; database: string | object } {
  if (typeof database === 'string') {
    if (database === 'sqlite::memory:') return { engine: 'sqlite', database: ':memory:' }
    if (database.startsWith('sqlite:') && database.length > 'sqlite:'.length) {
      return { engine: 'sqlite', database: database.slice('sqlite:'.length) }
    }
    if (/^postgres(ql)?:\/\//.test(database)) return { engine: 'postgres', database }
  } else if (isSqliteDatabase(database)) {
    return { engine: 'sqlite', database }
  } else if (isPgPool(database)) {
    return { engine: 'postgres', database }
  } else if (isKysely(database)) {
    throw new ValidationError([
      { field: 'database', message: `${DATABASE_HELP}; pass a Kysely transaction to using() instead` },
    ])
  }
  throw new ValidationError([{ field: 'database', message: DATABASE_HELP }])
}

/** Checks `createAuditLog`'s options and applies the defaults; bad configuration fails here, loudly. */
export function resolveOptions(options: unknown): ResolvedOptions {
  const o = parseOrThrow(optionsSchema, options)
  const { engine, database } = resolveDatabase(o.database)
  const misplaced: { field: string; message: string }[] = []
  const ownPool = engine === 'postgres' && typeof database === 'string'
  const ownFile = engine === 'sqlite' && typeof database === 'string'
  if (engine === 'sqlite' && o.schema !== undefined)
    misplaced.push({ field: 'schema', message: 'is for PostgreSQL only' })
  if (!ownPool && o.poolSize !== undefined)
    misplaced.push({ field: 'poolSize', message: 'is only for a postgres:// URL' })
  if (engine !== 'postgres' && o.preparedStatements !== undefined) {
    misplaced.push({ field: 'preparedStatements', message: 'is for PostgreSQL only' })
  }
  if (!ownFile && o.busyTimeoutMs !== undefined) {
    misplaced.push({
      field: 'busyTimeoutMs',
      message: 'is only for a sqlite: path (set busy_timeout on your own Database)',
    })
  }
  if (!ownFile && o.synchronous !== undefined)
    misplaced.push({ field: 'synchronous', message: 'is only for a sqlite: path' })
  if (misplaced.length > 0) throw new ValidationError(misplaced)
  const table = o.table ?? 'auditkit_entries'
  const origin = o.origin ?? `auditkit/${table}`
  const signer = o.signingKey === undefined ? undefined : noteSignerFor(o.signingKey, origin)
  return Object.freeze({
    engine,
    database,
    actions: Object.freeze([...(o.actions ?? DEFAULT_ACTIONS)]) as unknown as readonly [string, ...string[]],
    userIdFormat: o.userIdFormat ?? 'uuid',
    migrate: o.migrate ?? true,
    table,
    schema: o.schema ?? 'public',
    poolSize: o.poolSize ?? 10,
    preparedStatements: o.preparedStatements ?? true,
    busyTimeoutMs: o.busyTimeoutMs ?? 5000,
    synchronous: o.synchronous ?? 'full',
    origin,
    signer,
    publicKeyPem: o.signingKey === undefined ? undefined : publicKeyPem(o.signingKey),
    keys: ownKeys(signer, o.trustedKeys),
    sealIntervalMs: o.sealIntervalMs ?? 1000,
    sealBatchSize: o.sealBatchSize ?? DEFAULT_SEAL_BATCH_SIZE[engine],
    onSealError: o.onSealError ?? warn,
  })
}

function publicKeyPem(signingKey: string | KeyObject): string {
  return createPublicKey(signingKey).export({ type: 'spki', format: 'pem' }).toString()
}

function ownKeys(signer: NoteSigner | undefined, trusted: unknown): readonly TrustedKeyInput[] | undefined {
  const keys: TrustedKeyInput[] = signer === undefined ? [] : [signer.verifierKey]
  if (trusted !== undefined) keys.push(...toTrustedKeys(trusted, 'trustedKeys'))
  return keys.length === 0 ? undefined : Object.freeze(keys)
}
