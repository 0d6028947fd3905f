import {
  type AuditLog,
  type KeySet,
  type SignedCheckpoint,
  verifyCheckpoint,
  verifyConsistencyProof,
} from '../index.js'

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
