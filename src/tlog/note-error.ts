import { AuditLogError } from '../errors.js'

/** Why a {@link NoteError} was thrown. */
export type NoteErrorReason =
  | 'malformed-note'
  | 'malformed-key'
  | 'malformed-checkpoint'
  | 'unverified'
  | 'invalid-signature'
  | 'ambiguous-key'

/**
 * A signed note, a key or a checkpoint was refused. `reason` says which check failed; the message says where.
 *
 * @example
 * try { openNote(text, [verifier]) } catch (e) { if (e instanceof NoteError && e.reason === 'unverified') reject() }
 */
export class NoteError extends AuditLogError {
  override readonly name = 'NoteError'
  constructor(
    readonly reason: NoteErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export function noteError(message: string): NoteError {
  return new NoteError('malformed-note', message)
}

export function keyError(message: string): NoteError {
  return new NoteError('malformed-key', message)
}
