// A namespace import, not `import { hash }`: the one-shot `hash` arrived in Node 20.12, and a named
// import of a missing builtin export would fail at load time on older Node 20 releases.
import * as crypto from 'node:crypto'
import { ValidationError } from '../errors.js'
import { HASH_SIZE, isHash, splitPoint } from './tree-math.js'

export { exactLog2, HASH_SIZE, isCount, isHash, isHashList, sameBytes, splitPoint } from './tree-math.js'

// A Buffer cannot be frozen: the module compares against its own copy, so that a caller who
// writes into EMPTY_ROOT changes nothing here.
const EMPTY = crypto.createHash('sha256').digest()

/**
 * The root of the empty tree: SHA-256 of the empty string (RFC 6962 §2.1).
 *
 * @example
 * EMPTY_ROOT.toString('hex') // 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
 */
export const EMPTY_ROOT: Buffer = Buffer.from(EMPTY)

/**
 * A fresh copy of the empty tree's root, unaffected by anything written into EMPTY_ROOT.
 *
 * @example
 * emptyRoot().equals(EMPTY_ROOT) // true
 */
export function emptyRoot(): Buffer {
  return Buffer.from(EMPTY)
}

const LEAF_PREFIX = Buffer.of(0x00)

// Interior nodes are hashed once per leaf appended, so they are the hot path: one preallocated
// 65-byte input and one-shot hashing cost about half of what a new Hash object per node costs.
const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE)
nodeInput[0] = 0x01 // RFC 6962's interior-node prefix, as nodeHashSteps writes it for the browser
/** SHA-256 of bytes, or of a string as UTF-8: one-shot `crypto.hash` (Node >= 20.12) where there is one. */
export const sha256: (data: string | Uint8Array) => Buffer =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest()

/**
 * SHA-256 as a 32-character latin1 string ('binary': one character per byte), the hot path's form of a hash:
 * node:crypto builds a string several times faster than a Buffer, whose backing store the garbage
 * collector must also track. `Buffer.from(text, 'latin1')` gives the bytes back.
 *
 * @example
 * Buffer.from(sha256Text('abc'), 'latin1').equals(sha256('abc')) // true
 */
export const sha256Text: (data: string | Uint8Array) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'binary')
    : (data) => crypto.createHash('sha256').update(data).digest('binary')

const nodeTextInput = Buffer.alloc(1 + 2 * HASH_SIZE)
nodeTextInput[0] = 0x01

/**
 * {@link nodeHash} of two hashes held as latin1 strings (see {@link sha256Text}), as one. No
 * checks: the hot path.
 *
 * @example
 * nodeHashText(a.toString('latin1'), b.toString('latin1')) === nodeHash(a, b).toString('latin1') // true
 */
export function nodeHashText(left: string, right: string): string {
  nodeTextInput.write(left, 1, 'latin1')
  nodeTextInput.write(right, 1 + HASH_SIZE, 'latin1')
  return sha256Text(nodeTextInput)
}

/**
 * The hash of a leaf: SHA-256(0x00 || data). The 0x00 prefix keeps a leaf from ever hashing like an
 * interior node (second-preimage resistance, RFC 6962 §2.1).
 *
 * @example
 * leafHash(new Uint8Array()).toString('hex') // '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d'
 */
export function leafHash(data: Uint8Array): Buffer {
  return crypto.createHash('sha256').update(LEAF_PREFIX).update(data).digest()
}

/**
 * The hash of an interior node: SHA-256(0x01 || left || right), for two 32-byte child hashes.
 *
 * @example
 * const parent = nodeHash(leafHash(Buffer.from('a')), leafHash(Buffer.from('b')))
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (!isHash(left) || !isHash(right)) {
    throw new ValidationError([{ field: isHash(left) ? 'right' : 'left', message: `must be a ${HASH_SIZE}-byte hash` }])
  }
  nodeInput.set(left, 1)
  nodeInput.set(right, 1 + HASH_SIZE)
  return sha256(nodeInput)
}

/**
 * The Merkle Tree Hash of RFC 6962 §2.1 over a list of leaf hashes: split at the largest power of
 * two smaller than n, hash each side, join them. O(n) time and O(log n) stack; the slow reference
 * that the incremental {@link MerkleFrontier} and the proofs are checked against.
 *
 * @example
 * const root = rootFromLeaves(['a', 'b', 'c'].map((s) => leafHash(Buffer.from(s))))
 */
export function rootFromLeaves(leafHashes: readonly Uint8Array[]): Buffer {
  if (leafHashes.length === 0) return emptyRoot()
  return mth(leafHashes, 0, leafHashes.length)
}

function mth(leaves: readonly Uint8Array[], begin: number, end: number): Buffer {
  const n = end - begin
  if (n === 1) {
    const leaf = leaves[begin] as Uint8Array
    if (!isHash(leaf)) throw new ValidationError([{ field: `[${begin}]`, message: `must be a ${HASH_SIZE}-byte hash` }])
    return Buffer.from(leaf)
  }
  const k = splitPoint(n)
  return nodeHash(mth(leaves, begin, begin + k), mth(leaves, begin + k, end))
}
