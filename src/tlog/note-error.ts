import { AuditLogError, type AuditLogErrorCode } from '../errors.js'

/** Why a {@link NoteError} was thrown (deprecated: use `code`; kept through 0.5, removed in 0.6). */
export type NoteErrorReason =
  | 'malformed-note'
  | 'malformed-key'
  | 'malformed-checkpoint'
  | 'unverified'
  | 'invalid-signature'
  | 'ambiguous-key'

/** The verifier codes a {@link NoteError} carries. */
export type NoteErrorCode = Extract<
  AuditLogErrorCode,
  'malformed' | 'bad_key' | 'unknown_key' | 'bad_signature' | 'wrong_origin'
>

const CODE_OF: Record<NoteErrorReason, NoteErrorCode> = {
  'malformed-note': 'malformed',
  'malformed-checkpoint': 'malformed',
  'malformed-key': 'bad_key',
  'ambiguous-key': 'bad_key',
  unverified: 'unknown_key',
  'invalid-signature': 'bad_signature',
}

/**
 * A signed note, a key or a checkpoint was refused. `code` says which check failed (`malformed`,
 * `bad_key`, `unknown_key`, `bad_signature`, `wrong_origin`); the message says where. `reason` is
 * the older, finer name of the same failure, deprecated.
 *
 * @example
 * try { openNote(text, [verifier]) } catch (e) { if (e instanceof NoteError && e.reason === 'unverified') reject() }
 */
export class NoteError extends AuditLogError {
  override readonly name = 'NoteError'
  declare readonly code: NoteErrorCode
  constructor(
    /** @deprecated Use `code`. */
    readonly reason: NoteErrorReason,
    message: string,
    options?: { cause?: unknown; code?: NoteErrorCode },
  ) {
    super(message, { cause: options?.cause, code: options?.code ?? CODE_OF[reason] })
  }
}

export function noteError(message: string): NoteError {
  return new NoteError('malformed-note', message)
}

export function keyError(message: string): NoteError {
  return new NoteError('malformed-key', message)
}
