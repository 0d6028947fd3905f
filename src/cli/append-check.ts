import {
  type AuditLog,
  type KeySet,
  type SignedCheckpoint,
  verifyCheckpoint,
  verifyConsistencyProof,
} from '../index.js'
import { appendCheckpoint, claimedTreeSize } from './checkpoint-file.js'

/** Why a new checkpoint must not be appended after a file's last one: a stable code and a sentence. */
export interface AppendRefusal {
  readonly code: string
  readonly detail: string
}

/**
 * Checks that `cp`, just signed, extends `lastNote`, the last checkpoint copied out before: that note
 * must verify with `keys` for the log's origin, cover no more entries than `cp`, and a consistency
 * proof from the log (RFC 9162 section 2.1.4) must show its tree is a prefix of `cp`'s. Answers
 * undefined when it does, else the reason (the codes of `verifyConsistencyProof`, or `truncated`).
 * A refusal means the log's history was rewritten since the last copy, or the file is another log's.
 */
export async function appendRefusal(
  audit: AuditLog<string>,
  lastNote: string,
  cp: SignedCheckpoint,
  keys: KeySet,
): Promise<AppendRefusal | undefined> {
  const last = verifyCheckpoint(lastNote, keys, { origin: cp.origin })
  if (!last.ok) return { code: last.code, detail: `the file's last checkpoint: ${last.detail}` }
  const oldSize = last.checkpoint.treeSize
  if (oldSize > cp.treeSize) {
    return {
      code: 'truncated',
      detail: `the file's last checkpoint covers ${oldSize} entries, the log now only ${cp.treeSize}`,
    }
  }
  const proof = await audit.proveConsistency(oldSize, cp.treeSize)
  const consistent = verifyConsistencyProof(proof, lastNote, cp.note, keys, { origin: cp.origin })
  return consistent.ok ? undefined : { code: consistent.code, detail: consistent.detail }
}

/** What {@link appendIfExtends} did: appended the note, found it there already, or refused it. */
export type AppendOutcome =
  | { readonly kind: 'appended' }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'refused'; readonly refusal: AppendRefusal }

/** Options of {@link appendIfExtends}. */
export interface AppendOptions {
  /**
   * Also leave the file as it is when its last note, checked, covers as many entries as `cp`
   * (a note of the same tree head, signed again): a copy only when the log grew. Default false.
   */
  readonly onlyGrowth?: boolean
}

/**
 * Appends `cp` to the checkpoint file `file` whose last note is `lastNote` (undefined: none yet),
 * if it extends that note (see {@link appendRefusal}); a note identical to the last is not
 * appended twice. What `auditkit checkpoint --append` and `auditkit serve --checkpoint-file` do.
 *
 * @example
 * const outcome = await appendIfExtends(audit, 'checkpoints.txt', await lastCheckpointNote('checkpoints.txt'), cp, [publicKey])
 * if (outcome.kind === 'refused') console.error(outcome.refusal.detail)
 */
export async function appendIfExtends(
  audit: AuditLog<string>,
  file: string,
  lastNote: string | undefined,
  cp: SignedCheckpoint,
  keys: KeySet,
  { onlyGrowth = false }: AppendOptions = {},
): Promise<AppendOutcome> {
  if (lastNote === cp.note) return { kind: 'unchanged' }
  if (lastNote !== undefined) {
    const refusal = await appendRefusal(audit, lastNote, cp, keys)
    if (refusal !== undefined) return { kind: 'refused', refusal }
    if (onlyGrowth && claimedTreeSize(lastNote) === cp.treeSize) return { kind: 'unchanged' }
  }
  await appendCheckpoint(file, cp.note)
  return { kind: 'appended' }
}
