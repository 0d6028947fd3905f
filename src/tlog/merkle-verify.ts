import { emptyRoot, exactLog2, isCount, isHash, isHashList, nodeHash, sameBytes } from './merkle-hash.js'

// Sizes go up to 2^53 - 1, past the 32 bits that JavaScript's shift operators work on, so the
// RFC's right shifts and LSB tests are done with exact arithmetic on doubles instead.
const half = (x: number): number => Math.floor(x / 2)
const odd = (x: number): boolean => x % 2 === 1

// No proof for a tree below 2^53 leaves has more than 54 elements (one per level, and one more
// in a consistency proof), so a much longer list is refused before it is read.
const MAX_PROOF_LENGTH = 64

/**
 * Checks an audit path with the algorithm of RFC 9162 §2.1.3.2: true only if `auditPath` leads
 * from `leafHash`, at `leafIndex` in a tree of `treeSize` leaves, to `rootHash`. Needs no storage
 * and never throws: wrong types, indexes or sizes out of range and hashes that are not 32 bytes
 * all give false.
 *
 * @example
 * verifyInclusion(6, 7, leafHash(entryBytes), inclusionProof(6, 7, getNode), signedRoot) // true
 */
export const verifyInclusion = neverThrows(checkInclusion)

// The checks in each verifier cover every input the types allow; this is for what they cannot see
// (a Proxy whose traps throw, say), since a verifier must answer, and its safe answer is false.
function neverThrows<A extends unknown[]>(check: (...args: A) => boolean): (...args: A) => boolean {
  return (...args) => {
    try {
      return check(...args)
    } catch {
      return false
    }
  }
}

function checkInclusion(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  auditPath: readonly Uint8Array[],
  rootHash: Uint8Array,
): boolean {
  if (!isCount(leafIndex) || !isCount(treeSize) || leafIndex >= treeSize) return false
  if (!Array.isArray(auditPath) || auditPath.length > MAX_PROOF_LENGTH) return false
  if (!isHash(leafHash) || !isHash(rootHash) || !isHashList(auditPath)) return false
  let fn = leafIndex
  let sn = treeSize - 1
  let r: Uint8Array = leafHash
  for (const p of auditPath) {
    if (sn === 0) return false
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r)
      while (!odd(fn) && fn !== 0) {
        fn = half(fn)
        sn = half(sn)
      }
    } else {
      r = nodeHash(r, p)
    }
    fn = half(fn)
    sn = half(sn)
  }
  return sn === 0 && sameBytes(r, rootHash)
}

/**
 * Checks a consistency proof with the algorithm of RFC 9162 §2.1.4.2: true only if the tree of
 * `oldSize` leaves with root `oldRoot` is a prefix of the tree of `newSize` leaves with root
 * `newRoot`. The RFC defines proofs for 0 < oldSize < newSize; beyond it, equal sizes need an
 * empty proof and equal roots, and oldSize 0 needs an empty proof and `oldRoot` = EMPTY_ROOT.
 * Needs no storage and never throws: bad input of any kind gives false.
 *
 * @example
 * verifyConsistency(3, 7, root3, root7, consistencyProof(3, 7, getNode)) // true
 */
export const verifyConsistency = neverThrows(checkConsistency)

function checkConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!isCount(oldSize) || !isCount(newSize) || oldSize > newSize) return false
  if (!Array.isArray(proof) || proof.length > MAX_PROOF_LENGTH) return false
  if (!isHash(oldRoot) || !isHash(newRoot) || !isHashList(proof)) return false
  if (oldSize === 0) {
    const empty = emptyRoot()
    return proof.length === 0 && sameBytes(oldRoot, empty) && (newSize > 0 || sameBytes(newRoot, empty))
  }
  if (oldSize === newSize) return proof.length === 0 && sameBytes(oldRoot, newRoot)
  if (proof.length === 0) return false
  // When the old tree is perfect its root is a node of the new tree, left out of the proof.
  const path = exactLog2(oldSize) >= 0 ? [oldRoot, ...proof] : proof
  let fn = oldSize - 1
  let sn = newSize - 1
  while (odd(fn)) {
    fn = half(fn)
    sn = half(sn)
  }
  let fr = path[0] as Uint8Array
  let sr = fr
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array
    if (sn === 0) return false
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr)
      sr = nodeHash(c, sr)
      while (!odd(fn) && fn !== 0) {
        fn = half(fn)
        sn = half(sn)
      }
    } else {
      sr = nodeHash(sr, c)
    }
    fn = half(fn)
    sn = half(sn)
  }
  return sn === 0 && sameBytes(fr, oldRoot) && sameBytes(sr, newRoot)
}
