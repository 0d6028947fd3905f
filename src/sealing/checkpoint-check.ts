import { type Checkpoint, parseCheckpoint } from '../tlog/checkpoint.js'
import { openCheckpoint } from '../tlog/keys.js'
import { parseNote } from '../tlog/signed-note.js'
import type { ExpectedRoot, VerifyProblem } from '../tlog/tree-verifier.js'
import type { TrustedKeyInput } from '../tlog/verifier-keys.js'

/**
 * Reads one checkpoint for verification: with trusted keys its signature by one of them must verify
 * (else the log was re-signed or the note edited); without any only its form is read. A checkpoint from another
 * origin, or one that fails, is reported and yields undefined.
 */
export function expectedRoot(
  note: unknown,
  label: string,
  keys: readonly TrustedKeyInput[] | undefined,
  origin: string | undefined,
  report: (problem: VerifyProblem) => void,
): (ExpectedRoot & { readonly checkpoint: Checkpoint }) | undefined {
  let checkpoint: Checkpoint
  try {
    if (typeof note !== 'string') throw new Error('it is not a string')
    checkpoint = keys === undefined ? parseCheckpoint(parseNote(note).text) : openCheckpoint(note, keys)
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error)
    const hint = keys === undefined ? '' : ' (re-signed with another key, or edited)'
    report({ kind: 'bad_checkpoint', detail: `${label} does not verify${hint}: ${why}` })
    return undefined
  }
  if (origin !== undefined && checkpoint.origin !== origin) {
    report({
      kind: 'bad_checkpoint',
      seq: checkpoint.size,
      detail: `${label} is for origin '${checkpoint.origin}', not this log's '${origin}'`,
    })
    return undefined
  }
  return { size: checkpoint.size, rootHash: checkpoint.rootHash, label, checkpoint }
}
