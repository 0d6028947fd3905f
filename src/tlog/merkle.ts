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
export { MerkleFrontier, type MerkleFrontierJSON } from './merkle-frontier.js'
export { EMPTY_ROOT, HASH_SIZE, leafHash, nodeHash, rootFromLeaves } from './merkle-hash.js'
export { type GetNode, type MerkleNode, type NodeId, rootFromNodes } from './merkle-nodes.js'
export { consistencyProof, inclusionProof } from './merkle-proofs.js'
export { verifyConsistency, verifyInclusion } from './merkle-verify.js'
