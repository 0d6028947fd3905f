/**
 * The stable code of every error auditkit throws, to branch on (messages may change):
 * - `invalid_input`: a {@link ValidationError};
 * - `not_found`: a {@link NotFoundError};
 * - `idempotency_conflict`: a {@link ConflictError} (an idempotency key reused for another write);
 * - `store_unavailable` (the database may answer later: `retryable`), `store_failed`, `closed`
 *   (the log was closed): a {@link StoreError};
 * - `leaf_mismatch` (an entry no longer hashes to its sealed leaf), `entry_missing` (a sealed entry
 *   is gone), `tree_damaged` (stored tree nodes are missing), `history_rewritten` (the sealed tree does not extend a signed checkpoint): an
 *   {@link IntegrityError};
 * - `malformed`, `bad_key`, `unknown_key`, `bad_signature`, `wrong_origin`: a `NoteError` (a signed
 *   note, checkpoint or key was refused), the same codes the verifiers answer with;
 * - `aborted`: the caller's AbortSignal stopped the operation;
 * - `internal`: anything else.
 */
export type AuditLogErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'idempotency_conflict'
  | 'store_unavailable'
  | 'store_failed'
  | 'closed'
  | 'leaf_mismatch'
  | 'entry_missing'
  | 'tree_damaged'
  | 'history_rewritten'
  | 'malformed'
  | 'bad_key'
  | 'unknown_key'
  | 'bad_signature'
  | 'wrong_origin'
  | 'aborted'
  | 'internal'

/**
 * Base class of every error auditkit throws. Check `instanceof AuditLogError` to catch anything
 * from the library and `code` ({@link AuditLogErrorCode}) to tell them apart; `cause` holds the
 * underlying error, if any.
 *
 * @example
 * try { await audit.getLog(id) } catch (e) { if (e instanceof AuditLogError && e.code === 'not_found') res.status(404) }
 */
export class AuditLogError extends Error {
  override readonly name: string = 'AuditLogError'
  /** What went wrong, as a stable code. */
  readonly code: AuditLogErrorCode
  constructor(message: string, options?: { cause?: unknown; code?: AuditLogErrorCode }) {
    super(message, options)
    this.code = options?.code ?? 'internal'
  }
}

/** One offending field of a {@link ValidationError}: where (`field`, e.g. `metadata` or `[3].action`) and why. */
export interface ValidationIssue {
  readonly field: string
  readonly message: string
}

// The message names the first few; `issues` always holds them all.
const MESSAGE_ISSUES = 10

/**
 * Input was refused: a bad write, an unknown option, a wrongly typed filter, a malformed cursor,
 * or bad configuration. Nothing was written. `issues` lists every offending field and why.
 *
 * @example
 * try { await audit.createLogEntry({ targetUserUuid: 'x', adminUserUuid: id, action: 'user_created' }) }
 * catch (e) { if (e instanceof ValidationError) console.log(e.issues) } // [{ field: 'targetUserUuid', message: 'must be a UUID' }]
 */
export class ValidationError extends AuditLogError {
  override readonly name = 'ValidationError'
  readonly issues: readonly ValidationIssue[]
  constructor(issues: readonly ValidationIssue[]) {
    const shown = issues.slice(0, MESSAGE_ISSUES).map((i) => `${i.field}: ${i.message}`)
    if (issues.length > MESSAGE_ISSUES) shown.push(`and ${issues.length - MESSAGE_ISSUES} more`)
    super(`Invalid input: ${shown.join('; ')}`, { code: 'invalid_input' })
    this.issues = Object.freeze(issues.map((i) => Object.freeze({ ...i })))
  }
  /** The names of the offending fields, in order. */
  get fields(): string[] {
    return this.issues.map((i) => i.field)
  }
}

/**
 * An idempotency key was used again, within its window, for a write that is not the one it was
 * first used for (`createLogEntriesOnce`). Nothing was written. An HTTP service answers it with 409.
 *
 * @example
 * try { await audit.createLogEntriesOnce(key, entries) }
 * catch (e) { if (e instanceof ConflictError) res.status(409) }
 */
export class ConflictError extends AuditLogError {
  override readonly name = 'ConflictError'
  constructor(
    /** The idempotency key. */
    readonly idempotencyKey: string,
    /** When the key was first used. */
    readonly firstUsedAt: Date,
  ) {
    super(
      `The idempotency key was already used at ${firstUsedAt.toISOString()} for a different write; ` +
        'use a new key for a new write',
      { code: 'idempotency_conflict' },
    )
  }
}

/**
 * `getLog(uuid)` found no entry with that uuid.
 *
 * @example
 * await audit.getLog('0190d5f2-0000-7000-8000-000000000000') // throws NotFoundError
 */
export class NotFoundError extends AuditLogError {
  override readonly name = 'NotFoundError'
  /** `uuid`: the entry's uuid, or the id of the API key (`what: 'API key'`) that was not found. */
  constructor(
    readonly uuid: string,
    what: 'entry' | 'API key' = 'entry',
  ) {
    super(what === 'entry' ? `No audit log entry with uuid ${uuid}` : `No API key with id ${uuid}`, {
      code: 'not_found',
    })
  }
}

/** What a {@link StoreError} carries beyond its message. */
export interface StoreErrorOptions {
  readonly cause?: unknown
  /** Whether the same call may succeed if tried again later (see {@link StoreError.retryable}). */
  readonly retryable?: boolean
  /** The driver's stable error code, when it gives one (see {@link StoreError.driverCode}). */
  readonly driverCode?: string | undefined
  /** The log was closed (code `closed`). */
  readonly closed?: boolean
}

/**
 * The database failed (connection lost, disk full, lock timeout, missing table, a closed log...).
 * `cause` holds the driver's error; `operation` names the public method that failed
 * (`'createLogEntry'`, `'treeHead'`...), or `'seal'` for background sealing. `code` is
 * `store_unavailable` when `retryable`, `closed` for a closed log, `store_failed` otherwise.
 *
 * `retryable` is true when the failure is transient: the connection was lost or refused, the
 * server is shutting down or starting, a serialization failure or deadlock, a lock timeout,
 * SQLite busy or locked. Trying again later may succeed. auditkit itself never retries a write:
 * a write that failed this way may have been committed just before the connection dropped, so
 * a blind retry could log it twice. `driverCode` is the driver's code when it gives one: the
 * PostgreSQL SQLSTATE (`'57P01'`), the SQLite result code (`'SQLITE_BUSY'`), or a Node.js
 * system error code (`'ECONNREFUSED'`).
 *
 * @example
 * try { await audit.createLogEntry(input) }
 * catch (e) { if (e instanceof StoreError && e.retryable) queueForLater(input); else throw e }
 */
export class StoreError extends AuditLogError {
  override readonly name = 'StoreError'
  /** True when trying again later may succeed (a lost connection, a busy database...). */
  readonly retryable: boolean
  /** The driver's error code (SQLSTATE, SQLite code, Node.js system error code), when there is one. */
  readonly driverCode: string | undefined
  constructor(
    readonly operation: string,
    message: string,
    options: StoreErrorOptions = {},
  ) {
    const retryable = options.retryable ?? isTransient(options.cause)
    const code = options.closed ? 'closed' : retryable ? 'store_unavailable' : 'store_failed'
    super(`${operation} failed: ${message}`, { cause: options.cause, code })
    this.driverCode = options.driverCode ?? driverCode(options.cause)
    this.retryable = retryable
  }

  /** The same failure, reported as `operation` (the public method it surfaced through). */
  as(operation: string): StoreError {
    if (operation === this.operation) return this
    const message = this.message.slice(`${this.operation} failed: `.length)
    const copy = new StoreError(operation, message, {
      cause: this.cause,
      retryable: this.retryable,
      driverCode: this.driverCode,
      closed: this.code === 'closed',
    })
    copy.stack = this.stack
    return copy
  }
}

/** Wraps anything thrown by a driver in a StoreError; auditkit's own errors pass through. */
export function toStoreError(operation: string, error: unknown, context?: string): AuditLogError {
  if (error instanceof AuditLogError) return error
  const message = error instanceof Error ? error.message : String(error)
  return new StoreError(operation, context === undefined ? message : `${message} (${context})`, { cause: error })
}

// PostgreSQL SQLSTATEs after which the same statement can succeed later (appendix A of its manual):
// connection exceptions (class 08), the server shutting down or starting (57P01-57P03), a
// serialization failure or deadlock (40001, 40P01), a lock that could not be had (55P03) and too
// many connections (53300).
const TRANSIENT_SQLSTATE = new Set(['40001', '40P01', '55P03', '53300', '57P01', '57P02', '57P03'])
const TRANSIENT_SYSTEM = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTCONN',
  'EAI_AGAIN',
])
// pg reports a dropped connection or a pool wait that timed out with no code, only these messages.
const TRANSIENT_MESSAGE =
  /^(Connection terminated|Client has encountered a connection error|Connection terminated due to connection timeout|timeout exceeded when trying to connect|Client was closed and is not queryable)/

/** The driver's code: a SQLSTATE (5 characters), a SQLite code, or a Node.js system error code. */
function driverCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code
  return typeof code === 'string' && code !== '' ? code : undefined
}

function isTransient(error: unknown): boolean {
  const code = driverCode(error)
  if (code !== undefined) {
    if (code.startsWith('SQLITE_')) return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')
    if (/^[0-9A-Z]{5}$/.test(code) && !code.startsWith('E'))
      return code.startsWith('08') || TRANSIENT_SQLSTATE.has(code)
    if (TRANSIENT_SYSTEM.has(code)) return true
  }
  const message = error instanceof Error ? error.message : ''
  return TRANSIENT_MESSAGE.test(message)
}

/** Why an {@link IntegrityError} was thrown. */
export type IntegrityErrorCode = 'leaf_mismatch' | 'entry_missing' | 'tree_damaged' | 'history_rewritten'

/**
 * The stored log does not hold together, so auditkit refuses to vouch for it: a proof asked for an
 * entry that no longer hashes to its sealed leaf, an export met a sealed entry that is gone, the
 * stored tree is missing nodes, or `checkpoint()` was asked to sign a tree that does not extend the
 * last signed one. Run `verify()` for the whole picture.
 *
 * @example
 * try { await audit.proveInclusion(uuid) } catch (e) { if (e instanceof IntegrityError && e.code === 'leaf_mismatch') alarm(e) }
 */
export class IntegrityError extends AuditLogError {
  override readonly name = 'IntegrityError'
  declare readonly code: IntegrityErrorCode
  constructor(code: IntegrityErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code })
  }
}
