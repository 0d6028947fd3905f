import { ValidationError } from '../errors.js'
import { emptyRoot, exactLog2, HASH_SIZE, isCount, isHash, nodeHash } from './merkle-hash.js'

/**
 * Where a perfect subtree sits: the node at `level` L and `index` i covers leaves
 * [i * 2^L, (i + 1) * 2^L). Level 0 holds the leaf hashes themselves.
 *
 * @example
 * const node: NodeId = { level: 2, index: 1 } // the perfect subtree over leaves 4..7
 */
export interface NodeId {
  readonly level: number
  readonly index: number
}

/**
 * A perfect-subtree node and its hash, as {@link MerkleFrontier.append} reports it for storing.
 *
 * @example
 * const stored: MerkleNode = { level: 0, index: 0, hash: leafHash(Buffer.from('first entry')) }
 */
export interface MerkleNode extends NodeId {
  readonly hash: Buffer
}

/**
 * Reads the stored hash of the perfect subtree at (`level`, `index`); throws if it is missing.
 * Only nodes that lie wholly inside the requested tree size are ever asked for, so a store that
 * holds a bigger tree answers for every smaller one: a perfect subtree never changes once complete.
 *
 * @example
 * const getNode: GetNode = (level, index) => nodes.get(`${level}/${index}`) ?? fail(level, index)
 */
export type GetNode = (level: number, index: number) => Uint8Array

/**
 * The perfect subtrees that make up leaves [begin, end), left to right, biggest first. `begin`
 * must be a multiple of the smallest power of two that is at least `end - begin` (true of every
 * subtree in RFC 6962's recursion). For begin = 0 these are the roots of the tree's right edge.
 *
 * @example
 * perfectSubtrees(0, 7) // [{ level: 2, index: 0 }, { level: 1, index: 2 }, { level: 0, index: 6 }]
 */
export function perfectSubtrees(begin: number, end: number): NodeId[] {
  let width = 1
  let level = 0
  while (width * 2 <= end - begin) {
    width *= 2
    level++
  }
  const ids: NodeId[] = []
  for (let start = begin; start < end; width /= 2, level--) {
    if (start + width <= end) {
      ids.push({ level, index: start / width })
      start += width
    }
  }
  return ids
}

/**
 * Calls `getNode` and checks that it answered with one hash; returns a copy, so that a proof or a
 * frontier never shares memory with the store.
 *
 * @example
 * const hash = readNode(getNode, 3, 0) // the subtree over leaves 0..7
 */
export function readNode(getNode: GetNode, level: number, index: number): Buffer {
  const hash = getNode(level, index)
  if (!isHash(hash)) {
    throw new ValidationError([
      { field: `getNode(${level}, ${index})`, message: `must return a ${HASH_SIZE}-byte hash` },
    ])
  }
  return Buffer.from(hash)
}

/**
 * The RFC 6962 hash of leaves [begin, end) (alignment as for {@link perfectSubtrees}), from at
 * most log2(end - begin) + 1 stored perfect nodes: a subtree on the right edge that is not perfect
 * is its perfect parts joined right to left.
 *
 * @example
 * const right = subtreeHash(4, 7, getNode) // nodeHash(node(1, 2), node(0, 6))
 */
export function subtreeHash(begin: number, end: number, getNode: GetNode): Buffer {
  // Most proof nodes are perfect subtrees: read them without building a list.
  const level = exactLog2(end - begin)
  if (level >= 0) return readNode(getNode, level, begin / (end - begin))
  const ids = perfectSubtrees(begin, end)
  let hash: Buffer | undefined
  for (let i = ids.length - 1; i >= 0; i--) {
    const id = ids[i] as NodeId
    const node = readNode(getNode, id.level, id.index)
    hash = hash === undefined ? node : nodeHash(node, hash)
  }
  if (hash === undefined) throw new ValidationError([{ field: 'end', message: 'must be greater than begin' }])
  return hash
}

/**
 * The root of the tree of the first `treeSize` leaves, from stored perfect nodes: how to get the
 * root of any past size of a log that only keeps perfect subtrees. O(log n) lookups and hashes.
 *
 * @example
 * const rootAt1000 = rootFromNodes(1000, getNode)
 */
export function rootFromNodes(treeSize: number, getNode: GetNode): Buffer {
  if (!isCount(treeSize)) {
    throw new ValidationError([{ field: 'treeSize', message: 'must be a non-negative safe integer' }])
  }
  return treeSize === 0 ? emptyRoot() : subtreeHash(0, treeSize, getNode)
}
