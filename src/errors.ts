/**
 * Base class of every error auditkit throws. Check `instanceof AuditLogError` to
 * catch anything from the library; `cause` holds the underlying error, if any.
 *
 * @example
 * try { await audit.getLog(id) } catch (e) { if (e instanceof AuditLogError) console.error(e.name, e.message) }
 */
export class AuditLogError extends Error {
  override readonly name: string = 'AuditLogError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
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
    super(`Invalid input: ${shown.join('; ')}`)
    this.issues = Object.freeze(issues.map((i) => Object.freeze({ ...i })))
  }
  /** The names of the offending fields, in order. */
  get fields(): string[] {
    return this.issues.map((i) => i.field)
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
  constructor(readonly uuid: string) {
    super(`No audit log entry with uuid ${uuid}`)
  }
}

/**
 * The database failed (connection lost, disk full, lock timeout, missing table, a closed log...).
 * `cause` holds the driver's error; `operation` says what auditkit was doing.
 * A write that throws StoreError may not have been committed: retry it or report it, never ignore it.
 *
 * @example
 * try { await audit.createLogEntry(input) } catch (e) { if (e instanceof StoreError) alertOps(e.cause) }
 */
export class StoreError extends AuditLogError {
  override readonly name = 'StoreError'
  constructor(
    readonly operation: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation} failed: ${message}`, options)
  }
}

/** Wraps anything thrown by a driver in a StoreError; auditkit's own errors pass through. */
export function toStoreError(operation: string, error: unknown): AuditLogError {
  if (error instanceof AuditLogError) return error
  const message = error instanceof Error ? error.message : String(error)
  return new StoreError(operation, message, { cause: error })
}
