import { type Steps, sha256 } from './steps.js'
import { emptyRootBytes, exactLog2, HASH_SIZE, isCount, isHash, isHashList, sameBytes } from './tree-math.js'

// Sizes go up to 2^53 - 1, past the 32 bits that JavaScript's shift operators work on, so the
// RFC's right shifts and LSB tests are done with exact arithmetic on doubles instead.
const half = (x: number): number => Math.floor(x / 2)
const odd = (x: number): boolean => x % 2 === 1

/** No proof for a tree below 2^53 leaves has more than 54 elements; a much longer list is refused unread. */
export const MAX_PROOF_LENGTH = 64

/** Inside a rule: the interior node SHA-256(0x01 || left || right) of RFC 6962 §2.1. */
export function* nodeHashSteps(left: Uint8Array, right: Uint8Array): Steps<Uint8Array> {
  const input = new Uint8Array(1 + 2 * HASH_SIZE)
  input[0] = 0x01
  input.set(left, 1)
  input.set(right, 1 + HASH_SIZE)
  return yield* sha256(input)
}

/** Inside a rule: the leaf SHA-256(0x00 || data) of RFC 6962 §2.1. */
export function* leafHashSteps(data: Uint8Array): Steps<Uint8Array> {
  const input = new Uint8Array(1 + data.length)
  input.set(data, 1)
  return yield* sha256(input)
}

/**
 * The algorithm of RFC 9162 §2.1.3.2: true only if `auditPath` leads from `leafHash`, at
 * `leafIndex` in a tree of `treeSize` leaves, to `rootHash`. Wrong types, indexes or sizes out of
 * range and hashes that are not 32 bytes give false; it never throws.
 */
export function* inclusionSteps(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  auditPath: readonly Uint8Array[],
  rootHash: Uint8Array,
): Steps<boolean> {
  if (!isCount(leafIndex) || !isCount(treeSize) || leafIndex >= treeSize) return false
  if (!Array.isArray(auditPath) || auditPath.length > MAX_PROOF_LENGTH) return false
  if (!isHash(leafHash) || !isHash(rootHash) || !isHashList(auditPath)) return false
  let fn = leafIndex
  let sn = treeSize - 1
  let r: Uint8Array = leafHash
  for (const p of auditPath) {
    if (sn === 0) return false
    if (odd(fn) || fn === sn) {
      r = yield* nodeHashSteps(p, r)
      while (!odd(fn) && fn !== 0) {
        fn = half(fn)
        sn = half(sn)
      }
    } else {
      r = yield* nodeHashSteps(r, p)
    }
    fn = half(fn)
    sn = half(sn)
  }
  return sn === 0 && sameBytes(r, rootHash)
}

/**
 * The algorithm of RFC 9162 §2.1.4.2: true only if the tree of `oldSize` leaves with root
 * `oldRoot` is a prefix of the tree of `newSize` leaves with root `newRoot`. The RFC defines
 * proofs for 0 < oldSize < newSize; beyond it, equal sizes need an empty proof and equal roots,
 * and oldSize 0 needs an empty proof and `oldRoot` = the empty root. Bad input gives false.
 */
export function* consistencySteps(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): Steps<boolean> {
  if (!isCount(oldSize) || !isCount(newSize) || oldSize > newSize) return false
  if (!Array.isArray(proof) || proof.length > MAX_PROOF_LENGTH) return false
  if (!isHash(oldRoot) || !isHash(newRoot) || !isHashList(proof)) return false
  if (oldSize === 0) {
    const empty = emptyRootBytes()
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
      fr = yield* nodeHashSteps(c, fr)
      sr = yield* nodeHashSteps(c, sr)
      while (!odd(fn) && fn !== 0) {
        fn = half(fn)
        sn = half(sn)
      }
    } else {
      sr = yield* nodeHashSteps(sr, c)
    }
    fn = half(fn)
    sn = half(sn)
  }
  return sn === 0 && sameBytes(fr, oldRoot) && sameBytes(sr, newRoot)
}
