import { ValidationError } from '../errors.js'
import { isCount, splitPoint } from './merkle-hash.js'
import { type GetNode, subtreeHash } from './merkle-nodes.js'

/**
 * The audit path of RFC 9162 §2.1.3.1 (PATH(m, D[n]) of RFC 6962 §2.1.1) proving that leaf
 * `leafIndex` is in the tree of the first `treeSize` leaves, deepest sibling first, built from
 * stored perfect nodes. At most one sibling, on the right edge, is not perfect; it is joined from
 * O(log n) perfect ones. Throws a ValidationError unless 0 <= leafIndex < treeSize; errors thrown
 * by `getNode` pass through.
 *
 * @example
 * const path = inclusionProof(6, 7, getNode)
 * verifyInclusion(6, 7, leaf6, path, rootFromNodes(7, getNode)) // true
 */
export function inclusionProof(leafIndex: number, treeSize: number, getNode: GetNode): Buffer[] {
  checkSizes([
    ['treeSize', treeSize],
    ['leafIndex', leafIndex],
  ])
  if (leafIndex >= treeSize) throw new ValidationError([{ field: 'leafIndex', message: 'must be below treeSize' }])
  const path: Buffer[] = []
  // Walk down from the root to the leaf through the subtree [start, start + n); the sibling of
  // each step is pushed top first, so the path is reversed at the end.
  let m = leafIndex
  let start = 0
  let n = treeSize
  while (n > 1) {
    const k = splitPoint(n)
    if (m < k) {
      path.push(subtreeHash(start + k, start + n, getNode))
      n = k
    } else {
      path.push(subtreeHash(start, start + k, getNode))
      m -= k
      start += k
      n -= k
    }
  }
  return path.reverse()
}

/**
 * The consistency proof of RFC 9162 §2.1.4.1 (PROOF(m, D[n]) of RFC 6962 §2.1.2) that the tree
 * of the first `oldSize` leaves is a prefix of the tree of the first `newSize`, deepest node
 * first, built from stored perfect nodes. Empty when oldSize is 0 or equals newSize. Throws a
 * ValidationError unless 0 <= oldSize <= newSize; errors thrown by `getNode` pass through.
 *
 * @example
 * const proof = consistencyProof(3, 7, getNode)
 * verifyConsistency(3, 7, rootFromNodes(3, getNode), rootFromNodes(7, getNode), proof) // true
 */
export function consistencyProof(oldSize: number, newSize: number, getNode: GetNode): Buffer[] {
  checkSizes([
    ['newSize', newSize],
    ['oldSize', oldSize],
  ])
  if (oldSize > newSize) throw new ValidationError([{ field: 'oldSize', message: 'must not exceed newSize' }])
  if (oldSize === 0) return []
  const proof: Buffer[] = []
  // SUBPROOF(m, D[start:start + n], complete): `complete` stays true while the old tree is a
  // left-aligned subtree of the new one, whose hash the verifier already holds.
  let m = oldSize
  let start = 0
  let n = newSize
  let complete = true
  while (m !== n) {
    const k = splitPoint(n)
    if (m <= k) {
      proof.push(subtreeHash(start + k, start + n, getNode))
      n = k
    } else {
      proof.push(subtreeHash(start, start + k, getNode))
      m -= k
      start += k
      n -= k
      complete = false
    }
  }
  if (!complete) proof.push(subtreeHash(start, start + n, getNode))
  return proof.reverse()
}

function checkSizes(sizes: readonly (readonly [string, unknown])[]): void {
  const issues = sizes
    .filter(([, value]) => !isCount(value))
    .map(([field]) => ({ field, message: 'must be a non-negative safe integer' }))
  if (issues.length > 0) throw new ValidationError(issues)
}
