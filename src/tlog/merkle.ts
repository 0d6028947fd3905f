/**
 * RFC 6962 / RFC 9162 Merkle trees over SHA-256, for tamper evidence: an incremental tree that
 * reports the perfect-subtree nodes to store, inclusion and consistency proofs built from those
 * stored nodes, and storage-free verifiers. Pure and synchronous; hashes are 32-byte Uint8Arrays
 * and sizes are safe integers.
 *
 * Nodes are addressed as (level, index): the perfect subtree at level L, index i covers leaves
 * [i * 2^L, (i + 1) * 2^L), and level 0 holds the leaf hashes. Only perfect subtrees are ever
 * stored; the imperfect ones on a tree's right edge are recomputed from O(log n) perfect ones.
 *
 * @example
 * const tree = new MerkleFrontier()
 * const nodes = new Map<string, Buffer>()
 * for (const entry of ['a', 'b', 'c']) {
 *   for (const n of tree.append(leafHash(Buffer.from(entry)))) nodes.set(`${n.level}/${n.index}`, n.hash)
 * }
 * const getNode = (level: number, index: number) => nodes.get(`${level}/${index}`)!
 * verifyInclusion(1, 3, leafHash(Buffer.from('b')), inclusionProof(1, 3, getNode), tree.root()) // true
 */
import { consistencySteps, inclusionSteps } from './merkle-verify.js'
import { runNode } from './node-crypto.js'

export { MerkleFrontier, type MerkleFrontierJSON } from './merkle-frontier.js'
export { EMPTY_ROOT, HASH_SIZE, leafHash, nodeHash, rootFromLeaves } from './merkle-hash.js'
export { type GetNode, type MerkleNode, type NodeId, rootFromNodes } from './merkle-nodes.js'
export { consistencyProof, inclusionProof } from './merkle-proofs.js'

// The checks cover every input the types allow; this is for what they cannot see (a Proxy whose
// traps throw, say), since a verifier must answer, and its safe answer is false.
function neverThrows<A extends unknown[]>(check: (...args: A) => boolean): (...args: A) => boolean {
  return (...args) => {
    try {
      return check(...args)
    } catch {
      return false
    }
  }
}

/**
 * RFC 9162 §2.1.3.2 run synchronously with node:crypto: true only if `auditPath` leads from
 * `leafHash`, at `leafIndex` in a tree of `treeSize` leaves, to `rootHash`. Never throws.
 *
 * @example
 * verifyInclusion(6, 7, leafHash(entryBytes), inclusionProof(6, 7, getNode), signedRoot) // true
 */
export const verifyInclusion = neverThrows(
  (leafIndex: number, treeSize: number, leafHash: Uint8Array, auditPath: readonly Uint8Array[], rootHash: Uint8Array) =>
    runNode(inclusionSteps(leafIndex, treeSize, leafHash, auditPath, rootHash)),
)

/**
 * RFC 9162 §2.1.4.2 run synchronously with node:crypto: true only if the tree of `oldSize` leaves
 * with root `oldRoot` is a prefix of the tree of `newSize` leaves with root `newRoot`. Never throws.
 *
 * @example
 * verifyConsistency(3, 7, root3, root7, consistencyProof(3, 7, getNode)) // true
 */
export const verifyConsistency = neverThrows(
  (oldSize: number, newSize: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: readonly Uint8Array[]) =>
    runNode(consistencySteps(oldSize, newSize, oldRoot, newRoot, proof)),
)
