import { AuditLogError, IntegrityError, NoteError, NotFoundError, StoreError, ValidationError } from '../index.js'

/**
 * The exit codes of the `auditkit` command, documented in the README:
 * 0 ok, 1 verification found problems, 2 usage or validation error, 3 database or I/O error.
 */
export const EXIT = Object.freeze({ OK: 0, PROBLEMS: 1, USAGE: 2, IO: 3 })

/** An error the CLI reports as one line on stderr and ends with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError'
  constructor(
    readonly exitCode: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** A usage mistake (exit 2), worded for the person at the terminal. */
export function usageError(message: string): CliError {
  return new CliError(EXIT.USAGE, message)
}

/** The exit code and the one line to print for anything a command threw. */
export function describeError(error: unknown): { exitCode: number; line: string } {
  if (error instanceof CliError) return { exitCode: error.exitCode, line: error.message }
  if (error instanceof ValidationError) {
    const issues = error.issues.map((i) => `${i.field}: ${i.message}`).join('; ')
    return { exitCode: EXIT.USAGE, line: `invalid input: ${issues}` }
  }
  if (error instanceof StoreError) {
    const code = error.driverCode === undefined ? '' : ` [${error.driverCode}]`
    return { exitCode: EXIT.IO, line: `${error.message}${code}` }
  }
  // Nothing found is an answer, like a failed verification: the entry or key asked for is not there.
  if (error instanceof NotFoundError) return { exitCode: EXIT.PROBLEMS, line: error.message }
  if (error instanceof IntegrityError || error instanceof NoteError) {
    return { exitCode: EXIT.PROBLEMS, line: `${error.code}: ${error.message}` }
  }
  if (error instanceof AuditLogError) return { exitCode: EXIT.IO, line: error.message }
  const system = (error as { code?: unknown } | null)?.code
  if (typeof system === 'string' && /^E[A-Z]+$/.test(system)) {
    return { exitCode: EXIT.IO, line: error instanceof Error ? error.message : String(error) }
  }
  return { exitCode: EXIT.IO, line: error instanceof Error ? error.message : String(error) }
}
