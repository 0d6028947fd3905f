// The consistency check of a remembered size and root that has no signed note to go with it (the
// contract's `auditkit.seen` allows that): RFC 9162 §2.1.4.2 run on the roots alone. The new root
// comes from a checkpoint already verified with the pinned key, so the check is as strong.
// auditkit/verify only exports the note-to-note form, so this reaches into the kit's tlog folder.
import { consistencySteps } from '../../../src/tlog/merkle-verify.js'
import { runAsync } from '../../../src/tlog/steps.js'
import { webCryptoPrimitives } from '../../../src/tlog/web-crypto.js'
import { type ConsistencyProof, decodeHash } from '../../../src/verify.js'

interface SizeAndRoot {
  readonly treeSize: number
  readonly rootHash: string
}

/** True when `proof` shows the tree of `older` is a prefix of the tree of `newer`. */
export async function rootsConsistent(
  proof: ConsistencyProof,
  older: SizeAndRoot,
  newer: SizeAndRoot,
): Promise<boolean> {
  const oldRoot = decodeHash(older.rootHash)
  const newRoot = decodeHash(newer.rootHash)
  if (oldRoot === undefined || newRoot === undefined || !Array.isArray(proof.path)) return false
  if (proof.oldSize !== older.treeSize || proof.newSize !== newer.treeSize) return false
  const path = proof.path.map(decodeHash)
  if (path.some((h) => h === undefined)) return false
  return runAsync(
    consistencySteps(older.treeSize, newer.treeSize, oldRoot, newRoot, path as Uint8Array[]),
    webCryptoPrimitives,
  )
}
