import { type Checkpoint, parseCheckpoint } from '../tlog/checkpoint.js'
import { openCheckpoint, type PublicKeyInput } from '../tlog/keys.js'
import { parseNote } from '../tlog/signed-note.js'
import type { ExpectedRoot, VerifyProblem } from '../tlog/tree-verifier.js'

/**
 * Reads one checkpoint for verification: with a public key its signature must verify (else the log
 * was re-signed or the note edited); without one only its form is read. A checkpoint from another
 * origin, or one that fails, is reported and yields undefined.
 */
export function expectedRoot(
  note: unknown,
  label: string,
  publicKey: PublicKeyInput | undefined,
  origin: string | undefined,
  report: (problem: VerifyProblem) => void,
): (ExpectedRoot & { readonly checkpoint: Checkpoint }) | undefined {
  let checkpoint: Checkpoint
  try {
    if (typeof note !== 'string') throw new Error('it is not a string')
    checkpoint = publicKey === undefined ? parseCheckpoint(parseNote(note).text) : openCheckpoint(note, publicKey)
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error)
    const hint = publicKey === undefined ? '' : ' (re-signed with another key, or edited)'
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
